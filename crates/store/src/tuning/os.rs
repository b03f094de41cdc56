//! Small calls into the operating system that the standard library does
//! not make.

/// Restores the default action of SIGPIPE, so a write to a closed pipe
/// ends the process as it ends any Unix tool. Call it first in `main`,
/// before any other thread exists.
pub fn default_sigpipe() {
    // SAFETY: called first, before any other thread exists; SIG_DFL is a
    // valid disposition and no handler of ours is replaced.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Asks the kernel to start writing the file's dirty pages, without
/// waiting for them. True when the request was accepted.
#[cfg(target_os = "linux")]
pub fn start_writeback(fd: i32) -> bool {
    // SAFETY: sync_file_range only reads the descriptor number; on a
    // descriptor that is closed or not a file it fails with EBADF or
    // ESPIPE and changes nothing.
    unsafe { libc::sync_file_range(fd, 0, 0, libc::SYNC_FILE_RANGE_WRITE) == 0 }
}

#[cfg(not(target_os = "linux"))]
pub fn start_writeback(_fd: i32) -> bool {
    false
}
