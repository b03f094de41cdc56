//! Search-key range scans and the one-line customer summaries they return.

use rusqlite::{params, Connection};

use crate::clock::Millis;
use crate::error::Result;

/// One row of a result list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerSummary {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub external_id: Option<String>,
    pub created_at: Millis,
    pub last_contact_at: Option<Millis>,
    /// "OPEN" or "WAITING" when such a conversation exists (OPEN wins).
    pub open_status: Option<String>,
    pub deleted_at: Option<Millis>,
}

/// The smallest string greater than every string that starts with `prefix`.
fn upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10ffff}")
}

/// Customer IDs with a key starting with each range's prefix (restricted to
/// one key kind when given), in key order, without repeats.
pub fn prefix_ids(
    conn: &Connection,
    ranges: &[(String, Option<i64>)],
    limit: usize,
) -> Result<Vec<String>> {
    let mut ids: Vec<String> = Vec::new();
    let mut any = conn.prepare_cached(
        "SELECT customer_id FROM search_keys WHERE key >= ?1 AND key < ?2 LIMIT ?3",
    )?;
    let mut kind_only = conn.prepare_cached(
        "SELECT customer_id FROM search_keys WHERE key >= ?1 AND key < ?2 AND kind = ?3 LIMIT ?4",
    )?;
    // Fetch more rows than asked: one profile has several keys.
    let fetch = (limit * 4) as i64;
    for (prefix, kind) in ranges {
        let upper = upper_bound(prefix);
        let rows: Vec<String> = match kind {
            None => any
                .query_map(params![prefix, upper, fetch], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?,
            Some(k) => kind_only
                .query_map(params![prefix, upper, k, fetch], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?,
        };
        for id in rows {
            if ids.len() >= limit {
                return Ok(ids);
            }
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    Ok(ids)
}

/// Live customers whose ID starts with `prefix` (as typed: IDs are
/// case-sensitive), in ID order.
pub fn customer_id_prefix(conn: &Connection, prefix: &str, limit: usize) -> Result<Vec<String>> {
    if prefix.is_empty() {
        return Ok(vec![]);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM customers WHERE id >= ?1 AND id < ?2 AND deleted_at IS NULL LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![prefix, upper_bound(prefix), limit as i64], |r| {
        r.get(0)
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Customer IDs whose key equals `key` (any of `kinds`; all kinds if empty).
pub fn exact_ids(conn: &Connection, key: &str, kinds: &[i64]) -> Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT customer_id, kind FROM search_keys WHERE key = ?1")?;
    let mut ids: Vec<String> = Vec::new();
    for row in stmt.query_map([key], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (id, kind) = row?;
        if (kinds.is_empty() || kinds.contains(&kind)) && !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Summaries for these customers, in the given order.
pub fn summaries(conn: &Connection, ids: &[String]) -> Result<Vec<CustomerSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.name,
             (SELECT original FROM customer_emails e WHERE e.customer_id = c.id
                 ORDER BY is_primary DESC, position LIMIT 1),
             (SELECT original FROM customer_phones p WHERE p.customer_id = c.id
                 ORDER BY is_primary DESC, position LIMIT 1),
             c.external_customer_id, c.created_at, c.last_contact_at,
             (SELECT min(status) FROM conversations v
                 WHERE v.customer_id = c.id AND v.status <> 'CLOSED'),
             c.deleted_at
         FROM customers c WHERE c.id = ?1",
    )?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let mut rows = stmt.query_map([id], |r| {
            Ok(CustomerSummary {
                id: r.get(0)?,
                name: r.get(1)?,
                email: r.get(2)?,
                phone: r.get(3)?,
                external_id: r.get(4)?,
                created_at: r.get(5)?,
                last_contact_at: r.get(6)?,
                open_status: r.get(7)?,
                deleted_at: r.get(8)?,
            })
        })?;
        if let Some(row) = rows.next() {
            out.push(row?);
        }
    }
    Ok(out)
}
