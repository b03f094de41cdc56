//! Audit rows.

use rusqlite::{params, Connection};

use crate::audit::Entry;
use crate::clock::{self, Millis};
use crate::error::Result;

pub fn append(conn: &Connection, e: &Entry, now: Millis) -> Result<i64> {
    let targets = serde_json::to_string(&e.targets).unwrap_or_default();
    let counts = serde_json::to_string(&e.counts).unwrap_or_default();
    conn.prepare_cached(
        "INSERT INTO audit_log (at, operator, action, targets, counts, outcome, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, '', '')",
    )?
    .execute(params![
        clock::format_ms(now),
        e.operator,
        e.action,
        targets,
        counts,
        e.outcome.as_str()
    ])?;
    Ok(conn.last_insert_rowid())
}
