//! Running a request: which profiles it covers, and erasing or exporting them.

use super::*;

/// Every live profile the identifiers match, duplicates included.
pub fn matches(conn: &Read, req: &Request) -> Result<Vec<CustomerSummary>> {
    let Some(idents) = &req.identifiers else {
        return Ok(vec![]);
    };
    let mut out: Vec<CustomerSummary> = vec![];
    let lookups = idents
        .emails
        .iter()
        .map(|v| (Field::Email, v))
        .chain(idents.phones.iter().map(|v| (Field::Phone, v)))
        .chain(idents.external_ids.iter().map(|v| (Field::ExternalId, v)))
        .chain(idents.customer_ids.iter().map(|v| (Field::CustomerId, v)));
    for (field, value) in lookups {
        for s in search::exact(conn, field, value)? {
            if s.deleted_at.is_none() && !out.iter().any(|o| o.id == s.id) {
                out.push(s);
            }
        }
    }
    Ok(out)
}

/// What running the request would do: the profiles it matches, and for an
/// erasure which of them open work blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub matches: Vec<CustomerSummary>,
    pub previews: Vec<erase::ProfilePreview>,
}

impl Plan {
    pub fn blocked(&self) -> impl Iterator<Item = &erase::ProfilePreview> {
        self.previews.iter().filter(|p| p.blocked_by.is_some())
    }

    pub fn deletable(&self) -> impl Iterator<Item = &erase::ProfilePreview> {
        self.previews.iter().filter(|p| p.blocked_by.is_none())
    }

    /// The plan for the profiles `ids` names alone.
    pub fn only(&self, ids: &[String]) -> Plan {
        let keep = |id: &str| ids.iter().any(|x| x == id);
        Plan {
            matches: self
                .matches
                .iter()
                .filter(|m| keep(&m.id))
                .cloned()
                .collect(),
            previews: self
                .previews
                .iter()
                .filter(|p| keep(&p.customer_id))
                .cloned()
                .collect(),
        }
    }
}

pub fn plan(store: &Store, req: &Request) -> Result<Plan> {
    plan_of(store, req.kind, matches(&store.read(), req)?)
}

/// The plan for these matches: for an erasure, what deleting each would do.
pub(super) fn plan_of(store: &Store, kind: Kind, matches: Vec<CustomerSummary>) -> Result<Plan> {
    let mut previews = vec![];
    if kind == Kind::Erasure {
        for m in &matches {
            previews.push(erase::preview_profile(store, &m.id)?);
        }
    }
    Ok(Plan { matches, previews })
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    /// Done; the identifiers are wiped and the receipt kept.
    Completed(Request),
    /// Some profiles have open work; the rest were erased. Run again later.
    Blocked(Request),
}

/// The profiles a run acts on: those of `matches` the operator confirmed
/// belong to the requester. With no confirmation, a single match stands
/// for itself and several are refused with `Error::AmbiguousRequest`, so
/// that one person's request never reaches another person who shares an
/// email, a phone or an external ID. A confirmed ID that the identifiers
/// do not match is refused too.
pub fn chosen(
    request: i64,
    matches: &[CustomerSummary],
    confirmed: &[String],
) -> Result<Vec<CustomerSummary>> {
    if confirmed.is_empty() {
        if matches.len() > 1 {
            return Err(Error::AmbiguousRequest {
                request,
                matches: matches
                    .iter()
                    .map(|m| {
                        let name = m.name.as_deref().unwrap_or("no name");
                        format!("{} ({})", m.id, crate::text::safe_line(name))
                    })
                    .collect(),
            });
        }
        return Ok(matches.to_vec());
    }
    for id in confirmed {
        if !matches.iter().any(|m| m.id == *id) {
            let ids: Vec<&str> = matches.iter().map(|m| m.id.as_str()).collect();
            return Err(Error::Invalid(format!(
                "customer {} is not among the live profiles request {request} matches ({}); \
                 nothing was changed. Name only profiles that `lethe request show {request}` lists.",
                crate::text::safe_line(id),
                if ids.is_empty() {
                    "none".to_string()
                } else {
                    ids.join(", ")
                }
            )));
        }
    }
    Ok(matches
        .iter()
        .filter(|m| confirmed.contains(&m.id))
        .cloned()
        .collect())
}

/// Carries out a request on the profiles `confirmed` names among its
/// matches (see `chosen`: none is enough for a single match): an erasure
/// deletes them, each through the same path as a manual deletion; an
/// access request writes one JSON export of them into `export_dir`, and
/// of no other profile. On success the request is completed and its
/// identifiers wiped. Refused before anything changes when the choice is
/// missing or wrong.
pub fn run(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    now: Millis,
    target: RunTarget,
) -> Result<RunOutcome> {
    let req = get(&store.read(), id)?;
    access::require(store, actor, permission(req.kind), audit::REQUEST_COMPLETE)?;
    if req.status.is_closed() {
        return Err(Error::InvalidState(format!(
            "request {id} is already {}",
            req.status.as_str()
        )));
    }
    let chosen = chosen(id, &matches(&store.read(), &req)?, target.confirmed)?;
    store.write(|conn| db::set_status(conn, id, Status::InProgress.as_str(), None, None))?;
    match req.kind {
        Kind::Erasure => run_erasure(store, actor, req, now, &chosen),
        Kind::Access => {
            let export = Export {
                profiles: &chosen,
                dir: target.export_dir,
            };
            run_access(store, actor, &req, now, export)
        }
    }
}

/// Where a run acts: the profiles confirmed as the requester's, and the
/// directory an access request's export is written to.
#[derive(Debug, Clone, Copy)]
pub struct RunTarget<'a> {
    pub confirmed: &'a [String],
    pub export_dir: &'a Path,
}

impl<'a> RunTarget<'a> {
    /// No profile named: enough when the identifiers match one profile.
    pub fn dir(export_dir: &'a Path) -> RunTarget<'a> {
        RunTarget {
            confirmed: &[],
            export_dir,
        }
    }
}

pub(super) fn run_erasure(
    store: &mut Store,
    actor: &Actor,
    req: Request,
    now: Millis,
    chosen: &[CustomerSummary],
) -> Result<RunOutcome> {
    let plan = plan_of(store, Kind::Erasure, chosen.to_vec())?;
    // A request run again (it was blocked) adds to its receipt.
    let mut receipt = match req.receipt.as_ref().map(RequestReceipt::parse) {
        None => ErasureReceipt::default(),
        Some(Some(RequestReceipt::Erasure(r))) => r,
        Some(_) => {
            return Err(Error::Invalid(format!(
                "request {}'s receipt cannot be read as an erasure receipt; nothing was changed. \
                 Check the requests table with `lethe request show {}`.",
                req.id, req.id
            )))
        }
    };
    let mut customer_ids = req.customer_ids.clone();
    // One bulk erasure: one verification scan of the files for every
    // profile, instead of one scan per profile.
    let ids: Vec<String> = plan.deletable().map(|p| p.customer_id.clone()).collect();
    let mut receipts: Vec<erase::Receipt> = Vec::new();
    let result = erase::delete_profiles(
        store,
        &erase::Bulk {
            actor,
            reason: Reason::Manual,
            now,
            options: erase::BulkOptions::default(),
            cancel: None,
        },
        &ids,
        &mut |b| receipts.extend(b.receipts.iter().cloned()),
    )?;
    if result.failed > 0 {
        return Err(Error::Invalid(format!(
            "{} of the matched profiles could not be deleted; the request stays open, so run it again",
            result.failed
        )));
    }
    for (id, outcome) in &result.outcomes {
        if *outcome == erase::BulkOutcome::Deleted {
            customer_ids.push(id.clone());
        }
    }
    receipt.erased.extend(receipts);
    if let Some(scan) = &result.verification {
        receipt.verification = Some(scan.clone());
    }
    let blocked: Vec<BlockedProfile> = plan
        .blocked()
        .filter_map(|p| {
            let (conv, status) = p.blocked_by.as_ref()?;
            Some(BlockedProfile {
                customer_id: p.customer_id.clone(),
                conversation_id: conv.clone(),
                status: status.clone(),
            })
        })
        .collect();
    receipt.blocked = blocked.clone();
    receipt.matched = customer_ids.len() + blocked.len();
    let ids_json = serde_json::to_string(&customer_ids).unwrap_or_default();
    let receipt_text = serde_json::to_string(&RequestReceipt::Erasure(receipt)).map_err(|e| {
        Error::Invalid(format!(
            "the profiles were erased, but the receipt could not be written as JSON ({e}); \
             the request stays open, so run it again to complete it"
        ))
    })?;
    let finished = blocked.is_empty();
    store.write(|conn| {
        if finished {
            let closing = db::Closing {
                status: Status::Completed.as_str(),
                receipt: &receipt_text,
                customer_ids: &ids_json,
            };
            db::close(conn, req.id, &closing, now)?;
        } else {
            db::set_status(
                conn,
                req.id,
                Status::Blocked.as_str(),
                Some(&receipt_text),
                Some(&ids_json),
            )?;
        }
        let mut entry = Entry::new(
            &actor.username,
            if finished {
                audit::REQUEST_COMPLETE
            } else {
                audit::REQUEST_UPDATE
            },
        )
        .target(&format!("req-{}", req.id))
        .count("erased", customer_ids.len() as i64)
        .count("blocked", blocked.len() as i64);
        for c in &customer_ids {
            entry = entry.target(c);
        }
        audit::append_at(conn, &entry, now)?;
        Ok(())
    })?;
    store.checkpoint_truncate()?;
    let updated = get(&store.read(), req.id)?;
    Ok(if finished {
        RunOutcome::Completed(updated)
    } else {
        RunOutcome::Blocked(updated)
    })
}

/// What an access request exports, and where the file goes.
pub(super) struct Export<'a> {
    profiles: &'a [CustomerSummary],
    dir: &'a Path,
}

pub(super) fn run_access(
    store: &mut Store,
    actor: &Actor,
    req: &Request,
    now: Millis,
    export: Export,
) -> Result<RunOutcome> {
    let Export {
        profiles: matches,
        dir,
    } = export;
    let mut docs = Vec::with_capacity(matches.len());
    for m in matches {
        docs.push(crate::export::customer(store, actor, &m.id, true)?);
    }
    let body = serde_json::to_vec_pretty(&docs).map_err(|e| Error::Invalid(e.to_string()))?;
    let path = export_path(dir, req.id, now);
    write_private(&path, &body)?;
    let checksum = format!("{:x}", Sha256::digest(&body));
    let ids: Vec<String> = matches.iter().map(|m| m.id.clone()).collect();
    let receipt = RequestReceipt::Access(AccessReceipt {
        path: path.display().to_string(),
        sha256: checksum,
        bytes: body.len(),
        customers: ids.clone(),
    });
    let ids_json = serde_json::to_string(&ids).unwrap_or_default();
    store.write(|conn| {
        let receipt_text = serde_json::to_string(&receipt)
            .map_err(|e| Error::Invalid(format!("the receipt could not be written ({e})")))?;
        let closing = db::Closing {
            status: Status::Completed.as_str(),
            receipt: &receipt_text,
            customer_ids: &ids_json,
        };
        db::close(conn, req.id, &closing, now)?;
        let mut entry = Entry::new(&actor.username, audit::REQUEST_COMPLETE)
            .target(&format!("req-{}", req.id))
            .count("exported", ids.len() as i64);
        for c in &ids {
            entry = entry.target(c);
        }
        audit::append_at(conn, &entry, now)?;
        Ok(())
    })?;
    store.checkpoint_truncate()?;
    Ok(RunOutcome::Completed(get(&store.read(), req.id)?))
}

pub(super) fn export_path(dir: &Path, id: i64, now: Millis) -> PathBuf {
    let stamp = clock::to_dt(now).format("%Y%m%dT%H%M%SZ");
    dir.join(format!("lethe-access-request-{id}-{stamp}.json"))
}

/// Writes a new file readable only by its owner; never overwrites.
pub(super) fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::files::write_private(path, bytes).map_err(|e| {
        Error::Invalid(format!(
            "cannot write the export to {}: {e}",
            path.display()
        ))
    })
}
