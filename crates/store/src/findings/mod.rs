//! PII findings and the incremental scan's bookkeeping on `items`.
//!
//! A finding row holds offsets, a kind, a confidence and a masked preview;
//! only a dismissed finding also holds a fingerprint (a keyed hash), and
//! no row ever holds the value itself.

use rusqlite::{params, OptionalExtension, Row};

use crate::clock::Millis;
use crate::error::{Error, Result};
use crate::model::pii::{Kind, KnownContacts};
use crate::model::triage::{Field, QueueFilter, QueueRow, Status};
use crate::tuning::raw::RawRows;
use crate::{Read, Write};

mod queue;
pub use queue::*;

/// An item's text as the scan and redaction read it.
#[derive(Debug, Clone)]
pub struct ItemText {
    pub rowid: i64,
    pub id: String,
    pub customer_id: String,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub content_rev: i64,
    pub scanned_rev: i64,
    pub deleted: bool,
}

/// An item's text borrowed from the row being read: scanning millions of
/// short messages should not copy each one. The new-items read leaves out
/// the IDs and the item's state (`None`): decoding two more strings a row
/// cost up to a third of the scan, and reading the state columns, which
/// sit at the end of the row, another sixth. Only items with something to
/// record need them (`item_ids`, which also gives the item's time).
#[derive(Debug, Clone, Copy)]
pub struct ItemView<'a> {
    pub rowid: i64,
    pub id: Option<&'a str>,
    pub customer_id: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub body: Option<&'a str>,
    pub state: Option<ItemState>,
}

/// What the scan needs to know about an item besides its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ItemState {
    /// The content changed after the item was written (`content_rev` > 1),
    /// so it may have findings to replace.
    pub changed: bool,
    /// The scan has not seen its current content (`scanned_rev` <
    /// `content_rev`).
    pub behind: bool,
    pub deleted: bool,
}

impl ItemText {
    pub fn view(&self) -> ItemView<'_> {
        ItemView {
            rowid: self.rowid,
            id: Some(&self.id),
            customer_id: Some(&self.customer_id),
            subject: self.subject.as_deref(),
            body: self.body.as_deref(),
            state: Some(ItemState {
                changed: self.content_rev != 1,
                behind: self.scanned_rev < self.content_rev,
                deleted: self.deleted,
            }),
        }
    }
}

/// What one range read covered.
#[derive(Debug, Clone, Copy, Default)]
pub struct Range {
    /// The highest rowid covered: every item above `after` and at or below
    /// it was either lent to the caller or had no text.
    pub high: i64,
    /// Items lent to the caller.
    pub items: usize,
    /// Of those, items whose text is not valid UTF-8: lent with each
    /// invalid byte as U+FFFD.
    pub lossy: usize,
}

/// Calls `f` for up to `limit` items with a subject or body and rowid
/// above `after`, in rowid order, lending each item's text from the row.
/// Items with no text are passed over inside SQLite (status and topic
/// changes, calls: a third of a typical table, and every deleted item,
/// whose text its deletion wiped). The range still covers them, so the
/// watermark moves past them.
///
/// Only the text columns are read, not the item's state: SQLite decodes a
/// row's header up to the last column a query reads, and the state
/// columns are the row's last. Callers look the state up with the IDs,
/// for the few items with something to record.
pub fn for_each_item_after(
    conn: &Read<'_>,
    after: i64,
    limit: usize,
    mut f: impl FnMut(&ItemView) -> Result<()>,
) -> Result<Range> {
    let conn = conn.sql();
    // Stepped through SQLite's C interface: this reads every item row.
    let mut rows = RawRows::prepare(
        conn,
        "SELECT rowid, subject, body FROM items
         WHERE rowid > ?1 AND (subject IS NOT NULL OR body IS NOT NULL)
         ORDER BY rowid LIMIT ?2",
    )?;
    rows.bind(1, after)?;
    rows.bind(2, limit as i64)?;
    let mut range = Range {
        high: after,
        ..Range::default()
    };
    while rows.step()? {
        let (subject, body) = (rows.text(1)?, rows.text(2)?);
        let owned =
            |t: &Option<std::borrow::Cow<str>>| matches!(t, Some(std::borrow::Cow::Owned(_)));
        if owned(&subject) || owned(&body) {
            range.lossy += 1;
        }
        let view = ItemView {
            rowid: rows.int(0),
            id: None,
            customer_id: None,
            subject: subject.as_deref(),
            body: body.as_deref(),
            state: None,
        };
        range.high = view.rowid;
        range.items += 1;
        f(&view)?;
    }
    if range.items < limit {
        // The read reached the end of the table: what follows the last
        // item lent had no text.
        range.high = conn
            .prepare_cached("SELECT max(coalesce(max(rowid), 0), ?1) FROM items")?
            .query_row([after], |r| r.get(0))?;
    }
    Ok(range)
}

/// Whether any live item with rowid in `low..=high` is behind the scan.
/// Read from the partial index `items_unscanned`, which is empty or small
/// on a database this build wrote.
pub fn any_behind(conn: &Read<'_>, low: i64, high: i64) -> Result<bool> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM items INDEXED BY items_unscanned
                 WHERE scanned_rev < content_rev AND deleted_at IS NULL
                     AND rowid BETWEEN ?1 AND ?2)",
        )?
        .query_row(params![low, high], |r| r.get(0))?)
}

/// One stored finding.
#[derive(Debug, Clone)]
pub struct FindingRow {
    pub id: i64,
    pub item_id: String,
    pub customer_id: String,
    pub field: Field,
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    pub confidence: f32,
    pub preview: String,
    pub status: Status,
}

/// A finding to insert.
pub struct NewFinding<'a> {
    pub item_id: &'a str,
    pub customer_id: &'a str,
    pub field: Field,
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    pub confidence: f32,
    pub preview: &'a str,
    pub found_at: Millis,
    /// The item's time when the caller has it at hand; else it is looked
    /// up by the item's ID.
    pub item_at: Option<Millis>,
}

fn bad_kind(s: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unknown finding kind or field {s:?}").into(),
    )
}

fn kind_col(r: &Row, i: usize) -> rusqlite::Result<Kind> {
    let s: String = r.get(i)?;
    Kind::parse(&s).ok_or_else(|| bad_kind(&s))
}

fn field_col(r: &Row, i: usize) -> rusqlite::Result<Field> {
    let s: String = r.get(i)?;
    Field::parse(&s).ok_or_else(|| bad_kind(&s))
}

fn status_col(r: &Row, i: usize) -> rusqlite::Result<Status> {
    let s: String = r.get(i)?;
    Status::parse(&s).ok_or_else(|| bad_kind(&s))
}

const WATERMARK: &str = "pii_scan_watermark";

/// The highest item rowid the scan has passed: every item at or below it
/// was scanned once, and only a content change (`items_unscanned`) makes
/// it pending again.
pub fn watermark(conn: &Read<'_>) -> Result<i64> {
    Ok(crate::get_setting(conn, WATERMARK)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

pub fn set_watermark(conn: &Write<'_>, rowid: i64) -> Result<()> {
    crate::set_setting(conn, WATERMARK, &rowid.to_string())
}

/// Items waiting for the scan, for its progress gauge: new ones above the
/// watermark, and changed ones below it. New items are counted by their
/// rowid span, which is exact because item rows are never deleted (only
/// tombstoned); counting them one by one read the whole table, which on a
/// large database took as long as the scan itself.
pub fn count_pending(conn: &Read<'_>) -> Result<u64> {
    let conn = conn.sql();
    let mark = watermark(&Read::of(conn))?;
    let new: i64 = conn
        .prepare_cached("SELECT max(coalesce(max(rowid), 0) - ?1, 0) FROM items")?
        .query_row([mark], |r| r.get(0))?;
    let changed: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM items INDEXED BY items_unscanned
             WHERE scanned_rev < content_rev AND deleted_at IS NULL AND rowid <= ?1",
        )?
        .query_row([mark], |r| r.get(0))?;
    Ok((new + changed) as u64)
}

/// Up to `limit` rowids of changed items at or below `mark`, read from the
/// partial index alone, so an incremental scan never walks the whole table.
pub fn changed_rowids(conn: &Read<'_>, mark: i64, limit: usize) -> Result<Vec<i64>> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(
        "SELECT rowid FROM items INDEXED BY items_unscanned
         WHERE scanned_rev < content_rev AND deleted_at IS NULL AND rowid <= ?1 LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![mark, limit as i64], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Marks every pending item with rowid in `low..=high` scanned at its
/// current revision.
pub fn mark_range_scanned(conn: &Write<'_>, low: i64, high: i64) -> Result<()> {
    let conn = conn.sql();
    conn.prepare_cached(
        "UPDATE items SET scanned_rev = content_rev
         WHERE rowid BETWEEN ?1 AND ?2 AND scanned_rev < content_rev AND deleted_at IS NULL",
    )?
    .execute(params![low, high])?;
    Ok(())
}

const ITEM_COLUMNS: &str =
    "rowid, id, customer_id, subject, body, content_rev, scanned_rev, deleted_at IS NOT NULL";

/// A text column read as `raw::RawRows::text` reads it: invalid UTF-8
/// bytes as U+FFFD, so that an item another program wrote badly is still
/// scanned and redacted.
fn lossy_text(r: &Row, i: usize) -> rusqlite::Result<Option<String>> {
    use rusqlite::types::ValueRef;
    Ok(match r.get_ref(i)? {
        ValueRef::Text(b) | ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(x) => Some(x.to_string()),
    })
}

fn item_text(r: &Row) -> rusqlite::Result<ItemText> {
    Ok(ItemText {
        rowid: r.get(0)?,
        id: r.get(1)?,
        customer_id: r.get(2)?,
        subject: lossy_text(r, 3)?,
        body: lossy_text(r, 4)?,
        content_rev: r.get(5)?,
        scanned_rev: r.get(6)?,
        deleted: r.get(7)?,
    })
}

pub fn item_by_rowid(conn: &Read<'_>, rowid: i64) -> Result<Option<ItemText>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(
            "SELECT rowid, id, customer_id, subject, body, content_rev, scanned_rev,
                 deleted_at IS NOT NULL
             FROM items WHERE rowid = ?1",
        )?
        .query_row([rowid], item_text)
        .optional()?)
}

/// An item's (ID, customer ID, time), by rowid.
/// An item's IDs, time and state, for an item read without them.
#[derive(Debug, Clone)]
pub struct ItemIds {
    pub id: String,
    pub customer_id: String,
    pub at: Millis,
    pub state: ItemState,
}

pub fn item_ids(conn: &Read<'_>, rowid: i64) -> Result<ItemIds> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(
            "SELECT id, customer_id, timestamp, content_rev <> 1, scanned_rev < content_rev,
                 deleted_at IS NOT NULL
             FROM items WHERE rowid = ?1",
        )?
        .query_row([rowid], |r| {
            Ok(ItemIds {
                id: r.get(0)?,
                customer_id: r.get(1)?,
                at: r.get(2)?,
                state: ItemState {
                    changed: r.get(3)?,
                    behind: r.get(4)?,
                    deleted: r.get(5)?,
                },
            })
        })?)
}

pub fn item_by_id(conn: &Read<'_>, id: &str) -> Result<Option<ItemText>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(&format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1"))?
        .query_row([id], item_text)
        .optional()?)
}

/// Whether any customer's phone is held with a country code other than
/// +1, or an address is outside the US and Canada: until one is, national
/// numbers are read as North American only.
pub fn any_phone_outside_nanp(conn: &Read<'_>) -> Result<bool> {
    Ok(conn.sql().query_row(
        "SELECT EXISTS (SELECT 1 FROM customer_phones
                        WHERE normalized <> '' AND normalized NOT LIKE '+1%')
             OR EXISTS (SELECT 1 FROM customer_addresses
                        WHERE length(trim(country)) = 2
                          AND upper(trim(country)) NOT IN ('US', 'CA'))",
        [],
        |r| r.get(0),
    )?)
}

/// The customer's own emails (lowercase) and phones (E.164).
pub fn known_contacts(conn: &Read<'_>, customer_id: &str) -> Result<KnownContacts> {
    let conn = conn.sql();
    let mut known = KnownContacts::default();
    let mut stmt = conn.prepare_cached(
        "SELECT lower(normalized) FROM customer_emails WHERE customer_id = ?1 AND normalized <> ''",
    )?;
    for e in stmt.query_map([customer_id], |r| r.get(0))? {
        known.emails.push(e?);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT normalized FROM customer_phones WHERE customer_id = ?1 AND normalized <> ''",
    )?;
    for p in stmt.query_map([customer_id], |r| r.get(0))? {
        known.phones_e164.push(p?);
    }
    Ok(known)
}

/// The country of the customer's first address that names one as a
/// two-letter code, upper-cased.
pub fn address_country(conn: &Read<'_>, customer_id: &str) -> Result<Option<String>> {
    Ok(conn
        .sql()
        .prepare_cached(
            "SELECT upper(trim(country)) FROM customer_addresses
             WHERE customer_id = ?1 AND length(trim(country)) = 2 ORDER BY position LIMIT 1",
        )?
        .query_row([customer_id], |r| r.get(0))
        .optional()?)
}

/// Removes the item's open findings (a rescan replaces them).
pub fn delete_open(conn: &Write<'_>, item_id: &str) -> Result<usize> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached("DELETE FROM pii_findings WHERE item_id = ?1 AND status = 'open'")?
        .execute([item_id])?)
}

/// Fingerprints of the item's dismissed findings.
pub fn dismissed_fingerprints(conn: &Read<'_>, item_id: &str) -> Result<Vec<String>> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(
        "SELECT fingerprint FROM pii_findings
         WHERE item_id = ?1 AND status = 'dismissed' AND fingerprint IS NOT NULL",
    )?;
    let rows = stmt.query_map([item_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records one open finding. The scan runs this once per finding, so its
/// plan is kept lean: see schema version 3 and the test below.
const INSERT: &str = "INSERT INTO pii_findings (item_id, customer_id, field, start, end, kind,
         confidence, preview, status, found_at, item_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9,
         coalesce(?10, (SELECT timestamp FROM items WHERE id = ?1)))";

pub fn insert(conn: &Write<'_>, f: &NewFinding) -> Result<i64> {
    let conn = conn.sql();
    conn.prepare_cached(INSERT)?.execute(params![
        f.item_id,
        f.customer_id,
        f.field.as_str(),
        f.start as i64,
        f.end as i64,
        f.kind.as_str(),
        f.confidence as f64,
        f.preview,
        f.found_at,
        f.item_at,
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn mark_scanned(conn: &Write<'_>, rowid: i64, rev: i64) -> Result<()> {
    let conn = conn.sql();
    conn.prepare_cached("UPDATE items SET scanned_rev = ?2 WHERE rowid = ?1")?
        .execute(params![rowid, rev])?;
    Ok(())
}

/// Replaces an item's subject and body, bumps `content_rev` and marks the
/// new revision scanned (the caller scans the new text in the same
/// transaction). Returns the new revision.
pub fn replace_text(
    conn: &Write<'_>,
    item_id: &str,
    subject: Option<&str>,
    body: Option<&str>,
) -> Result<i64> {
    let conn = conn.sql();
    let rev = conn
        .prepare_cached(
            "UPDATE items SET subject = ?2, body = ?3, content_rev = content_rev + 1,
                 scanned_rev = content_rev + 1
             WHERE id = ?1 RETURNING content_rev",
        )?
        .query_row(params![item_id, subject, body], |r| r.get(0))
        .optional()?;
    rev.ok_or_else(|| Error::NotFound {
        what: "item",
        id: item_id.to_string(),
    })
}

/// Marks the item's open findings of these kinds resolved (all kinds when
/// `kinds` is `None`). Returns how many.
pub fn resolve_open(
    conn: &Write<'_>,
    item_id: &str,
    kinds: Option<&[Kind]>,
    now: Millis,
) -> Result<usize> {
    let conn = conn.sql();
    let filter = kinds_json(kinds);
    Ok(conn
        .prepare_cached(
            "UPDATE pii_findings SET status = 'resolved', resolved_at = ?2, fingerprint = NULL
             WHERE item_id = ?1 AND status = 'open'
               AND (?3 IS NULL OR kind IN (SELECT value FROM json_each(?3)))",
        )?
        .execute(params![item_id, now, filter])?)
}

fn kinds_json(kinds: Option<&[Kind]>) -> Option<String> {
    kinds.map(|ks| {
        serde_json::Value::from(ks.iter().map(|k| k.as_str()).collect::<Vec<_>>()).to_string()
    })
}

const FINDING_COLUMNS: &str =
    "id, item_id, customer_id, field, start, end, kind, confidence, preview, status";

fn finding_row(r: &Row) -> rusqlite::Result<FindingRow> {
    Ok(FindingRow {
        id: r.get(0)?,
        item_id: r.get(1)?,
        customer_id: r.get(2)?,
        field: field_col(r, 3)?,
        start: r.get::<_, i64>(4)?.max(0) as usize,
        end: r.get::<_, i64>(5)?.max(0) as usize,
        kind: kind_col(r, 6)?,
        confidence: r.get::<_, f64>(7)? as f32,
        preview: r.get(8)?,
        status: status_col(r, 9)?,
    })
}

pub fn finding(conn: &Read<'_>, id: i64) -> Result<Option<FindingRow>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {FINDING_COLUMNS} FROM pii_findings WHERE id = ?1"
        ))?
        .query_row([id], finding_row)
        .optional()?)
}

/// The item's open findings, by field then start.
pub fn open_for_item(conn: &Read<'_>, item_id: &str) -> Result<Vec<FindingRow>> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {FINDING_COLUMNS} FROM pii_findings
         WHERE item_id = ?1 AND status = 'open' ORDER BY field, start, id"
    ))?;
    let rows = stmt.query_map([item_id], finding_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn set_dismissed(conn: &Write<'_>, ids: &[i64], fingerprint: &str, now: Millis) -> Result<()> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(
        "UPDATE pii_findings SET status = 'dismissed', fingerprint = ?2, resolved_at = ?3
         WHERE id = ?1 AND status = 'open'",
    )?;
    for id in ids {
        stmt.execute(params![id, fingerprint, now])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
