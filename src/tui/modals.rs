//! Keys while a dialog is on top: help, menus, confirmations, notices
//! and receipts. Part of the app's update, beside the screens'.

use std::path::PathBuf;

use tui_input::backend::crossterm::EventHandler;

use super::action::{Action, Effect, Failure};
use super::shell::{Modal, Shell};
use super::widgets::confirm;

pub fn scrolled(scroll: u16, action: &Action) -> u16 {
    let d: i32 = match action {
        Action::Up => -1,
        Action::Down => 1,
        Action::PageUp => -10,
        Action::PageDown => 10,
        _ => 0,
    };
    (scroll as i32 + d).clamp(0, u16::MAX as i32) as u16
}

pub fn update(sh: &mut Shell, action: Action) -> Vec<Effect> {
    let Some(top) = sh.modals.last_mut() else {
        return vec![];
    };
    match (top, action) {
        (_, Action::Back) => {
            sh.modals.pop();
            vec![]
        }
        (Modal::Help { scroll, .. }, a) => {
            let max = super::screens::help::line_count().saturating_sub(5) as u16;
            *scroll = scrolled(*scroll, &a).min(max);
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
            sh.modals.pop();
            then.into_iter().collect()
        }
        (Modal::Confirm(c), Action::ToggleButton) => {
            c.delete_focused = !c.delete_focused;
            vec![]
        }
        (Modal::Confirm(c), a @ (Action::Confirm | Action::Submit)) => {
            let confirmed = matches!(a, Action::Confirm) || c.delete_focused;
            let pending = c.pending.clone();
            sh.modals.pop();
            if confirmed {
                vec![Effect::Execute(pending)]
            } else {
                sh.info("Cancelled; nothing was deleted.");
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
                sh.modals.pop();
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
            sh.modals.pop();
            sh.info("Cancelled.");
            vec![]
        }
        (Modal::Confirm(_) | Modal::TypedConfirm(_), Action::Cancel) => {
            sh.modals.pop();
            sh.info("Cancelled; nothing was deleted.");
            vec![]
        }
        _ => vec![],
    }
}

/// A receipt dialog's `s`: the dialog shows where the copy went.
pub fn receipt_saved(sh: &mut Shell, r: Result<PathBuf, Failure>) -> Vec<Effect> {
    match r {
        Ok(path) => {
            if let Some(Modal::Receipt { saved, .. }) = sh.modals.last_mut() {
                *saved = Some(path.clone());
            }
            sh.info(format!("Saved {} (readable by you only).", path.display()));
        }
        Err(e) => sh.error(format!("Nothing was saved: {e}")),
    }
    vec![]
}
