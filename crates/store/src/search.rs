//! Search-key range scans and the one-line customer summaries they return.

use rusqlite::{params, Connection, OptionalExtension};

use crate::clock::Millis;
use crate::error::Result;
use crate::Read;

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

/// Search keys are stored by shard (schema_v4.sql): blocks of
/// `1 << SHARD_BLOCK_BITS` neighbouring customer rows, `SHARDS` of them, so
/// that erasing profiles in file order rewrites few key pages. Every
/// lookup reads each shard's range and merges them in key order.
pub const SHARDS: i64 = 64;
const SHARD_BLOCK_BITS: u32 = 14;

/// The shard of a profile's search keys, from its customer row's rowid:
/// -64 to -1, which SQLite stores as one byte from 0xC0 up, a byte that
/// cannot join the key text after it into a UTF-8 value the forensic scan
/// looks for (schema_v4.sql). Keep in step with that migration.
pub fn shard_of(rowid: i64) -> i64 {
    ((rowid >> SHARD_BLOCK_BITS) & (SHARDS - 1)) - SHARDS
}

/// One search key: (key, customer ID, kind).
type KeyRow = (String, String, i64);

/// Which keys a merged scan reads.
enum Range<'a> {
    /// `lo <= key < hi`.
    Between(&'a str, &'a str),
    Exactly(&'a str),
}

/// Keys in `range` whose kind passes `keep`, in (key, customer ID, kind)
/// order across every shard, at most `limit`. Each shard's range is read
/// only as far as the merge needs it: about `limit` rows in all, plus one
/// B-tree descent per shard.
fn merged_keys(
    conn: &Connection,
    range: Range,
    keep: impl Fn(i64) -> bool,
    limit: usize,
) -> Result<Vec<KeyRow>> {
    use std::cmp::Reverse;
    // One cached statement per shard (the shard is in the SQL text), so
    // all of them can be open at once.
    let mut stmts = Vec::with_capacity(SHARDS as usize);
    for shard in -SHARDS..0 {
        let filter = match range {
            Range::Between(..) => "key >= ?1 AND key < ?2",
            Range::Exactly(_) => "key = ?1",
        };
        stmts.push(conn.prepare_cached(&format!(
            "SELECT key, customer_id, kind FROM search_keys WHERE shard = {shard} AND {filter}"
        ))?);
    }
    let mut cursors = Vec::with_capacity(stmts.len());
    for stmt in &mut stmts {
        cursors.push(match range {
            Range::Between(lo, hi) => stmt.query(params![lo, hi])?,
            Range::Exactly(key) => stmt.query([key])?,
        });
    }
    let next = |rows: &mut rusqlite::Rows| -> Result<Option<KeyRow>> {
        Ok(match rows.next()? {
            Some(r) => Some((r.get(0)?, r.get(1)?, r.get(2)?)),
            None => None,
        })
    };
    let mut heads = std::collections::BinaryHeap::new();
    for (i, rows) in cursors.iter_mut().enumerate() {
        if let Some(row) = next(rows)? {
            heads.push(Reverse((row, i)));
        }
    }
    let mut out = Vec::new();
    while out.len() < limit {
        let Some(Reverse((row, i))) = heads.pop() else {
            break;
        };
        if let Some(after) = next(&mut cursors[i])? {
            heads.push(Reverse((after, i)));
        }
        if keep(row.2) {
            out.push(row);
        }
    }
    Ok(out)
}

/// Customer IDs with a key starting with each range's prefix (restricted to
/// one key kind when given), in key order, without repeats.
pub fn prefix_ids(
    conn: &Read<'_>,
    ranges: &[(String, Option<i64>)],
    limit: usize,
) -> Result<Vec<String>> {
    let conn = conn.sql();
    let mut ids: Vec<String> = Vec::new();
    // Fetch more rows than asked: one profile has several keys.
    let fetch = limit * 4;
    for (prefix, kind) in ranges {
        let upper = upper_bound(prefix);
        let rows = merged_keys(
            conn,
            Range::Between(prefix, &upper),
            |k| kind.is_none_or(|want| k == want),
            fetch,
        )?;
        for (_, id, _) in rows {
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
pub fn customer_id_prefix(conn: &Read<'_>, prefix: &str, limit: usize) -> Result<Vec<String>> {
    let conn = conn.sql();
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
pub fn exact_ids(conn: &Read<'_>, key: &str, kinds: &[i64]) -> Result<Vec<String>> {
    let conn = conn.sql();
    let rows = merged_keys(
        conn,
        Range::Exactly(key),
        |k| kinds.is_empty() || kinds.contains(&k),
        usize::MAX,
    )?;
    let mut ids: Vec<String> = Vec::new();
    for (_, id, _) in rows {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Of `ids`, the live customers that share an email, phone or external ID
/// with another live customer, wherever it is: the profiles an admin must
/// handle one by one. Each key is one lookup per shard; deleted profiles
/// have no keys, so they never count.
pub fn sharing_keys(conn: &Read<'_>, ids: &[String]) -> Result<Vec<String>> {
    use crate::model::search::{KIND_EMAIL, KIND_EXTERNAL_ID, KIND_PHONE};
    let sql = conn.sql();
    let shards: Vec<String> = (-SHARDS..0).map(|s| s.to_string()).collect();
    let mut other = sql.prepare_cached(&format!(
        "SELECT 1 FROM search_keys WHERE shard IN ({}) AND key = ?1 AND kind = ?2 \
         AND customer_id <> ?3 LIMIT 1",
        shards.join(",")
    ))?;
    let mut list = sql
        .prepare_cached("SELECT search_keys FROM customers WHERE id = ?1 AND deleted_at IS NULL")?;
    let mut out = Vec::new();
    for id in ids {
        let text: Option<Option<String>> = list.query_row([id], |r| r.get(0)).optional()?;
        let Some(text) = text.flatten() else { continue };
        let keys = crate::customers::parse_key_list(id, &text)?;
        for (_, kind, key) in keys {
            if !matches!(kind, KIND_EMAIL | KIND_PHONE | KIND_EXTERNAL_ID) {
                continue;
            }
            if other.exists(params![key, kind, id])? {
                out.push(id.clone());
                break;
            }
        }
    }
    Ok(out)
}

/// Summaries for these customers, in the given order.
pub fn summaries(conn: &Read<'_>, ids: &[String]) -> Result<Vec<CustomerSummary>> {
    let conn = conn.sql();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn key(conn: &Connection, shard: i64, key: &str, customer_id: &str, kind: i64) {
        conn.execute(
            "INSERT INTO search_keys (shard, key, customer_id, kind) VALUES (?1, ?2, ?3, ?4)",
            params![shard, key, customer_id, kind],
        )
        .unwrap();
    }

    /// Shards hold far-apart profiles; a lookup still answers in key
    /// order, as one tree would, and stops at the limit.
    #[test]
    fn shards_are_merged_in_key_order() {
        let store = Store::open_in_memory().unwrap();
        let c = &store.read();
        key(c, -59, "apple", "cus_c1", 2);
        key(c, -64, "apricot", "cus_c2", 2);
        key(c, -1, "apex", "cus_c3", 3);
        key(c, -59, "banana", "cus_c4", 2);
        key(c, -55, "apple", "cus_c5", 1);
        let prefix = |p: &str, kind: Option<i64>, limit| {
            prefix_ids(c, &[(p.to_string(), kind)], limit).unwrap()
        };
        assert_eq!(
            prefix("ap", None, 10),
            ["cus_c3", "cus_c1", "cus_c5", "cus_c2"]
        );
        assert_eq!(prefix("ap", None, 2), ["cus_c3", "cus_c1"]);
        assert_eq!(prefix("ap", Some(2), 10), ["cus_c1", "cus_c2"]);
        assert_eq!(prefix("b", None, 10), ["cus_c4"]);
        assert_eq!(exact_ids(c, "apple", &[]).unwrap(), ["cus_c1", "cus_c5"]);
        assert_eq!(exact_ids(c, "apple", &[1]).unwrap(), ["cus_c5"]);
        assert!(exact_ids(c, "app", &[]).unwrap().is_empty());
    }

    #[test]
    fn shards_are_blocks_of_neighbouring_rows_that_wrap_around() {
        assert_eq!(shard_of(1), -64);
        assert_eq!(shard_of((1 << SHARD_BLOCK_BITS) - 1), -64);
        assert_eq!(shard_of(1 << SHARD_BLOCK_BITS), -63);
        assert_eq!(shard_of((SHARDS << SHARD_BLOCK_BITS) - 1), -1);
        assert_eq!(shard_of(SHARDS << SHARD_BLOCK_BITS), -64);
    }

    /// A profile's keys go to the shard of its customer row, and search
    /// finds it there.
    #[test]
    fn a_profile_s_keys_go_to_the_shard_of_its_row() {
        let store = Store::open_in_memory().unwrap();
        store
            .read()
            .execute(
                "INSERT INTO customers (rowid, id, created_at, updated_at) VALUES (?1, 'cus_pad', 0, 0)",
                [3 * (1 << SHARD_BLOCK_BITS) - 1],
            )
            .unwrap();
        let doc: crate::format::CustomerDoc = serde_json::from_value(serde_json::json!({
            "id": "cus_far", "name": "Ada Lovelace", "createdAt": "2024-01-01T00:00:00Z",
            "emails": [{"original": "ada@example.com"}]
        }))
        .unwrap();
        store
            .write(|c| crate::customers::insert(c, &doc, &ada_keys()))
            .unwrap();
        let shards: Vec<i64> = store
            .read()
            .prepare("SELECT DISTINCT shard FROM search_keys WHERE customer_id = 'cus_far'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(shards, [-61]);
        let found = prefix_ids(&store.read(), &[("lovel".into(), None)], 10).unwrap();
        assert_eq!(found, ["cus_far"]);
    }

    /// The keys the core's `search::keys_for` makes for Ada Lovelace.
    fn ada_keys() -> Vec<crate::customers::SearchKey> {
        use crate::model::search::*;
        [
            ("lovelace", KIND_NAME_TOKEN),
            ("ada lovelace", KIND_NAME),
            ("ada@example.com", KIND_EMAIL),
        ]
        .into_iter()
        .map(|(key, kind)| crate::customers::SearchKey {
            key: key.into(),
            kind,
        })
        .collect()
    }
}
