//! API tokens: the `api_tokens` table. Secrets, hashes and expiry are the
//! core's rules (`lethe_core::api_token`).

use rusqlite::{params, OptionalExtension};

use crate::error::Result;
use crate::model::clock::Millis;
use crate::{Read, Write};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    pub id: String,
    pub operator: String,
    pub label: Option<String>,
    #[serde(skip)]
    pub secret_hash: String,
    pub created_at: Millis,
    pub created_by: String,
    pub expires_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

const COLUMNS: &str =
    "id, operator, label, secret_hash, created_at, created_by, expires_at, revoked_at";

fn row(r: &rusqlite::Row) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        operator: r.get(1)?,
        label: r.get(2)?,
        secret_hash: r.get(3)?,
        created_at: r.get(4)?,
        created_by: r.get(5)?,
        expires_at: r.get(6)?,
        revoked_at: r.get(7)?,
    })
}

pub fn insert(conn: &Write<'_>, t: &Row) -> Result<()> {
    conn.sql()
        .prepare_cached(&format!(
            "INSERT INTO api_tokens ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        ))?
        .execute(params![
            t.id,
            t.operator,
            t.label,
            t.secret_hash,
            t.created_at,
            t.created_by,
            t.expires_at,
            t.revoked_at
        ])?;
    Ok(())
}

pub fn get(conn: &Read<'_>, id: &str) -> Result<Option<Row>> {
    Ok(conn
        .sql()
        .prepare_cached(&format!("SELECT {COLUMNS} FROM api_tokens WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?)
}

/// The tokens of `operator` that are neither revoked nor expired at `now`.
pub fn live_for(conn: &Read<'_>, operator: &str, now: Millis) -> Result<Vec<Row>> {
    let rows = conn
        .sql()
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM api_tokens
             WHERE operator = ?1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?2)"
        ))?
        .query_map(params![operator, now], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn list(conn: &Read<'_>) -> Result<Vec<Row>> {
    let rows = conn
        .sql()
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM api_tokens ORDER BY created_at, id"
        ))?
        .query_map([], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Marks a token revoked; false when it was not live.
pub fn revoke(conn: &Write<'_>, id: &str, at: Millis) -> Result<bool> {
    Ok(conn
        .sql()
        .prepare_cached(
            "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        )?
        .execute(params![id, at])?
        > 0)
}
