//! Data subject request rows.

use rusqlite::{params, OptionalExtension, Row};

use crate::clock::Millis;
use crate::error::Result;
use crate::{Read, Write};

/// A request as stored. `identifiers` and `note` are PII while the request
/// is open and NULL once it is completed or rejected.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRow {
    pub id: i64,
    pub kind: String,
    pub regulation: String,
    pub identifiers: Option<String>,
    pub received_at: Millis,
    pub due_at: Millis,
    pub extended_at: Option<Millis>,
    pub extension_reason: Option<String>,
    pub status: String,
    pub note: Option<String>,
    pub customer_ids: Option<String>,
    pub receipt: Option<String>,
    pub completed_at: Option<Millis>,
}

const COLUMNS: &str = "id, type, regulation, identifiers, received_at, due_at, extended_at,
    extension_reason, status, note, customer_ids, receipt, completed_at";

fn row(r: &Row) -> rusqlite::Result<RequestRow> {
    Ok(RequestRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        regulation: r.get(2)?,
        identifiers: r.get(3)?,
        received_at: r.get(4)?,
        due_at: r.get(5)?,
        extended_at: r.get(6)?,
        extension_reason: r.get(7)?,
        status: r.get(8)?,
        note: r.get(9)?,
        customer_ids: r.get(10)?,
        receipt: r.get(11)?,
        completed_at: r.get(12)?,
    })
}

/// A request as it is first stored.
#[derive(Debug, Clone, Copy)]
pub struct NewRow<'a> {
    pub kind: &'a str,
    pub regulation: &'a str,
    /// JSON object of the identifiers the requester gave.
    pub identifiers: &'a str,
    pub received_at: Millis,
    pub due_at: Millis,
    pub note: Option<&'a str>,
}

pub fn insert(conn: &Write<'_>, new: &NewRow) -> Result<i64> {
    let NewRow {
        kind,
        regulation,
        identifiers,
        received_at,
        due_at,
        note,
    } = *new;
    let conn = conn.sql();
    conn.prepare_cached(
        "INSERT INTO requests (type, regulation, identifiers, received_at, due_at, status, note)
         VALUES (?1, ?2, ?3, ?4, ?5, 'new', ?6)",
    )?
    .execute(params![
        kind,
        regulation,
        identifiers,
        received_at,
        due_at,
        note
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn get(conn: &Read<'_>, id: i64) -> Result<Option<RequestRow>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM requests WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?)
}

/// Requests by due date; closed ones (completed, rejected) only when asked.
pub fn list(conn: &Read<'_>, include_closed: bool) -> Result<Vec<RequestRow>> {
    let conn = conn.sql();
    let sql = if include_closed {
        format!("SELECT {COLUMNS} FROM requests ORDER BY due_at, id")
    } else {
        format!(
            "SELECT {COLUMNS} FROM requests WHERE status NOT IN ('completed', 'rejected')
             ORDER BY due_at, id"
        )
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map([], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn set_status(
    conn: &Write<'_>,
    id: i64,
    status: &str,
    receipt: Option<&str>,
    customer_ids: Option<&str>,
) -> Result<()> {
    let conn = conn.sql();
    conn.prepare_cached(
        "UPDATE requests SET status = ?2, receipt = coalesce(?3, receipt),
             customer_ids = coalesce(?4, customer_ids)
         WHERE id = ?1",
    )?
    .execute(params![id, status, receipt, customer_ids])?;
    Ok(())
}

pub fn extend(conn: &Write<'_>, id: i64, due_at: Millis, reason: &str, now: Millis) -> Result<()> {
    let conn = conn.sql();
    conn.execute(
        "UPDATE requests SET due_at = ?2, extension_reason = ?3, extended_at = ?4 WHERE id = ?1",
        params![id, due_at, reason, now],
    )?;
    Ok(())
}

/// How a request ends: its final status, its receipt (JSON) and the IDs of
/// the profiles it covered (a JSON array).
#[derive(Debug, Clone, Copy)]
pub struct Closing<'a> {
    pub status: &'a str,
    pub receipt: &'a str,
    pub customer_ids: &'a str,
}

/// Closes a request: the identifiers and the note (PII) are wiped; only
/// customer IDs, the receipt and the dates remain.
pub fn close(conn: &Write<'_>, id: i64, closing: &Closing, now: Millis) -> Result<()> {
    let Closing {
        status,
        receipt,
        customer_ids,
    } = *closing;
    let conn = conn.sql();
    conn.execute(
        "UPDATE requests SET status = ?2, receipt = ?3, customer_ids = ?4, completed_at = ?5,
             identifiers = NULL, note = NULL, extension_reason = NULL
         WHERE id = ?1",
        params![id, status, receipt, customer_ids, now],
    )?;
    Ok(())
}
