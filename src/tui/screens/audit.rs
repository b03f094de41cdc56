//! The audit trail: a filterable list of entries with the hash chain's
//! verification in the header.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

use super::super::action::{Action, Effect, Failure};
use super::super::keymap::Context;
use super::super::sanitize::{fit, truncate};
use super::super::shell::{Modal, Shell};
use crate::audit::{Filter, Row, Verification};
use crate::session::Session;

/// How many entries one load reads.
pub const LIMIT: usize = 2000;

#[derive(Debug, Clone, Default)]
pub struct AuditState {
    pub filter: Filter,
    pub input: Input,
    pub editing: bool,
    pub rows: Vec<Row>,
    pub verification: Option<Verification>,
    pub selected: usize,
    pub loaded: bool,
}

/// What this screen asks the runtime to read.
#[derive(Debug, Clone, PartialEq)]
pub enum Io {
    /// The entries that match the filter, and the chain's verification.
    Load(Filter),
}

/// The answers to `Io`.
#[derive(Debug, Clone)]
pub enum Msg {
    Loaded(Result<(Vec<Row>, Verification), Failure>),
}

pub fn context(st: &AuditState) -> Context {
    if st.editing {
        Context::AuditFilter
    } else {
        Context::Audit
    }
}

fn load(st: &AuditState) -> Vec<Effect> {
    vec![Io::Load(st.filter.clone()).into()]
}

/// The trail is read afresh each time the screen is shown.
pub fn on_show(st: &AuditState) -> Vec<Effect> {
    load(st)
}

/// Carries out an `Io` (on the key loop's thread: one indexed read).
pub fn perform(session: &Session, io: Io) -> Action {
    let Io::Load(filter) = io;
    let conn = &session.read();
    let r = crate::audit::list(conn, &filter, LIMIT)
        .and_then(|rows| Ok((rows, crate::audit::verify(conn)?)));
    Msg::Loaded(r.map_err(Failure::from)).into()
}

/// Reads `operator=alice action=delete-item date=2024-07` (a bare word is
/// an action, a bare date a date).
pub fn parse_filter(text: &str) -> Result<Filter, String> {
    let mut f = Filter::default();
    for token in text.split_whitespace() {
        let (k, v) = match token.split_once('=') {
            Some((k, v)) => (k, v),
            None if token.starts_with(|c: char| c.is_ascii_digit()) => ("date", token),
            None => ("action", token),
        };
        let v = Some(v.to_string()).filter(|v| !v.is_empty());
        match k {
            "operator" | "op" => f.operator = v,
            "action" => f.action = v,
            "date" => f.date = v,
            other => {
                return Err(format!(
                    "unknown filter \"{other}\"; use operator=, action= or date=YYYY-MM-DD"
                ))
            }
        }
    }
    Ok(f)
}

pub fn filter_text(f: &Filter) -> String {
    [
        ("operator", &f.operator),
        ("action", &f.action),
        ("date", &f.date),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
    .collect::<Vec<_>>()
    .join(" ")
}

pub fn update(st: &mut AuditState, sh: &mut Shell, action: Action) -> Vec<Effect> {
    let len = st.rows.len();
    let mv =
        |sel: usize, d: isize| (sel as isize + d).clamp(0, len.saturating_sub(1) as isize) as usize;
    match action {
        Action::Input(key) => {
            st.input.handle_event(&crossterm::event::Event::Key(key));
            vec![]
        }
        Action::FocusSearch => {
            st.editing = true;
            vec![]
        }
        Action::Cancel => {
            st.editing = false;
            st.input = Input::new(filter_text(&st.filter));
            vec![]
        }
        Action::Submit => match parse_filter(st.input.value()) {
            Ok(f) => {
                st.filter = f;
                st.editing = false;
                load(st)
            }
            Err(e) => {
                sh.error(e);
                vec![]
            }
        },
        Action::ClearFilter => {
            st.filter = Filter::default();
            st.input = Input::default();
            load(st)
        }
        Action::Refresh => load(st),
        Action::Up => {
            st.selected = mv(st.selected, -1);
            vec![]
        }
        Action::Down => {
            st.selected = mv(st.selected, 1);
            vec![]
        }
        Action::PageUp => {
            st.selected = mv(st.selected, -10);
            vec![]
        }
        Action::PageDown => {
            st.selected = mv(st.selected, 10);
            vec![]
        }
        Action::Top => {
            st.selected = 0;
            vec![]
        }
        Action::Bottom => {
            st.selected = len.saturating_sub(1);
            vec![]
        }
        Action::Open => {
            if let Some(r) = st.rows.get(st.selected) {
                let lines = vec![
                    format!("#{} at {} by {}", r.seq, r.at, r.operator),
                    format!("action {} · outcome {}", r.action, r.outcome),
                    format!("targets {}", r.targets.join(", ")),
                    format!(
                        "counts {}",
                        r.counts
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    format!("hash {}", r.hash),
                ];
                sh.modals.push(Modal::Notice {
                    title: format!("Audit entry #{}", r.seq),
                    lines,
                });
            }
            vec![]
        }
        _ => vec![],
    }
}

pub fn result(st: &mut AuditState, sh: &mut Shell, msg: Msg) -> Vec<Effect> {
    let Msg::Loaded(result) = msg;
    match result {
        Ok((rows, v)) => {
            st.selected = st.selected.min(rows.len().saturating_sub(1));
            st.rows = rows;
            st.verification = Some(v);
            st.loaded = true;
        }
        Err(e) => sh.error(format!("Could not read the audit trail: {e}")),
    }
    vec![]
}

fn chain_line(st: &AuditState, sh: &Shell) -> Line<'static> {
    let t = &sh.theme;
    match &st.verification {
        None => Line::styled("Chain: not checked yet", t.dim()),
        Some(v) => match (v.first_bad, &v.problem) {
            (None, _) => Line::from(vec![
                Span::styled("Chain verified ✓", t.ok()),
                Span::raw(format!(
                    " · {} entries · head {}",
                    v.entries,
                    v.head.chars().take(12).collect::<String>()
                )),
            ]),
            (Some(seq), p) => Line::from(vec![
                Span::styled(format!("Chain BROKEN at entry #{seq}"), t.error()),
                Span::raw(format!(" · {}", p.as_deref().unwrap_or("hash mismatch"))),
            ]),
        },
    }
}

const COLS: [(&str, usize); 5] = [
    ("#", 6),
    ("time (UTC)", 17),
    ("operator", 12),
    ("action", 16),
    ("outcome", 9),
];

fn row_line(r: &Row, w: usize) -> String {
    let at: String = r.at.replace('T', " ").chars().take(16).collect();
    let cells = [
        r.seq.to_string(),
        at,
        r.operator.clone(),
        r.action.clone(),
        r.outcome.clone(),
    ];
    let mut s = String::new();
    for ((_, cw), cell) in COLS.iter().zip(cells.iter()) {
        s.push_str(&fit(cell, *cw));
        s.push(' ');
    }
    let counts: Vec<String> = r.counts.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let rest = format!("{} {}", r.targets.join(","), counts.join(","));
    s.push_str(&rest);
    truncate(&s, w)
}

pub fn render(st: &AuditState, sh: &Shell, frame: &mut Frame, area: Rect) {
    let block = Block::bordered()
        .title(" Audit trail ")
        .border_style(sh.theme.border(sh.modals.is_empty()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [chain, filter, head, list] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    let w = inner.width as usize;
    frame.render_widget(Paragraph::new(chain_line(st, sh)), chain);
    let filter_line = if st.editing {
        Line::from(vec![
            Span::styled("Filter: ", sh.theme.key()),
            Span::raw(truncate(st.input.value(), w.saturating_sub(8))),
        ])
    } else {
        let f = filter_text(&st.filter);
        let shown = if f.is_empty() {
            "none (f to filter by operator=, action=, date=)".to_string()
        } else {
            f
        };
        Line::from(vec![
            Span::styled("Filter: ", sh.theme.dim()),
            Span::raw(truncate(&shown, w.saturating_sub(8))),
        ])
    };
    frame.render_widget(Paragraph::new(filter_line), filter);
    if st.editing && sh.modals.is_empty() {
        let x = filter.x + 8 + st.input.visual_cursor() as u16;
        frame.set_cursor_position((x.min(filter.right().saturating_sub(1)), filter.y));
    }
    let header: String = COLS
        .iter()
        .map(|(n, cw)| format!("{} ", fit(n, *cw)))
        .collect::<String>()
        + "targets counts";
    frame.render_widget(
        Paragraph::new(Line::styled(truncate(&header, w), sh.theme.dim())),
        head,
    );
    if st.rows.is_empty() {
        let text = if st.loaded {
            "No entries match."
        } else {
            "Loading…"
        };
        frame.render_widget(Paragraph::new(Line::styled(text, sh.theme.dim())), list);
        return;
    }
    let h = list.height as usize;
    let top = crate::tui::widgets::first_visible(st.selected, h);
    let lines: Vec<Line> = st
        .rows
        .iter()
        .enumerate()
        .skip(top)
        .take(h)
        .map(|(i, r)| {
            let style = if i == st.selected {
                sh.theme.selected()
            } else if r.outcome != "ok" {
                sh.theme.warn()
            } else {
                sh.theme.base()
            };
            Line::styled(row_line(r, w), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_keys_and_bare_words() {
        let f = parse_filter("op=alice delete-item 2024-07").unwrap();
        assert_eq!(f.operator.as_deref(), Some("alice"));
        assert_eq!(f.action.as_deref(), Some("delete-item"));
        assert_eq!(f.date.as_deref(), Some("2024-07"));
        assert_eq!(
            filter_text(&f),
            "operator=alice action=delete-item date=2024-07"
        );
        assert!(parse_filter("who=bob").is_err());
    }
}
