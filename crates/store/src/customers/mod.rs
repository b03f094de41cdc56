//! Writing and reading whole customer documents.

use base64::Engine;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};

use crate::clock::{self, Millis};
use crate::error::{Error, Result};
use crate::format::*;
use crate::{Read, Write};

mod load;
pub use load::*;

/// A normalised search key for a customer (see `search::keys_for`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchKey {
    pub key: String,
    pub kind: i64,
}

fn ms(text: &str, what: &str) -> Result<Millis> {
    clock::parse(text).ok_or_else(|| {
        Error::Invalid(format!(
            "{what} \"{text}\" is not a date; use RFC 3339 such as 2024-07-11T18:52:01Z"
        ))
    })
}

fn opt_ms(text: &Option<String>, what: &str) -> Result<Option<Millis>> {
    text.as_deref().map(|t| ms(t, what)).transpose()
}

fn json_text(map: &Map<String, Value>) -> Option<String> {
    (!map.is_empty()).then(|| Value::Object(map.clone()).to_string())
}

fn json_map(text: Option<String>) -> Map<String, Value> {
    match text.and_then(|t| serde_json::from_str::<Value>(&t).ok()) {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

pub fn decode_base64(data: &str, what: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| Error::Invalid(format!("{what} has invalid base64 data ({e})")))
}

pub fn exists(conn: &Read<'_>, id: &str) -> Result<bool> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached("SELECT 1 FROM customers WHERE id = ?1")?
        .exists([id])?)
}

/// Which of these IDs (of any entity kind) already exist in the database.
pub fn existing_ids(conn: &Read<'_>, table: &str, ids: &[&str]) -> Result<Vec<String>> {
    let conn = conn.sql();
    let sql = match table {
        "customers" => "SELECT 1 FROM customers WHERE id = ?1",
        "conversations" => "SELECT 1 FROM conversations WHERE id = ?1",
        "items" => "SELECT 1 FROM items WHERE id = ?1",
        "attachments" => "SELECT 1 FROM attachments WHERE id = ?1",
        "recordings" => "SELECT 1 FROM recordings WHERE id = ?1",
        "orders" => "SELECT 1 FROM orders WHERE id = ?1",
        "work_sessions" => "SELECT 1 FROM work_sessions WHERE id = ?1",
        _ => return Err(Error::Invalid(format!("unknown table {table}"))),
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let mut found = vec![];
    for id in ids {
        if stmt.exists([id])? {
            found.push(id.to_string());
        }
    }
    Ok(found)
}

/// Inserts one customer document with everything under it, and its search
/// keys. The caller validates the document and owns the transaction.
pub fn insert(conn: &Write<'_>, doc: &CustomerDoc, keys: &[SearchKey]) -> Result<()> {
    let conn = conn.sql();
    let created = ms(&doc.created_at, "createdAt")?;
    let updated = opt_ms(&doc.updated_at, "updatedAt")?.unwrap_or(created);
    let mut last_contact: Option<Millis> = None;
    for conv in &doc.conversations {
        for item in &conv.items {
            if item.content.kind.is_contact() {
                let t = ms(&item.timestamp, "item timestamp")?;
                last_contact = Some(last_contact.map_or(t, |l: Millis| l.max(t)));
            }
        }
    }
    let ext_ids = json_text(&doc.external_customer_ids);
    let attrs = json_text(&doc.custom_attributes);
    conn.prepare_cached(
        "INSERT INTO customers (id, name, external_customer_id, external_ids, custom_attributes,
             created_at, updated_at, last_contact_at, deleted_at, deletion_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        doc.id,
        doc.name,
        doc.external_customer_id,
        ext_ids,
        attrs,
        created,
        updated,
        last_contact,
        opt_ms(&doc.deleted_at, "deletedAt")?,
        doc.deletion_reason,
    ])?;
    let rowid = conn.last_insert_rowid();

    let mut stmt = conn.prepare_cached(
        "INSERT INTO customer_emails (customer_id, position, original, normalized, is_primary)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, e) in doc.emails.iter().enumerate() {
        let norm = e
            .normalized
            .clone()
            .unwrap_or_else(|| e.original.trim().to_lowercase());
        stmt.execute(params![doc.id, i as i64, e.original, norm, e.primary])?;
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO customer_phones (customer_id, position, original, normalized, type, is_primary)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, p) in doc.phones.iter().enumerate() {
        let norm = p.normalized.clone().unwrap_or_default();
        stmt.execute(params![
            doc.id, i as i64, p.original, norm, p.kind, p.primary
        ])?;
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO customer_addresses (customer_id, position, type, line1, line2, city, region,
             postal_code, country)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (i, a) in doc.addresses.iter().enumerate() {
        stmt.execute(params![
            doc.id,
            i as i64,
            a.kind,
            a.line1,
            a.line2,
            a.city,
            a.region,
            a.postal_code,
            a.country
        ])?;
    }
    insert_search_keys(&Write::of(conn), rowid, &doc.id, keys)?;

    for conv in &doc.conversations {
        insert_conversation(conn, &doc.id, conv)?;
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO orders (id, customer_id, source, number, placed_at, status, total_cents,
             currency, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for o in &doc.orders {
        let details = (!o.details.is_null()).then(|| o.details.to_string());
        stmt.execute(params![
            o.id,
            doc.id,
            o.source,
            o.number,
            ms(&o.placed_at, "order placedAt")?,
            o.status,
            o.total_cents,
            o.currency,
            details
        ])?;
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO app_data (customer_id, app, payload, updated_at) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for a in &doc.app_data {
        stmt.execute(params![
            doc.id,
            a.app,
            a.payload.to_string(),
            ms(&a.updated_at, "appData updatedAt")?
        ])?;
    }
    Ok(())
}

/// A profile's search keys, in the shard of its customer row
/// (`search::shard_of`), and their list on that row, by which erasure
/// finds them.
pub fn insert_search_keys(
    conn: &Write<'_>,
    rowid: i64,
    customer_id: &str,
    keys: &[SearchKey],
) -> Result<()> {
    let conn = conn.sql();
    let shard = super::search::shard_of(rowid);
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO search_keys (shard, key, customer_id, kind)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for k in keys {
        stmt.execute(params![shard, k.key, customer_id, k.kind])?;
    }
    if let Some(list) = key_list(shard, keys) {
        conn.prepare_cached("UPDATE customers SET search_keys = ?2 WHERE rowid = ?1")?
            .execute(params![rowid, list])?;
    }
    Ok(())
}

/// One search key as a customer row lists it: (shard, kind, key).
pub type ListedKey = (i64, i64, String);

/// The list of a profile's search keys that its customer row keeps
/// (`customers.search_keys`, schema_v6.sql): a flat JSON array of shard,
/// kind and key for each distinct key, as `[-64,1,"ada lovelace",-64,2,"ada"]`.
/// `None` for no keys.
pub fn key_list(shard: i64, keys: &[SearchKey]) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    let mut flat = Vec::with_capacity(keys.len() * 3);
    for k in keys
        .iter()
        .filter(|k| seen.insert((k.kind, k.key.as_str())))
    {
        flat.extend([
            Value::from(shard),
            Value::from(k.kind),
            Value::from(k.key.as_str()),
        ]);
    }
    (!flat.is_empty()).then(|| Value::Array(flat).to_string())
}

/// Reads the list `key_list` writes, of the profile `customer_id`.
pub fn parse_key_list(customer_id: &str, text: &str) -> Result<Vec<ListedKey>> {
    let damaged = || {
        Error::Invalid(format!(
            "the list of search keys on customer {customer_id}'s row is damaged, so they \
             cannot all be found and the profile was left whole; restore the database \
             from a backup and try again"
        ))
    };
    let Ok(Value::Array(flat)) = serde_json::from_str::<Value>(text) else {
        return Err(damaged());
    };
    if flat.len() % 3 != 0 {
        return Err(damaged());
    }
    flat.chunks(3)
        .map(|t| match t {
            [Value::Number(shard), Value::Number(kind), Value::String(key)] => {
                match (shard.as_i64(), kind.as_i64()) {
                    (Some(shard), Some(kind)) => Ok((shard, kind, key.clone())),
                    _ => Err(damaged()),
                }
            }
            _ => Err(damaged()),
        })
        .collect()
}

fn insert_conversation(conn: &Connection, customer_id: &str, conv: &ConversationDoc) -> Result<()> {
    let created = ms(&conv.created_at, "conversation createdAt")?;
    conn.prepare_cached(
        "INSERT INTO conversations (id, customer_id, status, topic, channel, agent_id, created_at,
             updated_at, closed_at, deleted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        conv.id,
        customer_id,
        conv.status.as_str(),
        conv.topic,
        conv.channel,
        conv.agent_id,
        created,
        opt_ms(&conv.updated_at, "conversation updatedAt")?.unwrap_or(created),
        opt_ms(&conv.closed_at, "conversation closedAt")?,
        opt_ms(&conv.deleted_at, "conversation deletedAt")?,
    ])?;
    for item in &conv.items {
        insert_item(conn, customer_id, &conv.id, item)?;
    }
    let mut stmt = conn.prepare_cached(
        "INSERT INTO work_sessions (id, conversation_id, agent_id, started_at, ended_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for w in &conv.work_sessions {
        stmt.execute(params![
            w.id,
            conv.id,
            w.agent_id,
            ms(&w.started_at, "work session startedAt")?,
            opt_ms(&w.ended_at, "work session endedAt")?
        ])?;
    }
    Ok(())
}

fn insert_item(conn: &Connection, customer_id: &str, conv_id: &str, item: &ItemDoc) -> Result<()> {
    let c = &item.content;
    let to = c.to.as_ref().map(|t| Value::from(t.clone()).to_string());
    conn.prepare_cached(
        "INSERT INTO items (id, customer_id, conversation_id, type, timestamp, initiator_id,
             initiator_type, direction, subject, body, from_addr, to_addrs, extra, thread_id,
             duration_s, deleted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        item.id,
        customer_id,
        conv_id,
        c.kind.as_str(),
        ms(&item.timestamp, "item timestamp")?,
        item.initiator.id,
        item.initiator.kind.as_str(),
        item.direction.map(|d| d.as_str()),
        c.subject,
        c.content,
        c.from,
        to,
        json_text(&c.extra),
        c.thread_id,
        c.duration,
        opt_ms(&item.deleted_at, "item deletedAt")?,
    ])?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO attachments (id, item_id, filename, content_type, file_size, content, deleted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for a in &c.attachments {
        let bytes = a
            .data
            .as_deref()
            .map(|d| decode_base64(d, &format!("attachment {}", a.id)))
            .transpose()?;
        stmt.execute(params![
            a.id,
            item.id,
            a.filename,
            a.content_type,
            a.file_size,
            bytes,
            opt_ms(&a.deleted_at, "attachment deletedAt")?
        ])?;
        insert_part(conn, customer_id, PART_ATTACHMENT, &a.id)?;
    }
    if let Some(r) = &c.recording {
        let bytes = r
            .data
            .as_deref()
            .map(|d| decode_base64(d, &format!("recording {}", r.id)))
            .transpose()?;
        conn.prepare_cached(
            "INSERT INTO recordings (id, item_id, content_type, duration_s, file_size, content,
                 deleted_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            r.id,
            item.id,
            r.content_type,
            r.duration_seconds,
            r.file_size,
            bytes,
            opt_ms(&r.deleted_at, "recording deletedAt")?
        ])?;
        insert_part(conn, customer_id, PART_RECORDING, &r.id)?;
    }
    Ok(())
}

/// `customer_parts.kind` of an attachment and of a recording.
pub const PART_ATTACHMENT: i64 = 0;
pub const PART_RECORDING: i64 = 1;

/// Lists an attachment or a recording under its profile (schema_v6.sql),
/// where erasure finds it.
fn insert_part(conn: &Connection, customer_id: &str, kind: i64, id: &str) -> Result<()> {
    conn.prepare_cached("INSERT INTO customer_parts (customer_id, kind, id) VALUES (?1, ?2, ?3)")?
        .execute(params![customer_id, kind, id])?;
    Ok(())
}

fn b64(bytes: Option<Vec<u8>>) -> Option<String> {
    bytes.map(|b| base64::engine::general_purpose::STANDARD.encode(b))
}

#[cfg(test)]
mod key_list_tests {
    use super::*;

    fn key(kind: i64, key: &str) -> SearchKey {
        SearchKey {
            key: key.into(),
            kind,
        }
    }

    #[test]
    fn a_key_list_reads_back_as_written_once_per_key() {
        let keys = [
            key(1, "zoë o'hara"),
            key(2, "zoë"),
            key(2, "zoë"),
            key(3, "a\"b\\c@example.com"),
        ];
        let list = key_list(-61, &keys).unwrap();
        assert_eq!(
            parse_key_list("cus_1", &list).unwrap(),
            [
                (-61, 1, "zoë o'hara".to_string()),
                (-61, 2, "zoë".to_string()),
                (-61, 3, "a\"b\\c@example.com".to_string()),
            ]
        );
        assert_eq!(key_list(-61, &[]), None);
    }

    #[test]
    fn a_damaged_key_list_is_refused_with_the_customer_named() {
        for bad in [
            "",
            "{}",
            "[-64,2]",
            "[-64,2,3]",
            "[\"-64\",2,\"ada\"]",
            "[-64,2,\"ada\"",
        ] {
            let e = parse_key_list("cus_9", bad).unwrap_err().to_string();
            assert!(
                e.contains("cus_9") && e.contains("damaged") && e.contains("left whole"),
                "{bad}: {e}"
            );
        }
    }

    /// A damaged list fails the erasure before anything changes, so the
    /// transaction has nothing half done to roll back.
    #[test]
    fn a_profile_with_a_damaged_key_list_is_left_whole() {
        let store = crate::Store::open_in_memory().unwrap();
        let c = &store.read();
        c.execute_batch(
            "INSERT INTO customers (id, name, created_at, updated_at, search_keys)
                 VALUES ('cus_d', 'Ada', 0, 0, '[-64,2');
             INSERT INTO search_keys (shard, key, customer_id, kind)
                 VALUES (-64, 'ada', 'cus_d', 2);
             INSERT INTO customer_emails (customer_id, position, original, normalized)
                 VALUES ('cus_d', 0, 'ada@example.com', 'ada@example.com');",
        )
        .unwrap();
        let row = crate::erase::customer(c, "cus_d").unwrap().unwrap();
        let e =
            crate::erase::wipe_profile(&crate::Write::of(c.sql()), &row, "manual", 1).unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
        let left: (Option<String>, i64, i64) = c
            .query_row(
                "SELECT name, (SELECT count(*) FROM search_keys),
                     (SELECT count(*) FROM customer_emails) FROM customers",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(left, (Some("Ada".into()), 1, 1));
    }
}
