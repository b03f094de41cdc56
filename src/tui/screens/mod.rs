//! One module per screen; each owns its state, its update and its view.

pub mod audit;
pub mod customers;
pub mod help;
pub mod requests;
pub mod retention;
pub mod triage;
