//! The profile pane's data: everything held about a customer at a glance.

use super::clock::Millis;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Profile {
    pub id: String,
    pub name: Option<String>,
    /// Primary first.
    pub emails: Vec<String>,
    /// Primary first, with the phone type when known.
    pub phones: Vec<String>,
    /// One line per address.
    pub addresses: Vec<String>,
    /// (system, ID); the platform's own external ID is "external".
    pub external_ids: Vec<(String, String)>,
    pub custom_attributes: Vec<(String, String)>,
    pub created_at: Millis,
    pub last_contact_at: Option<Millis>,
    pub deleted_at: Option<Millis>,
    /// (conversation ID, status) of each OPEN or WAITING conversation.
    pub open_conversations: Vec<(String, String)>,
    pub counts: Counts,
}

/// What the profile holds. Attachments and recordings count only those
/// whose bytes are still held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub conversations: usize,
    pub items: usize,
    pub deleted_items: usize,
    pub attachments: usize,
    pub recordings: usize,
}
