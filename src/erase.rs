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
