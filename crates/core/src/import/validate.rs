//! Checking and normalising one customer document before it is written,
//! so the insert cannot fail half-way on bad data.

use std::collections::HashSet;

use base64::Engine;
use serde_json::Value;

use super::{limit, size, Limits, MAX_ID_BYTES};
use crate::clock;
use crate::format::*;
use crate::phone;

type Check = std::result::Result<(), String>;

pub(super) struct Checker<'a> {
    pub(super) limits: &'a Limits,
    /// The account's region for national phone numbers, when a
    /// document's own addresses name no country.
    pub(super) region: Option<&'a str>,
}

impl Checker<'_> {
    pub(super) fn customer(&self, doc: &mut CustomerDoc) -> Check {
        id("customer", &doc.id)?;
        let who = format!("customer {}", doc.id);
        self.opt_text(&who, "name", &doc.name)?;
        for e in &mut doc.emails {
            self.required_text(&who, "email", &e.original)?;
            e.normalized = Some(e.original.trim().to_lowercase());
        }
        for p in &mut doc.phones {
            self.required_text(&who, "phone", &p.original)?;
            self.opt_text(&who, "phone type", &p.kind)?;
            // A normalized number from the platform wins: it knows the
            // country of a national number, the original text may not say.
            // A national number is read in the customer's country (their
            // first address's), else the account's region.
            let region = doc
                .addresses
                .iter()
                .find_map(|a| a.country.as_deref().map(str::trim))
                .filter(|c| crate::pii::phone::is_region(c))
                .or(self.region);
            p.normalized = p
                .normalized
                .as_deref()
                .and_then(phone::to_e164)
                .or_else(|| phone::to_e164_in(&p.original, region));
        }
        for a in &doc.addresses {
            for (field, value) in [
                ("address type", &a.kind),
                ("address line1", &a.line1),
                ("address line2", &a.line2),
                ("address city", &a.city),
                ("address region", &a.region),
                ("address postalCode", &a.postal_code),
                ("address country", &a.country),
            ] {
                self.opt_text(&who, field, value)?;
            }
        }
        self.opt_text(&who, "externalCustomerId", &doc.external_customer_id)?;
        self.json(&who, "externalCustomerIds", &doc.external_customer_ids)?;
        self.json(&who, "customAttributes", &doc.custom_attributes)?;
        date(&who, "createdAt", &doc.created_at)?;
        opt_date(&who, "updatedAt", &doc.updated_at)?;
        opt_date(&who, "deletedAt", &doc.deleted_at)?;
        doc.last_contact_at = None;
        // A deleted profile that still carries personal data would make the
        // database claim an erasure that did not happen.
        if doc.deleted_at.is_some()
            && (doc.name.is_some()
                || !doc.emails.is_empty()
                || !doc.phones.is_empty()
                || !doc.addresses.is_empty())
        {
            return Err(format!(
                "{who} is deleted (deletedAt) but still has a name, email, phone or address"
            ));
        }
        match (&doc.deletion_reason, &doc.deleted_at) {
            (Some(r), _) if r != "manual" && r != "retention" => {
                return Err(format!(
                    "{who} deletionReason \"{r}\" is not one of manual, retention"
                ))
            }
            (Some(_), None) => {
                return Err(format!("{who} has a deletionReason but no deletedAt"));
            }
            _ => {}
        }
        for conv in &mut doc.conversations {
            self.conversation(conv)?;
        }
        for o in &doc.orders {
            id("order", &o.id)?;
            let what = format!("order {}", o.id);
            date(&what, "placedAt", &o.placed_at)?;
            for (field, value) in [
                ("source", &o.source),
                ("number", &o.number),
                ("status", &o.status),
                ("currency", &o.currency),
            ] {
                self.opt_text(&what, field, value)?;
            }
            self.value(&what, "details", &o.details)?;
        }
        let mut apps = HashSet::new();
        for a in &doc.app_data {
            if a.app.trim().is_empty() {
                return Err(format!("{who} has an appData entry with an empty app name"));
            }
            let what = format!("appData {}", a.app);
            self.required_text(&who, "appData app", &a.app)?;
            if !apps.insert(a.app.as_str()) {
                return Err(format!("{who} has two appData entries for app {}", a.app));
            }
            date(&what, "updatedAt", &a.updated_at)?;
            self.value(&what, "payload", &a.payload)?;
        }
        Ok(())
    }

    fn conversation(&self, conv: &mut ConversationDoc) -> Check {
        id("conversation", &conv.id)?;
        let what = format!("conversation {}", conv.id);
        self.opt_text(&what, "topic", &conv.topic)?;
        self.opt_text(&what, "channel", &conv.channel)?;
        self.opt_text(&what, "agentId", &conv.agent_id)?;
        date(&what, "createdAt", &conv.created_at)?;
        opt_date(&what, "updatedAt", &conv.updated_at)?;
        opt_date(&what, "closedAt", &conv.closed_at)?;
        opt_date(&what, "deletedAt", &conv.deleted_at)?;
        for item in &mut conv.items {
            self.item(item)?;
        }
        for w in &conv.work_sessions {
            id("work session", &w.id)?;
            let what = format!("work session {}", w.id);
            self.required_text(&what, "agentId", &w.agent_id)?;
            date(&what, "startedAt", &w.started_at)?;
            opt_date(&what, "endedAt", &w.ended_at)?;
        }
        Ok(())
    }

    fn item(&self, item: &mut ItemDoc) -> Check {
        id("item", &item.id)?;
        let what = format!("item {}", item.id);
        date(&what, "timestamp", &item.timestamp)?;
        opt_date(&what, "deletedAt", &item.deleted_at)?;
        self.opt_text(&what, "initiator id", &item.initiator.id)?;
        let c = &mut item.content;
        if item.deleted_at.is_some()
            && (c.content.is_some() || c.subject.is_some() || c.from.is_some() || c.to.is_some())
        {
            return Err(format!(
                "{what} is deleted (deletedAt) but still has content, subject, from or to"
            ));
        }
        let kind = c.kind.as_str();
        self.opt_text(&what, "subject", &c.subject)?;
        self.opt_text(&what, "from", &c.from)?;
        for to in c.to.iter().flatten() {
            self.required_text(&what, "to address", to)?;
        }
        self.opt_text(&what, "content", &c.content)?;
        self.opt_text(&what, "threadId", &c.thread_id)?;
        self.json(&what, "content extra fields", &c.extra)?;
        let is_call = c.kind.has_recording();
        if c.recording.is_some() && !is_call {
            return Err(format!(
                "{what} is {kind} but has a recording; only PHONE_CALL and VOICEMAIL items have recordings"
            ));
        }
        if let Some(d) = c.duration {
            if !is_call {
                return Err(format!(
                    "{what} is {kind} but has a duration; only PHONE_CALL and VOICEMAIL items have one"
                ));
            }
            if d < 0 {
                return Err(format!("{what} duration {d} is negative"));
            }
        }
        if c.thread_id.is_some() && c.kind != ContentType::Email {
            return Err(format!(
                "{what} is {kind} but has a threadId; only EMAIL items belong to threads"
            ));
        }
        if c.subject.is_some()
            && !matches!(c.kind, ContentType::Email | ContentType::CustomerActivity)
        {
            return Err(format!(
                "{what} is {kind} but has a subject; only EMAIL and CUSTOMER_ACTIVITY items have one"
            ));
        }
        for a in &mut c.attachments {
            id("attachment", &a.id)?;
            let what = format!("attachment {}", a.id);
            self.opt_text(&what, "filename", &a.filename)?;
            self.opt_text(&what, "contentType", &a.content_type)?;
            opt_date(&what, "deletedAt", &a.deleted_at)?;
            deleted_without_data(&what, &a.deleted_at, &a.data)?;
            self.binary(&what, a.file_size, &mut a.data)?;
        }
        if let Some(r) = &mut c.recording {
            id("recording", &r.id)?;
            let what = format!("recording {}", r.id);
            self.opt_text(&what, "contentType", &r.content_type)?;
            opt_date(&what, "deletedAt", &r.deleted_at)?;
            if r.duration_seconds.is_some_and(|d| d < 0) {
                return Err(format!("{what} durationSeconds is negative"));
            }
            deleted_without_data(&what, &r.deleted_at, &r.data)?;
            self.binary(&what, r.file_size, &mut r.data)?;
        }
        Ok(())
    }

    fn required_text(&self, what: &str, field: &str, value: &str) -> Check {
        if value.trim().is_empty() {
            return Err(format!("{what} has an empty {field}"));
        }
        self.text(what, field, value.len())
    }

    fn opt_text(&self, what: &str, field: &str, value: &Option<String>) -> Check {
        match value {
            Some(v) => self.text(what, field, v.len()),
            None => Ok(()),
        }
    }

    fn text(&self, what: &str, field: &str, len: usize) -> Check {
        if len > self.limits.text_bytes {
            return Err(format!(
                "{what} {field} is {}; the limit is {} per text field",
                size(len),
                limit(self.limits.text_bytes)
            ));
        }
        Ok(())
    }

    fn json(&self, what: &str, field: &str, map: &serde_json::Map<String, Value>) -> Check {
        if map.is_empty() {
            return Ok(());
        }
        self.value(what, field, &Value::Object(map.clone()))
    }

    fn value(&self, what: &str, field: &str, v: &Value) -> Check {
        if v.is_null() {
            return Ok(());
        }
        self.text(what, field, v.to_string().len())
    }

    /// Checks the base64 `data` decodes, fits the limit and matches
    /// `fileSize`. Line breaks and spaces (MIME style) are removed.
    fn binary(&self, what: &str, file_size: i64, data: &mut Option<String>) -> Check {
        if file_size < 0 {
            return Err(format!("{what} fileSize {file_size} is negative"));
        }
        let Some(data) = data else {
            return Ok(());
        };
        // Decoded size before decoding, so a huge field is refused cheaply.
        let approx = data.len() / 4 * 3;
        if approx > self.limits.binary_bytes + 3 {
            return Err(format!(
                "{what} data is {}; the limit is {} per file",
                size(approx),
                limit(self.limits.binary_bytes)
            ));
        }
        if data.bytes().any(|b| b.is_ascii_whitespace()) {
            *data = data.split_ascii_whitespace().collect();
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.as_bytes())
            .map_err(|e| {
                let e = e.to_string();
                format!(
                    "{what} data is not valid base64 ({}); use the standard alphabet with padding",
                    e.trim_end_matches('.')
                )
            })?;
        if bytes.len() > self.limits.binary_bytes {
            return Err(format!(
                "{what} data is {}; the limit is {} per file",
                size(bytes.len()),
                limit(self.limits.binary_bytes)
            ));
        }
        if bytes.len() as i64 != file_size {
            return Err(format!(
                "{what} fileSize is {file_size} but its data is {} bytes",
                bytes.len()
            ));
        }
        Ok(())
    }
}

fn id(noun: &str, id: &str) -> Check {
    if id.trim().is_empty() {
        return Err(format!("a {noun} has an empty id"));
    }
    if id.len() > MAX_ID_BYTES {
        return Err(format!(
            "a {noun} id is {} bytes long; the limit is {MAX_ID_BYTES}",
            id.len()
        ));
    }
    if id.chars().any(char::is_control) {
        return Err(format!("{noun} id {id:?} contains control characters"));
    }
    Ok(())
}

fn deleted_without_data(what: &str, deleted_at: &Option<String>, data: &Option<String>) -> Check {
    if deleted_at.is_some() && data.is_some() {
        return Err(format!("{what} is deleted (deletedAt) but still has data"));
    }
    Ok(())
}

fn date(what: &str, field: &str, value: &str) -> Check {
    match clock::parse(value) {
        Some(_) => Ok(()),
        None => Err(format!(
            "{what} {field} \"{value}\" is not a date; use RFC 3339 such as 2024-07-11T18:52:01Z"
        )),
    }
}

fn opt_date(what: &str, field: &str, value: &Option<String>) -> Check {
    match value {
        Some(v) => date(what, field, v),
        None => Ok(()),
    }
}
