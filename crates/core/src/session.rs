//! The one way in for a front end. A `Session` holds the store, the
//! operator acting and the clock every timestamp comes from; the command
//! line and the console act through it, so every change carries the same
//! operator and the same kind of time, and a test pins the clock in one
//! place.
//!
//! Reads go through [`Session::read`] (a `Read` handle, for the core's
//! reading functions); changes go through the methods here, each of which
//! checks the operator's permission in the core and audits what it did.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::access::{self, Actor, Role, RoleChange, SwitchChange};
use crate::clock::Millis;
use crate::erase::{self, BulkOptions, BulkProgress, BulkResult, ItemDeletion, ItemTarget};
use crate::erase::{ProfileErasure, Reason, Receipt, Verify};
use crate::error::Result;
use crate::format::CustomerDoc;
use crate::import::{ImportOptions, ImportReport};
use crate::pii::Kind;
use crate::requests::{self, NewRequest, Request, RunOutcome, RunTarget};
use crate::retention::{self, Policy, SweepOptions, SweepReport, Watch};
use crate::store::{Read, Store};
use crate::timeline::BlobRef;
use crate::triage::{self, Dismissal, Progress, Redaction, ScanSummary};

/// Where a session's times come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The system clock, or `LETHE_NOW` when it is set (end-to-end tests,
    /// reproducible demos).
    Wall,
    /// Always this time (unit tests, benchmarks).
    Fixed(Millis),
}

impl Clock {
    pub fn now(self) -> Millis {
        match self {
            Clock::Wall => crate::clock::now_ms(),
            Clock::Fixed(at) => at,
        }
    }
}

/// How a bulk erasure runs: why, how, and what can stop it.
#[derive(Debug, Clone, Copy)]
pub struct BulkHow<'a> {
    pub reason: Reason,
    pub options: BulkOptions,
    pub cancel: Option<&'a std::sync::atomic::AtomicBool>,
}

/// See `Session::for_job`.
pub struct JobSession {
    actor: Actor,
    clock: Clock,
}

impl JobSession {
    pub fn on(self, store: Store) -> Session {
        Session::new(store, self.actor, self.clock)
    }
}

pub struct Session {
    store: Store,
    actor: Actor,
    clock: Clock,
}

impl Session {
    pub fn new(store: Store, actor: Actor, clock: Clock) -> Session {
        Session {
            store,
            actor,
            clock,
        }
    }

    /// A session on `store` as the OS user running Lethe (see
    /// `Actor::current`), on the wall clock.
    pub fn of(store: Store) -> Result<Session> {
        let actor = Actor::current(&store)?;
        Ok(Session::new(store, actor, Clock::Wall))
    }

    /// Opens the existing database at `path` (see `Session::of`).
    pub fn open(path: &Path) -> Result<Session> {
        Session::of(Store::open(path)?)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, for the few front-end jobs that are not a rule of the
    /// core (checkpoints, the console's background reader).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    pub fn into_store(self) -> Store {
        self.store
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Reads the operator's roles again (a console that stays open sees a
    /// grant or a revocation made beside it).
    pub fn refresh_actor(&mut self) -> Result<&Actor> {
        self.actor = Actor::resolve(&self.store.read(), &self.actor.username)?;
        Ok(&self.actor)
    }

    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Pins (or frees) the clock: tests and reproducible runs.
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// The time now, by this session's clock.
    pub fn now(&self) -> Millis {
        self.clock.now()
    }

    /// What a job on a thread of its own needs to act as this session, on
    /// a store it opens itself: the operator, and the time the job started.
    pub fn for_job(&self) -> JobSession {
        JobSession {
            actor: self.actor.clone(),
            clock: Clock::Fixed(self.now()),
        }
    }

    /// A view for the core's reading functions.
    pub fn read(&self) -> Read<'_> {
        self.store.read()
    }

    // ---- Erasure --------------------------------------------------------

    pub fn delete_item(&mut self, target: &ItemTarget, verify: Verify) -> Result<ItemDeletion> {
        let now = self.now();
        erase::delete_item_with(&mut self.store, &self.actor, target, now, verify)
    }

    pub fn delete_profile(&mut self, id: &str, reason: Reason, verify: Verify) -> Result<Receipt> {
        let how = ProfileErasure {
            reason,
            now: self.now(),
            verify,
        };
        erase::delete_profile_with(&mut self.store, &self.actor, id, how)
    }

    pub fn delete_profiles(
        &mut self,
        ids: &[String],
        how: BulkHow,
        progress: &mut dyn FnMut(&BulkProgress),
    ) -> Result<BulkResult> {
        let run = erase::Bulk {
            actor: &self.actor,
            reason: how.reason,
            now: self.now(),
            options: how.options,
            cancel: how.cancel,
        };
        erase::delete_profiles(&mut self.store, &run, ids, progress)
    }

    // ---- Retention ------------------------------------------------------

    pub fn set_retention(&mut self, policy: Policy, confirmed: bool) -> Result<Policy> {
        let now = self.now();
        retention::set_policy_at(&mut self.store, &self.actor, policy, confirmed, now)
    }

    pub fn retention_preview(&self, days: i64) -> Result<retention::Preview> {
        retention::preview(&self.store.read(), days, self.now())
    }

    pub fn sweep(&mut self, opts: &SweepOptions, watch: Watch) -> Result<SweepReport> {
        let now = self.now();
        retention::sweep(&mut self.store, &self.actor, now, opts, watch)
    }

    // ---- Requests -------------------------------------------------------

    pub fn add_requests(&mut self, new: Vec<NewRequest>) -> Result<Vec<i64>> {
        let now = self.now();
        requests::add_many_at(&mut self.store, &self.actor, new, now)
    }

    pub fn run_request(&mut self, id: i64, target: RunTarget) -> Result<RunOutcome> {
        let now = self.now();
        requests::run(&mut self.store, &self.actor, id, now, target)
    }

    pub fn extend_request(&mut self, id: i64, reason: &str) -> Result<Request> {
        let now = self.now();
        requests::extend(&mut self.store, &self.actor, id, reason, now)
    }

    pub fn reject_request(&mut self, id: i64) -> Result<Request> {
        let now = self.now();
        requests::reject(&mut self.store, &self.actor, id, now)
    }

    // ---- Triage ---------------------------------------------------------

    pub fn scan(&mut self, progress: &mut dyn Progress) -> Result<ScanSummary> {
        let now = self.now();
        triage::scan(&mut self.store, &self.actor, now, progress)
    }

    pub fn dismiss(&mut self, finding_id: i64) -> Result<Dismissal> {
        let now = self.now();
        triage::dismiss_at(&mut self.store, &self.actor, finding_id, now)
    }

    pub fn redact_item(&mut self, item_id: &str, kinds: Option<&[Kind]>) -> Result<Redaction> {
        let now = self.now();
        triage::redact_item(&mut self.store, &self.actor, item_id, kinds, now)
    }

    pub fn redact_finding_item(&mut self, finding_id: i64) -> Result<Redaction> {
        let now = self.now();
        triage::redact_finding_item_at(&mut self.store, &self.actor, finding_id, now)
    }

    // ---- Imports, exports and operators ---------------------------------

    /// Imports customer documents from `input` (see `import::import_reader`),
    /// with the session's operator in the audit entry and its time.
    pub fn import(&mut self, input: &mut dyn BufRead, skip_invalid: bool) -> Result<ImportReport> {
        let opts = ImportOptions {
            operator: self.actor.username.clone(),
            now: self.now(),
            phone_region: crate::store::get_setting(
                &self.store.read(),
                crate::triage::PHONE_REGION,
            )?,
            ..ImportOptions::new(skip_invalid)
        };
        crate::import::import_reader(&mut self.store, input, &opts)
    }

    pub fn export_customer(&mut self, id: &str, with_data: bool) -> Result<CustomerDoc> {
        let now = self.now();
        crate::export::customer_at(&mut self.store, &self.actor, id, with_data, now)
    }

    pub fn save_copy(&self, blob: &BlobRef, dir: &Path) -> Result<PathBuf> {
        crate::timeline::save_copy(&self.store, &self.actor, blob, dir, self.now())
    }

    pub fn grant(&mut self, username: &str, role: Role) -> Result<RoleChange> {
        let now = self.now();
        access::grant_at(&mut self.store, &self.actor, username, role, now)
    }

    pub fn revoke(&mut self, username: &str, role: Option<Role>) -> Result<RoleChange> {
        let now = self.now();
        access::revoke_at(&mut self.store, &self.actor, username, role, now)
    }

    pub fn set_manage_customer_data(&mut self, on: bool) -> Result<SwitchChange> {
        let now = self.now();
        access::set_manage_customer_data_at(&mut self.store, &self.actor, on, now)
    }

    /// A consistent copy of the database in `dir` (see `backup::create`).
    /// See `backup::create_as`.
    pub fn backup(
        &self,
        dir: &Path,
        options: crate::backup::CreateOptions,
    ) -> Result<crate::backup::Backup> {
        crate::backup::create_as(&self.store, &self.actor, dir, self.now(), options)
    }

    /// See `backup::prune_as`.
    pub fn prune_backups(&self) -> Result<crate::backup::Pruned> {
        crate::backup::prune_as(&self.store, &self.actor, self.now())
    }

    /// See `backup::list`.
    pub fn backups(&self) -> Result<Vec<crate::backup::Listed>> {
        crate::backup::list(&self.store, self.now())
    }

    /// See `backup::change_settings`.
    pub fn change_backup_settings(
        &self,
        change: &crate::backup::SettingsChange,
    ) -> Result<crate::backup::Settings> {
        crate::backup::change_settings(&self.store, &self.actor, change, self.now())
    }

    /// See `access::set_phone_region_at`.
    pub fn set_phone_region(&mut self, region: Option<&str>) -> Result<Option<String>> {
        let now = self.now();
        access::set_phone_region_at(&mut self.store, &self.actor, region, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every timestamp a session writes comes from its clock.
    #[test]
    fn a_fixed_clock_gives_every_timestamp() {
        let store = Store::open_in_memory().unwrap();
        assert!(access::bootstrap(&store, "alice").unwrap());
        let actor = Actor::resolve(&store.read(), "alice").unwrap();
        let at = crate::clock::parse("2030-05-06T07:08:09Z").unwrap();
        let mut s = Session::new(store, actor, Clock::Fixed(at));
        assert_eq!(s.now(), at);
        let ids = s
            .add_requests(vec![NewRequest {
                kind: requests::Kind::Erasure,
                regulation: requests::Regulation::Gdpr,
                identifiers: requests::Identifiers {
                    emails: vec!["ann@example.com".into()],
                    ..Default::default()
                },
                received_at: at,
                note: None,
            }])
            .unwrap();
        let r = s.reject_request(ids[0]).unwrap();
        assert_eq!(r.completed_at, Some(at));
        let last = crate::audit::list(&s.read(), &Default::default(), 1).unwrap();
        assert_eq!(last[0].action, crate::audit::REQUEST_REJECT);
        assert_eq!(last[0].at, crate::clock::format_ms(at));
        assert_eq!(s.refresh_actor().unwrap().username, "alice");
        // The states a caller branches on have their own variants.
        assert!(matches!(
            s.reject_request(ids[0]),
            Err(crate::Error::InvalidState(_))
        ));
        assert!(matches!(
            s.sweep(
                &SweepOptions::default(),
                Watch {
                    progress: &mut |_| {},
                    cancel: &std::sync::atomic::AtomicBool::new(false),
                },
            ),
            Err(crate::Error::InvalidState(_))
        ));
        assert!(matches!(
            s.set_retention(Policy::DeleteAfter { days: 400 }, false),
            Err(crate::Error::NotConfirmed(_))
        ));
        s.set_retention(Policy::DeleteAfter { days: 400 }, true)
            .unwrap();
        s.grant("bob", Role::Agent).unwrap();
        // Every entry the session wrote carries its clock's time (the
        // bootstrap came before the session).
        let entries = crate::audit::list(&s.read(), &Default::default(), 100).unwrap();
        let written: Vec<_> = entries
            .iter()
            .filter(|e| e.action != crate::audit::OPERATOR_BOOTSTRAP)
            .collect();
        assert!(written.len() >= 4, "{written:?}");
        for e in written {
            assert_eq!(e.at, crate::clock::format_ms(at), "{}", e.action);
        }
    }
}
