//! Shared widgets: dialogs, the item popup, the header and the status bar,
//! and `modal_update`, which handles keys while a modal is on top.

pub mod confirm;
pub mod popup;
pub mod status_bar;
pub mod tabs;

use tui_input::backend::crossterm::EventHandler;

use super::action::{Action, Effect};
use super::app::{App, Modal};
use super::screens::customers::{self, begin_delete_item, begin_save};

/// The first row of a list to draw in `height` rows so the selected row is
/// in view: the list scrolls once the selection passes the last line.
pub fn first_visible(selected: usize, height: usize) -> usize {
    selected.saturating_sub(height.saturating_sub(1))
}

fn scrolled(scroll: u16, action: &Action) -> u16 {
    let d: i32 = match action {
        Action::Up => -1,
        Action::Down => 1,
        Action::PageUp => -10,
        Action::PageDown => 10,
        _ => 0,
    };
    (scroll as i32 + d).clamp(0, u16::MAX as i32) as u16
}

pub fn modal_update(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(top) = app.modals.last_mut() else {
        return vec![];
    };
    match (top, action) {
        (_, Action::Back) => {
            app.modals.pop();
            vec![]
        }
        (Modal::Help { scroll }, a) => {
            let max = super::screens::help::line_count().saturating_sub(5) as u16;
            *scroll = scrolled(*scroll, &a).min(max);
            vec![]
        }
        (Modal::Item { row, .. }, Action::DeleteItem) => {
            let row = *row;
            begin_delete_item(app, row)
        }
        (Modal::Item { row, .. }, Action::Save) => {
            let row = *row;
            begin_save(app, row)
        }
        (Modal::Item { scroll, .. }, a) => {
            *scroll = scrolled(*scroll, &a).min(2000);
            vec![]
        }
        (Modal::Menu(m), Action::Up) => {
            m.selected = m.selected.saturating_sub(1);
            vec![]
        }
        (Modal::Menu(m), Action::Down) => {
            m.selected = (m.selected + 1).min(m.choices.len().saturating_sub(1));
            vec![]
        }
        (Modal::Menu(m), Action::Submit) => {
            let then = m.choices.get(m.selected).map(|c| c.1.clone());
            app.modals.pop();
            then.map(|t| customers::delete_menu_effect(&t))
                .unwrap_or_default()
        }
        (Modal::Confirm(c), Action::ToggleButton) => {
            c.delete_focused = !c.delete_focused;
            vec![]
        }
        (Modal::Confirm(c), a @ (Action::Confirm | Action::Submit)) => {
            let confirmed = matches!(a, Action::Confirm) || c.delete_focused;
            let pending = c.pending.clone();
            app.modals.pop();
            if confirmed {
                vec![Effect::Execute(pending)]
            } else {
                app.info("Cancelled; nothing was deleted.");
                vec![]
            }
        }
        (Modal::TypedConfirm(t), Action::Input(key)) => {
            t.input.handle_event(&crossterm::event::Event::Key(key));
            t.mismatch = false;
            vec![]
        }
        (Modal::TypedConfirm(t), Action::Submit) => {
            if confirm::typed_matches(t) {
                let pending = t.pending.clone();
                app.modals.pop();
                vec![Effect::Execute(pending)]
            } else {
                t.mismatch = true;
                vec![]
            }
        }
        (Modal::Receipt { receipt, .. }, Action::Save) => {
            vec![Effect::SaveReceipt(receipt.clone())]
        }
        (Modal::Menu(_), Action::Cancel) => {
            app.modals.pop();
            app.info("Cancelled.");
            vec![]
        }
        (Modal::Confirm(_) | Modal::TypedConfirm(_), Action::Cancel) => {
            app.modals.pop();
            app.info("Cancelled; nothing was deleted.");
            vec![]
        }
        _ => vec![],
    }
}

#[cfg(test)]
mod first_visible_tests {
    use super::first_visible;

    #[test]
    fn the_list_scrolls_once_the_selection_passes_the_last_line() {
        assert_eq!(first_visible(0, 5), 0);
        assert_eq!(first_visible(4, 5), 0);
        assert_eq!(first_visible(5, 5), 1);
        assert_eq!(first_visible(3, 0), 3);
    }
}
