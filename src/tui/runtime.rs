//! Runs the console: a key becomes an Action, `update` changes the state
//! and returns effects, and the runtime carries the effects out against the
//! store, feeding their results back as Actions. After each step it reads
//! the timeline pages the next frame will show, so `render` never touches
//! the database.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::sync::Arc;

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

use super::action::{
    Action, Effect, Failure, PendingAction, RetentionInfo, SearchRequest, SearchResponse,
};
use super::app::{key_action, update, App};
use super::jobs::Jobs;
use super::screens::audit;
use super::screens::customers::{timeline_view, view as customers_view, RESULT_LIMIT};
use super::screens::triage as triage_screen;
use super::view;
use super::worker::{self, PreviewRequest, Reply};
use crate::erase::Verify;
use crate::retention::{Policy, SweepOptions};
use crate::session::Session;
use crate::timeline::Timeline;
use crate::{erase, profile, requests, retention};

pub enum Searcher {
    /// Search on the key loop's thread (tests: results are deterministic).
    Inline,
    /// Hand searches to the worker thread.
    Worker(Sender<SearchRequest>),
}

/// Threads for work that must not block keys. Without them (tests), the
/// work runs on the key loop's thread and its results are deterministic.
pub struct Background {
    pub db: PathBuf,
    pub reply: Reply,
    pub previews: Sender<PreviewRequest>,
}

pub struct Runtime {
    pub app: App,
    /// The store, the operator and the clock everything here acts with.
    pub session: Session,
    pub searcher: Searcher,
    /// Where saved copies, receipts and access exports go.
    pub save_dir: PathBuf,
    pub background: Option<Background>,
    /// The jobs running on threads of their own, stopped and waited for
    /// on quit (`finish_jobs`).
    pub jobs: Jobs,
    queue: VecDeque<Action>,
}

/// A core result as an action carries it.
fn text<T>(r: crate::Result<T>) -> Result<T, Failure> {
    r.map_err(Failure::from)
}

impl Runtime {
    pub fn new(app: App, session: Session, searcher: Searcher, save_dir: PathBuf) -> Runtime {
        Runtime {
            app,
            session,
            searcher,
            save_dir,
            background: None,
            jobs: Jobs::default(),
            queue: VecDeque::new(),
        }
    }

    pub fn key(&mut self, key: KeyEvent) {
        if let Some(action) = key_action(&self.app, key) {
            self.dispatch(action);
        }
    }

    pub fn dispatch(&mut self, action: Action) {
        self.queue.push_back(action);
        while let Some(a) = self.queue.pop_front() {
            for effect in update(&mut self.app, a) {
                if let Some(next) = self.run(effect) {
                    self.queue.push_back(next);
                }
            }
        }
        self.sync();
    }

    /// On quit: asks a running sweep to stop between profiles and waits for
    /// every job, so none is cut off by the process ending.
    pub fn finish_jobs(&mut self) {
        self.jobs.cancel_and_wait();
    }

    pub fn draw(&self, frame: &mut Frame) {
        view::render(&self.app, frame);
    }

    fn load_customer(&self, id: &str) -> Action {
        let conn = &self.session.read();
        let loaded = profile::load(conn, id).and_then(|p| {
            let p = p.ok_or_else(|| crate::Error::NotFound {
                what: "customer",
                id: id.to_string(),
            })?;
            Ok(Box::new((p, Timeline::open(conn, id)?)))
        });
        Action::CustomerLoaded(text(loaded))
    }

    fn run(&mut self, effect: Effect) -> Option<Action> {
        match effect {
            Effect::Search { generation, query } => match &self.searcher {
                Searcher::Inline => {
                    let result = text(crate::search::prefix(
                        &self.session.read(),
                        &query,
                        RESULT_LIMIT,
                    ));
                    Some(Action::SearchDone(SearchResponse {
                        generation,
                        query,
                        result,
                    }))
                }
                Searcher::Worker(tx) => {
                    if tx.send(SearchRequest { generation, query }).is_err() {
                        self.app.error("The search thread stopped; restart Lethe.");
                    }
                    None
                }
            },
            Effect::OpenCustomer(id) => Some(self.load_customer(&id)),
            Effect::AuditRefusal { action } => {
                // The status bar already says why; only a failure to
                // record the refusal is news.
                let (store, actor) = (self.session.store(), self.session.actor());
                if let Err(e) = crate::access::record_refusal(store, actor, action, &[]) {
                    self.app.error(format!(
                        "The refusal could not be recorded in the audit trail: {e}"
                    ));
                }
                None
            }
            Effect::ReloadCustomer => {
                let id = self.app.customers.open.as_ref()?.profile.id.clone();
                Some(self.load_customer(&id))
            }
            Effect::PreviewItem(t) => {
                let r = text(erase::preview_item(self.session.store(), &t));
                Some(Action::ItemPreviewed(t, r))
            }
            Effect::PreviewProfile(id) => Some(Action::ProfilePreviewed(text(
                erase::preview_profile(self.session.store(), &id),
            ))),
            Effect::Execute(PendingAction::DeleteItem(t)) => {
                let job = self.session.for_job();
                let Some(bg) = &self.background else {
                    let r = self.session.delete_item(&t, Verify::Full);
                    return Some(Action::ItemDeleted(text(r.map(Box::new))));
                };
                self.app.info("Deleting and verifying the database files…");
                let thread = worker::spawn_job(bg.db.clone(), bg.reply.clone(), move |store| {
                    let r = store
                        .and_then(|s| text(job.on(s).delete_item(&t, Verify::Full).map(Box::new)));
                    Action::ItemDeleted(r)
                });
                self.jobs.add(thread, None);
                None
            }
            Effect::Execute(PendingAction::DeleteProfile { customer_id }) => {
                let job = self.session.for_job();
                let Some(bg) = &self.background else {
                    let r = self.session.delete_profile(
                        &customer_id,
                        erase::Reason::Manual,
                        Verify::Full,
                    );
                    return Some(Action::ProfileDeleted(customer_id, text(r.map(Box::new))));
                };
                // The deletion takes milliseconds, but the receipt's byte
                // scan reads the whole database: keep the keys alive.
                self.app.info(format!(
                    "Deleting customer {customer_id} and verifying the database files…"
                ));
                let thread = worker::spawn_job(bg.db.clone(), bg.reply.clone(), move |store| {
                    let r = store.and_then(|s| {
                        text(job.on(s).delete_profile(
                            &customer_id,
                            erase::Reason::Manual,
                            Verify::Full,
                        ))
                    });
                    Action::ProfileDeleted(customer_id, r.map(Box::new))
                });
                self.jobs.add(thread, None);
                None
            }
            Effect::SaveBlob(b) => Some(Action::Saved(text(
                self.session.save_copy(&b, &self.save_dir),
            ))),
            Effect::SaveReceipt(r) => {
                let name = format!("lethe-receipt-{}.json", r.customer_id);
                // A receipt that cannot be written as JSON is reported, never
                // saved as an empty file.
                let saved = serde_json::to_vec_pretty(&r)
                    .map_err(|e| {
                        crate::Error::Invalid(format!(
                            "the receipt could not be written as JSON ({e}); nothing was saved"
                        ))
                    })
                    .and_then(|json| crate::timeline::write_new_file(&self.save_dir, &name, &json));
                Some(Action::Saved(text(saved)))
            }
            Effect::LoadRetention => {
                let conn = &self.session.read();
                let r = retention::policy(conn).and_then(|policy| {
                    Ok(RetentionInfo {
                        policy,
                        last_run: retention::last_run(conn)?,
                    })
                });
                Some(Action::RetentionLoaded(text(r)))
            }
            Effect::PreviewRetention { generation, days } => {
                let now = self.session.now();
                match &self.background {
                    None => Some(Action::RetentionPreviewed(
                        generation,
                        text(self.session.retention_preview(days)),
                    )),
                    Some(bg) => {
                        let req = PreviewRequest {
                            generation,
                            days,
                            now,
                        };
                        if bg.previews.send(req).is_err() {
                            self.app.error("The preview thread stopped; restart Lethe.");
                        }
                        None
                    }
                }
            }
            Effect::Execute(PendingAction::SetRetention(policy)) => {
                let confirmed = matches!(policy, Policy::DeleteAfter { .. });
                let r = self.session.set_retention(policy, confirmed);
                Some(Action::PolicySaved(text(r)))
            }
            Effect::Execute(PendingAction::RunSweep) => Some(self.sweep()),
            Effect::LoadRequests { include_closed } => {
                let now = self.session.now();
                let r =
                    requests::list(&self.session.read(), include_closed).map(|rows| (rows, now));
                Some(Action::RequestsLoaded(text(r)))
            }
            Effect::PlanRequest(id) => {
                let r = requests::get(&self.session.read(), id)
                    .and_then(|req| requests::plan(self.session.store(), &req));
                Some(Action::RequestPlanned(id, text(r.map(Box::new))))
            }
            Effect::ExtendRequest { id, reason } => {
                let r = self.session.extend_request(id, &reason);
                Some(Action::RequestExtended(text(r.map(Box::new))))
            }
            Effect::Execute(PendingAction::RunRequest { id, customers, .. }) => {
                let (job, dir) = (self.session.for_job(), self.save_dir.clone());
                let Some(bg) = &self.background else {
                    let target = requests::RunTarget {
                        confirmed: &customers,
                        export_dir: &dir,
                    };
                    let r = self.session.run_request(id, target);
                    return Some(Action::RequestRan(id, text(r.map(Box::new))));
                };
                let thread = worker::spawn_job(bg.db.clone(), bg.reply.clone(), move |store| {
                    let target = requests::RunTarget {
                        confirmed: &customers,
                        export_dir: &dir,
                    };
                    let r = store.and_then(|s| text(job.on(s).run_request(id, target)));
                    Action::RequestRan(id, r.map(Box::new))
                });
                self.jobs.add(thread, None);
                Some(Action::RequestStarted(id))
            }
            Effect::LoadAudit => {
                let conn = &self.session.read();
                let r = crate::audit::list(conn, &self.app.audit.filter, audit::LIMIT)
                    .and_then(|rows| Ok((rows, crate::audit::verify(conn)?)));
                Some(Action::AuditLoaded(text(r)))
            }
            Effect::LoadTriage => Some(Action::TriageLoaded(text(
                triage_screen::load(&self.session.read(), &self.app.triage).map(Box::new),
            ))),
            Effect::LoadTriageContext(id) => Some(Action::TriageContext(
                id,
                text(crate::triage::context(&self.session.read(), id).map(Box::new)),
            )),
            Effect::PreviewItemById(item_id) => {
                let t = erase::resolve_item(self.session.store(), &item_id);
                match t {
                    Ok(t) => {
                        let r = text(erase::preview_item(self.session.store(), &t));
                        Some(Action::ItemPreviewed(t, r))
                    }
                    Err(e) => Some(Action::TriageDone(Err(Failure::from(e)))),
                }
            }
            Effect::Execute(PendingAction::RedactFinding { finding_id }) => {
                let r = self.session.redact_finding_item(finding_id);
                Some(Action::TriageDone(text(
                    r.map(|r| triage_screen::redacted(&r)),
                )))
            }
            Effect::DismissFinding(id) => {
                let r = self.session.dismiss(id);
                Some(Action::TriageDone(text(
                    r.map(|d| triage_screen::dismissed(&d)),
                )))
            }
            Effect::ScanNow => {
                let r = self.session.scan(&mut ());
                Some(Action::TriageDone(text(
                    r.map(|s| triage_screen::scanned(&s)),
                )))
            }
            Effect::OpenCustomerAt {
                customer_id,
                item_id,
            } => {
                let Action::CustomerLoaded(mut loaded) = self.load_customer(&customer_id) else {
                    return None;
                };
                let row = loaded.as_mut().ok().and_then(|b| {
                    triage_screen::find_row(&self.session.read(), &mut b.1, &item_id)
                });
                Some(Action::TriageOpened(loaded, row))
            }
            Effect::PreviewRedaction {
                finding_id,
                item_id,
            } => Some(Action::RedactionPreviewed(
                finding_id,
                text(crate::triage::preview_redaction(
                    &self.session.read(),
                    &item_id,
                    None,
                )),
            )),
            Effect::LoadItemFindings(id) => {
                let r = text(crate::triage::item_findings(&self.session.read(), &id));
                Some(Action::ItemFindings(id, r))
            }
            Effect::SeekFinding { forward } => {
                let conn = &self.session.read();
                let st = &mut self.app.customers;
                let o = st.open.as_mut()?;
                let r = triage_screen::seek(conn, o, &st.flagged, forward);
                Some(Action::FindingRow(text(r)))
            }
        }
    }

    /// Starts a sweep: on its own thread and connection, reporting progress
    /// through the key loop, or (without background threads) right here.
    fn sweep(&mut self) -> Action {
        let job = self.session.for_job();
        let cancel = Arc::new(AtomicBool::new(false));
        let opts = SweepOptions {
            // Smaller batches than the command line's 2,000 keep the gauge
            // moving; each batch ends with a checkpoint and two syncs, so
            // much smaller ones slow the sweep (docs/PERFORMANCE.md,
            // "Figures behind choices in the code").
            batch: 500,
            ..SweepOptions::default()
        };
        let Some(bg) = &self.background else {
            self.queue.push_back(Action::SweepStarted(cancel.clone()));
            let mut progress = vec![];
            let r = self.session.sweep(
                &opts,
                retention::Watch {
                    progress: &mut |p| progress.push(Action::SweepProgress(p)),
                    cancel: &cancel,
                },
            );
            self.queue.extend(progress);
            return Action::SweepDone(text(r.map(Box::new)));
        };
        let reply = bg.reply.clone();
        let flag = cancel.clone();
        let thread = worker::spawn_job(bg.db.clone(), bg.reply.clone(), move |store| {
            let r = store.and_then(|s| {
                text(job.on(s).sweep(
                    &opts,
                    retention::Watch {
                        progress: &mut |p| {
                            reply(Action::SweepProgress(p));
                        },
                        cancel: &flag,
                    },
                ))
            });
            Action::SweepDone(r.map(Box::new))
        });
        self.jobs.add(thread, Some(cancel.clone()));
        Action::SweepStarted(cancel)
    }

    /// Reads the timeline pages around the selection and scrolls so the
    /// selected row is visible.
    fn sync(&mut self) {
        let (w, h) = self.app.size;
        let areas = view::areas(&self.app, Rect::new(0, 0, w, h));
        let Some(pane) = customers_view::panes(&self.app, areas.body).timeline else {
            return;
        };
        let (pw, ph) = (
            pane.width.saturating_sub(2) as usize,
            pane.height.saturating_sub(2) as usize,
        );
        let theme = self.app.theme;
        let conn = &self.session.read();
        let Some(o) = self.app.customers.open.as_mut() else {
            return;
        };
        // The rows that can share the screen with the selection, then the
        // rows from the (possibly moved) top.
        let around = o.selected.saturating_sub(ph)..o.selected + ph + 1;
        let mut result = o.timeline.load_rows(conn, around);
        if result.is_ok() {
            timeline_view::keep_visible(&theme, o, pw, ph);
            result = o.timeline.load_rows(conn, o.top..o.top + ph + 1);
        }
        if let Err(e) = result {
            self.app.error(format!("Could not read the timeline: {e}"));
        }
    }
}
