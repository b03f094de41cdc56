//! The bottom line: the last message, else the key hints of the current
//! layer, generated from the keymap. Actions the operator may not take are
//! greyed out.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::sanitize::{truncate, width};
use super::super::shell::StatusKind;
use super::super::theme::Theme;

/// `hints` are (key, what it does, permitted), as `keymap::hints` makes them.
pub fn render(
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    status: Option<&(StatusKind, String)>,
    hints: Vec<(String, &'static str, bool)>,
) {
    let w = area.width as usize;
    if let Some((kind, text)) = status {
        let style = match kind {
            StatusKind::Error => theme.error(),
            StatusKind::Info => theme.ok(),
        };
        frame.render_widget(Paragraph::new(Line::styled(truncate(text, w), style)), area);
        return;
    }
    let mut spans: Vec<Span> = vec![];
    let mut used = 0;
    for (key, desc, permitted) in hints {
        let cost = width(&key) + 1 + width(desc) + 2;
        if used + cost > w {
            break;
        }
        let (ks, ds) = if permitted {
            (theme.key(), theme.base())
        } else {
            (theme.dim(), theme.dim())
        };
        spans.push(Span::styled(key, ks));
        spans.push(Span::styled(format!(" {desc}  "), ds));
        used += cost;
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
