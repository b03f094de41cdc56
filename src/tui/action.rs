//! What can happen in the console (`Action`), what the console asks the
//! outside world to do (`Effect`), and the destructive actions that wait for
//! a confirmation (`PendingAction`).

use std::path::PathBuf;

use crossterm::event::KeyEvent;

use crate::audit::{Row, Verification};
use crate::erase::{ItemDeletion, ItemPreview, ItemTarget, ProfilePreview, Receipt};
use crate::profile::Profile;
use crate::search::CustomerSummary;
use crate::timeline::{BlobRef, Timeline};

/// Everything `update` reacts to: commands bound to keys (the unit
/// variants, listed in the keymap), typed text, and results of effects.
#[derive(Debug, Clone)]
pub enum Action {
    Quit,
    Help,
    GoTab(usize),
    FocusSearch,
    FocusNext,
    FocusPrev,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    DeleteItem,
    DeleteProfile,
    Save,
    Refresh,
    ClearFilter,
    /// Confirm dialog: the focused button, or the typed name.
    Submit,
    /// Confirm dialog: `y`, Delete without moving focus first.
    Confirm,
    Cancel,
    ToggleButton,
    /// A key that edits the focused text field.
    Input(KeyEvent),
    Resize(u16, u16),
    /// The actor lacks this permission; say why.
    Refused(crate::access::Permission),
    SearchDone(SearchResponse),
    CustomerLoaded(Result<Box<(Profile, Timeline)>, String>),
    ItemPreviewed(ItemTarget, Result<ItemPreview, String>),
    ProfilePreviewed(Result<ProfilePreview, String>),
    ItemDeleted(Result<ItemDeletion, String>),
    ProfileDeleted(String, Result<Box<Receipt>, String>),
    Saved(Result<PathBuf, String>),
    AuditLoaded(Result<(Vec<Row>, Verification), String>),
}

/// Work `update` asks for; the runtime does it and answers with an Action.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Search {
        generation: u64,
        query: String,
    },
    OpenCustomer(String),
    /// Rereads the open customer after a change, keeping the selection.
    ReloadCustomer,
    PreviewItem(ItemTarget),
    PreviewProfile(String),
    /// Only the confirm handler produces this.
    Execute(PendingAction),
    SaveBlob(BlobRef),
    SaveReceipt(Box<Receipt>),
    LoadAudit,
}

/// A destructive action waiting for the admin's confirmation. The dialog
/// shows exactly this; nothing else can be executed from it.
#[derive(Debug, Clone, PartialEq)]
pub enum PendingAction {
    DeleteItem(ItemTarget),
    DeleteProfile { customer_id: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    pub generation: u64,
    pub query: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchResponse {
    pub generation: u64,
    pub query: String,
    pub result: Result<Vec<CustomerSummary>, String>,
}
