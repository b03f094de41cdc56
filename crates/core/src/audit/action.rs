//! The actions the trail records.

// The actions the trail records. Other modules pass these, never their own
// strings. A refused attempt is recorded under the action that was
// attempted, with `Outcome::Refused`. The trail stores `Action::as_str`,
// the text each action has always had, so chains written before the enum
// still verify.

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// One item's content (message, call, voicemail...).
    DeleteItem,
    /// A whole email thread with its attachments.
    DeleteThread,
    DeleteAttachment,
    DeleteRecording,
    /// One Customer Profile.
    DeleteProfile,
    /// Many profiles in one command (`lethe delete --from-file`).
    DeleteBulk,
    /// Detected personal data removed from an item, the rest kept.
    Redact,
    /// A customer's data exported (access request, `lethe export`).
    Export,
    Import,
    /// The retention policy changed.
    RetentionSet,
    /// A retention run deleted overdue profiles.
    RetentionSweep,
    /// A PII scan over conversation text.
    Scan,
    /// A PII finding dismissed as a false positive.
    DismissFinding,
    /// A data subject request recorded.
    RequestCreate,
    /// A request's status or details changed.
    RequestUpdate,
    /// A request's deadline extended.
    RequestExtend,
    RequestComplete,
    RequestReject,
    /// A demo database generated.
    DemoGenerate,
    /// The first operator of a new database.
    OperatorBootstrap,
    OperatorGrant,
    OperatorRevoke,
    /// The account's "Manage Customer Data" switch turned on or off.
    AccountSwitch,
    /// Expired backups deleted (`lethe backup prune`).
    BackupPrune,
    /// A backup restored into a new database, erasures applied again.
    BackupRestore,
    /// The backup retention or the erasure ledger file changed.
    BackupSettings,
    /// An API token issued for an operator.
    ApiTokenCreate,
    ApiTokenRevoke,
    /// A request to `lethe serve`: its operator, what it did, the IDs it
    /// named and its outcome.
    ApiRequest,
}

impl Action {
    /// Every action, in the order the audit screen lists them.
    pub const ALL: &[Action] = &[
        Action::DeleteItem,
        Action::DeleteThread,
        Action::DeleteAttachment,
        Action::DeleteRecording,
        Action::DeleteProfile,
        Action::DeleteBulk,
        Action::Redact,
        Action::Export,
        Action::Import,
        Action::RetentionSet,
        Action::RetentionSweep,
        Action::Scan,
        Action::DismissFinding,
        Action::RequestCreate,
        Action::RequestUpdate,
        Action::RequestExtend,
        Action::RequestComplete,
        Action::RequestReject,
        Action::DemoGenerate,
        Action::OperatorBootstrap,
        Action::OperatorGrant,
        Action::OperatorRevoke,
        Action::AccountSwitch,
        Action::BackupPrune,
        Action::BackupRestore,
        Action::BackupSettings,
        Action::ApiTokenCreate,
        Action::ApiTokenRevoke,
        Action::ApiRequest,
    ];

    /// The text the trail stores and hashes (`delete-item`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::DeleteItem => "delete-item",
            Action::DeleteThread => "delete-thread",
            Action::DeleteAttachment => "delete-attachment",
            Action::DeleteRecording => "delete-recording",
            Action::DeleteProfile => "delete-profile",
            Action::DeleteBulk => "delete-bulk",
            Action::Redact => "redact",
            Action::Export => "export",
            Action::Import => "import",
            Action::RetentionSet => "retention-set",
            Action::RetentionSweep => "retention-sweep",
            Action::Scan => "pii-scan",
            Action::DismissFinding => "pii-dismiss",
            Action::RequestCreate => "request-create",
            Action::RequestUpdate => "request-update",
            Action::RequestExtend => "request-extend",
            Action::RequestComplete => "request-complete",
            Action::RequestReject => "request-reject",
            Action::DemoGenerate => "demo-generate",
            Action::OperatorBootstrap => "operator-bootstrap",
            Action::OperatorGrant => "operator-grant",
            Action::OperatorRevoke => "operator-revoke",
            Action::AccountSwitch => "account-switch",
            Action::BackupPrune => "backup-prune",
            Action::BackupRestore => "backup-restore",
            Action::BackupSettings => "backup-settings",
            Action::ApiTokenCreate => "api-token-create",
            Action::ApiTokenRevoke => "api-token-revoke",
            Action::ApiRequest => "api-request",
        }
    }

    /// The action a stored text names, if it is one of ours.
    pub fn parse(text: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.as_str() == text)
    }
}

/// A stored row's action text against an action: `row.action == audit::SCAN`.
impl PartialEq<Action> for String {
    fn eq(&self, other: &Action) -> bool {
        self == other.as_str()
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const DELETE_ITEM: Action = Action::DeleteItem;
pub const DELETE_THREAD: Action = Action::DeleteThread;
pub const DELETE_ATTACHMENT: Action = Action::DeleteAttachment;
pub const DELETE_RECORDING: Action = Action::DeleteRecording;
pub const DELETE_PROFILE: Action = Action::DeleteProfile;
pub const DELETE_BULK: Action = Action::DeleteBulk;
pub const REDACT: Action = Action::Redact;
pub const EXPORT: Action = Action::Export;
pub const IMPORT: Action = Action::Import;
pub const RETENTION_SET: Action = Action::RetentionSet;
pub const RETENTION_SWEEP: Action = Action::RetentionSweep;
pub const SCAN: Action = Action::Scan;
pub const DISMISS_FINDING: Action = Action::DismissFinding;
pub const REQUEST_CREATE: Action = Action::RequestCreate;
pub const REQUEST_UPDATE: Action = Action::RequestUpdate;
pub const REQUEST_EXTEND: Action = Action::RequestExtend;
pub const REQUEST_COMPLETE: Action = Action::RequestComplete;
pub const REQUEST_REJECT: Action = Action::RequestReject;
pub const DEMO_GENERATE: Action = Action::DemoGenerate;
pub const OPERATOR_BOOTSTRAP: Action = Action::OperatorBootstrap;
pub const OPERATOR_GRANT: Action = Action::OperatorGrant;
pub const OPERATOR_REVOKE: Action = Action::OperatorRevoke;
pub const ACCOUNT_SWITCH: Action = Action::AccountSwitch;
pub const BACKUP_PRUNE: Action = Action::BackupPrune;
pub const BACKUP_RESTORE: Action = Action::BackupRestore;
pub const BACKUP_SETTINGS: Action = Action::BackupSettings;
pub const API_TOKEN_CREATE: Action = Action::ApiTokenCreate;
pub const API_TOKEN_REVOKE: Action = Action::ApiTokenRevoke;
pub const API_REQUEST: Action = Action::ApiRequest;

/// Longest target ID accepted; IDs are short, text is not.
pub const MAX_TARGET_LEN: usize = 128;
