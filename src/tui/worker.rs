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
/// or `reply` returns false. Each answer is the results, then (unless a
/// newer query is already waiting) which of them share a key with a
/// profile outside the list.
pub fn spawn(db: PathBuf, reply: Reply) -> (Sender<SearchRequest>, JoinHandle<()>) {
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

fn serve(db: PathBuf, rx: Receiver<SearchRequest>, reply: Reply) {
    use super::screens::customers::Msg;
    let store = Store::open(&db).map_err(Failure::from);
    let mut waiting: Option<SearchRequest> = None;
    loop {
        let req = match waiting.take() {
            Some(mut r) => {
                while let Ok(newer) = rx.try_recv() {
                    r = newer;
                }
                r
            }
            None => match newest(&rx) {
                Some(r) => r,
                None => return,
            },
        };
        let (store, generation) = match &store {
            Ok(s) => (s, req.generation),
            Err(e) => {
                let resp = SearchResponse {
                    generation: req.generation,
                    query: req.query,
                    result: Err(e.clone()),
                };
                if !reply(Msg::SearchDone(resp).into()) {
                    return;
                }
                continue;
            }
        };
        let result =
            crate::search::prefix(&store.read(), &req.query, RESULT_LIMIT).map_err(Failure::from);
        let ids: Vec<String> = result
            .as_ref()
            .map(|rows| rows.iter().map(|r| r.id.clone()).collect())
            .unwrap_or_default();
        let resp = SearchResponse {
            generation,
            query: req.query,
            result,
        };
        if !reply(Msg::SearchDone(resp).into()) {
            return;
        }
        // The duplicates check reads more; a newer query goes first.
        if let Ok(newer) = rx.try_recv() {
            waiting = Some(newer);
            continue;
        }
        if ids.is_empty() {
            continue;
        }
        let shared = crate::search::sharing_keys(&store.read(), &ids).map_err(Failure::from);
        if !reply(Msg::Duplicates(generation, shared).into()) {
            return;
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
