//! Deleting one Customer Profile, and its receipt.

use super::*;

/// What deleting a profile would remove and keep, for the confirm dialog
/// and `--dry-run`. `blocked_by` names the first OPEN or WAITING
/// conversation, which makes deletion impossible.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfilePreview {
    pub customer_id: String,
    /// Shown so the admin can type it to confirm; never stored or logged.
    pub name: Option<String>,
    /// (kind, count) of what goes: emails, phones, addresses, items,
    /// attachments, recordings, orders, app data... Kinds with nothing to
    /// remove are left out.
    pub removes: Vec<(String, i64)>,
    /// Lines describing what is kept for reporting.
    pub keeps: Vec<String>,
    pub blocked_by: Option<(String, String)>,
}

impl ProfilePreview {
    /// `1 name, 2 emails, 1 phone, 14 items` — counts only, no PII.
    pub fn removes_line(&self) -> String {
        if self.removes.is_empty() {
            return "no personal data".into();
        }
        self.removes
            .iter()
            .map(|(k, n)| {
                let (one, many) = match k.as_str() {
                    "addresses" => ("address", "addresses"),
                    "external_ids" => ("external ID", "external IDs"),
                    "custom_attributes" => ("custom attribute", "custom attributes"),
                    "app_data" => ("app data record", "app data records"),
                    other => (other.trim_end_matches('s'), other),
                };
                plural(*n as usize, one, many)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The erasure receipt: proof of what was removed and how, with no PII
/// (IDs, counts, versions and the verification's numbers only).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Receipt {
    pub customer_id: String,
    pub operator: String,
    pub deleted_at: String,
    pub reason: Reason,
    /// Counts by kind: name, emails, phones, addresses, external_ids,
    /// custom_attributes, items (content), attachments, recordings, orders,
    /// app_data, search_keys, pii_findings.
    pub removed: Removed,
    pub method: Vec<String>,
    pub lethe_version: String,
    pub sqlite_version: String,
    pub checkpoint: Checkpoint,
    /// The byte scan of the database files for the profile's values, read
    /// before the deletion. `values_found` counts only values no live record
    /// explains; it must be 0. `None` when verification was skipped, or ran
    /// once for a whole bulk run (see `BulkResult`).
    #[serde(default)]
    pub verification: Option<Scan>,
    /// Values the scan found that live records of other profiles also
    /// hold (a common name, a template sentence, the same attachment), so
    /// their presence is no remnant of this one.
    #[serde(default)]
    pub values_held_elsewhere: usize,
    /// The audit trail's head right after the entry that records this
    /// deletion: `lethe audit verify --head HASH` (or `--receipt FILE`)
    /// later proves that no entry up to it has been removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_head: Option<audit::Head>,
    /// The catalogued backups taken while the profile existed that have
    /// not been pruned: they still hold it until the date each goes
    /// beyond use, and a restore from any of them erases it again.
    #[serde(default)]
    pub backups: Vec<crate::backup::Holding>,
    /// Set when the erasure ledger file could not be brought up to date
    /// (the erasure itself was made and is in the database's ledger).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_warning: Option<String>,
}

pub(super) fn method(verified: bool) -> Vec<String> {
    let mut m: Vec<String> = [
        "single_transaction",
        "secure_delete",
        "search_key_purge",
        "pii_findings_purge",
        "wal_checkpoint_truncate",
    ]
    .map(String::from)
    .to_vec();
    if verified {
        m.push("forensic_scan".into());
    }
    m
}

/// What a profile deletion would do. Changes nothing.
pub fn preview_profile(store: &Store, customer_id: &str) -> Result<ProfilePreview> {
    let conn = &store.read();
    let row = db::customer(conn, customer_id)?.ok_or_else(|| Error::NotFound {
        what: "customer",
        id: customer_id.to_string(),
    })?;
    if let Some(at) = row.deleted_at {
        return Err(already_deleted("customer", customer_id, at));
    }
    let c = db::profile_counts(conn, customer_id)?;
    let mut removes: Vec<(String, i64)> = vec![];
    if row.name.is_some() {
        removes.push(("name".into(), 1));
    }
    for (kind, n) in [
        ("emails", c.emails),
        ("phones", c.phones),
        ("addresses", c.addresses),
        ("external_ids", c.external_ids),
        ("custom_attributes", c.custom_attributes),
        ("items", c.items),
        ("attachments", c.attachments),
        ("recordings", c.recordings),
        ("orders", c.orders),
        ("app_data", c.app_data),
    ] {
        if n > 0 {
            removes.push((kind.into(), n));
        }
    }
    let keeps = vec![
        format!("customer ID {}", row.id),
        format!(
            "{} (IDs, statuses, topics, channels, agents and dates)",
            plural(c.conversations as usize, "conversation", "conversations")
        ),
        format!(
            "{} as tombstones (IDs, types, timestamps and initiators)",
            plural(c.items as usize, "item", "items")
        ),
        plural(c.work_sessions as usize, "work session", "work sessions"),
    ];
    Ok(ProfilePreview {
        customer_id: row.id,
        name: row.name,
        removes,
        keeps,
        blocked_by: db::blocking_conversation(conn, customer_id)?,
    })
}

/// How one profile fared inside a deletion transaction.
pub(super) enum Erased {
    Done(Removed),
    Blocked {
        conversation_id: String,
        status: String,
    },
    NotFound,
    AlreadyDeleted(Millis),
}

/// A named point where a debug build can be made to abort, to test that a
/// crash mid-transaction leaves the profile whole.
pub(super) fn crash_point(_name: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("LETHE_TEST_CRASH_AFTER").as_deref() == Ok(_name) {
        std::process::abort();
    }
}

/// Who erases a profile, why, and at what time: what its row, its audit
/// entry and its receipt record.
#[derive(Debug, Clone, Copy)]
pub(super) struct By<'a> {
    pub operator: &'a str,
    pub reason: Reason,
    pub now: Millis,
}

/// How `delete_profile_with` erases: why, at what time, and how it
/// verifies the files afterwards.
#[derive(Debug, Clone, Copy)]
pub struct ProfileErasure {
    pub reason: Reason,
    pub now: Millis,
    pub verify: Verify,
}

/// Wipes one profile, read from its row in the caller's transaction, and
/// audits it there.
pub(super) fn erase_one(
    conn: &Write,
    by: By,
    row: &db::CustomerRow,
    held: Option<&mut Vec<Held>>,
    audit_each: bool,
) -> Result<Erased> {
    let By {
        operator,
        reason,
        now,
    } = by;
    let customer_id = row.id.as_str();
    if let Some(at) = row.deleted_at {
        return Ok(Erased::AlreadyDeleted(at));
    }
    if let Some((conversation_id, status)) = db::blocking_conversation(conn, customer_id)? {
        return Ok(Erased::Blocked {
            conversation_id,
            status,
        });
    }
    if let Some(held) = held {
        db::profile_values(conn, customer_id, held)?;
    }
    let removed = db::wipe_profile(conn, row, reason.as_str(), now)?;
    crate::ledger::append(
        conn,
        crate::ledger::Erasure {
            kind: crate::ledger::Kind::Profile,
            id: customer_id,
            customer_id,
            reason: reason.as_str(),
            at: now,
        },
    )?;
    crash_point("erase-profile-rows");
    if audit_each {
        let mut entry = Entry::new(operator, crate::audit::DELETE_PROFILE).target(customer_id);
        for (k, n) in removed.iter().filter(|(_, n)| *n > 0) {
            entry = entry.count(k, n);
        }
        audit::append_at(conn, &entry, now)?;
    }
    Ok(Erased::Done(removed))
}

pub(super) fn receipt(
    by: By,
    customer_id: &str,
    removed: Removed,
    checkpoint: Checkpoint,
    verified: bool,
) -> Receipt {
    Receipt {
        customer_id: customer_id.to_string(),
        operator: by.operator.to_string(),
        deleted_at: clock::format_ms(by.now),
        reason: by.reason,
        removed,
        method: method(verified),
        lethe_version: env!("CARGO_PKG_VERSION").to_string(),
        sqlite_version: Store::sqlite_version().to_string(),
        checkpoint,
        verification: None,
        values_held_elsewhere: 0,
        audit_head: None,
        backups: Vec::new(),
        ledger_warning: None,
    }
}

/// Deletes a whole Customer Profile in one transaction, keeping the non-PII
/// skeleton for reports, and verifies the files afterwards.
///
/// Guarantees: a crash leaves the profile either whole or fully erased;
/// after this returns Ok (with `checkpoint.completed`), no byte of the
/// profile's PII remains in the database files and search finds no trace
/// of it. Refused with `Error::OpenConversation` while a conversation is
/// OPEN or WAITING, with `Error::NotPermitted` unless the actor may delete,
/// `Error::NotFound` for an unknown ID; nothing changes then.
pub fn delete_profile(
    store: &mut Store,
    actor: &Actor,
    customer_id: &str,
    reason: Reason,
    now: Millis,
) -> Result<Receipt> {
    let how = ProfileErasure {
        reason,
        now,
        verify: Verify::Full,
    };
    delete_profile_with(store, actor, customer_id, how)
}

/// `delete_profile` with a choice of verification.
pub fn delete_profile_with(
    store: &mut Store,
    actor: &Actor,
    customer_id: &str,
    how: ProfileErasure,
) -> Result<Receipt> {
    let ProfileErasure {
        reason,
        now,
        verify,
    } = how;
    let by = By {
        operator: &actor.username,
        reason,
        now,
    };
    access::require(
        store,
        actor,
        Permission::Delete,
        crate::audit::DELETE_PROFILE,
    )?;
    let mut held = Vec::new();
    let gather = (verify != Verify::Skip).then_some(&mut held);
    let (erased, head) = store.write(|conn| {
        let Some(row) = db::customer(conn, customer_id)? else {
            return Ok((Erased::NotFound, None));
        };
        let erased = erase_one(conn, by, &row, gather, true)?;
        Ok((erased, audit::head(conn)?))
    })?;
    let removed = match erased {
        Erased::Done(removed) => removed,
        Erased::NotFound => {
            return Err(Error::NotFound {
                what: "customer",
                id: customer_id.to_string(),
            })
        }
        Erased::AlreadyDeleted(at) => return Err(already_deleted("customer", customer_id, at)),
        Erased::Blocked {
            conversation_id,
            status,
        } => {
            return Err(Error::OpenConversation {
                customer_id: customer_id.to_string(),
                conversation_id,
                status,
            })
        }
    };
    let checkpoint = store.checkpoint_truncate()?;
    let mut r = receipt(by, customer_id, removed, checkpoint, verify != Verify::Skip);
    r.audit_head = head;
    r.ledger_warning = ledger::mirror_warning(store);
    r.backups = crate::backup::holding(store, customer_id)?;
    if verify != Verify::Skip {
        let (scan, elsewhere) = verify_gone(store, &needles_of(held), verify)?;
        r.verification = scan;
        r.values_held_elsewhere = elsewhere;
    }
    Ok(r)
}
