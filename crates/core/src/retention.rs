//! The platform-level retention policy: keep everything (the default), or
//! delete every Customer Profile N days after its last Contact (N >= 365).
//!
//! The boundary: a profile is due when `last Contact + N days <= now`, i.e.
//! on the instant N whole days have passed. One millisecond less and it is
//! kept. "Last Contact" ignores app activity, notes and status or topic
//! changes (`ContentType::is_contact`); a profile without any Contact counts
//! from its creation.
//!
//! The sweep deletes through the same erase path as a manual deletion, one
//! profile per transaction, so a killed sweep leaves every profile either
//! whole or erased and the next run simply carries on.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use crate::access::{self, Actor, Permission};
use crate::audit::{self, Entry, Outcome};
use crate::clock::{Millis, DAY_MS};
use crate::erase::{self, BulkOptions, BulkOutcome, Verify};
use crate::error::{Error, Result};
use crate::store::{self, retention as db, Read, Store};

pub const MIN_DAYS: i64 = 365;
/// The words the admin confirms a custom policy with, as the platform asks.
pub const CONFIRMATION: &str = "I understand, use custom settings";
const SETTING: &str = "retention_days";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "policy", rename_all = "snake_case")]
pub enum Policy {
    /// Use Default Settings: all data is retained, nothing is deleted.
    RetainForever,
    /// Use Custom Settings: delete a profile `days` after its last Contact.
    DeleteAfter { days: i64 },
}

impl Policy {
    pub fn days(self) -> Option<i64> {
        match self {
            Policy::RetainForever => None,
            Policy::DeleteAfter { days } => Some(days),
        }
    }

    pub fn describe(self) -> String {
        match self {
            Policy::RetainForever => {
                "Default: retain all customer data; nothing is deleted automatically".into()
            }
            Policy::DeleteAfter { days } => {
                format!("Custom: delete a customer profile {days} days after its last Contact")
            }
        }
    }
}

/// Reads a day count typed by a person, with the reason when it is not
/// acceptable. Used for validation as you type and by the CLI.
pub fn parse_days(text: &str) -> std::result::Result<i64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("enter a number of days (at least 365)".into());
    }
    let days: i64 = t
        .parse()
        .map_err(|_| format!("\"{t}\" is not a whole number of days"))?;
    if days < MIN_DAYS {
        return Err(format!(
            "{days} days is too short: the minimum is {MIN_DAYS} days"
        ));
    }
    if days > 36_500 {
        return Err(format!(
            "{days} days is over 100 years; use the default policy to keep everything"
        ));
    }
    Ok(days)
}

pub fn policy(conn: &Read) -> Result<Policy> {
    Ok(
        match store::get_setting(conn, SETTING)?.and_then(|v| v.parse().ok()) {
            Some(days) => Policy::DeleteAfter { days },
            None => Policy::RetainForever,
        },
    )
}

/// Changes the policy. A custom policy needs `confirmed` (the admin chose
/// "I understand, use custom settings") and at least 365 days. The change
/// is audited with the old and new values (0 days stands for the default).
/// Returns the previous policy.
pub fn set_policy(
    store: &mut Store,
    actor: &Actor,
    new: Policy,
    confirmed: bool,
) -> Result<Policy> {
    set_policy_at(store, actor, new, confirmed, crate::clock::now_ms())
}

/// `set_policy`, recorded at `now`.
pub fn set_policy_at(
    store: &mut Store,
    actor: &Actor,
    new: Policy,
    confirmed: bool,
    now: Millis,
) -> Result<Policy> {
    access::require(
        store,
        actor,
        Permission::ChangeRetention,
        audit::RETENTION_SET,
    )?;
    if let Policy::DeleteAfter { days } = new {
        if days < MIN_DAYS {
            return Err(Error::RetentionTooShort { days });
        }
        parse_days(&days.to_string()).map_err(Error::Invalid)?;
        if !confirmed {
            return Err(Error::NotConfirmed(format!(
                "a custom retention policy deletes customer profiles automatically, and deleted \
                 profiles can't be recovered; confirm with \"{CONFIRMATION}\" (--i-understand on \
                 the command line)"
            )));
        }
    }
    let username = actor.username.clone();
    store.write(|conn| {
        let old = policy(conn)?;
        match new {
            Policy::RetainForever => store::delete_setting(conn, SETTING)?,
            Policy::DeleteAfter { days } => store::set_setting(conn, SETTING, &days.to_string())?,
        }
        audit::append_at(
            conn,
            &Entry::new(&username, audit::RETENTION_SET)
                .count("old_days", old.days().unwrap_or(0))
                .count("new_days", new.days().unwrap_or(0)),
            now,
        )?;
        Ok(old)
    })
}

/// What a policy of `days` would do, as of `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Preview {
    pub days: i64,
    /// Profiles whose last Contact is at or before this instant are due.
    pub cutoff: Millis,
    /// Due now and deletable.
    pub due_now: i64,
    /// Due now but kept while an OPEN or WAITING conversation exists.
    pub blocked: i64,
    /// Not yet due, but due within the next 30 / 90 days.
    pub next_30_days: i64,
    pub next_90_days: i64,
}

pub fn cutoff(days: i64, now: Millis) -> Millis {
    now - days * DAY_MS
}

pub fn preview(conn: &Read, days: i64, now: Millis) -> Result<Preview> {
    let cut = cutoff(days, now);
    let (due_now, blocked) = db::count_overdue(conn, cut)?;
    Ok(Preview {
        days,
        cutoff: cut,
        due_now,
        blocked,
        next_30_days: db::count_between(conn, cut, cut + 30 * DAY_MS)?,
        next_90_days: db::count_between(conn, cut, cut + 90 * DAY_MS)?,
    })
}

/// Progress of a running sweep, for a gauge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    pub deleted: u64,
    pub blocked: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Blocked {
    pub customer_id: String,
    pub conversation_id: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepReport {
    pub dry_run: bool,
    pub days: i64,
    pub cutoff: String,
    pub deleted: u64,
    /// In a dry run: the profiles that would be deleted.
    pub would_delete: Vec<String>,
    pub blocked: Vec<Blocked>,
    pub failed: Vec<(String, String)>,
    pub cancelled: bool,
    pub checkpoint_completed: bool,
    pub verification: Option<store::forensic::Scan>,
    /// Set when the erasure ledger file could not be brought up to date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger_warning: Option<String>,
}

/// Held while a sweep runs: an exclusive lock on `<db>.retention-lock`.
/// The operating system releases it when the process ends, killed or not.
pub struct SweepLock {
    _file: File,
    pub path: PathBuf,
}

impl SweepLock {
    pub fn acquire(db: &Path) -> Result<SweepLock> {
        let mut name = db.as_os_str().to_owned();
        name.push(".retention-lock");
        let path = PathBuf::from(name);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(SweepLock { _file: file, path }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Busy(format!(
                "another retention sweep is already running on this database (it holds {}); \
                 it continues on its own, so try again after it finishes",
                path.display()
            ))),
            Err(std::fs::TryLockError::Error(e)) => Err(Error::Io(e)),
        }
    }
}

pub struct SweepOptions {
    pub dry_run: bool,
    /// Profiles per erase batch; cancellation is checked between profiles.
    pub batch: usize,
    pub verify: Verify,
}

/// What follows a sweep while it runs: its progress, and the flag that
/// stops it between profiles.
pub struct Watch<'a> {
    pub progress: &'a mut dyn FnMut(Progress),
    pub cancel: &'a AtomicBool,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            dry_run: false,
            batch: 2000,
            verify: Verify::Full,
        }
    }
}

/// The newest retention run, if any ran.
pub fn last_run(conn: &Read) -> Result<Option<store::retention::Run>> {
    db::last_run(conn)
}

/// Deletes every profile that is due under the current policy, through the
/// same erase path as a manual deletion. Profiles with open work are
/// skipped and reported. Stops between profiles when `cancel` is set.
/// Only one sweep runs per database at a time.
pub fn sweep(
    store: &mut Store,
    actor: &Actor,
    now: Millis,
    opts: &SweepOptions,
    watch: Watch,
) -> Result<SweepReport> {
    let Watch { progress, cancel } = watch;
    let Policy::DeleteAfter { days } = policy(&store.read())? else {
        return Err(Error::InvalidState(
            "the retention policy is the default (keep everything), so there is nothing to sweep; \
             set one with `lethe retention set --days N --i-understand`"
                .into(),
        ));
    };
    if !opts.dry_run {
        access::require(store, actor, Permission::Delete, audit::RETENTION_SWEEP)?;
    }
    let _lock = match store.path() {
        Some(p) if !opts.dry_run => Some(SweepLock::acquire(p)?),
        _ => None,
    };
    // The sweep acts as of `now`; it finishes `now` plus however long it
    // ran, so the run's finish time is true on any clock.
    let started = std::time::Instant::now();
    let cut = cutoff(days, now);
    let rows = db::overdue_rows(&store.read(), cut)?;
    let mut report = SweepReport {
        dry_run: opts.dry_run,
        days,
        cutoff: crate::clock::format_ms(cut),
        deleted: 0,
        would_delete: vec![],
        blocked: vec![],
        failed: vec![],
        cancelled: false,
        checkpoint_completed: true,
        verification: None,
        ledger_warning: None,
    };
    let mut p = Progress {
        total: rows.len() as u64,
        ..Progress::default()
    };
    progress(p);
    if opts.dry_run {
        // A profile deleted or contacted since its row was listed is no
        // longer due and is left out.
        for rowid in rows {
            let Some((row, true)) = db::due_at(&store.read(), rowid, cut)? else {
                p.total -= 1;
                continue;
            };
            let customer_id = row.id;
            // The same rule as the erasure's: OPEN first, then the oldest.
            match store::erase::blocking_conversation(&store.read(), &customer_id)? {
                Some((conversation_id, status)) => {
                    p.blocked += 1;
                    report.blocked.push(Blocked {
                        customer_id,
                        conversation_id,
                        status,
                    });
                }
                None => report.would_delete.push(customer_id),
            }
            p.done += 1;
        }
        progress(p);
        return Ok(report);
    }
    let run = store.write(|tx| db::begin_run(tx, &actor.username, days, cut, now))?;
    let bulk = BulkOptions {
        verify: opts.verify,
        batch_size: opts.batch.max(1),
    };
    // Each profile is read and checked in the transaction that erases it,
    // so one contacted or deleted since the listing is left alone (and
    // drops out of the total), and one whose conversation opened since is
    // reported as blocked.
    let listed = p.total;
    let mut not_due = 0;
    let mut on_batch = |b: &erase::BulkProgress| {
        for (_, outcome) in b.outcomes {
            match outcome {
                BulkOutcome::Deleted => p.deleted += 1,
                BulkOutcome::Blocked { .. } => p.blocked += 1,
                BulkOutcome::NotDue | BulkOutcome::NotFound => not_due += 1,
                _ => {}
            }
        }
        p.total = listed - not_due;
        p.done = b.done as u64 - not_due;
        progress(p);
    };
    // The due profiles are spread over the whole file: reading their pages
    // through a memory map saves the kernel copying each one out (a fifth of
    // a sweep's kernel time; docs/PERFORMANCE.md). A disk
    // read error on a mapped page stops the process instead of failing the
    // batch; the batch then rolls back and the next run resumes it.
    let mapped = crate::store::bulk::begin_mapped_reads(&store.read())?;
    let erasure = erase::Bulk {
        actor,
        reason: erase::Reason::Retention,
        now,
        options: bulk,
        cancel: Some(cancel),
    };
    let result = erase::delete_overdue(store, &erasure, &rows, cut, &mut on_batch);
    crate::store::bulk::end_mapped_reads(&store.read(), mapped)?;
    let result = result?;
    for (id, outcome) in result.outcomes {
        match outcome {
            BulkOutcome::Deleted => report.deleted += 1,
            BulkOutcome::Blocked {
                conversation_id,
                status,
            } => report.blocked.push(Blocked {
                customer_id: id,
                conversation_id,
                status,
            }),
            BulkOutcome::Failed(why) => report.failed.push((id, why)),
            BulkOutcome::NotFound | BulkOutcome::AlreadyDeleted { .. } | BulkOutcome::NotDue => {}
        }
    }
    report.cancelled = result.cancelled;
    report.checkpoint_completed = result.checkpoint_completed;
    report.ledger_warning = result.ledger_warning.clone();
    report.verification = result.verification;
    let state = if report.cancelled {
        "cancelled"
    } else {
        "completed"
    };
    store.write(|tx| {
        db::update_run(tx, run, report.deleted as i64, report.blocked.len() as i64)?;
        let ran = Millis::try_from(started.elapsed().as_millis()).unwrap_or(Millis::MAX);
        db::finish_run(tx, run, state, now.saturating_add(ran))
    })?;
    let outcome = if report.cancelled || !report.failed.is_empty() {
        Outcome::Partial
    } else {
        Outcome::Ok
    };
    audit::record_at(
        store,
        &Entry::new(&actor.username, audit::RETENTION_SWEEP)
            .count("days", days)
            .count("deleted", report.deleted as i64)
            .count("blocked", report.blocked.len() as i64)
            .count("failed", report.failed.len() as i64)
            .outcome(outcome),
        now,
    )?;
    Ok(report)
}
