//! Retention queries: the retention clock is a profile's last Contact, or
//! its creation when it never had one (the `customers_retention` index).

use rusqlite::{params, OptionalExtension};

use crate::clock::Millis;
use crate::erase::{customer_row, CustomerRow, CUSTOMER_ROW};
use crate::error::Result;
use crate::{Read, Write};

/// Live profiles whose retention clock is at or before `cutoff`, split into
/// (deletable, blocked by an OPEN or WAITING conversation).
///
/// The Retention screen runs this on every keystroke of the days field, so
/// the blocked ones are counted from whichever side is smaller: by probing
/// each overdue profile for open work, or by walking the open conversations
/// (the partial index `conversations_open`) to their profiles. Both counts
/// that choose are read from indexes alone. With many overdue profiles the
/// walk is several times faster; with few, the probing takes milliseconds
/// (docs/PERFORMANCE.md, "Figures behind choices in the code").
pub fn count_overdue(conn: &Read<'_>, cutoff: Millis) -> Result<(i64, i64)> {
    let conn = conn.sql();
    let all: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM customers
             WHERE deleted_at IS NULL AND coalesce(last_contact_at, created_at) <= ?1",
        )?
        .query_row([cutoff], |r| r.get(0))?;
    let open: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM conversations INDEXED BY conversations_open
             WHERE status <> 'CLOSED'",
        )?
        .query_row([], |r| r.get(0))?;
    let blocked_sql = if all <= open {
        "SELECT count(*) FROM customers c
         WHERE c.deleted_at IS NULL AND coalesce(c.last_contact_at, c.created_at) <= ?1
           AND EXISTS (SELECT 1 FROM conversations v
                       WHERE v.customer_id = c.id AND v.status <> 'CLOSED')"
    } else {
        "SELECT count(DISTINCT v.customer_id)
         FROM conversations v INDEXED BY conversations_open
         JOIN customers c ON c.id = v.customer_id
         WHERE v.status <> 'CLOSED' AND c.deleted_at IS NULL
           AND coalesce(c.last_contact_at, c.created_at) <= ?1"
    };
    let blocked: i64 = conn
        .prepare_cached(blocked_sql)?
        .query_row([cutoff], |r| r.get(0))?;
    Ok((all - blocked, blocked))
}

/// Live profiles whose retention clock falls in `(from, to]`.
pub fn count_between(conn: &Read<'_>, from: Millis, to: Millis) -> Result<i64> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM customers
             WHERE deleted_at IS NULL
               AND coalesce(last_contact_at, created_at) > ?1
               AND coalesce(last_contact_at, created_at) <= ?2",
        )?
        .query_row(params![from, to], |r| r.get(0))?)
}

/// The rows of every live profile overdue at `cutoff`, sorted: file order,
/// in which a sweep deletes them (each batch then rewrites neighbouring
/// pages). Read from the retention index alone, without a customer row.
pub fn overdue_rows(conn: &Read<'_>, cutoff: Millis) -> Result<Vec<i64>> {
    let conn = conn.sql();
    let mut rows = conn
        .prepare_cached(
            "SELECT rowid FROM customers
             WHERE deleted_at IS NULL AND coalesce(last_contact_at, created_at) <= ?1",
        )?
        .query_map([cutoff], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    rows.sort_unstable();
    Ok(rows)
}

/// The customer row at `rowid`, and whether that profile is still live and
/// overdue at `cutoff`. A sweep reads it in the transaction that erases the
/// profile. `None` if there is no such row.
pub fn due_at(conn: &Read<'_>, rowid: i64, cutoff: Millis) -> Result<Option<(CustomerRow, bool)>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CUSTOMER_ROW},
                 deleted_at IS NULL AND coalesce(last_contact_at, created_at) <= ?2
             FROM customers WHERE rowid = ?1"
        ))?
        .query_row(params![rowid, cutoff], |r| {
            Ok((customer_row(r)?, r.get(4)?))
        })
        .optional()?)
}

/// Starts a sweep record. Runs left `running` by a killed process are marked
/// `failed` first: the caller holds the sweep lock, so none is still alive.
pub fn begin_run(
    conn: &Write<'_>,
    operator: &str,
    days: i64,
    cutoff: Millis,
    now: Millis,
) -> Result<i64> {
    let conn = conn.sql();
    conn.execute(
        "UPDATE retention_runs SET state = 'failed', finished_at = ?1 WHERE state = 'running'",
        [now],
    )?;
    conn.execute(
        "INSERT INTO retention_runs (started_at, operator, days, cutoff, state)
         VALUES (?1, ?2, ?3, ?4, 'running')",
        params![now, operator, days, cutoff],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn update_run(conn: &Write<'_>, run: i64, deleted: i64, blocked: i64) -> Result<()> {
    let conn = conn.sql();
    conn.prepare_cached("UPDATE retention_runs SET deleted = ?2, blocked = ?3 WHERE id = ?1")?
        .execute(params![run, deleted, blocked])?;
    Ok(())
}

pub fn finish_run(conn: &Write<'_>, run: i64, state: &str, now: Millis) -> Result<()> {
    let conn = conn.sql();
    conn.execute(
        "UPDATE retention_runs SET state = ?2, finished_at = ?3 WHERE id = ?1",
        params![run, state, now],
    )?;
    Ok(())
}

/// A sweep as recorded in `retention_runs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub started_at: Millis,
    pub finished_at: Option<Millis>,
    pub state: String,
    pub deleted: i64,
    pub blocked: i64,
}

/// The most recent sweep.
pub fn last_run(conn: &Read<'_>) -> Result<Option<Run>> {
    let conn = conn.sql();
    Ok(conn
        .query_row(
            "SELECT started_at, finished_at, state, deleted, blocked FROM retention_runs
             ORDER BY id DESC LIMIT 1",
            [],
            |r| {
                Ok(Run {
                    started_at: r.get(0)?,
                    finished_at: r.get(1)?,
                    state: r.get(2)?,
                    deleted: r.get(3)?,
                    blocked: r.get(4)?,
                })
            },
        )
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn overdue_profiles_with_open_work_count_once_each() {
        let store = Store::open_in_memory().unwrap();
        store
            .read()
            .execute_batch(
                "INSERT INTO customers (id, created_at, updated_at, last_contact_at, deleted_at)
                 VALUES ('due', 0, 0, 100, NULL),
                        ('due_two_open', 0, 0, 100, NULL),
                        ('due_waiting', 0, 0, 100, NULL),
                        ('due_closed', 0, 0, 100, NULL),
                        ('not_due_open', 0, 0, 900, NULL),
                        ('deleted_open', 0, 0, 100, 500);
                 INSERT INTO conversations (id, customer_id, status, created_at, updated_at)
                 VALUES ('a', 'due_two_open', 'OPEN', 0, 0),
                        ('b', 'due_two_open', 'WAITING', 0, 0),
                        ('c', 'due_waiting', 'WAITING', 0, 0),
                        ('d', 'due_closed', 'CLOSED', 0, 0),
                        ('e', 'not_due_open', 'OPEN', 0, 0),
                        ('f', 'deleted_open', 'OPEN', 0, 0);",
            )
            .unwrap();
        // Overdue and live: due, due_two_open, due_waiting, due_closed;
        // blocked among them: due_two_open (once) and due_waiting.
        // Four overdue, five open conversations: probed from the profiles.
        assert_eq!(count_overdue(&store.read(), 500).unwrap(), (2, 2));
        assert_eq!(count_overdue(&store.read(), 50).unwrap(), (0, 0));
        // More overdue profiles than open conversations: walked from the
        // conversations, with the same answer.
        store
            .read()
            .execute_batch(
                "INSERT INTO customers (id, created_at, updated_at, last_contact_at)
                 VALUES ('x1', 0, 0, 100), ('x2', 0, 0, 100), ('x3', 0, 0, 100);",
            )
            .unwrap();
        assert_eq!(count_overdue(&store.read(), 500).unwrap(), (5, 2));
    }

    #[test]
    fn overdue_rows_come_in_file_order_from_the_index_alone() {
        let store = Store::open_in_memory().unwrap();
        let c = &store.read();
        c.execute_batch(
            "INSERT INTO customers (rowid, id, created_at, updated_at, last_contact_at, deleted_at)
             VALUES (7, 'late_row_oldest', 0, 0, 10, NULL),
                    (3, 'early_row', 0, 0, 100, NULL),
                    (5, 'not_due', 0, 0, 900, NULL),
                    (4, 'deleted', 0, 0, 100, 500),
                    (9, 'never_contacted', 50, 50, NULL, NULL);
             INSERT INTO conversations (id, customer_id, status, created_at, updated_at)
             VALUES ('w', 'early_row', 'WAITING', 2, 0), ('o', 'early_row', 'OPEN', 1, 0);",
        )
        .unwrap();
        assert_eq!(overdue_rows(c, 500).unwrap(), [3, 7, 9]);
        let plan: String = c
            .query_row(
                "EXPLAIN QUERY PLAN SELECT rowid FROM customers
                 WHERE deleted_at IS NULL AND coalesce(last_contact_at, created_at) <= 500",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(
            plan.contains("COVERING INDEX customers_retention"),
            "{plan}"
        );
        // Each row again, with its ID and whether it is still due.
        let at = |rowid| {
            due_at(c, rowid, 500)
                .unwrap()
                .map(|(row, due)| (row.id, due))
        };
        assert_eq!(at(3), Some(("early_row".into(), true)));
        assert_eq!(at(9), Some(("never_contacted".into(), true)));
        // Rows no longer due since they were listed: contacted, deleted.
        c.execute_batch(
            "UPDATE customers SET last_contact_at = 900 WHERE rowid = 7;
             UPDATE customers SET deleted_at = 600 WHERE rowid = 9;",
        )
        .unwrap();
        assert_eq!(at(7), Some(("late_row_oldest".into(), false)));
        assert_eq!(at(9), Some(("never_contacted".into(), false)));
        assert_eq!(at(5), Some(("not_due".into(), false)));
        assert_eq!(at(4), Some(("deleted".into(), false)));
        assert_eq!(at(8), None);
    }
}
