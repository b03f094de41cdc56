//! The bottom line: the last message, else the key hints of the current
//! layer, generated from the keymap. Actions the operator may not take are
//! greyed out.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::app::{App, StatusKind};
use super::super::keymap;
use super::super::sanitize::{truncate, width};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let w = area.width as usize;
    if let Some((kind, text)) = &app.status {
        let style = match kind {
            StatusKind::Error => app.theme.error(),
            StatusKind::Info => app.theme.ok(),
        };
        frame.render_widget(Paragraph::new(Line::styled(truncate(text, w), style)), area);
        return;
    }
    let mut spans: Vec<Span> = vec![];
    let mut used = 0;
    for (key, desc, permitted) in keymap::hints(app.context(), |p| app.actor.can(p)) {
        let cost = width(&key) + 1 + width(desc) + 2;
        if used + cost > w {
            break;
        }
        let (ks, ds) = if permitted {
            (app.theme.key(), app.theme.base())
        } else {
            (app.theme.dim(), app.theme.dim())
        };
        spans.push(Span::styled(key, ks));
        spans.push(Span::styled(format!(" {desc}  "), ds));
        used += cost;
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
