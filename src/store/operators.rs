//! Operators and their roles.

use rusqlite::{params, Connection, OptionalExtension};

use crate::access::Role;
use crate::clock::Millis;
use crate::error::Result;

pub fn roles(conn: &Connection, username: &str) -> Result<Vec<Role>> {
    let text: Option<String> = conn
        .prepare_cached("SELECT roles FROM operators WHERE username = ?1")?
        .query_row([username], |r| r.get(0))
        .optional()?;
    Ok(text
        .map(|t| t.split(',').filter_map(Role::parse).collect())
        .unwrap_or_default())
}

pub fn bootstrap(conn: &Connection, username: &str, now: Millis) -> Result<()> {
    let count: i64 = conn.query_row("SELECT count(*) FROM operators", [], |r| r.get(0))?;
    if count == 0 {
        conn.execute(
            "INSERT INTO operators (username, roles, created_at, created_by)
             VALUES (?1, 'compliance_admin,admin', ?2, ?1)",
            params![username, now],
        )?;
        crate::store::set_setting(conn, "manage_customer_data", "on")?;
    }
    Ok(())
}
