//! The Triage screen: open PII findings across all customers, newest
//! first, with the message around the selected finding, and one key each
//! to redact, dismiss, delete or open the item in its timeline. Also the
//! timeline's finding marks and `n`/`N`.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::super::action::{Action, Effect, Failure, Jump, PendingAction};
use super::super::sanitize::{self, fit, truncate};
use super::super::shell::{Confirm, Shell};
use crate::clock;
use crate::erase::{ItemPreview, ItemTarget};
use crate::pii::{self, Kind};
use crate::triage::{
    Dismissal, FindingContext, QueueFilter, QueueRow, Redaction, RedactionPreview, ScanSummary,
};

mod io;
mod update;
mod view;
pub use io::*;
pub use update::*;
pub use view::*;

/// What this screen asks the runtime to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Io {
    /// The page of the queue the state points at.
    Load,
    Context(i64),
    Dismiss(i64),
    Scan,
    PreviewRedaction {
        finding_id: i64,
        item_id: String,
    },
    /// Resolves the item's deletion target, then previews it (the same
    /// dialog as the timeline's `d`).
    PreviewDelete(String),
}

/// The answers to `Io` and to a confirmed redaction.
#[derive(Debug, Clone)]
pub enum Msg {
    Loaded(Result<Box<TriageQueue>, Failure>),
    Context(i64, Result<Box<FindingContext>, Failure>),
    /// A change finished: what to tell the admin, or why it failed.
    Done(Result<String, Failure>),
    RedactionPreviewed(i64, Result<RedactionPreview, Failure>),
    DeletePreviewed(Result<(ItemTarget, ItemPreview), Failure>),
}

/// One load of the queue.
#[derive(Debug, Clone)]
pub struct TriageQueue {
    pub rows: Vec<QueueRow>,
    /// Matching findings in all (rows holds at most a page of them).
    pub total: u64,
    /// How many matching findings come before `rows`: a multiple of the
    /// page size, moved back when a page was emptied.
    pub offset: usize,
    /// The selected row after the load, kept at the same index.
    pub selected: usize,
    pub context: Option<Result<FindingContext, Failure>>,
}

/// The queue is read afresh each time the screen is shown.
pub fn on_show(_st: &TriageState) -> Vec<Effect> {
    vec![Io::Load.into()]
}

/// Findings one load reads; the header says which ones are shown, and
/// moving past either end of the list reads the next or previous page.
pub const PAGE: usize = 200;

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

#[cfg(test)]
mod tests;
