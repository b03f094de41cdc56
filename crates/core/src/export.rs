//! Exporting a customer's data (for access requests) and printing profiles
//! (`find`), in the same JSON format `import` reads.

use serde_json::Value;

use crate::access::{self, Actor, Permission};
use crate::audit::{self, Entry};
use crate::clock::Millis;
use crate::error::{Error, Result};
use crate::format::CustomerDoc;
use crate::search::{self, Field};
use crate::store::{customers, Read, Store};

/// Everything held about one customer, as one document: profile,
/// conversations with every item, attachment and recording metadata (and
/// their bytes, base64, when `with_data`), orders and app data.
///
/// A protected operation: refused (and the refusal audited) unless `actor`
/// may export. On success an `export` audit entry with the customer ID and
/// counts, never PII, commits in the same transaction as the read, so the
/// document is one consistent snapshot.
pub fn customer(
    store: &mut Store,
    actor: &Actor,
    id: &str,
    with_data: bool,
) -> Result<CustomerDoc> {
    customer_at(store, actor, id, with_data, crate::clock::now_ms())
}

/// `customer`, its export recorded at `now`.
pub fn customer_at(
    store: &mut Store,
    actor: &Actor,
    id: &str,
    with_data: bool,
    now: Millis,
) -> Result<CustomerDoc> {
    access::require(store, actor, Permission::Export, crate::audit::EXPORT)?;
    store.write(|conn| {
        let doc = customers::load(conn, id, with_data)?.ok_or_else(|| Error::NotFound {
            what: "customer",
            id: id.to_string(),
        })?;
        let items: usize = doc.conversations.iter().map(|c| c.items.len()).sum();
        audit::append_at(
            conn,
            &Entry::new(&actor.username, crate::audit::EXPORT)
                .target(&doc.id)
                .count("items", items as i64)
                .count("with_content", i64::from(with_data)),
            now,
        )?;
        Ok(doc)
    })
}

/// A document as pretty-printed JSON with a final newline: what `lethe
/// export` writes and `lethe import` reads back.
pub fn to_pretty(doc: &CustomerDoc) -> Result<String> {
    let mut text = serde_json::to_string_pretty(doc)
        .map_err(|e| Error::Invalid(format!("the document could not be written as JSON ({e})")))?;
    text.push('\n');
    Ok(text)
}

/// Most profiles `find --name` lists.
pub const NAME_LIMIT: usize = 1000;

/// Profiles matching one key, as the platform's Find Customers API
/// answers: every match (duplicates included), profile fields only. Names
/// match by the starts of their words (`search::by_name`); the other keys
/// exactly.
pub fn find(conn: &Read, field: Field, value: &str) -> Result<Vec<CustomerDoc>> {
    let mut docs = Vec::new();
    let found = match field {
        Field::Name => search::by_name(conn, value, NAME_LIMIT)?,
        _ => search::exact(conn, field, value)?,
    };
    for summary in found {
        if let Some(doc) = customers::load_profile(conn, &summary.id)? {
            docs.push(doc);
        }
    }
    Ok(docs)
}

/// At most `limit` live profiles matching one key, newest `updatedAt`
/// first (then by ID), profile fields only: the platform's lookup. Only
/// the profiles returned are read, however many share the key.
pub fn find_newest(
    conn: &Read,
    field: Field,
    value: &str,
    limit: usize,
) -> Result<Vec<CustomerDoc>> {
    let mut dated = Vec::new();
    for id in search::exact_ids(conn, field, value)? {
        if let Some(at) = customers::live_updated_at(conn, &id)? {
            dated.push((at, id));
        }
    }
    dated.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut docs = Vec::with_capacity(limit.min(dated.len()));
    for (_, id) in dated.into_iter().take(limit) {
        if let Some(doc) = customers::load_profile(conn, &id)? {
            docs.push(doc);
        }
    }
    Ok(docs)
}

/// Profiles as a pretty-printed JSON array (`[]` when empty), without the
/// `conversations`, `orders` and `appData` keys.
pub fn profiles_json(docs: &[CustomerDoc]) -> Result<String> {
    let list = profiles_value(docs)?;
    let mut text = serde_json::to_string_pretty(&list)
        .map_err(|e| Error::Invalid(format!("the profiles could not be written as JSON ({e})")))?;
    text.push('\n');
    Ok(text)
}

/// `profiles_json` as a JSON value (an array).
pub fn profiles_value(docs: &[CustomerDoc]) -> Result<Value> {
    let mut list = Vec::with_capacity(docs.len());
    for doc in docs {
        let mut v = serde_json::to_value(doc)
            .map_err(|e| Error::Invalid(format!("a profile could not be written as JSON ({e})")))?;
        if let Value::Object(map) = &mut v {
            for key in ["conversations", "orders", "appData"] {
                map.shift_remove(key);
            }
        }
        list.push(v);
    }
    Ok(Value::Array(list))
}
