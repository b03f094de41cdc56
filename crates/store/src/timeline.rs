//! Timeline rows: conversation headers with item counts, pages of items in
//! display order, and the bytes of one attachment or recording.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};

use crate::error::Result;
use crate::format::{ContentType, ConversationStatus, Direction, InitiatorType};
use crate::model::timeline::{AttachmentInfo, ConversationHead, Item, RecordingInfo};
use crate::Read;

pub fn conversations(conn: &Read<'_>, customer_id: &str) -> Result<Vec<ConversationHead>> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(
        "SELECT v.id, v.status, v.topic, v.channel, v.created_at, v.updated_at, v.closed_at,
             (SELECT count(*) FROM items i WHERE i.conversation_id = v.id)
         FROM conversations v WHERE v.customer_id = ?1 ORDER BY v.created_at, v.id",
    )?;
    let rows = stmt.query_map([customer_id], |r| {
        let status: String = r.get(1)?;
        Ok(ConversationHead {
            id: r.get(0)?,
            status: ConversationStatus::parse(&status).unwrap_or(ConversationStatus::Closed),
            topic: r.get(2)?,
            channel: r.get(3)?,
            created_at: r.get(4)?,
            updated_at: r.get(5)?,
            closed_at: r.get(6)?,
            items: r.get::<_, i64>(7)? as usize,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether any item of the conversation belongs to an email thread; without
/// threads the page query can walk the index instead of sorting.
fn has_threads(conn: &Connection, conversation_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM items WHERE conversation_id = ?1 AND thread_id IS NOT NULL LIMIT 1",
        )?
        .exists([conversation_id])?)
}

const COLUMNS: &str = "id, type, timestamp, initiator_id, initiator_type, direction, subject, body,
    from_addr, to_addrs, extra, thread_id, duration_s, deleted_at";

/// Items `offset..offset+limit` of a conversation in display order: time
/// order, except that the emails of one thread sit together, at the place
/// of the thread's first message.
pub fn items(
    conn: &Read<'_>,
    conversation_id: &str,
    offset: usize,
    limit: usize,
) -> Result<Vec<Item>> {
    let conn = conn.sql();
    let threaded = format!(
        "SELECT {COLUMNS}, thread_pos, thread_size FROM (
             SELECT *,
                 min(timestamp) OVER (PARTITION BY coalesce(thread_id, id)) AS anchor,
                 row_number() OVER (PARTITION BY coalesce(thread_id, id)
                     ORDER BY timestamp, id) AS thread_pos,
                 count(*) OVER (PARTITION BY coalesce(thread_id, id)) AS thread_size
             FROM items WHERE conversation_id = ?1)
         ORDER BY anchor, coalesce(thread_id, id), timestamp, id LIMIT ?2 OFFSET ?3"
    );
    let plain = format!(
        "SELECT {COLUMNS}, 1, 1 FROM items WHERE conversation_id = ?1
         ORDER BY timestamp, id LIMIT ?2 OFFSET ?3"
    );
    let sql = if has_threads(conn, conversation_id)? {
        threaded
    } else {
        plain
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut items: Vec<Item> = stmt
        .query_map(params![conversation_id, limit as i64, offset as i64], |r| {
            let kind: String = r.get(1)?;
            let init: Option<String> = r.get(4)?;
            let dir: Option<String> = r.get(5)?;
            let to: Option<String> = r.get(9)?;
            let extra: Option<String> = r.get(10)?;
            Ok(Item {
                id: r.get(0)?,
                conversation_id: conversation_id.to_string(),
                kind: ContentType::parse(&kind).unwrap_or(ContentType::ChatMessage),
                timestamp: r.get(2)?,
                initiator_id: r.get(3)?,
                initiator: init.as_deref().and_then(InitiatorType::parse),
                direction: dir.as_deref().and_then(Direction::parse),
                subject: r.get(6)?,
                body: r.get(7)?,
                from: r.get(8)?,
                to: to
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or_default(),
                extra: extra
                    .and_then(|t| serde_json::from_str::<Map<String, Value>>(&t).ok())
                    .unwrap_or_default(),
                thread_id: r.get(11)?,
                duration_s: r.get(12)?,
                deleted_at: r.get(13)?,
                thread_pos: r.get::<_, i64>(14)? as usize,
                thread_size: r.get::<_, i64>(15)? as usize,
                attachments: vec![],
                recording: None,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut att = conn.prepare_cached(
        "SELECT id, filename, content_type, file_size, deleted_at, content IS NOT NULL
         FROM attachments WHERE item_id = ?1 ORDER BY rowid",
    )?;
    let mut rec = conn.prepare_cached(
        "SELECT id, content_type, duration_s, file_size, deleted_at, content IS NOT NULL
         FROM recordings WHERE item_id = ?1",
    )?;
    for item in &mut items {
        item.attachments = att
            .query_map([&item.id], |r| {
                Ok(AttachmentInfo {
                    id: r.get(0)?,
                    filename: r.get(1)?,
                    content_type: r.get(2)?,
                    size: r.get(3)?,
                    deleted_at: r.get(4)?,
                    has_data: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        item.recording = rec
            .query_row([&item.id], |r| {
                Ok(RecordingInfo {
                    id: r.get(0)?,
                    content_type: r.get(1)?,
                    duration_s: r.get(2)?,
                    size: r.get(3)?,
                    deleted_at: r.get(4)?,
                    has_data: r.get(5)?,
                })
            })
            .optional()?;
    }
    Ok(items)
}

/// A stored file: its name and type as the customer's platform gave them,
/// and its bytes (None once deleted or when never imported).
pub struct Blob {
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Option<Vec<u8>>,
}

fn blob(r: &rusqlite::Row) -> rusqlite::Result<Blob> {
    Ok(Blob {
        filename: r.get(0)?,
        content_type: r.get(1)?,
        bytes: r.get(2)?,
    })
}

pub fn attachment_blob(conn: &Read<'_>, id: &str) -> Result<Option<Blob>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached("SELECT filename, content_type, content FROM attachments WHERE id = ?1")?
        .query_row([id], blob)
        .optional()?)
}

pub fn recording_blob(conn: &Read<'_>, id: &str) -> Result<Option<Blob>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached("SELECT NULL, content_type, content FROM recordings WHERE id = ?1")?
        .query_row([id], blob)
        .optional()?)
}
