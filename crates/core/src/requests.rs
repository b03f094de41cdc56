//! Data subject requests: "delete everything about me" (erasure) and "send
//! me my data" (access), with legal deadlines.
//!
//! Deadlines: GDPR, one calendar month from receipt, extendable once by two
//! more months; CCPA, 45 days, extendable once by 45; other regulations,
//! 30 days, extendable once by 30. A month from 31 January is the last day
//! of February (chrono's calendar-month arithmetic clamps to month end).
//!
//! The identifiers a person supplies are PII: they live in the request only
//! while it is open and are wiped when it completes or is rejected. What
//! remains is the customer IDs, the counts and the receipt.

use std::path::{Path, PathBuf};

use chrono::Months;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::access::{self, Actor, Permission};
use crate::audit::{self, Entry};
use crate::clock::{self, Millis, DAY_MS};
use crate::erase::{self, Reason};
use crate::error::{Error, Result};
use crate::search::{self, CustomerSummary, Field};
use crate::store::{requests as db, Read, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Erasure,
    Access,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Erasure => "erasure",
            Kind::Access => "access",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "erasure" | "delete" | "deletion" => Some(Kind::Erasure),
            "access" | "export" => Some(Kind::Access),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Regulation {
    Gdpr,
    Ccpa,
    Other,
}

impl Regulation {
    pub fn as_str(self) -> &'static str {
        match self {
            Regulation::Gdpr => "gdpr",
            Regulation::Ccpa => "ccpa",
            Regulation::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Regulation> {
        match s.trim().to_ascii_lowercase().as_str() {
            "gdpr" => Some(Regulation::Gdpr),
            "ccpa" | "cpra" => Some(Regulation::Ccpa),
            "other" | "" => Some(Regulation::Other),
            _ => None,
        }
    }

    /// The deadline for a request received at `received`.
    pub fn due(self, received: Millis) -> Millis {
        match self {
            Regulation::Gdpr => add_months(received, 1),
            Regulation::Ccpa => received + 45 * DAY_MS,
            Regulation::Other => received + 30 * DAY_MS,
        }
    }

    /// The deadline after the one allowed extension.
    pub fn extended(self, due: Millis) -> Millis {
        match self {
            Regulation::Gdpr => add_months(due, 2),
            Regulation::Ccpa => due + 45 * DAY_MS,
            Regulation::Other => due + 30 * DAY_MS,
        }
    }
}

fn add_months(at: Millis, months: u32) -> Millis {
    let t = clock::to_dt(at);
    t.checked_add_months(Months::new(months))
        .map(|t| t.timestamp_millis())
        .unwrap_or(at)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    InProgress,
    Completed,
    Rejected,
    Blocked,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::InProgress => "in_progress",
            Status::Completed => "completed",
            Status::Rejected => "rejected",
            Status::Blocked => "blocked",
        }
    }

    pub fn parse(s: &str) -> Status {
        match s {
            "in_progress" => Status::InProgress,
            "completed" => Status::Completed,
            "rejected" => Status::Rejected,
            "blocked" => Status::Blocked,
            _ => Status::New,
        }
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Status::Completed | Status::Rejected)
    }
}

/// What the data subject gave to identify themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifiers {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customer_ids: Vec<String>,
}

impl Identifiers {
    pub fn is_empty(&self) -> bool {
        self.emails.is_empty()
            && self.phones.is_empty()
            && self.external_ids.is_empty()
            && self.customer_ids.is_empty()
    }

    /// Every value, for display while the request is open.
    pub fn describe(&self) -> String {
        let mut parts = vec![];
        parts.extend(self.emails.iter().map(|e| format!("email {e}")));
        parts.extend(self.phones.iter().map(|p| format!("phone {p}")));
        parts.extend(self.external_ids.iter().map(|x| format!("external ID {x}")));
        parts.extend(self.customer_ids.iter().map(|c| format!("customer {c}")));
        parts.join(", ")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    pub id: i64,
    pub kind: Kind,
    pub regulation: Regulation,
    /// None once the request is closed (wiped).
    pub identifiers: Option<Identifiers>,
    pub received_at: Millis,
    pub due_at: Millis,
    pub extended_at: Option<Millis>,
    pub extension_reason: Option<String>,
    pub status: Status,
    pub note: Option<String>,
    pub customer_ids: Vec<String>,
    pub receipt: Option<Value>,
    pub completed_at: Option<Millis>,
}

impl Request {
    fn from_row(r: db::RequestRow) -> Request {
        Request {
            id: r.id,
            kind: Kind::parse(&r.kind).unwrap_or(Kind::Erasure),
            regulation: Regulation::parse(&r.regulation).unwrap_or(Regulation::Other),
            identifiers: r.identifiers.and_then(|t| serde_json::from_str(&t).ok()),
            received_at: r.received_at,
            due_at: r.due_at,
            extended_at: r.extended_at,
            extension_reason: r.extension_reason,
            status: Status::parse(&r.status),
            note: r.note,
            customer_ids: r
                .customer_ids
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default(),
            receipt: r.receipt.and_then(|t| serde_json::from_str(&t).ok()),
            completed_at: r.completed_at,
        }
    }

    pub fn is_overdue(&self, now: Millis) -> bool {
        !self.status.is_closed() && self.due_at < now
    }

    /// Open and due within the next seven days.
    pub fn is_due_soon(&self, now: Millis) -> bool {
        !self.status.is_closed() && self.due_at >= now && self.due_at <= now + 7 * DAY_MS
    }

    /// Why the request is blocked, from the last run's receipt.
    pub fn blocked_reason(&self) -> Option<String> {
        let blocked = self.receipt.as_ref()?.get("blocked")?.as_array()?;
        let parts: Vec<String> = blocked
            .iter()
            .map(|b| {
                format!(
                    "customer {} has conversation {} {}",
                    b["customerId"].as_str().unwrap_or("?"),
                    b["conversationId"].as_str().unwrap_or("?"),
                    b["status"].as_str().unwrap_or("open"),
                )
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join("; ") + "; close it, then run the request again")
    }
}

#[derive(Debug, Clone)]
pub struct NewRequest {
    pub kind: Kind,
    pub regulation: Regulation,
    pub identifiers: Identifiers,
    pub received_at: Millis,
    pub note: Option<String>,
}

fn permission(kind: Kind) -> Permission {
    match kind {
        Kind::Erasure => Permission::Delete,
        Kind::Access => Permission::Export,
    }
}

fn validate(new: &NewRequest) -> std::result::Result<(), String> {
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
                n.kind.as_str(),
                n.regulation.as_str(),
                &idents,
                n.received_at,
                due,
                n.note.as_deref(),
            )?);
        }
        let mut entry =
            Entry::new(&actor.username, audit::REQUEST_CREATE).count("requests", ids.len() as i64);
        for id in &ids {
            entry = entry.target(&format!("req-{id}"));
        }
        audit::append(conn, &entry)?;
        Ok(ids)
    })
}

pub fn get(conn: &Read, id: i64) -> Result<Request> {
    db::get(conn, id)?
        .map(Request::from_row)
        .ok_or_else(|| Error::NotFound {
            what: "request",
            id: id.to_string(),
        })
}

/// Open requests by due date (all requests with `include_closed`).
pub fn list(conn: &Read, include_closed: bool) -> Result<Vec<Request>> {
    Ok(db::list(conn, include_closed)?
        .into_iter()
        .map(Request::from_row)
        .collect())
}

/// Extends the deadline once, with a reason.
pub fn extend(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    reason: &str,
    now: Millis,
) -> Result<Request> {
    let req = get(&store.read(), id)?;
    access::require(store, actor, permission(req.kind), audit::REQUEST_EXTEND)?;
    if req.status.is_closed() {
        return Err(Error::Invalid(format!(
            "request {id} is already {}; it can't be extended",
            req.status.as_str()
        )));
    }
    if req.extended_at.is_some() {
        return Err(Error::Invalid(format!(
            "request {id} was already extended once; the law allows one extension"
        )));
    }
    if reason.trim().is_empty() {
        return Err(Error::Invalid(
            "an extension needs a reason (for example, the complexity or number of requests)"
                .into(),
        ));
    }
    let due = req.regulation.extended(req.due_at);
    store.write(|conn| {
        db::extend(conn, id, due, reason.trim(), now)?;
        audit::append(
            conn,
            &Entry::new(&actor.username, audit::REQUEST_EXTEND).target(&format!("req-{id}")),
        )?;
        Ok(())
    })?;
    get(&store.read(), id)
}

/// Rejects a request (for example, the identity could not be verified).
/// Its identifiers are wiped like a completed request's.
pub fn reject(store: &mut Store, actor: &Actor, id: i64, now: Millis) -> Result<Request> {
    let req = get(&store.read(), id)?;
    access::require(store, actor, permission(req.kind), audit::REQUEST_REJECT)?;
    if req.status.is_closed() {
        return Err(Error::Invalid(format!(
            "request {id} is already {}",
            req.status.as_str()
        )));
    }
    store.write(|conn| {
        db::close(conn, id, "rejected", "{}", "[]", now)?;
        audit::append(
            conn,
            &Entry::new(&actor.username, audit::REQUEST_REJECT).target(&format!("req-{id}")),
        )?;
        Ok(())
    })?;
    store.checkpoint_truncate()?;
    get(&store.read(), id)
}

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
fn plan_of(store: &Store, kind: Kind, matches: Vec<CustomerSummary>) -> Result<Plan> {
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
        return Err(Error::Invalid(format!(
            "request {id} is already {}",
            req.status.as_str()
        )));
    }
    let chosen = chosen(id, &matches(&store.read(), &req)?, target.confirmed)?;
    store.write(|conn| db::set_status(conn, id, Status::InProgress.as_str(), None, None))?;
    match req.kind {
        Kind::Erasure => run_erasure(store, actor, req, now, &chosen),
        Kind::Access => run_access(store, actor, &req, now, target.export_dir, &chosen),
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

fn run_erasure(
    store: &mut Store,
    actor: &Actor,
    req: Request,
    now: Millis,
    chosen: &[CustomerSummary],
) -> Result<RunOutcome> {
    let plan = plan_of(store, Kind::Erasure, chosen.to_vec())?;
    let mut receipt = req
        .receipt
        .clone()
        .unwrap_or_else(|| json!({"type": "erasure", "erased": []}));
    let mut customer_ids = req.customer_ids.clone();
    // One bulk erasure: one verification scan of the files for every
    // profile, instead of one scan per profile.
    let ids: Vec<String> = plan.deletable().map(|p| p.customer_id.clone()).collect();
    let mut receipts: Vec<Value> = Vec::new();
    let mut unwritten: Option<String> = None;
    let result = erase::delete_profiles(
        store,
        actor,
        &ids,
        Reason::Manual,
        now,
        erase::BulkOptions::default(),
        &mut |b| {
            for r in b.receipts {
                match serde_json::to_value(r) {
                    Ok(v) => receipts.push(v),
                    Err(e) => {
                        unwritten.get_or_insert(format!("{}: {e}", r.customer_id));
                    }
                }
            }
        },
    )?;
    if let Some(e) = unwritten {
        return Err(Error::Invalid(format!(
            "the profiles were erased, but a receipt could not be written as JSON ({e}); \
             the request stays open, so run it again to complete it"
        )));
    }
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
    if let Some(list) = receipt["erased"].as_array_mut() {
        list.extend(receipts);
    }
    if let Some(scan) = &result.verification {
        receipt["verification"] = serde_json::to_value(scan).map_err(|e| {
            Error::Invalid(format!(
                "the verification could not be written as JSON ({e})"
            ))
        })?;
    }
    let blocked: Vec<Value> = plan
        .blocked()
        .filter_map(|p| {
            let (conv, status) = p.blocked_by.as_ref()?;
            Some(json!({"customerId": p.customer_id, "conversationId": conv, "status": status}))
        })
        .collect();
    receipt["blocked"] = Value::from(blocked.clone());
    receipt["matched"] = Value::from(customer_ids.len() + blocked.len());
    let ids_json = serde_json::to_string(&customer_ids).unwrap_or_default();
    let receipt_text = receipt.to_string();
    let finished = blocked.is_empty();
    store.write(|conn| {
        if finished {
            db::close(
                conn,
                req.id,
                Status::Completed.as_str(),
                &receipt_text,
                &ids_json,
                now,
            )?;
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
        audit::append(conn, &entry)?;
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

fn run_access(
    store: &mut Store,
    actor: &Actor,
    req: &Request,
    now: Millis,
    dir: &Path,
    matches: &[CustomerSummary],
) -> Result<RunOutcome> {
    let mut docs = Vec::with_capacity(matches.len());
    for m in matches {
        docs.push(crate::export::customer(store, actor, &m.id, true)?);
    }
    let body = serde_json::to_vec_pretty(&docs).map_err(|e| Error::Invalid(e.to_string()))?;
    let path = export_path(dir, req.id, now);
    write_private(&path, &body)?;
    let checksum = format!("{:x}", Sha256::digest(&body));
    let ids: Vec<String> = matches.iter().map(|m| m.id.clone()).collect();
    let receipt = json!({
        "type": "access",
        "path": path.display().to_string(),
        "sha256": checksum,
        "bytes": body.len(),
        "customers": ids,
    });
    let ids_json = serde_json::to_string(&ids).unwrap_or_default();
    store.write(|conn| {
        db::close(
            conn,
            req.id,
            Status::Completed.as_str(),
            &receipt.to_string(),
            &ids_json,
            now,
        )?;
        let mut entry = Entry::new(&actor.username, audit::REQUEST_COMPLETE)
            .target(&format!("req-{}", req.id))
            .count("exported", ids.len() as i64);
        for c in &ids {
            entry = entry.target(c);
        }
        audit::append(conn, &entry)?;
        Ok(())
    })?;
    store.checkpoint_truncate()?;
    Ok(RunOutcome::Completed(get(&store.read(), req.id)?))
}

fn export_path(dir: &Path, id: i64, now: Millis) -> PathBuf {
    let stamp = clock::to_dt(now).format("%Y%m%dT%H%M%SZ");
    dir.join(format!("lethe-access-request-{id}-{stamp}.json"))
}

/// Writes a new file readable only by its owner; never overwrites.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| {
        Error::Invalid(format!(
            "cannot write the export to {}: {e}",
            path.display()
        ))
    })?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// One parsed CSV row, or the reason it is bad.
pub fn parse_csv(
    text: &str,
    default_received: Millis,
) -> std::result::Result<Vec<NewRequest>, Vec<String>> {
    let rows = match crate::csv::parse(text) {
        Ok(rows) => rows,
        Err(e) => return Err(vec![e]),
    };
    let mut errors = vec![];
    let mut out = vec![];
    let Some(((_, header), body)) = rows.split_first() else {
        return Err(vec!["the file is empty; expected a header line such as: type,regulation,email,phone,external_id,customer_id,received,note".into()]);
    };
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let Some(type_col) = col("type") else {
        return Err(vec!["line 1: the header has no \"type\" column; expected: type,regulation,email,phone,external_id,customer_id,received,note".into()]);
    };
    let cols = [
        col("regulation"),
        col("email"),
        col("phone"),
        col("external_id"),
        col("customer_id"),
        col("received"),
        col("note"),
    ];
    for (line, fields) in body {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |c: Option<usize>| {
            c.and_then(|i| fields.get(i))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        let kind = match fields.get(type_col).and_then(|t| Kind::parse(t)) {
            Some(k) => k,
            None => {
                errors.push(format!(
                    "line {line}: type \"{}\" is not erasure or access",
                    fields.get(type_col).map(|s| s.as_str()).unwrap_or("")
                ));
                continue;
            }
        };
        let Some(regulation) = Regulation::parse(get(cols[0]).unwrap_or("")) else {
            errors.push(format!(
                "line {line}: regulation \"{}\" is not gdpr, ccpa or other",
                get(cols[0]).unwrap_or("")
            ));
            continue;
        };
        let split = |c: Option<usize>| -> Vec<String> {
            get(c)
                .map(|v| {
                    v.split(';')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let received_at = match get(cols[5]) {
            None => default_received,
            Some(t) => match clock::parse(t) {
                Some(ms) => ms,
                None => {
                    errors.push(format!(
                        "line {line}: received date \"{t}\" is not a date; use YYYY-MM-DD"
                    ));
                    continue;
                }
            },
        };
        let new = NewRequest {
            kind,
            regulation,
            identifiers: Identifiers {
                emails: split(cols[1]),
                phones: split(cols[2]),
                external_ids: split(cols[3]),
                customer_ids: split(cols[4]),
            },
            received_at,
            note: get(cols[6]).map(str::to_string),
        };
        if let Err(why) = validate(&new) {
            errors.push(format!("line {line}: {why}"));
            continue;
        }
        out.push(new);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> Millis {
        clock::parse(s).unwrap()
    }

    #[test]
    fn deadlines_follow_the_regulation() {
        assert_eq!(
            clock::date(Regulation::Gdpr.due(ms("2026-01-31"))),
            "2026-02-28"
        );
        assert_eq!(
            clock::date(Regulation::Gdpr.due(ms("2028-01-31"))),
            "2028-02-29"
        );
        assert_eq!(
            clock::date(Regulation::Gdpr.due(ms("2026-03-15"))),
            "2026-04-15"
        );
        assert_eq!(
            clock::date(Regulation::Ccpa.due(ms("2026-01-01"))),
            "2026-02-15"
        );
        assert_eq!(
            clock::date(Regulation::Other.due(ms("2026-01-01"))),
            "2026-01-31"
        );
        // Extensions: GDPR two more months, CCPA 45 more days.
        assert_eq!(
            clock::date(Regulation::Gdpr.extended(ms("2026-02-28"))),
            "2026-04-28"
        );
        assert_eq!(
            clock::date(Regulation::Ccpa.extended(ms("2026-02-15"))),
            "2026-04-01"
        );
    }

    #[test]
    fn csv_rows_are_checked_with_line_numbers() {
        let text = "type,regulation,email,phone,received\n\
                    erasure,gdpr,a@example.com,,2026-01-31\n\
                    shred,gdpr,b@example.com,,\n\
                    access,hipaa,c@example.com,,\n\
                    erasure,ccpa,,,\n\
                    erasure,ccpa,d@example.com,not a phone,\n\
                    access,ccpa,e@example.com,,31/01/2026\n";
        let errs = parse_csv(text, 0).unwrap_err();
        assert_eq!(errs.len(), 5, "{errs:?}");
        assert!(errs[0].starts_with("line 3: type \"shred\""), "{errs:?}");
        assert!(errs[1].starts_with("line 4: regulation \"hipaa\""));
        assert!(errs[2].starts_with("line 5: a request needs at least one identifier"));
        assert!(errs[3].starts_with("line 6: \"not a phone\""));
        assert!(errs[4].starts_with("line 7: received date"));
        let ok = parse_csv("type,email\nerasure,a@example.com;b@example.com\n", 5).unwrap();
        assert_eq!(ok[0].identifiers.emails.len(), 2);
        assert_eq!(ok[0].received_at, 5);
    }
}
