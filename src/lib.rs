//! Lethe: find and erase customer personal data.

pub mod pii;
