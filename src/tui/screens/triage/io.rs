//! What the triage screen's effects do: read the queue and a finding's
//! context, dismiss, scan, redact, and preview a deletion.

use super::super::super::action::failure;
use super::*;
use crate::erase;
use crate::error::Result;
use crate::session::Session;
use crate::store::Read;
use crate::triage;

/// Reads the queue with `st`'s filter, keeping the cursor's index, and the
/// context of the finding under it.
pub fn load(conn: &Read, st: &TriageState) -> Result<TriageQueue> {
    let mut f = st.filter();
    let total = triage::queue_len(conn, &f)?;
    // Clearing the last findings of the last page moves back a page.
    f.offset = f.offset.min(last_page(total));
    let rows = triage::queue(conn, &f)?;
    let selected = st.selected.min(rows.len().saturating_sub(1));
    let context = rows
        .get(selected)
        .map(|r| triage::context(conn, r.finding_id).map_err(Failure::from));
    Ok(TriageQueue {
        rows,
        total,
        offset: f.offset,
        selected,
        context,
    })
}

pub fn perform(session: &mut Session, st: &TriageState, io: Io) -> Action {
    let msg = match io {
        Io::Load => Msg::Loaded(failure(load(&session.read(), st).map(Box::new))),
        Io::Context(id) => Msg::Context(
            id,
            failure(triage::context(&session.read(), id).map(Box::new)),
        ),
        Io::Dismiss(id) => Msg::Done(failure(session.dismiss(id).map(|d| dismissed(&d)))),
        Io::Scan => Msg::Done(failure(session.scan(&mut ()).map(|s| scanned(&s)))),
        Io::PreviewRedaction {
            finding_id,
            item_id,
        } => Msg::RedactionPreviewed(
            finding_id,
            failure(triage::preview_redaction(&session.read(), &item_id, None)),
        ),
        Io::PreviewDelete(item_id) => {
            let store = session.store();
            let r = erase::resolve_item(store, &item_id)
                .and_then(|t| Ok((t.clone(), erase::preview_item(store, &t)?)));
            Msg::DeletePreviewed(failure(r))
        }
    };
    msg.into()
}

/// Redacts a confirmed finding's item.
pub fn redact(session: &mut Session, finding_id: i64) -> Action {
    let r = session.redact_finding_item(finding_id);
    Msg::Done(failure(r.map(|r| redacted(&r)))).into()
}
