//! Runs the console: a key becomes an Action, `update` changes the state
//! and returns effects, and the runtime carries the effects out against the
//! store, feeding their results back as Actions. After each step it reads
//! the timeline pages the next frame will show, so `render` never touches
//! the database.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::mpsc::Sender;

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

use super::action::{Action, Effect, PendingAction, SearchRequest, SearchResponse};
use super::app::{key_action, update, App};
use super::screens::audit;
use super::screens::customers::{timeline_view, view as customers_view, RESULT_LIMIT};
use super::screens::triage as triage_screen;
use super::view;
use crate::store::Store;
use crate::timeline::Timeline;
use crate::{clock, erase, profile};

pub enum Searcher {
    /// Search on the key loop's thread (tests: results are deterministic).
    Inline,
    /// Hand searches to the worker thread.
    Worker(Sender<SearchRequest>),
}

pub struct Runtime {
    pub app: App,
    pub store: Store,
    pub searcher: Searcher,
    /// Where saved copies and receipts go.
    pub save_dir: PathBuf,
}

fn text<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, String> {
    r.map_err(|e| e.to_string())
}

impl Runtime {
    pub fn new(app: App, store: Store, searcher: Searcher, save_dir: PathBuf) -> Runtime {
        Runtime {
            app,
            store,
            searcher,
            save_dir,
        }
    }

    pub fn key(&mut self, key: KeyEvent) {
        if let Some(action) = key_action(&self.app, key) {
            self.dispatch(action);
        }
    }

    pub fn dispatch(&mut self, action: Action) {
        let mut queue = VecDeque::from([action]);
        while let Some(a) = queue.pop_front() {
            for effect in update(&mut self.app, a) {
                if let Some(next) = self.run(effect) {
                    queue.push_back(next);
                }
            }
        }
        self.sync();
    }

    pub fn draw(&self, frame: &mut Frame) {
        view::render(&self.app, frame);
    }

    fn load_customer(&self, id: &str) -> Action {
        let conn = self.store.conn();
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
        let actor = self.app.actor.clone();
        match effect {
            Effect::Search { generation, query } => match &self.searcher {
                Searcher::Inline => {
                    let result = text(crate::search::prefix(
                        self.store.conn(),
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
            Effect::ReloadCustomer => {
                let id = self.app.customers.open.as_ref()?.profile.id.clone();
                Some(self.load_customer(&id))
            }
            Effect::PreviewItem(t) => {
                let r = text(erase::preview_item(&self.store, &t));
                Some(Action::ItemPreviewed(t, r))
            }
            Effect::PreviewProfile(id) => Some(Action::ProfilePreviewed(text(
                erase::preview_profile(&self.store, &id),
            ))),
            Effect::Execute(PendingAction::DeleteItem(t)) => {
                let r = erase::delete_item(&mut self.store, &actor, &t, clock::now_ms());
                Some(Action::ItemDeleted(text(r)))
            }
            Effect::Execute(PendingAction::DeleteProfile { customer_id }) => {
                let r = erase::delete_profile(
                    &mut self.store,
                    &actor,
                    &customer_id,
                    erase::Reason::Manual,
                    clock::now_ms(),
                );
                Some(Action::ProfileDeleted(customer_id, text(r.map(Box::new))))
            }
            Effect::SaveBlob(b) => Some(Action::Saved(text(crate::timeline::save_copy(
                self.store.conn(),
                &actor,
                &b,
                &self.save_dir,
            )))),
            Effect::SaveReceipt(r) => {
                let name = format!("lethe-receipt-{}.json", r.customer_id);
                let json = serde_json::to_vec_pretty(&r).unwrap_or_default();
                Some(Action::Saved(text(crate::timeline::write_new_file(
                    &self.save_dir,
                    &name,
                    &json,
                ))))
            }
            Effect::LoadAudit => {
                let conn = self.store.conn();
                let r = crate::audit::list(conn, &self.app.audit.filter, audit::LIMIT)
                    .and_then(|rows| Ok((rows, crate::audit::verify(conn)?)));
                Some(Action::AuditLoaded(text(r)))
            }
            Effect::LoadTriage => Some(Action::TriageLoaded(text(
                triage_screen::load(self.store.conn(), &self.app.triage).map(Box::new),
            ))),
            Effect::LoadTriageContext(id) => Some(Action::TriageContext(
                id,
                text(crate::triage::context(self.store.conn(), id).map(Box::new)),
            )),
            Effect::PreviewItemById(item_id) => {
                let t = erase::resolve_item(&self.store, &item_id);
                match t {
                    Ok(t) => {
                        let r = text(erase::preview_item(&self.store, &t));
                        Some(Action::ItemPreviewed(t, r))
                    }
                    Err(e) => Some(Action::TriageDone(Err(e.to_string()))),
                }
            }
            Effect::Execute(PendingAction::RedactFinding { finding_id }) => {
                let r = crate::triage::redact_finding_item(&mut self.store, &actor, finding_id);
                Some(Action::TriageDone(text(
                    r.map(|r| triage_screen::redacted(&r)),
                )))
            }
            Effect::DismissFinding(id) => {
                let r = crate::triage::dismiss(&mut self.store, &actor, id);
                Some(Action::TriageDone(text(
                    r.map(|d| triage_screen::dismissed(&d)),
                )))
            }
            Effect::ScanNow => {
                let r = crate::triage::scan(&mut self.store, &actor, clock::now_ms(), &mut ());
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
                let row = loaded
                    .as_mut()
                    .ok()
                    .and_then(|b| triage_screen::find_row(self.store.conn(), &mut b.1, &item_id));
                Some(Action::TriageOpened(loaded, row))
            }
            Effect::PreviewRedaction {
                finding_id,
                item_id,
            } => Some(Action::RedactionPreviewed(
                finding_id,
                text(crate::triage::preview_redaction(
                    self.store.conn(),
                    &item_id,
                    None,
                )),
            )),
            Effect::LoadItemFindings(id) => {
                let r = text(crate::triage::item_findings(self.store.conn(), &id));
                Some(Action::ItemFindings(id, r))
            }
            Effect::SeekFinding { forward } => {
                let conn = self.store.conn();
                let st = &mut self.app.customers;
                let o = st.open.as_mut()?;
                let r = triage_screen::seek(conn, o, &st.flagged, forward);
                Some(Action::FindingRow(text(r)))
            }
        }
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
        let conn = self.store.conn();
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
