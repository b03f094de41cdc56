//! Byte-level proof of erasure: search the database files themselves
//! (`.db`, `-wal`, `-shm`, `-journal`) for values that must be gone.

use std::io::Read;
use std::path::{Path, PathBuf};

use regex::bytes::RegexBuilder;
use serde::Serialize;

use crate::error::{Error, Result};

/// The files that make up a SQLite database on disk.
pub fn database_files(db: &Path) -> Vec<PathBuf> {
    let mut files = vec![db.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        files.push(PathBuf::from(name));
    }
    files
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Scan {
    /// Files that existed and were read in full.
    pub files: Vec<String>,
    pub bytes_scanned: u64,
    /// How many distinct values were searched for.
    pub values_checked: usize,
    /// How many of them were found somewhere. Zero is the only good answer.
    pub values_found: usize,
    /// When a run erased more values than one scan checks, the values were
    /// an evenly spaced sample of this many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampled_from: Option<usize>,
}

/// One automaton that finds any of these byte strings (overlapping matches
/// are reported leftmost-first). None when there is nothing to look for.
pub fn matcher<'a>(needles: impl Iterator<Item = &'a [u8]>) -> Result<Option<regex::bytes::Regex>> {
    let pattern = needles
        .map(|n| n.iter().map(|b| format!("\\x{b:02x}")).collect::<String>())
        .collect::<Vec<_>>()
        .join("|");
    if pattern.is_empty() {
        return Ok(None);
    }
    RegexBuilder::new(&pattern)
        .unicode(false)
        .size_limit(1 << 30)
        .dfa_size_limit(1 << 30)
        .build()
        .map(Some)
        .map_err(|e| Error::Invalid(format!("cannot build the verification scanner: {e}")))
}

/// Searches every database file for every needle (exact bytes, and also its
/// ASCII-lowercase form). Needles shorter than 4 bytes are skipped: they
/// occur by chance in any file. The result never contains the needles.
pub fn scan(db: &Path, needles: &[Vec<u8>]) -> Result<Scan> {
    scan_each(db, needles).map(|(scan, _)| scan)
}

/// Like `scan`, and also says which needles were found: one flag per
/// needle, in the order given (skipped short needles are `false`).
pub fn scan_each(db: &Path, needles: &[Vec<u8>]) -> Result<(Scan, Vec<bool>)> {
    // Search keys keep lowercased, accent-folded copies of names and emails,
    // so look for those too; a hit on any form counts against the value.
    let mut forms: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut kept = 0;
    let mut index_of = Vec::new();
    for (i, n) in needles.iter().enumerate().filter(|(_, n)| n.len() >= 4) {
        forms.push((kept, n.clone()));
        let lower = n.to_ascii_lowercase();
        if lower != *n {
            forms.push((kept, lower));
        }
        // Search keys hold the folded form (accents dropped): look for it too.
        if let Ok(text) = std::str::from_utf8(n) {
            let folded = crate::text::fold(text).into_bytes();
            if folded.len() >= 4 && !forms.iter().any(|(k, f)| *k == kept && *f == folded) {
                forms.push((kept, folded));
            }
        }
        index_of.push(i);
        kept += 1;
    }
    let mut scan = Scan {
        files: vec![],
        bytes_scanned: 0,
        values_checked: kept,
        values_found: 0,
        sampled_from: None,
    };
    if forms.is_empty() {
        return Ok((scan, vec![false; needles.len()]));
    }
    let Some(re) = matcher(forms.iter().map(|(_, n)| n.as_slice()))? else {
        return Ok((scan, vec![false; needles.len()]));
    };
    // A hash lookup, not a search of `forms`: a bulk verification has tens
    // of thousands of values and, before deletion, as many matches.
    let form_index: std::collections::HashMap<&[u8], usize> =
        forms.iter().map(|(i, n)| (n.as_slice(), *i)).collect();
    let mut found = vec![false; kept];
    let longest = forms.iter().map(|(_, n)| n.len()).max().unwrap_or(0);
    for file in database_files(db) {
        let Ok(mut f) = std::fs::File::open(&file) else {
            continue;
        };
        scan.files.push(file.display().to_string());
        // Read in chunks with an overlap so a value across a boundary is seen.
        let mut buf = vec![0u8; 8 << 20];
        let mut carry: Vec<u8> = Vec::new();
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            scan.bytes_scanned += n as u64;
            let mut window = std::mem::take(&mut carry);
            window.extend_from_slice(&buf[..n]);
            for m in re.find_iter(&window) {
                if let Some(i) = form_index.get(m.as_bytes()) {
                    found[*i] = true;
                }
            }
            let keep = longest.saturating_sub(1).min(window.len());
            carry = window[window.len() - keep..].to_vec();
        }
    }
    scan.values_found = found.iter().filter(|f| **f).count();
    let mut flags = vec![false; needles.len()];
    for (k, i) in index_of.into_iter().enumerate() {
        flags[i] = found[k];
    }
    Ok((scan, flags))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values_across_chunk_boundaries_and_reports_no_values() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        let mut bytes = vec![b'.'; (8 << 20) - 3];
        bytes.extend_from_slice(b"SECRET-VALUE tail");
        std::fs::write(&db, &bytes).unwrap();
        let s = scan(
            &db,
            &[b"SECRET-VALUE".to_vec(), b"ABSENT".to_vec(), b"ab".to_vec()],
        )
        .unwrap();
        assert_eq!((s.values_checked, s.values_found), (2, 1));
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("SECRET"));
    }
}
