//! The full view of one timeline item, over the customer screen.

use ratatui::layout::Rect;
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::timeline_view::detail_lines;
use super::CustomersState;
use crate::tui::shell::Shell;
use crate::tui::widgets::popup::centered;

/// Draws the item view when one is open (`Enter` on a timeline item).
pub fn render(st: &CustomersState, sh: &Shell, frame: &mut Frame, area: Rect) {
    let (Some(o), Some(scroll)) = (&st.open, st.viewing) else {
        return;
    };
    let Some(item) = o.timeline.item(o.selected) else {
        return;
    };
    let w = area.width.saturating_sub(4).max(20);
    let lines = detail_lines(&sh.theme, item, w.saturating_sub(2) as usize);
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = centered(area, w, h);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(format!(" {} {} — Esc closes ", item.kind.label(), item.id))
        .border_style(sh.theme.border(true));
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
