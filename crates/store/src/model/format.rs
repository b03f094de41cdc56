//! The customer document: Lethe's JSON format, shaped after the platform's
//! REST objects. `import` reads it (one document per line), `export` and
//! `find` write it. See docs/FORMAT.md.
//!
//! Field order is fixed by these structs and maps keep insertion order, so
//! export → import → export gives byte-identical JSON.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerDoc {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub emails: Vec<EmailDoc>,
    #[serde(default)]
    pub phones: Vec<PhoneDoc>,
    #[serde(default)]
    pub addresses: Vec<AddressDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_customer_id: Option<String>,
    /// Other systems' IDs, e.g. `{"salesforce": "0035e00000AbCdE"}`.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub external_customer_ids: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub custom_attributes: Map<String, Value>,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Derived from the items on export; ignored on import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_contact_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_reason: Option<String>,
    #[serde(default)]
    pub conversations: Vec<ConversationDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub orders: Vec<OrderDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub app_data: Vec<AppDataDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmailDoc {
    pub original: String,
    /// Lowercased; filled in on import when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalized: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PhoneDoc {
    pub original: String,
    /// E.164; computed on import when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalized: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressDoc {
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConversationStatus {
    Open,
    Waiting,
    Closed,
}

impl ConversationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::Waiting => "WAITING",
            Self::Closed => "CLOSED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "OPEN" => Some(Self::Open),
            "WAITING" => Some(Self::Waiting),
            "CLOSED" => Some(Self::Closed),
            _ => None,
        }
    }

    /// Open work blocks deletion.
    pub fn blocks_deletion(self) -> bool {
        self != Self::Closed
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConversationDoc {
    pub id: String,
    pub status: ConversationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    #[serde(default)]
    pub items: Vec<ItemDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub work_sessions: Vec<WorkSessionDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkSessionDoc {
    pub id: String,
    pub agent_id: String,
    pub started_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemDoc {
    pub id: String,
    pub timestamp: String,
    pub initiator: Initiator,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    pub content: Content,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Initiator {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: InitiatorType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InitiatorType {
    Customer,
    Agent,
    App,
    System,
}

impl InitiatorType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "CUSTOMER",
            Self::Agent => "AGENT",
            Self::App => "APP",
            Self::System => "SYSTEM",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "CUSTOMER" => Some(Self::Customer),
            "AGENT" => Some(Self::Agent),
            "APP" => Some(Self::App),
            "SYSTEM" => Some(Self::System),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbound => "INBOUND",
            Self::Outbound => "OUTBOUND",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "INBOUND" => Some(Self::Inbound),
            "OUTBOUND" => Some(Self::Outbound),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContentType {
    ChatMessage,
    Email,
    Sms,
    PhoneCall,
    Voicemail,
    ConversationNote,
    FacebookMessage,
    InstagramDirect,
    Whatsapp,
    CustomerActivity,
    TopicChange,
    ConversationStatusChange,
}

impl ContentType {
    pub const ALL: [ContentType; 12] = [
        Self::ChatMessage,
        Self::Email,
        Self::Sms,
        Self::PhoneCall,
        Self::Voicemail,
        Self::ConversationNote,
        Self::FacebookMessage,
        Self::InstagramDirect,
        Self::Whatsapp,
        Self::CustomerActivity,
        Self::TopicChange,
        Self::ConversationStatusChange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChatMessage => "CHAT_MESSAGE",
            Self::Email => "EMAIL",
            Self::Sms => "SMS",
            Self::PhoneCall => "PHONE_CALL",
            Self::Voicemail => "VOICEMAIL",
            Self::ConversationNote => "CONVERSATION_NOTE",
            Self::FacebookMessage => "FACEBOOK_MESSAGE",
            Self::InstagramDirect => "INSTAGRAM_DIRECT",
            Self::Whatsapp => "WHATSAPP",
            Self::CustomerActivity => "CUSTOMER_ACTIVITY",
            Self::TopicChange => "TOPIC_CHANGE",
            Self::ConversationStatusChange => "CONVERSATION_STATUS_CHANGE",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// A short word for the timeline.
    pub fn label(self) -> &'static str {
        match self {
            Self::ChatMessage => "chat",
            Self::Email => "email",
            Self::Sms => "SMS",
            Self::PhoneCall => "call",
            Self::Voicemail => "voicemail",
            Self::ConversationNote => "note",
            Self::FacebookMessage => "Facebook",
            Self::InstagramDirect => "Instagram",
            Self::Whatsapp => "WhatsApp",
            Self::CustomerActivity => "app activity",
            Self::TopicChange => "topic",
            Self::ConversationStatusChange => "status",
        }
    }

    /// Whether this item is a Contact: a team-handled interaction that sets
    /// the Last Contact date. App activity, notes and status or topic
    /// changes are not.
    pub fn is_contact(self) -> bool {
        !matches!(
            self,
            Self::CustomerActivity
                | Self::ConversationNote
                | Self::TopicChange
                | Self::ConversationStatusChange
        )
    }

    pub fn has_recording(self) -> bool {
        matches!(self, Self::PhoneCall | Self::Voicemail)
    }
}

/// An item's content. One flat shape for every type: which fields a type
/// uses is checked on import (`import::validate`), so the format stays as
/// forgiving to read as the platform's JSON and exact to write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Content {
    #[serde(rename = "type")]
    pub kind: ContentType,
    /// Email subject; app activity title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Vec<String>>,
    /// The text: a message, an email body, a note, a voicemail transcript,
    /// an app activity's body.
    #[serde(default, alias = "body", skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// Seconds, for calls and voicemails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
    /// Type-specific extras kept as given: `cc`, `activityType`,
    /// `sourceName`, `link`, `topic`, `status`...
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<RecordingDoc>,
}

impl Content {
    pub fn new(kind: ContentType) -> Content {
        Content {
            kind,
            subject: None,
            from: None,
            to: None,
            content: None,
            thread_id: None,
            duration: None,
            extra: Map::new(),
            attachments: vec![],
            recording: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttachmentDoc {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    pub file_size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    /// The file's bytes, base64 (standard alphabet, padded). Optional on
    /// import; written by a full export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordingDoc {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<i64>,
    pub file_size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderDoc {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    pub placed_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_cents: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Line items, shipping address, tracking numbers, as the app sent them.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub details: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppDataDoc {
    pub app: String,
    pub payload: Value,
    pub updated_at: String,
}
