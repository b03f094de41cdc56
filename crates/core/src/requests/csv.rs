//! Requests imported from a CSV file.

use super::*;

/// One parsed CSV row, or the reason it is bad.
pub fn parse_csv(
    text: &str,
    default_received: Millis,
) -> std::result::Result<Vec<NewRequest>, Vec<String>> {
    let rows = match crate::csv::parse(text) {
        Ok(rows) => rows,
        Err(e) => return Err(vec![e]),
    };
    let mut errors = vec![];
    let mut out = vec![];
    let Some(((_, header), body)) = rows.split_first() else {
        return Err(vec!["the file is empty; expected a header line such as: type,regulation,email,phone,external_id,customer_id,received,note".into()]);
    };
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let Some(type_col) = col("type") else {
        return Err(vec!["line 1: the header has no \"type\" column; expected: type,regulation,email,phone,external_id,customer_id,received,note".into()]);
    };
    let cols = [
        col("regulation"),
        col("email"),
        col("phone"),
        col("external_id"),
        col("customer_id"),
        col("received"),
        col("note"),
    ];
    for (line, fields) in body {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |c: Option<usize>| {
            c.and_then(|i| fields.get(i))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        let kind = match fields.get(type_col).and_then(|t| Kind::parse(t)) {
            Some(k) => k,
            None => {
                errors.push(format!(
                    "line {line}: type \"{}\" is not erasure or access",
                    fields.get(type_col).map(|s| s.as_str()).unwrap_or("")
                ));
                continue;
            }
        };
        let Some(regulation) = Regulation::parse(get(cols[0]).unwrap_or("")) else {
            errors.push(format!(
                "line {line}: regulation \"{}\" is not gdpr, ccpa or other",
                get(cols[0]).unwrap_or("")
            ));
            continue;
        };
        let split = |c: Option<usize>| -> Vec<String> {
            get(c)
                .map(|v| {
                    v.split(';')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let received_at = match get(cols[5]) {
            None => default_received,
            Some(t) => match clock::parse(t) {
                Some(ms) => ms,
                None => {
                    errors.push(format!(
                        "line {line}: received date \"{t}\" is not a date; use YYYY-MM-DD"
                    ));
                    continue;
                }
            },
        };
        let new = NewRequest {
            kind,
            regulation,
            identifiers: Identifiers {
                emails: split(cols[1]),
                phones: split(cols[2]),
                external_ids: split(cols[3]),
                customer_ids: split(cols[4]),
            },
            received_at,
            note: get(cols[6]).map(str::to_string),
        };
        if let Err(why) = validate(&new) {
            errors.push(format!("line {line}: {why}"));
            continue;
        }
        out.push(new);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
