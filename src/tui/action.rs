//! What can happen in the console (`Action`), what the console asks the
//! outside world to do (`Effect`), and the destructive actions that wait for
//! a confirmation (`PendingAction`).

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crossterm::event::KeyEvent;

use crate::audit::{Row, Verification};
use crate::clock::Millis;
use crate::erase::{ItemDeletion, ItemPreview, ItemTarget, ProfilePreview, Receipt};
use crate::profile::Profile;
use crate::requests::{Plan, Request, RunOutcome};
use crate::retention::{Policy, Preview, Progress, SweepReport};
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
    /// Retention: edit the days; Requests: show or hide closed requests.
    Edit,
    ToggleClosed,
    /// Start the screen's long job: a sweep, or running a request.
    RunNow,
    Extend,
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
    RetentionLoaded(Result<RetentionInfo, String>),
    RetentionPreviewed(u64, Result<Preview, String>),
    PolicySaved(Result<Policy, String>),
    /// A sweep began on its own thread; setting the flag stops it between
    /// profiles.
    SweepStarted(Arc<AtomicBool>),
    SweepProgress(Progress),
    SweepDone(Result<Box<SweepReport>, String>),
    /// The queue, and the time it was read (for overdue markers).
    RequestsLoaded(Result<(Vec<Request>, Millis), String>),
    RequestPlanned(i64, Result<Box<Plan>, String>),
    RequestStarted(i64),
    RequestRan(i64, Result<Box<RunOutcome>, String>),
    RequestExtended(Result<Box<Request>, String>),
}

/// The retention screen's data: the policy and the last sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionInfo {
    pub policy: Policy,
    pub last_run: Option<crate::store::retention::Run>,
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
    LoadRetention,
    /// Debounced like search: only the newest waiting preview is computed.
    PreviewRetention {
        generation: u64,
        days: i64,
    },
    LoadRequests {
        include_closed: bool,
    },
    PlanRequest(i64),
    ExtendRequest {
        id: i64,
        reason: String,
    },
}

/// A destructive action waiting for the admin's confirmation. The dialog
/// shows exactly this; nothing else can be executed from it.
#[derive(Debug, Clone, PartialEq)]
pub enum PendingAction {
    DeleteItem(ItemTarget),
    DeleteProfile { customer_id: String },
    SetRetention(Policy),
    RunSweep,
    RunRequest { id: i64, erasure: bool },
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
            PendingAction::RunRequest { .. } => {
                ("Run this access request:", "Write the export", "run")
            }
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
    pub result: Result<Vec<CustomerSummary>, String>,
}
