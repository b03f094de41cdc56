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

    /// Adds what another part of the file found.
    pub fn merge(&mut self, other: FreeSpace) {
        self.pages += other.pages;
        self.btree_pages += other.btree_pages;
        self.freelist_pages += other.freelist_pages;
        self.free_bytes += other.free_bytes;
        self.dirty_bytes += other.dirty_bytes;
        self.dirty_pages += other.dirty_pages;
        self.malformed_pages += other.malformed_pages;
        self.first_dirty.extend(other.first_dirty);
        self.first_dirty.sort_unstable();
        self.first_dirty.truncate(10);
    }
}

const HEADER: &[u8; 16] = b"SQLite format 3\0";

fn malformed(path: &Path, why: &str) -> Error {
    Error::Verification(format!(
        "{} cannot be checked for free space: {why}",
        path.display()
    ))
}

/// What the check needs to know of a database file before it reads its
/// pages: their size, and which are on the freelist.
pub struct PageLayout {
    pub page_size: usize,
    usable: usize,
    pages: u32,
    lock_page: u32,
    freelist: Freelist,
}

impl PageLayout {
    /// Reads the header and the freelist's trunk pages. `Ok(None)` when
    /// the file is empty or not a SQLite database.
    pub fn read(file: &std::fs::File, len: u64, path: &Path) -> Result<Option<PageLayout>> {
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
        let pages = (len / page_size as u64) as u32;
        let freelist =
            Freelist::read(file, &head, page_size, pages).map_err(|why| malformed(path, &why))?;
        Ok(Some(PageLayout {
            page_size,
            usable: page_size - head[20] as usize,
            pages,
            lock_page: (0x4000_0000u64 / page_size as u64 + 1) as u32,
            freelist,
        }))
    }

    /// Checks page `pgno` (its whole `page_size` bytes) into `out`.
    /// `scratch` is reused between pages.
    pub fn check_page(
        &self,
        pgno: u32,
        page: &[u8],
        out: &mut FreeSpace,
        scratch: &mut Vec<(usize, usize)>,
    ) {
        out.pages += 1;
        if pgno == self.lock_page || pgno > self.pages {
            return;
        }
        let page = &page[..self.usable];
        if let Some(&n) = self.freelist.trunks.get(&pgno) {
            out.freelist_pages += 1;
            let free = &page[8 + 4 * n..];
            out.free_bytes += free.len() as u64;
            out.dirty(pgno, nonzero(free));
            return;
        }
        if self.freelist.leaves.contains(&pgno) {
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
        match btree_free(page, hdr, scratch) {
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

fn nonzero(bytes: &[u8]) -> u64 {
    // An OR over the bytes, which the compiler vectorises: almost every
    // range is all zero, and then one pass is all it costs.
    if bytes.iter().fold(0u8, |acc, b| acc | b) == 0 {
        return 0;
    }
    bytes.iter().filter(|b| **b != 0).count() as u64
}

/// The free bytes of a B-tree page and how many of them are not zero, or
/// `None` when its header, pointers or cells do not fit the page. Every
/// byte from the end of the pointers to the end of the page is in a cell,
/// in a freeblock's 4-byte link and size, or free (the gap, freeblock
/// bodies, fragments).
fn btree_free(page: &[u8], hdr: usize, used: &mut Vec<(usize, usize)>) -> Option<(u64, u64)> {
    let usable = page.len();
    let be16 = |at: usize| -> Option<usize> {
        Some(u16::from_be_bytes([*page.get(at)?, *page.get(at + 1)?]) as usize)
    };
    let kind = page[hdr];
    let header = if kind == 10 || kind == 13 { 8 } else { 12 };
    let cells = be16(hdr + 3)?;
    let content = match be16(hdr + 5)? {
        0 => 65536,
        n => n,
    };
    let pointers_end = hdr + header + 2 * cells;
    if pointers_end > content || content > usable {
        return None;
    }
    used.clear();
    let layout = Layout::of(kind, usable);
    for k in 0..cells {
        let at = be16(hdr + header + 2 * k)?;
        used.push((at, layout.cell_size(page.get(at..)?)?));
    }
    let mut block = be16(hdr + 1)?;
    while block != 0 {
        let (next, size) = (be16(block)?, be16(block + 2)?);
        if size < 4 || (next != 0 && next <= block) {
            return None;
        }
        // The link and size are not free; the body is, and must be zero.
        used.push((block, 4));
        block = next;
    }
    used.sort_unstable();
    let (mut free_bytes, mut dirty) = (0u64, 0u64);
    let mut at = pointers_end;
    for &(start, len) in used.iter() {
        if start < content.max(at) || start + len > usable {
            return None;
        }
        free_bytes += (start - at) as u64;
        dirty += nonzero(&page[at..start]);
        at = start + len;
    }
    free_bytes += (usable - at) as u64;
    dirty += nonzero(&page[at..]);
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
    use crate::forensic::check_free_space as check;
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
