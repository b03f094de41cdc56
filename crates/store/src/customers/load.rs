//! Reading a whole customer document back (lethe export, access requests).

use super::*;

/// Reads a whole customer document. `with_data` includes attachment and
/// recording bytes (base64), as a complete export needs.
pub fn load(conn: &Read<'_>, id: &str, with_data: bool) -> Result<Option<CustomerDoc>> {
    load_as(conn, id, Some(with_data))
}

/// When a live profile was last updated; None for an unknown or deleted
/// one.
pub fn live_updated_at(conn: &Read<'_>, id: &str) -> Result<Option<Millis>> {
    Ok(conn
        .sql()
        .prepare_cached("SELECT updated_at FROM customers WHERE id = ?1 AND deleted_at IS NULL")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// The profile fields only (`load` without conversations, orders and app
/// data): what a lookup answers.
pub fn load_profile(conn: &Read<'_>, id: &str) -> Result<Option<CustomerDoc>> {
    load_as(conn, id, None)
}

/// `load`; with `whole` None, the profile fields only.
fn load_as(conn: &Read<'_>, id: &str, whole: Option<bool>) -> Result<Option<CustomerDoc>> {
    let conn = conn.sql();
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
    let Some(with_data) = whole else {
        return Ok(Some(doc));
    };
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

pub(super) fn load_conversations(
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

pub(super) fn load_items(
    conn: &Connection,
    conv_id: &str,
    with_data: bool,
) -> Result<Vec<ItemDoc>> {
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
