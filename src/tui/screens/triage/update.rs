//! The triage screen's update: keys and results in, effects out.

use super::*;

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let len = app.triage.rows.len();
    let page = (app.size.1 as isize / 4).max(1);
    let delta = match action {
        Action::Up => Some(-1),
        Action::Down => Some(1),
        Action::PageUp => Some(-page),
        Action::PageDown => Some(page),
        Action::Top => Some(-(len as isize)),
        Action::Bottom => Some(len as isize),
        _ => None,
    };
    if let Some(d) = delta {
        let st = &mut app.triage;
        let before = st.selected;
        let wanted = st.selected as isize + d;
        let total = st.total as usize;
        // Past the end of the page: the next page, from its top; before
        // its start: the previous page, from its bottom. Top and Bottom
        // go to the first and last finding of all.
        let page_to = match action {
            Action::Top if st.offset > 0 => Some((0, 0)),
            Action::Bottom if st.offset + len < total => Some((last_page(st.total), PAGE - 1)),
            Action::Top | Action::Bottom => None,
            _ if wanted >= len as isize && st.offset + len < total => Some((st.offset + PAGE, 0)),
            _ if wanted < 0 && st.offset > 0 => Some((st.offset - PAGE, PAGE - 1)),
            _ => None,
        };
        if let Some((offset, selected)) = page_to {
            st.offset = offset;
            st.selected = selected;
            return vec![Effect::LoadTriage];
        }
        st.selected = wanted.clamp(0, len.saturating_sub(1) as isize) as usize;
        return match st.current() {
            Some(r) if st.selected != before => vec![Effect::LoadTriageContext(r.finding_id)],
            _ => vec![],
        };
    }
    match action {
        Action::CycleKind => {
            app.triage.kind = next_kind(app.triage.kind);
            app.triage.selected = 0;
            app.triage.offset = 0;
            vec![Effect::LoadTriage]
        }
        Action::ToggleConfidence => {
            app.triage.all_confidence = !app.triage.all_confidence;
            app.triage.selected = 0;
            app.triage.offset = 0;
            vec![Effect::LoadTriage]
        }
        Action::Refresh => vec![Effect::LoadTriage],
        Action::Scan => {
            app.info("Scanning…");
            vec![Effect::ScanNow]
        }
        Action::FocusSearch => {
            app.tab = Tab::Customers;
            app.customers.focus = Focus::Search;
            vec![]
        }
        Action::Redact | Action::Dismiss | Action::DeleteItem | Action::Open => {
            let Some(r) = app.triage.current() else {
                app.info("No finding selected.");
                return vec![];
            };
            match action {
                Action::Redact => vec![Effect::PreviewRedaction {
                    finding_id: r.finding_id,
                    item_id: r.item_id.clone(),
                }],
                Action::Dismiss => vec![Effect::DismissFinding(r.finding_id)],
                Action::DeleteItem => vec![Effect::PreviewItemById(r.item_id.clone())],
                _ => vec![Effect::OpenCustomerAt {
                    customer_id: r.customer_id.clone(),
                    item_id: r.item_id.clone(),
                }],
            }
        }
        _ => vec![],
    }
}

/// Results this module handles, whatever screen or dialog is on top. An
/// item deletion started here also reloads the queue.
pub fn is_result(app: &App, action: &Action) -> bool {
    match action {
        Action::ItemDeleted(_) => app.tab == Tab::Triage,
        a => matches!(
            a,
            Action::TriageLoaded(_)
                | Action::TriageContext(..)
                | Action::TriageDone(_)
                | Action::TriageOpened(..)
                | Action::ItemFindings(..)
                | Action::FindingRow(_)
                | Action::RedactionPreviewed(..)
        ),
    }
}

/// After a change: the queue again, and the open customer's marks.
pub(super) fn reload(app: &App) -> Vec<Effect> {
    let mut out = vec![Effect::LoadTriage];
    if let Some(o) = &app.customers.open {
        out.push(Effect::LoadItemFindings(o.profile.id.clone()));
    }
    out
}

pub fn result(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::TriageLoaded(Ok(q)) => {
            let q = *q;
            let st = &mut app.triage;
            st.rows = q.rows;
            st.total = q.total;
            st.offset = q.offset;
            st.selected = q.selected;
            st.context = q.context;
            st.loaded = true;
            vec![]
        }
        Action::TriageLoaded(Err(e)) => {
            app.error(format!("Could not read the findings: {e}"));
            vec![]
        }
        Action::TriageContext(id, r) => {
            if app.triage.current().map(|r| r.finding_id) == Some(id) {
                app.triage.context = Some(r.map(|b| *b));
            }
            vec![]
        }
        Action::TriageDone(Ok(msg)) => {
            app.info(msg);
            reload(app)
        }
        Action::TriageDone(Err(e)) => {
            app.error(format!("Nothing changed: {e}"));
            reload(app)
        }
        Action::ItemDeleted(r) => {
            let mut out = customers::update(app, Action::ItemDeleted(r));
            out.extend(reload(app));
            out
        }
        Action::RedactionPreviewed(finding_id, Ok(p)) => {
            begin_redact(app, finding_id, p);
            vec![]
        }
        Action::RedactionPreviewed(_, Err(e)) => {
            app.error(format!("Cannot redact this: {e}"));
            reload(app)
        }
        Action::TriageOpened(loaded, row) => {
            let ok = loaded.is_ok();
            let out = customers::update(app, Action::CustomerLoaded(loaded));
            if ok {
                app.tab = Tab::Customers;
                app.customers.focus = Focus::Timeline;
                if let Some(o) = app.customers.open.as_mut() {
                    o.selected = row.unwrap_or(0);
                    o.top = o.top.min(o.selected);
                }
                if row.is_none() {
                    app.info(
                        "The item is too far down the timeline to select; press n to find it.",
                    );
                }
            }
            out
        }
        Action::ItemFindings(id, r) => {
            match r {
                Ok(items) => {
                    if app.customers.open.as_ref().map(|o| &o.profile.id) == Some(&id) {
                        app.customers.flagged = items.into_iter().collect();
                    }
                }
                Err(e) => app.error(format!("Could not read the PII findings: {e}")),
            }
            vec![]
        }
        Action::FindingRow(Ok(Some(row))) => {
            if let Some(o) = app.customers.open.as_mut() {
                o.selected = row;
            }
            vec![]
        }
        Action::FindingRow(Ok(None)) => {
            app.info("No other item with open PII findings that way.");
            vec![]
        }
        Action::FindingRow(Err(e)) => {
            app.error(format!("Could not read the timeline: {e}"));
            vec![]
        }
        _ => vec![],
    }
}

pub(super) fn begin_redact(app: &mut App, finding_id: i64, p: RedactionPreview) {
    if p.spans.is_empty() {
        app.info("Nothing left to redact in this item; press S to rescan it.");
        return;
    }
    let mut lines: Vec<String> = p
        .spans
        .iter()
        .map(|s| {
            format!(
                "{} in the {}: {}",
                s.kind.label(),
                s.field.as_str(),
                sanitize::line(&s.preview)
            )
        })
        .collect();
    lines.push(String::new());
    lines.push(format!(
        "Item {}: each value becomes a label like {}; the rest of the text stays.",
        p.item_id,
        p.spans[0].kind.redaction_label()
    ));
    app.modals.push(Modal::Confirm(Confirm {
        pending: PendingAction::RedactFinding { finding_id },
        title: "Redact for good?".into(),
        lines,
        delete_focused: false,
    }));
}
