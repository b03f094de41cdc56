//! The SQL of erasure: reading what a deletion will remove, tombstoning
//! items, attachments and recordings, and wiping a whole profile down to its
//! non-PII skeleton.
//!
//! Every statement is set-based on an indexed key (`customer_id`, `item_id`)
//! and cached, so a profile costs a fixed number of B-tree descents whatever
//! its size. `secure_delete` (set on every connection by the store) zeroes
//! the freed cell space and pages these statements leave behind.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension};

use crate::clock::Millis;
use crate::error::Result;
use crate::{Read, Write};

/// The columns of an item a deletion needs to describe and find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub id: String,
    pub customer_id: String,
    pub conversation_id: Option<String>,
    pub kind: String,
    pub timestamp: Millis,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub thread_id: Option<String>,
    pub deleted_at: Option<Millis>,
}

const ITEM_COLUMNS: &str =
    "id, customer_id, conversation_id, type, timestamp, subject, body, thread_id, deleted_at";

fn item_row(r: &rusqlite::Row) -> rusqlite::Result<ItemRow> {
    Ok(ItemRow {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        conversation_id: r.get(2)?,
        kind: r.get(3)?,
        timestamp: r.get(4)?,
        subject: r.get(5)?,
        body: r.get(6)?,
        thread_id: r.get(7)?,
        deleted_at: r.get(8)?,
    })
}

pub fn item(conn: &Read<'_>, id: &str) -> Result<Option<ItemRow>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(&format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1"))?
        .query_row([id], item_row)
        .optional()?)
}

/// The customer's items in one email thread, oldest first.
pub fn thread_items(conn: &Read<'_>, customer_id: &str, thread_id: &str) -> Result<Vec<ItemRow>> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS} FROM items
         WHERE thread_id = ?1 AND customer_id = ?2 ORDER BY timestamp, id"
    ))?;
    let rows = stmt.query_map([thread_id, customer_id], item_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An attachment or a recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartRow {
    pub id: String,
    pub item_id: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub file_size: i64,
    pub duration_s: Option<i64>,
    pub deleted_at: Option<Millis>,
}

pub fn attachment(conn: &Read<'_>, id: &str) -> Result<Option<PartRow>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(
            "SELECT id, item_id, filename, content_type, file_size, deleted_at
             FROM attachments WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(PartRow {
                id: r.get(0)?,
                item_id: r.get(1)?,
                filename: r.get(2)?,
                content_type: r.get(3)?,
                file_size: r.get(4)?,
                duration_s: None,
                deleted_at: r.get(5)?,
            })
        })
        .optional()?)
}

pub fn recording(conn: &Read<'_>, id: &str) -> Result<Option<PartRow>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(
            "SELECT id, item_id, content_type, file_size, duration_s, deleted_at
             FROM recordings WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(PartRow {
                id: r.get(0)?,
                item_id: r.get(1)?,
                filename: None,
                content_type: r.get(2)?,
                file_size: r.get(3)?,
                duration_s: r.get(4)?,
                deleted_at: r.get(5)?,
            })
        })
        .optional()?)
}

/// Attachments and recordings of an item that are not deleted yet.
pub fn live_parts(conn: &Read<'_>, item_id: &str) -> Result<(usize, usize)> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM attachments WHERE item_id = ?1 AND deleted_at IS NULL),
                    (SELECT count(*) FROM recordings WHERE item_id = ?1 AND deleted_at IS NULL)",
        )?
        .query_row([item_id], |r| {
            Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize))
        })?)
}

/// A value a deletion removes, read before it goes, so that verification
/// can look for it in the files afterwards. Never stored or logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held {
    /// A whole identifying value: a name, an email, a phone, an ID.
    Exact(String),
    /// Free text (a message body, a subject).
    Text(String),
    /// A JSON document whose string leaves are the values.
    Json(String),
    /// File bytes.
    Bytes(Vec<u8>),
}

fn push_opt(out: &mut Vec<Held>, v: Option<String>, f: fn(String) -> Held) {
    if let Some(v) = v.filter(|v| !v.is_empty()) {
        out.push(f(v));
    }
}

/// The content of one item, its attachments and its recording.
pub fn item_values(conn: &Read<'_>, item_id: &str, out: &mut Vec<Held>) -> Result<()> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(
        "SELECT subject, body, from_addr, to_addrs, extra FROM items WHERE id = ?1",
    )?;
    let mut rows = stmt.query([item_id])?;
    while let Some(r) = rows.next()? {
        push_opt(out, r.get(0)?, Held::Text);
        push_opt(out, r.get(1)?, Held::Text);
        push_opt(out, r.get(2)?, Held::Exact);
        push_opt(out, r.get(3)?, Held::Json);
        push_opt(out, r.get(4)?, Held::Json);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT filename, content FROM attachments WHERE item_id = ?1 AND deleted_at IS NULL",
    )?;
    let mut rows = stmt.query([item_id])?;
    while let Some(r) = rows.next()? {
        push_opt(out, r.get(0)?, Held::Exact);
        if let Some(b) = r.get::<_, Option<Vec<u8>>>(1)? {
            out.push(Held::Bytes(b));
        }
    }
    recording_values(&Read::of(conn), "item_id", item_id, out)
}

pub fn attachment_values(conn: &Read<'_>, id: &str, out: &mut Vec<Held>) -> Result<()> {
    let conn = conn.sql();
    let mut stmt =
        conn.prepare_cached("SELECT filename, content FROM attachments WHERE id = ?1")?;
    let mut rows = stmt.query([id])?;
    while let Some(r) = rows.next()? {
        push_opt(out, r.get(0)?, Held::Exact);
        if let Some(b) = r.get::<_, Option<Vec<u8>>>(1)? {
            out.push(Held::Bytes(b));
        }
    }
    Ok(())
}

/// Recording bytes, by the recording's `id` or its `item_id`.
pub fn recording_values(
    conn: &Read<'_>,
    key: &str,
    value: &str,
    out: &mut Vec<Held>,
) -> Result<()> {
    let conn = conn.sql();
    let sql = if key == "id" {
        "SELECT content FROM recordings WHERE id = ?1"
    } else {
        "SELECT content FROM recordings WHERE item_id = ?1"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query([value])?;
    while let Some(r) = rows.next()? {
        if let Some(b) = r.get::<_, Option<Vec<u8>>>(0)? {
            out.push(Held::Bytes(b));
        }
    }
    Ok(())
}

/// How many rows a wipe changed, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Wiped {
    pub items: usize,
    pub attachments: usize,
    pub recordings: usize,
    pub findings: usize,
}

/// Tombstones one item: its PII columns become NULL, `deleted_at` is set,
/// `content_rev` moves on, its attachments and recording are wiped and its
/// PII findings deleted. Identifiers, type, time, initiator, conversation,
/// thread and duration stay.
pub fn wipe_item(conn: &Write<'_>, item_id: &str, now: Millis) -> Result<Wiped> {
    let conn = conn.sql();
    let findings = conn
        .prepare_cached("DELETE FROM pii_findings WHERE item_id = ?1")?
        .execute([item_id])?;
    let attachments = conn
        .prepare_cached(
            "UPDATE attachments SET filename = NULL, content = NULL,
                 deleted_at = coalesce(deleted_at, ?2)
             WHERE item_id = ?1 AND (deleted_at IS NULL OR filename IS NOT NULL
                 OR content IS NOT NULL)",
        )?
        .execute(params![item_id, now])?;
    let recordings = conn
        .prepare_cached(
            "UPDATE recordings SET content = NULL, deleted_at = coalesce(deleted_at, ?2)
             WHERE item_id = ?1 AND (deleted_at IS NULL OR content IS NOT NULL)",
        )?
        .execute(params![item_id, now])?;
    let items = conn
        .prepare_cached(
            "UPDATE items SET subject = NULL, body = NULL, from_addr = NULL, to_addrs = NULL,
                 extra = NULL, deleted_at = coalesce(deleted_at, ?2),
                 content_rev = content_rev + 1
             WHERE id = ?1",
        )?
        .execute(params![item_id, now])?;
    Ok(Wiped {
        items,
        attachments,
        recordings,
        findings,
    })
}

/// Wipes one attachment's filename and bytes, keeping its ID, type and size.
pub fn wipe_attachment(conn: &Write<'_>, id: &str, now: Millis) -> Result<usize> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(
            "UPDATE attachments SET filename = NULL, content = NULL,
                 deleted_at = coalesce(deleted_at, ?2)
             WHERE id = ?1",
        )?
        .execute(params![id, now])?)
}

/// Wipes one recording's bytes, keeping its ID, type, size and duration.
pub fn wipe_recording(conn: &Write<'_>, id: &str, now: Millis) -> Result<usize> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(
            "UPDATE recordings SET content = NULL, deleted_at = coalesce(deleted_at, ?2)
             WHERE id = ?1",
        )?
        .execute(params![id, now])?)
}

/// Wipes an item's text (a voicemail transcript, which is the recording in
/// words) without tombstoning the item, and drops the findings in it.
pub fn wipe_transcript(conn: &Write<'_>, item_id: &str) -> Result<usize> {
    let conn = conn.sql();
    conn.prepare_cached("DELETE FROM pii_findings WHERE item_id = ?1 AND field = 'body'")?
        .execute([item_id])?;
    Ok(conn
        .prepare_cached(
            "UPDATE items SET body = NULL, content_rev = content_rev + 1
             WHERE id = ?1 AND body IS NOT NULL",
        )?
        .execute([item_id])?)
}

/// A profile's row, as far as deletion cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    /// Where the row sits in the file: erasure reads and changes it by
    /// this, one B-tree descent instead of two through the ID's index.
    pub rowid: i64,
    pub id: String,
    pub name: Option<String>,
    pub deleted_at: Option<Millis>,
}

/// The columns `customer_row` reads, first in a query.
pub const CUSTOMER_ROW: &str = "rowid, id, name, deleted_at";

pub fn customer_row(r: &rusqlite::Row) -> rusqlite::Result<CustomerRow> {
    Ok(CustomerRow {
        rowid: r.get(0)?,
        id: r.get(1)?,
        name: r.get(2)?,
        deleted_at: r.get(3)?,
    })
}

pub fn customer(conn: &Read<'_>, id: &str) -> Result<Option<CustomerRow>> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CUSTOMER_ROW} FROM customers WHERE id = ?1"
        ))?
        .query_row([id], customer_row)
        .optional()?)
}

/// The profile's conversations that are not CLOSED: usually none, so they
/// are ordered here rather than by SQLite, which would sort them in a
/// temporary B-tree on every call.
const OPEN_CONVERSATIONS: &str = "SELECT id, status, created_at FROM conversations
     WHERE customer_id = ?1 AND status <> 'CLOSED'";

/// The conversation that blocks deleting this profile: OPEN before
/// WAITING, then the oldest. `(conversation_id, status)`.
pub fn blocking_conversation(
    conn: &Read<'_>,
    customer_id: &str,
) -> Result<Option<(String, String)>> {
    let conn = conn.sql();
    let open: Vec<(String, String, Millis)> = conn
        .prepare_cached(OPEN_CONVERSATIONS)?
        .query_map([customer_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let first = open
        .into_iter()
        .min_by(|a, b| blocking_order(a).cmp(&blocking_order(b)));
    Ok(first.map(|(id, status, _)| (id, status)))
}

/// OPEN before WAITING, then the oldest, then by ID.
fn blocking_order((id, status, created_at): &(String, String, Millis)) -> (bool, Millis, &str) {
    (status != "OPEN", *created_at, id)
}

/// What a profile holds, for the confirm dialog and `--dry-run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProfileCounts {
    pub emails: i64,
    pub phones: i64,
    pub addresses: i64,
    pub conversations: i64,
    pub items: i64,
    pub attachments: i64,
    pub recordings: i64,
    pub orders: i64,
    pub app_data: i64,
    pub work_sessions: i64,
    pub external_ids: i64,
    pub custom_attributes: i64,
}

pub fn profile_counts(conn: &Read<'_>, customer_id: &str) -> Result<ProfileCounts> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(
        "SELECT
            (SELECT count(*) FROM customer_emails WHERE customer_id = ?1),
            (SELECT count(*) FROM customer_phones WHERE customer_id = ?1),
            (SELECT count(*) FROM customer_addresses WHERE customer_id = ?1),
            (SELECT count(*) FROM conversations WHERE customer_id = ?1),
            (SELECT count(*) FROM items WHERE customer_id = ?1 AND deleted_at IS NULL),
            (SELECT count(*) FROM attachments WHERE deleted_at IS NULL
                AND item_id IN (SELECT id FROM items WHERE customer_id = ?1)),
            (SELECT count(*) FROM recordings WHERE deleted_at IS NULL
                AND item_id IN (SELECT id FROM items WHERE customer_id = ?1)),
            (SELECT count(*) FROM orders WHERE customer_id = ?1),
            (SELECT count(*) FROM app_data WHERE customer_id = ?1),
            (SELECT count(*) FROM work_sessions WHERE conversation_id IN
                (SELECT id FROM conversations WHERE customer_id = ?1)),
            (SELECT (external_customer_id IS NOT NULL)
                 + (SELECT count(*) FROM json_each(external_ids))
             FROM customers WHERE id = ?1),
            (SELECT count(*) FROM customers, json_each(customers.custom_attributes)
             WHERE customers.id = ?1)",
    )?;
    Ok(stmt.query_row([customer_id], |r| {
        Ok(ProfileCounts {
            emails: r.get(0)?,
            phones: r.get(1)?,
            addresses: r.get(2)?,
            conversations: r.get(3)?,
            items: r.get(4)?,
            attachments: r.get(5)?,
            recordings: r.get(6)?,
            orders: r.get(7)?,
            app_data: r.get(8)?,
            work_sessions: r.get(9)?,
            external_ids: r.get::<_, Option<i64>>(10)?.unwrap_or(0),
            custom_attributes: r.get(11)?,
        })
    })?)
}

/// Every PII value of a profile, read before it is wiped.
pub fn profile_values(conn: &Read<'_>, customer_id: &str, out: &mut Vec<Held>) -> Result<()> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(
        "SELECT name, external_customer_id, external_ids, custom_attributes, search_keys
         FROM customers WHERE id = ?1",
    )?;
    let mut rows = stmt.query([customer_id])?;
    while let Some(r) = rows.next()? {
        push_opt(out, r.get(0)?, Held::Exact);
        push_opt(out, r.get(1)?, Held::Exact);
        push_opt(out, r.get(2)?, Held::Json);
        push_opt(out, r.get(3)?, Held::Json);
        // Name, email, phone and external ID keys (not name tokens); not
        // the customer ID, which the skeleton keeps.
        if let Some(list) = r.get::<_, Option<String>>(4)? {
            for (_, kind, key) in super::customers::parse_key_list(customer_id, &list)? {
                if crate::model::search::is_whole_value(kind) {
                    push_opt(out, Some(key), Held::Exact);
                }
            }
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT original, normalized FROM customer_emails WHERE customer_id = ?1
         UNION ALL
         SELECT original, normalized FROM customer_phones WHERE customer_id = ?1",
    )?;
    let mut rows = stmt.query([customer_id])?;
    while let Some(r) = rows.next()? {
        push_opt(out, r.get(0)?, Held::Exact);
        push_opt(out, r.get(1)?, Held::Exact);
    }
    // City, region, country and type are left out on purpose: alone they
    // identify no one and other live profiles hold the same words.
    let mut stmt = conn.prepare_cached(
        "SELECT line1, line2, postal_code FROM customer_addresses WHERE customer_id = ?1",
    )?;
    let mut rows = stmt.query([customer_id])?;
    while let Some(r) = rows.next()? {
        push_opt(out, r.get(0)?, Held::Exact);
        push_opt(out, r.get(1)?, Held::Exact);
        push_opt(out, r.get(2)?, Held::Exact);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT number, details FROM orders WHERE customer_id = ?1
         UNION ALL
         SELECT NULL, payload FROM app_data WHERE customer_id = ?1",
    )?;
    let mut rows = stmt.query([customer_id])?;
    while let Some(r) = rows.next()? {
        push_opt(out, r.get(0)?, Held::Exact);
        push_opt(out, r.get(1)?, Held::Json);
    }
    let mut stmt =
        conn.prepare_cached("SELECT id FROM items WHERE customer_id = ?1 AND deleted_at IS NULL")?;
    let ids: Vec<String> = stmt
        .query_map([customer_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        item_values(&Read::of(conn), &id, out)?;
    }
    Ok(())
}

/// A profile's attachments (0), recordings (1) and PII findings (2), by
/// ID, from the list of its parts and the findings' index by customer
/// (schema_v6.sql). The number indexes `PART_WIPES`.
const PROFILE_PARTS: &str = "SELECT kind, id FROM customer_parts WHERE customer_id = ?1
     UNION ALL
     SELECT 2, id FROM pii_findings WHERE customer_id = ?1";

/// How each kind of `PROFILE_PARTS` row is wiped, by its ID (and the time).
/// A part wiped before is not written again.
const PART_WIPES: [(&str, &str); 3] = [
    (
        "attachments",
        "UPDATE attachments SET filename = NULL, content = NULL,
             deleted_at = coalesce(deleted_at, ?2)
         WHERE id = ?1
             AND (deleted_at IS NULL OR filename IS NOT NULL OR content IS NOT NULL)",
    ),
    (
        "recordings",
        "UPDATE recordings SET content = NULL, deleted_at = coalesce(deleted_at, ?2)
         WHERE id = ?1 AND (deleted_at IS NULL OR content IS NOT NULL)",
    ),
    ("pii_findings", "DELETE FROM pii_findings WHERE id = ?1"),
];

/// The rows a profile's erasure deletes whole, by customer: the count's
/// name and the statement. (Its search keys are deleted one by one, as its
/// customer row lists them: `wipe_profile`.) With foreign-key enforcement
/// on, SQLite deletes such a range (these tables refer to `customers`)
/// through a temporary B-tree, for the deferred-constraint bookkeeping; a
/// bulk erasure turns enforcement off (`store::bulk::begin_erasure`) and
/// deletes each range in one pass.
const PROFILE_DELETES: [(&str, &str); 5] = [
    ("orders", "DELETE FROM orders WHERE customer_id = ?1"),
    (
        "emails",
        "DELETE FROM customer_emails WHERE customer_id = ?1",
    ),
    (
        "phones",
        "DELETE FROM customer_phones WHERE customer_id = ?1",
    ),
    (
        "addresses",
        "DELETE FROM customer_addresses WHERE customer_id = ?1",
    ),
    ("app_data", "DELETE FROM app_data WHERE customer_id = ?1"),
];

/// Wipes a profile down to its non-PII skeleton and returns the counts of
/// what went, by kind. Keeps: the customer row (ID, dates), conversations
/// (IDs, status, topic, channel, agent, dates), item rows (ID, type, time,
/// initiator, thread, duration), attachment and recording rows (ID, type,
/// size), work sessions. Removes everything else. The caller has checked
/// that no conversation is open and owns the transaction.
pub fn wipe_profile(
    conn: &Write<'_>,
    customer: &CustomerRow,
    reason: &str,
    now: Millis,
) -> Result<BTreeMap<String, i64>> {
    let conn = conn.sql();
    let customer_id = customer.id.as_str();
    let mut removed = BTreeMap::new();
    let (has_name, external_ids, custom_attributes, key_list): (bool, i64, i64, Option<String>) =
        conn.prepare_cached(
            "SELECT name IS NOT NULL,
                 (external_customer_id IS NOT NULL)
                     + (SELECT count(*) FROM json_each(external_ids)),
                 (SELECT count(*) FROM json_each(custom_attributes)),
                 search_keys
             FROM customers WHERE rowid = ?1",
        )?
        .query_row([customer.rowid], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    // Read before anything changes: a damaged list leaves the profile whole.
    let keys = match &key_list {
        Some(list) => super::customers::parse_key_list(customer_id, list)?,
        None => Vec::new(),
    };
    removed.insert("name".into(), has_name as i64);
    removed.insert("external_ids".into(), external_ids);
    removed.insert("custom_attributes".into(), custom_attributes);

    // The profile's attachments, recordings and findings, listed by
    // customer, then changed one row at a time by ID. (As
    // `item_id IN (SELECT id FROM items ...)` statements SQLite built two
    // temporary B-trees per table per profile.)
    let parts: Vec<(i64, rusqlite::types::Value)> = conn
        .prepare_cached(PROFILE_PARTS)?
        .query_map([customer_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (kind, _) in PART_WIPES {
        removed.insert(kind.to_string(), 0);
    }
    for (part, id) in &parts {
        let (kind, sql) = PART_WIPES[*part as usize];
        let mut stmt = conn.prepare_cached(sql)?;
        let n = if stmt.parameter_count() == 2 {
            stmt.execute(params![id, now])?
        } else {
            stmt.execute([id])?
        };
        *removed.entry(kind.to_string()).or_default() += n as i64;
    }

    // Conversations are not written: a conversation is deleted when its
    // customer is (`coalesce(v.deleted_at, c.deleted_at)` where it is
    // read), which spares a sweep one page write in fourteen.
    let items = conn
        .prepare_cached(
            "UPDATE items SET subject = NULL, body = NULL, from_addr = NULL, to_addrs = NULL,
                 extra = NULL, deleted_at = coalesce(deleted_at, ?2),
                 content_rev = content_rev + 1
             WHERE customer_id = ?1 AND (deleted_at IS NULL OR subject IS NOT NULL
                 OR body IS NOT NULL OR from_addr IS NOT NULL OR to_addrs IS NOT NULL
                 OR extra IS NOT NULL)",
        )?
        .execute(params![customer_id, now])?;
    removed.insert("items".into(), items as i64);
    for (kind, sql) in PROFILE_DELETES {
        let n = conn.prepare_cached(sql)?.execute([customer_id])?;
        removed.insert(kind.to_string(), n as i64);
    }
    // The search keys the customer row lists, each by its primary key.
    let mut delete_key = conn.prepare_cached(
        "DELETE FROM search_keys WHERE shard = ?1 AND key = ?2 AND customer_id = ?3 AND kind = ?4",
    )?;
    let mut n = 0;
    for (shard, kind, key) in &keys {
        n += delete_key.execute(params![shard, key, customer_id, kind])?;
    }
    removed.insert("search_keys".into(), n as i64);
    conn.prepare_cached(
        "UPDATE customers SET name = NULL, external_customer_id = NULL, external_ids = NULL,
             custom_attributes = NULL, search_keys = NULL, deleted_at = ?2, deletion_reason = ?3,
             updated_at = ?2
         WHERE rowid = ?1",
    )?
    .execute(params![customer.rowid, now, reason])?;
    Ok(removed)
}

/// For each value, whether a live record (of any profile, or the kept
/// skeleton) still holds it, compared as the forensic scan does (exact, or
/// ASCII-lowercased). Used only for values the scan found, to tell a value
/// that other records legitimately hold (a common name, a canned reply, an
/// app's name) from a remnant. Each table is read once, whatever the number
/// of values, and the reading stops as soon as every value is accounted for.
pub fn held_by_live_records(conn: &Read<'_>, values: &[Vec<u8>]) -> Result<Vec<bool>> {
    let conn = conn.sql();
    // Every text column a customer's data can share with other records,
    // one lowercased string per row. Columns that lie side by side in the
    // row's record on disk (declared order; a WITHOUT ROWID table's key
    // first) are joined with nothing between them, as the file holds them:
    // a live message body followed by its sender's address forms bytes
    // that are no remnant of anyone. Where a number column, or an ID left
    // out here, stands between two text columns, char(31) keeps them
    // apart. (IDs are left out: no erased value is an ID, and reading them
    // too made this pass a third slower on a million customers.)
    const TEXT: &[&str] = &[
        "SELECT lower(coalesce(name, '') || coalesce(external_customer_id, '')
             || coalesce(external_ids, '') || coalesce(custom_attributes, ''))
         FROM customers",
        "SELECT lower(original || normalized) FROM customer_emails",
        "SELECT lower(original || normalized || coalesce(type, '')) FROM customer_phones",
        // City, region and country too: an erased order's shipping address
        // names a city that other customers live in.
        "SELECT lower(coalesce(type, '') || coalesce(line1, '') || coalesce(line2, '')
             || coalesce(city, '') || coalesce(region, '') || coalesce(postal_code, '')
             || coalesce(country, ''))
         FROM customer_addresses",
        "SELECT key FROM search_keys",
        // Platform words (statuses, topics, channels, item types, app
        // initiators) live in the kept skeleton of every profile.
        "SELECT lower(status || coalesce(topic, '') || coalesce(channel, ''))
         FROM conversations",
        "SELECT lower(type || char(31) || coalesce(initiator_id, '')
             || coalesce(initiator_type, '') || coalesce(direction, '')
             || coalesce(subject, '') || coalesce(body, '') || coalesce(from_addr, '')
             || coalesce(to_addrs, '') || coalesce(extra, ''))
         FROM items",
        "SELECT lower(coalesce(filename, '')) FROM attachments",
        "SELECT lower(coalesce(source, '') || coalesce(number, '') || char(31)
             || coalesce(status, '') || char(31) || coalesce(details, ''))
         FROM orders",
        "SELECT lower(app || payload) FROM app_data",
        "SELECT lower(coalesce(identifiers, '') || char(31) || coalesce(note, ''))
         FROM requests",
    ];
    const BYTES: &[&str] = &[
        "SELECT content FROM attachments WHERE content IS NOT NULL",
        "SELECT content FROM recordings WHERE content IS NOT NULL",
    ];
    let mut held = vec![false; values.len()];
    // Text is compared lowercased, and also accent-folded as search keys
    // hold it: the file scan looks for both forms.
    let mut text_forms: Vec<(usize, Vec<u8>)> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if let Ok(t) = std::str::from_utf8(v) {
            let lower = v.to_ascii_lowercase();
            let folded = crate::text::fold(t).into_bytes();
            if folded != lower {
                text_forms.push((i, folded));
            }
            text_forms.push((i, lower));
        }
    }
    mark_matches(conn, TEXT, &text_forms, &mut held)?;
    let bytes: Vec<(usize, Vec<u8>)> = values.iter().cloned().enumerate().collect();
    mark_matches(conn, BYTES, &bytes, &mut held)?;
    Ok(held)
}

/// Reads every row of each query and marks the values (by index) whose
/// form occurs in it, until every value is marked. Matches may overlap: a
/// value inside another in the same row still counts as found.
fn mark_matches(
    conn: &Connection,
    queries: &[&str],
    forms: &[(usize, Vec<u8>)],
    held: &mut [bool],
) -> Result<()> {
    for sql in queries {
        let open: Vec<&(usize, Vec<u8>)> = forms.iter().filter(|(i, _)| !held[*i]).collect();
        if open.is_empty() {
            return Ok(());
        }
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(open.iter().map(|(_, f)| f.as_slice()))
            .map_err(|e| {
                crate::Error::Invalid(format!("cannot build the verification scanner: {e}"))
            })?;
        // Distinct values still to account for (a value may have two forms).
        let mut remaining = open
            .iter()
            .map(|(i, _)| *i)
            .collect::<std::collections::HashSet<_>>()
            .len();
        let mut stmt = conn.prepare_cached(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let bytes = match row.get_ref(0)? {
                rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => t,
                _ => continue,
            };
            for m in ac.find_overlapping_iter(bytes) {
                let i = open[m.pattern().as_usize()].0;
                if !held[i] {
                    held[i] = true;
                    remaining = remaining.saturating_sub(1);
                }
            }
            if remaining == 0 {
                break;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod held_tests {
    use super::*;
    use crate::Store;

    #[test]
    fn a_value_another_record_holds_is_recognised_in_any_form() {
        let store = Store::open_in_memory().unwrap();
        let doc: crate::format::CustomerDoc = serde_json::from_value(serde_json::json!({
            "id": "other", "name": "Jose Garcia", "createdAt": "2024-01-01T00:00:00Z",
            "addresses": [{"type": "HOME", "line1": "Storgatan 1", "city": "Göteborg",
                "region": "Västra Götaland", "country": "SE"}],
            "conversations": [{"id": "cv", "status": "CLOSED", "createdAt": "2024-01-01T00:00:00Z",
                "items": [{"id": "it", "timestamp": "2024-01-01T00:00:00Z",
                    "initiator": {"id": "stella", "type": "APP"},
                    "content": {"type": "CUSTOMER_ACTIVITY", "content": "Thanks for your rating"}}]}]
        }))
        .unwrap();
        store
            .write(|c| crate::customers::insert(c, &doc, &[]))
            .unwrap();
        let values: Vec<Vec<u8>> = [
            "José García",
            "STELLA",
            "CLOSED",
            "thanks for your",
            "Zebulon Quux",
            "Göteborg",
            "västra götaland",
        ]
        .iter()
        .map(|v| v.as_bytes().to_vec())
        .collect();
        let held = held_by_live_records(&store.read(), &values).unwrap();
        assert_eq!(held, vec![true, true, true, true, false, true, true]);
    }
}

#[cfg(test)]
mod blocking_tests {
    use super::*;
    use crate::Store;

    #[test]
    fn open_conversations_block_open_first_then_oldest_without_replanning() {
        let store = Store::open_in_memory().unwrap();
        let c = &store.read();
        c.execute_batch(
            "INSERT INTO customers (id, created_at, updated_at)
             VALUES ('cus_a', 0, 0), ('cus_b', 0, 0), ('cus_c', 0, 0);
             INSERT INTO conversations (id, customer_id, status, created_at, updated_at) VALUES
                 ('cnv_a_waiting', 'cus_a', 'WAITING', 1, 1),
                 ('cnv_a_open_new', 'cus_a', 'OPEN', 5, 5),
                 ('cnv_a_open_old', 'cus_a', 'OPEN', 3, 3),
                 ('cnv_a_closed', 'cus_a', 'CLOSED', 0, 0),
                 ('cnv_b_waiting_new', 'cus_b', 'WAITING', 9, 9),
                 ('cnv_b_waiting_old', 'cus_b', 'WAITING', 2, 2),
                 ('cnv_c_closed', 'cus_c', 'CLOSED', 0, 0);",
        )
        .unwrap();
        let blocked = |id| blocking_conversation(c, id).unwrap();
        assert_eq!(
            blocked("cus_a"),
            Some(("cnv_a_open_old".into(), "OPEN".into()))
        );
        assert_eq!(
            blocked("cus_b"),
            Some(("cnv_b_waiting_old".into(), "WAITING".into()))
        );
        assert_eq!(blocked("cus_c"), None);
        // A sweep runs these once per profile: a new ID each time must not
        // make SQLite plan them again (the store's connections pin plans).
        for id in ["cus_a", "cus_b", "cus_c"] {
            let mut parts = c.prepare_cached(PROFILE_PARTS).unwrap();
            let mut rows = parts.query([id]).unwrap();
            while rows.next().unwrap().is_some() {}
        }
        for sql in [OPEN_CONVERSATIONS, PROFILE_PARTS] {
            let replanned = c
                .prepare_cached(sql)
                .unwrap()
                .get_status(rusqlite::StatementStatus::RePrepare);
            assert_eq!(replanned, 0, "{sql}");
        }
    }

    /// The statements a profile's erasure runs per table build no
    /// temporary B-tree (each cost about 15,000 instructions, nine per
    /// profile before).
    #[test]
    fn erasing_a_profile_builds_no_temporary_tables() {
        let store = Store::open_in_memory().unwrap();
        // As a bulk erasure runs them.
        crate::bulk::begin_erasure(&store.read()).unwrap();
        let mut sqls = vec![PROFILE_PARTS, OPEN_CONVERSATIONS];
        sqls.extend(PART_WIPES.iter().map(|(_, sql)| *sql));
        sqls.extend(PROFILE_DELETES.iter().map(|(_, sql)| *sql));
        for sql in sqls {
            let ops = crate::opcodes(&store.read(), sql);
            assert!(
                !ops.iter()
                    .any(|op| op == "OpenEphemeral" || op == "SorterOpen"),
                "{sql}: {ops:?}"
            );
        }
    }
}
