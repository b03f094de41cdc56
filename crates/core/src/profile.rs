//! The profile pane's data: everything held about a customer at a glance,
//! read without touching their conversation items.

use crate::store::Read;

use crate::error::Result;
pub use lethe_store::model::profile::{Counts, Profile};

/// Reads one profile, or None when no customer has this ID.
pub fn load(conn: &Read, id: &str) -> Result<Option<Profile>> {
    crate::store::profile::load(conn, id)
}
