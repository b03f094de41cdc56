//! Byte-level proof of erasure: search the database files themselves
//! (`.db`, `-wal`, `-shm`, `-journal`) for values that must be gone, and
//! check that every byte of free space in the database file is zero.
//!
//! Both read the files directly, so both run in a child process
//! (`child`): a process with a SQLite connection must not open and close
//! the database's files itself.

use crate::tuning::child;
pub mod free_space;
mod pass;

use std::path::{Path, PathBuf};

pub use free_space::FreeSpace;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::text::plural;

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

/// Which profiles of a bulk run verification read the values of: every
/// `of / sampled`-th one, in the run's order.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProfileSample {
    pub sampled: usize,
    pub of: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampled_from: Option<usize>,
    /// When a bulk run erased more profiles than verification reads back,
    /// the values came from an evenly spaced sample of its profiles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_sample: Option<ProfileSample>,
    /// The first scan found values in free space of B-tree pages, so the
    /// database was compacted (VACUUM) and scanned again; this is the
    /// second scan's result.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub compacted: bool,
    /// The structural check of the database file's free space, which finds
    /// a remnant without knowing its value. Absent in receipts written
    /// before it existed, and for a scan that only looked for values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_space: Option<FreeSpace>,
}

impl Scan {
    /// Nothing erased was found: no value, and no non-zero byte in free
    /// space where that was checked.
    pub fn is_clean(&self) -> bool {
        self.values_found == 0 && self.free_space.as_ref().is_none_or(FreeSpace::is_clean)
    }

    /// Whether the values searched for were a sample of those erased.
    pub fn is_sampled(&self) -> bool {
        self.sampled_from.is_some() || self.profile_sample.is_some()
    }

    /// `verdict` as a sentence that starts with whether it passed.
    pub fn headline(&self) -> String {
        let after = if self.compacted {
            " after compacting the database"
        } else {
            ""
        };
        if self.is_clean() {
            format!("Verified{after}: {}.", self.verdict())
        } else {
            format!("VERIFICATION FAILED{after}: {}.", self.verdict())
        }
    }

    /// One sentence that says what was checked and what was found, worded
    /// for exactly that: "not found" only of what was searched for, and
    /// "a sample" whenever it was one. `headline` adds whether it passed
    /// and whether the file was compacted first.
    pub fn verdict(&self) -> String {
        let files = plural(self.files.len(), "database file");
        let values = if self.values_checked == 0 {
            "no erased value was long enough to search for".to_string()
        } else if self.values_found == 0 {
            if self.is_sampled() {
                format!(
                    "none of a sample of {} erased values{} was found in the {files}",
                    self.values_checked,
                    self.sample_note()
                )
            } else {
                format!(
                    "none of the {} erased values was found in the {files}",
                    self.values_checked
                )
            }
        } else {
            format!(
                "{} of {} erased values{} are still in the {files}",
                self.values_found,
                self.values_checked,
                self.sample_note()
            )
        };
        let structure = match &self.free_space {
            None => "free space was not checked".to_string(),
            Some(f) if f.is_clean() => format!(
                "free space is all zero ({} bytes on {} of {} pages)",
                f.free_bytes,
                f.btree_pages + f.freelist_pages,
                f.pages
            ),
            Some(f) => format!(
                "free space holds {} non-zero bytes on {}",
                f.dirty_bytes,
                plural(f.dirty_pages as usize, "page")
            ),
        };
        format!("{values}; {structure}")
    }

    /// How the checked values were sampled, for a summary line: empty when
    /// every erased value was checked.
    pub fn sample_note(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = self.profile_sample {
            parts.push(format!("from {} of {} profiles", p.sampled, p.of));
        }
        if let Some(n) = self.sampled_from {
            parts.push(format!("a sample of {} of {n} values", self.values_checked));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        }
    }
}

/// Searches every database file for every needle (exact bytes, and also its
/// ASCII-lowercase form). Needles shorter than 4 bytes are skipped: they
/// occur by chance in any file. The result never contains the needles.
/// Runs in a child process.
pub fn scan(db: &Path, needles: &[Vec<u8>]) -> Result<Scan> {
    scan_each(db, needles).map(|(scan, _)| scan)
}

/// Like `scan`, and also says which needles were found: one flag per
/// needle, in the order given (skipped short needles are `false`).
pub fn scan_each(db: &Path, needles: &[Vec<u8>]) -> Result<(Scan, Vec<bool>)> {
    child::run(|| scan_here(db, needles, false))
}

/// `scan_each` and the structural check of the database file's free space
/// (`Scan::free_space`), in one child process and one read of the files.
pub fn verify(db: &Path, needles: &[Vec<u8>]) -> Result<(Scan, Vec<bool>)> {
    child::run(|| scan_here(db, needles, true))
}

/// The structural check alone, in a child process: `None` when the file
/// is missing or not a database.
pub fn check_free_space(db: &Path) -> Result<Option<FreeSpace>> {
    child::run(|| Ok(scan_here(db, &[], true)?.0.free_space))
}

/// The value scan, and with `structure` the structural check, in this
/// process: only for a process without a connection to the database.
fn scan_here(db: &Path, needles: &[Vec<u8>], structure: bool) -> Result<(Scan, Vec<bool>)> {
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
        profile_sample: None,
        compacted: false,
        free_space: None,
    };
    if forms.is_empty() && !structure {
        return Ok((scan, vec![false; needles.len()]));
    }
    // Overlapping matches: a value inside or across another found value is
    // found too, in one pass.
    let read = pass::run(db, &forms, structure)?;
    scan.files = read.files;
    scan.bytes_scanned = read.bytes;
    scan.free_space = read.free_space;
    let mut found = vec![false; kept];
    for i in read.hits {
        found[i] = true;
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
    fn a_value_inside_another_found_value_is_found_too() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        std::fs::write(&db, b"....CARD 4539148803436467 END....").unwrap();
        let (s, flags) = scan_each(
            &db,
            &[
                b"CARD 4539148803436467".to_vec(),
                b"4539148803436467 END".to_vec(),
            ],
        )
        .unwrap();
        assert_eq!(s.values_found, 2);
        assert_eq!(flags, vec![true, true]);
    }

    #[test]
    fn a_sampled_scan_says_so_and_survives_a_receipt_round_trip() {
        let mut s = Scan {
            files: vec![],
            bytes_scanned: 0,
            values_checked: 20_000,
            values_found: 0,
            sampled_from: None,
            profile_sample: None,
            compacted: false,
            free_space: None,
        };
        assert_eq!(s.sample_note(), "");
        s.sampled_from = Some(31_000);
        s.profile_sample = Some(ProfileSample {
            sampled: 998,
            of: 98_793,
        });
        let note = " (from 998 of 98793 profiles, a sample of 20000 of 31000 values)";
        assert_eq!(s.sample_note(), note);
        // Receipts keep the scan as JSON; the console reads it back.
        let back: Scan = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
        assert_eq!(back.sample_note(), note);
    }

    #[test]
    fn finds_a_value_across_the_middle_where_the_two_threads_meet() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        let mut bytes = vec![b'.'; 1000];
        bytes[495..507].copy_from_slice(b"MIDDLE-VALUE");
        std::fs::write(&db, &bytes).unwrap();
        // Enough values that the file is split between two threads.
        let mut values = vec![b"MIDDLE-VALUE".to_vec()];
        values.extend((0..=pass::SPLIT_FROM).map(|i| format!("ABSENT-{i:05}").into_bytes()));
        let (s, flags) = scan_each(&db, &values).unwrap();
        assert!(flags[0] && !flags[1..].iter().any(|f| *f));
        // The overlap of the halves is not counted twice.
        assert_eq!(s.bytes_scanned, 1000);
    }

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
