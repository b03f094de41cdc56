//! The requests screen's view: the list, an open request's plan and its receipt.

use super::*;

/// `OVERDUE` / `DUE SOON`: a text marker, so it shows without colour.
pub(super) fn marker(
    theme: &Theme,
    r: &Request,
    now: Millis,
) -> Option<(String, ratatui::style::Style)> {
    if r.is_overdue(now) {
        let days = (now - r.due_at) / DAY_MS;
        Some((format!("OVERDUE {days}d"), theme.error()))
    } else if r.is_due_soon(now) {
        Some(("DUE SOON".into(), theme.warn()))
    } else {
        None
    }
}

pub(super) const COLS: [(&str, usize); 6] = [
    ("#", 4),
    ("type", 8),
    ("law", 5),
    ("status", 11),
    ("due", 10),
    ("", 11),
];

pub(super) fn row_spans(theme: &Theme, r: &Request, now: Millis, w: usize) -> Vec<Span<'static>> {
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

pub(super) fn render_list(st: &RequestsState, sh: &Shell, frame: &mut Frame, area: Rect) {
    let t = &sh.theme;
    let title = if st.include_closed {
        " Requests: all, by due date "
    } else {
        " Requests: open, by due date "
    };
    let block = Block::bordered()
        .title(title)
        .border_style(t.border(sh.modals.is_empty()));
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
            "No requests yet. Press n to record one (or use `lethe request add`)."
        } else {
            "No open requests. a shows the closed ones, n records a new one."
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

pub(super) fn receipt_lines(t: &Theme, req: &Request, w: usize) -> Vec<Line<'static>> {
    let Some(rc) = &req.receipt else {
        return vec![];
    };
    let mut out = vec![Line::styled("Receipt", t.title())];
    let mut push = |text: String, style| {
        out.extend(wrap(&text, w).into_iter().map(|l| Line::styled(l, style)));
    };
    match RequestReceipt::parse(rc) {
        Some(RequestReceipt::Access(a)) => {
            push(format!("Export: {}", a.path), t.base());
            push(format!("sha256: {}", a.sha256), t.base());
            push(
                format!("{} bytes · customers {}", a.bytes, a.customers.join(", ")),
                t.base(),
            );
        }
        Some(RequestReceipt::Erasure(e)) => {
            for r in &e.erased {
                let counts: Vec<String> = r
                    .removed
                    .iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect();
                push(
                    format!("erased {}: {}", r.customer_id, counts.join(", ")),
                    t.base(),
                );
            }
            match &e.verification {
                None => push("Verification: not run.".into(), t.dim()),
                Some(s) => {
                    let style = if s.is_clean() { t.ok() } else { t.error() };
                    push(s.headline(), style)
                }
            }
        }
        None => push(
            "The receipt cannot be read; `lethe request show` prints it as stored.".into(),
            t.error(),
        ),
    }
    out
}

pub(super) fn plan_lines(t: &Theme, o: &OpenRequest, w: usize) -> Vec<Line<'static>> {
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

pub(super) fn render_open(
    st: &RequestsState,
    sh: &Shell,
    frame: &mut Frame,
    area: Rect,
    o: &OpenRequest,
) {
    let t = &sh.theme;
    let req = &o.request;
    let block = Block::bordered()
        .title(format!(
            " Request {} · {} · {} ",
            req.id,
            req.kind.as_str(),
            req.regulation.as_str().to_uppercase()
        ))
        .border_style(t.border(sh.modals.is_empty()));
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
        if sh.modals.is_empty() {
            let x = field.x + label.len() as u16 + input.visual_cursor() as u16;
            frame.set_cursor_position((x.min(field.right().saturating_sub(1)), field.y + 1));
        }
    }
}

pub fn render(st: &RequestsState, sh: &Shell, frame: &mut Frame, area: Rect) {
    if let Some(f) = &st.intake {
        return intake::render(f, sh, frame, area);
    }
    match &st.open {
        Some(o) => render_open(st, sh, frame, area, o),
        None => render_list(st, sh, frame, area),
    }
}
