//! Reports that survive deletion: one CSV row per Contact or per
//! Conversation, deleted customers included and flagged, no PII.
//!
//! The columns are IDs, types, channels, statuses, times and deletion
//! marks, which is exactly what a profile deletion keeps, so historical
//! counts stay right after customers are erased.

use std::io::Write;

use crate::store::Read;

use crate::clock::{self, Millis};
use crate::error::Result;
use crate::store::report as db;

pub const CONTACT_COLUMNS: &[&str] = &[
    "item_id",
    "customer_id",
    "conversation_id",
    "type",
    "channel",
    "timestamp",
    "initiator_type",
    "initiator_id",
    "direction",
    "thread_id",
    "duration_s",
    "item_deleted",
    "item_deleted_at",
    "customer_deleted",
    "customer_deleted_at",
    "deletion_reason",
];

pub const CONVERSATION_COLUMNS: &[&str] = &[
    "conversation_id",
    "customer_id",
    "status",
    "channel",
    "topic",
    "agent_id",
    "created_at",
    "updated_at",
    "closed_at",
    "items",
    "items_deleted",
    "work_sessions",
    "customer_deleted",
    "customer_deleted_at",
    "deletion_reason",
];

/// Counts written, for the summary line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Written {
    pub rows: u64,
    pub deleted_customers_rows: u64,
}

/// Writes the Contact report (header and one row per item) to `out`.
pub fn write_contacts(conn: &Read, out: &mut dyn Write) -> Result<Written> {
    let mut written = Written::default();
    write_row(out, CONTACT_COLUMNS.iter().map(|c| c.to_string()))?;
    db::for_each_contact(conn, |r| {
        written.rows += 1;
        written.deleted_customers_rows += r.customer_deleted_at.is_some() as u64;
        write_row(
            out,
            [
                r.item_id.clone(),
                r.customer_id.clone(),
                opt(&r.conversation_id),
                r.kind.clone(),
                opt(&r.channel),
                clock::format_ms(r.timestamp),
                opt(&r.initiator_type),
                opt(&r.initiator_id),
                opt(&r.direction),
                opt(&r.thread_id),
                r.duration_s.map(|d| d.to_string()).unwrap_or_default(),
                flag(r.item_deleted_at),
                time(r.item_deleted_at),
                flag(r.customer_deleted_at),
                time(r.customer_deleted_at),
                opt(&r.deletion_reason),
            ],
        )
    })?;
    out.flush()?;
    Ok(written)
}

/// Writes the Conversation report (header and one row per conversation).
pub fn write_conversations(conn: &Read, out: &mut dyn Write) -> Result<Written> {
    let mut written = Written::default();
    write_row(out, CONVERSATION_COLUMNS.iter().map(|c| c.to_string()))?;
    db::for_each_conversation(conn, |r| {
        written.rows += 1;
        written.deleted_customers_rows += r.customer_deleted_at.is_some() as u64;
        write_row(
            out,
            [
                r.conversation_id.clone(),
                r.customer_id.clone(),
                r.status.clone(),
                opt(&r.channel),
                opt(&r.topic),
                opt(&r.agent_id),
                clock::format_ms(r.created_at),
                clock::format_ms(r.updated_at),
                time(r.closed_at),
                r.items.to_string(),
                r.items_deleted.to_string(),
                r.work_sessions.to_string(),
                flag(r.customer_deleted_at),
                time(r.customer_deleted_at),
                opt(&r.deletion_reason),
            ],
        )
    })?;
    out.flush()?;
    Ok(written)
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn flag(t: Option<Millis>) -> String {
    if t.is_some() { "true" } else { "false" }.to_string()
}

fn time(t: Option<Millis>) -> String {
    t.map(clock::format_ms).unwrap_or_default()
}

fn write_row(out: &mut dyn Write, fields: impl IntoIterator<Item = String>) -> Result<()> {
    out.write_all(crate::csv::record(fields).as_bytes())?;
    Ok(())
}
