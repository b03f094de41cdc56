//! The triage screen's update: keys and results in, effects out.

use super::super::super::widgets::confirm;
use super::*;

pub fn update(st: &mut TriageState, sh: &mut Shell, action: Action) -> Vec<Effect> {
    let len = st.rows.len();
    let page = (sh.size.1 as isize / 4).max(1);
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
            return vec![Io::Load.into()];
        }
        st.selected = wanted.clamp(0, len.saturating_sub(1) as isize) as usize;
        return match st.current() {
            Some(r) if st.selected != before => vec![Io::Context(r.finding_id).into()],
            _ => vec![],
        };
    }
    match action {
        Action::CycleKind => {
            st.kind = next_kind(st.kind);
            st.selected = 0;
            st.offset = 0;
            vec![Io::Load.into()]
        }
        Action::ToggleConfidence => {
            st.all_confidence = !st.all_confidence;
            st.selected = 0;
            st.offset = 0;
            vec![Io::Load.into()]
        }
        Action::Refresh => vec![Io::Load.into()],
        Action::Scan => {
            sh.info("Scanning…");
            vec![Io::Scan.into()]
        }
        Action::FocusSearch => vec![Effect::Jump(Jump::Search)],
        Action::Redact | Action::Dismiss | Action::DeleteItem | Action::Open => {
            let Some(r) = st.current() else {
                sh.info("No finding selected.");
                return vec![];
            };
            match action {
                Action::Redact => vec![Io::PreviewRedaction {
                    finding_id: r.finding_id,
                    item_id: r.item_id.clone(),
                }
                .into()],
                Action::Dismiss => vec![Io::Dismiss(r.finding_id).into()],
                Action::DeleteItem => vec![Io::PreviewDelete(r.item_id.clone()).into()],
                _ => vec![Effect::Jump(Jump::Item {
                    customer_id: r.customer_id.clone(),
                    item_id: r.item_id.clone(),
                })],
            }
        }
        _ => vec![],
    }
}

/// The answers to this screen's effects.
pub fn result(st: &mut TriageState, sh: &mut Shell, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Loaded(Ok(q)) => {
            let q = *q;
            st.rows = q.rows;
            st.total = q.total;
            st.offset = q.offset;
            st.selected = q.selected;
            st.context = q.context;
            st.loaded = true;
            vec![]
        }
        Msg::Loaded(Err(e)) => {
            sh.error(format!("Could not read the findings: {e}"));
            vec![]
        }
        Msg::Context(id, r) => {
            if st.current().map(|r| r.finding_id) == Some(id) {
                st.context = Some(r.map(|b| *b));
            }
            vec![]
        }
        Msg::Done(Ok(msg)) => {
            sh.info(msg);
            vec![Io::Load.into()]
        }
        Msg::Done(Err(e)) => {
            sh.error(format!("Nothing changed: {e}"));
            vec![Io::Load.into()]
        }
        Msg::RedactionPreviewed(finding_id, Ok(p)) => {
            begin_redact(sh, finding_id, p);
            vec![]
        }
        Msg::RedactionPreviewed(_, Err(e)) => {
            sh.error(format!("Cannot redact this: {e}"));
            vec![Io::Load.into()]
        }
        Msg::DeletePreviewed(Ok((target, p))) => {
            sh.confirm(confirm::item_deletion(target, &p));
            vec![]
        }
        Msg::DeletePreviewed(Err(e)) => {
            sh.error(format!("Cannot delete this: {e}"));
            vec![]
        }
    }
}

pub(super) fn begin_redact(sh: &mut Shell, finding_id: i64, p: RedactionPreview) {
    if p.spans.is_empty() {
        sh.info("Nothing left to redact in this item; press S to rescan it.");
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
    sh.confirm(Confirm::new(
        PendingAction::RedactFinding { finding_id },
        "Redact for good?",
        lines,
    ));
}
