//! Erasure: one item (message, attachment, recording, email thread) or a
//! whole Customer Profile, irreversibly on disk.
//!
//! How "irreversibly" is achieved: every connection runs with
//! `secure_delete=ON`, so SQLite zeroes the cells and pages a deletion
//! frees; search uses normalised B-tree keys (no FTS5 segments that keep
//! old tokens) and a profile's keys are deleted with it; PII findings of a
//! deleted item are deleted, not just closed; and after the transaction
//! commits, the WAL is checkpointed with TRUNCATE so no old page image
//! survives in `-wal`. Verification then searches the database files for
//! the values gathered before the deletion (see `Verify`).
//!
//! The permission check (`access::require`) runs before the write
//! transaction; the audit entry is written inside it, so it commits with
//! the change or not at all.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::access::{self, Actor, Permission};
use crate::audit::{self, Action, Entry, Outcome};
use crate::clock::{self, Millis};
use crate::error::{Error, Result};
use crate::format::ContentType;
use crate::ledger;
use crate::search::{self, Field};
use crate::store::erase::{self as db, Held, ItemRow, PartRow};
use crate::store::forensic::{self, ProfileSample, Scan};
use crate::store::{self, Checkpoint, Read, Store, Write};
pub use lethe_store::model::erase::Removed;

mod bulk;
mod item;
mod profile;
mod reapply;
mod verify;
pub use bulk::*;
pub use item::*;
pub use profile::*;
pub(crate) use reapply::reapply;
pub use verify::*;

/// What the timeline shows in place of a deleted item.
pub const ITEM_DELETED: &str = "This item has been deleted";
/// What the timeline shows in place of a deleted recording.
pub const RECORDING_DELETED: &str = "Recording has been deleted";
/// What the timeline shows in place of a deleted attachment.
pub const ATTACHMENT_DELETED: &str = "Attachment has been deleted";

/// What stays after a Contact-level deletion, as its confirmation says it:
/// the item's placeholder, or the attachment's or recording's.
pub fn what_stays(target: &ItemTarget) -> String {
    match target {
        ItemTarget::Message { .. } | ItemTarget::Thread { .. } => {
            format!("The item stays in the timeline as \"{ITEM_DELETED}\".")
        }
        ItemTarget::Attachment { .. } => {
            format!("The message stays; the attachment is shown as \"{ATTACHMENT_DELETED}\".")
        }
        ItemTarget::Recording { .. } => {
            format!("The call stays; the recording is shown as \"{RECORDING_DELETED}\".")
        }
    }
}

/// What a Contact-level deletion targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemTarget {
    /// One item's content (any type; an email is always deleted with its
    /// whole thread, as `Thread`).
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

/// Whether to prove the erasure by scanning the database files afterwards.
/// A full scan reads every byte of the files: milliseconds on a small
/// database, seconds on a multi-GB one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// The structural check of free space, and a search for the erased
    /// values: all of them up to `VERIFY_MAX`, else an evenly spaced
    /// sample of values and of a bulk run's profiles.
    Full,
    /// As `Full`, but every value of every profile is searched for, in as
    /// many passes over the files as that takes.
    Every,
    Skip,
}

impl Verify {
    /// The choice the command-line flags `--no-verify` (or
    /// `--skip-verify`) and `--verify-all` make.
    pub fn chosen(skip: bool, all: bool) -> Verify {
        match (skip, all) {
            (true, _) => Verify::Skip,
            (false, true) => Verify::Every,
            (false, false) => Verify::Full,
        }
    }
}

/// Why a profile was deleted; kept on the skeleton row for reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reason {
    Manual,
    Retention,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Manual => "manual",
            Reason::Retention => "retention",
        }
    }

    /// The reason `as_str` names, if it is one.
    pub fn parse(text: &str) -> Option<Reason> {
        [Reason::Manual, Reason::Retention]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// How a line of a deletion list was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    CustomerId,
    Email,
    Phone,
}

impl Lookup {
    pub fn as_str(self) -> &'static str {
        match self {
            Lookup::CustomerId => "customer ID",
            Lookup::Email => "email",
            Lookup::Phone => "phone",
        }
    }
}

/// Which profiles a customer ID, email or phone number names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Found(String),
    /// A customer ID of a profile deleted before.
    AlreadyDeleted(String),
    /// Several live profiles share this email or phone.
    Ambiguous(Vec<String>),
    NotFound,
}

/// Reads one line of a deletion list: a customer ID if one exists, else
/// an email (it has an `@`), else a phone number (digits and `+-(). `,
/// at least 7 digits, matched on E.164). Deleted profiles have no search
/// keys, so emails and phones find only live ones.
pub fn resolve_target(store: &Store, text: &str) -> Result<(Lookup, Resolution)> {
    let conn = &store.read();
    let text = text.trim();
    if let Some(row) = db::customer(conn, text)? {
        return Ok((
            Lookup::CustomerId,
            match row.deleted_at {
                Some(_) => Resolution::AlreadyDeleted(row.id),
                None => Resolution::Found(row.id),
            },
        ));
    }
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let (lookup, field) = if text.contains('@') {
        (Lookup::Email, Field::Email)
    } else if digits >= 7
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || "+-(). ".contains(c))
    {
        (Lookup::Phone, Field::Phone)
    } else {
        return Ok((Lookup::CustomerId, Resolution::NotFound));
    };
    let mut ids: Vec<String> = search::exact(conn, field, text)?
        .into_iter()
        .filter(|s| s.deleted_at.is_none())
        .map(|s| s.id)
        .collect();
    ids.dedup();
    Ok((
        lookup,
        match ids.len() {
            0 => Resolution::NotFound,
            1 => Resolution::Found(ids.remove(0)),
            _ => Resolution::Ambiguous(ids),
        },
    ))
}

/// The entries of a deletion list file: `(line number, text)`, skipping
/// blank lines and `#` comments.
pub fn target_lines(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

#[cfg(test)]
mod tests;
