//! The Triage screen: open PII findings across all customers, newest
//! first, with the message around the selected finding, and one key each
//! to redact, dismiss, delete or open the item in its timeline. Also the
//! timeline's finding marks and `n`/`N`.

use std::collections::HashMap;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::super::action::{Action, Effect, Failure, PendingAction, TriageQueue};
use super::super::app::{App, Confirm, Modal, Tab};
use super::super::sanitize::{self, fit, truncate};
use super::customers::{self, Focus, OpenCustomer};
use crate::clock;
use crate::error::Result;
use crate::pii::{self, Kind};
use crate::store::Read;
use crate::timeline::Timeline;
use crate::triage::{
    self, Dismissal, FindingContext, QueueFilter, QueueRow, Redaction, RedactionPreview,
    ScanSummary,
};

mod update;
mod view;
pub use update::*;
pub use view::*;

/// Findings one load reads; the header says which ones are shown, and
/// moving past either end of the list reads the next or previous page.
pub const PAGE: usize = 200;

/// Timeline rows `n`/`N` and the jump from Triage read at most, so a key
/// press on a huge timeline stays quick.
pub const SEEK_LIMIT: usize = 20_000;

/// Rows read per step while seeking.
const CHUNK: usize = 200;

#[derive(Debug, Clone, Default)]
pub struct TriageState {
    /// None: every kind.
    pub kind: Option<Kind>,
    /// False: only findings at or above `pii::HIGH_CONFIDENCE`.
    pub all_confidence: bool,
    pub rows: Vec<QueueRow>,
    pub total: u64,
    /// Matching findings before `rows` (a multiple of `PAGE`).
    pub offset: usize,
    pub selected: usize,
    pub context: Option<std::result::Result<FindingContext, Failure>>,
    pub loaded: bool,
}

impl TriageState {
    pub fn filter(&self) -> QueueFilter {
        QueueFilter {
            kinds: self.kind.into_iter().collect(),
            min_confidence: if self.all_confidence {
                0.0
            } else {
                pii::HIGH_CONFIDENCE
            },
            limit: PAGE,
            offset: self.offset,
        }
    }

    fn current(&self) -> Option<&QueueRow> {
        self.rows.get(self.selected)
    }

    fn filter_text(&self) -> String {
        format!(
            "kind: {} · {}",
            self.kind.map_or("all", |k| k.label()),
            if self.all_confidence {
                "all confidences"
            } else {
                "high confidence only"
            }
        )
    }
}

/// all → card → iban → ssn → email → phone → ip → all.
fn next_kind(k: Option<Kind>) -> Option<Kind> {
    match k {
        None => Kind::ALL.first().copied(),
        Some(k) => {
            let i = Kind::ALL.iter().position(|x| *x == k).unwrap_or(0);
            Kind::ALL.get(i + 1).copied()
        }
    }
}

/// The offset of the last page of `total` findings (0 when there are none).
fn last_page(total: u64) -> usize {
    (total as usize).saturating_sub(1) / PAGE * PAGE
}

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

fn counts_text<'a>(counts: impl Iterator<Item = (&'a Kind, &'a usize)>) -> String {
    counts
        .map(|(k, n)| format!("{n} {}", k.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn redacted(r: &Redaction) -> String {
    let mut s = format!(
        "Redacted {} in item {}: {}.",
        crate::text::plural(r.total(), "value"),
        r.item_id,
        counts_text(r.spans_by_kind.iter())
    );
    if !r.checkpoint_completed {
        s.push_str(" Another reader kept the old text in the -wal file until the next checkpoint.");
    }
    if let Some(v) = &r.verification {
        s.push(' ');
        s.push_str(&v.headline());
    }
    s
}

pub fn dismissed(d: &Dismissal) -> String {
    format!(
        "Dismissed {} in item {} as a false positive.",
        crate::text::plural(d.finding_ids.len(), "finding"),
        d.item_id
    )
}

pub fn scanned(s: &ScanSummary) -> String {
    let mut line = format!(
        "Scanned {}: {} new, {} suppressed as dismissed.",
        crate::text::plural(s.items as usize, "item"),
        crate::text::plural(s.total_found() as usize, "finding"),
        s.suppressed
    );
    if s.not_utf8 > 0 {
        line += &format!(" {}", crate::triage::not_utf8_note(s.not_utf8));
    }
    line
}

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

#[cfg(test)]
mod tests;
