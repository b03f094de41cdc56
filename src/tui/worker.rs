//! The search thread. Searching a million customers must never block the
//! key loop, so searches run here on their own read connection. Requests
//! carry a generation number; when several are waiting, only the newest
//! is run, and the console drops any answer older than the one it shows.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};

use super::action::{SearchRequest, SearchResponse};
use super::screens::customers::RESULT_LIMIT;
use crate::store::Store;

/// Starts the thread; it ends when the returned sender is dropped or
/// `reply` returns false.
pub fn spawn(
    db: PathBuf,
    reply: impl Fn(SearchResponse) -> bool + Send + 'static,
) -> Sender<SearchRequest> {
    let (tx, rx) = mpsc::channel::<SearchRequest>();
    std::thread::spawn(move || serve(db, rx, reply));
    tx
}

/// The newest request waiting, skipping stale ones; None once the
/// console has gone.
fn newest(rx: &Receiver<SearchRequest>) -> Option<SearchRequest> {
    let mut req = rx.recv().ok()?;
    while let Ok(newer) = rx.try_recv() {
        req = newer;
    }
    Some(req)
}

fn serve(db: PathBuf, rx: Receiver<SearchRequest>, reply: impl Fn(SearchResponse) -> bool) {
    let store = Store::open(&db).map_err(|e| e.to_string());
    while let Some(req) = newest(&rx) {
        let result = match &store {
            Ok(s) => {
                crate::search::prefix(s.conn(), &req.query, RESULT_LIMIT).map_err(|e| e.to_string())
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
