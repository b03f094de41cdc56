//! The header (screen tabs and who is working) and the read-only banner.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::app::Tab;
use super::super::sanitize::{truncate, width};
use super::super::theme::Theme;
use crate::access::Actor;

/// The screen tabs, `current` highlighted, and who is working.
pub fn render_header(theme: &Theme, frame: &mut Frame, area: Rect, current: Tab, actor: &Actor) {
    let mut spans = vec![Span::styled(" Lethe ", theme.title())];
    for tab in Tab::ALL.iter() {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format!(" {} {} ", tab.number(), tab.title()),
            theme.tab(*tab == current),
        ));
    }
    let roles: Vec<&str> = actor.roles.iter().map(|r| r.as_str()).collect();
    let who = if roles.is_empty() {
        format!("{} · no role ", actor.username)
    } else {
        format!("{} · {} ", actor.username, roles.join(","))
    };
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    let room = (area.width as usize).saturating_sub(used);
    // Narrow terminals keep the name whole rather than half a role.
    let who = if width(&who) > room {
        format!("{} ", actor.username)
    } else {
        who
    };
    let who = truncate(&who, room);
    spans.push(Span::raw(" ".repeat(room.saturating_sub(width(&who)))));
    spans.push(Span::styled(who, theme.dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The banner's text: why this console cannot change anything.
pub fn banner_text(actor: &Actor) -> String {
    let who = &actor.username;
    if actor.is_operator() {
        format!(" READ-ONLY  {who} is not a Compliance Administrator: no deleting or saving ")
    } else {
        format!(" READ-ONLY  {who} is not an operator of this database: no deleting or saving ")
    }
}

pub fn render_banner(theme: &Theme, frame: &mut Frame, area: Rect, actor: &Actor) {
    let text = truncate(&banner_text(actor), area.width as usize);
    frame.render_widget(
        Paragraph::new(Line::styled(text, theme.banner())).style(theme.banner()),
        area,
    );
}
