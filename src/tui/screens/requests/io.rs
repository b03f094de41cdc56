//! What the requests screen's effects do: read the queue, match a
//! request, extend it, run it in the background.

use super::super::super::action::failure;
use super::super::super::runtime::Env;
use super::super::super::worker;
use super::*;
use crate::requests;

pub fn perform(env: &mut Env, io: Io) -> Vec<Action> {
    let msg = match io {
        Io::Load { include_closed } => {
            let now = env.session.now();
            let r = requests::list(&env.session.read(), include_closed).map(|rows| (rows, now));
            Msg::Loaded(failure(r))
        }
        Io::Plan(id) => {
            let r = requests::get(&env.session.read(), id)
                .and_then(|req| requests::plan(env.session.store(), &req));
            Msg::Planned(id, failure(r.map(Box::new)))
        }
        Io::Extend { id, reason } => {
            let r = env.session.extend_request(id, &reason);
            Msg::Extended(failure(r.map(Box::new)))
        }
        Io::Add(d) => {
            let d = *d;
            let new = requests::NewRequest {
                kind: d.kind,
                regulation: d.regulation,
                identifiers: d.identifiers,
                received_at: d.received_at.unwrap_or_else(|| env.session.now()),
                note: d.note,
            };
            let r = env.session.add_requests(vec![new]).and_then(|ids| {
                let id = ids
                    .first()
                    .copied()
                    .ok_or_else(|| crate::Error::Invalid("no request was recorded".into()))?;
                requests::get(&env.session.read(), id)
            });
            Msg::Added(failure(r.map(Box::new)))
        }
    };
    vec![msg.into()]
}

/// Runs a confirmed request on the profiles the admin marked: on a thread
/// of its own, since an erasure's check reads the database files.
pub fn run(env: &mut Env, id: i64, customers: Vec<String>) -> Vec<Action> {
    let (job, dir) = (env.session.for_job(), env.save_dir.to_path_buf());
    let Some(bg) = env.background else {
        let target = requests::RunTarget {
            confirmed: &customers,
            export_dir: &dir,
        };
        let r = env.session.run_request(id, target);
        return vec![Msg::Ran(id, failure(r.map(Box::new))).into()];
    };
    let thread = worker::spawn_job(bg.db.clone(), bg.reply.clone(), move |store| {
        let target = requests::RunTarget {
            confirmed: &customers,
            export_dir: &dir,
        };
        let r = store.and_then(|s| failure(job.on(s).run_request(id, target)));
        Msg::Ran(id, r.map(Box::new)).into()
    });
    env.jobs.add(thread, None);
    vec![Msg::Started(id).into()]
}
