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
    let logged = store.write(|conn| audit::append(conn, &entry));
    result?;
    logged?;
    Ok(summary)
}

/// Scan state that lives across batches: the customer whose contacts were
/// loaded last (items are grouped by customer within a batch) and the
/// fingerprint key, read only when an item has dismissed findings.
struct Scanner {
    now: Millis,
    contacts: Option<(String, KnownContacts)>,
    key: Option<Option<[u8; 32]>>,
}

impl Scanner {
    fn new(now: Millis) -> Scanner {
        Scanner {
            now,
            contacts: None,
            key: None,
        }
    }

    /// Scans up to `BATCH` pending items, new ones first; returns how many.
    fn batch(
        &mut self,
        conn: &Write,
        summary: &mut ScanSummary,
        progress: &mut dyn Progress,
    ) -> Result<usize> {
        let bytes_before = summary.bytes;
        let mark = findings::watermark(conn)?;
        // New items, in file order, their text lent from the row.
        let range = findings::for_each_item_after(conn, mark, BATCH, |item| {
            self.scan_item(conn, item, summary)
        })?;
        summary.not_utf8 += range.lossy as u64;
        if range.high > mark {
            // Items in the range that changed since they were written
            // (older builds wrote every item behind) were just read at
            // their current text, or have none: mark them scanned. The
            // partial index says whether there are any.
            if findings::any_behind(conn, mark + 1, range.high)? {
                findings::mark_range_scanned(conn, mark + 1, range.high)?;
            }
            findings::set_watermark(conn, range.high)?;
        }
        // Item rows are never deleted, so the rowids passed are the items.
        let count = if range.high > mark {
            (range.high - mark) as usize
        } else {
            let mut rowids = findings::changed_rowids(conn, mark, BATCH)?;
            // Rowid order reads the table front to back rather than
            // hopping around it in item-ID order.
            rowids.sort_unstable();
            let mut items = Vec::with_capacity(rowids.len());
            for rowid in &rowids {
                if let Some(item) = findings::item_by_rowid(conn, *rowid)? {
                    items.push(item);
                }
            }
            items.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
            for item in &items {
                self.scan_item(conn, &item.view(), summary)?;
                findings::mark_scanned(conn, item.rowid, item.content_rev)?;
            }
            rowids.len()
        };
        if count > 0 {
            progress.advance(count as u64, summary.bytes - bytes_before);
        }
        Ok(count)
    }

    fn known(&mut self, conn: &Read, customer_id: &str) -> Result<&KnownContacts> {
        let stale = self
            .contacts
            .as_ref()
            .is_none_or(|(id, _)| id != customer_id);
        if stale {
            let known = findings::known_contacts(conn, customer_id)?;
            self.contacts = Some((customer_id.to_string(), known));
        }
        Ok(&self.contacts.get_or_insert_default().1)
    }

    /// Replaces the item's open findings with those of its current text.
    /// The caller marks it scanned.
    ///
    /// An item read with its state (`item.state`) may have findings: they
    /// are replaced. A new item read without it usually has none, so the
    /// lookups are left until it has something to record; the lookup by
    /// rowid then gives its state, and the item is skipped if deleted or
    /// its findings replaced if it changed since it was written.
    fn scan_item(
        &mut self,
        conn: &Write,
        item: &findings::ItemView,
        summary: &mut ScanSummary,
    ) -> Result<()> {
        let deleted = item.state.is_some_and(|s| s.deleted);
        if !deleted {
            summary.items += 1;
        }
        let mut ids = Ids { item, owned: None };
        // The dismissed fingerprints, once the item's earlier findings
        // have been dealt with.
        let mut dismissed: Option<Vec<String>> = None;
        if item.state.is_some() {
            dismissed = Some(replace_open(conn, ids.get(conn)?.item_id)?);
        }
        if deleted {
            return Ok(());
        }
        let now = self.now;
        for (field, text) in fields(item) {
            summary.bytes += text.len() as u64;
            // The customer's own contacts only matter when the text
            // holds an email or a phone number: read them only then.
            let mut found = pii::detect(text, &NO_CONTACTS);
            if found.is_empty() {
                continue;
            }
            let owner = ids.get(conn)?;
            let dismissed = match &mut dismissed {
                Some(d) => d,
                slot @ None => {
                    // Looked up by rowid, so the state is known; were it
                    // not, replacing is the safe choice.
                    let state = owner.state.unwrap_or(findings::ItemState {
                        changed: true,
                        ..Default::default()
                    });
                    if state.deleted {
                        return Ok(());
                    }
                    slot.insert(if state.changed || state.behind {
                        replace_open(conn, owner.item_id)?
                    } else {
                        Vec::new()
                    })
                }
            };
            let key = if dismissed.is_empty() {
                None
            } else {
                if self.key.is_none() {
                    self.key = Some(read_key(conn)?);
                }
                self.key.flatten()
            };
            if found
                .iter()
                .any(|d| matches!(d.kind, Kind::Email | Kind::Phone))
            {
                let known = self.known(conn, owner.customer_id)?;
                found = pii::detect(text, known);
            }
            for d in found {
                if let Some(key) = &key {
                    if dismissed.contains(&fingerprint(key, d.kind, &text[d.start..d.end])) {
                        summary.suppressed += 1;
                        continue;
                    }
                }
                findings::insert(conn, &new_finding(owner, field, &d, now))?;
                *summary.found.entry(d.kind).or_default() += 1;
            }
        }
        Ok(())
    }
}

/// Removes the item's open findings (its text is about to be scanned
/// again) and returns the fingerprints of its dismissed ones.
fn replace_open(conn: &Write, item_id: &str) -> Result<Vec<String>> {
    findings::delete_open(conn, item_id)?;
    findings::dismissed_fingerprints(conn, item_id)
}

/// An item's ID and customer ID: lent by the row when it was read with
/// them, else looked up once by rowid, with the item's time (which then
/// saves each finding a lookup by ID) and state.
struct Ids<'a> {
    item: &'a findings::ItemView<'a>,
    owned: Option<findings::ItemIds>,
}

/// Whose finding it is: the item, its customer, the item's time and state
/// if looked up.
#[derive(Clone, Copy)]
struct Owner<'a> {
    item_id: &'a str,
    customer_id: &'a str,
    item_at: Option<Millis>,
    state: Option<findings::ItemState>,
}

impl Ids<'_> {
    fn get(&mut self, conn: &Read) -> Result<Owner<'_>> {
        if let (Some(item_id), Some(customer_id)) = (self.item.id, self.item.customer_id) {
            return Ok(Owner {
                item_id,
                customer_id,
                item_at: None,
                state: self.item.state,
            });
        }
        let ids = match &mut self.owned {
            Some(owned) => owned,
            slot @ None => slot.insert(findings::item_ids(conn, self.item.rowid)?),
        };
        Ok(Owner {
            item_id: &ids.id,
            customer_id: &ids.customer_id,
            item_at: Some(ids.at),
            state: Some(ids.state),
        })
    }
}

static NO_CONTACTS: KnownContacts = KnownContacts {
    emails: Vec::new(),
    phones_e164: Vec::new(),
};

fn new_finding<'a>(
    owner: Owner<'a>,
    field: Field,
    d: &'a Detection,
    now: Millis,
) -> NewFinding<'a> {
    NewFinding {
        item_id: owner.item_id,
        customer_id: owner.customer_id,
        item_at: owner.item_at,
        field,
        start: d.start,
        end: d.end,
        kind: d.kind,
        confidence: d.confidence,
        preview: &d.preview,
        found_at: now,
    }
}

fn fields<'a>(item: &findings::ItemView<'a>) -> impl Iterator<Item = (Field, &'a str)> {
    [(Field::Subject, item.subject), (Field::Body, item.body)]
        .into_iter()
        .filter_map(|(f, t)| t.filter(|t| !t.is_empty()).map(|t| (f, t)))
}

// ---------------------------------------------------------------------------
// Fingerprints

/// HMAC-SHA256 (RFC 2104) of the concatenated `parts`. Keys longer than the
/// block are hashed first, as the RFC says.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    for p in parts {
        inner.update(p);
    }
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The value as the detectors would write it however it was typed, so
/// `4111 1111 1111 1111` and `4111-1111-1111-1111` share a fingerprint.
fn normalized(kind: Kind, value: &str) -> String {
    let digits = || value.chars().filter(char::is_ascii_digit).collect();
    match kind {
        Kind::Card | Kind::Ssn => digits(),
        Kind::Iban => value
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect(),
        Kind::Email => value.to_lowercase(),
        Kind::Phone => pii::normalize_phone(value, "US").unwrap_or_else(digits),
        Kind::Ip => value
            .parse::<std::net::IpAddr>()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| value.to_lowercase()),
    }
}

fn fingerprint(key: &[u8; 32], kind: Kind, value: &str) -> String {
    let norm = normalized(kind, value);
    hex(&hmac_sha256(
        key,
        &[kind.as_str().as_bytes(), b"\0", norm.as_bytes()],
    ))
}

fn read_key(conn: &Read) -> Result<Option<[u8; 32]>> {
    let Some(text) = store::get_setting(conn, FINGERPRINT_KEY)? else {
        return Ok(None);
    };
    let mut key = [0u8; 32];
    let valid = text.len() == 64
        && (0..32).all(|i| match u8::from_str_radix(&text[2 * i..2 * i + 2], 16) {
            Ok(b) => {
                key[i] = b;
                true
            }
            Err(_) => false,
        });
    if !valid {
        return Err(Error::Invalid(format!(
            "the setting {FINGERPRINT_KEY} is damaged (it should be 64 hex digits); \
             restore it from a backup, or delete it and the dismissed findings will come back once"
        )));
    }
    Ok(Some(key))
}

/// The key, created from /dev/urandom on first use.
fn key_or_create(conn: &Write) -> Result<[u8; 32]> {
    if let Some(key) = read_key(conn)? {
        return Ok(key);
    }
    use std::io::Read;
    let mut key = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut key))
        .map_err(|e| {
            Error::Invalid(format!(
                "could not read 32 random bytes from /dev/urandom for the finding fingerprint key ({e})"
            ))
        })?;
    store::set_setting(conn, FINGERPRINT_KEY, &hex(&key))?;
    Ok(key)
}

// ---------------------------------------------------------------------------
// The queue and the context of one finding (the console's Triage screen)

/// Open findings of live items matching `filter`, newest item first (then
/// newest finding). Holds masked previews only.
pub fn queue(conn: &Read, filter: &QueueFilter) -> Result<Vec<QueueRow>> {
    findings::queue(conn, filter)
}

/// How many rows [`queue`] would return without `limit` and `offset`.
pub fn queue_len(conn: &Read, filter: &QueueFilter) -> Result<u64> {
    findings::queue_count(conn, filter)
}

/// A finding's place in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub finding_id: i64,
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub confidence: f32,
    pub preview: String,
}

/// A finding shown in its message: the field's full text (personal data,
/// for the console only) and every open finding in it.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingContext {
    pub item_id: String,
    pub field: Field,
    pub text: String,
    /// Open findings in this field, by start. Spans that no longer fit the
    /// text (outside it, or splitting a character) are left out.
    pub spans: Vec<Span>,
    /// The finding asked for. Check it with `text.get(start..end)` before
    /// slicing when `stale`.
    pub focus: Span,
    /// The item changed since its last scan, so offsets may be off until
    /// the next `lethe scan`.
    pub stale: bool,
}

/// The text around `finding_id` and all open findings in the same field.
/// `Error::NotFound` when the finding or its item's text is gone.
pub fn context(conn: &Read, finding_id: i64) -> Result<FindingContext> {
    let f = findings::finding(conn, finding_id)?.ok_or_else(|| not_found_finding(finding_id))?;
    let item = live_item(conn, &f.item_id)?;
    let text = match f.field {
        Field::Subject => item.subject.clone(),
        Field::Body => item.body.clone(),
    }
    .unwrap_or_default();
    let fits = |s: &Span| s.start < s.end && text.get(s.start..s.end).is_some();
    let spans: Vec<Span> = findings::open_for_item(conn, &f.item_id)?
        .into_iter()
        .filter(|o| o.field == f.field)
        .map(|o| span(&o))
        .filter(fits)
        .collect();
    let focus = span(&f);
    Ok(FindingContext {
        stale: item.scanned_rev != item.content_rev || !fits(&focus),
        item_id: f.item_id,
        field: f.field,
        spans,
        focus,
        text,
    })
}

fn span(f: &findings::FindingRow) -> Span {
    Span {
        finding_id: f.id,
        kind: f.kind,
        start: f.start,
        end: f.end,
        confidence: f.confidence,
        preview: f.preview.clone(),
    }
}

/// (item ID, open findings) for each of the customer's live items that has
/// open findings, in timeline order, so the timeline can mark them.
pub fn item_findings(conn: &Read, customer_id: &str) -> Result<Vec<(String, usize)>> {
    findings::item_counts(conn, customer_id)
}

/// Open findings per kind in the whole database.
pub fn open_by_kind(conn: &Read) -> Result<BTreeMap<Kind, u64>> {
    Ok(findings::open_by_kind(conn)?.into_iter().collect())
}

fn not_found_finding(id: i64) -> Error {
    Error::NotFound {
        what: "PII finding",
        id: id.to_string(),
    }
}

fn live_item(conn: &Read, item_id: &str) -> Result<ItemText> {
    let item = findings::item_by_id(conn, item_id)?.ok_or_else(|| Error::NotFound {
        what: "item",
        id: item_id.to_string(),
    })?;
    if item.deleted {
        return Err(Error::Invalid(format!(
            "item {item_id} has been deleted, so there is nothing left to redact or review"
        )));
    }
    Ok(item)
}

// ---------------------------------------------------------------------------
// Dismissing

/// What [`dismiss`] changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dismissal {
    pub item_id: String,
    /// The finding asked for and any other open finding of the same value
    /// in the same item.
    pub finding_ids: Vec<i64>,
}

/// Dismisses an open finding as a false positive. Every open finding of
/// the same kind and value in the item is dismissed with it, and rescans
/// of the item never report that value again. Needs `Permission::Redact`
/// (refusals are audited); records `pii-dismiss` with the item and finding
/// IDs.
pub fn dismiss(store: &mut Store, actor: &Actor, finding_id: i64) -> Result<Dismissal> {
    let id_text = finding_id.to_string();
    access::require_for(
        store,
        actor,
        Permission::Redact,
        audit::DISMISS_FINDING,
        &[&id_text],
    )?;
    let now = clock::now_ms();
    store.write(|conn| {
        let f = findings::finding(conn, finding_id)?.ok_or_else(|| not_found_finding(finding_id))?;
        if f.status != Status::Open {
            return Err(Error::Invalid(format!(
                "finding {finding_id} is already {}; only open findings can be dismissed",
                f.status.as_str()
            )));
        }
        let item = live_item(conn, &f.item_id)?;
        if item.scanned_rev != item.content_rev {
            return Err(Error::Invalid(format!(
                "item {} changed since it was scanned; run `lethe scan` and dismiss the new finding",
                item.id
            )));
        }
        let value_of = |o: &findings::FindingRow| {
            let text = match o.field {
                Field::Subject => item.subject.as_deref(),
                Field::Body => item.body.as_deref(),
            };
            text.and_then(|t| t.get(o.start..o.end))
        };
        let value = value_of(&f).ok_or_else(|| {
            Error::Invalid(format!(
                "finding {finding_id} no longer fits its item's text; run `lethe scan` and try again"
            ))
        })?;
        let key = key_or_create(conn)?;
        let fp = fingerprint(&key, f.kind, value);
        let mut ids = vec![finding_id];
        for o in findings::open_for_item(conn, &f.item_id)? {
            let same = o.id != finding_id
                && o.kind == f.kind
                && value_of(&o).is_some_and(|v| fingerprint(&key, o.kind, v) == fp);
            if same {
                ids.push(o.id);
            }
        }
        findings::set_dismissed(conn, &ids, &fp, now)?;
        audit::append(
            conn,
            &Entry::new(&actor.username, audit::DISMISS_FINDING)
                .target(&f.item_id)
                .target(&id_text)
                .count("findings", ids.len() as i64),
        )?;
        Ok(Dismissal {
            item_id: f.item_id.clone(),
            finding_ids: ids,
        })
    })
}

// ---------------------------------------------------------------------------
// Redaction

/// One value a redaction will remove, for the confirmation.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedSpan {
    pub field: Field,
    pub kind: Kind,
    pub confidence: f32,
    /// Masked, e.g. `card •••• 6467`.
    pub preview: String,
}

/// What redacting an item would remove.
#[derive(Debug, Clone, PartialEq)]
pub struct RedactionPreview {
    pub item_id: String,
    pub spans: Vec<PlannedSpan>,
}

/// What a redaction did. No personal data: kinds and counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redaction {
    pub item_id: String,
    pub spans_by_kind: BTreeMap<Kind, usize>,
    /// False when readers kept old WAL frames alive; the old text may
    /// remain in `-wal` until the next checkpoint, and the caller must say so.
    pub checkpoint_completed: bool,
    /// The structural check of the file's free space and a search of the
    /// files for every removed value. `None` for an in-memory store or
    /// when nothing was redacted.
    pub verification: Option<crate::store::forensic::Scan>,
    /// The audit trail's head right after this redaction's entry.
    pub audit_head: Option<audit::Head>,
}

impl Redaction {
    pub fn total(&self) -> usize {
        self.spans_by_kind.values().sum()
    }
}

/// The detections a redaction of `item` would replace: the current text
/// re-detected (stored offsets may be stale), minus dismissed values, minus
/// kinds not asked for.
struct Plan {
    item: ItemText,
    subject: Vec<Detection>,
    body: Vec<Detection>,
}

fn plan(conn: &Read, item_id: &str, kinds: Option<&[Kind]>) -> Result<Plan> {
    let item = live_item(conn, item_id)?;
    let known = findings::known_contacts(conn, &item.customer_id)?;
    let dismissed = findings::dismissed_fingerprints(conn, item_id)?;
    let key = if dismissed.is_empty() {
        None
    } else {
        read_key(conn)?
    };
    let pick = |text: Option<&str>| -> Vec<Detection> {
        let Some(text) = text else { return vec![] };
        pii::detect(text, &known)
            .into_iter()
            .filter(|d| kinds.is_none_or(|ks| ks.contains(&d.kind)))
            .filter(|d| {
                key.as_ref().is_none_or(|k| {
                    !dismissed.contains(&fingerprint(k, d.kind, &text[d.start..d.end]))
                })
            })
            .collect()
    };
    Ok(Plan {
        subject: pick(item.subject.as_deref()),
        body: pick(item.body.as_deref()),
        item,
    })
}

/// What [`redact_item`] would remove from `item_id` now, as masked
/// previews. Reads only.
pub fn preview_redaction(
    conn: &Read,
    item_id: &str,
    kinds: Option<&[Kind]>,
) -> Result<RedactionPreview> {
    let p = plan(conn, item_id, kinds)?;
    let spans = [(Field::Subject, &p.subject), (Field::Body, &p.body)]
        .into_iter()
        .flat_map(|(field, ds)| {
            ds.iter().map(move |d| PlannedSpan {
                field,
                kind: d.kind,
                confidence: d.confidence,
                preview: d.preview.clone(),
            })
        })
        .collect();
    Ok(RedactionPreview {
        item_id: item_id.to_string(),
        spans,
    })
}

/// Replaces the personal data detected in the item's subject and body
/// (only `kinds`, when given) with `[card removed]`-style labels, keeping
/// the rest of the text. The text is re-detected now; stored offsets are
/// not trusted. Dismissed values are kept.
///
/// One transaction: the new text, `content_rev` bumped and marked scanned,
/// the item's open findings of those kinds resolved (fingerprints cleared)
/// and the remaining ones re-detected on the new text, and a `redact` audit
/// entry with the item ID and counts per kind. Then the WAL is checkpointed
/// and truncated: when `checkpoint_completed` is true, the removed values
/// are in no database file (`secure_delete` overwrote the old cells).
/// Needs `Permission::Redact`; refusals are audited. Nothing to redact
/// changes nothing and records nothing.
pub fn redact_item(
    store: &mut Store,
    actor: &Actor,
    item_id: &str,
    kinds: Option<&[Kind]>,
    now: Millis,
) -> Result<Redaction> {
    access::require_for(store, actor, Permission::Redact, audit::REDACT, &[item_id])?;
    let (spans_by_kind, removed, audit_head) = store.write(|conn| {
        let p = plan(conn, item_id, kinds)?;
        let mut counts: BTreeMap<Kind, usize> = BTreeMap::new();
        for d in p.subject.iter().chain(&p.body) {
            *counts.entry(d.kind).or_default() += 1;
        }
        if counts.is_empty() {
            return Ok((counts, Vec::new(), None));
        }
        let removed: Vec<Vec<u8>> = [(&p.item.subject, &p.subject), (&p.item.body, &p.body)]
            .into_iter()
            .flat_map(|(text, ds)| {
                let text = text.as_deref().unwrap_or_default();
                ds.iter()
                    .filter_map(move |d| text.get(d.start..d.end))
                    .map(|v| v.as_bytes().to_vec())
            })
            .collect();
        let redact = |text: &Option<String>, ds: &[Detection]| {
            text.as_deref().map(|t| {
                if ds.is_empty() {
                    t.to_string()
                } else {
                    pii::redact(t, ds)
                }
            })
        };
        let subject = redact(&p.item.subject, &p.subject);
        let body = redact(&p.item.body, &p.body);
        let rev = findings::replace_text(conn, item_id, subject.as_deref(), body.as_deref())?;
        findings::resolve_open(conn, item_id, kinds, now)?;
        // Findings of other kinds point into the old text; scanning the new
        // text replaces them.
        let rescanned = ItemText {
            subject,
            body,
            content_rev: rev,
            scanned_rev: rev,
            ..p.item
        };
        Scanner::new(now).scan_item(conn, &rescanned.view(), &mut ScanSummary::default())?;
        let mut entry = Entry::new(&actor.username, audit::REDACT).target(item_id);
        for (kind, n) in &counts {
            entry = entry.count(kind.as_str(), *n as i64);
        }
        audit::append(conn, &entry)?;
        Ok((counts, removed, audit::head(conn)?))
    })?;
    if spans_by_kind.is_empty() {
        return Ok(Redaction {
            item_id: item_id.to_string(),
            spans_by_kind,
            checkpoint_completed: true,
            verification: None,
            audit_head: None,
        });
    }
    let checkpoint_completed = store.checkpoint_truncate()?.completed;
    let (verification, _) = crate::erase::verify_values(store, &removed, Verify::Every)?;
    Ok(Redaction {
        item_id: item_id.to_string(),
        spans_by_kind,
        checkpoint_completed,
        verification,
        audit_head,
    })
}

/// Redacts every open finding of the item `finding_id` belongs to (the
/// Triage screen's action): [`redact_item`] with all kinds, now.
pub fn redact_finding_item(store: &mut Store, actor: &Actor, finding_id: i64) -> Result<Redaction> {
    let f = findings::finding(&store.read(), finding_id)?
        .ok_or_else(|| not_found_finding(finding_id))?;
    redact_item(store, actor, &f.item_id, None, clock::now_ms())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2.
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        let mac = hmac_sha256(
            &[0xaa; 131],
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
        );
        assert_eq!(
            hex(&mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn fingerprints_ignore_formatting_but_not_kind_or_key() {
        let key = [7u8; 32];
        let fp = |k, v| fingerprint(&key, k, v);
        assert_eq!(
            fp(Kind::Card, "4111 1111 1111 1111"),
            fp(Kind::Card, "4111-1111-1111-1111")
        );
        assert_eq!(
            fp(Kind::Phone, "(415) 555-0100"),
            fp(Kind::Phone, "+1 415 555 0100")
        );
        assert_eq!(
            fp(Kind::Email, "Jo@Example.com"),
            fp(Kind::Email, "jo@example.com")
        );
        assert_ne!(fp(Kind::Ssn, "536-22-8410"), fp(Kind::Phone, "536-22-8410"));
        assert_ne!(
            fp(Kind::Ssn, "536-22-8410"),
            fingerprint(&[8u8; 32], Kind::Ssn, "536-22-8410")
        );
        assert!(!fp(Kind::Ssn, "536-22-8410").contains("8410"));
    }
}
