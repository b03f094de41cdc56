//! The audit trail: append-only, hash-chained, free of PII.
//!
//! Every entry has the same fixed fields: sequence number, UTC time,
//! operator (a staff username), action (one of [`Action`]), target IDs,
//! integer counts and an outcome. There is no free-text field, so there is
//! nowhere to put a customer's name, email, phone, message or search term;
//! [`append`] rejects targets that do not look like IDs.
//!
//! # The chain
//!
//! Each entry stores the previous entry's hash (`prev_hash`) and its own
//! `hash`, the lowercase hex SHA-256 of this canonical encoding:
//!
//! ```text
//! "lethe-audit-v1" field(prev_hash) field(seq) field(at) field(operator)
//!                  field(action) field(targets) field(counts) field(outcome)
//! field(x) = <decimal byte length of x> ":" <bytes of x> ","
//! ```
//!
//! `seq` is written in decimal; `at` is RFC 3339 UTC with milliseconds
//! (`2024-07-11T18:52:01.230Z`); `targets` is the compact JSON array of IDs
//! and `counts` the compact JSON object with keys in byte order, exactly as
//! stored in the `audit_log` columns. The first entry's `prev_hash` is
//! [`genesis`], the hex SHA-256 of the ASCII text `lethe-audit-genesis`.
//! Length prefixes make the encoding unambiguous: no two different entries
//! encode to the same bytes.
//!
//! [`verify`] recomputes the chain and names the first entry whose hash,
//! link or sequence number is wrong, which catches an edited column, a row
//! deleted from the middle and swapped sequence numbers. Rows removed from
//! the end leave a shorter chain that is still valid; keep the head hash
//! that `lethe audit export` prints somewhere else, and check it later with
//! [`find_head`] (`lethe audit verify --head HASH`).

use std::collections::BTreeMap;
use std::io::Write;

use crate::store::{self, Read, Store};
use sha2::{Digest, Sha256};

use crate::clock::Millis;
use crate::error::{Error, Result};
pub use lethe_store::model::audit::{Filter, Stored};

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

/// Longest target ID accepted; IDs are short, text is not.
pub const MAX_TARGET_LEN: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Refused,
    Failed,
    Partial,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
            Outcome::Partial => "partial",
        }
    }
}

/// One audit entry: who, what, on which IDs, how many, and how it ended.
/// Targets are IDs only; counts are numbers only. Never put a name, email,
/// phone, message text or search term here.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub operator: String,
    pub action: Action,
    pub targets: Vec<String>,
    pub counts: BTreeMap<String, i64>,
    pub outcome: Outcome,
}

impl Entry {
    pub fn new(operator: &str, action: Action) -> Entry {
        Entry {
            operator: operator.to_string(),
            action,
            targets: vec![],
            counts: BTreeMap::new(),
            outcome: Outcome::Ok,
        }
    }

    pub fn target(mut self, id: &str) -> Entry {
        self.targets.push(id.to_string());
        self
    }

    pub fn targets<S: AsRef<str>>(mut self, ids: impl IntoIterator<Item = S>) -> Entry {
        self.targets
            .extend(ids.into_iter().map(|s| s.as_ref().to_string()));
        self
    }

    pub fn count(mut self, what: &str, n: i64) -> Entry {
        self.counts.insert(what.to_string(), n);
        self
    }

    pub fn outcome(mut self, o: Outcome) -> Entry {
        self.outcome = o;
        self
    }

    /// Checks that the entry holds only what the trail may hold: a
    /// plausible username, ID-shaped targets, lowercase count names with
    /// non-negative values. (The action is an `Action`, so always known.)
    pub fn validate(&self) -> Result<()> {
        if !crate::access::is_valid_username(&self.operator) {
            return Err(Error::Invalid(format!(
                "\"{}\" is not a valid operator username for the audit trail",
                printable(&self.operator)
            )));
        }
        for t in &self.targets {
            if let Some(why) = target_problem(t) {
                return Err(Error::Invalid(format!(
                    "an audit target must be an ID, and this one {why}; record IDs only, never personal data"
                )));
            }
        }
        for (name, n) in &self.counts {
            let ok_name = name.len() <= 32
                && name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok_name {
                return Err(Error::Invalid(format!(
                    "\"{}\" is not a valid audit count name (lowercase letters, digits and _)",
                    printable(name)
                )));
            }
            if *n < 0 {
                return Err(Error::Invalid(format!(
                    "audit count {name} is negative ({n}); counts are numbers of things"
                )));
            }
        }
        Ok(())
    }
}

/// Why `t` does not look like an ID, if it does not. IDs are short runs of
/// ASCII letters, digits and `_ - . : /`; that excludes emails (`@`), text
/// (spaces) and international phone numbers (`+`). Digit groups joined by
/// separators, like `555-123-4567`, are refused as phone-shaped.
fn target_problem(t: &str) -> Option<&'static str> {
    if t.is_empty() {
        return Some("is empty");
    }
    if t.len() > MAX_TARGET_LEN {
        return Some("is too long");
    }
    if t.contains('@') {
        return Some("contains @ (it looks like an email address)");
    }
    if t.chars().any(char::is_whitespace) {
        return Some("contains spaces (it looks like text)");
    }
    if !t
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '/'))
    {
        return Some("contains characters IDs do not have");
    }
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let phone_shaped = t
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == '.')
        && digits != t.len()
        && (7..=15).contains(&digits);
    if phone_shaped {
        return Some("looks like a phone number");
    }
    None
}

/// Text safe to echo in an error message: control characters dropped,
/// length capped.
fn printable(s: &str) -> String {
    crate::text::safe_line(&s.chars().take(64).collect::<String>())
}

/// Appends one entry, chained to the previous one, and returns its
/// sequence number. The entry is validated first (see [`Entry::validate`]);
/// an invalid entry writes nothing.
///
/// Inside the caller's transaction the entry commits or rolls back with
/// the change it records. Outside one, `append` takes the write lock itself
/// (BEGIN IMMEDIATE), so two processes appending at once queue instead of
/// both chaining to the same previous entry.
pub fn append(conn: &store::Write, entry: &Entry) -> Result<i64> {
    append_at(conn, entry, crate::clock::now_ms())
}

/// `append` in a write transaction of its own, for an entry that records
/// no change of the database (an export, a refusal, a verification).
pub fn record(store: &Store, entry: &Entry) -> Result<i64> {
    store.write(|tx| append(tx, entry))
}

/// `append`, with the entry's time given.
pub fn append_at(conn: &store::Write, entry: &Entry, now: Millis) -> Result<i64> {
    entry.validate()?;
    let targets = serde_json::to_string(&entry.targets)
        .map_err(|err| Error::Invalid(format!("audit targets: {err}")))?;
    let counts = serde_json::to_string(&entry.counts)
        .map_err(|err| Error::Invalid(format!("audit counts: {err}")))?;
    crate::store::audit::append(conn, |seq, prev_hash| {
        let mut row = Stored {
            seq,
            at: crate::clock::format_ms(now),
            operator: entry.operator.clone(),
            action: entry.action.as_str().to_string(),
            targets,
            counts,
            outcome: entry.outcome.as_str().to_string(),
            prev_hash: prev_hash.unwrap_or_else(genesis),
            hash: String::new(),
        };
        row.hash = entry_hash(&row);
        Ok(row)
    })
}

/// The `prev_hash` of the first entry: hex SHA-256 of `lethe-audit-genesis`.
pub fn genesis() -> String {
    hex(&Sha256::digest(b"lethe-audit-genesis"))
}

/// The hash of one stored entry under the canonical encoding described in
/// the module documentation.
pub fn entry_hash(s: &Stored) -> String {
    let mut h = Sha256::new();
    h.update(b"lethe-audit-v1");
    let seq = s.seq.to_string();
    for field in [
        s.prev_hash.as_str(),
        seq.as_str(),
        s.at.as_str(),
        s.operator.as_str(),
        s.action.as_str(),
        s.targets.as_str(),
        s.counts.as_str(),
        s.outcome.as_str(),
    ] {
        h.update(field.len().to_string().as_bytes());
        h.update(b":");
        h.update(field.as_bytes());
        h.update(b",");
    }
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A stored audit entry, as the audit screen and `lethe audit export` show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Row {
    pub seq: i64,
    pub at: String,
    pub operator: String,
    pub action: String,
    pub targets: Vec<String>,
    pub counts: BTreeMap<String, i64>,
    pub outcome: String,
    pub hash: String,
}

impl From<Stored> for Row {
    /// A row edited by hand into invalid JSON still shows: its raw text
    /// becomes the single target, and `verify` reports it.
    fn from(s: Stored) -> Row {
        let targets = serde_json::from_str(&s.targets).unwrap_or_else(|_| vec![s.targets.clone()]);
        let counts = serde_json::from_str(&s.counts).unwrap_or_default();
        Row {
            seq: s.seq,
            at: s.at,
            operator: s.operator,
            action: s.action,
            targets,
            counts,
            outcome: s.outcome,
            hash: s.hash,
        }
    }
}

/// The chain's state: intact, or broken at the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verification {
    pub entries: i64,
    /// The hash of the last entry (the genesis hash for an empty trail).
    pub head: String,
    /// The sequence number of the first entry whose hash or link is wrong.
    pub first_bad: Option<i64>,
    pub problem: Option<String>,
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        self.first_bad.is_none()
    }
}

/// Entries matching `filter`, newest first, at most `limit`.
pub fn list(conn: &Read, filter: &Filter, limit: usize) -> Result<Vec<Row>> {
    Ok(crate::store::audit::list(conn, filter, limit)?
        .into_iter()
        .map(Row::from)
        .collect())
}

/// Recomputes the whole chain from the genesis hash. Reports the first
/// entry whose sequence number, link to the previous entry, or own hash is
/// wrong. Entries after the first bad one are not judged (one edit breaks
/// every later link), but they are counted.
pub fn verify(conn: &Read) -> Result<Verification> {
    let mut expected_prev = genesis();
    let mut expected_seq = 1;
    let mut entries = 0;
    let mut broken: Option<(i64, String)> = None;
    crate::store::audit::for_each(conn, |s| {
        entries += 1;
        if broken.is_none() {
            let problem = if s.seq != expected_seq {
                Some(if s.seq > expected_seq {
                    format!(
                        "entries {expected_seq} to {} are missing (deleted)",
                        s.seq - 1
                    )
                } else {
                    format!("its sequence number should be {expected_seq}")
                })
            } else if s.prev_hash != expected_prev {
                Some("it does not link to the entry before it (prev_hash differs)".to_string())
            } else if entry_hash(s) != s.hash {
                Some("its content does not match its hash (the row was edited)".to_string())
            } else {
                None
            };
            match problem {
                Some(p) => broken = Some((s.seq, p)),
                None => {
                    expected_prev = s.hash.clone();
                    expected_seq += 1;
                }
            }
        }
        Ok(())
    })?;
    let head = crate::store::audit::last(conn)?
        .map(|(_, hash)| hash)
        .unwrap_or_else(genesis);
    Ok(Verification {
        entries,
        head,
        first_bad: broken.as_ref().map(|b| b.0),
        problem: broken.map(|b| b.1),
    })
}

/// The newest entry of the audit trail: its sequence number and hash. A
/// receipt keeps the head right after its own entry, so a saved receipt is
/// an anchor: `lethe audit verify --head HASH` proves that no entry up to
/// it was removed since.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// The head of the trail now, `None` while it is empty. In the transaction
/// that appended an entry, that entry.
pub fn head(conn: &Read) -> Result<Option<Head>> {
    Ok(crate::store::audit::last(conn)?.map(|(seq, hash)| Head { seq, hash }))
}

/// The sequence number of the entry whose hash is `head`, if the trail
/// still holds it. With an intact chain, finding an old head proves that
/// no entry up to it was removed or changed since it was written down.
pub fn find_head(conn: &Read, head: &str) -> Result<Option<i64>> {
    crate::store::audit::seq_of_hash(conn, head.trim())
}

/// How `export` writes entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line, then a trailer line
    /// `{"head":"<hash>","entries":N}`.
    Jsonl,
    /// A header row, one row per entry, then a trailer line
    /// `# head=<hash> entries=N`.
    Csv,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "json" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// Writes every entry, oldest first, with all stored columns (so anyone can
/// recompute the chain), then the head hash as the last line. Returns the
/// head and the number of entries.
pub fn export(conn: &Read, format: Format, out: &mut dyn Write) -> Result<(String, i64)> {
    let mut entries = 0;
    let mut head = genesis();
    if format == Format::Csv {
        writeln!(
            out,
            "seq,at,operator,action,targets,counts,outcome,prev_hash,hash"
        )?;
    }
    crate::store::audit::for_each(conn, |s| {
        entries += 1;
        head = s.hash.clone();
        match format {
            Format::Jsonl => {
                let line = serde_json::json!({
                    "seq": s.seq,
                    "at": s.at,
                    "operator": s.operator,
                    "action": s.action,
                    "targets": s.targets,
                    "counts": s.counts,
                    "outcome": s.outcome,
                    "prev_hash": s.prev_hash,
                    "hash": s.hash,
                });
                writeln!(out, "{line}")?;
            }
            Format::Csv => {
                let seq = s.seq.to_string();
                let fields = [
                    seq.as_str(),
                    &s.at,
                    &s.operator,
                    &s.action,
                    &s.targets,
                    &s.counts,
                    &s.outcome,
                    &s.prev_hash,
                    &s.hash,
                ];
                let cells: Vec<String> = fields
                    .iter()
                    .map(|f| crate::csv::field(f).into_owned())
                    .collect();
                writeln!(out, "{}", cells.join(","))?;
            }
        }
        Ok(())
    })?;
    match format {
        Format::Jsonl => writeln!(
            out,
            "{}",
            serde_json::json!({"head": head, "entries": entries})
        )?,
        Format::Csv => writeln!(out, "# head={head} entries={entries}")?,
    }
    Ok((head, entries))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn entry() -> Entry {
        Entry::new("alice", DELETE_ITEM)
            .target("itm_42")
            .count("items", 1)
    }

    #[test]
    fn rejects_pii_shaped_targets() {
        for bad in [
            "martha@example.com",
            "Martha Williams",
            "+14155550123",
            "415-555-0123",
            "415.555.0123",
            "",
            &"x".repeat(MAX_TARGET_LEN + 1),
            "line\nbreak",
        ] {
            let err = entry().target(bad).validate().unwrap_err();
            assert!(err.to_string().contains("audit target"), "{bad}: {err}");
        }
        for good in [
            "cus_1",
            "0035e00000AbCdE",
            "itm-2024-07-11",
            "123456789012",
            "manage_customer_data",
        ] {
            entry().target(good).validate().unwrap();
        }
    }

    #[test]
    fn rejects_unknown_actions_and_bad_counts() {
        assert!(entry().count("Items Deleted", 1).validate().is_err());
        assert!(entry().count("items", -1).validate().is_err());
        assert!(Entry::new("al ice", DELETE_ITEM).validate().is_err());
        let store = Store::open_in_memory().unwrap();
        assert!(record(&store, &entry().target("a@b.c")).is_err());
        assert_eq!(verify(&store.read()).unwrap().entries, 0);
    }

    /// The texts the trail has always stored. Chains written before the
    /// actions were an enum hash these bytes, so they must never change.
    #[test]
    fn every_action_stores_the_text_it_always_had() {
        let texts: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(
            texts,
            [
                "delete-item",
                "delete-thread",
                "delete-attachment",
                "delete-recording",
                "delete-profile",
                "delete-bulk",
                "redact",
                "export",
                "import",
                "retention-set",
                "retention-sweep",
                "pii-scan",
                "pii-dismiss",
                "request-create",
                "request-update",
                "request-extend",
                "request-complete",
                "request-reject",
                "demo-generate",
                "operator-bootstrap",
                "operator-grant",
                "operator-revoke",
                "account-switch",
            ]
        );
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(*a));
        }
        // A row as an earlier Lethe wrote it hashes to the same value (worked
        // out by hand from the encoding in the module documentation).
        let row = Stored {
            seq: 1,
            at: "2026-01-01T00:00:00.000Z".into(),
            operator: "alice".into(),
            action: DELETE_PROFILE.as_str().into(),
            targets: r#"["cus_1"]"#.into(),
            counts: r#"{"items":3}"#.into(),
            outcome: "ok".into(),
            prev_hash: genesis(),
            hash: String::new(),
        };
        assert_eq!(
            entry_hash(&row),
            "7f766238ca707de4ac53ebaae3c37511556a8b406d143dab8da5f96abbcf24a9"
        );
    }

    #[test]
    fn chains_from_genesis_and_lists_newest_first() {
        let store = Store::open_in_memory().unwrap();
        let c = &store.read();
        assert_eq!(record(&store, &entry()).unwrap(), 1);
        assert_eq!(
            record(&store, &Entry::new("bob", EXPORT).outcome(Outcome::Refused)).unwrap(),
            2
        );
        let v = verify(c).unwrap();
        assert!(v.is_intact(), "{v:?}");
        assert_eq!(v.entries, 2);
        let rows = list(c, &Filter::default(), 10).unwrap();
        assert_eq!(rows[0].seq, 2);
        assert_eq!(rows[0].hash, v.head);
        assert_eq!(rows[1].targets, vec!["itm_42"]);
        assert_eq!(rows[1].counts.get("items"), Some(&1));
        let only_bob = Filter {
            operator: Some("bob".into()),
            ..Filter::default()
        };
        assert_eq!(list(c, &only_bob, 10).unwrap().len(), 1);
        let by_action = Filter {
            action: Some(DELETE_ITEM.as_str().into()),
            ..Filter::default()
        };
        assert_eq!(list(c, &by_action, 10).unwrap()[0].operator, "alice");
        assert_eq!(list(c, &Filter::default(), 1).unwrap().len(), 1);
        assert_eq!(find_head(c, &v.head).unwrap(), Some(2));
        assert_eq!(find_head(c, &genesis()).unwrap(), None);
    }

    #[test]
    fn empty_trail_is_intact_with_genesis_head() {
        let store = Store::open_in_memory().unwrap();
        let v = verify(&store.read()).unwrap();
        assert_eq!((v.entries, v.head, v.first_bad), (0, genesis(), None));
    }

    #[test]
    fn encoding_is_length_prefixed() {
        // Moving a character between neighbouring fields changes the hash.
        let a = Stored {
            seq: 1,
            at: "t".into(),
            operator: "ab".into(),
            action: "c".into(),
            targets: "[]".into(),
            counts: "{}".into(),
            outcome: "ok".into(),
            prev_hash: genesis(),
            hash: String::new(),
        };
        let b = Stored {
            operator: "a".into(),
            action: "bc".into(),
            ..a.clone()
        };
        assert_ne!(entry_hash(&a), entry_hash(&b));
    }

    #[test]
    fn csv_and_jsonl_end_with_the_head() {
        let store = Store::open_in_memory().unwrap();
        record(&store, &entry().target("cus_1")).unwrap();
        let head = verify(&store.read()).unwrap().head;
        let mut out = Vec::new();
        export(&store.read(), Format::Csv, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("\"[\"\"itm_42\"\",\"\"cus_1\"\"]\""),
            "{text}"
        );
        assert_eq!(
            text.lines().last().unwrap(),
            format!("# head={head} entries=1")
        );
        let mut out = Vec::new();
        export(&store.read(), Format::Jsonl, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let trailer: serde_json::Value =
            serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!(trailer["head"], head.as_str());
    }
}
