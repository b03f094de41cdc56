//! The retention screen's view.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, LineGauge, Paragraph};
use ratatui::Frame;

use super::super::super::sanitize::{truncate, wrap};
use super::super::super::shell::Shell;
use super::*;
use crate::clock;

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

fn choice_lines(st: &RetentionState, sh: &Shell, w: usize) -> Vec<Line<'static>> {
    let t = &sh.theme;
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

fn preview_section(st: &RetentionState, sh: &Shell, w: usize) -> Vec<Line<'static>> {
    let t = &sh.theme;
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

fn report_lines(sh: &Shell, r: &SweepReport, w: usize) -> Vec<Line<'static>> {
    let t = &sh.theme;
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
    out
}

/// The blocked profiles, one a line, from `scroll`, in `rows` lines: a
/// count heading the list, and where the window is when it does not fit.
fn blocked_lines(
    sh: &Shell,
    r: &SweepReport,
    scroll: usize,
    rows: usize,
    w: usize,
) -> Vec<Line<'static>> {
    let t = &sh.theme;
    let n = r.blocked.len();
    if n == 0 || rows < 2 {
        return vec![];
    }
    let room = rows - 1;
    let from = scroll.min(n.saturating_sub(room));
    let to = (from + room).min(n);
    let heading = if n <= room {
        format!("Blocked by an open conversation: {n}")
    } else {
        format!(
            "Blocked by an open conversation: {n} · {}–{to} shown, PgDn/PgUp scroll",
            from + 1
        )
    };
    let mut out = vec![Line::styled(truncate(&heading, w), t.warn())];
    for b in &r.blocked[from..to] {
        out.push(Line::raw(truncate(
            &format!(
                "  {}  conversation {} is {}",
                b.customer_id, b.conversation_id, b.status
            ),
            w,
        )));
    }
    out
}

fn render_gauge(sh: &Shell, frame: &mut Frame, area: Rect, s: &Sweep) {
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
            .filled_style(sh.theme.ok()),
        bar,
    );
    let line = format!(
        "{} deleted · {} blocked{cancelling} · c cancels",
        p.deleted, p.blocked
    );
    frame.render_widget(Paragraph::new(truncate(&line, text.width as usize)), text);
}

pub fn render(st: &RetentionState, sh: &Shell, frame: &mut Frame, area: Rect) {
    let block = Block::bordered()
        .title(" Retention ")
        .border_style(sh.theme.border(sh.modals.is_empty()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let Some(info) = &st.info else {
        frame.render_widget(
            Paragraph::new(Line::styled("Loading…", sh.theme.dim())),
            inner,
        );
        return;
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Policy: ", sh.theme.title()),
            Span::raw(truncate(&info.policy.describe(), w.saturating_sub(8))),
        ]),
        Line::raw(truncate(&last_run_line(info), w)),
        Line::raw(""),
        Line::styled(
            "Change it (j/k choose, e edit the days, s save):",
            sh.theme.dim(),
        ),
    ];
    let field_row = lines.len() + 1;
    lines.extend(choice_lines(st, sh, w));
    lines.push(Line::raw(""));
    lines.extend(preview_section(st, sh, w));
    let used = lines.len() as u16;
    let [top, bottom] =
        Layout::vertical([Constraint::Length(used + 1), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), top);
    if st.editing && sh.modals.is_empty() {
        // After " (•) Custom: delete a profile [".
        let x = top.x + 31 + st.input.visual_cursor().min(8) as u16;
        frame.set_cursor_position((
            x.min(top.right().saturating_sub(1)),
            top.y + field_row as u16,
        ));
    }
    if let Some(s) = &st.sweep {
        render_gauge(sh, frame, bottom, s);
    } else if let Some(r) = &st.report {
        let mut lines = report_lines(sh, r, w);
        let rows = (bottom.height as usize).saturating_sub(lines.len());
        lines.extend(blocked_lines(sh, r, st.report_scroll, rows, w));
        frame.render_widget(Paragraph::new(lines), bottom);
    } else {
        let hint = "x runs a sweep now (profiles due under the saved policy).";
        frame.render_widget(
            Paragraph::new(Line::styled(truncate(hint, w), sh.theme.dim())),
            bottom,
        );
    }
}
