//! A request's receipt, typed. It is stored as JSON in `requests.receipt`
//! and shown by `lethe request show` and the console exactly as stored; the
//! types here are how the core writes it and reads it back, receipts
//! written by earlier versions included (fields added since are optional).
//!
//! Field names are the stored ones. A blocked profile's keys are camelCase
//! (`customerId`, `conversationId`) while an erased profile's receipt is
//! snake_case (`customer_id`): both have been written since the first
//! version, so both are kept, and each is named here once.

use serde::{Deserialize, Serialize};

use crate::erase::Receipt;
use crate::store::forensic::Scan;

/// What a completed or blocked request has done so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum RequestReceipt {
    Erasure(ErasureReceipt),
    Access(AccessReceipt),
}

/// An erasure request's receipt: one erasure receipt per profile erased
/// (over every run of the request), the one verification of the last run,
/// and the profiles still blocked by open work.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErasureReceipt {
    #[serde(default)]
    pub erased: Vec<Receipt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Scan>,
    #[serde(default)]
    pub blocked: Vec<BlockedProfile>,
    /// Profiles the request matched: erased plus blocked.
    #[serde(default)]
    pub matched: usize,
}

/// A profile a request could not erase yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedProfile {
    #[serde(rename = "customerId")]
    pub customer_id: String,
    #[serde(rename = "conversationId")]
    pub conversation_id: String,
    pub status: String,
}

/// An access request's receipt: where the export went and how to check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessReceipt {
    pub path: String,
    pub sha256: String,
    pub bytes: usize,
    pub customers: Vec<String>,
}

impl RequestReceipt {
    /// Reads a stored receipt (without copying it).
    pub fn parse(v: &serde_json::Value) -> Option<RequestReceipt> {
        RequestReceipt::deserialize(v).ok()
    }

    /// Only the profiles an erasure receipt says are blocked: what the
    /// requests list and the open request show on every frame, without
    /// reading every erased profile's receipt.
    pub fn blocked_of(v: &serde_json::Value) -> Vec<BlockedProfile> {
        match v.get("blocked") {
            Some(b) if v.get("type").and_then(|t| t.as_str()) == Some("erasure") => {
                Vec::<BlockedProfile>::deserialize(b).unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A receipt as the first versions stored it: no audit head, no
    /// free-space check, no count of values held elsewhere.
    #[test]
    fn an_erasure_receipt_stored_by_an_earlier_version_reads() {
        let stored = serde_json::json!({
            "type": "erasure",
            "erased": [{
                "customer_id": "cus_1", "operator": "alice",
                "deleted_at": "2026-01-01T00:00:00.000Z", "reason": "manual",
                "removed": {"emails": 1, "items": 3}, "method": ["secure_delete"],
                "lethe_version": "0.1.0", "sqlite_version": "3.50.0",
                "checkpoint": {"completed": true, "attempts": 1},
                "verification": null
            }],
            "blocked": [{"customerId": "cus_2", "conversationId": "cnv_9", "status": "OPEN"}],
            "matched": 2
        });
        let Some(RequestReceipt::Erasure(r)) = RequestReceipt::parse(&stored) else {
            panic!("an erasure receipt");
        };
        assert_eq!(r.erased[0].customer_id, "cus_1");
        assert_eq!(r.erased[0].removed.items, 3);
        assert_eq!(r.erased[0].audit_head, None);
        assert_eq!(r.blocked[0].conversation_id, "cnv_9");
        assert_eq!(r.matched, 2);
        assert_eq!(RequestReceipt::blocked_of(&stored), r.blocked);
        // Written again, the blocked profile keeps its stored names.
        let again = serde_json::to_value(RequestReceipt::Erasure(r)).unwrap();
        assert_eq!(again["type"], "erasure");
        assert_eq!(again["blocked"][0]["customerId"], "cus_2");
    }

    #[test]
    fn an_access_receipt_round_trips() {
        let r = RequestReceipt::Access(AccessReceipt {
            path: "/tmp/x.json".into(),
            sha256: "ab".into(),
            bytes: 3,
            customers: vec!["cus_1".into()],
        });
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"type": "access", "path": "/tmp/x.json", "sha256": "ab",
                "bytes": 3, "customers": ["cus_1"]})
        );
        assert_eq!(RequestReceipt::parse(&v), Some(r));
    }
}
