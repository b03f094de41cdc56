//! The console's running jobs: deletions, request runs and sweeps on
//! threads of their own. The runtime keeps each one here; on quit it asks
//! every job that can stop early to stop (a sweep stops between profiles,
//! so what it erased stays erased and the rest waits for the next run) and
//! waits for all of them, so no job is cut off halfway by the process
//! ending.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

struct Job {
    /// Set to stop the job early; None for a job that runs to its end (a
    /// deletion, which takes a moment and then verifies).
    cancel: Option<Arc<AtomicBool>>,
    thread: JoinHandle<()>,
}

#[derive(Default)]
pub struct Jobs {
    running: Vec<Job>,
}

impl Jobs {
    pub fn add(&mut self, thread: JoinHandle<()>, cancel: Option<Arc<AtomicBool>>) {
        self.running.retain(|j| !j.thread.is_finished());
        self.running.push(Job { cancel, thread });
    }

    /// How many jobs are still running.
    pub fn running(&mut self) -> usize {
        self.running.retain(|j| !j.thread.is_finished());
        self.running.len()
    }

    /// Asks every job that can stop to stop, then waits for all of them.
    pub fn cancel_and_wait(&mut self) {
        for job in &self.running {
            if let Some(flag) = &job.cancel {
                flag.store(true, Ordering::SeqCst);
            }
        }
        for job in self.running.drain(..) {
            let _ = job.thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn quitting_cancels_what_can_stop_and_waits_for_everything() {
        let mut jobs = Jobs::default();
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = cancel.clone();
        let stopped = Arc::new(AtomicBool::new(false));
        let seen = stopped.clone();
        // A sweep: runs until told to stop.
        jobs.add(
            std::thread::spawn(move || {
                while !flag.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(5));
                }
                seen.store(true, Ordering::SeqCst);
            }),
            Some(cancel.clone()),
        );
        // A deletion: runs to its end.
        let done = Arc::new(AtomicBool::new(false));
        let finished = done.clone();
        jobs.add(
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                finished.store(true, Ordering::SeqCst);
            }),
            None,
        );
        assert_eq!(jobs.running(), 2);
        jobs.cancel_and_wait();
        assert!(cancel.load(Ordering::SeqCst));
        assert!(stopped.load(Ordering::SeqCst));
        assert!(done.load(Ordering::SeqCst));
        assert_eq!(jobs.running(), 0);
    }
}
