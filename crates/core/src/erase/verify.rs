//! The byte-level verification after an erasure.

use super::*;

/// The shortest value worth searching for: shorter ones turn up by chance.
pub(super) const MIN_NEEDLE: usize = 6;
/// Texts up to this length are searched whole; longer ones by a window.
pub(super) const WHOLE_TEXT: usize = 64;
pub(super) const WINDOW: usize = 48;

/// The byte strings verification searches for, from the values a deletion
/// removes: identifying values whole, short texts whole, long texts and
/// file bytes by their most varied 48-byte window (a run of zeros or
/// spaces proves nothing), JSON by its string values.
pub(super) fn needles_of(held: Vec<Held>) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut push = |b: &[u8]| {
        if b.len() >= MIN_NEEDLE && seen.insert(b.to_vec()) {
            out.push(b.to_vec());
        }
    };
    fn text_needle(s: &str) -> Option<&[u8]> {
        let s = s.trim();
        if s.len() <= WHOLE_TEXT {
            return Some(s.as_bytes());
        }
        window(s.as_bytes(), true, 8)
    }
    fn json_leaves<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::String(s) => out.push(s),
            serde_json::Value::Array(a) => a.iter().for_each(|x| json_leaves(x, out)),
            serde_json::Value::Object(m) => m.values().for_each(|x| json_leaves(x, out)),
            _ => {}
        }
    }
    for h in held {
        match h {
            Held::Exact(s) => push(s.trim().as_bytes()),
            Held::Text(s) => {
                if let Some(b) = text_needle(&s) {
                    push(b)
                }
            }
            Held::Json(s) => match serde_json::from_str::<serde_json::Value>(&s) {
                Ok(v) => {
                    let mut leaves = vec![];
                    json_leaves(&v, &mut leaves);
                    for leaf in leaves {
                        if let Some(b) = text_needle(leaf) {
                            push(b)
                        }
                    }
                }
                Err(_) => {
                    if let Some(b) = text_needle(&s) {
                        push(b)
                    }
                }
            },
            Held::Bytes(b) => {
                if b.len() <= WINDOW {
                    push(&b)
                } else if let Some(w) = window(&b, false, 12) {
                    push(w)
                }
            }
        }
    }
    out
}

/// The `WINDOW`-byte slice with the most distinct byte values among 16
/// evenly spaced candidates; `None` when even the best is too uniform.
/// For text, the window is cut on character boundaries.
pub(super) fn window(bytes: &[u8], text: bool, min_distinct: usize) -> Option<&[u8]> {
    let last = bytes.len().checked_sub(WINDOW)?;
    let mut best: Option<(usize, &[u8])> = None;
    for k in 0..16 {
        let mut start = last * k / 15;
        let mut end = start + WINDOW;
        if text {
            while start < end && (bytes[start] & 0xC0) == 0x80 {
                start += 1;
            }
            while end < bytes.len() && end > start && (bytes[end] & 0xC0) == 0x80 {
                end -= 1;
            }
        }
        let w = &bytes[start..end];
        let mut distinct = [false; 256];
        w.iter().for_each(|b| distinct[*b as usize] = true);
        let score = distinct.iter().filter(|d| **d).count();
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, w));
        }
    }
    best.filter(|(s, _)| *s >= min_distinct).map(|(_, w)| w)
}

/// Verifies that `values`, just removed, are in no database file unless
/// live records hold them, and that the file's free space is all zero
/// (compacting once if not). Returns the scan and how many values live
/// records explain; `None` for an in-memory store.
pub fn verify_values(
    store: &Store,
    values: &[Vec<u8>],
    verify: Verify,
) -> Result<(Option<Scan>, usize)> {
    if verify == Verify::Skip {
        return Ok((None, 0));
    }
    let needles: Vec<Vec<u8>> = values
        .iter()
        .filter(|v| v.len() >= MIN_NEEDLE)
        .cloned()
        .collect();
    verify_gone(store, &needles, verify)
}

/// Scans the database files for the needles and checks the database
/// file's free space, and discounts hits that live records explain.
/// Returns the combined scan, whose `values_found` counts only unexplained
/// hits, and the number of explained ones. `None` for an in-memory store.
///
/// `Verify::Full` searches for up to `VERIFY_MAX` values, an evenly spaced
/// sample of a bigger run (the scan says so); `Verify::Every` searches for
/// every value, `VERIFY_MAX` per pass over the files. The structural check
/// needs no values and always covers the whole file.
pub(super) fn verify_gone(
    store: &Store,
    needles: &[Vec<u8>],
    verify: Verify,
) -> Result<(Option<Scan>, usize)> {
    let Some(path) = store.path() else {
        return Ok((None, 0));
    };
    let sample: Vec<Vec<u8>>;
    let (checked, sampled_from) = if needles.len() > VERIFY_MAX && verify != Verify::Every {
        let step = needles.len() as f64 / VERIFY_MAX as f64;
        sample = (0..VERIFY_MAX)
            .map(|k| needles[(k as f64 * step) as usize].clone())
            .collect();
        (sample.as_slice(), Some(needles.len()))
    } else {
        (needles, None)
    };
    let (mut scan, mut elsewhere) = scan_once(store, path, checked)?;
    if !scan.is_clean() {
        // A file written by an older SQLite can keep old cell bytes in the
        // free space of its pages. Rebuild the file and look again.
        store.compact()?;
        (scan, elsewhere) = scan_once(store, path, checked)?;
        scan.compacted = true;
    }
    scan.sampled_from = sampled_from;
    Ok((Some(scan), elsewhere))
}

/// One verification of the files, in passes of at most `VERIFY_MAX`
/// values, with the hits that live records explain taken out of
/// `values_found`; returns the scan and how many were explained. The
/// store holds a read snapshot meanwhile, so that no checkpoint, of this
/// process or another, rewrites the database file under the scan.
pub(super) fn scan_once(
    store: &Store,
    path: &std::path::Path,
    values: &[Vec<u8>],
) -> Result<(Scan, usize)> {
    let (mut scan, found) = store.with_snapshot(|| {
        // The first pass also checks the free space; the others, for runs
        // of more than VERIFY_MAX values, look for the rest of them.
        let (first, rest) = values.split_at(values.len().min(VERIFY_MAX));
        let (mut scan, mut found) = forensic::verify(path, first)?;
        for part in rest.chunks(VERIFY_MAX) {
            let (s, f) = forensic::scan_each(path, part)?;
            found.extend(f);
            scan.values_checked += s.values_checked;
            scan.values_found += s.values_found;
            scan.bytes_scanned += s.bytes_scanned;
        }
        Ok((scan, found))
    })?;
    let hits: Vec<Vec<u8>> = values
        .iter()
        .zip(&found)
        .filter(|(_, hit)| **hit)
        .map(|(n, _)| n.clone())
        .collect();
    let held = db::held_by_live_records(&store.read(), &hits)?;
    let elsewhere = held.iter().filter(|h| **h).count();
    scan.values_found = hits.len() - elsewhere;
    Ok((scan, elsewhere))
}

/// How many values one verification pass checks at most.
pub(super) const VERIFY_MAX: usize = 20_000;
/// A bulk run's verification reads back the values of at most about this
/// many profiles, evenly spaced through the run.
pub(super) const VERIFY_PROFILES: usize = 1_000;
