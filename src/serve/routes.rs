//! The endpoints, with the platform's paths and JSON field names.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, RawQuery};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::{handle, ApiError, ApiResult, Call, Req, State};
use crate::erase::{self, Reason, Verify};
use crate::search::Field;

/// Every endpoint the router serves, as `docs/openapi.json` lists them.
pub const ENDPOINTS: &[(&str, &str)] = &[
    ("GET", "/api/v1/customer-profiles"),
    ("GET", "/api/v1/customer-profiles/{id}"),
    ("DELETE", "/api/v1/customer-profiles/{id}"),
    ("GET", "/api/v1/customer-profiles/{id}/export"),
    ("GET", "/api/v1/customers/{id}/conversation-items"),
    ("POST", "/api/v1/conversation-items/{id}/redact"),
    ("GET", "/api/v1/compliance-events"),
    ("GET", "/api/v1/settings/data-retention"),
    ("PUT", "/api/v1/settings/data-retention"),
];

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/api/v1/customer-profiles", get(find))
        .route(
            "/api/v1/customer-profiles/{id}",
            get(profile).delete(delete_profile),
        )
        .route("/api/v1/customer-profiles/{id}/export", get(export))
        .route("/api/v1/customers/{id}/conversation-items", get(items))
        .route("/api/v1/conversation-items/{id}/redact", post(redact))
        .route("/api/v1/compliance-events", get(events))
        .route(
            "/api/v1/settings/data-retention",
            get(retention).put(set_retention),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(super::MAX_BODY))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            super::REQUEST_TIMEOUT,
        ))
        .layer(tower::limit::ConcurrencyLimitLayer::new(
            super::MAX_CONCURRENT,
        ))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint; docs/API.md lists them",
    )
}

/// Whether `id` is an ID Lethe could hold: 1 to 128 ASCII letters, digits,
/// `_`, `-` or `:`. No slashes, dots, spaces or control characters.
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':'))
}

fn checked_id(id: &str) -> Result<String, ApiError> {
    if valid_id(id) {
        Ok(id.to_string())
    } else {
        Err(ApiError::bad(
            "invalid_id",
            "id",
            "an ID is 1 to 128 letters, digits, _, - or :, without slashes, dots or control characters",
        ))
    }
}

/// Strict percent-decoding of one query component (`+` is a space).
fn decode(raw: &str) -> Result<String, ApiError> {
    let bad = || {
        ApiError::bad(
            "invalid_encoding",
            "query",
            "the query string is not valid percent-encoding of UTF-8 text",
        )
    };
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or_else(bad)?;
                let s = std::str::from_utf8(hex).map_err(|_| bad())?;
                out.push(u8::from_str_radix(s, 16).map_err(|_| bad())?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

/// The query's parameters, each at most once and each one of `allowed`.
fn params(raw: Option<String>, allowed: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for part in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let (k, v) = (decode(k)?, decode(v)?);
        if !allowed.contains(&k.as_str()) {
            return Err(ApiError::bad(
                "unknown_parameter",
                &crate::text::safe_line(&k.chars().take(40).collect::<String>()),
                format!(
                    "unknown query parameter; this endpoint takes {}",
                    allowed.join(", ")
                ),
            ));
        }
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(ApiError::bad(
                "duplicate_parameter",
                &k,
                "a query parameter is given twice",
            ));
        }
        out.push((k, v));
    }
    Ok(out)
}

/// A JSON value of `v`, or a 500 saying it could not be written.
fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, ApiError> {
    serde_json::to_value(v)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))
}

/// A route on one ID in its path: the ID checked, the request handled and
/// audited as `endpoint` with that ID, and `work` run with the checked ID.
async fn with_id<F>(req: Req, id: String, endpoint: &'static str, work: F) -> ApiResult
where
    F: FnOnce(&mut crate::session::Session, String) -> Result<Value, ApiError> + Send + 'static,
{
    let checked = checked_id(&id);
    let call = Call {
        endpoint,
        ids: vec![id],
    };
    handle(req, call, move |session| work(session, checked?)).await
}

const MAX_RESULTS: usize = 50;

async fn find(req: Req, RawQuery(query): RawQuery) -> ApiResult {
    let keys = ["email", "phoneNumber", "externalCustomerId"];
    let parsed = params(query, &keys);
    let call = Call {
        endpoint: "customer-profiles.find",
        ids: vec![],
    };
    handle(req, call, move |session| {
        let mut parsed = parsed?;
        if parsed.len() != 1 {
            return Err(ApiError::bad(
                "invalid",
                "query",
                "give exactly one of email, phoneNumber or externalCustomerId",
            ));
        }
        let (key, value) = parsed.remove(0);
        let field = match key.as_str() {
            "email" => Field::Email,
            "phoneNumber" => {
                if crate::phone::to_e164(&value).is_none() {
                    return Err(ApiError::bad(
                        "invalid",
                        "phoneNumber",
                        "not a phone number in E.164 (write it with its country code, like +14155550100)",
                    ));
                }
                Field::Phone
            }
            _ => Field::ExternalId,
        };
        let docs = crate::export::find_newest(&session.read(), field, &value, MAX_RESULTS)?;
        let list = crate::export::profiles_value(&docs)?;
        Ok(json!({"customerProfiles": list, "count": docs.len()}))
    })
    .await
}

async fn profile(req: Req, Path(id): Path<String>) -> ApiResult {
    with_id(req, id, "customer-profiles.get", move |session, id| {
        let docs = crate::export::find(&session.read(), Field::CustomerId, &id)?;
        let Some(doc) = docs.into_iter().next() else {
            return Err(crate::Error::NotFound {
                what: "customer profile",
                id,
            }
            .into());
        };
        match crate::export::profiles_value(&[doc])? {
            Value::Array(mut list) if !list.is_empty() => Ok(list.remove(0)),
            _ => Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the profile could not be written as JSON",
            )),
        }
    })
    .await
}

async fn export(req: Req, Path(id): Path<String>) -> ApiResult {
    with_id(req, id, "customer-profiles.export", move |session, id| {
        let doc = session.export_customer(&id, true)?;
        to_json(&doc)
    })
    .await
}

async fn delete_profile(req: Req, Path(id): Path<String>) -> ApiResult {
    with_id(req, id, "customer-profiles.delete", move |session, id| {
        let receipt = session.delete_profile(&id, Reason::Manual, Verify::Full)?;
        to_json(&receipt)
    })
    .await
}

fn millis(ms: i64) -> String {
    crate::clock::format_ms(ms)
}

async fn items(req: Req, Path(id): Path<String>) -> ApiResult {
    with_id(req, id, "conversation-items.list", move |session, id| {
        let read = session.read();
        if crate::export::find(&read, Field::CustomerId, &id)?.is_empty() {
            return Err(crate::Error::NotFound {
                what: "customer",
                id,
            }
            .into());
        }
        let mut t = crate::timeline::Timeline::open(&read, &id)?;
        let rows = t.len();
        t.load_rows(&read, 0..rows)?;
        let mut out = Vec::new();
        for row in 0..rows {
            let Some(i) = t.item(row) else { continue };
            let deleted = i.deleted_at.is_some();
            out.push(json!({
                "id": i.id,
                "conversationId": i.conversation_id,
                "type": i.kind.as_str(),
                "timestamp": millis(i.timestamp),
                "direction": i.direction.map(|d| d.as_str()),
                "initiator": {"type": i.initiator.map(|x| x.as_str()), "id": i.initiator_id},
                "threadId": i.thread_id,
                "subject": if deleted { None } else { i.subject.clone() },
                "content": if deleted { Some(erase::ITEM_DELETED.to_string()) } else { i.body.clone() },
                "deleted": deleted,
                "deletedAt": i.deleted_at.map(millis),
                "durationSeconds": i.duration_s,
                "attachments": i.attachments.iter().map(|a| json!({
                    "id": a.id,
                    "contentType": a.content_type,
                    "fileSize": a.size,
                    "fileName": if a.deleted_at.is_some() { Some(erase::ATTACHMENT_DELETED.to_string()) } else { a.filename.clone() },
                    "deleted": a.deleted_at.is_some(),
                })).collect::<Vec<_>>(),
                "recording": i.recording.as_ref().map(|r| json!({
                    "id": r.id,
                    "contentType": r.content_type,
                    "durationSeconds": r.duration_s,
                    "deleted": r.deleted_at.is_some(),
                    "status": if r.deleted_at.is_some() { erase::RECORDING_DELETED } else { "available" },
                })),
            }));
        }
        Ok(json!({"customerId": id, "conversationItems": out}))
    })
    .await
}

async fn redact(req: Req, Path(id): Path<String>) -> ApiResult {
    with_id(req, id, "conversation-items.redact", move |session, id| {
        let target = erase::resolve_item(session.store(), &id)?;
        let done = session.delete_item(&target, Verify::Full)?;
        Ok(json!({
            "id": id,
            "deletedAt": millis(done.deleted_at),
            "items": done.items,
            "attachments": done.attachments,
            "recordings": done.recordings,
            "checkpointCompleted": done.checkpoint_completed,
            "verification": done.verification,
            "keeps": erase::what_stays(&target),
        }))
    })
    .await
}

/// The platform's name for an audit action, where there is one.
fn event_name(action: &str) -> String {
    match action {
        "delete-profile" | "delete-bulk" | "retention-sweep" => "PROFILE_DELETED".into(),
        "delete-item" | "delete-thread" | "redact" => "CONVERSATION_ITEM_REDACTED".into(),
        "delete-attachment" => "ATTACHMENT_REDACTED".into(),
        "delete-recording" => "RECORDING_REDACTED".into(),
        "export" => "CUSTOMER_PROFILE_EXPORTED".into(),
        "retention-set" => "DATA_RETENTION_CONFIG_UPDATED".into(),
        other => other.to_ascii_uppercase().replace('-', "_"),
    }
}

/// Events one answer holds at most; `truncated` says there are more, and a
/// later `startAt` fetches them.
const MAX_EVENTS: usize = 10_000;

async fn events(req: Req, RawQuery(query): RawQuery) -> ApiResult {
    let parsed = params(query, &["startAt", "endAt"]);
    let call = Call {
        endpoint: "compliance-events.list",
        ids: vec![],
    };
    handle(req, call, move |session| {
        let parsed = parsed?;
        let bound = |name: &str| -> Result<Option<i64>, ApiError> {
            match parsed.iter().find(|(k, _)| k == name) {
                None => Ok(None),
                Some((_, v)) => crate::clock::parse(v).map(Some).ok_or_else(|| {
                    ApiError::bad(
                        "invalid",
                        name,
                        "not a time; use RFC 3339, like 2024-07-01T00:00:00Z",
                    )
                }),
            }
        };
        let (start, end) = (bound("startAt")?, bound("endAt")?);
        let mut rows = crate::audit::between(&session.read(), start, end, MAX_EVENTS + 1)?;
        let truncated = rows.len() > MAX_EVENTS;
        rows.truncate(MAX_EVENTS);
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(json!({
                "id": r.seq,
                "eventType": event_name(&r.action),
                "action": r.action,
                "createdAt": r.at,
                "operator": r.operator,
                "targetIds": r.targets,
                "counts": r.counts,
                "outcome": r.outcome,
            }));
        }
        Ok(json!({"events": out, "truncated": truncated}))
    })
    .await
}

fn policy_json(p: crate::retention::Policy) -> Value {
    match p.days() {
        None => json!({"policy": "default", "days": null}),
        Some(d) => json!({"policy": "custom", "days": d}),
    }
}

async fn retention(req: Req) -> ApiResult {
    let call = Call {
        endpoint: "settings.data-retention.get",
        ids: vec![],
    };
    handle(req, call, move |session| {
        Ok(policy_json(crate::retention::policy(&session.read())?))
    })
    .await
}

async fn set_retention(req: Req, body: axum::body::Bytes) -> ApiResult {
    let call = Call {
        endpoint: "settings.data-retention.put",
        ids: vec![],
    };
    handle(req, call, move |session| {
        let v: Value = serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad("invalid_json", "body", format!("the body is not JSON ({e})"))
        })?;
        if !v.is_object() {
            return Err(ApiError::bad("invalid_json", "body", "the body is a JSON object"));
        }
        // `days`, or the longer names scripts use for it.
        let days = ["days", "retentionDays", "retentionPeriodDays"]
            .iter()
            .find_map(|k| v.get(*k));
        let policy = v
            .get("policy")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase);
        let policy = match (policy.as_deref(), days) {
            (Some("default"), _) => crate::retention::Policy::RetainForever,
            (Some("custom") | None, Some(d)) => {
                let days = d.as_i64().ok_or_else(|| {
                    ApiError::bad("invalid", "days", "days is a whole number of days")
                })?;
                crate::retention::Policy::DeleteAfter { days }
            }
            _ => {
                return Err(ApiError::bad(
                    "invalid",
                    "policy",
                    "give {\"policy\": \"default\"} or {\"policy\": \"custom\", \"days\": N, \"iUnderstand\": true}",
                ))
            }
        };
        let confirmed = v.get("iUnderstand").and_then(Value::as_bool) == Some(true);
        session.set_retention(policy, confirmed)?;
        Ok(policy_json(crate::retention::policy(&session.read())?))
    })
    .await
}
