//! Writing and reading whole customer documents.

use base64::Engine;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};

use crate::clock::{self, Millis};
use crate::error::{Error, Result};
use crate::format::*;

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

pub fn exists(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM customers WHERE id = ?1")?
        .exists([id])?)
}

/// Which of these IDs (of any entity kind) already exist in the database.
pub fn existing_ids(conn: &Connection, table: &str, ids: &[&str]) -> Result<Vec<String>> {
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
pub fn insert(conn: &Connection, doc: &CustomerDoc, keys: &[SearchKey]) -> Result<()> {
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
    let shard = super::search::shard_of(conn.last_insert_rowid());

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
    insert_search_keys(conn, &doc.id, shard, keys)?;

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

/// A profile's search keys, in the shard of its row (`search::shard_of`).
pub fn insert_search_keys(
    conn: &Connection,
    customer_id: &str,
    shard: i64,
    keys: &[SearchKey],
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO search_keys (shard, key, customer_id, kind)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for k in keys {
        stmt.execute(params![shard, k.key, customer_id, k.kind])?;
    }
    Ok(())
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
    }
    Ok(())
}

fn b64(bytes: Option<Vec<u8>>) -> Option<String> {
    bytes.map(|b| base64::engine::general_purpose::STANDARD.encode(b))
}

/// Reads a whole customer document. `with_data` includes attachment and
/// recording bytes (base64), as a complete export needs.
pub fn load(conn: &Connection, id: &str, with_data: bool) -> Result<Option<CustomerDoc>> {
    let row = conn
        .prepare_cached(
            "SELECT id, name, external_customer_id, external_ids, custom_attributes, created_at,
                 updated_at, last_contact_at, deleted_at, deletion_reason
             FROM customers WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(CustomerDoc {
                id: r.get(0)?,
                name: r.get(1)?,
                emails: vec![],
                phones: vec![],
                addresses: vec![],
                external_customer_id: r.get(2)?,
                external_customer_ids: json_map(r.get(3)?),
                custom_attributes: json_map(r.get(4)?),
                created_at: clock::format_ms(r.get(5)?),
                updated_at: Some(clock::format_ms(r.get(6)?)),
                last_contact_at: r.get::<_, Option<i64>>(7)?.map(clock::format_ms),
                deleted_at: r.get::<_, Option<i64>>(8)?.map(clock::format_ms),
                deletion_reason: r.get(9)?,
                conversations: vec![],
                orders: vec![],
                app_data: vec![],
            })
        })
        .optional()?;
    let Some(mut doc) = row else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT original, normalized, is_primary FROM customer_emails
         WHERE customer_id = ?1 ORDER BY position",
    )?;
    doc.emails = stmt
        .query_map([id], |r| {
            Ok(EmailDoc {
                original: r.get(0)?,
                normalized: Some(r.get(1)?),
                primary: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT original, normalized, type, is_primary FROM customer_phones
         WHERE customer_id = ?1 ORDER BY position",
    )?;
    doc.phones = stmt
        .query_map([id], |r| {
            let norm: String = r.get(1)?;
            Ok(PhoneDoc {
                original: r.get(0)?,
                normalized: (!norm.is_empty()).then_some(norm),
                kind: r.get(2)?,
                primary: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT type, line1, line2, city, region, postal_code, country FROM customer_addresses
         WHERE customer_id = ?1 ORDER BY position",
    )?;
    doc.addresses = stmt
        .query_map([id], |r| {
            Ok(AddressDoc {
                kind: r.get(0)?,
                line1: r.get(1)?,
                line2: r.get(2)?,
                city: r.get(3)?,
                region: r.get(4)?,
                postal_code: r.get(5)?,
                country: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    doc.conversations = load_conversations(conn, id, with_data)?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, source, number, placed_at, status, total_cents, currency, details FROM orders
         WHERE customer_id = ?1 ORDER BY placed_at, id",
    )?;
    doc.orders = stmt
        .query_map([id], |r| {
            let details: Option<String> = r.get(7)?;
            Ok(OrderDoc {
                id: r.get(0)?,
                source: r.get(1)?,
                number: r.get(2)?,
                placed_at: clock::format_ms(r.get(3)?),
                status: r.get(4)?,
                total_cents: r.get(5)?,
                currency: r.get(6)?,
                details: details
                    .and_then(|d| serde_json::from_str(&d).ok())
                    .unwrap_or(Value::Null),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT app, payload, updated_at FROM app_data WHERE customer_id = ?1 ORDER BY app",
    )?;
    doc.app_data = stmt
        .query_map([id], |r| {
            let payload: String = r.get(1)?;
            Ok(AppDataDoc {
                app: r.get(0)?,
                payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
                updated_at: clock::format_ms(r.get(2)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(doc))
}

fn load_conversations(
    conn: &Connection,
    customer_id: &str,
    with_data: bool,
) -> Result<Vec<ConversationDoc>> {
    let mut stmt = conn.prepare_cached(
        // A conversation is deleted with its customer; erasure marks only
        // the customer row.
        "SELECT v.id, v.status, v.topic, v.channel, v.agent_id, v.created_at, v.updated_at,
             v.closed_at, coalesce(v.deleted_at, c.deleted_at)
         FROM conversations v JOIN customers c ON c.id = v.customer_id
         WHERE v.customer_id = ?1 ORDER BY v.created_at, v.id",
    )?;
    let mut convs: Vec<ConversationDoc> = stmt
        .query_map([customer_id], |r| {
            let status: String = r.get(1)?;
            Ok(ConversationDoc {
                id: r.get(0)?,
                status: ConversationStatus::parse(&status).unwrap_or(ConversationStatus::Closed),
                topic: r.get(2)?,
                channel: r.get(3)?,
                agent_id: r.get(4)?,
                created_at: clock::format_ms(r.get(5)?),
                updated_at: Some(clock::format_ms(r.get(6)?)),
                closed_at: r.get::<_, Option<i64>>(7)?.map(clock::format_ms),
                deleted_at: r.get::<_, Option<i64>>(8)?.map(clock::format_ms),
                items: vec![],
                work_sessions: vec![],
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    for conv in &mut convs {
        conv.items = load_items(conn, &conv.id, with_data)?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, agent_id, started_at, ended_at FROM work_sessions
             WHERE conversation_id = ?1 ORDER BY started_at, id",
        )?;
        conv.work_sessions = stmt
            .query_map([&conv.id], |r| {
                Ok(WorkSessionDoc {
                    id: r.get(0)?,
                    agent_id: r.get(1)?,
                    started_at: clock::format_ms(r.get(2)?),
                    ended_at: r.get::<_, Option<i64>>(3)?.map(clock::format_ms),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(convs)
}

fn load_items(conn: &Connection, conv_id: &str, with_data: bool) -> Result<Vec<ItemDoc>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, type, timestamp, initiator_id, initiator_type, direction, subject, body,
             from_addr, to_addrs, extra, thread_id, duration_s, deleted_at
         FROM items WHERE conversation_id = ?1 ORDER BY timestamp, id",
    )?;
    let mut items: Vec<ItemDoc> = stmt
        .query_map([conv_id], |r| {
            let kind: String = r.get(1)?;
            let init: Option<String> = r.get(4)?;
            let dir: Option<String> = r.get(5)?;
            let to: Option<String> = r.get(9)?;
            let mut content =
                Content::new(ContentType::parse(&kind).unwrap_or(ContentType::ChatMessage));
            content.subject = r.get(6)?;
            content.content = r.get(7)?;
            content.from = r.get(8)?;
            content.to = to.and_then(|t| serde_json::from_str(&t).ok());
            content.extra = json_map(r.get(10)?);
            content.thread_id = r.get(11)?;
            content.duration = r.get(12)?;
            Ok(ItemDoc {
                id: r.get(0)?,
                timestamp: clock::format_ms(r.get(2)?),
                initiator: Initiator {
                    id: r.get(3)?,
                    kind: init
                        .as_deref()
                        .and_then(InitiatorType::parse)
                        .unwrap_or(InitiatorType::System),
                },
                direction: dir.as_deref().and_then(Direction::parse),
                content,
                deleted_at: r.get::<_, Option<i64>>(13)?.map(clock::format_ms),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    for item in &mut items {
        let mut stmt = conn.prepare_cached(
            "SELECT id, content_type, filename, file_size, deleted_at, content FROM attachments
             WHERE item_id = ?1 ORDER BY rowid",
        )?;
        item.content.attachments = stmt
            .query_map([&item.id], |r| {
                Ok(AttachmentDoc {
                    id: r.get(0)?,
                    content_type: r.get(1)?,
                    filename: r.get(2)?,
                    file_size: r.get(3)?,
                    deleted_at: r.get::<_, Option<i64>>(4)?.map(clock::format_ms),
                    data: if with_data { b64(r.get(5)?) } else { None },
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        if item.content.kind.has_recording() {
            let mut stmt = conn.prepare_cached(
                "SELECT id, content_type, duration_s, file_size, deleted_at, content FROM recordings
                 WHERE item_id = ?1",
            )?;
            item.content.recording = stmt
                .query_row([&item.id], |r| {
                    Ok(RecordingDoc {
                        id: r.get(0)?,
                        content_type: r.get(1)?,
                        duration_seconds: r.get(2)?,
                        file_size: r.get(3)?,
                        deleted_at: r.get::<_, Option<i64>>(4)?.map(clock::format_ms),
                        data: if with_data { b64(r.get(5)?) } else { None },
                    })
                })
                .optional()?;
        }
    }
    Ok(items)
}
