//! The backup catalogue: the `backups` table. What a backup is and when it
//! goes beyond use are the core's rules (`lethe_core::backup`).

use rusqlite::params;

use crate::error::Result;
use crate::model::clock::Millis;
use crate::{Read, Write};

/// One backup `lethe backup create` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The file's path as it was written.
    pub file: String,
    pub taken_at: Millis,
    pub bytes: u64,
    pub encrypted: bool,
    /// The newest erasure-ledger row the copy holds (0: none).
    pub ledger_seq: i64,
    pub pruned_at: Option<Millis>,
}

pub fn insert(conn: &Write<'_>, row: &Row) -> Result<()> {
    conn.sql()
        .prepare_cached(
            "INSERT INTO backups (file, taken_at, bytes, encrypted, ledger_seq, pruned_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (file) DO UPDATE SET taken_at = excluded.taken_at,
                 bytes = excluded.bytes, encrypted = excluded.encrypted,
                 ledger_seq = excluded.ledger_seq, pruned_at = excluded.pruned_at",
        )?
        .execute(params![
            row.file,
            row.taken_at,
            i64::try_from(row.bytes).unwrap_or(i64::MAX),
            row.encrypted,
            row.ledger_seq,
            row.pruned_at
        ])?;
    Ok(())
}

/// Every catalogued backup, oldest first.
pub fn list(conn: &Read<'_>) -> Result<Vec<Row>> {
    query(
        conn,
        "SELECT file, taken_at, bytes, encrypted, ledger_seq, pruned_at FROM backups
         ORDER BY taken_at, file",
        params![],
    )
}

/// The backups not yet pruned that were taken after the customer's
/// profile was created, oldest first: the copies that may hold it.
pub fn holding(conn: &Read<'_>, customer_id: &str) -> Result<Vec<Row>> {
    query(
        conn,
        "SELECT file, taken_at, bytes, encrypted, ledger_seq, pruned_at FROM backups
         WHERE pruned_at IS NULL
           AND taken_at >= coalesce((SELECT created_at FROM customers WHERE id = ?1), 0)
         ORDER BY taken_at, file",
        params![customer_id],
    )
}

pub fn mark_pruned(conn: &Write<'_>, file: &str, at: Millis) -> Result<()> {
    conn.sql()
        .prepare_cached("UPDATE backups SET pruned_at = ?2 WHERE file = ?1")?
        .execute(params![file, at])?;
    Ok(())
}

fn query(conn: &Read<'_>, sql: &str, p: &[&dyn rusqlite::ToSql]) -> Result<Vec<Row>> {
    let rows = conn
        .sql()
        .prepare_cached(sql)?
        .query_map(p, |r| {
            Ok(Row {
                file: r.get(0)?,
                taken_at: r.get(1)?,
                bytes: r.get::<_, i64>(2)?.max(0) as u64,
                encrypted: r.get(3)?,
                ledger_seq: r.get(4)?,
                pruned_at: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
