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
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::access::{self, Actor, Permission};
use crate::audit::{self, Entry};
use crate::clock::{self, Millis, DAY_MS};
use crate::erase::{self, Reason};
use crate::error::{Error, Result};
use crate::search::{self, CustomerSummary, Field};
use crate::store::{requests as db, Read, Store};

mod csv;
mod intake;
mod receipt;
mod run;
pub use csv::*;
pub use intake::*;
pub use receipt::*;
pub use run::*;

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
        let blocked = RequestReceipt::blocked_of(self.receipt.as_ref()?);
        let parts: Vec<String> = blocked
            .iter()
            .map(|b| {
                format!(
                    "customer {} has conversation {} {}",
                    b.customer_id, b.conversation_id, b.status
                )
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join("; ") + "; close it, then run the request again")
    }
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
        return Err(Error::InvalidState(format!(
            "request {id} is already {}; it can't be extended",
            req.status.as_str()
        )));
    }
    if req.extended_at.is_some() {
        return Err(Error::InvalidState(format!(
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
        audit::append_at(
            conn,
            &Entry::new(&actor.username, audit::REQUEST_EXTEND).target(&format!("req-{id}")),
            now,
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
        return Err(Error::InvalidState(format!(
            "request {id} is already {}",
            req.status.as_str()
        )));
    }
    store.write(|conn| {
        let closing = db::Closing {
            status: "rejected",
            receipt: "{}",
            customer_ids: "[]",
        };
        db::close(conn, id, &closing, now)?;
        audit::append_at(
            conn,
            &Entry::new(&actor.username, audit::REQUEST_REJECT).target(&format!("req-{id}")),
            now,
        )?;
        Ok(())
    })?;
    store.checkpoint_truncate()?;
    get(&store.read(), id)
}

#[cfg(test)]
mod tests;
