use super::*;

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

/// A profile's attachments (0), recordings (1) and PII findings (2), by
/// ID, from the list of its parts and the findings' index by customer
/// (schema_v6.sql). The number indexes `PART_WIPES`.
pub(super) const PROFILE_PARTS: &str = "SELECT kind, id FROM customer_parts WHERE customer_id = ?1
     UNION ALL
     SELECT 2, id FROM pii_findings WHERE customer_id = ?1";

/// How each kind of `PROFILE_PARTS` row is wiped, by its ID (and the time).
/// A part wiped before is not written again.
pub(super) const PART_WIPES: [(&str, &str); 3] = [
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
pub(super) const PROFILE_DELETES: [(&str, &str); 5] = [
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
) -> Result<Removed> {
    let conn = conn.sql();
    let customer_id = customer.id.as_str();
    let mut removed = Removed::default();
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
        Some(list) => crate::customers::parse_key_list(customer_id, list)?,
        None => Vec::new(),
    };
    removed.name = has_name as i64;
    removed.external_ids = external_ids;
    removed.custom_attributes = custom_attributes;

    // The profile's attachments, recordings and findings, listed by
    // customer, then changed one row at a time by ID. (As
    // `item_id IN (SELECT id FROM items ...)` statements SQLite built two
    // temporary B-trees per table per profile.)
    let parts: Vec<(i64, rusqlite::types::Value)> = conn
        .prepare_cached(PROFILE_PARTS)?
        .query_map([customer_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (part, id) in &parts {
        let (kind, sql) = PART_WIPES[*part as usize];
        let mut stmt = conn.prepare_cached(sql)?;
        let n = if stmt.parameter_count() == 2 {
            stmt.execute(params![id, now])?
        } else {
            stmt.execute([id])?
        };
        removed.add(kind, n as i64);
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
    removed.items = items as i64;
    for (kind, sql) in PROFILE_DELETES {
        let n = conn.prepare_cached(sql)?.execute([customer_id])?;
        removed.add(kind, n as i64);
    }
    // The search keys the customer row lists, each by its primary key.
    let mut delete_key = conn.prepare_cached(
        "DELETE FROM search_keys WHERE shard = ?1 AND key = ?2 AND customer_id = ?3 AND kind = ?4",
    )?;
    let mut n = 0;
    for (shard, kind, key) in &keys {
        n += delete_key.execute(params![shard, key, customer_id, kind])?;
    }
    removed.search_keys = n as i64;
    conn.prepare_cached(
        "UPDATE customers SET name = NULL, external_customer_id = NULL, external_ids = NULL,
             custom_attributes = NULL, search_keys = NULL, deleted_at = ?2, deletion_reason = ?3,
             updated_at = ?2
         WHERE rowid = ?1",
    )?
    .execute(params![customer.rowid, now, reason])?;
    Ok(removed)
}
