//! The store's tuning: the only code in Lethe that may use `unsafe`.
//! Every `unsafe` block says why it is sound in a `SAFETY:` comment
//! (`clippy::undocumented_unsafe_blocks` is denied). Everything else in
//! the workspace denies `unsafe_code`.
//!
//! - `raw`: SQLite statements stepped through the C API, for the few
//!   loops where rusqlite's per-row costs show (the PII scan's reads).
//! - `child`: a forked child process for the byte-level checks, so the
//!   process holding the connection never opens the database's files.
//! - `os`: SIGPIPE and the kernel's early writeback.
//! - `users`: the OS account running Lethe.

pub mod child;
pub mod os;
pub(crate) mod raw;
pub mod users;
