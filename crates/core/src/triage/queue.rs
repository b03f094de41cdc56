//! The queue and the context of one finding (the console's Triage screen).

use super::*;

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

pub(super) fn span(f: &findings::FindingRow) -> Span {
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

pub(super) fn not_found_finding(id: i64) -> Error {
    Error::NotFound {
        what: "PII finding",
        id: id.to_string(),
    }
}

pub(super) fn live_item(conn: &Read, item_id: &str) -> Result<ItemText> {
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
