//! Connection settings for large operations: writing a lot of data at
//! once (demo and benchmark databases, bulk erasure, the PII scan's
//! findings) and reading all over the file (the PII scan, a retention
//! sweep). Durability and erasure pragmas are left as they
//! are; only the page cache, the WAL checkpoint interval and memory-mapped
//! reads change, and each has its way back.

use crate::error::Result;
use crate::Read;

/// The settings a bulk load replaced.
#[derive(Debug, Clone, Copy)]
pub struct Saved {
    cache_size: i64,
    autocheckpoint: i64,
    /// Foreign-key enforcement, when a bulk erasure turned it off.
    foreign_keys: Option<bool>,
}

/// A 256 MiB page cache and a checkpoint every 64 MiB of WAL instead of
/// every 4 MiB: each checkpoint syncs the database file, and with the
/// default interval those syncs dominate the time of a large insert.
pub fn begin(conn: &Read<'_>) -> Result<Saved> {
    let conn = conn.sql();
    let saved = Saved {
        cache_size: conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?,
        autocheckpoint: conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?,
        foreign_keys: None,
    };
    conn.execute_batch("PRAGMA cache_size=-262144; PRAGMA wal_autocheckpoint=16384;")?;
    Ok(saved)
}

/// `begin`'s settings for erasing many profiles, and foreign-key
/// enforcement off. An erasure deletes only rows that no other row refers
/// to (emails, phones, addresses, app data, orders, search keys, findings)
/// and changes no key, so no constraint can fail either way; with
/// enforcement on, SQLite deletes each of a profile's ranges in those
/// tables through a temporary B-tree, for the bookkeeping of deferred
/// constraints. Must be called outside a transaction, where SQLite takes
/// the change.
pub fn begin_erasure(conn: &Read<'_>) -> Result<Saved> {
    let conn = conn.sql();
    let foreign_keys = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    let mut saved = begin(&Read::of(conn))?;
    saved.foreign_keys = Some(foreign_keys);
    conn.pragma_update(None, "foreign_keys", false)?;
    Ok(saved)
}

pub fn restore(conn: &Read<'_>, saved: Saved) -> Result<()> {
    let conn = conn.sql();
    conn.pragma_update(None, "cache_size", saved.cache_size)?;
    conn.pragma_update(None, "wal_autocheckpoint", saved.autocheckpoint)?;
    if let Some(on) = saved.foreign_keys {
        conn.pragma_update(None, "foreign_keys", on)?;
    }
    Ok(())
}

/// How much of the database file a full-table read maps into memory: all
/// of it, on any database Lethe is meant for (the build raises SQLite's
/// 2 GB cap; see `.cargo/config.toml`).
const MAPPED_READ_BYTES: i64 = 1 << 40;

/// Memory-maps the database for reads all over the file (the PII scan, a
/// retention sweep), so SQLite reads pages straight from the operating
/// system's cache instead of copying each one out with a system call: on
/// a large database that copying was a fifth of the scan. Writes still go
/// through the WAL as before. Returns the previous setting for
/// `end_mapped_reads`. (Bulk erasure of a list was tried with it too: no
/// clear gain in interleaved runs, and slower on profiles that sit
/// together in the file.)
pub fn begin_mapped_reads(conn: &Read<'_>) -> Result<Option<i64>> {
    let conn = conn.sql();
    use rusqlite::OptionalExtension;
    // An in-memory database has no file to map and reports no setting.
    let Some(saved) = conn
        .query_row("PRAGMA mmap_size", [], |r| r.get(0))
        .optional()?
    else {
        return Ok(None);
    };
    conn.pragma_update(None, "mmap_size", MAPPED_READ_BYTES)?;
    Ok(Some(saved))
}

pub fn end_mapped_reads(conn: &Read<'_>, saved: Option<i64>) -> Result<()> {
    let conn = conn.sql();
    if let Some(saved) = saved {
        conn.pragma_update(None, "mmap_size", saved)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restores_what_it_changed() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::create(&dir.path().join("b.db")).unwrap();
        let c = &store.read();
        let get = |p: &str| -> i64 {
            c.query_row(&format!("PRAGMA {p}"), [], |r| r.get(0))
                .unwrap()
        };
        let before = (get("cache_size"), get("wal_autocheckpoint"));
        let saved = begin(c).unwrap();
        assert_eq!(
            (get("cache_size"), get("wal_autocheckpoint")),
            (-262144, 16384)
        );
        restore(c, saved).unwrap();
        assert_eq!((get("cache_size"), get("wal_autocheckpoint")), before);
        // An erasure also turns foreign-key enforcement off, and back on.
        assert_eq!(get("foreign_keys"), 1);
        let saved = begin_erasure(c).unwrap();
        assert_eq!(
            (
                get("cache_size"),
                get("wal_autocheckpoint"),
                get("foreign_keys")
            ),
            (-262144, 16384, 0)
        );
        restore(c, saved).unwrap();
        assert_eq!(
            (
                get("cache_size"),
                get("wal_autocheckpoint"),
                get("foreign_keys")
            ),
            (before.0, before.1, 1)
        );
    }

    #[test]
    fn maps_the_whole_file_for_reading_and_restores() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::create(&dir.path().join("m.db")).unwrap();
        let c = &store.read();
        let get = || -> i64 { c.query_row("PRAGMA mmap_size", [], |r| r.get(0)).unwrap() };
        let before = get();
        let saved = begin_mapped_reads(c).unwrap();
        // Not clamped to SQLite's default 2 GB cap: the build raised it.
        assert_eq!(get(), MAPPED_READ_BYTES);
        end_mapped_reads(c, saved).unwrap();
        assert_eq!(get(), before);
        // In memory there is nothing to map, and nothing fails.
        let mem = crate::Store::open_in_memory().unwrap();
        let saved = begin_mapped_reads(&mem.read()).unwrap();
        assert_eq!(saved, None);
        end_mapped_reads(&mem.read(), saved).unwrap();
    }
}
