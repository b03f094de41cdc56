//! Erasure: one item (message, attachment, recording, email thread) or a
//! whole Customer Profile, irreversibly on disk.

use crate::access::Actor;
use crate::clock::Millis;
use crate::error::{Error, Result};
use crate::store::Store;

/// What a Contact-level deletion targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemTarget {
    /// One item's content (any type; for an email, use `Thread`).
    Message {
        item_id: String,
    },
    Attachment {
        attachment_id: String,
    },
    Recording {
        recording_id: String,
    },
    /// Every email in the thread of this item, with their attachments.
    Thread {
        item_id: String,
    },
}

/// What a Contact-level deletion will remove, for the confirm dialog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemPreview {
    pub items: usize,
    pub attachments: usize,
    pub recordings: usize,
    /// One line per thing that goes, e.g. "email \"Re: refund\" (3 messages)".
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemDeletion {
    pub items: usize,
    pub attachments: usize,
    pub recordings: usize,
    pub deleted_at: Millis,
    pub checkpoint_completed: bool,
}

pub fn preview_item(_store: &Store, _target: &ItemTarget) -> Result<ItemPreview> {
    Err(Error::Invalid("item deletion is not built yet".into()))
}

/// Deletes one item's content. After this returns, the deleted text and
/// bytes are in no database file.
pub fn delete_item(
    _store: &mut Store,
    _actor: &Actor,
    _target: &ItemTarget,
    _now: Millis,
) -> Result<ItemDeletion> {
    Err(Error::Invalid("item deletion is not built yet".into()))
}

/// Why a profile was deleted; kept on the skeleton row for reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reason {
    Manual,
    Retention,
}

/// What deleting a profile would remove and keep, for the confirm dialog
/// and `--dry-run`. `blocked_by` names the first OPEN or WAITING
/// conversation, which makes deletion impossible.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfilePreview {
    pub customer_id: String,
    /// Shown so the admin can type it to confirm; never stored or logged.
    pub name: Option<String>,
    /// (kind, count) of what goes: emails, phones, addresses, items,
    /// attachments, recordings, orders, app data...
    pub removes: Vec<(String, i64)>,
    /// Lines describing what is kept for reporting.
    pub keeps: Vec<String>,
    pub blocked_by: Option<(String, String)>,
}

/// The erasure receipt: proof of what was removed and how, with no PII.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Receipt {
    pub customer_id: String,
    pub operator: String,
    pub deleted_at: String,
    pub reason: Reason,
    pub removed: std::collections::BTreeMap<String, i64>,
    pub method: Vec<String>,
    pub lethe_version: String,
    pub sqlite_version: String,
    pub checkpoint: crate::store::Checkpoint,
    pub verification: Option<crate::store::forensic::Scan>,
}

pub fn preview_profile(_store: &Store, _customer_id: &str) -> Result<ProfilePreview> {
    Err(Error::Invalid("profile deletion is not built yet".into()))
}

/// Deletes a whole Customer Profile in one transaction, keeping the non-PII
/// skeleton for reports. Refused with `Error::OpenConversation` while a
/// conversation is OPEN or WAITING.
pub fn delete_profile(
    _store: &mut Store,
    _actor: &Actor,
    _customer_id: &str,
    _reason: Reason,
    _now: Millis,
) -> Result<Receipt> {
    Err(Error::Invalid("profile deletion is not built yet".into()))
}
