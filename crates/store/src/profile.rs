//! The profile pane's data: one customer's fields and counts, without
//! reading their conversations.

use rusqlite::OptionalExtension;
use serde_json::{Map, Value};

use crate::error::Result;
use crate::model::profile::{Counts, Profile};
use crate::Read;

fn pairs(text: Option<String>) -> Vec<(String, String)> {
    let map: Map<String, Value> = text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    map.into_iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (k, v)
        })
        .collect()
}

pub fn load(conn: &Read<'_>, id: &str) -> Result<Option<Profile>> {
    let conn = conn.sql();
    let found = conn
        .prepare_cached(
            "SELECT id, name, external_customer_id, external_ids, custom_attributes, created_at,
                 last_contact_at, deleted_at
             FROM customers WHERE id = ?1",
        )?
        .query_row([id], |r| {
            let mut external_ids: Vec<(String, String)> = r
                .get::<_, Option<String>>(2)?
                .map(|x| vec![("external".to_string(), x)])
                .unwrap_or_default();
            external_ids.extend(pairs(r.get(3)?));
            Ok(Profile {
                id: r.get(0)?,
                name: r.get(1)?,
                emails: vec![],
                phones: vec![],
                addresses: vec![],
                external_ids,
                custom_attributes: pairs(r.get(4)?),
                created_at: r.get(5)?,
                last_contact_at: r.get(6)?,
                deleted_at: r.get(7)?,
                open_conversations: vec![],
                counts: Counts::default(),
            })
        })
        .optional()?;
    let Some(mut p) = found else {
        return Ok(None);
    };
    p.emails = conn
        .prepare_cached(
            "SELECT original FROM customer_emails WHERE customer_id = ?1
             ORDER BY is_primary DESC, position",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    p.phones = conn
        .prepare_cached(
            "SELECT original, type FROM customer_phones WHERE customer_id = ?1
             ORDER BY is_primary DESC, position",
        )?
        .query_map([id], |r| {
            let original: String = r.get(0)?;
            let kind: Option<String> = r.get(1)?;
            Ok(match kind {
                Some(k) => format!("{original} ({k})"),
                None => original,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    p.addresses = conn
        .prepare_cached(
            "SELECT line1, line2, city, region, postal_code, country FROM customer_addresses
             WHERE customer_id = ?1 ORDER BY position",
        )?
        .query_map([id], |r| {
            let parts: Vec<Option<String>> =
                (0..6).map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?;
            Ok(parts
                .into_iter()
                .flatten()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "))
        })?
        .collect::<rusqlite::Result<_>>()?;
    p.open_conversations = conn
        .prepare_cached(
            "SELECT id, status FROM conversations WHERE customer_id = ?1 AND status <> 'CLOSED'
             ORDER BY created_at, id",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let count = |sql: &str| -> Result<usize> {
        Ok(conn
            .prepare_cached(sql)?
            .query_row([id], |r| r.get::<_, i64>(0))? as usize)
    };
    p.counts = Counts {
        conversations: count("SELECT count(*) FROM conversations WHERE customer_id = ?1")?,
        items: count("SELECT count(*) FROM items WHERE customer_id = ?1")?,
        deleted_items: count(
            "SELECT count(*) FROM items WHERE customer_id = ?1 AND deleted_at IS NOT NULL",
        )?,
        attachments: count(
            "SELECT count(*) FROM attachments a JOIN items i ON a.item_id = i.id
             WHERE i.customer_id = ?1 AND a.deleted_at IS NULL",
        )?,
        recordings: count(
            "SELECT count(*) FROM recordings r JOIN items i ON r.item_id = i.id
             WHERE i.customer_id = ?1 AND r.deleted_at IS NULL",
        )?,
    };
    Ok(Some(p))
}
