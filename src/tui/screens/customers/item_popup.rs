//! The full view of one timeline item, over the customer screen.

use ratatui::layout::Rect;
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::timeline_view::detail_lines;
use crate::tui::app::App;
use crate::tui::widgets::popup::centered;

pub fn render(app: &App, frame: &mut Frame, area: Rect, row: usize, scroll: u16) {
    let Some(item) = app
        .customers
        .open
        .as_ref()
        .and_then(|o| o.timeline.item(row))
    else {
        return;
    };
    let w = area.width.saturating_sub(4).max(20);
    let lines = detail_lines(&app.theme, item, w.saturating_sub(2) as usize);
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = centered(area, w, h);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(format!(" {} {} — Esc closes ", item.kind.label(), item.id))
        .border_style(app.theme.border(true));
    let max = lines
        .len()
        .saturating_sub(rect.height.saturating_sub(2) as usize) as u16;
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max), 0)),
        rect,
    );
}
