//! What can happen in the console (`Action`), what the console asks the
//! outside world to do (`Effect`), and the destructive actions that wait for
//! a confirmation (`PendingAction`).

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::KeyEvent;

use super::app::Tab;
use super::screens::{audit, customers, requests, retention, triage};
use crate::erase::{ItemTarget, Receipt};
use crate::retention::Policy;

/// A core error as the console carries it in a result: the error itself,
/// so a screen can tell an open conversation from a refusal, shared so an
/// action stays cheap to clone. It reads as its message.
#[derive(Debug, Clone)]
pub struct Failure(pub Arc<crate::Error>);

impl Failure {
    pub fn error(&self) -> &crate::Error {
        &self.0
    }
}

impl From<crate::Error> for Failure {
    fn from(e: crate::Error) -> Failure {
        Failure(Arc::new(e))
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A core result as an action carries it.
pub fn failure<T>(r: crate::Result<T>) -> Result<T, Failure> {
    r.map_err(Failure::from)
}

/// For the status bar: `sh.error(failure)`.
impl From<Failure> for String {
    fn from(f: Failure) -> String {
        f.to_string()
    }
}

impl PartialEq for Failure {
    fn eq(&self, other: &Failure) -> bool {
        self.to_string() == other.to_string()
    }
}

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
    /// Retention: edit the days; Requests: show or hide closed requests.
    Edit,
    ToggleClosed,
    /// Start the screen's long job: a sweep, or running a request.
    RunNow,
    Extend,
    /// Requests: record a new request (the intake form).
    New,
    /// Confirm dialog: the focused button, or the typed name.
    Submit,
    /// Confirm dialog: `y`, Delete without moving focus first.
    Confirm,
    Cancel,
    ToggleButton,
    /// A key that edits the focused text field.
    Input(KeyEvent),
    Resize(u16, u16),
    /// A key the actor may not use: the permission it lacks (to say why),
    /// and the audit action the refusal is recorded under.
    Refused(crate::access::Permission, crate::audit::Action),
    /// A receipt dialog's copy was written, or why not.
    ReceiptSaved(Result<PathBuf, Failure>),
    /// Results of effects, to the screen that asked for them whatever is
    /// on top.
    Customers(customers::Msg),
    Audit(audit::Msg),
    Retention(retention::Msg),
    Requests(requests::Msg),
    Triage(triage::Msg),
    /// Triage: cycle the kind filter, toggle "high confidence only".
    CycleKind,
    ToggleConfidence,
    /// In an open request: move to the next matched profile, and mark or
    /// unmark it as the requester's.
    NextMatch,
    MarkMatch,
    /// Triage: redact the selected finding's item, dismiss the finding, scan now.
    Redact,
    Dismiss,
    Scan,
    /// Timeline: the next / previous item with open findings.
    NextFinding,
    PrevFinding,
}

/// Work an update asks for. Jumps are the app's to carry out; the rest
/// the runtime does, each screen's through that screen's `io`, and
/// answers with an Action.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Show another screen, or the customer search.
    Jump(Jump),
    /// Record a refused key in the audit trail, under this audit action.
    AuditRefusal {
        action: crate::audit::Action,
    },
    /// Only the confirm handler produces this.
    Execute(PendingAction),
    /// Data changed (an item deleted): the screen shown, when it is not
    /// the one reporting it (`Tab`), reads afresh. The reporter rereads
    /// what it shows itself.
    Changed(Tab),
    SaveReceipt(Box<Receipt>),
    Customers(customers::Io),
    Audit(audit::Io),
    Retention(retention::Io),
    Requests(requests::Io),
    Triage(triage::Io),
}

/// Where a screen sends the admin: the app switches tabs and tells the
/// screen shown, so no screen edits another's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Jump {
    /// The customer search box (`/` on screens without a search).
    Search,
    /// Another tab, read afresh.
    Tab(Tab),
    /// An item in its customer's timeline: the Customers screen opens it
    /// and is shown once it has.
    Item {
        customer_id: String,
        item_id: String,
    },
}

macro_rules! screen_effects {
    ($($screen:ident => $variant:ident),*) => {$(
        impl From<$screen::Io> for Effect {
            fn from(io: $screen::Io) -> Effect {
                Effect::$variant(io)
            }
        }
        impl From<$screen::Msg> for Action {
            fn from(msg: $screen::Msg) -> Action {
                Action::$variant(msg)
            }
        }
    )*};
}

screen_effects!(
    customers => Customers,
    audit => Audit,
    retention => Retention,
    requests => Requests,
    triage => Triage
);

/// A destructive action waiting for the admin's confirmation. The dialog
/// shows exactly this; nothing else can be executed from it.
#[derive(Debug, Clone, PartialEq)]
pub enum PendingAction {
    DeleteItem(ItemTarget),
    DeleteProfile {
        customer_id: String,
    },
    SetRetention(Policy),
    RunSweep,
    RunRequest {
        id: i64,
        erasure: bool,
        /// The matched profiles the admin marked as the requester's (empty
        /// for a single match, which stands for itself).
        customers: Vec<String>,
    },
    /// Replace the open findings of the finding's item with labels.
    RedactFinding {
        finding_id: i64,
    },
    /// Quit while a job runs: a sweep stops between profiles, the rest
    /// finish first.
    Quit,
}

impl PendingAction {
    /// The dialog's heading, its confirm button, and the verb of `y`.
    pub fn wording(&self) -> (&'static str, &'static str, &'static str) {
        const GONE: &str = "This will be deleted and cannot be recovered:";
        match self {
            PendingAction::DeleteItem(_) | PendingAction::DeleteProfile { .. } => {
                (GONE, "Delete", "delete")
            }
            PendingAction::SetRetention(Policy::DeleteAfter { .. }) => (
                "Profiles will be deleted automatically and cannot be recovered:",
                crate::retention::CONFIRMATION,
                "confirm",
            ),
            PendingAction::SetRetention(Policy::RetainForever) => (
                "Change the retention policy:",
                "Use default settings",
                "confirm",
            ),
            PendingAction::RunSweep => (GONE, "Run the sweep", "run"),
            PendingAction::RunRequest { erasure: true, .. } => (GONE, "Run the erasure", "run"),
            PendingAction::RedactFinding { .. } => (
                "These values will be replaced by labels and cannot be recovered:",
                "Redact",
                "redact",
            ),
            PendingAction::RunRequest { .. } => {
                ("Run this access request:", "Write the export", "run")
            }
            PendingAction::Quit => ("Lethe is still working:", "Quit", "quit"),
        }
    }
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
    pub result: Result<Vec<crate::search::CustomerSummary>, Failure>,
}
