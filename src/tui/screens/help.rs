//! The `?` screen: every key of every layer, generated from the keymap,
//! the keys of the pane `?` was pressed in first.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::super::keymap::{bindings, Context};
use super::super::shell::Shell;
use super::super::theme::Theme;

const KEY_W: usize = 16;

/// The layers in the order help lists them: `first`, then the keys that
/// work everywhere, then the rest.
fn order(first: Context) -> Vec<Context> {
    let mut out = vec![first];
    for ctx in [Context::Always, Context::Global] {
        if ctx != first && !(first.is_text() && ctx == Context::Global) {
            out.push(ctx);
        }
    }
    let rest: Vec<Context> = Context::ALL
        .into_iter()
        .filter(|c| !out.contains(c))
        .collect();
    out.extend(rest);
    out
}

fn lines(
    theme: &Theme,
    can: &dyn Fn(crate::access::Permission) -> bool,
    first: Context,
) -> Vec<Line<'static>> {
    let mut out = vec![];
    for ctx in order(first) {
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        let title = if ctx == first && first != Context::Always {
            format!("{} (where you are)", ctx.title())
        } else {
            ctx.title().to_string()
        };
        out.push(Line::styled(title, theme.title()));
        for b in bindings(ctx) {
            let mut desc = b.desc.to_string();
            let mut style = theme.base();
            if let Some(p) = b.needs.filter(|p| !can(*p)) {
                desc.push_str(&format!(" (not permitted: {})", p.describe()));
                style = theme.dim();
            }
            out.push(Line::from(vec![
                Span::styled(format!("  {:<KEY_W$}", b.label()), theme.key()),
                Span::styled(desc, style),
            ]));
        }
    }
    out
}

pub fn line_count() -> usize {
    lines(&Theme::PLAIN, &|_| true, Context::Always).len()
}

/// `at` is the scroll and the layer `?` was pressed in.
pub fn render(sh: &Shell, frame: &mut Frame, area: Rect, at: (u16, Context)) {
    let (scroll, first) = at;
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .title(" Keys — Esc or ? closes, j/k scroll ")
        .border_style(sh.theme.border(true));
    let can = |p| sh.actor.can(p);
    let all = lines(&sh.theme, &can, first);
    let inner_h = area.height.saturating_sub(2) as usize;
    let max = all.len().saturating_sub(inner_h) as u16;
    frame.render_widget(
        Paragraph::new(all)
            .block(block)
            .scroll((scroll.min(max), 0)),
        area,
    );
}
