//! Reports that survive deletion: one row per Contact or per
//! Conversation, as CSV or JSON Lines, deleted customers included and
//! flagged, no PII.
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

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// A header line, then one CSV record per row.
    #[default]
    Csv,
    /// One JSON object per line, keyed by the CSV's column names: flags
    /// as booleans, counts and durations as numbers, empty cells as null.
    JsonLines,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "csv" => Some(Format::Csv),
            "jsonl" | "json-lines" | "ndjson" => Some(Format::JsonLines),
            _ => None,
        }
    }
}

/// Columns whose cells are `true` or `false`, and whole numbers.
const FLAGS: &[&str] = &["item_deleted", "customer_deleted"];
const NUMBERS: &[&str] = &["duration_s", "items", "items_deleted", "work_sessions"];

struct Rows<'a> {
    out: &'a mut dyn Write,
    format: Format,
    columns: &'static [&'static str],
}

impl Rows<'_> {
    fn header(&mut self) -> Result<()> {
        if self.format == Format::Csv {
            let names = self.columns.iter().map(|c| c.to_string());
            self.out.write_all(crate::csv::record(names).as_bytes())?;
        }
        Ok(())
    }

    fn row(&mut self, fields: impl IntoIterator<Item = String>) -> Result<()> {
        match self.format {
            Format::Csv => self.out.write_all(crate::csv::record(fields).as_bytes())?,
            Format::JsonLines => {
                let mut obj = serde_json::Map::new();
                for (col, v) in self.columns.iter().zip(fields) {
                    let value = if v.is_empty() {
                        serde_json::Value::Null
                    } else if FLAGS.contains(col) {
                        serde_json::Value::Bool(v == "true")
                    } else if NUMBERS.contains(col) {
                        v.parse::<i64>()
                            .map(serde_json::Value::from)
                            .unwrap_or(serde_json::Value::String(v))
                    } else {
                        serde_json::Value::String(v)
                    };
                    obj.insert(col.to_string(), value);
                }
                let line = serde_json::Value::Object(obj).to_string();
                self.out.write_all(line.as_bytes())?;
                self.out.write_all(b"\n")?;
            }
        }
        Ok(())
    }
}

/// Counts written, for the summary line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Written {
    pub rows: u64,
    pub deleted_customers_rows: u64,
}

/// Writes the Contact report (header and one row per item) to `out`.
pub fn write_contacts(conn: &Read, out: &mut dyn Write, format: Format) -> Result<Written> {
    let mut written = Written::default();
    let mut rows = Rows {
        out,
        format,
        columns: CONTACT_COLUMNS,
    };
    rows.header()?;
    db::for_each_contact(conn, |r| {
        written.rows += 1;
        written.deleted_customers_rows += r.customer_deleted_at.is_some() as u64;
        rows.row([
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
        ])
    })?;
    out.flush()?;
    Ok(written)
}

/// Writes the Conversation report (header and one row per conversation).
pub fn write_conversations(conn: &Read, out: &mut dyn Write, format: Format) -> Result<Written> {
    let mut written = Written::default();
    let mut rows = Rows {
        out,
        format,
        columns: CONVERSATION_COLUMNS,
    };
    rows.header()?;
    db::for_each_conversation(conn, |r| {
        written.rows += 1;
        written.deleted_customers_rows += r.customer_deleted_at.is_some() as u64;
        rows.row([
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
        ])
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
