//! Deleting many profiles in batches (lethe delete --from-file, the retention sweep).

use super::*;

/// One bulk erasure: who runs it, why, at what time, how, and what can stop
/// it.
#[derive(Debug, Clone, Copy)]
pub struct Bulk<'a> {
    pub actor: &'a Actor,
    pub reason: Reason,
    pub now: Millis,
    pub options: BulkOptions,
    /// Set to stop between profiles; None runs to the end.
    pub cancel: Option<&'a AtomicBool>,
}

/// Options of a bulk deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkOptions {
    /// `Full` runs one scan at the end for every deleted value.
    pub verify: Verify,
    /// Profiles per transaction; the WAL is checkpointed once per batch.
    pub batch_size: usize,
}

impl Default for BulkOptions {
    fn default() -> Self {
        BulkOptions {
            verify: Verify::Full,
            batch_size: 2000,
        }
    }
}

/// How one profile of a bulk run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkOutcome {
    Deleted,
    Blocked {
        conversation_id: String,
        status: String,
    },
    NotFound,
    AlreadyDeleted {
        deleted_at: Millis,
    },
    /// A retention sweep's profile that was deleted, or had a Contact,
    /// after the sweep listed it: it is no longer due and is left alone.
    NotDue,
    /// This profile was rolled back; the others are unaffected.
    Failed(String),
}

/// Reported after each committed and checkpointed batch.
#[derive(Debug)]
pub struct BulkProgress<'a> {
    pub done: usize,
    pub total: usize,
    /// This batch's outcomes, in input order.
    pub outcomes: &'a [(String, BulkOutcome)],
    /// Receipts of this batch's deleted profiles (no verification: it runs
    /// once at the end, into `BulkResult`).
    pub receipts: &'a [Receipt],
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BulkResult {
    /// Every distinct input ID, in input order.
    pub outcomes: Vec<(String, BulkOutcome)>,
    pub deleted: usize,
    pub blocked: usize,
    pub not_found: usize,
    pub already_deleted: usize,
    pub not_due: usize,
    pub failed: usize,
    /// True when every batch's checkpoint completed.
    pub checkpoint_completed: bool,
    pub checkpoint_attempts: u32,
    /// One scan for the values of every profile deleted in the run.
    pub verification: Option<Scan>,
    pub values_held_elsewhere: usize,
    /// The run was stopped between profiles before the end of the list.
    pub cancelled: bool,
    /// Set when the erasure ledger file could not be brought up to date.
    pub ledger_warning: Option<String>,
}

/// Deletes many profiles: batches of `options.batch_size` profiles, one
/// transaction per batch. A profile that fails is rolled back alone (its
/// batch is then erased again with a savepoint per profile), and a crash
/// loses at most the uncommitted batch, never part of a profile. Blocked,
/// unknown and already deleted profiles are reported, not errors. The WAL
/// is checkpointed after each batch. Each batch's deleted profiles get one
/// `delete-profile` audit entry, and the run one `delete-bulk` entry with
/// the totals.
///
/// Returns Err only when the whole run cannot go on (permission, a batch
/// that cannot commit); batches committed before that are reported through
/// `progress` and stay deleted.
///
/// With `run.cancel`, it stops between profiles once the flag is set: the
/// profiles already erased stay erased (their batch commits), the rest are
/// untouched and absent from `outcomes`, and `cancelled` is true.
pub fn delete_profiles(
    store: &mut Store,
    run: &Bulk,
    ids: &[String],
    progress: &mut dyn FnMut(&BulkProgress),
) -> Result<BulkResult> {
    let mut seen = HashSet::new();
    let targets: Vec<Target> = ids
        .iter()
        .filter(|id| seen.insert(id.as_str()))
        .map(|id| Target::Id(id))
        .collect();
    run_bulk(store, run, &targets, progress)
}

/// A retention sweep's deletion: `delete_profiles` for the customer
/// rows `rows` (as `store::retention::overdue_rows` lists them), each read
/// in its batch's transaction and erased only if it is still live and its
/// last Contact is at or before `cutoff`. A profile deleted or contacted
/// since the listing is reported as `NotDue` and left alone, however long
/// the sweep has been running.
pub fn delete_overdue(
    store: &mut Store,
    run: &Bulk,
    rows: &[i64],
    cutoff: Millis,
    progress: &mut dyn FnMut(&BulkProgress),
) -> Result<BulkResult> {
    let targets: Vec<Target> = rows
        .iter()
        .map(|&rowid| Target::Overdue { rowid, cutoff })
        .collect();
    run_bulk(store, run, &targets, progress)
}

/// A profile a bulk run is asked to erase.
#[derive(Debug, Clone, Copy)]
pub(super) enum Target<'a> {
    /// Named by ID (a list, a request).
    Id(&'a str),
    /// A retention sweep's customer row, erased if still overdue at
    /// `cutoff` when its batch reaches it.
    Overdue { rowid: i64, cutoff: Millis },
}

impl Target<'_> {
    /// The customer row to erase, or the outcome of a target that is left
    /// alone. Read in the batch's transaction: nothing can change it before
    /// the profile is erased.
    fn resolve(
        &self,
        conn: &Read,
    ) -> Result<std::result::Result<db::CustomerRow, (String, BulkOutcome)>> {
        Ok(match *self {
            Target::Id(id) => {
                db::customer(conn, id)?.ok_or_else(|| (id.to_string(), BulkOutcome::NotFound))
            }
            Target::Overdue { rowid, cutoff } => {
                match crate::store::retention::due_at(conn, rowid, cutoff)? {
                    Some((row, true)) => Ok(row),
                    Some((row, false)) => Err((row.id, BulkOutcome::NotDue)),
                    None => Err((format!("row {rowid}"), BulkOutcome::NotFound)),
                }
            }
        })
    }
}

pub(super) fn run_bulk(
    store: &mut Store,
    run: &Bulk,
    targets: &[Target],
    progress: &mut dyn FnMut(&BulkProgress),
) -> Result<BulkResult> {
    access::require(
        store,
        run.actor,
        Permission::Delete,
        crate::audit::DELETE_BULK,
    )?;
    let verify = run.options.verify != Verify::Skip;
    // A batch touches search-key pages all over the file; a cache that holds
    // them lets each page be written once per batch instead of spilling.
    let saved = crate::store::bulk::begin_erasure(&store.read())?;
    let writeback = store.early_writeback();
    let result = bulk_batches(store, run, targets, progress, verify);
    drop(writeback);
    crate::store::bulk::restore(&store.read(), saved)?;
    result
}

pub(super) fn bulk_batches(
    store: &mut Store,
    run: &Bulk,
    targets: &[Target],
    progress: &mut dyn FnMut(&BulkProgress),
    verify: bool,
) -> Result<BulkResult> {
    let never = AtomicBool::new(false);
    let cancel = run.cancel.unwrap_or(&never);
    let options = run.options;
    let by = By {
        operator: &run.actor.username,
        reason: run.reason,
        now: run.now,
    };
    let mut result = BulkResult {
        checkpoint_completed: true,
        ..BulkResult::default()
    };
    let mut held = Vec::new();
    let mut done = 0;
    // Verification reads back the values of every profile up to
    // VERIFY_PROFILES, else of every `every`-th one: reading all of them
    // (message texts, file bytes) cost a third of a 100,000-profile sweep,
    // and the scan checks a sample of VERIFY_MAX values anyway.
    let every = if options.verify == Verify::Every {
        1
    } else {
        targets.len().div_ceil(VERIFY_PROFILES).max(1)
    };
    for batch in targets.chunks(options.batch_size.max(1)) {
        // Each batch is first erased as one piece, without a savepoint per
        // profile: opening and releasing one, and journaling each page it
        // changes, was a seventh of a sweep's instructions. If a profile
        // fails, that attempt is rolled back whole and the batch is erased
        // again with a savepoint per profile, so the failing profile is
        // left whole and the others go.
        let before = held.len();
        let step = Batch {
            by,
            targets: batch,
            cancel,
            sampled: |k: usize| verify && (done + k).is_multiple_of(every),
        };
        let (outcomes, removed, head) = match store.write(|conn| step.erase(conn, &mut held, false))
        {
            Ok(erased) => erased,
            Err(_) => {
                held.truncate(before);
                // The failed attempt may have spilled page images to the
                // WAL; empty it, so the redo writes the file from the start
                // and none of those images outlives its commit.
                store.checkpoint_truncate()?;
                store.write(|conn| step.erase(conn, &mut held, true))?
            }
        };
        done += outcomes.len();
        let stopped = outcomes.len() < batch.len();
        // The last batch leaves the WAL empty; the ones before it leave the
        // file's length for the next batch to overwrite, which is as clean
        // and spares the file system allocating new WAL pages (on a 1M
        // sweep, a fifth of the kernel's time; docs/PERFORMANCE.md).
        let checkpoint = if stopped || done == targets.len() {
            store.checkpoint_truncate()?
        } else {
            store.checkpoint_restart()?
        };
        result.checkpoint_completed &= checkpoint.completed;
        result.checkpoint_attempts += checkpoint.attempts;
        let warning = ledger::mirror_warning(store);
        if result.ledger_warning.is_none() {
            result.ledger_warning = warning.clone();
        }
        let holds = crate::backup::Holdings::of(store)?;
        let receipts: Vec<Receipt> = removed
            .into_iter()
            .map(|(id, r)| {
                Ok(Receipt {
                    audit_head: head.clone(),
                    backups: holds.for_profile(store, &id)?,
                    ledger_warning: warning.clone(),
                    ..receipt(by, &id, r, checkpoint, false)
                })
            })
            .collect::<Result<_>>()?;
        for (_, o) in &outcomes {
            match o {
                BulkOutcome::Deleted => result.deleted += 1,
                BulkOutcome::Blocked { .. } => result.blocked += 1,
                BulkOutcome::NotFound => result.not_found += 1,
                BulkOutcome::AlreadyDeleted { .. } => result.already_deleted += 1,
                BulkOutcome::NotDue => result.not_due += 1,
                BulkOutcome::Failed(_) => result.failed += 1,
            }
        }
        progress(&BulkProgress {
            done,
            total: targets.len(),
            outcomes: &outcomes,
            receipts: &receipts,
        });
        result.outcomes.extend(outcomes);
        if stopped {
            result.cancelled = true;
            break;
        }
    }
    let mut summary = Entry::new(by.operator, crate::audit::DELETE_BULK)
        .count("deleted", result.deleted as i64)
        .count("blocked", result.blocked as i64)
        .count("not_found", result.not_found as i64)
        .count("already_deleted", result.already_deleted as i64);
    if result.not_due > 0 {
        summary = summary.count("not_due", result.not_due as i64);
    }
    let summary = summary.count("failed", result.failed as i64).outcome(
        if result.failed > 0 || result.cancelled {
            Outcome::Partial
        } else {
            Outcome::Ok
        },
    );
    store.write(|conn| audit::append_at(conn, &summary, by.now))?;
    if verify {
        let (mut scan, elsewhere) = verify_gone(store, &needles_of(held), options.verify)?;
        if let Some(scan) = scan.as_mut().filter(|_| every > 1) {
            let sampled = result
                .outcomes
                .iter()
                .enumerate()
                .filter(|(i, (_, o))| i % every == 0 && *o == BulkOutcome::Deleted)
                .count();
            scan.profile_sample = Some(ProfileSample {
                sampled,
                of: result.deleted,
            });
        }
        result.verification = scan;
        result.values_held_elsewhere = elsewhere;
    }
    Ok(result)
}

/// What a batch did: each profile's outcome, in input order, and what was
/// removed from each deleted profile.
pub(super) type BatchDone = (
    Vec<(String, BulkOutcome)>,
    Vec<(String, Removed)>,
    Option<audit::Head>,
);

/// One batch of a bulk deletion.
pub(super) struct Batch<'a, F: Fn(usize) -> bool> {
    /// Who erases, why and when, for every profile of the batch.
    by: By<'a>,
    targets: &'a [Target<'a>],
    cancel: &'a AtomicBool,
    /// Whether the values of the batch's `k`-th profile are read back
    /// for verification.
    sampled: F,
}

impl<F: Fn(usize) -> bool> Batch<'_, F> {
    /// Erases the batch's profiles in the caller's transaction, stopping
    /// between profiles once cancelled, and appends one audit entry for
    /// them. With `isolate`, each profile has its own savepoint and one
    /// that fails is rolled back alone and reported; without it, a failure
    /// is returned and the caller rolls the whole batch back.
    fn erase(&self, conn: &Write, held: &mut Vec<Held>, isolate: bool) -> Result<BatchDone> {
        let mut outcomes = Vec::with_capacity(self.targets.len());
        let mut removed = Vec::new();
        for (k, target) in self.targets.iter().enumerate() {
            if self.cancel.load(Ordering::Relaxed) {
                break;
            }
            let row = match target.resolve(conn)? {
                Ok(row) => row,
                Err(skipped) => {
                    outcomes.push(skipped);
                    continue;
                }
            };
            let id = row.id.as_str();
            let before = held.len();
            let gather = (self.sampled)(k).then_some(&mut *held);
            let erase = |tx: &Write| erase_one(tx, self.by, &row, gather, false);
            // A failed savepoint fails the batch (SQLite already rolled it
            // all back: disk full, I/O error), so nothing is half done.
            let erased = if isolate {
                match store::savepoint(conn, erase)? {
                    Ok(erased) => erased,
                    Err(e) => {
                        held.truncate(before);
                        outcomes.push((id.to_string(), BulkOutcome::Failed(e.to_string())));
                        continue;
                    }
                }
            } else {
                erase(conn)?
            };
            outcomes.push((
                id.to_string(),
                match erased {
                    Erased::Done(r) => {
                        removed.push((id.to_string(), r));
                        BulkOutcome::Deleted
                    }
                    Erased::Blocked {
                        conversation_id,
                        status,
                    } => BulkOutcome::Blocked {
                        conversation_id,
                        status,
                    },
                    Erased::NotFound => BulkOutcome::NotFound,
                    Erased::AlreadyDeleted(at) => BulkOutcome::AlreadyDeleted { deleted_at: at },
                },
            ));
        }
        // One audit entry per batch, in the batch's transaction: the IDs
        // of every profile it erased and the summed counts. (A hash-chained
        // entry per profile cost a third of the run.)
        if !removed.is_empty() {
            let mut entry = Entry::new(self.by.operator, crate::audit::DELETE_PROFILE);
            let mut totals = Removed::default();
            for (id, r) in &removed {
                entry = entry.target(id);
                totals.add_all(r);
            }
            for (k, n) in totals.iter().filter(|(_, n)| *n > 0) {
                entry = entry.count(k, n);
            }
            audit::append_at(conn, &entry, self.by.now)?;
        }
        Ok((outcomes, removed, audit::head(conn)?))
    }
}
