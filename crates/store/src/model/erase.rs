//! What an erasure removed, by kind: the counts a profile's receipt and
//! its audit entry report.

use serde::{Deserialize, Serialize};

/// Rows and values one profile's erasure removed. Serialised as an object
/// with these keys in this (alphabetical) order, as receipts have always
/// stored them; a key missing from a stored receipt reads as 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Removed {
    pub addresses: i64,
    pub app_data: i64,
    pub attachments: i64,
    pub custom_attributes: i64,
    pub emails: i64,
    pub external_ids: i64,
    /// Items whose content was blanked.
    pub items: i64,
    /// 1 when the profile had a name.
    pub name: i64,
    pub orders: i64,
    pub phones: i64,
    pub pii_findings: i64,
    pub recordings: i64,
    pub search_keys: i64,
}

impl Removed {
    /// Every count with its name, in the stored order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, i64)> {
        [
            ("addresses", self.addresses),
            ("app_data", self.app_data),
            ("attachments", self.attachments),
            ("custom_attributes", self.custom_attributes),
            ("emails", self.emails),
            ("external_ids", self.external_ids),
            ("items", self.items),
            ("name", self.name),
            ("orders", self.orders),
            ("phones", self.phones),
            ("pii_findings", self.pii_findings),
            ("recordings", self.recordings),
            ("search_keys", self.search_keys),
        ]
        .into_iter()
    }

    /// The count of one kind, by its stored name.
    pub fn get(&self, kind: &str) -> Option<i64> {
        self.iter().find(|(k, _)| *k == kind).map(|(_, n)| n)
    }

    fn slot(&mut self, kind: &str) -> Option<&mut i64> {
        Some(match kind {
            "addresses" => &mut self.addresses,
            "app_data" => &mut self.app_data,
            "attachments" => &mut self.attachments,
            "custom_attributes" => &mut self.custom_attributes,
            "emails" => &mut self.emails,
            "external_ids" => &mut self.external_ids,
            "items" => &mut self.items,
            "name" => &mut self.name,
            "orders" => &mut self.orders,
            "phones" => &mut self.phones,
            "pii_findings" => &mut self.pii_findings,
            "recordings" => &mut self.recordings,
            "search_keys" => &mut self.search_keys,
            _ => return None,
        })
    }

    /// Adds `n` to the count named `kind` (one of the names above; the
    /// store's wipe tables name their counts with them).
    pub fn add(&mut self, kind: &str, n: i64) {
        match self.slot(kind) {
            Some(count) => *count += n,
            None => debug_assert!(false, "no count named {kind}"),
        }
    }

    /// Sums another profile's counts into these.
    pub fn add_all(&mut self, other: &Removed) {
        for (k, n) in other.iter() {
            self.add(k, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_serialise_as_the_receipts_always_stored_them() {
        let mut r = Removed::default();
        r.add("items", 3);
        r.add("name", 1);
        let v = serde_json::to_value(r).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "alphabetical, as a BTreeMap wrote them");
        assert_eq!(v["items"], 3);
        let old: Removed = serde_json::from_value(serde_json::json!({"items": 2})).unwrap();
        assert_eq!((old.items, old.emails), (2, 0));
        assert_eq!(r.get("items"), Some(3));
        assert_eq!(r.get("nothing"), None);
    }
}
