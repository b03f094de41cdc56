//! The structural check: every byte of free space in the database file is
//! zero.
//!
//! A value scan only finds what it is told to look for, and a bulk run
//! looks for a sample. This check needs no values: under `secure_delete`
//! SQLite zeroes every byte it frees, so a non-zero byte in free space is
//! a copy that escaped, whatever it was. It reads the file as SQLite lays
//! it out (the file format's "B-tree pages" and "freelist"):
//! - each B-tree page's unallocated gap, between its cell pointers and its
//!   cell content;
//! - each freeblock on such a page, past its 4-byte link and size;
//! - the fragments, the bytes of the content area that belong to no cell
//!   and no freeblock;
//! - freelist trunk pages past the leaf numbers they list, and freelist
//!   leaf pages whole.
//!
//! Overflow pages hold no free space the format can locate without the
//! cells that own them, and are not checked. A page is taken as a B-tree
//! page by its first byte (2, 5, 10 or 13); an overflow page starts with
//! the next overflow page's number, whose first byte is 0 below 2^24
//! pages (64 GiB at 4 KiB), so below that size no page is mistaken.

use std::os::unix::fs::FileExt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What the structural check read and found.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FreeSpace {
    /// Pages of the database file read.
    pub pages: u64,
    /// Of those, B-tree pages whose gap, freeblocks and fragments were
    /// checked, and freelist pages.
    pub btree_pages: u64,
    pub freelist_pages: u64,
    /// Bytes of free space checked.
    pub free_bytes: u64,
    /// Non-zero bytes found in free space, and on how many pages. Zero is
    /// the only good answer.
    pub dirty_bytes: u64,
    pub dirty_pages: u64,
    /// The first few such pages, by number, for a report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub first_dirty: Vec<u32>,
    /// Pages whose layout could not be read; each counts as dirty too.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub malformed_pages: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl FreeSpace {
    pub fn is_clean(&self) -> bool {
        self.dirty_pages == 0
    }

    fn dirty(&mut self, page: u32, bytes: u64) {
        if bytes == 0 {
            return;
        }
        self.dirty_bytes += bytes;
        self.dirty_pages += 1;
        if self.first_dirty.len() < 10 {
            self.first_dirty.push(page);
        }
    }
}

const HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Checks the free space of the database file at `path`, read directly
/// (call it in a process without a connection to it, see `child`).
/// `Ok(None)` when the file is empty or is not a SQLite database.
pub fn check(path: &Path) -> Result<Option<FreeSpace>> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let len = file.metadata()?.len();
    let mut head = [0u8; 100];
    if len < 100 || file.read_exact_at(&mut head, 0).is_err() || &head[..16] != HEADER {
        return Ok(None);
    }
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65536,
        n => n as usize,
    };
    if page_size < 512 || !page_size.is_power_of_two() {
        return Err(malformed(path, "its header names no valid page size"));
    }
    let usable = page_size - head[20] as usize;
    let pages = (len / page_size as u64) as u32;
    let freelist =
        Freelist::read(&file, &head, page_size, pages).map_err(|why| malformed(path, &why))?;
    let mut out = FreeSpace::default();
    let lock_page = (0x4000_0000u64 / page_size as u64 + 1) as u32;
    let mut buf = vec![0u8; page_size * (8 << 20) / page_size];
    let mut at = 0u64;
    while at < pages as u64 * page_size as u64 {
        let want = (pages as u64 * page_size as u64 - at).min(buf.len() as u64) as usize;
        file.read_exact_at(&mut buf[..want], at)?;
        for (k, page) in buf[..want].chunks_exact(page_size).enumerate() {
            let pgno = (at / page_size as u64) as u32 + k as u32 + 1;
            out.pages += 1;
            if pgno == lock_page {
                continue;
            }
            check_page(pgno, &page[..usable], &freelist, &mut out);
        }
        at += want as u64;
    }
    Ok(Some(out))
}

fn malformed(path: &Path, why: &str) -> Error {
    Error::Verification(format!(
        "{} cannot be checked for free space: {why}",
        path.display()
    ))
}

/// Which pages are on the freelist: trunk pages with how many leaf numbers
/// each lists, and leaf pages.
struct Freelist {
    trunks: std::collections::HashMap<u32, usize>,
    leaves: std::collections::HashSet<u32>,
}

impl Freelist {
    fn read(
        file: &std::fs::File,
        head: &[u8; 100],
        page_size: usize,
        pages: u32,
    ) -> std::result::Result<Freelist, String> {
        let be32 = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        let mut list = Freelist {
            trunks: Default::default(),
            leaves: Default::default(),
        };
        let mut trunk = be32(&head[32..36]);
        let mut page = vec![0u8; page_size];
        while trunk != 0 {
            if trunk > pages || list.trunks.contains_key(&trunk) {
                return Err(format!("its freelist names page {trunk} wrongly"));
            }
            file.read_exact_at(&mut page, (trunk as u64 - 1) * page_size as u64)
                .map_err(|e| format!("freelist page {trunk} cannot be read ({e})"))?;
            let n = be32(&page[4..8]) as usize;
            if 8 + 4 * n > page_size {
                return Err(format!("freelist page {trunk} lists too many pages"));
            }
            for k in 0..n {
                list.leaves.insert(be32(&page[8 + 4 * k..]));
            }
            list.trunks.insert(trunk, n);
            trunk = be32(&page[0..4]);
        }
        Ok(list)
    }
}

fn check_page(pgno: u32, page: &[u8], freelist: &Freelist, out: &mut FreeSpace) {
    if let Some(&n) = freelist.trunks.get(&pgno) {
        out.freelist_pages += 1;
        let free = &page[8 + 4 * n..];
        out.free_bytes += free.len() as u64;
        out.dirty(pgno, nonzero(free));
        return;
    }
    if freelist.leaves.contains(&pgno) {
        out.freelist_pages += 1;
        out.free_bytes += page.len() as u64;
        out.dirty(pgno, nonzero(page));
        return;
    }
    let hdr = if pgno == 1 { 100 } else { 0 };
    if !matches!(page[hdr], 2 | 5 | 10 | 13) {
        return;
    }
    out.btree_pages += 1;
    match btree_free(page, hdr) {
        Some((free, dirty)) => {
            out.free_bytes += free;
            out.dirty(pgno, dirty);
        }
        None => {
            out.malformed_pages += 1;
            out.dirty(pgno, 1);
        }
    }
}

fn nonzero(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b != 0).count() as u64
}

/// The free bytes of a B-tree page and how many of them are not zero, or
/// `None` when its header, pointers or cells do not fit the page.
fn btree_free(page: &[u8], hdr: usize) -> Option<(u64, u64)> {
    let usable = page.len();
    let be16 = |at: usize| -> Option<usize> {
        Some(u16::from_be_bytes([*page.get(at)?, *page.get(at + 1)?]) as usize)
    };
    let kind = page[hdr];
    let leaf = kind == 10 || kind == 13;
    let header = if leaf { 8 } else { 12 };
    let cells = be16(hdr + 3)?;
    let content = match be16(hdr + 5)? {
        0 => 65536,
        n => n,
    };
    let pointers_end = hdr + header + 2 * cells;
    if pointers_end > content || content > usable {
        return None;
    }
    // Every byte from the end of the pointers to the end of the page is
    // either in a cell, in a freeblock's link and size, or free.
    let mut used = vec![false; usable - pointers_end];
    let mut mark = |from: usize, len: usize| -> Option<()> {
        if from < content || from + len > usable {
            return None;
        }
        for b in &mut used[from - pointers_end..from + len - pointers_end] {
            if *b {
                return None;
            }
            *b = true;
        }
        Some(())
    };
    let layout = Layout::of(kind, usable);
    for k in 0..cells {
        let at = be16(hdr + header + 2 * k)?;
        let len = layout.cell_size(page.get(at..)?)?;
        mark(at, len)?;
    }
    let mut free_bytes = 0u64;
    let mut dirty = 0u64;
    let mut block = be16(hdr + 1)?;
    let mut guard = 0;
    while block != 0 {
        let (next, size) = (be16(block)?, be16(block + 2)?);
        if size < 4 || (next != 0 && next <= block) || guard > usable {
            return None;
        }
        mark(block, 4)?;
        let body = page.get(block + 4..block + size)?;
        free_bytes += body.len() as u64;
        dirty += nonzero(body);
        mark(block + 4, size - 4)?;
        block = next;
        guard += 1;
    }
    // What is not marked is the gap and the fragments.
    for (k, in_use) in used.iter().enumerate() {
        if !in_use {
            free_bytes += 1;
            dirty += u64::from(page[pointers_end + k] != 0);
        }
    }
    Some((free_bytes, dirty))
}

/// How cells are laid out on one kind of B-tree page (the file format's
/// "B-tree Cell Format" and its payload spill rules).
struct Layout {
    child: usize,
    payload: bool,
    rowid: bool,
    max_local: usize,
    min_local: usize,
    usable: usize,
}

impl Layout {
    fn of(kind: u8, usable: usize) -> Layout {
        let min_local = (usable - 12) * 32 / 255 - 23;
        let (child, payload, rowid, max_local) = match kind {
            2 => (4, true, false, (usable - 12) * 64 / 255 - 23),
            5 => (4, false, true, 0),
            10 => (0, true, false, (usable - 12) * 64 / 255 - 23),
            _ => (0, true, true, usable - 35),
        };
        Layout {
            child,
            payload,
            rowid,
            max_local,
            min_local,
            usable,
        }
    }

    fn cell_size(&self, cell: &[u8]) -> Option<usize> {
        let mut at = self.child;
        let mut size = 0;
        if self.payload {
            let (p, n) = varint(cell.get(at..)?)?;
            size = p;
            at += n;
        }
        if self.rowid {
            at += varint(cell.get(at..)?)?.1;
        }
        if !self.payload {
            return Some(at);
        }
        let local = if size <= self.max_local as u64 {
            size as usize
        } else {
            let m = self.min_local;
            let k = m + ((size as usize - m) % (self.usable - 4));
            (if k <= self.max_local { k } else { m }) + 4
        };
        Some((at + local).max(4))
    }
}

/// A SQLite varint: its value and its length in bytes.
fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for i in 0..8 {
        let byte = *b.get(i)?;
        v = (v << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    Some(((v << 8) | u64::from(*b.get(8)?), 9))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn db_with_rows(path: &Path, secure: bool) {
        let c = Connection::open(path).unwrap();
        c.execute_batch(&format!(
            "PRAGMA secure_delete={};
             CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
             CREATE INDEX t_v ON t (v);",
            if secure { "ON" } else { "OFF" }
        ))
        .unwrap();
        for i in 0..3000 {
            c.execute(
                "INSERT INTO t (v) VALUES (?1)",
                [format!("REMNANT-{i:05}-{}", "x".repeat(i % 200))],
            )
            .unwrap();
        }
        c.execute("DELETE FROM t WHERE id % 3 = 0", []).unwrap();
        c.execute("DELETE FROM t WHERE id > 2500", []).unwrap();
    }

    #[test]
    fn secure_delete_leaves_free_space_zero_and_plain_delete_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let clean = dir.path().join("clean.db");
        db_with_rows(&clean, true);
        let fs = check(&clean).unwrap().unwrap();
        assert!(fs.is_clean(), "{fs:?}");
        assert!(fs.btree_pages > 10 && fs.freelist_pages > 0, "{fs:?}");
        assert!(fs.free_bytes > 10_000, "{fs:?}");
        assert_eq!(fs.malformed_pages, 0);

        let dirty = dir.path().join("dirty.db");
        db_with_rows(&dirty, false);
        let fs = check(&dirty).unwrap().unwrap();
        assert!(!fs.is_clean(), "{fs:?}");
        assert_eq!(fs.malformed_pages, 0);
    }

    #[test]
    fn a_byte_planted_in_a_gap_is_found_on_its_page() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        db_with_rows(&path, true);
        let mut bytes = std::fs::read(&path).unwrap();
        let page_size = 4096;
        // Find a table leaf page with a gap and write one byte into it.
        let (pgno, at) = (2..bytes.len() / page_size)
            .find_map(|p| {
                let page = &bytes[p * page_size..(p + 1) * page_size];
                let cells = u16::from_be_bytes([page[3], page[4]]) as usize;
                let content = u16::from_be_bytes([page[5], page[6]]) as usize;
                (page[0] == 13 && content > 8 + 2 * cells + 4)
                    .then_some((p as u32 + 1, p * page_size + 8 + 2 * cells + 1))
            })
            .unwrap();
        bytes[at] = b'R';
        std::fs::write(&path, &bytes).unwrap();
        let fs = check(&path).unwrap().unwrap();
        assert_eq!((fs.dirty_pages, fs.dirty_bytes), (1, 1));
        assert_eq!(fs.first_dirty, vec![pgno]);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_not_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        std::fs::write(&path, b"not a database at all, just bytes").unwrap();
        assert_eq!(check(&path).unwrap(), None);
        assert_eq!(check(&dir.path().join("missing.db")).unwrap(), None);
    }

    #[test]
    fn varints_read_as_sqlite_writes_them() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9]), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81]), None);
    }
}
