//! The header (screen tabs and who is working) and the read-only banner.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::app::{App, Tab};
use super::super::sanitize::{truncate, width};

pub fn render_header(app: &App, frame: &mut Frame, area: Rect) {
    let mut spans = vec![Span::styled(" Lethe ", app.theme.title())];
    for tab in Tab::ALL.iter() {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format!(" {} {} ", tab.number(), tab.title()),
            app.theme.tab(*tab == app.tab),
        ));
    }
    let roles: Vec<&str> = app.actor.roles.iter().map(|r| r.as_str()).collect();
    let who = if roles.is_empty() {
        format!("{} · no role ", app.actor.username)
    } else {
        format!("{} · {} ", app.actor.username, roles.join(","))
    };
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    let room = (area.width as usize).saturating_sub(used);
    // Narrow terminals keep the name whole rather than half a role.
    let who = if width(&who) > room {
        format!("{} ", app.actor.username)
    } else {
        who
    };
    let who = truncate(&who, room);
    spans.push(Span::raw(" ".repeat(room.saturating_sub(width(&who)))));
    spans.push(Span::styled(who, app.theme.dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The banner's text: why this console cannot change anything.
pub fn banner_text(app: &App) -> String {
    let who = &app.actor.username;
    if app.actor.is_operator() {
        format!(" READ-ONLY  {who} is not a Compliance Administrator: no deleting or saving ")
    } else {
        format!(" READ-ONLY  {who} is not an operator of this database: no deleting or saving ")
    }
}

pub fn render_banner(app: &App, frame: &mut Frame, area: Rect) {
    let text = truncate(&banner_text(app), area.width as usize);
    frame.render_widget(
        Paragraph::new(Line::styled(text, app.theme.banner())).style(app.theme.banner()),
        area,
    );
}
