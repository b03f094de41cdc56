//! The open findings the console's Triage screen lists.

use super::*;

/// The queue's rows: open findings, filtered by kind and confidence, read
/// from `pii_findings_queue` alone. Deleting an item deletes its findings,
/// so an open finding's item is never deleted. Kinds are bound as a JSON
/// array, never spliced into the SQL.
pub(super) const QUEUE_WHERE: &str = "f.status = 'open' AND f.confidence >= ?1
       AND (?2 IS NULL OR f.kind IN (SELECT value FROM json_each(?2)))";

pub(super) fn queue_kinds(filter: &QueueFilter) -> Option<String> {
    (!filter.kinds.is_empty()).then(|| kinds_json(Some(&filter.kinds)).unwrap_or_default())
}

pub fn queue(conn: &Read<'_>, filter: &QueueFilter) -> Result<Vec<QueueRow>> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT f.id, f.item_id, f.customer_id, c.name, i.type, v.channel, i.timestamp, f.field,
             f.kind, f.confidence, f.preview
         FROM pii_findings f INDEXED BY pii_findings_queue
         JOIN items i ON i.id = f.item_id
         LEFT JOIN customers c ON c.id = f.customer_id
         LEFT JOIN conversations v ON v.id = i.conversation_id
         WHERE {QUEUE_WHERE}
         ORDER BY f.item_at DESC, f.id DESC LIMIT ?3 OFFSET ?4"
    ))?;
    let rows = stmt.query_map(
        params![
            filter.min_confidence as f64,
            queue_kinds(filter),
            filter.limit.min(i64::MAX as usize) as i64,
            filter.offset.min(i64::MAX as usize) as i64
        ],
        |r| {
            let item_type: String = r.get(4)?;
            Ok(QueueRow {
                finding_id: r.get(0)?,
                item_id: r.get(1)?,
                customer_id: r.get(2)?,
                customer_name: r.get(3)?,
                label: crate::format::ContentType::parse(&item_type)
                    .map(|t| t.label().to_string())
                    .unwrap_or_else(|| item_type.to_lowercase()),
                item_type,
                channel: r.get(5)?,
                timestamp: r.get(6)?,
                field: field_col(r, 7)?,
                kind: kind_col(r, 8)?,
                confidence: r.get::<_, f64>(9)? as f32,
                preview: r.get(10)?,
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn queue_count(conn: &Read<'_>, filter: &QueueFilter) -> Result<u64> {
    let conn = conn.sql();
    Ok(conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM pii_findings f INDEXED BY pii_findings_queue
             WHERE {QUEUE_WHERE}"
        ))?
        .query_row(
            params![filter.min_confidence as f64, queue_kinds(filter)],
            |r| r.get::<_, i64>(0),
        )? as u64)
}

/// (item ID, open findings) for the customer's items that have any, in
/// timeline order.
pub fn item_counts(conn: &Read<'_>, customer_id: &str) -> Result<Vec<(String, usize)>> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, count(*) FROM items i
         JOIN pii_findings f ON f.item_id = i.id AND f.status = 'open'
         WHERE i.customer_id = ?1 AND i.deleted_at IS NULL
         GROUP BY i.id ORDER BY i.timestamp, i.id",
    )?;
    let rows = stmt.query_map([customer_id], |r| {
        Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as usize))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Open findings per kind over the whole database.
pub fn open_by_kind(conn: &Read<'_>) -> Result<Vec<(Kind, u64)>> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(
        "SELECT kind, count(*) FROM pii_findings WHERE status = 'open' GROUP BY kind",
    )?;
    let rows = stmt.query_map([], |r| Ok((kind_col(r, 0)?, r.get::<_, i64>(1)? as u64)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
