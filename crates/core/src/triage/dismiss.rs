//! Dismissing a finding as a false positive.

use super::*;

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
    dismiss_at(store, actor, finding_id, clock::now_ms())
}

/// `dismiss`, recorded at `now`.
pub fn dismiss_at(
    store: &mut Store,
    actor: &Actor,
    finding_id: i64,
    now: Millis,
) -> Result<Dismissal> {
    let id_text = finding_id.to_string();
    access::require_for(
        store,
        actor,
        Permission::Redact,
        audit::DISMISS_FINDING,
        &[&id_text],
    )?;
    store.write(|conn| {
        let f = findings::finding(conn, finding_id)?.ok_or_else(|| not_found_finding(finding_id))?;
        if f.status != Status::Open {
            return Err(Error::InvalidState(format!(
                "finding {finding_id} is already {}; only open findings can be dismissed",
                f.status.as_str()
            )));
        }
        let item = live_item(conn, &f.item_id)?;
        if item.scanned_rev != item.content_rev {
            return Err(Error::InvalidState(format!(
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
        audit::append_at(conn, &Entry::new(&actor.username, audit::DISMISS_FINDING)
                .target(&f.item_id)
                .target(&id_text)
                .count("findings", ids.len() as i64), now)?;
        Ok(Dismissal {
            item_id: f.item_id.clone(),
            finding_ids: ids,
        })
    })
}
