use super::*;
use crate::text::size;

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
    /// Set when the erasure ledger file could not be brought up to date.
    pub ledger_warning: Option<String>,
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
pub(super) struct ItemPlan {
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

pub(super) fn already_deleted(what: &'static str, id: &str, at: Millis) -> Error {
    Error::AlreadyDeleted {
        what,
        id: id.to_string(),
        at: clock::minute(at),
    }
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Customer text made safe to print on one line (`text::safe_line`, with
/// line breaks and tabs as spaces), and long text cut.
pub(super) fn clean(text: &str, max: usize) -> String {
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

pub(super) fn label(kind: &str) -> &'static str {
    ContentType::parse(kind).map_or("item", ContentType::label)
}

pub(super) fn duration(seconds: Option<i64>) -> String {
    seconds.map_or(String::new(), |s| format!(" ({}:{:02})", s / 60, s % 60))
}

pub(super) fn plan_item(conn: &Read, target: &ItemTarget) -> Result<ItemPlan> {
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
            ledger::append(
                conn,
                ledger::Erasure {
                    kind: ledger::Kind::Item,
                    id: &i.id,
                    customer_id: &i.customer_id,
                    reason: "manual",
                    at: now,
                },
            )?;
            done.items += w.items;
            done.attachments += w.attachments;
            done.recordings += w.recordings;
            entry = entry.target(&i.id);
        }
        if let Some(a) = &plan.attachment {
            done.attachments += db::wipe_attachment(conn, &a.id, now)?;
            let customer = part_customer(conn, a)?;
            ledger::append(
                conn,
                ledger::Erasure {
                    kind: ledger::Kind::Attachment,
                    id: &a.id,
                    customer_id: &customer,
                    reason: "manual",
                    at: now,
                },
            )?;
            entry = entry.target(&a.id);
        }
        if let Some(r) = &plan.recording {
            done.recordings += db::wipe_recording(conn, &r.id, now)?;
            let customer = part_customer(conn, r)?;
            ledger::append(
                conn,
                ledger::Erasure {
                    kind: ledger::Kind::Recording,
                    id: &r.id,
                    customer_id: &customer,
                    reason: "manual",
                    at: now,
                },
            )?;
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
    done.ledger_warning = ledger::mirror_warning(store);
    if verify != Verify::Skip {
        let (scan, elsewhere) = verify_gone(store, &needles, verify)?;
        done.verification = scan;
        done.values_held_elsewhere = elsewhere;
    }
    Ok(done)
}

/// The customer an attachment or recording belongs to, through its item.
fn part_customer(conn: &Read, part: &PartRow) -> Result<String> {
    Ok(db::item(conn, &part.item_id)?
        .map(|i| i.customer_id)
        .unwrap_or_default())
}
