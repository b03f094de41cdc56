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

mod action;
mod export;
pub use action::*;
pub use export::*;

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

/// `record`, with the entry's time given.
pub fn record_at(store: &Store, entry: &Entry, now: Millis) -> Result<i64> {
    store.write(|tx| append_at(tx, entry, now))
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
    let seq = s.seq.to_string();
    chain_hash(
        b"lethe-audit-v1",
        &[
            s.prev_hash.as_str(),
            seq.as_str(),
            s.at.as_str(),
            s.operator.as_str(),
            s.action.as_str(),
            s.targets.as_str(),
            s.counts.as_str(),
            s.outcome.as_str(),
        ],
    )
}

/// Hex SHA-256 of `tag`, then each field as `<length>:<bytes>,`: the
/// encoding of every hash chain Lethe keeps (the audit trail, the erasure
/// ledger), which no two lists of fields share.
pub(crate) fn chain_hash(tag: &[u8], fields: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(tag);
    for field in fields {
        h.update(field.len().to_string().as_bytes());
        h.update(b":");
        h.update(field.as_bytes());
        h.update(b",");
    }
    hex(&h.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
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

/// Entries from `from` (inclusive) to `to` (exclusive), oldest first, at
/// most `limit`.
pub fn between(
    conn: &Read,
    from: Option<Millis>,
    to: Option<Millis>,
    limit: usize,
) -> Result<Vec<Row>> {
    let (from, to) = (
        from.map(crate::clock::format_ms),
        to.map(crate::clock::format_ms),
    );
    Ok(
        crate::store::audit::between(conn, from.as_deref(), to.as_deref(), limit)?
            .into_iter()
            .map(Row::from)
            .collect(),
    )
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

#[cfg(test)]
mod tests;
