//! The audit trail: append-only, hash-chained, free of PII.
//!
//! Every entry has the same fixed fields: sequence number, UTC time,
//! operator (a staff username), action (one of [`ACTIONS`]), target IDs,
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

// The actions the trail records. Other modules pass these constants, never
// their own strings: `append` refuses an action that is not in `ACTIONS`.
// A refused attempt is recorded under the action that was attempted, with
// `Outcome::Refused`.

/// One item's content (message, call, voicemail...).
pub const DELETE_ITEM: &str = "delete-item";
/// A whole email thread with its attachments.
pub const DELETE_THREAD: &str = "delete-thread";
pub const DELETE_ATTACHMENT: &str = "delete-attachment";
pub const DELETE_RECORDING: &str = "delete-recording";
/// One Customer Profile.
pub const DELETE_PROFILE: &str = "delete-profile";
/// Many profiles in one command (`lethe delete --from-file`).
pub const DELETE_BULK: &str = "delete-bulk";
/// Detected personal data removed from an item, the rest kept.
pub const REDACT: &str = "redact";
/// A customer's data exported (access request, `lethe export`).
pub const EXPORT: &str = "export";
pub const IMPORT: &str = "import";
/// The retention policy changed.
pub const RETENTION_SET: &str = "retention-set";
/// A retention run deleted overdue profiles.
pub const RETENTION_SWEEP: &str = "retention-sweep";
/// A PII scan over conversation text.
pub const SCAN: &str = "pii-scan";
/// A PII finding dismissed as a false positive.
pub const DISMISS_FINDING: &str = "pii-dismiss";
/// A data subject request recorded.
pub const REQUEST_CREATE: &str = "request-create";
/// A request's status or details changed.
pub const REQUEST_UPDATE: &str = "request-update";
/// A request's deadline extended.
pub const REQUEST_EXTEND: &str = "request-extend";
pub const REQUEST_COMPLETE: &str = "request-complete";
pub const REQUEST_REJECT: &str = "request-reject";
/// A demo database generated.
pub const DEMO_GENERATE: &str = "demo-generate";
/// The first operator of a new database.
pub const OPERATOR_BOOTSTRAP: &str = "operator-bootstrap";
pub const OPERATOR_GRANT: &str = "operator-grant";
pub const OPERATOR_REVOKE: &str = "operator-revoke";
/// The account's "Manage Customer Data" switch turned on or off.
pub const ACCOUNT_SWITCH: &str = "account-switch";

/// Every action `append` accepts.
pub const ACTIONS: &[&str] = &[
    DELETE_ITEM,
    DELETE_THREAD,
    DELETE_ATTACHMENT,
    DELETE_RECORDING,
    DELETE_PROFILE,
    DELETE_BULK,
    REDACT,
    EXPORT,
    IMPORT,
    RETENTION_SET,
    RETENTION_SWEEP,
    SCAN,
    DISMISS_FINDING,
    REQUEST_CREATE,
    REQUEST_UPDATE,
    REQUEST_EXTEND,
    REQUEST_COMPLETE,
    REQUEST_REJECT,
    DEMO_GENERATE,
    OPERATOR_BOOTSTRAP,
    OPERATOR_GRANT,
    OPERATOR_REVOKE,
    ACCOUNT_SWITCH,
];

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
    pub action: String,
    pub targets: Vec<String>,
    pub counts: BTreeMap<String, i64>,
    pub outcome: Outcome,
}

impl Entry {
    /// `action` should be one of the constants above, e.g. [`DELETE_ITEM`].
    pub fn new(operator: &str, action: &str) -> Entry {
        Entry {
            operator: operator.to_string(),
            action: action.to_string(),
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

    /// Checks that the entry holds only what the trail may hold: a known
    /// action, a plausible username, ID-shaped targets, lowercase count
    /// names with non-negative values.
    pub fn validate(&self) -> Result<()> {
        if !ACTIONS.contains(&self.action.as_str()) {
            return Err(Error::Invalid(format!(
                "\"{}\" is not an audit action; use one of the constants in lethe::audit",
                printable(&self.action)
            )));
        }
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
            action: entry.action.clone(),
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
        assert!(Entry::new("alice", "delete everything").validate().is_err());
        assert!(entry().count("Items Deleted", 1).validate().is_err());
        assert!(entry().count("items", -1).validate().is_err());
        assert!(Entry::new("al ice", DELETE_ITEM).validate().is_err());
        let store = Store::open_in_memory().unwrap();
        assert!(record(&store, &entry().target("a@b.c")).is_err());
        assert_eq!(verify(&store.read()).unwrap().entries, 0);
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
            action: Some(DELETE_ITEM.into()),
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
