//! Time. All stored times are UTC milliseconds since the Unix epoch
//! (`lethe_store::model::clock`, re-exported here).
//!
//! `now()` reads `LETHE_NOW` (an RFC 3339 time) when it is set, so end-to-end
//! tests and reproducible demos can pin the clock. Core functions that depend
//! on time take it as a parameter, so unit tests inject it directly.

use chrono::{DateTime, Utc};

pub use lethe_store::model::clock::*;

pub fn now() -> DateTime<Utc> {
    if let Ok(text) = std::env::var("LETHE_NOW") {
        if let Ok(t) = DateTime::parse_from_rfc3339(&text) {
            return t.with_timezone(&Utc);
        }
    }
    Utc::now()
}

pub fn now_ms() -> Millis {
    now().timestamp_millis()
}
