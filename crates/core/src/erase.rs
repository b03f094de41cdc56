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

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::access::{self, Actor, Permission};
use crate::audit::{self, Action, Entry, Outcome};
use crate::clock::{self, Millis};
use crate::error::{Error, Result};
use crate::format::ContentType;
use crate::search::{self, Field};
use crate::store::erase::{self as db, Held, ItemRow, PartRow};
use crate::store::forensic::{self, ProfileSample, Scan};
use crate::store::{self, Checkpoint, Read, Store, Write};

/// What the timeline shows in place of a deleted item.
pub const ITEM_DELETED: &str = "This item has been deleted";
/// What the timeline shows in place of a deleted recording.
pub const RECORDING_DELETED: &str = "Recording has been deleted";

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

/// What a Contact-level deletion will remove, for the confirm dialog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemPreview {
    pub items: usize,
    pub attachments: usize,
    pub recordings: usize,
    /// One line per thing that goes, e.g. `email "Re: refund" and 2 more
    /// messages in the thread, 3 attachments`. Customer text in it has its
    /// control characters replaced, so it is safe to print.
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemDeletion {
    pub items: usize,
    pub attachments: usize,
    pub recordings: usize,
    pub deleted_at: Millis,
    pub checkpoint_completed: bool,
    /// The byte scan of the database files for the deleted values, when
    /// verification ran (`None` for `Verify::Skip` or an in-memory store).
    pub verification: Option<Scan>,
    /// Values the scan found that live records still hold (see `Receipt`).
    pub values_held_elsewhere: usize,
    /// The audit trail's head right after this deletion's entry.
    pub audit_head: Option<audit::Head>,
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

/// Finds what an ID names: an item (an email means its thread), an
/// attachment or a recording.
pub fn resolve_item(store: &Store, id: &str) -> Result<ItemTarget> {
    let conn = &store.read();
    let id = id.trim();
    if let Some(item) = db::item(conn, id)? {
        let item_id = item.id;
        return Ok(if item.kind == ContentType::Email.as_str() {
            ItemTarget::Thread { item_id }
        } else {
            ItemTarget::Message { item_id }
        });
    }
    if db::attachment(conn, id)?.is_some() {
        return Ok(ItemTarget::Attachment {
            attachment_id: id.to_string(),
        });
    }
    if db::recording(conn, id)?.is_some() {
        return Ok(ItemTarget::Recording {
            recording_id: id.to_string(),
        });
    }
    Err(Error::NotFound {
        what: "item, attachment or recording",
        id: id.to_string(),
    })
}

/// What a target resolves to, read in the transaction that deletes it.
struct ItemPlan {
    action: Action,
    /// Items to tombstone (not deleted yet).
    items: Vec<ItemRow>,
    attachment: Option<PartRow>,
    recording: Option<PartRow>,
    /// A voicemail whose transcript goes with its recording.
    transcript_of: Option<String>,
    attachments: usize,
    recordings: usize,
    lines: Vec<String>,
}

fn already_deleted(what: &'static str, id: &str, at: Millis) -> Error {
    Error::AlreadyDeleted {
        what,
        id: id.to_string(),
        at: clock::minute(at),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Customer text made safe to print on one line (`text::safe_line`, with
/// line breaks and tabs as spaces), and long text cut.
fn clean(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let flat = crate::text::safe_line(&flat);
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > max {
        let cut: String = flat.chars().take(max).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

fn label(kind: &str) -> &'static str {
    ContentType::parse(kind).map_or("item", ContentType::label)
}

fn size(bytes: i64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1 << 20) as f64),
        b if b >= 1 << 10 => format!("{} KB", b >> 10),
        b => format!("{b} bytes"),
    }
}

fn duration(seconds: Option<i64>) -> String {
    seconds.map_or(String::new(), |s| format!(" ({}:{:02})", s / 60, s % 60))
}

fn plan_item(conn: &Read, target: &ItemTarget) -> Result<ItemPlan> {
    let mut plan = ItemPlan {
        action: crate::audit::DELETE_ITEM,
        items: vec![],
        attachment: None,
        recording: None,
        transcript_of: None,
        attachments: 0,
        recordings: 0,
        lines: vec![],
    };
    match target {
        ItemTarget::Message { item_id } | ItemTarget::Thread { item_id } => {
            let item = db::item(conn, item_id)?.ok_or_else(|| Error::NotFound {
                what: "item",
                id: item_id.clone(),
            })?;
            let thread = matches!(target, ItemTarget::Thread { .. })
                || item.kind == ContentType::Email.as_str();
            let items = match (&item.thread_id, thread) {
                (Some(t), true) => db::thread_items(conn, &item.customer_id, t)?,
                _ => vec![item.clone()],
            };
            let live: Vec<ItemRow> = items
                .into_iter()
                .filter(|i| i.deleted_at.is_none())
                .collect();
            if live.is_empty() {
                return Err(already_deleted(
                    "item",
                    &item.id,
                    item.deleted_at.unwrap_or_default(),
                ));
            }
            for i in &live {
                let (a, r) = db::live_parts(conn, &i.id)?;
                plan.attachments += a;
                plan.recordings += r;
            }
            let mut line = if thread {
                plan.action = audit::DELETE_THREAD;
                let subject = item
                    .subject
                    .as_deref()
                    .map_or("(no subject)".to_string(), |s| {
                        format!("\"{}\"", clean(s, 60))
                    });
                let mut line = format!("{} {subject}", label(&item.kind));
                if live.len() > 1 {
                    line += &format!(
                        " and {} in the thread",
                        plural(live.len() - 1, "more message", "more messages")
                    );
                }
                line
            } else {
                let mut line =
                    format!("{} of {}", label(&item.kind), clock::minute(item.timestamp));
                if let Some(body) = item.body.as_deref().filter(|b| !b.trim().is_empty()) {
                    line += &format!(" \"{}\"", clean(body, 40));
                }
                line
            };
            if plan.attachments > 0 {
                line += &format!(
                    ", {}",
                    plural(plan.attachments, "attachment", "attachments")
                );
            }
            if plan.recordings > 0 {
                line += ", its recording";
            }
            plan.lines.push(line);
            plan.items = live;
        }
        ItemTarget::Attachment { attachment_id } => {
            plan.action = audit::DELETE_ATTACHMENT;
            let a = db::attachment(conn, attachment_id)?.ok_or_else(|| Error::NotFound {
                what: "attachment",
                id: attachment_id.clone(),
            })?;
            if let Some(at) = a.deleted_at {
                return Err(already_deleted("attachment", &a.id, at));
            }
            let name = a
                .filename
                .as_deref()
                .map_or("(no name)".to_string(), |f| format!("\"{}\"", clean(f, 60)));
            let kind = a.content_type.as_deref().map(|t| clean(t, 40));
            plan.lines.push(match kind {
                Some(k) => format!("attachment {name} ({k}, {})", size(a.file_size)),
                None => format!("attachment {name} ({})", size(a.file_size)),
            });
            plan.attachments = 1;
            plan.attachment = Some(a);
        }
        ItemTarget::Recording { recording_id } => {
            plan.action = audit::DELETE_RECORDING;
            let r = db::recording(conn, recording_id)?.ok_or_else(|| Error::NotFound {
                what: "recording",
                id: recording_id.clone(),
            })?;
            if let Some(at) = r.deleted_at {
                return Err(already_deleted("recording", &r.id, at));
            }
            let item = db::item(conn, &r.item_id)?;
            let mut line = match &item {
                Some(i) => format!(
                    "{} recording of {}{}",
                    label(&i.kind),
                    clock::minute(i.timestamp),
                    duration(r.duration_s)
                ),
                None => format!("recording{}", duration(r.duration_s)),
            };
            // A voicemail transcript is the recording in words: it goes too.
            if let Some(i) = item.filter(|i| {
                i.kind == ContentType::Voicemail.as_str()
                    && i.body.is_some()
                    && i.deleted_at.is_none()
            }) {
                line += " and its transcript";
                plan.transcript_of = Some(i.id);
            }
            plan.lines.push(line);
            plan.recordings = 1;
            plan.recording = Some(r);
        }
    }
    Ok(plan)
}

/// What deleting `target` would remove. Changes nothing.
pub fn preview_item(store: &Store, target: &ItemTarget) -> Result<ItemPreview> {
    let plan = plan_item(&store.read(), target)?;
    Ok(ItemPreview {
        items: plan.items.len(),
        attachments: plan.attachments,
        recordings: plan.recordings,
        lines: plan.lines,
    })
}

/// Deletes one item's content (an email: its whole thread), one attachment
/// or one recording, in one transaction, and verifies the result.
///
/// After this returns Ok, the deleted text and bytes are in no database
/// file, unless `checkpoint_completed` is false (a reader kept the old WAL
/// frames alive; the next checkpoint removes them). The items stay as
/// tombstones with their ID, type, time, initiator, conversation, thread
/// and duration. Refused with `Error::NotPermitted` unless the actor may
/// delete; nothing changes then.
pub fn delete_item(
    store: &mut Store,
    actor: &Actor,
    target: &ItemTarget,
    now: Millis,
) -> Result<ItemDeletion> {
    delete_item_with(store, actor, target, now, Verify::Full)
}

/// `delete_item` with a choice of verification.
pub fn delete_item_with(
    store: &mut Store,
    actor: &Actor,
    target: &ItemTarget,
    now: Millis,
    verify: Verify,
) -> Result<ItemDeletion> {
    let action = plan_item(&store.read(), target)?.action;
    access::require(store, actor, Permission::Delete, action)?;
    let (mut done, needles) = store.write(|conn| {
        let plan = plan_item(conn, target)?;
        let mut held = Vec::new();
        if verify != Verify::Skip {
            for i in &plan.items {
                db::item_values(conn, &i.id, &mut held)?;
            }
            if let Some(a) = &plan.attachment {
                db::attachment_values(conn, &a.id, &mut held)?;
            }
            if let Some(r) = &plan.recording {
                db::recording_values(conn, "id", &r.id, &mut held)?;
            }
            if let Some(id) = &plan.transcript_of {
                if let Some(i) = db::item(conn, id)? {
                    held.extend(i.body.map(Held::Text));
                }
            }
        }
        let mut done = ItemDeletion {
            deleted_at: now,
            ..ItemDeletion::default()
        };
        let mut entry = Entry::new(&actor.username, action);
        for i in &plan.items {
            let w = db::wipe_item(conn, &i.id, now)?;
            done.items += w.items;
            done.attachments += w.attachments;
            done.recordings += w.recordings;
            entry = entry.target(&i.id);
        }
        if let Some(a) = &plan.attachment {
            done.attachments += db::wipe_attachment(conn, &a.id, now)?;
            entry = entry.target(&a.id);
        }
        if let Some(r) = &plan.recording {
            done.recordings += db::wipe_recording(conn, &r.id, now)?;
            entry = entry.target(&r.id);
        }
        if let Some(id) = &plan.transcript_of {
            db::wipe_transcript(conn, id)?;
        }
        audit::append_at(
            conn,
            &entry
                .count("items", done.items as i64)
                .count("attachments", done.attachments as i64)
                .count("recordings", done.recordings as i64),
            now,
        )?;
        done.audit_head = audit::head(conn)?;
        Ok((done, needles_of(held)))
    })?;
    done.checkpoint_completed = store.checkpoint_truncate()?.completed;
    if verify != Verify::Skip {
        let (scan, elsewhere) = verify_gone(store, &needles, verify)?;
        done.verification = scan;
        done.values_held_elsewhere = elsewhere;
    }
    Ok(done)
}

/// Why a profile was deleted; kept on the skeleton row for reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
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
    /// attachments, recordings, orders, app data... Kinds with nothing to
    /// remove are left out.
    pub removes: Vec<(String, i64)>,
    /// Lines describing what is kept for reporting.
    pub keeps: Vec<String>,
    pub blocked_by: Option<(String, String)>,
}

impl ProfilePreview {
    /// `1 name, 2 emails, 1 phone, 14 items` — counts only, no PII.
    pub fn removes_line(&self) -> String {
        if self.removes.is_empty() {
            return "no personal data".into();
        }
        self.removes
            .iter()
            .map(|(k, n)| {
                let (one, many) = match k.as_str() {
                    "addresses" => ("address", "addresses"),
                    "external_ids" => ("external ID", "external IDs"),
                    "custom_attributes" => ("custom attribute", "custom attributes"),
                    "app_data" => ("app data record", "app data records"),
                    other => (other.trim_end_matches('s'), other),
                };
                plural(*n as usize, one, many)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The erasure receipt: proof of what was removed and how, with no PII
/// (IDs, counts, versions and the verification's numbers only).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Receipt {
    pub customer_id: String,
    pub operator: String,
    pub deleted_at: String,
    pub reason: Reason,
    /// Counts by kind: name, emails, phones, addresses, external_ids,
    /// custom_attributes, items (content), attachments, recordings, orders,
    /// app_data, search_keys, pii_findings.
    pub removed: BTreeMap<String, i64>,
    pub method: Vec<String>,
    pub lethe_version: String,
    pub sqlite_version: String,
    pub checkpoint: Checkpoint,
    /// The byte scan of the database files for the profile's values, read
    /// before the deletion. `values_found` counts only values no live record
    /// explains; it must be 0. `None` when verification was skipped, or ran
    /// once for a whole bulk run (see `BulkResult`).
    pub verification: Option<Scan>,
    /// Values the scan found that live records of other profiles also
    /// hold (a common name, a template sentence, the same attachment), so
    /// their presence is no remnant of this one.
    pub values_held_elsewhere: usize,
    /// The audit trail's head right after the entry that records this
    /// deletion: `lethe audit verify --head HASH` (or `--receipt FILE`)
    /// later proves that no entry up to it has been removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_head: Option<audit::Head>,
}

fn method(verified: bool) -> Vec<String> {
    let mut m: Vec<String> = [
        "single_transaction",
        "secure_delete",
        "search_key_purge",
        "pii_findings_purge",
        "wal_checkpoint_truncate",
    ]
    .map(String::from)
    .to_vec();
    if verified {
        m.push("forensic_scan".into());
    }
    m
}

/// What a profile deletion would do. Changes nothing.
pub fn preview_profile(store: &Store, customer_id: &str) -> Result<ProfilePreview> {
    let conn = &store.read();
    let row = db::customer(conn, customer_id)?.ok_or_else(|| Error::NotFound {
        what: "customer",
        id: customer_id.to_string(),
    })?;
    if let Some(at) = row.deleted_at {
        return Err(already_deleted("customer", customer_id, at));
    }
    let c = db::profile_counts(conn, customer_id)?;
    let mut removes: Vec<(String, i64)> = vec![];
    if row.name.is_some() {
        removes.push(("name".into(), 1));
    }
    for (kind, n) in [
        ("emails", c.emails),
        ("phones", c.phones),
        ("addresses", c.addresses),
        ("external_ids", c.external_ids),
        ("custom_attributes", c.custom_attributes),
        ("items", c.items),
        ("attachments", c.attachments),
        ("recordings", c.recordings),
        ("orders", c.orders),
        ("app_data", c.app_data),
    ] {
        if n > 0 {
            removes.push((kind.into(), n));
        }
    }
    let keeps = vec![
        format!("customer ID {}", row.id),
        format!(
            "{} (IDs, statuses, topics, channels, agents and dates)",
            plural(c.conversations as usize, "conversation", "conversations")
        ),
        format!(
            "{} as tombstones (IDs, types, timestamps and initiators)",
            plural(c.items as usize, "item", "items")
        ),
        plural(c.work_sessions as usize, "work session", "work sessions"),
    ];
    Ok(ProfilePreview {
        customer_id: row.id,
        name: row.name,
        removes,
        keeps,
        blocked_by: db::blocking_conversation(conn, customer_id)?,
    })
}

/// How one profile fared inside a deletion transaction.
enum Erased {
    Done(BTreeMap<String, i64>),
    Blocked {
        conversation_id: String,
        status: String,
    },
    NotFound,
    AlreadyDeleted(Millis),
}

/// A named point where a debug build can be made to abort, to test that a
/// crash mid-transaction leaves the profile whole.
fn crash_point(_name: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("LETHE_TEST_CRASH_AFTER").as_deref() == Ok(_name) {
        std::process::abort();
    }
}

/// Wipes one profile, read from its row in the caller's transaction, and
/// audits it there.
fn erase_one(
    conn: &Write,
    operator: &str,
    row: &db::CustomerRow,
    reason: Reason,
    now: Millis,
    held: Option<&mut Vec<Held>>,
    audit_each: bool,
) -> Result<Erased> {
    let customer_id = row.id.as_str();
    if let Some(at) = row.deleted_at {
        return Ok(Erased::AlreadyDeleted(at));
    }
    if let Some((conversation_id, status)) = db::blocking_conversation(conn, customer_id)? {
        return Ok(Erased::Blocked {
            conversation_id,
            status,
        });
    }
    if let Some(held) = held {
        db::profile_values(conn, customer_id, held)?;
    }
    let removed = db::wipe_profile(conn, row, reason.as_str(), now)?;
    crash_point("erase-profile-rows");
    if audit_each {
        let mut entry = Entry::new(operator, crate::audit::DELETE_PROFILE).target(customer_id);
        for (k, n) in removed.iter().filter(|(_, n)| **n > 0) {
            entry = entry.count(k, *n);
        }
        audit::append_at(conn, &entry, now)?;
    }
    Ok(Erased::Done(removed))
}

fn receipt(
    operator: &str,
    customer_id: &str,
    reason: Reason,
    now: Millis,
    removed: BTreeMap<String, i64>,
    checkpoint: Checkpoint,
    verified: bool,
) -> Receipt {
    Receipt {
        customer_id: customer_id.to_string(),
        operator: operator.to_string(),
        deleted_at: clock::format_ms(now),
        reason,
        removed,
        method: method(verified),
        lethe_version: env!("CARGO_PKG_VERSION").to_string(),
        sqlite_version: Store::sqlite_version().to_string(),
        checkpoint,
        verification: None,
        values_held_elsewhere: 0,
        audit_head: None,
    }
}

/// Deletes a whole Customer Profile in one transaction, keeping the non-PII
/// skeleton for reports, and verifies the files afterwards.
///
/// Guarantees: a crash leaves the profile either whole or fully erased;
/// after this returns Ok (with `checkpoint.completed`), no byte of the
/// profile's PII remains in the database files and search finds no trace
/// of it. Refused with `Error::OpenConversation` while a conversation is
/// OPEN or WAITING, with `Error::NotPermitted` unless the actor may delete,
/// `Error::NotFound` for an unknown ID; nothing changes then.
pub fn delete_profile(
    store: &mut Store,
    actor: &Actor,
    customer_id: &str,
    reason: Reason,
    now: Millis,
) -> Result<Receipt> {
    delete_profile_with(store, actor, customer_id, reason, now, Verify::Full)
}

/// `delete_profile` with a choice of verification.
pub fn delete_profile_with(
    store: &mut Store,
    actor: &Actor,
    customer_id: &str,
    reason: Reason,
    now: Millis,
    verify: Verify,
) -> Result<Receipt> {
    access::require(
        store,
        actor,
        Permission::Delete,
        crate::audit::DELETE_PROFILE,
    )?;
    let mut held = Vec::new();
    let gather = (verify != Verify::Skip).then_some(&mut held);
    let (erased, head) = store.write(|conn| {
        let Some(row) = db::customer(conn, customer_id)? else {
            return Ok((Erased::NotFound, None));
        };
        let erased = erase_one(conn, &actor.username, &row, reason, now, gather, true)?;
        Ok((erased, audit::head(conn)?))
    })?;
    let removed = match erased {
        Erased::Done(removed) => removed,
        Erased::NotFound => {
            return Err(Error::NotFound {
                what: "customer",
                id: customer_id.to_string(),
            })
        }
        Erased::AlreadyDeleted(at) => return Err(already_deleted("customer", customer_id, at)),
        Erased::Blocked {
            conversation_id,
            status,
        } => {
            return Err(Error::OpenConversation {
                customer_id: customer_id.to_string(),
                conversation_id,
                status,
            })
        }
    };
    let checkpoint = store.checkpoint_truncate()?;
    let mut r = receipt(
        &actor.username,
        customer_id,
        reason,
        now,
        removed,
        checkpoint,
        verify != Verify::Skip,
    );
    r.audit_head = head;
    if verify != Verify::Skip {
        let (scan, elsewhere) = verify_gone(store, &needles_of(held), verify)?;
        r.verification = scan;
        r.values_held_elsewhere = elsewhere;
    }
    Ok(r)
}

/// Options of a bulk deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkOptions {
    /// `Full` runs one scan at the end for every deleted value.
    pub verify: Verify,
    /// Profiles per transaction; the WAL is checkpointed once per batch.
    pub batch_size: usize,
}

impl Default for BulkOptions {
    fn default() -> Self {
        BulkOptions {
            verify: Verify::Full,
            batch_size: 2000,
        }
    }
}

/// How one profile of a bulk run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkOutcome {
    Deleted,
    Blocked {
        conversation_id: String,
        status: String,
    },
    NotFound,
    AlreadyDeleted {
        deleted_at: Millis,
    },
    /// A retention sweep's profile that was deleted, or had a Contact,
    /// after the sweep listed it: it is no longer due and is left alone.
    NotDue,
    /// This profile was rolled back; the others are unaffected.
    Failed(String),
}

/// Reported after each committed and checkpointed batch.
#[derive(Debug)]
pub struct BulkProgress<'a> {
    pub done: usize,
    pub total: usize,
    /// This batch's outcomes, in input order.
    pub outcomes: &'a [(String, BulkOutcome)],
    /// Receipts of this batch's deleted profiles (no verification: it runs
    /// once at the end, into `BulkResult`).
    pub receipts: &'a [Receipt],
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BulkResult {
    /// Every distinct input ID, in input order.
    pub outcomes: Vec<(String, BulkOutcome)>,
    pub deleted: usize,
    pub blocked: usize,
    pub not_found: usize,
    pub already_deleted: usize,
    pub not_due: usize,
    pub failed: usize,
    /// True when every batch's checkpoint completed.
    pub checkpoint_completed: bool,
    pub checkpoint_attempts: u32,
    /// One scan for the values of every profile deleted in the run.
    pub verification: Option<Scan>,
    pub values_held_elsewhere: usize,
    /// The run was stopped between profiles before the end of the list.
    pub cancelled: bool,
}

/// Deletes many profiles: batches of `options.batch_size` profiles, one
/// transaction per batch. A profile that fails is rolled back alone (its
/// batch is then erased again with a savepoint per profile), and a crash
/// loses at most the uncommitted batch, never part of a profile. Blocked,
/// unknown and already deleted profiles are reported, not errors. The WAL
/// is checkpointed after each batch. Each batch's deleted profiles get one
/// `delete-profile` audit entry, and the run one `delete-bulk` entry with
/// the totals.
///
/// Returns Err only when the whole run cannot go on (permission, a batch
/// that cannot commit); batches committed before that are reported through
/// `progress` and stay deleted.
pub fn delete_profiles(
    store: &mut Store,
    actor: &Actor,
    ids: &[String],
    reason: Reason,
    now: Millis,
    options: BulkOptions,
    progress: &mut dyn FnMut(&BulkProgress),
) -> Result<BulkResult> {
    let never = AtomicBool::new(false);
    delete_profiles_until(store, actor, ids, reason, now, options, progress, &never)
}

/// `delete_profiles`, stopping between profiles once `cancel` is set: the
/// profiles already erased stay erased (their batch commits), the rest are
/// untouched and absent from `outcomes`, and `cancelled` is true.
#[allow(clippy::too_many_arguments)]
pub fn delete_profiles_until(
    store: &mut Store,
    actor: &Actor,
    ids: &[String],
    reason: Reason,
    now: Millis,
    options: BulkOptions,
    progress: &mut dyn FnMut(&BulkProgress),
    cancel: &AtomicBool,
) -> Result<BulkResult> {
    let mut seen = HashSet::new();
    let targets: Vec<Target> = ids
        .iter()
        .filter(|id| seen.insert(id.as_str()))
        .map(|id| Target::Id(id))
        .collect();
    run_bulk(
        store, actor, &targets, reason, now, options, progress, cancel,
    )
}

/// A retention sweep's deletion: `delete_profiles_until` for the customer
/// rows `rows` (as `store::retention::overdue_rows` lists them), each read
/// in its batch's transaction and erased only if it is still live and its
/// last Contact is at or before `cutoff`. A profile deleted or contacted
/// since the listing is reported as `NotDue` and left alone, however long
/// the sweep has been running.
#[allow(clippy::too_many_arguments)]
pub fn delete_overdue_until(
    store: &mut Store,
    actor: &Actor,
    rows: &[i64],
    cutoff: Millis,
    now: Millis,
    options: BulkOptions,
    progress: &mut dyn FnMut(&BulkProgress),
    cancel: &AtomicBool,
) -> Result<BulkResult> {
    let targets: Vec<Target> = rows
        .iter()
        .map(|&rowid| Target::Overdue { rowid, cutoff })
        .collect();
    run_bulk(
        store,
        actor,
        &targets,
        Reason::Retention,
        now,
        options,
        progress,
        cancel,
    )
}

/// A profile a bulk run is asked to erase.
#[derive(Debug, Clone, Copy)]
enum Target<'a> {
    /// Named by ID (a list, a request).
    Id(&'a str),
    /// A retention sweep's customer row, erased if still overdue at
    /// `cutoff` when its batch reaches it.
    Overdue { rowid: i64, cutoff: Millis },
}

impl Target<'_> {
    /// The customer row to erase, or the outcome of a target that is left
    /// alone. Read in the batch's transaction: nothing can change it before
    /// the profile is erased.
    fn resolve(
        &self,
        conn: &Read,
    ) -> Result<std::result::Result<db::CustomerRow, (String, BulkOutcome)>> {
        Ok(match *self {
            Target::Id(id) => {
                db::customer(conn, id)?.ok_or_else(|| (id.to_string(), BulkOutcome::NotFound))
            }
            Target::Overdue { rowid, cutoff } => {
                match crate::store::retention::due_at(conn, rowid, cutoff)? {
                    Some((row, true)) => Ok(row),
                    Some((row, false)) => Err((row.id, BulkOutcome::NotDue)),
                    None => Err((format!("row {rowid}"), BulkOutcome::NotFound)),
                }
            }
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn run_bulk(
    store: &mut Store,
    actor: &Actor,
    targets: &[Target],
    reason: Reason,
    now: Millis,
    options: BulkOptions,
    progress: &mut dyn FnMut(&BulkProgress),
    cancel: &AtomicBool,
) -> Result<BulkResult> {
    access::require(store, actor, Permission::Delete, crate::audit::DELETE_BULK)?;
    let verify = options.verify != Verify::Skip;
    // A batch touches search-key pages all over the file; a cache that holds
    // them lets each page be written once per batch instead of spilling.
    let saved = crate::store::bulk::begin_erasure(&store.read())?;
    let writeback = store.early_writeback();
    let result = bulk_batches(
        store, actor, targets, reason, now, options, progress, cancel, verify,
    );
    drop(writeback);
    crate::store::bulk::restore(&store.read(), saved)?;
    result
}

#[allow(clippy::too_many_arguments)]
fn bulk_batches(
    store: &mut Store,
    actor: &Actor,
    targets: &[Target],
    reason: Reason,
    now: Millis,
    options: BulkOptions,
    progress: &mut dyn FnMut(&BulkProgress),
    cancel: &AtomicBool,
    verify: bool,
) -> Result<BulkResult> {
    let mut result = BulkResult {
        checkpoint_completed: true,
        ..BulkResult::default()
    };
    let mut held = Vec::new();
    let mut done = 0;
    // Verification reads back the values of every profile up to
    // VERIFY_PROFILES, else of every `every`-th one: reading all of them
    // (message texts, file bytes) cost a third of a 100,000-profile sweep,
    // and the scan checks a sample of VERIFY_MAX values anyway.
    let every = if options.verify == Verify::Every {
        1
    } else {
        targets.len().div_ceil(VERIFY_PROFILES).max(1)
    };
    for batch in targets.chunks(options.batch_size.max(1)) {
        // Each batch is first erased as one piece, without a savepoint per
        // profile: opening and releasing one, and journaling each page it
        // changes, was a seventh of a sweep's instructions. If a profile
        // fails, that attempt is rolled back whole and the batch is erased
        // again with a savepoint per profile, so the failing profile is
        // left whole and the others go.
        let before = held.len();
        let step = Batch {
            operator: &actor.username,
            targets: batch,
            reason,
            now,
            cancel,
            sampled: |k: usize| verify && (done + k).is_multiple_of(every),
        };
        let (outcomes, removed, head) = match store.write(|conn| step.erase(conn, &mut held, false))
        {
            Ok(erased) => erased,
            Err(_) => {
                held.truncate(before);
                // The failed attempt may have spilled page images to the
                // WAL; empty it, so the redo writes the file from the start
                // and none of those images outlives its commit.
                store.checkpoint_truncate()?;
                store.write(|conn| step.erase(conn, &mut held, true))?
            }
        };
        done += outcomes.len();
        let stopped = outcomes.len() < batch.len();
        // The last batch leaves the WAL empty; the ones before it leave the
        // file's length for the next batch to overwrite, which is as clean
        // and spares the file system allocating new WAL pages (on a 1M
        // sweep, a fifth of the kernel's time; docs/PERFORMANCE.md).
        let checkpoint = if stopped || done == targets.len() {
            store.checkpoint_truncate()?
        } else {
            store.checkpoint_restart()?
        };
        result.checkpoint_completed &= checkpoint.completed;
        result.checkpoint_attempts += checkpoint.attempts;
        let receipts: Vec<Receipt> = removed
            .into_iter()
            .map(|(id, r)| Receipt {
                audit_head: head.clone(),
                ..receipt(&actor.username, &id, reason, now, r, checkpoint, false)
            })
            .collect();
        for (_, o) in &outcomes {
            match o {
                BulkOutcome::Deleted => result.deleted += 1,
                BulkOutcome::Blocked { .. } => result.blocked += 1,
                BulkOutcome::NotFound => result.not_found += 1,
                BulkOutcome::AlreadyDeleted { .. } => result.already_deleted += 1,
                BulkOutcome::NotDue => result.not_due += 1,
                BulkOutcome::Failed(_) => result.failed += 1,
            }
        }
        progress(&BulkProgress {
            done,
            total: targets.len(),
            outcomes: &outcomes,
            receipts: &receipts,
        });
        result.outcomes.extend(outcomes);
        if stopped {
            result.cancelled = true;
            break;
        }
    }
    let mut summary = Entry::new(&actor.username, crate::audit::DELETE_BULK)
        .count("deleted", result.deleted as i64)
        .count("blocked", result.blocked as i64)
        .count("not_found", result.not_found as i64)
        .count("already_deleted", result.already_deleted as i64);
    if result.not_due > 0 {
        summary = summary.count("not_due", result.not_due as i64);
    }
    let summary = summary.count("failed", result.failed as i64).outcome(
        if result.failed > 0 || result.cancelled {
            Outcome::Partial
        } else {
            Outcome::Ok
        },
    );
    store.write(|conn| audit::append(conn, &summary))?;
    if verify {
        let (mut scan, elsewhere) = verify_gone(store, &needles_of(held), options.verify)?;
        if let Some(scan) = scan.as_mut().filter(|_| every > 1) {
            let sampled = result
                .outcomes
                .iter()
                .enumerate()
                .filter(|(i, (_, o))| i % every == 0 && *o == BulkOutcome::Deleted)
                .count();
            scan.profile_sample = Some(ProfileSample {
                sampled,
                of: result.deleted,
            });
        }
        result.verification = scan;
        result.values_held_elsewhere = elsewhere;
    }
    Ok(result)
}

/// What a batch did: each profile's outcome, in input order, and what was
/// removed from each deleted profile.
type BatchDone = (
    Vec<(String, BulkOutcome)>,
    Vec<(String, BTreeMap<String, i64>)>,
    Option<audit::Head>,
);

/// One batch of a bulk deletion.
struct Batch<'a, F: Fn(usize) -> bool> {
    operator: &'a str,
    targets: &'a [Target<'a>],
    reason: Reason,
    now: Millis,
    cancel: &'a AtomicBool,
    /// Whether the values of the batch's `k`-th profile are read back
    /// for verification.
    sampled: F,
}

impl<F: Fn(usize) -> bool> Batch<'_, F> {
    /// Erases the batch's profiles in the caller's transaction, stopping
    /// between profiles once cancelled, and appends one audit entry for
    /// them. With `isolate`, each profile has its own savepoint and one
    /// that fails is rolled back alone and reported; without it, a failure
    /// is returned and the caller rolls the whole batch back.
    fn erase(&self, conn: &Write, held: &mut Vec<Held>, isolate: bool) -> Result<BatchDone> {
        let mut outcomes = Vec::with_capacity(self.targets.len());
        let mut removed = Vec::new();
        for (k, target) in self.targets.iter().enumerate() {
            if self.cancel.load(Ordering::Relaxed) {
                break;
            }
            let row = match target.resolve(conn)? {
                Ok(row) => row,
                Err(skipped) => {
                    outcomes.push(skipped);
                    continue;
                }
            };
            let id = row.id.as_str();
            let before = held.len();
            let gather = (self.sampled)(k).then_some(&mut *held);
            let erase = |tx: &Write| {
                erase_one(
                    tx,
                    self.operator,
                    &row,
                    self.reason,
                    self.now,
                    gather,
                    false,
                )
            };
            // A failed savepoint fails the batch (SQLite already rolled it
            // all back: disk full, I/O error), so nothing is half done.
            let erased = if isolate {
                match store::savepoint(conn, erase)? {
                    Ok(erased) => erased,
                    Err(e) => {
                        held.truncate(before);
                        outcomes.push((id.to_string(), BulkOutcome::Failed(e.to_string())));
                        continue;
                    }
                }
            } else {
                erase(conn)?
            };
            outcomes.push((
                id.to_string(),
                match erased {
                    Erased::Done(r) => {
                        removed.push((id.to_string(), r));
                        BulkOutcome::Deleted
                    }
                    Erased::Blocked {
                        conversation_id,
                        status,
                    } => BulkOutcome::Blocked {
                        conversation_id,
                        status,
                    },
                    Erased::NotFound => BulkOutcome::NotFound,
                    Erased::AlreadyDeleted(at) => BulkOutcome::AlreadyDeleted { deleted_at: at },
                },
            ));
        }
        // One audit entry per batch, in the batch's transaction: the IDs
        // of every profile it erased and the summed counts. (A hash-chained
        // entry per profile cost a third of the run.)
        if !removed.is_empty() {
            let mut entry = Entry::new(self.operator, crate::audit::DELETE_PROFILE);
            let mut totals: BTreeMap<String, i64> = BTreeMap::new();
            for (id, r) in &removed {
                entry = entry.target(id);
                for (k, n) in r {
                    *totals.entry(k.clone()).or_default() += n;
                }
            }
            for (k, n) in totals.iter().filter(|(_, n)| **n > 0) {
                entry = entry.count(k, *n);
            }
            audit::append_at(conn, &entry, self.now)?;
        }
        Ok((outcomes, removed, audit::head(conn)?))
    }
}

/// The shortest value worth searching for: shorter ones turn up by chance.
const MIN_NEEDLE: usize = 6;
/// Texts up to this length are searched whole; longer ones by a window.
const WHOLE_TEXT: usize = 64;
const WINDOW: usize = 48;

/// The byte strings verification searches for, from the values a deletion
/// removes: identifying values whole, short texts whole, long texts and
/// file bytes by their most varied 48-byte window (a run of zeros or
/// spaces proves nothing), JSON by its string values.
fn needles_of(held: Vec<Held>) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut push = |b: &[u8]| {
        if b.len() >= MIN_NEEDLE && seen.insert(b.to_vec()) {
            out.push(b.to_vec());
        }
    };
    fn text_needle(s: &str) -> Option<&[u8]> {
        let s = s.trim();
        if s.len() <= WHOLE_TEXT {
            return Some(s.as_bytes());
        }
        window(s.as_bytes(), true, 8)
    }
    fn json_leaves<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::String(s) => out.push(s),
            serde_json::Value::Array(a) => a.iter().for_each(|x| json_leaves(x, out)),
            serde_json::Value::Object(m) => m.values().for_each(|x| json_leaves(x, out)),
            _ => {}
        }
    }
    for h in held {
        match h {
            Held::Exact(s) => push(s.trim().as_bytes()),
            Held::Text(s) => {
                if let Some(b) = text_needle(&s) {
                    push(b)
                }
            }
            Held::Json(s) => match serde_json::from_str::<serde_json::Value>(&s) {
                Ok(v) => {
                    let mut leaves = vec![];
                    json_leaves(&v, &mut leaves);
                    for leaf in leaves {
                        if let Some(b) = text_needle(leaf) {
                            push(b)
                        }
                    }
                }
                Err(_) => {
                    if let Some(b) = text_needle(&s) {
                        push(b)
                    }
                }
            },
            Held::Bytes(b) => {
                if b.len() <= WINDOW {
                    push(&b)
                } else if let Some(w) = window(&b, false, 12) {
                    push(w)
                }
            }
        }
    }
    out
}

/// The `WINDOW`-byte slice with the most distinct byte values among 16
/// evenly spaced candidates; `None` when even the best is too uniform.
/// For text, the window is cut on character boundaries.
fn window(bytes: &[u8], text: bool, min_distinct: usize) -> Option<&[u8]> {
    let last = bytes.len().checked_sub(WINDOW)?;
    let mut best: Option<(usize, &[u8])> = None;
    for k in 0..16 {
        let mut start = last * k / 15;
        let mut end = start + WINDOW;
        if text {
            while start < end && (bytes[start] & 0xC0) == 0x80 {
                start += 1;
            }
            while end < bytes.len() && end > start && (bytes[end] & 0xC0) == 0x80 {
                end -= 1;
            }
        }
        let w = &bytes[start..end];
        let mut distinct = [false; 256];
        w.iter().for_each(|b| distinct[*b as usize] = true);
        let score = distinct.iter().filter(|d| **d).count();
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, w));
        }
    }
    best.filter(|(s, _)| *s >= min_distinct).map(|(_, w)| w)
}

/// Verifies that `values`, just removed, are in no database file unless
/// live records hold them, and that the file's free space is all zero
/// (compacting once if not). Returns the scan and how many values live
/// records explain; `None` for an in-memory store.
pub fn verify_values(
    store: &Store,
    values: &[Vec<u8>],
    verify: Verify,
) -> Result<(Option<Scan>, usize)> {
    if verify == Verify::Skip {
        return Ok((None, 0));
    }
    let needles: Vec<Vec<u8>> = values
        .iter()
        .filter(|v| v.len() >= MIN_NEEDLE)
        .cloned()
        .collect();
    verify_gone(store, &needles, verify)
}

/// Scans the database files for the needles and checks the database
/// file's free space, and discounts hits that live records explain.
/// Returns the combined scan, whose `values_found` counts only unexplained
/// hits, and the number of explained ones. `None` for an in-memory store.
///
/// `Verify::Full` searches for up to `VERIFY_MAX` values, an evenly spaced
/// sample of a bigger run (the scan says so); `Verify::Every` searches for
/// every value, `VERIFY_MAX` per pass over the files. The structural check
/// needs no values and always covers the whole file.
fn verify_gone(
    store: &Store,
    needles: &[Vec<u8>],
    verify: Verify,
) -> Result<(Option<Scan>, usize)> {
    let Some(path) = store.path() else {
        return Ok((None, 0));
    };
    let sample: Vec<Vec<u8>>;
    let (checked, sampled_from) = if needles.len() > VERIFY_MAX && verify != Verify::Every {
        let step = needles.len() as f64 / VERIFY_MAX as f64;
        sample = (0..VERIFY_MAX)
            .map(|k| needles[(k as f64 * step) as usize].clone())
            .collect();
        (sample.as_slice(), Some(needles.len()))
    } else {
        (needles, None)
    };
    let (mut scan, mut elsewhere) = scan_once(store, path, checked)?;
    if !scan.is_clean() {
        // A file written by an older SQLite can keep old cell bytes in the
        // free space of its pages. Rebuild the file and look again.
        store.compact()?;
        (scan, elsewhere) = scan_once(store, path, checked)?;
        scan.compacted = true;
    }
    scan.sampled_from = sampled_from;
    Ok((Some(scan), elsewhere))
}

/// One verification of the files, in passes of at most `VERIFY_MAX`
/// values, with the hits that live records explain taken out of
/// `values_found`; returns the scan and how many were explained. The
/// store holds a read snapshot meanwhile, so that no checkpoint, of this
/// process or another, rewrites the database file under the scan.
fn scan_once(store: &Store, path: &std::path::Path, values: &[Vec<u8>]) -> Result<(Scan, usize)> {
    let (mut scan, found) = store.with_snapshot(|| {
        // The first pass also checks the free space; the others, for runs
        // of more than VERIFY_MAX values, look for the rest of them.
        let (first, rest) = values.split_at(values.len().min(VERIFY_MAX));
        let (mut scan, mut found) = forensic::verify(path, first)?;
        for part in rest.chunks(VERIFY_MAX) {
            let (s, f) = forensic::scan_each(path, part)?;
            found.extend(f);
            scan.values_checked += s.values_checked;
            scan.values_found += s.values_found;
            scan.bytes_scanned += s.bytes_scanned;
        }
        Ok((scan, found))
    })?;
    let hits: Vec<Vec<u8>> = values
        .iter()
        .zip(&found)
        .filter(|(_, hit)| **hit)
        .map(|(n, _)| n.clone())
        .collect();
    let held = db::held_by_live_records(&store.read(), &hits)?;
    let elsewhere = held.iter().filter(|h| **h).count();
    scan.values_found = hits.len() - elsewhere;
    Ok((scan, elsewhere))
}

/// How many values one verification pass checks at most.
const VERIFY_MAX: usize = 20_000;
/// A bulk run's verification reads back the values of at most about this
/// many profiles, evenly spaced through the run.
const VERIFY_PROFILES: usize = 1_000;

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
mod tests {
    use super::*;

    #[test]
    fn needles_skip_uniform_bytes_and_window_long_text() {
        let zeros = vec![0u8; 4096];
        let mut varied: Vec<u8> = (0..=255u8).collect();
        varied.extend(vec![0u8; 1000]);
        let long = format!(
            "{}MRK-BODY-7Q2 and more words{}",
            "x".repeat(200),
            "y".repeat(200)
        );
        let n = needles_of(vec![
            Held::Bytes(zeros),
            Held::Bytes(varied),
            Held::Text(long),
            Held::Json(r#"{"tier":"gold","note":"MRK-ATTR-7Q2"}"#.into()),
            Held::Exact("ab".into()),
        ]);
        assert_eq!(n.len(), 3, "{n:?}");
        assert!(n[0].len() == WINDOW && n[0].iter().any(|b| *b != 0));
        let text = String::from_utf8(n[1].clone()).unwrap();
        assert!(text.contains("MRK-BODY"), "{text}");
        assert_eq!(n[2], b"MRK-ATTR-7Q2");
    }

    #[test]
    fn text_windows_stay_on_character_boundaries() {
        let s = "é".repeat(100);
        let w = window(s.as_bytes(), true, 1).unwrap();
        assert!(std::str::from_utf8(w).is_ok());
    }

    #[test]
    fn list_lines_skip_blanks_and_comments() {
        let lines = target_lines("# header\ncus_1\n\n  a@b.example \n#x\n");
        assert_eq!(lines, vec![(2, "cus_1"), (4, "a@b.example")]);
    }

    #[test]
    fn clean_text_removes_escape_sequences() {
        assert_eq!(clean("hi\x1b[31m red\nline", 40), "hi␛[31m red line");
        assert_eq!(clean("a\u{202e}b", 40), "a�b");
        assert_eq!(clean("abcdef", 3), "abc…");
    }
}
