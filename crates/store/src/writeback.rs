//! Early writeback for large writes (bulk erasure, retention sweeps, demo
//! and benchmark databases).
//!
//! Each WAL checkpoint syncs the WAL before copying its frames back and the
//! database after. By default the kernel holds dirty pages until about a
//! tenth of memory is dirty, so each of those syncs starts writing a whole
//! batch's pages (some 50 MB on a sweep) and the program waits for the
//! disk. A helper thread here asks the kernel every few milliseconds to
//! start writing what is dirty in the two files, so the disk works while
//! SQLite does, and the syncs find most pages on their way already.
//!
//! This changes nothing SQLite relies on: the kernel may write a dirty page
//! back at any moment anyway, and only the syncs, which SQLite still makes
//! in its own order, promise that a page is on the disk. The helper uses the
//! descriptors SQLite opened and never closes one: closing any descriptor
//! of the database file would drop SQLite's POSIX locks on it. Outside
//! Linux, and for a database without a file, it does nothing.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the helper asks for writeback: a sweep's commit is followed
/// by the disk in some 20 steps (the figures are in docs/PERFORMANCE.md,
/// "Figures behind choices in the code").
const INTERVAL: Duration = Duration::from_millis(5);

/// Runs the helper until dropped; dropping stops and joins it.
pub struct Writeback {
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl Writeback {
    /// Starts the helper for the database at `path` (its file and its
    /// `-wal`), or an idle guard when there is nothing to do.
    pub fn start(path: Option<&Path>) -> Writeback {
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicU64::new(0));
        let files = path
            .filter(|_| cfg!(target_os = "linux"))
            .and_then(|p| std::fs::canonicalize(p).ok())
            .map(|db| {
                let mut wal = db.clone().into_os_string();
                wal.push("-wal");
                [db, PathBuf::from(wal)]
            });
        let thread = files.and_then(|files| {
            let (stop, requests) = (stop.clone(), requests.clone());
            std::thread::Builder::new()
                .name("lethe-writeback".into())
                .spawn(move || run(&files, &stop, &requests))
                .ok()
        });
        Writeback {
            stop,
            requests,
            thread,
        }
    }

    /// How many writeback requests the kernel accepted so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
}

impl Drop for Writeback {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(files: &[PathBuf; 2], stop: &AtomicBool, requests: &AtomicU64) {
    let mut fds: [Option<i32>; 2] = [None, None];
    while !stop.load(Ordering::Relaxed) {
        // SQLite opens the WAL with the first read, which may come after
        // the helper started; look again until both are found.
        if fds.iter().any(Option::is_none) {
            for (fd, found) in fds.iter_mut().zip(open_descriptors(files)) {
                *fd = fd.or(found);
            }
        }
        for fd in fds.iter().flatten() {
            if crate::tuning::os::start_writeback(*fd) {
                requests.fetch_add(1, Ordering::Relaxed);
            }
        }
        std::thread::sleep(INTERVAL);
    }
}

/// The process's open descriptors of each of `files`, by
/// `/proc/self/fd`. A descriptor that SQLite closes later and the process
/// reuses for something else only gets a harmless request, or an error.
fn open_descriptors(files: &[PathBuf; 2]) -> [Option<i32>; 2] {
    let mut found = [None, None];
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return found;
    };
    for entry in dir.flatten() {
        let Some(fd) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let Ok(target) = std::fs::read_link(entry.path()) else {
            continue;
        };
        for (slot, file) in found.iter_mut().zip(files) {
            if slot.is_none() && target == *file {
                *slot = Some(fd);
            }
        }
    }
    found
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn same_file(fd: i32, path: &Path) -> bool {
        let held = std::fs::metadata(format!("/proc/self/fd/{fd}")).unwrap();
        let file = std::fs::metadata(path).unwrap();
        (held.dev(), held.ino()) == (file.dev(), file.ino())
    }

    #[test]
    fn finds_the_descriptors_sqlite_opened_for_the_database_and_its_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let store = crate::Store::create(&path).unwrap();
        store.read().execute_batch("CREATE TABLE t (x)").unwrap();
        let db = std::fs::canonicalize(&path).unwrap();
        let wal = db.with_file_name("w.db-wal");
        let [a, b] = open_descriptors(&[db.clone(), wal.clone()]);
        assert!(same_file(a.expect("database descriptor"), &db));
        assert!(same_file(b.expect("WAL descriptor"), &wal));
    }

    #[test]
    fn requests_writeback_while_running_and_stops_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let store = crate::Store::create(&path).unwrap();
        let guard = store.early_writeback();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while guard.requests() < 4 && std::time::Instant::now() < deadline {
            std::thread::sleep(INTERVAL);
        }
        // One for each file per round, once both are found.
        assert!(guard.requests() >= 4, "{} requests", guard.requests());
        let requests = guard.requests.clone();
        drop(guard);
        let after = requests.load(Ordering::Relaxed);
        std::thread::sleep(INTERVAL * 4);
        assert_eq!(requests.load(Ordering::Relaxed), after);
    }

    #[test]
    fn a_database_in_memory_starts_no_helper() {
        let store = crate::Store::open_in_memory().unwrap();
        let guard = store.early_writeback();
        assert!(guard.thread.is_none());
    }
}
