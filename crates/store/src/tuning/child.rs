//! Reading the database's own files from a child process.
//!
//! POSIX locks belong to a process, not to a descriptor: when a process
//! closes *any* descriptor of a file, every lock it holds on that file is
//! gone, including the ones SQLite took through its own descriptors. A
//! process with a SQLite connection must therefore never open and close
//! the `.db`, `-wal` or `-shm` itself. SQLite would go on as if it still
//! held its read locks, the next program would think the database closed
//! and remove `-wal` and `-shm` under it, and the two would then overwrite
//! each other's pages.
//!
//! Verification reads those files in a forked child instead. A child holds
//! none of its parent's locks (they are not inherited), so whatever it
//! opens and closes, and its exit, which closes its copies of SQLite's
//! descriptors, leave the parent's locks alone. The child runs only file
//! reads and matching, and never calls SQLite.

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};

/// Runs `work` in a forked child process and returns its result, passed
/// back as JSON through a pipe. An error or a panic in the child comes back
/// as `Error::Verification` with its message; so does a child that dies.
pub fn run<T: Serialize + DeserializeOwned>(work: impl FnOnce() -> Result<T>) -> Result<T> {
    let (read_end, write_end) = pipe()?;
    // SAFETY: fork has no memory-safety preconditions. The child runs only
    // `work`, which reads files and matches bytes (allocation, file reads,
    // threads of its own), writes to the pipe and leaves with `_exit`,
    // which runs no destructor and no atexit handler of the parent's state.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(Error::Verification(format!(
            "the scan process could not be started ({})",
            std::io::Error::last_os_error()
        )));
    }
    if pid == 0 {
        drop(read_end);
        child(write_end, work);
    }
    drop(write_end);
    let mut out = Vec::new();
    let read = std::fs::File::from(read_end).read_to_end(&mut out);
    let status = wait(pid)?;
    read?;
    if out.is_empty() {
        return Err(Error::Verification(format!(
            "the scan process ended without a result ({status})"
        )));
    }
    let answer: std::result::Result<T, String> = serde_json::from_slice(&out).map_err(|e| {
        Error::Verification(format!("the scan process's result could not be read ({e})"))
    })?;
    answer.map_err(Error::Verification)
}

/// The child's side: run, report, and leave at once.
fn child<T: Serialize>(write_end: OwnedFd, work: impl FnOnce() -> Result<T>) -> ! {
    let answer: std::result::Result<T, String> =
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("the scan process failed unexpectedly".into()),
        };
    let code = match serde_json::to_vec(&answer) {
        Ok(bytes) => {
            let mut pipe = std::fs::File::from(write_end);
            i32::from(pipe.write_all(&bytes).is_err())
        }
        Err(_) => 1,
    };
    // SAFETY: _exit ends the process without running anything else; the
    // parent's buffers and handlers, copied by fork, are not the child's
    // to flush or run.
    unsafe { libc::_exit(code) }
}

fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the array it is given,
    // which has room for exactly two.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(Error::Verification(format!(
            "the scan process could not be started ({})",
            std::io::Error::last_os_error()
        )));
    }
    // SAFETY: both descriptors were just opened by pipe2 and belong to
    // nothing else; each OwnedFd closes its own once.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Waits for the child and describes how it ended.
fn wait(pid: libc::pid_t) -> Result<String> {
    let mut status = 0;
    loop {
        // SAFETY: waitpid writes the status into the integer it is given.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(Error::Verification(format!(
                "the scan process could not be waited for ({e})"
            )));
        }
    }
    Ok(if libc::WIFEXITED(status) {
        format!("exit status {}", libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        format!("killed by signal {}", libc::WTERMSIG(status))
    } else {
        format!("status {status}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_an_error_and_a_panic_come_back_from_the_child() {
        assert_eq!(run(|| Ok(vec![1u32, 2, 3])).unwrap(), vec![1, 2, 3]);
        let e = run::<u32>(|| Err(Error::Invalid("no such file".into()))).unwrap_err();
        assert!(e.to_string().contains("no such file"), "{e}");
        let e = run::<u32>(|| panic!("boom")).unwrap_err();
        assert!(e.to_string().contains("failed unexpectedly"), "{e}");
    }

    #[test]
    fn the_child_works_on_its_own_copy_of_memory() {
        let mut seen = vec![0u8; 4];
        let len = run(|| {
            seen.push(9);
            Ok(seen.len())
        })
        .unwrap();
        assert_eq!(len, 5);
        // The parent's vector is untouched.
        assert_eq!(seen.len(), 4);
    }
}
