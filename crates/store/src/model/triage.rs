//! Findings: where they are, their state, and the queue that lists them.

use super::clock::Millis;
use super::pii::{self, Kind};

/// Which text column a finding is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Subject,
    Body,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Subject => "subject",
            Field::Body => "body",
        }
    }

    pub fn parse(s: &str) -> Option<Field> {
        match s {
            "subject" => Some(Field::Subject),
            "body" => Some(Field::Body),
            _ => None,
        }
    }
}

/// A finding's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    /// A false positive; its fingerprint keeps it from coming back.
    Dismissed,
    /// Redacted.
    Resolved,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Dismissed => "dismissed",
            Status::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "open" => Some(Status::Open),
            "dismissed" => Some(Status::Dismissed),
            "resolved" => Some(Status::Resolved),
            _ => None,
        }
    }
}

/// Which open findings [`queue`] lists.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueFilter {
    /// Empty: every kind.
    pub kinds: Vec<Kind>,
    /// Findings below this confidence are left out (see `pii::HIGH_CONFIDENCE`).
    pub min_confidence: f32,
    pub limit: usize,
    pub offset: usize,
}

impl Default for QueueFilter {
    fn default() -> Self {
        QueueFilter {
            kinds: vec![],
            min_confidence: pii::HIGH_CONFIDENCE,
            limit: 100,
            offset: 0,
        }
    }
}

/// One open finding in the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRow {
    pub finding_id: i64,
    pub item_id: String,
    pub customer_id: String,
    pub customer_name: Option<String>,
    /// The item's `content.type` ("CHAT_MESSAGE").
    pub item_type: String,
    /// Its short word for the timeline ("chat", "email", "note").
    pub label: String,
    /// The conversation's channel, when recorded.
    pub channel: Option<String>,
    /// The item's time.
    pub timestamp: Millis,
    pub field: Field,
    pub kind: Kind,
    pub confidence: f32,
    pub preview: String,
}
