//! The timeline's PII finding marks: `⚑` on items with open findings,
//! `n`/`N` to the next or previous one, and opening a customer at an item
//! (the jump from Triage).

use std::collections::HashMap;

use ratatui::text::Line;

use super::*;
use crate::error::Result;
use crate::store::Read;

/// Timeline rows `n`/`N` and the jump from Triage read at most, so a key
/// press on a huge timeline stays quick.
pub const SEEK_LIMIT: usize = 20_000;

/// Rows read per step while seeking.
const CHUNK: usize = 200;

/// Loads `t` chunk by chunk until the row of `item_id` (at most
/// `SEEK_LIMIT` rows).
pub fn find_row(conn: &Read, t: &mut Timeline, item_id: &str) -> Option<usize> {
    let end = t.len().min(SEEK_LIMIT);
    let mut start = 0;
    while start < end {
        let stop = (start + CHUNK).min(end);
        t.load_rows(conn, start..stop).ok()?;
        if let Some(r) = (start..stop).find(|&r| t.item(r).is_some_and(|i| i.id == item_id)) {
            return Some(r);
        }
        start = stop;
    }
    None
}

/// The next (or previous) timeline row after the selection whose item has
/// open findings, reading pages as it goes.
pub fn seek(
    conn: &Read,
    o: &mut OpenCustomer,
    flagged: &HashMap<String, usize>,
    forward: bool,
) -> Result<Option<usize>> {
    if flagged.is_empty() {
        return Ok(None);
    }
    let len = o.timeline.len();
    let t = &mut o.timeline;
    let hit = |t: &Timeline, r: usize| t.item(r).is_some_and(|i| flagged.contains_key(&i.id));
    if forward {
        let end = len.min(o.selected + 1 + SEEK_LIMIT);
        let mut start = o.selected + 1;
        while start < end {
            let stop = (start + CHUNK).min(end);
            t.load_rows(conn, start..stop)?;
            if let Some(r) = (start..stop).find(|&r| hit(t, r)) {
                return Ok(Some(r));
            }
            start = stop;
        }
    } else {
        let floor = o.selected.saturating_sub(SEEK_LIMIT);
        let mut stop = o.selected;
        while stop > floor {
            let start = stop.saturating_sub(CHUNK).max(floor);
            t.load_rows(conn, start..stop)?;
            if let Some(r) = (start..stop).rev().find(|&r| hit(t, r)) {
                return Ok(Some(r));
            }
            stop = start;
        }
    }
    Ok(None)
}

/// Puts the `⚑` mark in the first column of a timeline row (the column is
/// blank there, so widths and row heights do not change).
pub fn mark_flagged(lines: &mut [Line<'static>]) {
    let Some(span) = lines.first_mut().and_then(|l| l.spans.first_mut()) else {
        return;
    };
    let text = span.content.to_string();
    if let Some(rest) = text.strip_prefix(' ') {
        span.content = format!("⚑{rest}").into();
    }
}

/// The customer opened from Triage: shown at the item's row.
pub(super) fn opened_at(
    st: &mut CustomersState,
    sh: &mut Shell,
    loaded: std::result::Result<Box<(Profile, Timeline)>, Failure>,
    row: Option<usize>,
) -> Vec<Effect> {
    let ok = loaded.is_ok();
    let mut out = super::result(st, sh, Msg::Loaded(loaded));
    if ok {
        st.focus = Focus::Timeline;
        if let Some(o) = st.open.as_mut() {
            o.selected = row.unwrap_or(0);
            o.top = o.top.min(o.selected);
        }
        if row.is_none() {
            sh.info("The item is too far down the timeline to select; press n to find it.");
        }
        out.push(Effect::Jump(Jump::Tab(
            super::super::super::app::Tab::Customers,
        )));
    }
    out
}

/// The marks and the seek's answers.
pub(super) fn result(st: &mut CustomersState, sh: &mut Shell, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::ItemFindings(id, r) => match r {
            Ok(items) => {
                if st.open.as_ref().map(|o| &o.profile.id) == Some(&id) {
                    st.flagged = items.into_iter().collect();
                }
            }
            Err(e) => sh.error(format!("Could not read the PII findings: {e}")),
        },
        Msg::FindingRow(Ok(Some(row))) => {
            if let Some(o) = st.open.as_mut() {
                o.selected = row;
            }
        }
        Msg::FindingRow(Ok(None)) => sh.info("No other item with open PII findings that way."),
        Msg::FindingRow(Err(e)) => sh.error(format!("Could not read the timeline: {e}")),
        _ => {}
    }
    vec![]
}
