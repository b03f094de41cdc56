//! Lethe: find a customer's personal data and erase it for good.
//!
//! Layers, from the bottom: `store` (the only SQL), the core modules (no
//! terminal code), then `tui` and `cli`, which call the same core functions.

pub mod access;
pub mod audit;
pub mod cli;
pub mod clock;
pub mod csv;
pub mod demo;
pub mod erase;
pub mod error;
pub mod export;
pub mod format;
pub mod import;
pub mod phone;
pub mod pii;
pub mod profile;
pub mod report;
pub mod requests;
pub mod retention;
pub mod search;
pub mod store;
pub mod text;
pub mod timeline;
pub mod triage;
pub mod tui;

pub use error::{Error, Result};
