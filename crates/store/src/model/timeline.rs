//! A customer's conversations and items, as the timeline reads them.

use serde_json::{Map, Value};

use super::clock::Millis;
use super::format::{ContentType, ConversationStatus, Direction, InitiatorType};

#[derive(Debug, Clone, PartialEq)]
pub struct ConversationHead {
    pub id: String,
    pub status: ConversationStatus,
    pub topic: Option<String>,
    pub channel: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub closed_at: Option<Millis>,
    /// How many items the conversation holds, deleted ones included.
    pub items: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub conversation_id: String,
    pub kind: ContentType,
    pub timestamp: Millis,
    pub initiator_id: Option<String>,
    pub initiator: Option<InitiatorType>,
    pub direction: Option<Direction>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub from: Option<String>,
    pub to: Vec<String>,
    pub extra: Map<String, Value>,
    pub thread_id: Option<String>,
    /// Position (1-based) and size of the item's email thread; 1 and 1 when
    /// it has none.
    pub thread_pos: usize,
    pub thread_size: usize,
    pub duration_s: Option<i64>,
    /// Set on a tombstone: the content is gone, the row stays.
    pub deleted_at: Option<Millis>,
    pub attachments: Vec<AttachmentInfo>,
    pub recording: Option<RecordingInfo>,
}

impl Item {
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AttachmentInfo {
    pub id: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub size: i64,
    pub deleted_at: Option<Millis>,
    /// Whether the bytes are stored (and so can be saved).
    pub has_data: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordingInfo {
    pub id: String,
    pub content_type: Option<String>,
    pub duration_s: Option<i64>,
    pub size: i64,
    pub deleted_at: Option<Millis>,
    pub has_data: bool,
}
