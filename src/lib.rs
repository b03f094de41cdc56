//! Lethe: find a customer's personal data and erase it for good.
//!
//! Three crates, each depending only on the one below it: `lethe_store`
//! (all SQL and the shared vocabulary), `lethe_core` (every rule), and this
//! one, the command line (`cli`) and the console (`tui`). The core's modules
//! are re-exported here under their own names.

pub use lethe_core::*;

pub mod cli;
pub mod serve;
pub mod tui;
