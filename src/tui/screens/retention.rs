//! The Retention screen: the policy in use and the last sweep; choose the
//! default or a custom number of days with a live preview of what it would
//! delete; save it (custom needs "I understand, use custom settings"); and
//! run a sweep in the background with a gauge and a cancel key.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, LineGauge, Paragraph};
use ratatui::Frame;
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

use super::super::action::{Action, Effect, PendingAction, RetentionInfo};
use super::super::app::{App, Confirm, Modal};
use super::super::keymap::Context;
use super::super::sanitize::{truncate, wrap};
use crate::clock;
use crate::retention::{parse_days, Policy, Preview, Progress, SweepReport};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Choice {
    #[default]
    Default,
    Custom,
}

#[derive(Debug, Clone)]
pub struct Sweep {
    pub progress: Progress,
    /// Shared with the sweep's thread: set, it stops between profiles.
    pub cancel: Arc<AtomicBool>,
}

#[derive(Debug, Clone, Default)]
pub struct RetentionState {
    pub info: Option<RetentionInfo>,
    pub choice: Choice,
    /// The days typed for a custom policy.
    pub input: Input,
    pub editing: bool,
    /// Generation of the newest days typed, and of the preview shown, so a
    /// slow preview never overwrites a newer one.
    pub preview_gen: u64,
    pub shown_gen: u64,
    pub preview: Option<Preview>,
    pub sweep: Option<Sweep>,
    pub report: Option<Box<SweepReport>>,
}

impl RetentionState {
    pub fn days(&self) -> Result<i64, String> {
        parse_days(self.input.value())
    }

    fn policy(&self) -> Option<Policy> {
        self.info.as_ref().map(|i| i.policy)
    }

    /// Asks for a preview of the typed days, or drops the old one when the
    /// text is not a valid number of days.
    fn repreview(&mut self) -> Vec<Effect> {
        self.preview_gen += 1;
        match (self.choice, self.days()) {
            (Choice::Custom, Ok(days)) => vec![Effect::PreviewRetention {
                generation: self.preview_gen,
                days,
            }],
            _ => {
                self.preview = None;
                self.shown_gen = self.preview_gen;
                vec![]
            }
        }
    }
}

pub fn context(st: &RetentionState) -> Context {
    if st.editing {
        Context::RetentionDays
    } else {
        Context::Retention
    }
}

pub fn is_result(action: &Action) -> bool {
    matches!(
        action,
        Action::RetentionLoaded(_)
            | Action::RetentionPreviewed(..)
            | Action::PolicySaved(_)
            | Action::SweepStarted(_)
            | Action::SweepProgress(_)
            | Action::SweepDone(_)
    )
}

fn confirm(app: &mut App, pending: PendingAction, title: &str, lines: Vec<String>) {
    app.modals.push(Modal::Confirm(Confirm {
        pending,
        title: title.into(),
        lines,
        delete_focused: false,
    }));
}

fn preview_lines(p: &Preview) -> Vec<String> {
    vec![
        format!("Deleted at once: {} profiles.", p.due_now),
        format!(
            "Overdue but kept while a conversation is open: {}.",
            p.blocked
        ),
        format!(
            "Then due within 30 days: {}; within 90 days: {}.",
            p.next_30_days, p.next_90_days
        ),
    ]
}

fn begin_save(app: &mut App) -> Vec<Effect> {
    let st = &mut app.retention;
    st.editing = false;
    match st.choice {
        Choice::Default if st.policy() == Some(Policy::RetainForever) => {
            app.info("The default policy is already in use.");
        }
        Choice::Default => confirm(
            app,
            PendingAction::SetRetention(Policy::RetainForever),
            "Use the default policy?",
            vec![Policy::RetainForever.describe() + "."],
        ),
        Choice::Custom => match st.days() {
            Err(why) => {
                st.editing = true;
                app.error(format!("Not saved: {why}."));
            }
            Ok(days) => {
                let policy = Policy::DeleteAfter { days };
                let mut lines = vec![policy.describe() + "."];
                if let Some(p) = st.preview.filter(|p| p.days == days) {
                    lines.extend(preview_lines(&p));
                }
                confirm(
                    app,
                    PendingAction::SetRetention(policy),
                    "Use a custom retention policy?",
                    lines,
                );
            }
        },
    }
    vec![]
}

fn begin_sweep(app: &mut App) -> Vec<Effect> {
    let st = &app.retention;
    if st.sweep.is_some() {
        app.info("A sweep is already running; c cancels it.");
        return vec![];
    }
    let Some(Policy::DeleteAfter { days }) = st.policy() else {
        app.error("The policy is the default (keep everything), so there is nothing to sweep; save a custom policy first.");
        return vec![];
    };
    let mut lines = vec![format!(
        "Every profile whose last Contact is {days} days ago or more, through the same erasure as a manual deletion."
    )];
    if let Some(p) = st.preview.filter(|p| p.days == days) {
        lines.push(format!(
            "Due now: {} profiles; kept while a conversation is open: {}.",
            p.due_now, p.blocked
        ));
    }
    lines.push("You can cancel between profiles; the rest stays for the next run.".into());
    confirm(
        app,
        PendingAction::RunSweep,
        "Run a retention sweep now?",
        lines,
    );
    vec![]
}

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let st = &mut app.retention;
    match action {
        Action::RetentionLoaded(Ok(info)) => {
            if !st.editing {
                match info.policy {
                    Policy::RetainForever => st.choice = Choice::Default,
                    Policy::DeleteAfter { days } => {
                        st.choice = Choice::Custom;
                        st.input = Input::new(days.to_string());
                    }
                }
            }
            st.info = Some(info);
            st.repreview()
        }
        Action::RetentionLoaded(Err(e)) => {
            app.error(format!("Could not read the retention policy: {e}"));
            vec![]
        }
        Action::RetentionPreviewed(generation, result) => {
            if generation <= st.shown_gen || generation > st.preview_gen {
                return vec![];
            }
            st.shown_gen = generation;
            match result {
                Ok(p) => st.preview = Some(p),
                Err(e) => {
                    st.preview = None;
                    app.error(format!("Could not compute the preview: {e}"));
                }
            }
            vec![]
        }
        Action::PolicySaved(Ok(_old)) => {
            let now = st.choice;
            app.info(match now {
                Choice::Default => "Saved: the default policy keeps all customer data.",
                Choice::Custom => "Saved: the custom policy is in use from now on.",
            });
            vec![Effect::LoadRetention]
        }
        Action::PolicySaved(Err(e)) => {
            app.error(format!("Not saved: {e}"));
            vec![]
        }
        Action::SweepStarted(cancel) => {
            st.sweep = Some(Sweep {
                progress: Progress::default(),
                cancel,
            });
            st.report = None;
            app.info("Sweep started; other screens stay usable, c cancels.");
            vec![]
        }
        Action::SweepProgress(p) => {
            if let Some(s) = st.sweep.as_mut() {
                s.progress = p;
            }
            vec![]
        }
        Action::SweepDone(result) => {
            st.sweep = None;
            match result {
                Ok(r) => {
                    let how = if r.cancelled { "cancelled" } else { "finished" };
                    let msg = format!(
                        "Sweep {how}: {} deleted, {} blocked, {} failed.",
                        r.deleted,
                        r.blocked.len(),
                        r.failed.len()
                    );
                    st.report = Some(r);
                    app.info(msg);
                }
                Err(e) => app.error(format!("The sweep stopped: {e}")),
            }
            vec![Effect::LoadRetention]
        }
        Action::Input(key) => {
            let before = st.input.value().to_string();
            st.input.handle_event(&crossterm::event::Event::Key(key));
            if st.input.value() == before {
                return vec![];
            }
            st.choice = Choice::Custom;
            st.repreview()
        }
        Action::Up | Action::Down => {
            st.choice = if matches!(action, Action::Up) {
                Choice::Default
            } else {
                Choice::Custom
            };
            st.repreview()
        }
        Action::Edit => {
            st.choice = Choice::Custom;
            st.editing = true;
            st.repreview()
        }
        Action::Back => {
            st.editing = false;
            vec![]
        }
        Action::Save => begin_save(app),
        Action::RunNow => begin_sweep(app),
        Action::Cancel => {
            match &st.sweep {
                Some(s) => {
                    s.cancel.store(true, Ordering::SeqCst);
                    app.info("Cancelling: the sweep stops after the current profile.");
                }
                None => app.info("No sweep is running."),
            }
            vec![]
        }
        Action::Refresh => vec![Effect::LoadRetention],
        Action::FocusSearch => super::super::app::go_to_search(app),
        _ => vec![],
    }
}

fn last_run_line(info: &RetentionInfo) -> String {
    match &info.last_run {
        None => "Last sweep: never run.".into(),
        Some(r) => format!(
            "Last sweep: {} · {} · {} deleted · {} blocked",
            clock::minute(r.started_at),
            r.state,
            r.deleted,
            r.blocked
        ),
    }
}

fn choice_lines(app: &App, w: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let st = &app.retention;
    let radio = |on: bool| if on { "(•)" } else { "( )" };
    let row_style = |c: Choice| {
        if st.choice == c && !st.editing {
            t.selected()
        } else {
            t.base()
        }
    };
    let field = format!("{:<6}", st.input.value());
    let mut lines = vec![
        Line::styled(
            truncate(
                &format!(
                    " {} Default: keep all customer data, delete nothing",
                    radio(st.choice == Choice::Default)
                ),
                w,
            ),
            row_style(Choice::Default),
        ),
        Line::from(vec![
            Span::styled(
                format!(
                    " {} Custom: delete a profile ",
                    radio(st.choice == Choice::Custom)
                ),
                row_style(Choice::Custom),
            ),
            Span::styled(
                format!("[{}]", truncate(&field, 8)),
                if st.editing { t.selected() } else { t.key() },
            ),
            Span::styled(" days after its last Contact", row_style(Choice::Custom)),
        ]),
    ];
    if st.choice == Choice::Custom {
        let (text, style) = match st.days() {
            Ok(d) => (format!("     ✓ {d} days"), t.ok()),
            Err(why) => (format!("     ✗ {why}"), t.error()),
        };
        lines.push(Line::styled(truncate(&text, w), style));
    }
    lines
}

fn preview_section(app: &App, w: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let st = &app.retention;
    if st.choice == Choice::Default {
        return vec![Line::styled(
            "The default deletes nothing automatically.",
            t.dim(),
        )];
    }
    let Some(p) = st.preview.filter(|_| st.days().is_ok()) else {
        let text = if st.days().is_ok() {
            "Preview: counting…"
        } else {
            "Preview: enter a valid number of days."
        };
        return vec![Line::styled(text, t.dim())];
    };
    let row = |label: &str, n: i64| Line::raw(truncate(&format!("  {label:<44}{n:>8}"), w));
    vec![
        Line::styled(
            truncate(
                &format!(
                    "Preview for {} days (last Contact on or before {}):",
                    p.days,
                    clock::date(p.cutoff)
                ),
                w,
            ),
            t.title(),
        ),
        row("deleted at once", p.due_now),
        Line::styled(
            truncate(
                &format!(
                    "  {:<44}{:>8}",
                    "overdue, BLOCKED by an open conversation", p.blocked
                ),
                w,
            ),
            if p.blocked > 0 { t.warn() } else { t.base() },
        ),
        row("due within the next 30 days", p.next_30_days),
        row("due within the next 90 days", p.next_90_days),
    ]
}

fn report_lines(app: &App, r: &SweepReport, w: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let how = if r.cancelled {
        "cancelled"
    } else {
        "completed"
    };
    let mut out = vec![Line::styled(
        truncate(
            &format!(
                "This sweep {how}: {} deleted · {} blocked · {} failed",
                r.deleted,
                r.blocked.len(),
                r.failed.len()
            ),
            w,
        ),
        t.title(),
    )];
    for (id, why) in &r.failed {
        out.push(Line::styled(
            truncate(&format!("Failed: {id}: {why}"), w),
            t.error(),
        ));
    }
    let verified = match &r.verification {
        Some(s) => (s.headline(), if s.is_clean() { t.ok() } else { t.error() }),
        None => ("Verification: not run.".into(), t.dim()),
    };
    out.extend(
        wrap(&verified.0, w)
            .into_iter()
            .map(|l| Line::styled(l, verified.1)),
    );
    if !r.checkpoint_completed {
        out.push(Line::styled(
            truncate(
                "Warning: the WAL checkpoint did not complete; run the sweep again.",
                w,
            ),
            t.warn(),
        ));
    }
    // Last, as the list can be long: what is above must stay in view.
    if !r.blocked.is_empty() {
        const SHOWN: usize = 30;
        let mut list: Vec<String> = r
            .blocked
            .iter()
            .take(SHOWN)
            .map(|b| format!("{} ({} {})", b.customer_id, b.conversation_id, b.status))
            .collect();
        if r.blocked.len() > SHOWN {
            list.push(format!("and {} more", r.blocked.len() - SHOWN));
        }
        let text = format!("Blocked: {}", list.join(", "));
        out.extend(
            wrap(&text, w)
                .into_iter()
                .map(|l| Line::styled(l, t.warn())),
        );
    }
    out
}

fn render_gauge(app: &App, frame: &mut Frame, area: Rect, s: &Sweep) {
    let p = s.progress;
    let ratio = if p.total == 0 {
        0.0
    } else {
        (p.done as f64 / p.total as f64).clamp(0.0, 1.0)
    };
    let cancelling = if s.cancel.load(Ordering::SeqCst) {
        " · cancelling…"
    } else {
        ""
    };
    let [bar, text] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    frame.render_widget(
        LineGauge::default()
            .ratio(ratio)
            .label(format!("Sweep {}/{} ", p.done, p.total))
            .filled_symbol("█")
            .unfilled_symbol("░")
            .filled_style(app.theme.ok()),
        bar,
    );
    let line = format!(
        "{} deleted · {} blocked{cancelling} · c cancels",
        p.deleted, p.blocked
    );
    frame.render_widget(Paragraph::new(truncate(&line, text.width as usize)), text);
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let st = &app.retention;
    let block = Block::bordered()
        .title(" Retention ")
        .border_style(app.theme.border(app.modals.is_empty()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let Some(info) = &st.info else {
        frame.render_widget(
            Paragraph::new(Line::styled("Loading…", app.theme.dim())),
            inner,
        );
        return;
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Policy: ", app.theme.title()),
            Span::raw(truncate(&info.policy.describe(), w.saturating_sub(8))),
        ]),
        Line::raw(truncate(&last_run_line(info), w)),
        Line::raw(""),
        Line::styled(
            "Change it (j/k choose, e edit the days, s save):",
            app.theme.dim(),
        ),
    ];
    let field_row = lines.len() + 1;
    lines.extend(choice_lines(app, w));
    lines.push(Line::raw(""));
    lines.extend(preview_section(app, w));
    let used = lines.len() as u16;
    let [top, bottom] =
        Layout::vertical([Constraint::Length(used + 1), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), top);
    if st.editing && app.modals.is_empty() {
        // After " (•) Custom: delete a profile [".
        let x = top.x + 31 + st.input.visual_cursor().min(8) as u16;
        frame.set_cursor_position((
            x.min(top.right().saturating_sub(1)),
            top.y + field_row as u16,
        ));
    }
    if let Some(s) = &st.sweep {
        render_gauge(app, frame, bottom, s);
    } else if let Some(r) = &st.report {
        frame.render_widget(Paragraph::new(report_lines(app, r, w)), bottom);
    } else {
        let hint = "x runs a sweep now (profiles due under the saved policy).";
        frame.render_widget(
            Paragraph::new(Line::styled(truncate(hint, w), app.theme.dim())),
            bottom,
        );
    }
}
