//! The audit trail as stored.

/// An audit row exactly as stored: every column as text, so verification
/// hashes the bytes that are really there.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stored {
    pub seq: i64,
    pub at: String,
    pub operator: String,
    pub action: String,
    /// Compact JSON array of IDs.
    pub targets: String,
    /// Compact JSON object, keys in byte order.
    pub counts: String,
    pub outcome: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Filters for the audit screen; empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub operator: Option<String>,
    pub action: Option<String>,
    /// `YYYY-MM-DD` prefix of the UTC time (any prefix works: `2024-07`).
    pub date: Option<String>,
}
