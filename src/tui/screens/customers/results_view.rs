//! The search box and the result list: two lines per customer.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::super::super::sanitize::{self, fit, truncate, width};
use super::super::super::shell::Shell;
use super::CustomersState;
use super::Focus;
use crate::clock;

pub fn render_search(st: &CustomersState, sh: &Shell, frame: &mut Frame, area: Rect) {
    let focused = st.focus == Focus::Search && sh.modals.is_empty();
    let title = if st.searching() {
        " Search · searching… "
    } else {
        " Search "
    };
    let block = Block::bordered()
        .title(title)
        .border_style(sh.theme.border(focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let value = st.input.value();
    let line = if value.is_empty() {
        Line::styled(
            truncate("Type a name, email, phone, external ID or customer ID", w),
            sh.theme.dim(),
        )
    } else {
        let scroll = st.input.visual_scroll(w.saturating_sub(1));
        let shown: String = super::super::super::sanitize::line(value)
            .chars()
            .skip(scroll)
            .collect();
        Line::raw(truncate(&shown, w))
    };
    frame.render_widget(Paragraph::new(line), inner);
    if focused {
        let scroll = st.input.visual_scroll(w.saturating_sub(1));
        let x = inner.x + (st.input.visual_cursor().saturating_sub(scroll)) as u16;
        frame.set_cursor_position((x.min(inner.right().saturating_sub(1)), inner.y));
    }
}

pub fn render_results(st: &CustomersState, sh: &Shell, frame: &mut Frame, area: Rect) {
    let focused = st.focus == Focus::Results && sh.modals.is_empty();
    let title = match st.results.len() {
        0 => " Customers ".to_string(),
        1 => " 1 customer ".to_string(),
        n if n >= super::RESULT_LIMIT => format!(" first {n} customers — type more to narrow "),
        n => format!(" {n} customers "),
    };
    let mut block = Block::bordered()
        .title(title)
        .border_style(sh.theme.border(focused));
    // The selected profile's whole ID, which every command takes, on the
    // bottom border: a row may have to cut it.
    if let Some(r) = st.results.get(st.selected) {
        let id = format!(" {} ", sanitize::line(&r.id));
        if width(&id) + 4 <= area.width as usize {
            block = block.title_bottom(Line::styled(id, sh.theme.key()).right_aligned());
        }
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    if st.results.is_empty() {
        let text = if st.input.value().trim().is_empty() {
            "Press / and type to search."
        } else if st.searching() {
            "Searching…"
        } else {
            "No customer matches. Deleted profiles are not listed."
        };
        frame.render_widget(
            Paragraph::new(Line::styled(truncate(text, w), sh.theme.dim())),
            inner,
        );
        return;
    }
    let per_page = (inner.height as usize / 2).max(1);
    let top = crate::tui::widgets::first_visible(st.selected, per_page);
    let mut lines: Vec<Line> = Vec::new();
    for (i, r) in st.results.iter().enumerate().skip(top).take(per_page) {
        let selected = i == st.selected;
        let mut badges: Vec<Span> = vec![];
        if let Some(s) = &r.open_status {
            badges.push(Span::styled(format!(" {s} "), sh.theme.badge(s)));
        }
        if st.duplicate.get(i).copied().unwrap_or(false) {
            badges.push(Span::styled(" DUPLICATE ", sh.theme.warn()));
        }
        let last = r
            .last_contact_at
            .map(|t| format!(" last {}", clock::date(t)))
            .unwrap_or_else(|| " no contact".into());
        let badge_w: usize = badges.iter().map(|s| width(&s.content)).sum();
        let name_w = w.saturating_sub(2 + badge_w + width(&last));
        let name = r.name.as_deref().unwrap_or("(no name)");
        let marker = if selected { "▶ " } else { "  " };
        let name_style = if selected {
            sh.theme.selected()
        } else {
            sh.theme.title()
        };
        let mut first = vec![
            Span::raw(marker),
            Span::styled(fit(name, name_w), name_style),
        ];
        first.extend(badges);
        first.push(Span::styled(last, sh.theme.dim()));
        lines.push(Line::from(first));
        let details: Vec<&str> = [&r.email, &r.phone, &r.external_id]
            .into_iter()
            .filter_map(|f| f.as_deref())
            .chain(std::iter::once(r.id.as_str()))
            .collect();
        lines.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(
                truncate(&details.join(" · "), w.saturating_sub(2)),
                sh.theme.dim(),
            ),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
