//! What every screen shares and none owns: the acting operator, the theme,
//! the terminal's size, the status bar and the dialogs on top. A screen's
//! update gets its own state and this, never another screen's state.

use std::path::PathBuf;

use super::action::{Effect, PendingAction};
use super::keymap::Context;
use super::theme::Theme;
use crate::access::{Actor, Permission};
use crate::erase::Receipt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Error,
}

/// A choice of what to delete or save; each choice is the effect it asks
/// for, so the dialog needs to know nothing of the screen that opened it.
#[derive(Debug, Clone)]
pub struct Menu {
    pub title: String,
    pub choices: Vec<(String, Effect)>,
    pub selected: usize,
}

#[derive(Debug, Clone)]
pub struct Confirm {
    pub pending: PendingAction,
    pub title: String,
    pub lines: Vec<String>,
    /// Cancel has the focus until the admin moves it.
    pub delete_focused: bool,
}

impl Confirm {
    /// A dialog with Cancel focused.
    pub fn new(pending: PendingAction, title: impl Into<String>, lines: Vec<String>) -> Confirm {
        Confirm {
            pending,
            title: title.into(),
            lines,
            delete_focused: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TypedConfirm {
    pub pending: PendingAction,
    pub customer_id: String,
    pub removes: Vec<(String, i64)>,
    pub keeps: Vec<String>,
    /// What must be typed: the customer's name, or `delete` without one.
    pub expected: String,
    pub input: tui_input::Input,
    pub mismatch: bool,
}

/// Layers over the screen; the top one gets keys first.
#[derive(Debug, Clone)]
pub enum Modal {
    Help {
        scroll: u16,
        /// Where `?` was pressed: its keys come first.
        from: Context,
    },
    Menu(Menu),
    Confirm(Confirm),
    TypedConfirm(Box<TypedConfirm>),
    Notice {
        title: String,
        lines: Vec<String>,
    },
    Receipt {
        receipt: Box<Receipt>,
        saved: Option<PathBuf>,
    },
}

impl Modal {
    pub fn context(&self) -> Context {
        match self {
            Modal::Help { .. } => Context::Help,
            Modal::Menu(_) => Context::Menu,
            Modal::Confirm(_) => Context::Confirm,
            Modal::TypedConfirm(_) => Context::TypedConfirm,
            Modal::Notice { .. } => Context::Notice,
            Modal::Receipt { .. } => Context::Receipt,
        }
    }
}

pub struct Shell {
    pub actor: Actor,
    pub theme: Theme,
    /// The terminal's size, for layouts that an update needs (page sizes).
    pub size: (u16, u16),
    pub modals: Vec<Modal>,
    pub status: Option<(StatusKind, String)>,
    pub quit: bool,
    /// Jobs running on threads of their own (a sweep, a deletion's
    /// verification, a request): `q` asks before quitting while there
    /// are any.
    pub jobs: usize,
    /// Where saved copies, receipts and access exports go (dialogs name
    /// it).
    pub save_dir: PathBuf,
}

impl Shell {
    pub fn new(actor: Actor, theme: Theme, size: (u16, u16)) -> Shell {
        Shell {
            actor,
            theme,
            size,
            modals: vec![],
            status: None,
            quit: false,
            jobs: 0,
            save_dir: PathBuf::new(),
        }
    }

    /// Whether the actor can change nothing (the read-only banner shows).
    pub fn read_only(&self) -> bool {
        !self.actor.can(Permission::Delete)
    }

    /// Whether the screen has the keys (no dialog on top): its focused
    /// pane is drawn highlighted.
    pub fn focused(&self) -> bool {
        self.modals.is_empty()
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Some((StatusKind::Info, text.into()));
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.status = Some((StatusKind::Error, text.into()));
    }

    pub fn confirm(&mut self, c: Confirm) {
        self.modals.push(Modal::Confirm(c));
    }

    /// A choice of effects: straight to the effect when there is one.
    pub fn menu(&mut self, title: &str, choices: Vec<(String, Effect)>) -> Vec<Effect> {
        if choices.len() == 1 {
            return choices.into_iter().map(|c| c.1).collect();
        }
        self.modals.push(Modal::Menu(Menu {
            title: title.to_string(),
            choices,
            selected: 0,
        }));
        vec![]
    }
}
