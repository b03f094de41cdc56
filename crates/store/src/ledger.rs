//! The erasure ledger's rows. The chain's rules (hashes, verification,
//! the file outside the database) live in the core (`lethe_core::ledger`);
//! this file only reads and writes the `erasure_ledger` table.

use std::path::Path;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row};

use crate::error::{Error, Result};
use crate::model::clock::Millis;
use crate::{Read, Write};

/// One erasure as the ledger holds it: IDs, a time and a reason, no PII.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub seq: i64,
    pub at: Millis,
    /// `profile`, `item`, `attachment` or `recording`.
    pub kind: String,
    pub id: String,
    pub customer_id: String,
    /// `manual` or `retention`.
    pub reason: String,
    pub prev_hash: String,
    pub hash: String,
}

const COLUMNS: &str = "seq, at, kind, id, customer_id, reason, prev_hash, hash";

/// The newest row's sequence number and hash.
pub fn last(conn: &Read<'_>) -> Result<Option<(i64, String)>> {
    last_of(conn.sql())
}

fn last_of(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM erasure_ledger ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Stores `entry` as given (its sequence number and hash computed by the
/// caller inside the same transaction).
pub fn insert(conn: &Write<'_>, entry: &Entry) -> Result<()> {
    conn.sql()
        .prepare_cached(&format!(
            "INSERT INTO erasure_ledger ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        ))?
        .execute(params![
            entry.seq,
            entry.at,
            entry.kind,
            entry.id,
            entry.customer_id,
            entry.reason,
            entry.prev_hash,
            entry.hash
        ])?;
    Ok(())
}

/// Rows after `seq`, oldest first, at most `limit`.
pub fn after(conn: &Read<'_>, seq: i64, limit: usize) -> Result<Vec<Entry>> {
    after_of(conn.sql(), seq, limit)
}

fn after_of(conn: &Connection, seq: i64, limit: usize) -> Result<Vec<Entry>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM erasure_ledger WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))?
        .query_map(params![seq, limit], entry)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn entry(r: &Row) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: r.get(0)?,
        at: r.get(1)?,
        kind: r.get(2)?,
        id: r.get(3)?,
        customer_id: r.get(4)?,
        reason: r.get(5)?,
        prev_hash: r.get(6)?,
        hash: r.get(7)?,
    })
}

/// What a database file holds, read without changing it: for a backup
/// before it is restored, or a database given as a ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFacts {
    pub schema: i64,
    /// None before schema 7, which added it.
    pub database_id: Option<String>,
    /// The ledger's newest row; None when it is empty or absent.
    pub ledger_head: Option<(i64, String)>,
    /// The `ledger_path` setting.
    pub ledger_path: Option<String>,
}

/// Opens `path` read-only (never one of an open database's own files: a
/// backup, a restore's new file, or another database) and reads its facts.
/// With `check`, runs `PRAGMA integrity_check` first and fails on any
/// problem it reports.
pub fn file_facts(path: &Path, check: bool) -> Result<FileFacts> {
    let conn = open_read_only(path)?;
    facts_of(&conn, check, path).map_err(|e| match e {
        Error::Sqlite(e) => not_a_database(path, e),
        other => other,
    })
}

fn facts_of(conn: &Connection, check: bool, path: &Path) -> Result<FileFacts> {
    if check {
        let report: Vec<String> = conn
            .prepare("PRAGMA integrity_check(5)")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if report.len() != 1 || report[0] != "ok" {
            return Err(Error::Invalid(format!(
                "{} is damaged: SQLite's integrity check reports {}",
                path.display(),
                report.join("; ")
            )));
        }
    }
    let schema: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let has = |table: &str| -> Result<bool> {
        Ok(conn.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [table],
            |r| r.get::<_, i64>(0),
        )? > 0)
    };
    let setting = |key: &str| -> Result<Option<String>> {
        if !has("settings")? {
            return Ok(None);
        }
        Ok(conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    };
    let ledger_head = if has("erasure_ledger")? {
        last_of(conn)?
    } else {
        None
    };
    Ok(FileFacts {
        schema,
        database_id: setting("database_id")?,
        ledger_head,
        ledger_path: setting("ledger_path")?,
    })
}

/// Every ledger row of the database file at `path`, read-only, oldest
/// first.
pub fn file_entries(path: &Path) -> Result<Vec<Entry>> {
    let conn = open_read_only(path)?;
    after_of(&conn, 0, usize::MAX).map_err(|e| match e {
        Error::Sqlite(e) => not_a_database(path, e),
        other => other,
    })
}

fn open_read_only(path: &Path) -> Result<Connection> {
    if !path.is_file() {
        return Err(Error::CannotOpen {
            path: path.to_path_buf(),
            reason: "no such file".into(),
        });
    }
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| not_a_database(path, e))
}

fn not_a_database(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => Error::NotADatabase {
            path: path.to_path_buf(),
        },
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            Error::Invalid(format!("{} is damaged: SQLite reports {e}", path.display()))
        }
        _ => Error::Sqlite(e),
    }
}
