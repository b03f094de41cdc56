use super::*;

/// A value a deletion removes, read before it goes, so that verification
/// can look for it in the files afterwards. Never stored or logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held {
    /// A whole identifying value: a name, an email, a phone, an ID.
    Exact(String),
    /// Free text (a message body, a subject).
    Text(String),
    /// A JSON document whose string leaves are the values.
    Json(String),
    /// File bytes.
    Bytes(Vec<u8>),
}

pub(super) fn push_opt(out: &mut Vec<Held>, v: Option<String>, f: fn(String) -> Held) {
    if let Some(v) = v.filter(|v| !v.is_empty()) {
        out.push(f(v));
    }
}

/// The content of one item, its attachments and its recording.
pub fn item_values(conn: &Read<'_>, item_id: &str, out: &mut Vec<Held>) -> Result<()> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(
        "SELECT subject, body, from_addr, to_addrs, extra FROM items WHERE id = ?1",
    )?;
    let mut rows = stmt.query([item_id])?;
    while let Some(r) = rows.next()? {
        push_opt(out, r.get(0)?, Held::Text);
        push_opt(out, r.get(1)?, Held::Text);
        push_opt(out, r.get(2)?, Held::Exact);
        push_opt(out, r.get(3)?, Held::Json);
        push_opt(out, r.get(4)?, Held::Json);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT filename, content FROM attachments WHERE item_id = ?1 AND deleted_at IS NULL",
    )?;
    let mut rows = stmt.query([item_id])?;
    while let Some(r) = rows.next()? {
        push_opt(out, r.get(0)?, Held::Exact);
        if let Some(b) = r.get::<_, Option<Vec<u8>>>(1)? {
            out.push(Held::Bytes(b));
        }
    }
    recording_values(&Read::of(conn), "item_id", item_id, out)
}

pub fn attachment_values(conn: &Read<'_>, id: &str, out: &mut Vec<Held>) -> Result<()> {
    let conn = conn.sql();
    let mut stmt =
        conn.prepare_cached("SELECT filename, content FROM attachments WHERE id = ?1")?;
    let mut rows = stmt.query([id])?;
    while let Some(r) = rows.next()? {
        push_opt(out, r.get(0)?, Held::Exact);
        if let Some(b) = r.get::<_, Option<Vec<u8>>>(1)? {
            out.push(Held::Bytes(b));
        }
    }
    Ok(())
}

/// Recording bytes, by the recording's `id` or its `item_id`.
pub fn recording_values(
    conn: &Read<'_>,
    key: &str,
    value: &str,
    out: &mut Vec<Held>,
) -> Result<()> {
    let conn = conn.sql();
    let sql = if key == "id" {
        "SELECT content FROM recordings WHERE id = ?1"
    } else {
        "SELECT content FROM recordings WHERE item_id = ?1"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query([value])?;
    while let Some(r) = rows.next()? {
        if let Some(b) = r.get::<_, Option<Vec<u8>>>(0)? {
            out.push(Held::Bytes(b));
        }
    }
    Ok(())
}

/// Every PII value of a profile, read before it is wiped.
pub fn profile_values(conn: &Read<'_>, customer_id: &str, out: &mut Vec<Held>) -> Result<()> {
    let conn = conn.sql();
    let mut stmt = conn.prepare_cached(
        "SELECT name, external_customer_id, external_ids, custom_attributes, search_keys
         FROM customers WHERE id = ?1",
    )?;
    let mut rows = stmt.query([customer_id])?;
    while let Some(r) = rows.next()? {
        push_opt(out, r.get(0)?, Held::Exact);
        push_opt(out, r.get(1)?, Held::Exact);
        push_opt(out, r.get(2)?, Held::Json);
        push_opt(out, r.get(3)?, Held::Json);
        // Name, email, phone and external ID keys (not name tokens); not
        // the customer ID, which the skeleton keeps.
        if let Some(list) = r.get::<_, Option<String>>(4)? {
            for (_, kind, key) in crate::customers::parse_key_list(customer_id, &list)? {
                if crate::model::search::is_whole_value(kind) {
                    push_opt(out, Some(key), Held::Exact);
                }
            }
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT original, normalized FROM customer_emails WHERE customer_id = ?1
         UNION ALL
         SELECT original, normalized FROM customer_phones WHERE customer_id = ?1",
    )?;
    let mut rows = stmt.query([customer_id])?;
    while let Some(r) = rows.next()? {
        push_opt(out, r.get(0)?, Held::Exact);
        push_opt(out, r.get(1)?, Held::Exact);
    }
    // City, region, country and type are left out on purpose: alone they
    // identify no one and other live profiles hold the same words.
    let mut stmt = conn.prepare_cached(
        "SELECT line1, line2, postal_code FROM customer_addresses WHERE customer_id = ?1",
    )?;
    let mut rows = stmt.query([customer_id])?;
    while let Some(r) = rows.next()? {
        push_opt(out, r.get(0)?, Held::Exact);
        push_opt(out, r.get(1)?, Held::Exact);
        push_opt(out, r.get(2)?, Held::Exact);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT number, details FROM orders WHERE customer_id = ?1
         UNION ALL
         SELECT NULL, payload FROM app_data WHERE customer_id = ?1",
    )?;
    let mut rows = stmt.query([customer_id])?;
    while let Some(r) = rows.next()? {
        push_opt(out, r.get(0)?, Held::Exact);
        push_opt(out, r.get(1)?, Held::Json);
    }
    let mut stmt =
        conn.prepare_cached("SELECT id FROM items WHERE customer_id = ?1 AND deleted_at IS NULL")?;
    let ids: Vec<String> = stmt
        .query_map([customer_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        item_values(&Read::of(conn), &id, out)?;
    }
    Ok(())
}

/// For each value, whether a live record (of any profile, or the kept
/// skeleton) still holds it, compared as the forensic scan does (exact, or
/// ASCII-lowercased). Used only for values the scan found, to tell a value
/// that other records legitimately hold (a common name, a canned reply, an
/// app's name) from a remnant. Each table is read once, whatever the number
/// of values, and the reading stops as soon as every value is accounted for.
pub fn held_by_live_records(conn: &Read<'_>, values: &[Vec<u8>]) -> Result<Vec<bool>> {
    let conn = conn.sql();
    // Every text column a customer's data can share with other records,
    // one lowercased string per row. Columns that lie side by side in the
    // row's record on disk (declared order; a WITHOUT ROWID table's key
    // first) are joined with nothing between them, as the file holds them:
    // a live message body followed by its sender's address forms bytes
    // that are no remnant of anyone. Where a number column, or an ID left
    // out here, stands between two text columns, char(31) keeps them
    // apart. (IDs are left out: no erased value is an ID, and reading them
    // too made this pass a third slower on a million customers.)
    const TEXT: &[&str] = &[
        "SELECT lower(coalesce(name, '') || coalesce(external_customer_id, '')
             || coalesce(external_ids, '') || coalesce(custom_attributes, ''))
         FROM customers",
        "SELECT lower(original || normalized) FROM customer_emails",
        "SELECT lower(original || normalized || coalesce(type, '')) FROM customer_phones",
        // City, region and country too: an erased order's shipping address
        // names a city that other customers live in.
        "SELECT lower(coalesce(type, '') || coalesce(line1, '') || coalesce(line2, '')
             || coalesce(city, '') || coalesce(region, '') || coalesce(postal_code, '')
             || coalesce(country, ''))
         FROM customer_addresses",
        "SELECT key FROM search_keys",
        // Platform words (statuses, topics, channels, item types, app
        // initiators) live in the kept skeleton of every profile.
        "SELECT lower(status || coalesce(topic, '') || coalesce(channel, ''))
         FROM conversations",
        "SELECT lower(type || char(31) || coalesce(initiator_id, '')
             || coalesce(initiator_type, '') || coalesce(direction, '')
             || coalesce(subject, '') || coalesce(body, '') || coalesce(from_addr, '')
             || coalesce(to_addrs, '') || coalesce(extra, ''))
         FROM items",
        "SELECT lower(coalesce(filename, '')) FROM attachments",
        "SELECT lower(coalesce(source, '') || coalesce(number, '') || char(31)
             || coalesce(status, '') || char(31) || coalesce(details, ''))
         FROM orders",
        "SELECT lower(app || payload) FROM app_data",
        "SELECT lower(coalesce(identifiers, '') || char(31) || coalesce(note, ''))
         FROM requests",
    ];
    const BYTES: &[&str] = &[
        "SELECT content FROM attachments WHERE content IS NOT NULL",
        "SELECT content FROM recordings WHERE content IS NOT NULL",
    ];
    let mut held = vec![false; values.len()];
    // Text is compared lowercased, and also accent-folded as search keys
    // hold it: the file scan looks for both forms.
    let mut text_forms: Vec<(usize, Vec<u8>)> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if let Ok(t) = std::str::from_utf8(v) {
            let lower = v.to_ascii_lowercase();
            let folded = crate::text::fold(t).into_bytes();
            if folded != lower {
                text_forms.push((i, folded));
            }
            text_forms.push((i, lower));
        }
    }
    mark_matches(conn, TEXT, &text_forms, &mut held)?;
    let bytes: Vec<(usize, Vec<u8>)> = values.iter().cloned().enumerate().collect();
    mark_matches(conn, BYTES, &bytes, &mut held)?;
    Ok(held)
}

/// Reads every row of each query and marks the values (by index) whose
/// form occurs in it, until every value is marked. Matches may overlap: a
/// value inside another in the same row still counts as found.
pub(super) fn mark_matches(
    conn: &Connection,
    queries: &[&str],
    forms: &[(usize, Vec<u8>)],
    held: &mut [bool],
) -> Result<()> {
    for sql in queries {
        let open: Vec<&(usize, Vec<u8>)> = forms.iter().filter(|(i, _)| !held[*i]).collect();
        if open.is_empty() {
            return Ok(());
        }
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(open.iter().map(|(_, f)| f.as_slice()))
            .map_err(|e| {
                crate::Error::Invalid(format!("cannot build the verification scanner: {e}"))
            })?;
        // Distinct values still to account for (a value may have two forms).
        let mut remaining = open
            .iter()
            .map(|(i, _)| *i)
            .collect::<std::collections::HashSet<_>>()
            .len();
        let mut stmt = conn.prepare_cached(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let bytes = match row.get_ref(0)? {
                rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => t,
                _ => continue,
            };
            for m in ac.find_overlapping_iter(bytes) {
                let i = open[m.pattern().as_usize()].0;
                if !held[i] {
                    held[i] = true;
                    remaining = remaining.saturating_sub(1);
                }
            }
            if remaining == 0 {
                break;
            }
        }
    }
    Ok(())
}
