//! One read of the database files for both checks: the value scan over
//! every file, and the structural check over the pages of the database
//! file, chunk by chunk as the scan reads them.

use std::os::unix::fs::FileExt;
use std::path::Path;

use super::free_space::{FreeSpace, PageLayout};
use crate::error::{Error, Result};

/// From how many values (forms) a file is scanned as two halves.
pub const SPLIT_FROM: usize = 1000;
/// From what size the database file is read as two halves for the
/// structural check alone: parsing the pages, not the disk, sets the pace.
const SPLIT_STRUCTURE_FROM: u64 = 32 << 20;
/// Bytes per read: a multiple of every page size.
const CHUNK: usize = 8 << 20;

/// What one read of the files found.
pub struct Read {
    /// Files that existed and were read in full.
    pub files: Vec<String>,
    pub bytes: u64,
    /// The indexes (the forms' first field) of the values found.
    pub hits: Vec<usize>,
    /// The structural check, when asked for and the file is a database.
    pub free_space: Option<FreeSpace>,
}

/// Reads every database file once, matching `forms`, and, with
/// `structure`, checks the free space of every page of the database file.
/// With many values or a large file, a file is read as two halves on two
/// threads; the second half starts early by the longest value less one
/// byte (rounded up to whole pages), so a value across the middle is seen
/// whole, and each page is checked by exactly one half.
pub fn run(db: &Path, forms: &[(usize, Vec<u8>)], structure: bool) -> Result<Read> {
    let ac = if forms.is_empty() {
        None
    } else {
        Some(
            aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::Standard)
                .build(forms.iter().map(|(_, n)| n.as_slice()))
                .map_err(|e| {
                    Error::Invalid(format!("cannot build the verification scanner: {e}"))
                })?,
        )
    };
    let longest = forms.iter().map(|(_, n)| n.len()).max().unwrap_or(0) as u64;
    let mut out = Read {
        files: Vec::new(),
        bytes: 0,
        hits: Vec::new(),
        free_space: None,
    };
    let mut hits = std::collections::BTreeSet::new();
    for (k, file) in super::database_files(db).into_iter().enumerate() {
        let is_db = k == 0;
        if ac.is_none() && !(is_db && structure) {
            continue;
        }
        let Ok(f) = std::fs::File::open(&file) else {
            continue;
        };
        out.files.push(file.display().to_string());
        let size = f.metadata()?.len();
        let layout = if is_db && structure {
            PageLayout::read(&f, size, &file)?
        } else {
            None
        };
        let page = layout.as_ref().map_or(4096, |l| l.page_size as u64);
        let split = forms.len() > SPLIT_FROM || (layout.is_some() && size >= SPLIT_STRUCTURE_FROM);
        let ranges: Vec<Range> = if split {
            let mid = size / 2 / page * page;
            let back = longest.saturating_sub(1).div_ceil(page) * page;
            vec![
                Range {
                    from: 0,
                    to: mid,
                    pages_from: 0,
                },
                Range {
                    from: mid.saturating_sub(back),
                    to: size,
                    pages_from: mid,
                },
            ]
        } else {
            vec![Range {
                from: 0,
                to: size,
                pages_from: 0,
            }]
        };
        let (f, ac, layout) = (&f, ac.as_ref(), layout.as_ref());
        let found = std::thread::scope(|scope| {
            let workers: Vec<_> = ranges
                .iter()
                .map(|r| scope.spawn(move || read_range(f, r, ac, longest, layout)))
                .collect();
            workers
                .into_iter()
                .map(|w| {
                    w.join()
                        .unwrap_or_else(|_| Err(std::io::Error::other("scan thread panicked")))
                })
                .collect::<std::io::Result<Vec<_>>>()
        })?;
        for part in found {
            out.bytes += part.read;
            hits.extend(part.patterns.into_iter().map(|p| forms[p].0));
            if let Some(fs) = part.free_space {
                out.free_space
                    .get_or_insert_with(FreeSpace::default)
                    .merge(fs);
            }
        }
        // The overlap of two halves was read twice.
        if let [a, b] = &ranges[..] {
            out.bytes = out.bytes.saturating_sub(a.to - b.from);
        }
    }
    out.hits = hits.into_iter().collect();
    Ok(out)
}

/// A part of a file to read: `from..to`, checking the structure of the
/// pages that start at or after `pages_from`.
struct Range {
    from: u64,
    to: u64,
    pages_from: u64,
}

struct Part {
    read: u64,
    patterns: Vec<usize>,
    free_space: Option<FreeSpace>,
}

/// Reads a range in chunks that overlap (for matching) by the longest
/// value less one byte; matches each chunk, and checks each whole page in
/// it when a layout is given.
fn read_range(
    f: &std::fs::File,
    r: &Range,
    ac: Option<&aho_corasick::AhoCorasick>,
    longest: u64,
    layout: Option<&PageLayout>,
) -> std::io::Result<Part> {
    let mut found = vec![false; ac.map_or(0, |a| a.patterns_len())];
    let mut free_space = layout.map(|_| FreeSpace::default());
    let mut scratch = Vec::new();
    let mut buf = vec![0u8; CHUNK];
    let mut carry: Vec<u8> = Vec::new();
    let mut at = r.from;
    while at < r.to {
        let want = ((r.to - at) as usize).min(buf.len());
        let n = fill(f, &mut buf[..want], at)?;
        if n == 0 {
            break;
        }
        if let (Some(l), Some(fs)) = (layout, free_space.as_mut()) {
            let size = l.page_size;
            // `at` is a whole number of pages into the file: every read
            // starts on a page boundary and reads whole chunks.
            for (k, page) in buf[..n].chunks_exact(size).enumerate() {
                let offset = at + (k * size) as u64;
                if offset >= r.pages_from {
                    l.check_page((offset / size as u64) as u32 + 1, page, fs, &mut scratch);
                }
            }
        }
        if let Some(ac) = ac {
            let mut window = std::mem::take(&mut carry);
            window.extend_from_slice(&buf[..n]);
            for m in ac.find_overlapping_iter(&window) {
                found[m.pattern().as_usize()] = true;
            }
            let keep = (longest.saturating_sub(1) as usize).min(window.len());
            carry = window[window.len() - keep..].to_vec();
        }
        at += n as u64;
    }
    let patterns = found
        .iter()
        .enumerate()
        .filter(|(_, f)| **f)
        .map(|(i, _)| i)
        .collect();
    Ok(Part {
        read: at - r.from,
        patterns,
        free_space,
    })
}

/// Reads until `buf` is full or the file ends; returns the bytes read.
fn fill(f: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read_at(&mut buf[n..], at + n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
