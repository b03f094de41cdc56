//! Choosing what to delete or save, and reacting to previews and results.
//! Nothing is deleted here: a confirmed `PendingAction` becomes an
//! `Effect::Execute` in the dialog's handler only.

use super::super::super::action::{Action, Effect, PendingAction};
use super::super::super::app::{App, Confirm, Menu, MenuThen, Modal, TypedConfirm};
use super::super::super::sanitize;
use super::{Focus, OpenCustomer};
use crate::clock;
use crate::erase::ItemTarget;
use crate::format::ContentType;
pub use crate::text::size;
use crate::timeline::{BlobRef, Item};

/// "1 item", "3 items".
pub fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

pub fn duration(seconds: i64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

fn selected_item(app: &App, row: usize) -> Option<&Item> {
    app.customers.open.as_ref()?.timeline.item(row)
}

/// `d` on an item: straight to the preview when there is one thing to
/// delete, else a menu of the message, each attachment and the recording.
pub fn begin_delete_item(app: &mut App, row: usize) -> Vec<Effect> {
    let Some(item) = selected_item(app, row) else {
        app.error("Select an item (not a conversation header) to delete it.");
        return vec![];
    };
    if item.is_deleted() {
        app.error("This item has already been deleted.");
        return vec![];
    }
    let mut choices: Vec<(String, MenuThen)> = vec![];
    if item.kind == ContentType::Email {
        let n = item.thread_size;
        let what = if n > 1 {
            format!("The whole email thread ({n} messages, with their attachments)")
        } else {
            "The email (with its attachments)".to_string()
        };
        choices.push((
            what,
            MenuThen::Preview(ItemTarget::Thread {
                item_id: item.id.clone(),
            }),
        ));
    } else {
        choices.push((
            format!("The {} (its content)", item.kind.label()),
            MenuThen::Preview(ItemTarget::Message {
                item_id: item.id.clone(),
            }),
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
            MenuThen::Preview(ItemTarget::Attachment {
                attachment_id: a.id.clone(),
            }),
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
            MenuThen::Preview(ItemTarget::Recording {
                recording_id: r.id.clone(),
            }),
        ));
    }
    open_menu(app, "Delete what?", choices)
}

/// `s` on an item: save its attachment or recording (a menu when there
/// are several).
pub fn begin_save(app: &mut App, row: usize) -> Vec<Effect> {
    let Some(item) = selected_item(app, row) else {
        app.error("Select an item with an attachment or recording to save a copy.");
        return vec![];
    };
    let mut choices: Vec<(String, MenuThen)> = vec![];
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
            MenuThen::Save(BlobRef::Attachment(a.id.clone())),
        ));
    }
    if let Some(r) = item
        .recording
        .as_ref()
        .filter(|r| r.deleted_at.is_none() && r.has_data)
    {
        choices.push((
            format!("The recording ({})", size(r.size)),
            MenuThen::Save(BlobRef::Recording(r.id.clone())),
        ));
    }
    if choices.is_empty() {
        app.error("Nothing to save: this item holds no attachment or recording file.");
        return vec![];
    }
    open_menu(app, "Save a copy of what?", choices)
}

fn open_menu(app: &mut App, title: &str, choices: Vec<(String, MenuThen)>) -> Vec<Effect> {
    if choices.len() == 1 {
        return menu_effect(&choices[0].1);
    }
    app.modals.push(Modal::Menu(Menu {
        title: title.to_string(),
        choices,
        selected: 0,
    }));
    vec![]
}

pub fn menu_effect(then: &MenuThen) -> Vec<Effect> {
    match then {
        MenuThen::Preview(t) => vec![Effect::PreviewItem(t.clone())],
        MenuThen::Save(b) => vec![Effect::SaveBlob(b.clone())],
    }
}

/// `D`: the highlighted result in the results list, else the open customer.
pub fn begin_delete_profile(app: &mut App) -> Vec<Effect> {
    let st = &app.customers;
    let id = match st.focus {
        Focus::Results | Focus::Search => st.results.get(st.selected).map(|r| r.id.clone()),
        _ => st.open.as_ref().map(|o| o.profile.id.clone()),
    };
    match id {
        Some(id) => vec![Effect::PreviewProfile(id)],
        None => {
            app.error("Select a customer first.");
            vec![]
        }
    }
}

fn open_profile<'a>(app: &'a App, id: &str) -> Option<&'a OpenCustomer> {
    app.customers.open.as_ref().filter(|o| o.profile.id == id)
}

pub fn result(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::ItemPreviewed(target, Ok(p)) => {
            let mut lines = p.lines.clone();
            lines.push(String::new());
            lines.push(format!(
                "{} will be erased for good.",
                crate::text::counts(&[
                    (p.items, "item"),
                    (p.attachments, "attachment"),
                    (p.recordings, "recording"),
                ])
            ));
            lines.push("The item stays in the timeline as \"This item has been deleted\".".into());
            app.modals.push(Modal::Confirm(Confirm {
                pending: PendingAction::DeleteItem(target),
                title: "Delete for good?".into(),
                lines,
                delete_focused: false,
            }));
            vec![]
        }
        Action::ItemPreviewed(_, Err(e)) => {
            app.error(format!("Cannot delete this: {e}"));
            vec![]
        }
        Action::ItemDeleted(Ok(d)) => {
            app.info(format!(
                "Deleted {} at {} UTC.",
                crate::text::counts(&[
                    (d.items, "item"),
                    (d.attachments, "attachment"),
                    (d.recordings, "recording"),
                ]),
                clock::minute(d.deleted_at)
            ));
            vec![Effect::ReloadCustomer]
        }
        // Deleted meanwhile, by another console or a command beside this
        // one: what the admin wanted is true, and the timeline is stale.
        Action::ItemDeleted(Err(e)) if matches!(e.error(), crate::Error::AlreadyDeleted { .. }) => {
            app.info(e);
            vec![Effect::ReloadCustomer]
        }
        Action::ItemDeleted(Err(e)) => {
            app.error(format!("Nothing was deleted: {e}"));
            vec![]
        }
        Action::ProfilePreviewed(Ok(p)) => {
            if let Some((conv, status)) = &p.blocked_by {
                app.modals.push(Modal::Notice {
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
            app.modals.push(Modal::TypedConfirm(Box::new(TypedConfirm {
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
        Action::ProfilePreviewed(Err(e)) => {
            app.error(format!("Cannot delete this profile: {e}"));
            vec![]
        }
        Action::ProfileDeleted(id, Ok(receipt)) => {
            let st = &mut app.customers;
            if let Some(i) = st.results.iter().position(|r| r.id == id) {
                st.results.remove(i);
                st.duplicate.remove(i);
                st.selected = st.selected.min(st.results.len().saturating_sub(1));
            }
            if open_profile(app, &id).is_some() {
                app.customers.open = None;
                app.customers.focus = Focus::Results;
            }
            // Replaces "Deleting customer … and verifying…" in the status bar.
            app.info(format!("Deleted customer {id}; the receipt is open."));
            app.modals.push(Modal::Receipt {
                receipt,
                saved: None,
            });
            vec![]
        }
        Action::ProfileDeleted(_, Err(e)) => {
            app.error(format!("The profile was not deleted: {e}"));
            vec![]
        }
        Action::Saved(Ok(path)) => {
            if let Some(Modal::Receipt { saved, .. }) = app.modals.last_mut() {
                *saved = Some(path.clone());
            }
            app.info(format!("Saved {} (readable by you only).", path.display()));
            vec![]
        }
        Action::Saved(Err(e)) => {
            app.error(format!("Nothing was saved: {e}"));
            vec![]
        }
        _ => vec![],
    }
}
