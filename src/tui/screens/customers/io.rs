//! What the customers screen's effects do: search, open a customer,
//! preview and carry out deletions, save copies, read the finding marks.

use super::super::super::action::{failure, SearchRequest};
use super::super::super::runtime::{Env, Searcher};
use super::super::super::worker;
use super::*;
use crate::erase::{self, Verify};
use crate::session::Session;

fn load(session: &Session, id: &str) -> crate::Result<Box<(Profile, Timeline)>> {
    let conn = &session.read();
    let p = crate::profile::load(conn, id)?.ok_or_else(|| crate::Error::NotFound {
        what: "customer",
        id: id.to_string(),
    })?;
    Ok(Box::new((p, Timeline::open(conn, id)?)))
}

pub fn perform(env: &mut Env, st: &mut CustomersState, io: Io) -> Vec<Action> {
    let session = &mut *env.session;
    let msg = match io {
        Io::Search { generation, query } => match env.searcher {
            Searcher::Inline => {
                let result = failure(crate::search::prefix(&session.read(), &query, RESULT_LIMIT));
                let ids: Vec<String> = match &result {
                    Ok(rows) => rows.iter().map(|r| r.id.clone()).collect(),
                    Err(_) => vec![],
                };
                let done = Msg::SearchDone(SearchResponse {
                    generation,
                    query,
                    result,
                });
                let shared = failure(crate::search::sharing_keys(&session.read(), &ids));
                return vec![done.into(), Msg::Duplicates(generation, shared).into()];
            }
            Searcher::Worker(tx) => {
                if tx.send(SearchRequest { generation, query }).is_err() {
                    env.shell.error("The search thread stopped; restart Lethe.");
                }
                return vec![];
            }
        },
        Io::Open(id) => Msg::Loaded(failure(load(session, &id))),
        Io::Reload => match &st.open {
            Some(o) => Msg::Loaded(failure(load(session, &o.profile.id))),
            None => return vec![],
        },
        Io::OpenAt {
            customer_id,
            item_id,
        } => {
            let mut loaded = failure(load(session, &customer_id));
            let row = loaded
                .as_mut()
                .ok()
                .and_then(|b| find_row(&session.read(), &mut b.1, &item_id));
            Msg::OpenedAt(loaded, row)
        }
        Io::PreviewItem(t) => {
            let r = failure(erase::preview_item(session.store(), &t));
            Msg::ItemPreviewed(t, r)
        }
        Io::PreviewProfile(id) => {
            Msg::ProfilePreviewed(failure(erase::preview_profile(session.store(), &id)))
        }
        Io::SaveBlob(b) => Msg::Saved(failure(session.save_copy(&b, env.save_dir))),
        Io::LoadItemFindings(id) => {
            let r = failure(crate::triage::item_findings(&session.read(), &id));
            Msg::ItemFindings(id, r)
        }
        Io::SeekFinding { forward } => {
            let Some(o) = st.open.as_mut() else {
                return vec![];
            };
            let r = seek(&session.read(), o, &st.flagged, forward);
            Msg::FindingRow(failure(r))
        }
    };
    vec![msg.into()]
}

/// Deletes a confirmed item, verifying the database files after: on a
/// thread of its own when there is one, so keys stay alive.
pub fn delete_item(env: &mut Env, t: ItemTarget) -> Vec<Action> {
    let job = env.session.for_job();
    let Some(bg) = env.background else {
        let r = env.session.delete_item(&t, Verify::Full);
        return vec![Msg::ItemDeleted(failure(r.map(Box::new))).into()];
    };
    env.shell.info("Deleting and verifying the database files…");
    let thread = worker::spawn_job(bg.db.clone(), bg.reply.clone(), move |store| {
        let r = store.and_then(|s| failure(job.on(s).delete_item(&t, Verify::Full).map(Box::new)));
        Msg::ItemDeleted(r).into()
    });
    env.jobs.add(thread, None);
    vec![]
}

/// Deletes a confirmed profile. The deletion takes milliseconds, but the
/// receipt's byte scan reads the whole database: keep the keys alive.
pub fn delete_profile(env: &mut Env, customer_id: String) -> Vec<Action> {
    let job = env.session.for_job();
    let Some(bg) = env.background else {
        let r = env
            .session
            .delete_profile(&customer_id, erase::Reason::Manual, Verify::Full);
        return vec![Msg::ProfileDeleted(customer_id, failure(r.map(Box::new))).into()];
    };
    env.shell.info(format!(
        "Deleting customer {customer_id} and verifying the database files…"
    ));
    let thread = worker::spawn_job(bg.db.clone(), bg.reply.clone(), move |store| {
        let r = store.and_then(|s| {
            failure(
                job.on(s)
                    .delete_profile(&customer_id, erase::Reason::Manual, Verify::Full),
            )
        });
        Msg::ProfileDeleted(customer_id, r.map(Box::new)).into()
    });
    env.jobs.add(thread, None);
    vec![]
}
