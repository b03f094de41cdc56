//! The Requests screen: the data subject requests by due date, overdue and
//! due-soon ones marked; an opened request shows every matching profile
//! (duplicates included) with what an erasure would remove or what blocks
//! it, runs once confirmed, and shows its receipt.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use serde_json::Value;
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

use super::super::action::{Action, Effect, PendingAction};
use super::super::app::{App, Confirm, Modal};
use super::super::keymap::Context;
use super::super::sanitize::{fit, truncate, wrap};
use super::super::theme::Theme;
use crate::clock::{self, Millis, DAY_MS};
use crate::requests::{Kind, Plan, Request, RunOutcome};

#[derive(Debug, Clone)]
pub struct OpenRequest {
    pub request: Request,
    /// None while the matches are being read.
    pub plan: Option<Plan>,
    pub scroll: u16,
    /// The extension's reason while it is typed.
    pub reason: Option<Input>,
    /// With several matches: the one `n` points at, and those marked as
    /// the requester's with Space. Only marked profiles are run on.
    pub cursor: usize,
    pub marked: Vec<String>,
}

impl OpenRequest {
    /// The plan narrowed to the profiles a run would act on: the marked
    /// ones, or the only match.
    fn chosen(&self) -> Option<Plan> {
        let plan = self.plan.as_ref()?;
        Some(if plan.matches.len() <= 1 {
            plan.clone()
        } else {
            plan.only(&self.marked)
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct RequestsState {
    pub rows: Vec<Request>,
    /// When the queue was read: overdue and due-soon are as of then.
    pub now: Millis,
    pub loaded: bool,
    pub selected: usize,
    pub include_closed: bool,
    pub open: Option<OpenRequest>,
    /// The request running in the background.
    pub working: Option<i64>,
}

pub fn context(st: &RequestsState) -> Context {
    match &st.open {
        Some(o) if o.reason.is_some() => Context::RequestReason,
        Some(_) => Context::Request,
        None => Context::Requests,
    }
}

pub fn is_result(action: &Action) -> bool {
    matches!(
        action,
        Action::RequestsLoaded(_)
            | Action::RequestPlanned(..)
            | Action::RequestStarted(_)
            | Action::RequestRan(..)
            | Action::RequestExtended(_)
    )
}

fn load(st: &RequestsState) -> Effect {
    Effect::LoadRequests {
        include_closed: st.include_closed,
    }
}

/// `OVERDUE` / `DUE SOON`: a text marker, so it shows without colour.
fn marker(theme: &Theme, r: &Request, now: Millis) -> Option<(String, ratatui::style::Style)> {
    if r.is_overdue(now) {
        let days = (now - r.due_at) / DAY_MS;
        Some((format!("OVERDUE {days}d"), theme.error()))
    } else if r.is_due_soon(now) {
        Some(("DUE SOON".into(), theme.warn()))
    } else {
        None
    }
}

fn confirm_lines(req: &Request, plan: &Plan) -> Vec<String> {
    let mut lines = vec![];
    match req.kind {
        Kind::Erasure => {
            let n = plan.deletable().count();
            lines.push(format!(
                "Request {}: erase {n} matching profile{} for good:",
                req.id,
                if n == 1 { "" } else { "s" }
            ));
            for p in plan.deletable() {
                lines.push(format!("  {}: {}", p.customer_id, p.removes_line()));
            }
            for p in plan.blocked() {
                if let Some((conv, status)) = &p.blocked_by {
                    lines.push(format!(
                        "  kept: {} has conversation {conv} {status}",
                        p.customer_id
                    ));
                }
            }
            if plan.previews.is_empty() {
                lines.push(
                    "  No profile matches; the request completes with nothing to erase.".into(),
                );
            }
        }
        Kind::Access => {
            let ids: Vec<&str> = plan.matches.iter().map(|m| m.id.as_str()).collect();
            lines.push(format!(
                "Request {}: write one JSON export of {} profile{} into the current directory:",
                req.id,
                ids.len(),
                if ids.len() == 1 { "" } else { "s" }
            ));
            lines.push(format!("  {}", ids.join(", ")));
        }
    }
    lines
}

fn begin_run(app: &mut App) -> Vec<Effect> {
    let st = &app.requests;
    let Some(o) = &st.open else { return vec![] };
    let req = &o.request;
    if let Some(id) = st.working {
        app.info(format!("Working… request {id} is still running."));
        return vec![];
    }
    if req.status.is_closed() {
        app.info(format!(
            "Request {} is already {}.",
            req.id,
            req.status.as_str()
        ));
        return vec![];
    }
    let Some(plan) = o.chosen() else {
        app.info("Still reading the matching profiles…");
        return vec![];
    };
    let several = o.plan.as_ref().is_some_and(|p| p.matches.len() > 1);
    if several && plan.matches.is_empty() {
        // Short enough for the status bar at 80 columns.
        app.error("Mark the requester's profiles first: n next, Space mark, then x.");
        return vec![];
    }
    let confirm = Confirm {
        pending: PendingAction::RunRequest {
            id: req.id,
            erasure: req.kind == Kind::Erasure,
            customers: if several { o.marked.clone() } else { vec![] },
        },
        title: format!("Run request {}?", req.id),
        lines: confirm_lines(req, &plan),
        delete_focused: false,
    };
    app.modals.push(Modal::Confirm(confirm));
    vec![]
}

fn results(app: &mut App, action: Action) -> Vec<Effect> {
    let st = &mut app.requests;
    match action {
        Action::RequestsLoaded(Ok((rows, now))) => {
            st.selected = st.selected.min(rows.len().saturating_sub(1));
            st.rows = rows;
            st.now = now;
            st.loaded = true;
            vec![]
        }
        Action::RequestsLoaded(Err(e)) => {
            app.error(format!("Could not read the requests: {e}"));
            vec![]
        }
        Action::RequestPlanned(id, result) => {
            match (st.open.as_mut(), result) {
                (Some(o), Ok(plan)) if o.request.id == id => o.plan = Some(*plan),
                (_, Err(e)) => app.error(format!("Could not match request {id}: {e}")),
                _ => {}
            }
            vec![]
        }
        Action::RequestStarted(id) => {
            st.working = Some(id);
            app.info(format!(
                "Working… request {id} runs in the background (the erasure check scans the files)."
            ));
            vec![]
        }
        Action::RequestRan(id, result) => {
            st.working = None;
            let mut effects = vec![load(st)];
            match result {
                Ok(outcome) => {
                    let (req, done) = match *outcome {
                        RunOutcome::Completed(r) => (r, true),
                        RunOutcome::Blocked(r) => (r, false),
                    };
                    let msg = if done {
                        format!("Request {id} completed.")
                    } else {
                        format!(
                            "Request {id} is blocked: {}",
                            req.blocked_reason().unwrap_or_default()
                        )
                    };
                    if let Some(o) = st.open.as_mut().filter(|o| o.request.id == id) {
                        o.request = req;
                        effects.push(Effect::PlanRequest(id));
                    }
                    if done {
                        app.info(msg);
                    } else {
                        app.error(msg);
                    }
                }
                Err(e) => app.error(format!("Request {id} did not run: {e}")),
            }
            effects
        }
        Action::RequestExtended(Ok(req)) => {
            let msg = format!(
                "Request {} extended: now due {}.",
                req.id,
                clock::date(req.due_at)
            );
            if let Some(o) = st.open.as_mut().filter(|o| o.request.id == req.id) {
                o.request = *req;
            }
            let effect = load(st);
            app.info(msg);
            vec![effect]
        }
        Action::RequestExtended(Err(e)) => {
            app.error(format!("Not extended: {e}"));
            vec![]
        }
        _ => vec![],
    }
}

fn update_open(app: &mut App, action: Action) -> Vec<Effect> {
    let st = &mut app.requests;
    let Some(o) = st.open.as_mut() else {
        return vec![];
    };
    if let Some(input) = o.reason.as_mut() {
        return match action {
            Action::Input(key) => {
                input.handle_event(&crossterm::event::Event::Key(key));
                vec![]
            }
            Action::Submit => {
                let reason = input.value().trim().to_string();
                if reason.is_empty() {
                    app.error("An extension needs a reason, for example the number of requests.");
                    return vec![];
                }
                let id = o.request.id;
                o.reason = None;
                vec![Effect::ExtendRequest { id, reason }]
            }
            Action::Cancel => {
                o.reason = None;
                vec![]
            }
            _ => vec![],
        };
    }
    match action {
        Action::Up => {
            o.scroll = o.scroll.saturating_sub(1);
            vec![]
        }
        Action::Down => {
            o.scroll = o.scroll.saturating_add(1).min(500);
            vec![]
        }
        Action::Back => {
            st.open = None;
            vec![]
        }
        Action::Refresh => {
            let id = o.request.id;
            vec![load(st), Effect::PlanRequest(id)]
        }
        Action::RunNow => begin_run(app),
        Action::NextMatch => {
            let n = o.plan.as_ref().map_or(0, |p| p.matches.len());
            if n > 0 {
                o.cursor = (o.cursor + 1) % n;
            }
            vec![]
        }
        Action::MarkMatch => {
            let Some(m) = o.plan.as_ref().and_then(|p| p.matches.get(o.cursor)) else {
                return vec![];
            };
            let id = m.id.clone();
            match o.marked.iter().position(|x| *x == id) {
                Some(at) => {
                    o.marked.remove(at);
                }
                None => o.marked.push(id),
            }
            vec![]
        }
        Action::Extend => {
            let r = &o.request;
            if r.status.is_closed() {
                let msg = format!(
                    "Request {} is {}; it can't be extended.",
                    r.id,
                    r.status.as_str()
                );
                app.error(msg);
            } else if r.extended_at.is_some() {
                let msg = format!(
                    "Request {} was already extended once; the law allows one extension.",
                    r.id
                );
                app.error(msg);
            } else {
                o.reason = Some(Input::default());
            }
            vec![]
        }
        _ => vec![],
    }
}

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    if is_result(&action) {
        return results(app, action);
    }
    if matches!(action, Action::FocusSearch) {
        return super::super::app::go_to_search(app);
    }
    if app.requests.open.is_some() {
        return update_open(app, action);
    }
    let st = &mut app.requests;
    let len = st.rows.len();
    let mv =
        |sel: usize, d: isize| (sel as isize + d).clamp(0, len.saturating_sub(1) as isize) as usize;
    match action {
        Action::Up => st.selected = mv(st.selected, -1),
        Action::Down => st.selected = mv(st.selected, 1),
        Action::PageUp => st.selected = mv(st.selected, -10),
        Action::PageDown => st.selected = mv(st.selected, 10),
        Action::Top => st.selected = 0,
        Action::Bottom => st.selected = len.saturating_sub(1),
        Action::Open => {
            let Some(r) = st.rows.get(st.selected) else {
                return vec![];
            };
            let id = r.id;
            st.open = Some(OpenRequest {
                request: r.clone(),
                plan: None,
                scroll: 0,
                reason: None,
                cursor: 0,
                marked: vec![],
            });
            return vec![Effect::PlanRequest(id)];
        }
        Action::ToggleClosed => {
            st.include_closed = !st.include_closed;
            return vec![load(st)];
        }
        Action::Refresh => return vec![load(st)],
        _ => {}
    }
    vec![]
}

const COLS: [(&str, usize); 6] = [
    ("#", 4),
    ("type", 8),
    ("law", 5),
    ("status", 11),
    ("due", 10),
    ("", 11),
];

fn row_spans(theme: &Theme, r: &Request, now: Millis, w: usize) -> Vec<Span<'static>> {
    let cells = [
        r.id.to_string(),
        r.kind.as_str().into(),
        r.regulation.as_str().to_uppercase(),
        r.status.as_str().replace('_', " "),
        clock::date(r.due_at),
    ];
    let mut head = String::new();
    for ((_, cw), cell) in COLS.iter().zip(cells.iter()) {
        head.push_str(&fit(cell, *cw));
        head.push(' ');
    }
    let (mark, mark_style) = marker(theme, r, now).unwrap_or_default();
    let who = r
        .identifiers
        .as_ref()
        .map(|i| i.describe())
        .unwrap_or_else(|| r.customer_ids.join(", "));
    let used = head.chars().count() + COLS[5].1 + 1;
    vec![
        Span::raw(head),
        Span::styled(fit(&mark, COLS[5].1), mark_style),
        Span::raw(" "),
        Span::raw(truncate(&who, w.saturating_sub(used))),
    ]
}

fn render_list(app: &App, frame: &mut Frame, area: Rect) {
    let st = &app.requests;
    let t = &app.theme;
    let title = if st.include_closed {
        " Requests: all, by due date "
    } else {
        " Requests: open, by due date "
    };
    let block = Block::bordered()
        .title(title)
        .border_style(t.border(app.modals.is_empty()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [summary, head, list] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    let w = inner.width as usize;
    let overdue = st.rows.iter().filter(|r| r.is_overdue(st.now)).count();
    let soon = st.rows.iter().filter(|r| r.is_due_soon(st.now)).count();
    let blocked = st
        .rows
        .iter()
        .filter(|r| r.status == crate::requests::Status::Blocked)
        .count();
    let text = format!(
        "{} shown · {overdue} overdue · {soon} due within 7 days · {blocked} blocked · a: {} closed",
        st.rows.len(),
        if st.include_closed { "hide" } else { "show" }
    );
    frame.render_widget(Paragraph::new(truncate(&text, w)), summary);
    let header: String = COLS
        .iter()
        .map(|(n, cw)| format!("{} ", fit(n, *cw)))
        .collect::<String>()
        + "identifiers";
    frame.render_widget(
        Paragraph::new(Line::styled(truncate(&header, w), t.dim())),
        head,
    );
    if st.rows.is_empty() {
        let text = if !st.loaded {
            "Loading…"
        } else if st.include_closed {
            "No requests yet. Add one with `lethe request add`."
        } else {
            "No open requests. a shows the closed ones."
        };
        frame.render_widget(Paragraph::new(Line::styled(text, t.dim())), list);
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
            let line = Line::from(row_spans(t, r, st.now, w));
            if i == st.selected {
                line.style(t.selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}

fn receipt_lines(t: &Theme, req: &Request, w: usize) -> Vec<Line<'static>> {
    let Some(rc) = &req.receipt else {
        return vec![];
    };
    let mut out = vec![Line::styled("Receipt", t.title())];
    let mut push = |text: String, style| {
        out.extend(wrap(&text, w).into_iter().map(|l| Line::styled(l, style)));
    };
    if req.kind == Kind::Access {
        push(
            format!("Export: {}", rc["path"].as_str().unwrap_or("?")),
            t.base(),
        );
        push(
            format!("sha256: {}", rc["sha256"].as_str().unwrap_or("?")),
            t.base(),
        );
        push(
            format!(
                "{} bytes · customers {}",
                rc["bytes"],
                ids(&rc["customers"])
            ),
            t.base(),
        );
        return out;
    }
    for e in rc["erased"].as_array().into_iter().flatten() {
        let counts: Vec<String> = e["removed"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, n)| n.as_i64().unwrap_or(0) > 0)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        push(
            format!(
                "erased {}: {}",
                e["customer_id"].as_str().unwrap_or("?"),
                counts.join(", ")
            ),
            t.base(),
        );
    }
    match serde_json::from_value::<Option<crate::store::forensic::Scan>>(rc["verification"].clone())
    {
        Ok(None) => push("Verification: not run.".into(), t.dim()),
        Ok(Some(s)) => {
            let style = if s.is_clean() { t.ok() } else { t.error() };
            push(s.headline(), style)
        }
        Err(_) => push(
            "Verification: the receipt's record of it cannot be read.".into(),
            t.error(),
        ),
    }
    out
}

fn ids(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn plan_lines(t: &Theme, o: &OpenRequest, w: usize) -> Vec<Line<'static>> {
    let req = &o.request;
    if req.status.is_closed() {
        return vec![];
    }
    let Some(plan) = &o.plan else {
        return vec![Line::styled("Matching profiles: reading…", t.dim())];
    };
    let n = plan.matches.len();
    let mut out = vec![Line::styled(
        truncate(
            &format!(
                "Matches {n} profile{} (duplicates included){}",
                if n == 1 { "" } else { "s" },
                if req.kind == Kind::Erasure {
                    "; a dry run of the erasure:"
                } else {
                    ":"
                }
            ),
            w,
        ),
        t.title(),
    )];
    if n > 1 {
        out.extend(
            wrap(
                "Several people can share an email, phone or external ID. Mark only the \
                 profiles that belong to the requester (n: next, Space: mark); the run acts \
                 on the marked ones alone.",
                w,
            )
            .into_iter()
            .map(|l| Line::styled(l, t.warn())),
        );
    }
    for (i, m) in plan.matches.iter().enumerate() {
        let who = [m.name.as_deref(), m.email.as_deref(), m.phone.as_deref()]
            .into_iter()
            .flatten()
            .map(crate::text::safe_line)
            .collect::<Vec<_>>()
            .join(" · ");
        let mark = if n <= 1 {
            " ".to_string()
        } else {
            let cursor = if i == o.cursor { '>' } else { ' ' };
            let on = if o.marked.contains(&m.id) { 'x' } else { ' ' };
            format!("{cursor}[{on}]")
        };
        out.push(Line::raw(truncate(&format!(" {mark} {}  {who}", m.id), w)));
        let preview = plan.previews.iter().find(|p| p.customer_id == m.id);
        match preview {
            Some(p) => match &p.blocked_by {
                Some((conv, status)) => out.push(Line::styled(
                    truncate(
                        &format!(
                            "    BLOCKED: conversation {conv} is {status}; kept until it closes"
                        ),
                        w,
                    ),
                    t.warn(),
                )),
                None => out.extend(
                    wrap(
                        &format!("removes {}", p.removes_line()),
                        w.saturating_sub(4),
                    )
                    .into_iter()
                    .map(|l| Line::raw(format!("    {l}"))),
                ),
            },
            None if req.kind == Kind::Access => out.push(Line::styled(
                if n <= 1 || o.marked.contains(&m.id) {
                    "    exported in full"
                } else {
                    "    not marked: left out of the export"
                },
                t.dim(),
            )),
            None => {}
        }
    }
    if n == 0 {
        out.push(Line::styled("  No live profile matches.", t.dim()));
    }
    out
}

fn render_open(app: &App, frame: &mut Frame, area: Rect, o: &OpenRequest) {
    let t = &app.theme;
    let st = &app.requests;
    let req = &o.request;
    let block = Block::bordered()
        .title(format!(
            " Request {} · {} · {} ",
            req.id,
            req.kind.as_str(),
            req.regulation.as_str().to_uppercase()
        ))
        .border_style(t.border(app.modals.is_empty()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let mut lines = vec![];
    let mut status = vec![Span::raw(truncate(
        &format!(
            "Status: {} · received {} · due {} ",
            req.status.as_str().replace('_', " "),
            clock::date(req.received_at),
            clock::date(req.due_at)
        ),
        w,
    ))];
    if let Some((m, style)) = marker(t, req, st.now) {
        status.push(Span::styled(m, style));
    }
    if st.working == Some(req.id) {
        status.push(Span::styled(" working…", t.warn()));
    }
    lines.push(Line::from(status));
    if let Some(i) = &req.identifiers {
        lines.extend(
            wrap(&format!("Identifiers: {}", i.describe()), w)
                .into_iter()
                .map(Line::raw),
        );
    }
    let ext = match (&req.extended_at, &req.extension_reason) {
        (Some(_), reason) => format!("Extended once: {}", reason.as_deref().unwrap_or("")),
        (None, _) if req.status.is_closed() => String::new(),
        (None, _) => "Not extended (e extends once, with a reason)".into(),
    };
    if !ext.is_empty() {
        lines.push(Line::raw(truncate(&ext, w)));
    }
    if let Some(why) = req.blocked_reason().filter(|_| !req.status.is_closed()) {
        lines.extend(
            wrap(&format!("Blocked: {why}"), w)
                .into_iter()
                .map(|l| Line::styled(l, t.warn())),
        );
    }
    lines.push(Line::raw(""));
    lines.extend(plan_lines(t, o, w));
    let receipt = receipt_lines(t, req, w);
    if !receipt.is_empty() {
        lines.push(Line::raw(""));
        lines.extend(receipt);
    }
    let reason_h = u16::from(o.reason.is_some()) * 2;
    let [body, field] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(reason_h)]).areas(inner);
    let max = (lines.len() as u16).saturating_sub(body.height);
    frame.render_widget(Paragraph::new(lines).scroll((o.scroll.min(max), 0)), body);
    if let Some(input) = &o.reason {
        let label = "Reason for the extension: ";
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled("Enter extends the deadline once · Esc cancels", t.dim()),
                Line::from(vec![
                    Span::styled(label, t.key()),
                    Span::raw(truncate(input.value(), w.saturating_sub(label.len()))),
                ]),
            ]),
            field,
        );
        if app.modals.is_empty() {
            let x = field.x + label.len() as u16 + input.visual_cursor() as u16;
            frame.set_cursor_position((x.min(field.right().saturating_sub(1)), field.y + 1));
        }
    }
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    match &app.requests.open {
        Some(o) => render_open(app, frame, area, o),
        None => render_list(app, frame, area),
    }
}
