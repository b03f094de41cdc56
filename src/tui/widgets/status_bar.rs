//! The bottom line: the last message, else the key hints of the current
//! layer, generated from the keymap. Actions the operator may not take are
//! greyed out. A message too long for one line (a permission refusal, a
//! saved file's full path) takes up to `MAX_LINES` lines.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::super::sanitize::{truncate, width, wrap};
use super::super::shell::StatusKind;
use super::super::theme::Theme;

/// Most lines a message takes; beyond them it ends in `…`.
pub const MAX_LINES: usize = 3;

/// The lines `status` needs at `width` columns (1 without a message).
pub fn height(status: Option<&(StatusKind, String)>, width: u16) -> u16 {
    status.map_or(1, |(_, text)| {
        wrap(text, width as usize).len().clamp(1, MAX_LINES) as u16
    })
}

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
        let mut lines = wrap(text, w);
        if lines.len() > MAX_LINES {
            let rest = lines.split_off(MAX_LINES - 1).join(" ");
            lines.push(truncate(&rest, w));
        }
        let lines: Vec<Line> = lines.into_iter().map(|l| Line::styled(l, style)).collect();
        frame.render_widget(Paragraph::new(lines), area);
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
