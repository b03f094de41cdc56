//! Keys while a modal is on top: help, the item view, menus and
//! confirmations. Part of the app's update, beside the screens'.

use tui_input::backend::crossterm::EventHandler;

use super::action::{Action, Effect};
use super::app::{App, Modal};
use super::screens::customers::{self, begin_delete_item, begin_save};
use super::widgets::confirm;

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
