//! The triage screen's view: the queue and the context of the selected finding.

use super::*;

pub(super) fn row_line(r: &QueueRow, w: usize) -> String {
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
pub(super) fn context_lines(sh: &Shell, c: &FindingContext, room: usize) -> Vec<Line<'static>> {
    let t = &sh.theme;
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

pub fn render(st: &TriageState, sh: &Shell, frame: &mut Frame, area: Rect) {
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
        .border_style(sh.theme.border(sh.modals.is_empty()));
    let inner = block.inner(top);
    frame.render_widget(block, top);
    let [filter, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let w = inner.width as usize;
    frame.render_widget(
        Paragraph::new(Line::styled(
            truncate(&format!("{} (f kind, c confidence)", st.filter_text()), w),
            sh.theme.dim(),
        )),
        filter,
    );
    let ctx_block = Block::bordered()
        .title(" Message ")
        .border_style(sh.theme.border(false));
    let ctx_inner = ctx_block.inner(bottom);
    if st.rows.is_empty() {
        let text = if !st.loaded {
            "Loading…"
        } else if st.kind.is_some() || !st.all_confidence {
            "No open findings match the filter."
        } else {
            "No open findings."
        };
        frame.render_widget(Paragraph::new(Line::styled(text, sh.theme.dim())), list);
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
                sh.theme.selected()
            } else {
                sh.theme.base()
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
        .border_style(sh.theme.border(false));
    frame.render_widget(ctx_block, bottom);
    let room = ctx_inner.width as usize * ctx_inner.height as usize;
    let body: Vec<Line> = match &st.context {
        None => vec![Line::styled("Loading…", sh.theme.dim())],
        Some(Err(e)) => vec![Line::styled(
            format!("Cannot show this message: {e}"),
            sh.theme.error(),
        )],
        Some(Ok(c)) => {
            let mut l = vec![];
            if c.stale {
                l.push(Line::styled(
                    "Changed since the last scan; marks may be off (S to rescan).",
                    sh.theme.warn(),
                ));
            }
            l.extend(context_lines(sh, c, room));
            l
        }
    };
    frame.render_widget(Paragraph::new(body).wrap(Wrap { trim: false }), ctx_inner);
}
