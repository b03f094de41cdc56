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

use super::super::action::{Action, Effect, PendingAction, TriageQueue};
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
    pub context: Option<std::result::Result<FindingContext, String>>,
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
        .map(|r| triage::context(conn, r.finding_id).map_err(|e| e.to_string()));
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
fn reload(app: &App) -> Vec<Effect> {
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

fn begin_redact(app: &mut App, finding_id: i64, p: RedactionPreview) {
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

fn row_line(r: &QueueRow, w: usize) -> String {
    let who = r.customer_name.as_deref().unwrap_or(&r.customer_id);
    let channel = r.channel.as_deref().unwrap_or(&r.label);
    let s = format!(
        "{} {} {} {} {}",
        clock::minute(r.timestamp),
        fit(who, 18),
        fit(channel, 9),
        fit(r.kind.label(), 5),
        r.preview
    );
    truncate(&s, w)
}

/// The text with every open finding underlined and the focus reversed,
/// starting a little before the focus when the text is long.
fn context_lines(app: &App, c: &FindingContext, room: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let focus_ok = c.text.get(c.focus.start..c.focus.end).is_some();
    let mut from = 0;
    if focus_ok && c.focus.start > room / 2 {
        from = c.focus.start - room / 2;
        while !c.text.is_char_boundary(from) {
            from += 1;
        }
    }
    let mut marks: Vec<(usize, usize, Style)> = c
        .spans
        .iter()
        .filter(|s| s.finding_id != c.focus.finding_id && s.start >= from)
        .map(|s| {
            (
                s.start,
                s.end,
                Style::default().add_modifier(Modifier::UNDERLINED),
            )
        })
        .collect();
    if focus_ok {
        marks.push((
            c.focus.start,
            c.focus.end,
            t.base().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        ));
    }
    marks.sort_by_key(|m| m.0);
    let mut pieces: Vec<(String, Style)> = vec![];
    if from > 0 {
        pieces.push(("… ".into(), t.dim()));
    }
    let mut at = from;
    for (s, e, style) in marks {
        if s < at {
            continue;
        }
        if let (Some(before), Some(value)) = (c.text.get(at..s), c.text.get(s..e)) {
            pieces.push((before.to_string(), t.base()));
            pieces.push((value.to_string(), style));
            at = e;
        }
    }
    pieces.push((c.text.get(at..).unwrap_or_default().to_string(), t.base()));
    let mut lines = vec![Line::default()];
    for (text, style) in pieces {
        for (i, part) in sanitize::text(&text).split('\n').enumerate() {
            if i > 0 {
                lines.push(Line::default());
            }
            if !part.is_empty() {
                if let Some(l) = lines.last_mut() {
                    l.spans.push(Span::styled(part.to_string(), style));
                }
            }
        }
    }
    lines
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let st = &app.triage;
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let more = if st.total as usize > st.rows.len() {
        format!(
            " ({}–{})",
            st.offset + 1.min(st.rows.len()),
            st.offset + st.rows.len()
        )
    } else {
        String::new()
    };
    let block = Block::bordered()
        .title(format!(" Triage · {} open{more} ", st.total))
        .border_style(app.theme.border(app.modals.is_empty()));
    let inner = block.inner(top);
    frame.render_widget(block, top);
    let [filter, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let w = inner.width as usize;
    frame.render_widget(
        Paragraph::new(Line::styled(
            truncate(&format!("{} (f kind, c confidence)", st.filter_text()), w),
            app.theme.dim(),
        )),
        filter,
    );
    let ctx_block = Block::bordered()
        .title(" Message ")
        .border_style(app.theme.border(false));
    let ctx_inner = ctx_block.inner(bottom);
    if st.rows.is_empty() {
        let text = if !st.loaded {
            "Loading…"
        } else if st.kind.is_some() || !st.all_confidence {
            "No open findings match the filter."
        } else {
            "No open findings."
        };
        frame.render_widget(Paragraph::new(Line::styled(text, app.theme.dim())), list);
        frame.render_widget(ctx_block, bottom);
        return;
    }
    let h = list.height as usize;
    let first = crate::tui::widgets::first_visible(st.selected, h);
    let lines: Vec<Line> = st
        .rows
        .iter()
        .enumerate()
        .skip(first)
        .take(h)
        .map(|(i, r)| {
            let style = if i == st.selected {
                app.theme.selected()
            } else {
                app.theme.base()
            };
            Line::styled(fit(&row_line(r, w), w), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);

    let Some(row) = st.current() else {
        return;
    };
    let title = format!(
        " Message · {} · {} · item {} ",
        row.label,
        row.field.as_str(),
        row.item_id
    );
    let ctx_block = Block::bordered()
        .title(truncate(&title, bottom.width.saturating_sub(2) as usize))
        .border_style(app.theme.border(false));
    frame.render_widget(ctx_block, bottom);
    let room = ctx_inner.width as usize * ctx_inner.height as usize;
    let body: Vec<Line> = match &st.context {
        None => vec![Line::styled("Loading…", app.theme.dim())],
        Some(Err(e)) => vec![Line::styled(
            format!("Cannot show this message: {e}"),
            app.theme.error(),
        )],
        Some(Ok(c)) => {
            let mut l = vec![];
            if c.stale {
                l.push(Line::styled(
                    "Changed since the last scan; marks may be off (S to rescan).",
                    app.theme.warn(),
                ));
            }
            l.extend(context_lines(app, c, room));
            l
        }
    };
    frame.render_widget(Paragraph::new(body).wrap(Wrap { trim: false }), ctx_inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_filter_cycles_through_every_kind_and_back() {
        let mut k = None;
        let mut seen = vec![];
        for _ in 0..7 {
            k = next_kind(k);
            seen.push(k.map_or("all", |k| k.as_str()));
        }
        assert_eq!(seen, ["card", "iban", "ssn", "email", "phone", "ip", "all"]);
    }
}
