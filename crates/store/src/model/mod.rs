//! The shared vocabulary of Lethe: the types every layer speaks, and the
//! small text and time policies they share. Nothing here reads or writes
//! the database, and nothing here imports the rest of the store.

pub mod access;
pub mod audit;
pub mod clock;
pub mod erase;
pub mod format;
pub mod pii;
pub mod profile;
pub mod search;
pub mod text;
pub mod timeline;
pub mod triage;
