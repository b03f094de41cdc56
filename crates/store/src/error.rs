//! Errors that callers branch on. Every message is a sentence a person can
//! act on: what happened, and what to do about it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path} does not exist. Check the path, or create an empty database there with `lethe init --db {path}` (you become its first compliance admin).")]
    DatabaseMissing { path: PathBuf },

    #[error("{path} is not a SQLite database (or it is damaged). Point --db or $LETHE_DB at a Lethe database file.")]
    NotADatabase { path: PathBuf },

    #[error("{path} cannot be written (read-only file or directory). Lethe needs write access to erase data; check the file's permissions and owner.")]
    ReadOnly { path: PathBuf },

    #[error("{path} cannot be opened: {reason}. Check that the path and its directory are readable by this user.")]
    CannotOpen { path: PathBuf, reason: String },

    #[error("this database was written by a newer Lethe (schema version {found}; this binary knows up to {supported}). Upgrade Lethe before opening it.")]
    SchemaTooNew { found: i64, supported: i64 },

    #[error("{action} is not permitted for {operator}: {reason}")]
    NotPermitted {
        action: String,
        operator: String,
        reason: String,
    },

    #[error("customer {customer_id} has conversation {conversation_id} in status {status}. Close that conversation before deleting the profile.")]
    OpenConversation {
        customer_id: String,
        conversation_id: String,
        status: String,
    },

    #[error("a retention period of {days} days is too short: the minimum is 365 days.")]
    RetentionTooShort { days: i64 },

    #[error("no {what} with ID {id} was found.")]
    NotFound { what: &'static str, id: String },

    #[error("{what} {id} was already deleted on {at}; there is nothing left to delete.")]
    AlreadyDeleted {
        what: &'static str,
        id: String,
        /// When, to the minute.
        at: String,
    },

    #[error("{0}")]
    Invalid(String),

    /// The target is in a state that does not allow the action (a request
    /// already closed, a finding already dismissed, an item that changed
    /// since it was scanned). Nothing was changed; the message says which
    /// state and what to do.
    #[error("{0}")]
    InvalidState(String),

    /// The action changes data for good and needs an explicit confirmation
    /// the caller did not give. Nothing was changed.
    #[error("{0}")]
    NotConfirmed(String),

    /// Another process is doing the same job on this database (a retention
    /// sweep). Nothing was changed; try again once it finishes.
    #[error("{0}")]
    Busy(String),

    /// A request's identifiers match several profiles, and the operator
    /// has not said which of them belong to the requester.
    #[error("request {request} matches {n} different profiles: {list}. Nothing was changed. Check which of them belong to the requester, then name each: `lethe request run {request} --customer ID` (repeat --customer for more than one).", n = .matches.len(), list = .matches.join(", "))]
    AmbiguousRequest {
        request: i64,
        /// `cus_… (Name)`, safe to print.
        matches: Vec<String>,
    },

    /// The byte-level verification could not run; what was deleted stays
    /// deleted, but nothing was checked.
    #[error("the byte-level check of the database files could not run: {0}. Check that the files are readable and the disk is healthy, then run the check again.")]
    Verification(String),

    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
