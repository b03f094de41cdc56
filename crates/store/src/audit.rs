//! Audit rows. The hash chain's rules live in the core (`lethe_core::audit`);
//! this file only reads and writes the `audit_log` table.

use rusqlite::types::Value;
use rusqlite::{params, OptionalExtension, Row};

use crate::error::Result;
use crate::model::audit::{Filter, Stored};
use crate::{Read, Write};

/// Inserts the next entry of the chain, atomically with reading the
/// chain's head: `row` gets the next sequence number and the previous
/// entry's hash (None for the first entry) and returns the row to store,
/// its hash computed (the chain's rules are the core's).
pub fn append(
    conn: &Write<'_>,
    row: impl FnOnce(i64, Option<String>) -> Result<Stored>,
) -> Result<i64> {
    // In a savepoint of the caller's transaction (which holds the write
    // lock, so no other process reads the same head): a failure leaves no
    // half entry behind even if the caller goes on to commit.
    crate::savepoint(conn, |tx| {
        let (seq, prev_hash) = match last(tx)? {
            Some((last_seq, hash)) => (last_seq + 1, Some(hash)),
            None => (1, None),
        };
        let row = row(seq, prev_hash)?;
        tx.sql().prepare_cached(
            "INSERT INTO audit_log (seq, at, operator, action, targets, counts, outcome, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            row.seq,
            row.at,
            row.operator,
            row.action,
            row.targets,
            row.counts,
            row.outcome,
            row.prev_hash,
            row.hash
        ])?;
        Ok(row.seq)
    })?
}

/// The newest entry's sequence number and hash.
pub fn last(conn: &Read<'_>) -> Result<Option<(i64, String)>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, text(r, 1)?)))
        .optional()?)
}

const COLUMNS: &str = "seq, at, operator, action, targets, counts, outcome, prev_hash, hash";

/// Calls `f` on every entry, oldest first, without loading them all.
pub fn for_each(conn: &Read<'_>, mut f: impl FnMut(&Stored) -> Result<()>) -> Result<()> {
    let conn = conn.sql();
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        f(&stored(r)?)?;
    }
    Ok(())
}

/// Entries matching `filter`, newest first.
pub fn list(conn: &Read<'_>, filter: &Filter, limit: usize) -> Result<Vec<Stored>> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM audit_log
         WHERE (?1 IS NULL OR operator = ?1)
           AND (?2 IS NULL OR action = ?2)
           AND (?3 IS NULL OR substr(at, 1, length(?3)) = ?3)
         ORDER BY seq DESC LIMIT ?4"
    ))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(
        params![filter.operator, filter.action, filter.date, limit],
        stored,
    )?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Entries whose time is at or after `from` and before `to` (UTC texts as
/// stored, which sort as the times do; None is open-ended), oldest first,
/// at most `limit`.
pub fn between(
    conn: &Read<'_>,
    from: Option<&str>,
    to: Option<&str>,
    limit: usize,
) -> Result<Vec<Stored>> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM audit_log
         WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR at < ?2)
         ORDER BY seq LIMIT ?3"
    ))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![from, to, limit], stored)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub fn seq_of_hash(conn: &Read<'_>, hash: &str) -> Result<Option<i64>> {
    let conn = conn.sql();
    Ok(conn
        .query_row(
            "SELECT seq FROM audit_log WHERE hash = ?1 ORDER BY seq LIMIT 1",
            [hash],
            |r| r.get(0),
        )
        .optional()?)
}

fn stored(r: &Row) -> rusqlite::Result<Stored> {
    Ok(Stored {
        seq: r.get(0)?,
        at: text(r, 1)?,
        operator: text(r, 2)?,
        action: text(r, 3)?,
        targets: text(r, 4)?,
        counts: text(r, 5)?,
        outcome: text(r, 6)?,
        prev_hash: text(r, 7)?,
        hash: text(r, 8)?,
    })
}

/// A column as text whatever its storage class, so a row edited by hand
/// into another type is reported by `verify` rather than failing the read.
fn text(r: &Row, i: usize) -> rusqlite::Result<String> {
    Ok(match r.get::<_, Value>(i)? {
        Value::Text(s) => s,
        Value::Integer(n) => n.to_string(),
        Value::Real(x) => x.to_string(),
        Value::Null => String::new(),
        Value::Blob(b) => String::from_utf8_lossy(&b).into_owned(),
    })
}
