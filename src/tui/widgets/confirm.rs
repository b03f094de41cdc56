//! Dialogs: the choice menu, the confirm dialog (Cancel is the default),
//! the type-the-name dialog for a whole profile, notices and the receipt.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::super::action::PendingAction;
use super::super::sanitize::{line as clean, truncate, wrap};
use super::super::shell::{Confirm, Menu, TypedConfirm};
use super::popup::centered;
use crate::erase::{ItemPreview, ItemTarget, Receipt};
use crate::tui::theme::Theme;

/// The dialog that confirms an item's deletion, from its preview (the
/// timeline's `d` and Triage's `d` ask the same).
pub fn item_deletion(target: ItemTarget, p: &ItemPreview) -> Confirm {
    let mut lines = p.lines.clone();
    lines.push(String::new());
    lines.push(format!(
        "{} will be erased for good.",
        crate::text::counts(&[
            (p.items, "item"),
            (p.attachments, "attachment"),
            (p.recordings, "recording"),
        ])
    ));
    lines.push(crate::erase::what_stays(&target));
    Confirm::new(PendingAction::DeleteItem(target), "Delete for good?", lines)
}

/// A centred dialog box: its title, its lines, and whether it asks for
/// something that cannot be undone (drawn in the error colour).
struct Dialog<'a> {
    title: &'a str,
    lines: Vec<Line<'static>>,
    danger: bool,
}

fn dialog(theme: &Theme, frame: &mut Frame, area: Rect, d: Dialog) -> Rect {
    let Dialog {
        title,
        lines,
        danger,
    } = d;
    let w = lines
        .iter()
        .map(|l| l.width() as u16 + 4)
        .max()
        .unwrap_or(30)
        .clamp(40, 76)
        .min(area.width);
    let h = (lines.len() as u16 + 2).min(area.height);
    let rect = centered(area, w, h);
    frame.render_widget(Clear, rect);
    let style = if danger {
        theme.error()
    } else {
        theme.border(true)
    };
    let block = Block::bordered()
        .title(format!(" {title} "))
        .border_style(style);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
    rect
}

fn wrapped(text: &str, w: usize) -> Vec<Line<'static>> {
    wrap(text, w).into_iter().map(Line::raw).collect()
}

pub fn render_menu(theme: &Theme, frame: &mut Frame, area: Rect, m: &Menu) {
    let w = (area.width as usize).min(76).saturating_sub(4);
    let mut lines: Vec<Line> = m
        .choices
        .iter()
        .enumerate()
        .map(|(i, (label, _))| {
            let sel = i == m.selected;
            let text = truncate(&format!("{} {label}", if sel { "▶" } else { " " }), w);
            Line::styled(text, if sel { theme.selected() } else { theme.base() })
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled("Enter choose · Esc cancel", theme.dim()));
    dialog(
        theme,
        frame,
        area,
        Dialog {
            title: &m.title,
            lines,
            danger: false,
        },
    );
}

fn buttons(theme: &Theme, delete_focused: bool, delete_label: &str) -> Line<'static> {
    // Brackets mark the focused button without colour, too.
    let label = |text: &str, focused: bool| {
        if focused {
            format!("[ {text} ]")
        } else {
            format!("  {text}  ")
        }
    };
    Line::from(vec![
        Span::raw("  "),
        Span::styled(
            label("Cancel", !delete_focused),
            theme.button(!delete_focused),
        ),
        Span::raw("   "),
        Span::styled(
            label(delete_label, delete_focused),
            theme.danger_button(delete_focused),
        ),
    ])
}

pub fn render_confirm(theme: &Theme, frame: &mut Frame, area: Rect, c: &Confirm) {
    let w = (area.width as usize).min(76).saturating_sub(4);
    let (heading, button, verb) = c.pending.wording();
    let mut lines = vec![Line::styled(heading, theme.title())];
    for l in &c.lines {
        lines.extend(wrapped(l, w));
    }
    lines.push(Line::raw(""));
    lines.push(buttons(theme, c.delete_focused, button));
    lines.push(Line::styled(
        format!("y {verb} · n/Esc cancel · Tab switch · Enter press"),
        theme.dim(),
    ));
    dialog(
        theme,
        frame,
        area,
        Dialog {
            title: &c.title,
            lines,
            danger: true,
        },
    );
}

/// Whether the typed text confirms: the name as stored, or as displayed
/// (names with control characters show placeholders), compared as search
/// compares names: case, accents and spacing don't matter, since an admin
/// over SSH may not be able to type `é`.
/// What a typed confirmation accepts: the name (or `delete`) in any case,
/// with or without accents, or the customer ID as written, for a name in
/// a script the admin cannot type.
pub fn typed_matches(t: &TypedConfirm) -> bool {
    let typed = crate::text::fold(t.input.value());
    !typed.is_empty()
        && (typed == crate::text::fold(&t.expected)
            || typed == crate::text::fold(&clean(&t.expected))
            || t.input.value().trim() == t.customer_id)
}

/// The prompt above the field, saying what it accepts.
fn typed_prompt(t: &TypedConfirm) -> String {
    let what = if t.expected == "delete" {
        "delete".to_string()
    } else {
        format!("the name \"{}\"", clean(&t.expected))
    };
    format!(
        "To confirm, type {what} (any case, accents optional) or the customer ID {}:",
        clean(&t.customer_id)
    )
}

pub fn render_typed_confirm(theme: &Theme, frame: &mut Frame, area: Rect, t: &TypedConfirm) {
    let w = (area.width as usize).min(76).saturating_sub(4);
    let mut lines: Vec<Line<'static>> = wrapped(
        &format!(
            "Delete customer {} and all their data for good:",
            clean(&t.customer_id)
        ),
        w,
    )
    .into_iter()
    .map(|l| l.style(theme.title()))
    .collect();
    let removes: Vec<String> = t
        .removes
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    lines.extend(wrapped(
        &format!(
            "Removes: {}",
            if removes.is_empty() {
                "nothing stored".into()
            } else {
                removes.join(", ")
            }
        ),
        w,
    ));
    for k in &t.keeps {
        lines.extend(
            wrapped(&format!("Keeps: {k}"), w)
                .into_iter()
                .map(|l| l.style(theme.dim())),
        );
    }
    lines.push(Line::raw(""));
    lines.extend(wrapped(&typed_prompt(t), w));
    let field_w = w.saturating_sub(2);
    let shown = truncate(t.input.value(), field_w);
    lines.push(Line::from(vec![
        Span::styled("> ", theme.key()),
        Span::styled(shown, theme.selected()),
    ]));
    if t.mismatch {
        lines.extend(
            wrapped(
                "That matches neither the name nor the customer ID; type one of them, or Esc to cancel.",
                w,
            )
            .into_iter()
            .map(|l| l.style(theme.error())),
        );
    }
    lines.push(Line::raw(""));
    lines.push(buttons(theme, typed_matches(t), "Enter: Delete profile"));
    lines.push(Line::styled("Esc cancel", theme.dim()));
    let rect = dialog(
        theme,
        frame,
        area,
        Dialog {
            title: "Delete profile for good?",
            lines: lines.clone(),
            danger: true,
        },
    );
    let input_row = lines
        .iter()
        .position(|l| l.spans.first().is_some_and(|s| s.content == "> "))
        .unwrap_or(0);
    let cx = rect.x + 1 + 2 + t.input.visual_cursor().min(field_w) as u16;
    frame.set_cursor_position((
        cx.min(rect.right().saturating_sub(2)),
        rect.y + 1 + input_row as u16,
    ));
}

pub fn render_notice(theme: &Theme, frame: &mut Frame, area: Rect, title: &str, text: &[String]) {
    let w = (area.width as usize).min(76).saturating_sub(4);
    let mut lines: Vec<Line> = text.iter().flat_map(|l| wrapped(l, w)).collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled("Esc close", theme.dim()));
    dialog(
        theme,
        frame,
        area,
        Dialog {
            title,
            lines,
            danger: false,
        },
    );
}

pub fn render_receipt(
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    r: &Receipt,
    saved: Option<&std::path::Path>,
) {
    let w = (area.width as usize).min(76).saturating_sub(4);
    let mut lines = vec![Line::styled(
        truncate(
            &format!(
                "Customer {} was deleted at {}.",
                r.customer_id, r.deleted_at
            ),
            w,
        ),
        theme.title(),
    )];
    let removed: Vec<String> = r
        .removed
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    lines.extend(wrapped(
        &format!(
            "Removed: {}",
            if removed.is_empty() {
                "nothing".into()
            } else {
                removed.join(", ")
            }
        ),
        w,
    ));
    lines.extend(wrapped(
        "Kept for reports: customer, conversation and item IDs, types and times.",
        w,
    ));
    if let Some(v) = &r.verification {
        lines.extend(wrapped(&v.headline(), w));
    }
    if !r.checkpoint.completed {
        lines.extend(
            wrapped(
                "Warning: the WAL checkpoint did not complete; run the deletion check again.",
                w,
            )
            .into_iter()
            .map(|l| l.style(theme.warn())),
        );
    }
    if let Some(last) = r.backups.iter().map(|b| b.expires_on.as_str()).max() {
        lines.extend(wrapped(
            &format!(
                "Backups that still hold the profile: {}, the last until {last}; a restore erases it again.",
                r.backups.len()
            ),
            w,
        ));
    }
    if let Some(warning) = &r.ledger_warning {
        lines.extend(
            wrapped(&format!("Warning: {warning}"), w)
                .into_iter()
                .map(|l| l.style(theme.warn())),
        );
    }
    lines.push(Line::raw(""));
    match saved {
        Some(p) => lines.extend(wrapped(&format!("Receipt saved to {}", p.display()), w)),
        None => lines.push(Line::styled(
            "s save the receipt (JSON) · Esc close",
            theme.dim(),
        )),
    }
    dialog(
        theme,
        frame,
        area,
        Dialog {
            title: "Profile deleted",
            lines,
            danger: false,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::PendingAction;

    fn typed(expected: &str, input: &str) -> bool {
        typed_matches(&TypedConfirm {
            pending: PendingAction::DeleteProfile {
                customer_id: "c".into(),
            },
            customer_id: "c".into(),
            removes: vec![],
            keeps: vec![],
            expected: expected.into(),
            input: tui_input::Input::new(input.into()),
            mismatch: false,
        })
    }

    #[test]
    fn the_name_confirms_without_accents_or_case_but_not_a_different_name() {
        assert!(typed("Amélie Bérenger", "Amélie Bérenger"));
        assert!(typed("Amélie Bérenger", "amelie  berenger "));
        assert!(!typed("Amélie Bérenger", "Amelie"));
        assert!(!typed("Amélie Bérenger", ""));
        assert!(!typed("", ""));
    }
}
