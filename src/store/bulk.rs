//! Connection settings for writing a large amount of new data at once
//! (demo and benchmark databases). Durability and erasure pragmas are left
//! as they are; only the page cache and the WAL checkpoint interval change,
//! and `restore` puts both back.

use rusqlite::Connection;

use crate::error::Result;

/// The settings a bulk load replaced.
#[derive(Debug, Clone, Copy)]
pub struct Saved {
    cache_size: i64,
    autocheckpoint: i64,
}

/// A 256 MiB page cache and a checkpoint every 64 MiB of WAL instead of
/// every 4 MiB: each checkpoint syncs the database file, and with the
/// default interval those syncs dominate the time of a large insert.
pub fn begin(conn: &Connection) -> Result<Saved> {
    let saved = Saved {
        cache_size: conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?,
        autocheckpoint: conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?,
    };
    conn.execute_batch("PRAGMA cache_size=-262144; PRAGMA wal_autocheckpoint=16384;")?;
    Ok(saved)
}

pub fn restore(conn: &Connection, saved: Saved) -> Result<()> {
    conn.pragma_update(None, "cache_size", saved.cache_size)?;
    conn.pragma_update(None, "wal_autocheckpoint", saved.autocheckpoint)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restores_what_it_changed() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::create(&dir.path().join("b.db")).unwrap();
        let c = store.conn();
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
    }
}
