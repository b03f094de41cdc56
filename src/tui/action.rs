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
use crate::triage::{FindingContext, QueueRow, RedactionPreview};

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

/// For the status bar: `app.error(failure)`.
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
    SearchDone(SearchResponse),
    CustomerLoaded(Result<Box<(Profile, Timeline)>, Failure>),
    ItemPreviewed(ItemTarget, Result<ItemPreview, Failure>),
    ProfilePreviewed(Result<ProfilePreview, Failure>),
    ItemDeleted(Result<Box<ItemDeletion>, Failure>),
    ProfileDeleted(String, Result<Box<Receipt>, Failure>),
    Saved(Result<PathBuf, Failure>),
    AuditLoaded(Result<(Vec<Row>, Verification), Failure>),
    RetentionLoaded(Result<RetentionInfo, Failure>),
    RetentionPreviewed(u64, Result<Preview, Failure>),
    PolicySaved(Result<Policy, Failure>),
    /// A sweep began on its own thread; setting the flag stops it between
    /// profiles.
    SweepStarted(Arc<AtomicBool>),
    SweepProgress(Progress),
    SweepDone(Result<Box<SweepReport>, Failure>),
    /// The queue, and the time it was read (for overdue markers).
    RequestsLoaded(Result<(Vec<Request>, Millis), Failure>),
    RequestPlanned(i64, Result<Box<Plan>, Failure>),
    RequestStarted(i64),
    RequestRan(i64, Result<Box<RunOutcome>, Failure>),
    RequestExtended(Result<Box<Request>, Failure>),
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
    TriageLoaded(Result<Box<TriageQueue>, Failure>),
    TriageContext(i64, Result<Box<FindingContext>, Failure>),
    /// A triage action finished: what to tell the admin, or why it failed.
    TriageDone(Result<String, Failure>),
    /// The customer opened from the Triage screen, and the row of the item.
    TriageOpened(Result<Box<(Profile, Timeline)>, Failure>, Option<usize>),
    ItemFindings(String, Result<Vec<(String, usize)>, Failure>),
    FindingRow(Result<Option<usize>, Failure>),
    RedactionPreviewed(i64, Result<RedactionPreview, Failure>),
}

/// The retention screen's data: the policy and the last sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionInfo {
    pub policy: Policy,
    pub last_run: Option<crate::store::retention::Run>,
}

/// One load of the Triage queue.
#[derive(Debug, Clone)]
pub struct TriageQueue {
    pub rows: Vec<QueueRow>,
    /// Matching findings in all (rows holds at most a page of them).
    pub total: u64,
    /// How many matching findings come before `rows`: a multiple of the
    /// page size, moved back when a page was emptied.
    pub offset: usize,
    /// The selected row after the load, kept at the same index.
    pub selected: usize,
    pub context: Option<Result<FindingContext, Failure>>,
}

/// Work `update` asks for; the runtime does it and answers with an Action.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Record a refused key in the audit trail, under this audit action.
    AuditRefusal {
        action: crate::audit::Action,
    },
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
    LoadTriage,
    LoadTriageContext(i64),
    /// Resolves the item's deletion target, then previews it (the same
    /// confirm path as the timeline's `d`).
    PreviewItemById(String),
    DismissFinding(i64),
    ScanNow,
    OpenCustomerAt {
        customer_id: String,
        item_id: String,
    },
    LoadItemFindings(String),
    SeekFinding {
        forward: bool,
    },
    PreviewRedaction {
        finding_id: i64,
        item_id: String,
    },
}

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
    pub result: Result<Vec<CustomerSummary>, Failure>,
}
