//! The SQL of erasure: reading what a deletion will remove, tombstoning
//! items, attachments and recordings, and wiping a whole profile down to its
//! non-PII skeleton.
//!
//! Every statement is set-based on an indexed key (`customer_id`, `item_id`)
//! and cached, so a profile costs a fixed number of B-tree descents whatever
//! its size. `secure_delete` (set on every connection by the store) zeroes
//! the freed cell space and pages these statements leave behind.

use rusqlite::{params, Connection, OptionalExtension};

use crate::clock::Millis;
use crate::error::Result;
use crate::model::erase::Removed;
use crate::{Read, Write};

mod values;
mod wipe;
pub use values::*;
pub use wipe::*;

/// The columns of an item a deletion needs to describe and find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub id: String,
    pub customer_id: String,
    pub conversation_id: Option<String>,
    pub kind: String,
    pub timestamp: Millis,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub thread_id: Option<String>,
    pub deleted_at: Option<Millis>,
}

const ITEM_COLUMNS: &str =
    "id, customer_id, conversation_id, type, timestamp, subject, body, thread_id, deleted_at";

fn item_row(r: &rusqlite::Row) -> rusqlite::Result<ItemRow> {
    Ok(ItemRow {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        conversation_id: r.get(2)?,
        kind: r.get(3)?,
        timestamp: r.get(4)?,
        subject: r.get(5)?,
        body: r.get(6)?,
        thread_id: r.get(7)?,
        deleted_at: r.get(8)?,
    })
}

pub fn item(conn: &Read<'_>, id: &str) -> Result<Option<ItemRow>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(&format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1"))?
        .query_row([id], item_row)
        .optional()?)
}

/// The customer's items in one email thread, oldest first.
pub fn thread_items(conn: &Read<'_>, customer_id: &str, thread_id: &str) -> Result<Vec<ItemRow>> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS} FROM items
         WHERE thread_id = ?1 AND customer_id = ?2 ORDER BY timestamp, id"
    ))?;
    let rows = stmt.query_map([thread_id, customer_id], item_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An attachment or a recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartRow {
    pub id: String,
    pub item_id: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub file_size: i64,
    pub duration_s: Option<i64>,
    pub deleted_at: Option<Millis>,
}

pub fn attachment(conn: &Read<'_>, id: &str) -> Result<Option<PartRow>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(
            "SELECT id, item_id, filename, content_type, file_size, deleted_at
             FROM attachments WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(PartRow {
                id: r.get(0)?,
                item_id: r.get(1)?,
                filename: r.get(2)?,
                content_type: r.get(3)?,
                file_size: r.get(4)?,
                duration_s: None,
                deleted_at: r.get(5)?,
            })
        })
        .optional()?)
}

pub fn recording(conn: &Read<'_>, id: &str) -> Result<Option<PartRow>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(
            "SELECT id, item_id, content_type, file_size, duration_s, deleted_at
             FROM recordings WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(PartRow {
                id: r.get(0)?,
                item_id: r.get(1)?,
                filename: None,
                content_type: r.get(2)?,
                file_size: r.get(3)?,
                duration_s: r.get(4)?,
                deleted_at: r.get(5)?,
            })
        })
        .optional()?)
}

/// Attachments and recordings of an item that are not deleted yet.
pub fn live_parts(conn: &Read<'_>, item_id: &str) -> Result<(usize, usize)> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM attachments WHERE item_id = ?1 AND deleted_at IS NULL),
                    (SELECT count(*) FROM recordings WHERE item_id = ?1 AND deleted_at IS NULL)",
        )?
        .query_row([item_id], |r| {
            Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize))
        })?)
}

/// A profile's row, as far as deletion cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    /// Where the row sits in the file: erasure reads and changes it by
    /// this, one B-tree descent instead of two through the ID's index.
    pub rowid: i64,
    pub id: String,
    pub name: Option<String>,
    pub deleted_at: Option<Millis>,
}

/// The columns `customer_row` reads, first in a query.
pub const CUSTOMER_ROW: &str = "rowid, id, name, deleted_at";

pub fn customer_row(r: &rusqlite::Row) -> rusqlite::Result<CustomerRow> {
    Ok(CustomerRow {
        rowid: r.get(0)?,
        id: r.get(1)?,
        name: r.get(2)?,
        deleted_at: r.get(3)?,
    })
}

pub fn customer(conn: &Read<'_>, id: &str) -> Result<Option<CustomerRow>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CUSTOMER_ROW} FROM customers WHERE id = ?1"
        ))?
        .query_row([id], customer_row)
        .optional()?)
}

/// The profile's conversations that are not CLOSED: usually none, so they
/// are ordered here rather than by SQLite, which would sort them in a
/// temporary B-tree on every call.
const OPEN_CONVERSATIONS: &str = "SELECT id, status, created_at FROM conversations
     WHERE customer_id = ?1 AND status <> 'CLOSED'";

/// The conversation that blocks deleting this profile: OPEN before
/// WAITING, then the oldest. `(conversation_id, status)`.
pub fn blocking_conversation(
    conn: &Read<'_>,
    customer_id: &str,
) -> Result<Option<(String, String)>> {
    let conn = conn.sql();
    let open: Vec<(String, String, Millis)> = conn
        .prepare_cached(OPEN_CONVERSATIONS)?
        .query_map([customer_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let first = open
        .into_iter()
        .min_by(|a, b| blocking_order(a).cmp(&blocking_order(b)));
    Ok(first.map(|(id, status, _)| (id, status)))
}

/// OPEN before WAITING, then the oldest, then by ID.
fn blocking_order((id, status, created_at): &(String, String, Millis)) -> (bool, Millis, &str) {
    (status != "OPEN", *created_at, id)
}

/// What a profile holds, for the confirm dialog and `--dry-run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProfileCounts {
    pub emails: i64,
    pub phones: i64,
    pub addresses: i64,
    pub conversations: i64,
    pub items: i64,
    pub attachments: i64,
    pub recordings: i64,
    pub orders: i64,
    pub app_data: i64,
    pub work_sessions: i64,
    pub external_ids: i64,
    pub custom_attributes: i64,
}

pub fn profile_counts(conn: &Read<'_>, customer_id: &str) -> Result<ProfileCounts> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(
        "SELECT
            (SELECT count(*) FROM customer_emails WHERE customer_id = ?1),
            (SELECT count(*) FROM customer_phones WHERE customer_id = ?1),
            (SELECT count(*) FROM customer_addresses WHERE customer_id = ?1),
            (SELECT count(*) FROM conversations WHERE customer_id = ?1),
            (SELECT count(*) FROM items WHERE customer_id = ?1 AND deleted_at IS NULL),
            (SELECT count(*) FROM attachments WHERE deleted_at IS NULL
                AND item_id IN (SELECT id FROM items WHERE customer_id = ?1)),
            (SELECT count(*) FROM recordings WHERE deleted_at IS NULL
                AND item_id IN (SELECT id FROM items WHERE customer_id = ?1)),
            (SELECT count(*) FROM orders WHERE customer_id = ?1),
            (SELECT count(*) FROM app_data WHERE customer_id = ?1),
            (SELECT count(*) FROM work_sessions WHERE conversation_id IN
                (SELECT id FROM conversations WHERE customer_id = ?1)),
            (SELECT (external_customer_id IS NOT NULL)
                 + (SELECT count(*) FROM json_each(external_ids))
             FROM customers WHERE id = ?1),
            (SELECT count(*) FROM customers, json_each(customers.custom_attributes)
             WHERE customers.id = ?1)",
    )?;
    Ok(stmt.query_row([customer_id], |r| {
        Ok(ProfileCounts {
            emails: r.get(0)?,
            phones: r.get(1)?,
            addresses: r.get(2)?,
            conversations: r.get(3)?,
            items: r.get(4)?,
            attachments: r.get(5)?,
            recordings: r.get(6)?,
            orders: r.get(7)?,
            app_data: r.get(8)?,
            work_sessions: r.get(9)?,
            external_ids: r.get::<_, Option<i64>>(10)?.unwrap_or(0),
            custom_attributes: r.get(11)?,
        })
    })?)
}

#[cfg(test)]
mod held_tests {
    use super::*;
    use crate::Store;

    #[test]
    fn a_value_another_record_holds_is_recognised_in_any_form() {
        let store = Store::open_in_memory().unwrap();
        let doc: crate::format::CustomerDoc = serde_json::from_value(serde_json::json!({
            "id": "other", "name": "Jose Garcia", "createdAt": "2024-01-01T00:00:00Z",
            "addresses": [{"type": "HOME", "line1": "Storgatan 1", "city": "Göteborg",
                "region": "Västra Götaland", "country": "SE"}],
            "conversations": [{"id": "cv", "status": "CLOSED", "createdAt": "2024-01-01T00:00:00Z",
                "items": [{"id": "it", "timestamp": "2024-01-01T00:00:00Z",
                    "initiator": {"id": "stella", "type": "APP"},
                    "content": {"type": "CUSTOMER_ACTIVITY", "content": "Thanks for your rating"}}]}]
        }))
        .unwrap();
        store
            .write(|c| crate::customers::insert(c, &doc, &[]))
            .unwrap();
        let values: Vec<Vec<u8>> = [
            "José García",
            "STELLA",
            "CLOSED",
            "thanks for your",
            "Zebulon Quux",
            "Göteborg",
            "västra götaland",
        ]
        .iter()
        .map(|v| v.as_bytes().to_vec())
        .collect();
        let held = held_by_live_records(&store.read(), &values).unwrap();
        assert_eq!(held, vec![true, true, true, true, false, true, true]);
    }
}

#[cfg(test)]
mod blocking_tests {
    use super::*;
    use crate::Store;

    #[test]
    fn open_conversations_block_open_first_then_oldest_without_replanning() {
        let store = Store::open_in_memory().unwrap();
        let c = &store.read();
        c.execute_batch(
            "INSERT INTO customers (id, created_at, updated_at)
             VALUES ('cus_a', 0, 0), ('cus_b', 0, 0), ('cus_c', 0, 0);
             INSERT INTO conversations (id, customer_id, status, created_at, updated_at) VALUES
                 ('cnv_a_waiting', 'cus_a', 'WAITING', 1, 1),
                 ('cnv_a_open_new', 'cus_a', 'OPEN', 5, 5),
                 ('cnv_a_open_old', 'cus_a', 'OPEN', 3, 3),
                 ('cnv_a_closed', 'cus_a', 'CLOSED', 0, 0),
                 ('cnv_b_waiting_new', 'cus_b', 'WAITING', 9, 9),
                 ('cnv_b_waiting_old', 'cus_b', 'WAITING', 2, 2),
                 ('cnv_c_closed', 'cus_c', 'CLOSED', 0, 0);",
        )
        .unwrap();
        let blocked = |id| blocking_conversation(c, id).unwrap();
        assert_eq!(
            blocked("cus_a"),
            Some(("cnv_a_open_old".into(), "OPEN".into()))
        );
        assert_eq!(
            blocked("cus_b"),
            Some(("cnv_b_waiting_old".into(), "WAITING".into()))
        );
        assert_eq!(blocked("cus_c"), None);
        // A sweep runs these once per profile: a new ID each time must not
        // make SQLite plan them again (the store's connections pin plans).
        for id in ["cus_a", "cus_b", "cus_c"] {
            let mut parts = c.prepare_cached(PROFILE_PARTS).unwrap();
            let mut rows = parts.query([id]).unwrap();
            while rows.next().unwrap().is_some() {}
        }
        for sql in [OPEN_CONVERSATIONS, PROFILE_PARTS] {
            let replanned = c
                .prepare_cached(sql)
                .unwrap()
                .get_status(rusqlite::StatementStatus::RePrepare);
            assert_eq!(replanned, 0, "{sql}");
        }
    }

    /// The statements a profile's erasure runs per table build no
    /// temporary B-tree (each cost about 15,000 instructions, nine per
    /// profile before).
    #[test]
    fn erasing_a_profile_builds_no_temporary_tables() {
        let store = Store::open_in_memory().unwrap();
        // As a bulk erasure runs them.
        crate::bulk::begin_erasure(&store.read()).unwrap();
        let mut sqls = vec![PROFILE_PARTS, OPEN_CONVERSATIONS];
        sqls.extend(PART_WIPES.iter().map(|(_, sql)| *sql));
        sqls.extend(PROFILE_DELETES.iter().map(|(_, sql)| *sql));
        for sql in sqls {
            let ops = crate::opcodes(&store.read(), sql);
            assert!(
                !ops.iter()
                    .any(|op| op == "OpenEphemeral" || op == "SorterOpen"),
                "{sql}: {ops:?}"
            );
        }
    }
}
