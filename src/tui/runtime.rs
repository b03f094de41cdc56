//! Runs the console: a key becomes an Action, `update` changes the state
//! and returns effects, and the runtime carries the effects out against the
//! store, feeding their results back as Actions. After each step it reads
//! the timeline pages the next frame will show, so `render` never touches
//! the database.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

use super::action::{failure, Action, Effect, PendingAction, SearchRequest};
use super::app::{key_action, update, App};
use super::jobs::Jobs;
use super::screens::customers::{self, timeline_view, view as customers_view};
use super::screens::{audit, requests, retention, triage};
use super::shell::Shell;
use super::view;
use super::worker::{PreviewRequest, Reply};
use crate::session::Session;

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

/// What a screen's `io` works with while it carries out one effect.
pub struct Env<'a> {
    pub session: &'a mut Session,
    pub searcher: &'a Searcher,
    pub save_dir: &'a Path,
    pub background: Option<&'a Background>,
    pub jobs: &'a mut Jobs,
    /// For what the admin must hear at once ("Deleting…", a thread
    /// that stopped).
    pub shell: &'a mut Shell,
}

impl Runtime {
    pub fn new(mut app: App, session: Session, searcher: Searcher, save_dir: PathBuf) -> Runtime {
        app.shell.save_dir = save_dir.clone();
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

    /// Handles an action (or a screen's message) and everything it leads
    /// to, then reads what the next frame shows.
    pub fn dispatch(&mut self, action: impl Into<Action>) {
        self.queue.push_back(action.into());
        while let Some(a) = self.queue.pop_front() {
            for effect in update(&mut self.app, a) {
                let next = self.run(effect);
                self.queue.extend(next);
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

    fn run(&mut self, effect: Effect) -> Vec<Action> {
        let app = &mut self.app;
        let mut env = Env {
            session: &mut self.session,
            searcher: &self.searcher,
            save_dir: &self.save_dir,
            background: self.background.as_ref(),
            jobs: &mut self.jobs,
            shell: &mut app.shell,
        };
        match effect {
            Effect::Customers(io) => customers::perform(&mut env, &mut app.customers, io),
            Effect::Audit(io) => vec![audit::perform(env.session, io)],
            Effect::Retention(io) => retention::perform(&mut env, io),
            Effect::Requests(io) => requests::perform(&mut env, io),
            Effect::Triage(io) => vec![triage::perform(env.session, &app.triage, io)],
            Effect::Execute(pending) => execute(&mut env, pending),
            Effect::AuditRefusal { action } => {
                // The status bar already says why; only a failure to
                // record the refusal is news.
                let (store, actor) = (env.session.store(), env.session.actor());
                if let Err(e) = crate::access::record_refusal(store, actor, action, &[]) {
                    env.shell.error(format!(
                        "The refusal could not be recorded in the audit trail: {e}"
                    ));
                }
                vec![]
            }
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
                    .and_then(|json| crate::timeline::write_new_file(env.save_dir, &name, &json));
                vec![Action::ReceiptSaved(failure(saved))]
            }
            // `app::update` carries these out itself.
            Effect::Jump(_) | Effect::Changed(_) => vec![],
        }
    }

    /// Reads the timeline pages around the selection and scrolls so the
    /// selected row is visible.
    fn sync(&mut self) {
        self.app.shell.jobs = self.jobs.running();
        let (w, h) = self.app.shell.size;
        let areas = view::areas(&self.app.shell, Rect::new(0, 0, w, h));
        let Some(pane) = customers_view::panes(&self.app.customers, areas.body).timeline else {
            return;
        };
        let (pw, ph) = (
            pane.width.saturating_sub(2) as usize,
            pane.height.saturating_sub(2) as usize,
        );
        let theme = self.app.shell.theme;
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
            self.app
                .shell
                .error(format!("Could not read the timeline: {e}"));
        }
    }
}

/// A confirmed destructive action, carried out by the screen it belongs to.
fn execute(env: &mut Env, pending: PendingAction) -> Vec<Action> {
    match pending {
        PendingAction::DeleteItem(t) => customers::delete_item(env, t),
        PendingAction::DeleteProfile { customer_id } => customers::delete_profile(env, customer_id),
        PendingAction::SetRetention(policy) => retention::save(env, policy),
        PendingAction::RunSweep => retention::sweep(env),
        PendingAction::RunRequest { id, customers, .. } => requests::run(env, id, customers),
        PendingAction::RedactFinding { finding_id } => {
            vec![triage::redact(env.session, finding_id)]
        }
        // `app::update` carries it out.
        PendingAction::Quit => vec![],
    }
}
