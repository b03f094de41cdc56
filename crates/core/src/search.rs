//! Finding customers by name, email, phone (any formatting), external ID or
//! customer ID.
//!
//! Every profile has normalised keys in a B-tree (`search_keys`); a query is
//! one or two prefix range scans. This was chosen over an FTS5 trigram index
//! because deleting a profile's keys from a B-tree under `secure_delete`
//! leaves nothing behind and costs a few page writes, while FTS5 needs its
//! own `secure-delete` mode, which made bulk erasure ~22x slower.

use crate::store::Read;

use crate::error::Result;
use crate::format::CustomerDoc;
use crate::phone;
use crate::store::customers::SearchKey;
use crate::store::search as db;

pub use crate::store::search::CustomerSummary;

pub use lethe_store::model::search::*;

/// The form keys and queries are compared in: accents dropped, lowercase,
/// inner whitespace folded (`text::fold`), so `amelie` finds Amélie.
pub fn normalize_text(s: &str) -> String {
    crate::text::fold(s)
}

/// The search keys of a profile. Deleting a profile deletes all of them.
pub fn keys_for(doc: &CustomerDoc) -> Vec<SearchKey> {
    let mut keys = Vec::new();
    let mut push = |key: String, kind: i64| {
        if !key.is_empty()
            && !keys
                .iter()
                .any(|k: &SearchKey| k.key == key && k.kind == kind)
        {
            keys.push(SearchKey { key, kind });
        }
    };
    if let Some(name) = &doc.name {
        let full = normalize_text(name);
        for token in full.split(' ').skip(1) {
            push(token.to_string(), KIND_NAME_TOKEN);
        }
        push(full, KIND_NAME);
    }
    for e in &doc.emails {
        push(normalize_text(&e.original), KIND_EMAIL);
    }
    // One key per phone: its E.164 digits. What people type without a
    // country code is read as North American at query time.
    for p in &doc.phones {
        let e164 = p.normalized.clone().or_else(|| phone::to_e164(&p.original));
        if let Some(e164) = e164 {
            push(e164.trim_start_matches('+').to_string(), KIND_PHONE);
        }
    }
    if let Some(x) = &doc.external_customer_id {
        push(normalize_text(x), KIND_EXTERNAL_ID);
    }
    for v in doc.external_customer_ids.values() {
        if let Some(s) = v.as_str() {
            push(normalize_text(s), KIND_EXTERNAL_ID);
        }
    }
    // Customer IDs need no key: `customers.id` is itself a B-tree.
    keys
}

/// What a query was read as; `find` uses one key, the console's search box
/// tries all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Any,
    Name,
    Email,
    Phone,
    ExternalId,
    CustomerId,
}

/// Search-as-you-type: profiles with any key starting with the query.
/// Duplicates (several profiles with one email or ID) are all returned.
/// Deleted profiles have no keys, so they never match.
pub fn prefix(conn: &Read, query: &str, limit: usize) -> Result<Vec<CustomerSummary>> {
    let text = normalize_text(query);
    if text.is_empty() {
        return Ok(vec![]);
    }
    let mut ranges: Vec<(String, Option<i64>)> = vec![(text.clone(), None)];
    if let Some((digits, international)) = phone::query_digits(query) {
        if digits != text {
            ranges.push((digits.clone(), Some(KIND_PHONE)));
        }
        // Typed without a country code: the account's region when it
        // has one (`020 79` in GB is `44 20 79`), else North America.
        let region = match international {
            true => None,
            false => crate::store::get_setting(conn, crate::triage::PHONE_REGION)?,
        };
        match region
            .as_deref()
            .and_then(|r| phone::national_prefix(&digits, r))
        {
            Some(national) => ranges.push((national, Some(KIND_PHONE))),
            None if !international && !digits.starts_with('1') => {
                ranges.push((format!("1{digits}"), Some(KIND_PHONE)));
            }
            None => {}
        }
    }
    let mut ids = db::prefix_ids(conn, &ranges, limit)?;
    for id in db::customer_id_prefix(conn, query.trim(), limit)? {
        if ids.len() < limit && !ids.contains(&id) {
            ids.push(id);
        }
    }
    db::summaries(conn, &ids)
}

/// An exact lookup on one field, as the platform's Find Customers API does.
pub fn exact(conn: &Read, field: Field, value: &str) -> Result<Vec<CustomerSummary>> {
    let ids = exact_ids(conn, field, value)?;
    db::summaries(conn, &ids)
}

/// The IDs of the profiles `exact` finds, without reading them.
pub fn exact_ids(conn: &Read, field: Field, value: &str) -> Result<Vec<String>> {
    let (key, kinds): (String, &[i64]) = match field {
        Field::Name => (normalize_text(value), &[KIND_NAME]),
        Field::Email => (normalize_text(value), &[KIND_EMAIL]),
        Field::Phone => match phone::to_e164(value) {
            Some(e) => (e.trim_start_matches('+').to_string(), &[KIND_PHONE]),
            None => return Ok(vec![]),
        },
        Field::ExternalId => (normalize_text(value), &[KIND_EXTERNAL_ID]),
        Field::CustomerId => {
            return Ok(db::customer_id_prefix(conn, value.trim(), 1)?
                .into_iter()
                .filter(|id| id == value.trim())
                .collect());
        }
        Field::Any => (normalize_text(value), &[]),
    };
    db::exact_ids(conn, &key, kinds)
}

/// Of `ids`, the live profiles that share an email, phone or external ID
/// with another live profile, in the list or not (the console's
/// `DUPLICATE`).
pub fn sharing_keys(conn: &Read, ids: &[String]) -> Result<Vec<String>> {
    db::sharing_keys(conn, ids)
}

/// `find --name`: profiles whose name has a word starting with each
/// given word, in any order, ignoring case and accents (`amelie`,
/// `girard`, `gir ame`). At most `limit` profiles.
pub fn by_name(conn: &Read, value: &str, limit: usize) -> Result<Vec<CustomerSummary>> {
    let wanted = normalize_text(value);
    let words: Vec<&str> = wanted.split(' ').filter(|w| !w.is_empty()).collect();
    // The longest word narrows the key range most.
    let Some(probe) = words.iter().max_by_key(|w| w.len()) else {
        return Ok(vec![]);
    };
    let ranges = [
        (probe.to_string(), Some(KIND_NAME)),
        (probe.to_string(), Some(KIND_NAME_TOKEN)),
    ];
    // Fetched generously: the other words filter them below.
    let ids = db::prefix_ids(conn, &ranges, limit.saturating_mul(20))?;
    let mut hits = db::summaries(conn, &ids)?;
    hits.retain(|s| s.name.as_deref().is_some_and(|n| name_matches(n, &words)));
    hits.truncate(limit);
    Ok(hits)
}

/// Whether each word starts a different word of `name` (folded).
fn name_matches(name: &str, words: &[&str]) -> bool {
    let folded = normalize_text(name);
    let mut free: Vec<&str> = folded.split(' ').collect();
    // Longest first, so `am amelie` cannot spend `amelie` on `am`.
    let mut order = words.to_vec();
    order.sort_by_key(|w| std::cmp::Reverse(w.len()));
    order
        .iter()
        .all(|w| match free.iter().position(|n| n.starts_with(w)) {
            Some(at) => {
                free.remove(at);
                true
            }
            None => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> CustomerDoc {
        serde_json::from_value(serde_json::json!({
            "id": "cus_1", "name": "Martha  Williams", "createdAt": "2024-01-01T00:00:00Z",
            "emails": [{"original": "Martha.W@Example.com"}],
            "phones": [{"original": "+1 (415) 555-0100"}],
            "externalCustomerId": "SF-0035e00000AbCdE",
        }))
        .unwrap()
    }

    #[test]
    fn keys_cover_every_field_normalised() {
        let keys: Vec<String> = keys_for(&doc()).into_iter().map(|k| k.key).collect();
        for k in [
            "martha williams",
            "williams",
            "martha.w@example.com",
            "14155550100",
            "sf-0035e00000abcde",
        ] {
            assert!(keys.contains(&k.to_string()), "missing {k} in {keys:?}");
        }
        // One key per phone, none for the customer ID.
        assert_eq!(keys.len(), 5, "{keys:?}");
    }

    #[test]
    fn accents_and_case_do_not_matter_when_typing() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let mut d = doc();
        d.name = Some("Amélie Girard".into());
        store
            .write(|c| crate::store::customers::insert(c, &d, &keys_for(&d)))
            .unwrap();
        for q in [
            "amelie gi",
            "AMÉLIE",
            "girard",
            "Gírard",
            "415 555",
            "+1 (415",
            "1415555",
            "cus_",
        ] {
            let hits = prefix(&store.read(), q, 10).unwrap();
            assert_eq!(hits.len(), 1, "{q}");
        }
    }

    #[test]
    fn phone_queries_reduce_to_digits() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let mut d = doc();
        d.phones[0].original = "+44 20 7946 0607".into();
        store
            .write(|c| crate::store::customers::insert(c, &d, &keys_for(&d)))
            .unwrap();
        for q in ["+44 (0)20 7946 0607", "0044 20 7946", "+44 20"] {
            assert_eq!(prefix(&store.read(), q, 10).unwrap().len(), 1, "{q}");
        }
    }

    #[test]
    fn names_match_word_prefixes_in_any_order() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let mut d = doc();
        d.name = Some("Amélie Girard-Lévy Dupont".into());
        store
            .write(|c| crate::store::customers::insert(c, &d, &keys_for(&d)))
            .unwrap();
        for q in ["amelie", "Girard", "dupont amé", "GIR AMELIE", "dup"] {
            assert_eq!(by_name(&store.read(), q, 10).unwrap().len(), 1, "{q}");
        }
        for q in ["melie", "amelie amelie", "girardx", " "] {
            assert!(by_name(&store.read(), q, 10).unwrap().is_empty(), "{q}");
        }
    }
}
