//! PII triage: scan conversation text for pasted personal data, keep the
//! findings, and act on them (dismiss a false positive, redact an item).
//!
//! # Scanning
//! The scan is incremental. New items are found by rowid above a
//! watermark (setting `pii_scan_watermark`), read in one range per batch,
//! and the watermark moves once per batch: no per-item write. An item whose
//! content changes later gets its `content_rev` bumped, which puts it in the
//! partial index `items_unscanned` (`scanned_rev < content_rev`); the scan
//! replaces its open findings and sets `scanned_rev`. A new item that never
//! changed has no findings, so the scan skips the lookups for it. The
//! customer's own emails and phones are passed to the detectors as
//! [`KnownContacts`], so a signature is not a finding.
//!
//! # What is stored
//! A finding holds its item, field, byte offsets, kind, confidence and the
//! detector's masked preview. Only a *dismissed* finding also holds a
//! fingerprint: HMAC-SHA256 under a per-database key (setting
//! `pii_fingerprint_key`) of the kind and the normalised value, so the same
//! value in the same item is suppressed on every later rescan. The key sits
//! in the same database, so a fingerprint of a short value (an SSN) could be
//! brute-forced; that is why open findings carry none and a resolved
//! finding's fingerprint is cleared.

pub use lethe_store::model::triage::{Field, QueueFilter, QueueRow, Status};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::access::{self, Actor, Permission};
use crate::audit::{self, Entry, Outcome};
use crate::clock::{self, Millis};
use crate::erase::Verify;
use crate::error::{Error, Result};
use crate::pii::{self, Detection, Kind, KnownContacts};
use crate::store::findings::{self, ItemText, NewFinding};
use crate::store::{self, Read, Store, Write};

mod dismiss;
mod fingerprint;
mod queue;
mod redact;
mod scanner;
pub use dismiss::*;
use fingerprint::*;
pub use queue::*;
pub use redact::*;
use scanner::*;
pub use scanner::{known_contacts, PHONE_REGION};

/// The setting that holds the fingerprint key (64 hex digits).
pub const FINGERPRINT_KEY: &str = "pii_fingerprint_key";

/// Items read per batch: the progress gauge moves once per batch.
const BATCH: usize = 50_000;

/// How long one write transaction of [`scan`] goes on taking batches: short
/// enough that the console is never locked out for long, long enough that
/// commits and their WAL frames stay a small part of the scan.
const TRANSACTION_TIME: Duration = Duration::from_millis(250);

/// What a scan did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanSummary {
    /// Items whose text was read (items with no text are passed over).
    pub items: u64,
    /// Bytes of subject and body text read.
    pub bytes: u64,
    /// New open findings, per kind.
    pub found: BTreeMap<Kind, u64>,
    /// Detections not recorded because they match a dismissed finding.
    pub suppressed: u64,
    /// Items whose text is not valid UTF-8 (written by another program):
    /// scanned with each invalid byte read as U+FFFD, and counted here so
    /// the caller can say so.
    pub not_utf8: u64,
}

/// What to tell an admin about items whose text was not valid UTF-8.
pub fn not_utf8_note(n: u64) -> String {
    format!(
        "{} held text that is not valid UTF-8 (written by another program); \
         scanned with the invalid bytes read as U+FFFD.",
        crate::text::plural(n as usize, "item")
    )
}

impl ScanSummary {
    pub fn total_found(&self) -> u64 {
        self.found.values().sum()
    }
}

/// Reports scan progress. Both methods default to doing nothing, so `&mut
/// ()` is a valid progress for callers that show none.
pub trait Progress {
    /// Called once, with the number of items the scan will read.
    fn start(&mut self, _items: u64) {}
    /// Called after each batch.
    fn advance(&mut self, _items: u64, _bytes: u64) {}
}

impl Progress for () {}

/// Scans every pending item, inside the caller's transaction (the import
/// calls it before committing, so new items arrive scanned). Writes no
/// audit entry; the caller's own entry covers it.
///
/// Guarantees: afterwards no live item is pending; each scanned item's open
/// findings describe its current text; dismissed values stay dismissed.
pub fn scan_pending(conn: &Write, now: Millis, progress: &mut dyn Progress) -> Result<ScanSummary> {
    progress.start(findings::count_pending(conn)?);
    let mut summary = ScanSummary::default();
    let mut scanner = Scanner::new(now);
    while scanner.batch(conn, &mut summary, progress)? > 0 {}
    Ok(summary)
}

/// `lethe scan`: scans every pending item in batches of a few thousand,
/// one write transaction each, so other writers get turns. An interrupted
/// scan keeps the batches it committed and resumes from there. Records one
/// `pii-scan` audit entry with the counts.
pub fn scan(
    store: &mut Store,
    actor: &Actor,
    now: Millis,
    progress: &mut dyn Progress,
) -> Result<ScanSummary> {
    progress.start(findings::count_pending(&store.read())?);
    let mut summary = ScanSummary::default();
    let mut scanner = Scanner::new(now);
    // The bulk settings keep the WAL from being checkpointed mid-scan:
    // a checkpoint that grows the file makes SQLite map it afresh, and
    // every page is then faulted in again.
    let saved = store::bulk::begin(&store.read())?;
    let mapped = store::bulk::begin_mapped_reads(&store.read())?;
    // Batches are committed together for up to TRANSACTION_TIME: each
    // commit writes every page the batches changed, and new findings land
    // all over the queue's index (it is ordered by the item's time).
    let result = loop {
        let started = Instant::now();
        let more = store.write(|conn| loop {
            if scanner.batch(conn, &mut summary, progress)? == 0 {
                return Ok(false);
            }
            if started.elapsed() >= TRANSACTION_TIME {
                return Ok(true);
            }
        });
        match more {
            Ok(true) => {}
            Ok(false) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    store::bulk::end_mapped_reads(&store.read(), mapped)?;
    store::bulk::restore(&store.read(), saved)?;
    let mut entry = Entry::new(&actor.username, audit::SCAN)
        .count("items", summary.items as i64)
        .count("bytes", summary.bytes as i64);
    for (kind, n) in &summary.found {
        entry = entry.count(kind.as_str(), *n as i64);
    }
    if result.is_err() {
        entry = entry.outcome(Outcome::Failed);
    }
    let logged = store.write(|conn| audit::append_at(conn, &entry, now));
    result?;
    logged?;
    Ok(summary)
}

#[cfg(test)]
mod tests;
