//! Operators and their roles. Roles are stored as a comma-separated list in
//! a fixed order (compliance_admin, admin, agent).

use rusqlite::{params, OptionalExtension};

use crate::clock::Millis;
use crate::error::Result;
use crate::model::access::{Operator, Role};
use crate::{Read, Write};

/// The setting that holds the account's "Manage Customer Data" switch.
pub const MANAGE_CUSTOMER_DATA: &str = "manage_customer_data";

pub fn roles(conn: &Read<'_>, username: &str) -> Result<Vec<Role>> {
    let conn = conn.sql();
    let text: Option<String> = conn
        .prepare_cached("SELECT roles FROM operators WHERE username = ?1")?
        .query_row([username], |r| r.get(0))
        .optional()?;
    Ok(text.map(|t| parse_roles(&t)).unwrap_or_default())
}

fn parse_roles(text: &str) -> Vec<Role> {
    let mut roles: Vec<Role> = text.split(',').filter_map(Role::parse).collect();
    roles.sort();
    roles.dedup();
    roles
}

/// Every operator, by username.
pub fn list(conn: &Read<'_>) -> Result<Vec<Operator>> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(
        "SELECT username, roles, created_at, created_by FROM operators ORDER BY username",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Operator {
            username: r.get(0)?,
            roles: parse_roles(&r.get::<_, String>(1)?),
            created_at: r.get(2)?,
            created_by: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Replaces a user's roles; no roles removes the operator. Keeps the
/// original `created_at`/`created_by` of an existing operator.
pub fn set_roles(
    conn: &Write<'_>,
    username: &str,
    roles: &[Role],
    now: Millis,
    by: &str,
) -> Result<()> {
    let conn = conn.sql();
    if roles.is_empty() {
        conn.execute("DELETE FROM operators WHERE username = ?1", [username])?;
        return Ok(());
    }
    let mut sorted = roles.to_vec();
    sorted.sort();
    sorted.dedup();
    let text: Vec<&str> = sorted.iter().map(|r| r.as_str()).collect();
    conn.execute(
        "INSERT INTO operators (username, roles, created_at, created_by) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (username) DO UPDATE SET roles = excluded.roles",
        params![username, text.join(","), now, by],
    )?;
    Ok(())
}

pub fn manage_customer_data(conn: &Read<'_>) -> Result<bool> {
    Ok(crate::get_setting(conn, MANAGE_CUSTOMER_DATA)?.as_deref() == Some("on"))
}

pub fn set_manage_customer_data(conn: &Write<'_>, on: bool) -> Result<()> {
    crate::set_setting(conn, MANAGE_CUSTOMER_DATA, if on { "on" } else { "off" })
}

/// Makes `username` compliance_admin and admin, turns "Manage Customer
/// Data" on and records it, all in one atomic step, if and only if the
/// database has no operator yet. Returns whether it did. Two processes
/// bootstrapping at once cannot both succeed: the insert is conditional
/// and runs under the write lock.
/// `record` runs in the same atomic step once the operator is in (the
/// core writes the audit entry there).
pub fn bootstrap(
    conn: &Write<'_>,
    username: &str,
    now: Millis,
    record: impl FnOnce(&Write) -> Result<()>,
) -> Result<bool> {
    crate::savepoint(conn, |tx| {
        let inserted = tx.sql().execute(
            "INSERT INTO operators (username, roles, created_at, created_by)
             SELECT ?1, 'compliance_admin,admin', ?2, ?1
             WHERE NOT EXISTS (SELECT 1 FROM operators)",
            params![username, now],
        )?;
        if inserted == 0 {
            return Ok(false);
        }
        set_manage_customer_data(tx, true)?;
        record(tx)?;
        Ok(true)
    })?
}
