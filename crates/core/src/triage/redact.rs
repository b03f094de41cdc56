//! Redaction: removing detected values from an item, the rest kept.

use super::*;

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
    /// Set when the erasure ledger file could not be brought up to date.
    pub ledger_warning: Option<String>,
}

impl Redaction {
    pub fn total(&self) -> usize {
        self.spans_by_kind.values().sum()
    }
}

/// The detections a redaction of `item` would replace: the current text
/// re-detected (stored offsets may be stale), minus dismissed values, minus
/// kinds not asked for.
pub(super) struct Plan {
    item: ItemText,
    subject: Vec<Detection>,
    body: Vec<Detection>,
}

pub(super) fn plan(conn: &Read, item_id: &str, kinds: Option<&[Kind]>) -> Result<Plan> {
    let item = live_item(conn, item_id)?;
    let known = super::scanner::known_contacts(conn, &item.customer_id)?;
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
        let done = redact_in(conn, &actor.username, item_id, kinds, now)?;
        if !done.0.is_empty() {
            let customer = crate::store::erase::item(conn, item_id)?
                .map(|i| i.customer_id)
                .unwrap_or_default();
            let reason = match kinds {
                Some(ks) => ks.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(","),
                None => "all".to_string(),
            };
            let kind = crate::ledger::Kind::Redaction;
            crate::ledger::append(
                conn,
                crate::ledger::Erasure {
                    kind,
                    id: item_id,
                    customer_id: &customer,
                    reason: &reason,
                    at: now,
                },
            )?;
        }
        Ok(done)
    })?;
    if spans_by_kind.is_empty() {
        return Ok(Redaction {
            item_id: item_id.to_string(),
            spans_by_kind,
            checkpoint_completed: true,
            verification: None,
            audit_head: None,
            ledger_warning: None,
        });
    }
    let checkpoint_completed = store.checkpoint_truncate()?.completed;
    let ledger_warning = crate::ledger::mirror_warning(store);
    let (verification, _) = crate::erase::verify_values(store, &removed, Verify::Every)?;
    Ok(Redaction {
        item_id: item_id.to_string(),
        spans_by_kind,
        checkpoint_completed,
        verification,
        audit_head,
        ledger_warning,
    })
}

/// Redacts every open finding of the item `finding_id` belongs to (the
/// Triage screen's action): [`redact_item`] with all kinds, now.
pub fn redact_finding_item(store: &mut Store, actor: &Actor, finding_id: i64) -> Result<Redaction> {
    redact_finding_item_at(store, actor, finding_id, clock::now_ms())
}

/// `redact_finding_item`, at `now`.
pub fn redact_finding_item_at(
    store: &mut Store,
    actor: &Actor,
    finding_id: i64,
    now: Millis,
) -> Result<Redaction> {
    let f = findings::finding(&store.read(), finding_id)?
        .ok_or_else(|| not_found_finding(finding_id))?;
    redact_item(store, actor, &f.item_id, None, now)
}

/// What `redact_in` did: the spans replaced by kind, the removed values
/// (for verification) and the audit head after its entry.
pub(crate) type Redacted = (BTreeMap<Kind, usize>, Vec<Vec<u8>>, Option<audit::Head>);

/// `redact_item`'s change, in the caller's transaction: also how a restore
/// re-applies a redaction the erasure ledger lists.
pub(crate) fn redact_in(
    conn: &Write,
    operator: &str,
    item_id: &str,
    kinds: Option<&[Kind]>,
    now: Millis,
) -> Result<Redacted> {
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
    let mut entry = Entry::new(operator, audit::REDACT).target(item_id);
    for (kind, n) in &counts {
        entry = entry.count(kind.as_str(), *n as i64);
    }
    audit::append_at(conn, &entry, now)?;
    Ok((counts, removed, audit::head(conn)?))
}
