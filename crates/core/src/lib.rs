//! Lethe's core: every rule, and no terminal, command-line or SQL code.
//! It speaks to the database only through `lethe_store`.

pub mod access;
pub mod api_token;
pub mod audit;
pub mod backup;
pub mod clock;
pub mod csv;
pub mod demo;
pub mod erase;
pub mod export;
pub mod files;
pub mod import;
pub mod ledger;
pub mod phone;
pub mod pii;
pub mod profile;
pub mod report;
pub mod requests;
pub mod retention;
pub mod search;
pub mod session;
pub mod timeline;
pub mod triage;

pub use lethe_store as store;
pub use lethe_store::model::{format, text};
pub use lethe_store::{error, Error, Result};
