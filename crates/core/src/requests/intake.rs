//! Recording requests: validation and the audit entry.

use super::*;

#[derive(Debug, Clone, PartialEq)]
pub struct NewRequest {
    pub kind: Kind,
    pub regulation: Regulation,
    pub identifiers: Identifiers,
    pub received_at: Millis,
    pub note: Option<String>,
}

pub(super) fn permission(kind: Kind) -> Permission {
    match kind {
        Kind::Erasure => Permission::Delete,
        Kind::Access => Permission::Export,
    }
}

pub(super) fn validate(new: &NewRequest) -> std::result::Result<(), String> {
    if new.identifiers.is_empty() {
        return Err(
            "a request needs at least one identifier (email, phone, external ID or customer ID)"
                .into(),
        );
    }
    for e in &new.identifiers.emails {
        if !e.contains('@') || e.trim().len() < 3 {
            return Err(format!("\"{e}\" is not an email address"));
        }
    }
    for p in &new.identifiers.phones {
        if crate::phone::to_e164(p).is_none() {
            return Err(format!(
                "\"{p}\" is not a phone number (use +<country code> and the number)"
            ));
        }
    }
    Ok(())
}

/// Records a new request. Needs the permission its type will need to run
/// (delete for erasure, export for access).
pub fn add(store: &mut Store, actor: &Actor, new: NewRequest) -> Result<i64> {
    add_many(store, actor, vec![new]).map(|ids| ids[0])
}

/// Records several requests in one transaction: all or none.
pub fn add_many(store: &mut Store, actor: &Actor, new: Vec<NewRequest>) -> Result<Vec<i64>> {
    add_many_at(store, actor, new, crate::clock::now_ms())
}

/// `add_many`, recorded at `now`.
pub fn add_many_at(
    store: &mut Store,
    actor: &Actor,
    new: Vec<NewRequest>,
    now: Millis,
) -> Result<Vec<i64>> {
    for kind in [Kind::Erasure, Kind::Access] {
        if new.iter().any(|n| n.kind == kind) {
            access::require(store, actor, permission(kind), audit::REQUEST_CREATE)?;
        }
    }
    for n in &new {
        validate(n).map_err(Error::Invalid)?;
    }
    store.write(|conn| {
        let mut ids = Vec::with_capacity(new.len());
        for n in &new {
            let idents = serde_json::to_string(&n.identifiers).unwrap_or_default();
            let due = n.regulation.due(n.received_at);
            ids.push(db::insert(
                conn,
                &db::NewRow {
                    kind: n.kind.as_str(),
                    regulation: n.regulation.as_str(),
                    identifiers: &idents,
                    received_at: n.received_at,
                    due_at: due,
                    note: n.note.as_deref(),
                },
            )?);
        }
        let mut entry =
            Entry::new(&actor.username, audit::REQUEST_CREATE).count("requests", ids.len() as i64);
        for id in &ids {
            entry = entry.target(&format!("req-{id}"));
        }
        audit::append_at(conn, &entry, now)?;
        Ok(ids)
    })
}
