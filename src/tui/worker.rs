//! Background threads. Searching a million customers, or counting what a
//! retention policy would delete, must never block the key loop, so these
//! run on their own connections. Requests carry a generation number; when
//! several are waiting, only the newest is run, and the console drops any
//! answer older than the one it shows. Long jobs (a sweep, running a data
//! subject request) each get a thread and a connection of their own.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::action::{Action, Failure, SearchRequest, SearchResponse};
use super::screens::customers::RESULT_LIMIT;
use crate::clock::Millis;
use crate::store::Store;

/// Sends an Action to the key loop; false once the console has gone.
pub type Reply = Arc<dyn Fn(Action) -> bool + Send + Sync>;

#[derive(Debug, Clone, PartialEq)]
pub struct PreviewRequest {
    pub generation: u64,
    pub days: i64,
    pub now: Millis,
}

/// Starts the retention preview thread; it ends when the returned sender
/// is dropped or `reply` returns false.
pub fn spawn_previews(db: PathBuf, reply: Reply) -> (Sender<PreviewRequest>, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel::<PreviewRequest>();
    let thread = std::thread::spawn(move || {
        let store = Store::open(&db).map_err(Failure::from);
        while let Some(req) = newest(&rx) {
            let result = match &store {
                Ok(s) => {
                    crate::retention::preview(&s.read(), req.days, req.now).map_err(Failure::from)
                }
                Err(e) => Err(e.clone()),
            };
            if !reply(super::screens::retention::Msg::Previewed(req.generation, result).into()) {
                break;
            }
        }
    });
    (tx, thread)
}

/// Runs `job` on a new thread with its own connection to `db`, and sends
/// its answer to the key loop.
pub fn spawn_job(
    db: PathBuf,
    reply: Reply,
    job: impl FnOnce(Result<Store, Failure>) -> Action + Send + 'static,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let store = Store::open(&db).map_err(Failure::from);
        reply(job(store));
    })
}

/// Starts the search thread; it ends when the returned sender is dropped
/// or `reply` returns false.
pub fn spawn(
    db: PathBuf,
    reply: impl Fn(SearchResponse) -> bool + Send + 'static,
) -> (Sender<SearchRequest>, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel::<SearchRequest>();
    let thread = std::thread::spawn(move || serve(db, rx, reply));
    (tx, thread)
}

/// The newest request waiting, skipping stale ones; None once the
/// console has gone.
fn newest<T>(rx: &Receiver<T>) -> Option<T> {
    let mut req = rx.recv().ok()?;
    while let Ok(newer) = rx.try_recv() {
        req = newer;
    }
    Some(req)
}

fn serve(db: PathBuf, rx: Receiver<SearchRequest>, reply: impl Fn(SearchResponse) -> bool) {
    let store = Store::open(&db).map_err(Failure::from);
    while let Some(req) = newest(&rx) {
        let result = match &store {
            Ok(s) => {
                crate::search::prefix(&s.read(), &req.query, RESULT_LIMIT).map_err(Failure::from)
            }
            Err(e) => Err(e.clone()),
        };
        let resp = SearchResponse {
            generation: req.generation,
            query: req.query,
            result,
        };
        if !reply(resp) {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_newest_waiting_request_runs() {
        let (tx, rx) = mpsc::channel();
        for g in 1..=3 {
            tx.send(SearchRequest {
                generation: g,
                query: format!("q{g}"),
            })
            .unwrap();
        }
        assert_eq!(newest(&rx).map(|r| r.generation), Some(3));
        drop(tx);
        assert_eq!(newest(&rx), None);
    }
}
