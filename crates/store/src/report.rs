//! Rows for the reports that survive deletion. Only non-PII columns are
//! read: IDs, types, channels, statuses, times and deletion marks.

use crate::clock::Millis;
use crate::error::Result;
use crate::Read;

/// One item (Contact) and the deletion state of it and its customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    pub item_id: String,
    pub customer_id: String,
    pub conversation_id: Option<String>,
    pub kind: String,
    pub channel: Option<String>,
    pub timestamp: Millis,
    pub initiator_type: Option<String>,
    pub initiator_id: Option<String>,
    pub direction: Option<String>,
    pub thread_id: Option<String>,
    pub duration_s: Option<i64>,
    pub item_deleted_at: Option<Millis>,
    pub customer_deleted_at: Option<Millis>,
    pub deletion_reason: Option<String>,
}

/// Calls `f` for every item, by customer then time, without loading them
/// all: a large database has millions.
pub fn for_each_contact(
    conn: &Read<'_>,
    mut f: impl FnMut(&ContactRow) -> Result<()>,
) -> Result<()> {
    let conn = conn.sql();
    let mut stmt = conn.prepare(
        "SELECT i.id, i.customer_id, i.conversation_id, i.type, v.channel, i.timestamp,
             i.initiator_type, i.initiator_id, i.direction, i.thread_id, i.duration_s,
             i.deleted_at, c.deleted_at, c.deletion_reason
         FROM items i
         JOIN customers c ON c.id = i.customer_id
         LEFT JOIN conversations v ON v.id = i.conversation_id
         ORDER BY i.customer_id, i.timestamp, i.id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        f(&ContactRow {
            item_id: r.get(0)?,
            customer_id: r.get(1)?,
            conversation_id: r.get(2)?,
            kind: r.get(3)?,
            channel: r.get(4)?,
            timestamp: r.get(5)?,
            initiator_type: r.get(6)?,
            initiator_id: r.get(7)?,
            direction: r.get(8)?,
            thread_id: r.get(9)?,
            duration_s: r.get(10)?,
            item_deleted_at: r.get(11)?,
            customer_deleted_at: r.get(12)?,
            deletion_reason: r.get(13)?,
        })?;
    }
    Ok(())
}

/// One conversation with its counts and the deletion state of its customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRow {
    pub conversation_id: String,
    pub customer_id: String,
    pub status: String,
    pub channel: Option<String>,
    pub topic: Option<String>,
    pub agent_id: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub closed_at: Option<Millis>,
    pub items: i64,
    pub items_deleted: i64,
    pub work_sessions: i64,
    pub deleted_at: Option<Millis>,
    pub customer_deleted_at: Option<Millis>,
    pub deletion_reason: Option<String>,
}

pub fn for_each_conversation(
    conn: &Read<'_>,
    mut f: impl FnMut(&ConversationRow) -> Result<()>,
) -> Result<()> {
    let conn = conn.sql();
    let mut stmt = conn.prepare(
        "SELECT v.id, v.customer_id, v.status, v.channel, v.topic, v.agent_id, v.created_at,
             v.updated_at, v.closed_at,
             (SELECT count(*) FROM items i WHERE i.conversation_id = v.id),
             (SELECT count(*) FROM items i WHERE i.conversation_id = v.id
                 AND i.deleted_at IS NOT NULL),
             (SELECT count(*) FROM work_sessions w WHERE w.conversation_id = v.id),
             coalesce(v.deleted_at, c.deleted_at), c.deleted_at, c.deletion_reason
         FROM conversations v
         JOIN customers c ON c.id = v.customer_id
         ORDER BY v.customer_id, v.created_at, v.id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        f(&ConversationRow {
            conversation_id: r.get(0)?,
            customer_id: r.get(1)?,
            status: r.get(2)?,
            channel: r.get(3)?,
            topic: r.get(4)?,
            agent_id: r.get(5)?,
            created_at: r.get(6)?,
            updated_at: r.get(7)?,
            closed_at: r.get(8)?,
            items: r.get(9)?,
            items_deleted: r.get(10)?,
            work_sessions: r.get(11)?,
            deleted_at: r.get(12)?,
            customer_deleted_at: r.get(13)?,
            deletion_reason: r.get(14)?,
        })?;
    }
    Ok(())
}
