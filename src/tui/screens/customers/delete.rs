//! Choosing what to delete or save, and reacting to previews and results.
//! Nothing is deleted here: a confirmed `PendingAction` becomes an
//! `Effect::Execute` in the dialog's handler only.

use super::super::super::action::{Effect, PendingAction};
use super::super::super::app::Tab;
use super::super::super::sanitize;
use super::super::super::shell::{Modal, Shell, TypedConfirm};
use super::super::super::widgets::confirm;
use super::{CustomersState, Focus, Io, Msg, OpenCustomer};
use crate::clock;
use crate::erase::ItemTarget;
use crate::format::ContentType;
pub use crate::text::{plural, size};
use crate::timeline::{BlobRef, Item};

pub fn duration(seconds: i64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

fn selected_item(st: &CustomersState, row: usize) -> Option<&Item> {
    st.open.as_ref()?.timeline.item(row)
}

/// `d` on an item: straight to the preview when there is one thing to
/// delete, else a menu of the message, each attachment and the recording.
pub fn begin_delete_item(st: &mut CustomersState, sh: &mut Shell, row: usize) -> Vec<Effect> {
    let Some(item) = selected_item(st, row) else {
        sh.error("Select an item (not a conversation header) to delete it.");
        return vec![];
    };
    if item.is_deleted() {
        sh.error("This item has already been deleted.");
        return vec![];
    }
    let mut choices: Vec<(String, Effect)> = vec![];
    if item.kind == ContentType::Email {
        let n = item.thread_size;
        let what = if n > 1 {
            format!("The whole email thread ({n} messages, with their attachments)")
        } else {
            "The email (with its attachments)".to_string()
        };
        choices.push((
            what,
            Io::PreviewItem(ItemTarget::Thread {
                item_id: item.id.clone(),
            })
            .into(),
        ));
    } else {
        choices.push((
            format!("The {} (its content)", item.kind.label()),
            Io::PreviewItem(ItemTarget::Message {
                item_id: item.id.clone(),
            })
            .into(),
        ));
    }
    for a in item.attachments.iter().filter(|a| a.deleted_at.is_none()) {
        choices.push((
            format!(
                "Attachment {} ({}, {})",
                sanitize::line(a.filename.as_deref().unwrap_or(&a.id)),
                sanitize::line(a.content_type.as_deref().unwrap_or("unknown type")),
                size(a.size)
            ),
            Io::PreviewItem(ItemTarget::Attachment {
                attachment_id: a.id.clone(),
            })
            .into(),
        ));
    }
    if let Some(r) = item.recording.as_ref().filter(|r| r.deleted_at.is_none()) {
        choices.push((
            format!(
                "The recording ({}, {})",
                r.duration_s
                    .map(duration)
                    .unwrap_or_else(|| "no duration".into()),
                size(r.size)
            ),
            Io::PreviewItem(ItemTarget::Recording {
                recording_id: r.id.clone(),
            })
            .into(),
        ));
    }
    sh.menu("Delete what?", choices)
}

/// `s` on an item: save its attachment or recording (a menu when there
/// are several).
pub fn begin_save(st: &mut CustomersState, sh: &mut Shell, row: usize) -> Vec<Effect> {
    let Some(item) = selected_item(st, row) else {
        sh.error("Select an item with an attachment or recording to save a copy.");
        return vec![];
    };
    let mut choices: Vec<(String, Effect)> = vec![];
    for a in item
        .attachments
        .iter()
        .filter(|a| a.deleted_at.is_none() && a.has_data)
    {
        choices.push((
            format!(
                "Attachment {} ({})",
                sanitize::line(a.filename.as_deref().unwrap_or(&a.id)),
                size(a.size)
            ),
            Io::SaveBlob(BlobRef::Attachment(a.id.clone())).into(),
        ));
    }
    if let Some(r) = item
        .recording
        .as_ref()
        .filter(|r| r.deleted_at.is_none() && r.has_data)
    {
        choices.push((
            format!("The recording ({})", size(r.size)),
            Io::SaveBlob(BlobRef::Recording(r.id.clone())).into(),
        ));
    }
    if choices.is_empty() {
        sh.error("Nothing to save: this item holds no attachment or recording file.");
        return vec![];
    }
    sh.menu("Save a copy of what?", choices)
}

/// `D`: the highlighted result in the results list, else the open customer.
pub fn begin_delete_profile(st: &mut CustomersState, sh: &mut Shell) -> Vec<Effect> {
    let id = match st.focus {
        Focus::Results | Focus::Search => st.results.get(st.selected).map(|r| r.id.clone()),
        _ => st.open.as_ref().map(|o| o.profile.id.clone()),
    };
    match id {
        Some(id) => vec![Io::PreviewProfile(id).into()],
        None => {
            sh.error("Select a customer first.");
            vec![]
        }
    }
}

fn open_profile<'a>(st: &'a CustomersState, id: &str) -> Option<&'a OpenCustomer> {
    st.open.as_ref().filter(|o| o.profile.id == id)
}

pub(super) fn result(st: &mut CustomersState, sh: &mut Shell, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::ItemPreviewed(target, Ok(p)) => {
            sh.confirm(confirm::item_deletion(target, &p));
            vec![]
        }
        Msg::ItemPreviewed(_, Err(e)) => {
            sh.error(format!("Cannot delete this: {e}"));
            vec![]
        }
        Msg::ItemDeleted(Ok(d)) => {
            sh.info(format!(
                "Deleted {} at {} UTC.",
                crate::text::counts(&[
                    (d.items, "item"),
                    (d.attachments, "attachment"),
                    (d.recordings, "recording"),
                ]),
                clock::minute(d.deleted_at)
            ));
            vec![Io::Reload.into(), Effect::Changed(Tab::Customers)]
        }
        // Deleted meanwhile, by another console or a command beside this
        // one: what the admin wanted is true, and the timeline is stale.
        Msg::ItemDeleted(Err(e)) if matches!(e.error(), crate::Error::AlreadyDeleted { .. }) => {
            sh.info(e);
            vec![Io::Reload.into(), Effect::Changed(Tab::Customers)]
        }
        Msg::ItemDeleted(Err(e)) => {
            sh.error(format!("Nothing was deleted: {e}"));
            vec![]
        }
        Msg::ProfilePreviewed(Ok(p)) => {
            if let Some((conv, status)) = &p.blocked_by {
                sh.modals.push(Modal::Notice {
                    title: "This profile cannot be deleted".into(),
                    lines: vec![
                        format!("Customer {} has conversation {conv} in status {status}.", p.customer_id),
                        "Open work blocks deletion: close that conversation first, then delete the profile."
                            .into(),
                    ],
                });
                return vec![];
            }
            let expected = p
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or("delete")
                .to_string();
            sh.modals.push(Modal::TypedConfirm(Box::new(TypedConfirm {
                pending: PendingAction::DeleteProfile {
                    customer_id: p.customer_id.clone(),
                },
                customer_id: p.customer_id,
                removes: p.removes,
                keeps: p.keeps,
                expected,
                input: Default::default(),
                mismatch: false,
            })));
            vec![]
        }
        Msg::ProfilePreviewed(Err(e)) => {
            sh.error(format!("Cannot delete this profile: {e}"));
            vec![]
        }
        Msg::ProfileDeleted(id, Ok(receipt)) => {
            if let Some(i) = st.results.iter().position(|r| r.id == id) {
                st.results.remove(i);
                st.duplicate.remove(i);
                st.selected = st.selected.min(st.results.len().saturating_sub(1));
            }
            if open_profile(st, &id).is_some() {
                st.open = None;
                st.viewing = None;
                st.focus = Focus::Results;
            }
            // Replaces "Deleting customer … and verifying…" in the status bar.
            sh.info(format!("Deleted customer {id}; the receipt is open."));
            sh.modals.push(Modal::Receipt {
                receipt,
                saved: None,
            });
            vec![]
        }
        Msg::ProfileDeleted(_, Err(e)) => {
            sh.error(format!("The profile was not deleted: {e}"));
            vec![]
        }
        Msg::Saved(Ok(path)) => {
            sh.info(format!("Saved {} (readable by you only).", path.display()));
            vec![]
        }
        Msg::Saved(Err(e)) => {
            sh.error(format!("Nothing was saved: {e}"));
            vec![]
        }
        _ => vec![],
    }
}
