//! What the retention screen's effects do: read the policy, preview a
//! number of days, save a policy, run a sweep.

use super::super::super::action::failure;
use super::super::super::runtime::Env;
use super::super::super::worker::{self, PreviewRequest};
use super::*;
use crate::retention::{self, SweepOptions};

pub fn perform(env: &mut Env, io: Io) -> Vec<Action> {
    match io {
        Io::Load => {
            let conn = &env.session.read();
            let r = retention::policy(conn).and_then(|policy| {
                Ok(RetentionInfo {
                    policy,
                    last_run: retention::last_run(conn)?,
                })
            });
            vec![Msg::Loaded(failure(r)).into()]
        }
        Io::Preview { generation, days } => {
            let Some(bg) = env.background else {
                let r = failure(env.session.retention_preview(days));
                return vec![Msg::Previewed(generation, r).into()];
            };
            let req = PreviewRequest {
                generation,
                days,
                now: env.session.now(),
            };
            if bg.previews.send(req).is_err() {
                env.shell
                    .error("The preview thread stopped; restart Lethe.");
            }
            vec![]
        }
    }
}

/// Saves a confirmed policy.
pub fn save(env: &mut Env, policy: Policy) -> Vec<Action> {
    let confirmed = matches!(policy, Policy::DeleteAfter { .. });
    let r = env.session.set_retention(policy, confirmed);
    vec![Msg::PolicySaved(failure(r)).into()]
}

/// Starts a sweep: on its own thread and connection, reporting progress
/// through the key loop, or (without background threads) right here.
pub fn sweep(env: &mut Env) -> Vec<Action> {
    let job = env.session.for_job();
    let cancel = Arc::new(AtomicBool::new(false));
    let opts = SweepOptions {
        // Smaller batches than the command line's 2,000 keep the gauge
        // moving; each batch ends with a checkpoint and two syncs, so
        // much smaller ones slow the sweep (docs/PERFORMANCE.md,
        // "Figures behind choices in the code").
        batch: 500,
        ..SweepOptions::default()
    };
    let Some(bg) = env.background else {
        let mut out = vec![Msg::SweepStarted(cancel.clone()).into()];
        let r = env.session.sweep(
            &opts,
            retention::Watch {
                progress: &mut |p| out.push(Msg::SweepProgress(p).into()),
                cancel: &cancel,
            },
        );
        out.push(Msg::SweepDone(failure(r.map(Box::new))).into());
        return out;
    };
    let reply = bg.reply.clone();
    let flag = cancel.clone();
    let thread = worker::spawn_job(bg.db.clone(), bg.reply.clone(), move |store| {
        let r = store.and_then(|s| {
            failure(job.on(s).sweep(
                &opts,
                retention::Watch {
                    progress: &mut |p| {
                        reply(Msg::SweepProgress(p).into());
                    },
                    cancel: &flag,
                },
            ))
        });
        Msg::SweepDone(r.map(Box::new)).into()
    });
    env.jobs.add(thread, Some(cancel.clone()));
    vec![Msg::SweepStarted(cancel).into()]
}
