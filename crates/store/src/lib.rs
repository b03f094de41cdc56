//! The store: the only crate that writes SQL, and the home of the shared
//! vocabulary (`model`) and of the errors every layer reports.
//!
//! Every connection gets the erasure pragmas (`secure_delete`, WAL,
//! `foreign_keys`, a busy timeout, in-memory temp files) before anything else
//! runs. Schema changes are numbered migrations tracked in `user_version`;
//! a database from a newer Lethe is refused rather than guessed at.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub mod error;
pub mod model;

pub use error::{Error, Result};
use model::{clock, format, text};

pub mod audit;
pub mod bulk;
pub mod customers;
pub mod erase;
pub mod findings;
pub mod forensic;
pub mod operators;
pub mod profile;
pub mod report;
pub mod requests;
pub mod retention;
pub mod search;
pub mod timeline;
pub mod writeback;

#[allow(unsafe_code)]
pub mod tuning;

/// The schema this binary writes. Index `i` of `MIGRATIONS` upgrades from
/// version `i` to `i + 1`.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;
const MIGRATIONS: &[&str] = &[
    include_str!("schema_v1.sql"),
    include_str!("schema_v2.sql"),
    include_str!("schema_v3.sql"),
    include_str!("schema_v4.sql"),
    include_str!("schema_v5.sql"),
    include_str!("schema_v6.sql"),
];

const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Prepared statements kept per connection: 64 for the rest of Lethe, and
/// two per search-key shard (`search::SHARDS`).
const STATEMENT_CACHE: usize = 64 + 2 * search::SHARDS as usize;

/// The VDBE opcodes SQLite compiles `sql` to, its parameters unbound: for
/// tests that pin a statement's plan (no temporary B-trees and the like).
#[cfg(test)]
pub(crate) fn opcodes(conn: &Read<'_>, sql: &str) -> Vec<String> {
    let conn = conn.sql();
    let mut explain = conn.prepare(&format!("EXPLAIN {sql}")).unwrap();
    let unbound = vec![rusqlite::types::Null; explain.parameter_count()];
    explain
        .query_map(rusqlite::params_from_iter(unbound), |r| r.get(1))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

/// A view of the database for reading: what every reading function of the
/// store takes. Made by [`Store::read`]; it holds no SQL of its own for
/// callers outside this crate.
#[derive(Clone, Copy)]
pub struct Read<'c> {
    conn: &'c Connection,
}

/// The open write transaction of [`Store::write`]: what every writing
/// function of the store takes. It reads too (it dereferences to a
/// [`Read`]), and exists only inside `Store::write`, so a change is always
/// part of a transaction that commits or rolls back whole.
pub struct Write<'c> {
    read: Read<'c>,
}

impl<'c> Read<'c> {
    /// The connection, for this crate's SQL.
    pub(crate) fn sql(&self) -> &'c Connection {
        self.conn
    }

    /// A read view of a connection this crate holds.
    pub(crate) fn of(conn: &'c Connection) -> Read<'c> {
        Read { conn }
    }
}

impl<'c> Write<'c> {
    pub(crate) fn sql(&self) -> &'c Connection {
        self.read.conn
    }

    /// A write view of a connection this crate holds, inside a transaction
    /// or an atomic step (`audit::atomically`) it opened.
    pub(crate) fn of(conn: &'c Connection) -> Write<'c> {
        Write {
            read: Read { conn },
        }
    }
}

impl<'c> std::ops::Deref for Write<'c> {
    type Target = Read<'c>;
    fn deref(&self) -> &Read<'c> {
        &self.read
    }
}

/// Runs `f` inside a savepoint of the open transaction. When `f` fails its
/// changes are rolled back and its error is returned inside `Ok`, so the
/// caller can go on with the rest of the transaction; the outer `Err` is for
/// a savepoint SQLite could not open, roll back or release (disk full, an
/// I/O error), after which the whole transaction must fail.
pub fn savepoint<T>(tx: &Write, f: impl FnOnce(&Write) -> Result<T>) -> Result<Result<T>> {
    let conn = tx.sql();
    conn.prepare_cached("SAVEPOINT lethe_step")?.execute([])?;
    match f(tx) {
        Ok(value) => {
            conn.prepare_cached("RELEASE lethe_step")?.execute([])?;
            Ok(Ok(value))
        }
        Err(e) => {
            conn.execute_batch("ROLLBACK TO lethe_step; RELEASE lethe_step")?;
            Ok(Err(e))
        }
    }
}

/// Tests reach the raw connection to set up and inspect what the types
/// keep from everybody else. Only with the `test-support` feature, which
/// only dev-dependencies turn on.
#[cfg(feature = "test-support")]
impl std::ops::Deref for Read<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

/// What a WAL checkpoint achieved. `completed` is false when readers kept
/// old frames alive through every retry; the caller must say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Checkpoint {
    pub completed: bool,
    pub attempts: u32,
}

impl Store {
    /// Opens an existing database, migrating it to the current schema.
    pub fn open(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(Error::DatabaseMissing {
                path: path.to_path_buf(),
            });
        }
        Self::open_file(path)
    }

    /// Opens a database, creating the file (mode 0600) and its directory if
    /// needed.
    pub fn create(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::CannotOpen {
                path: path.to_path_buf(),
                reason: format!("its directory cannot be created ({e})"),
            })?;
        }
        let fresh = !path.exists();
        let store = Self::open_file(path)?;
        if fresh {
            // The file holds personal data: only its owner may read it. SQLite
            // gives the -wal and -shm files the same mode.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
            }
        }
        Ok(store)
    }

    /// A private in-memory database, for tests. WAL does not apply.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        let mut store = Store { conn, path: None };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    fn open_file(path: &Path) -> Result<Store> {
        let meta = std::fs::metadata(path).ok();
        if let Some(meta) = &meta {
            if meta.is_dir() {
                return Err(Error::CannotOpen {
                    path: path.to_path_buf(),
                    reason: "it is a directory".into(),
                });
            }
            // Checked by hand: as root, SQLite would happily write a file the
            // admin marked read-only.
            if meta.permissions().readonly() {
                return Err(Error::ReadOnly {
                    path: path.to_path_buf(),
                });
            }
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, e))?;
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
        };
        store.configure().map_err(|e| match e {
            Error::Sqlite(e) => open_error(path, e),
            other => other,
        })?;
        if store.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(Error::ReadOnly {
                path: path.to_path_buf(),
            });
        }
        store.migrate().map_err(|e| match e {
            Error::Sqlite(e) => open_error(path, e),
            other => other,
        })?;
        Ok(store)
    }

    fn configure(&self) -> Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // Erasing a profile runs about twenty statements; with rusqlite's
        // default of 16 cached, each profile would compile some afresh.
        self.conn
            .set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // A plan never depends on the values bound. Without this SQLite
        // weighs a bound ID against the partial indexes when it plans a
        // join or an ORDER BY, and then compiles the statement again for
        // every new ID: during a retention sweep, a third of the work.
        self.conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        // Reading the journal mode forces SQLite to read the header, which is
        // where a file that is not a database is first noticed.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if self.path.is_some() && !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Invalid(format!(
                "the database could not be switched to WAL mode (it reports {mode})"
            )));
        }
        self.conn.execute_batch(
            "PRAGMA secure_delete=ON;
             PRAGMA foreign_keys=ON;
             PRAGMA synchronous=NORMAL;
             PRAGMA temp_store=MEMORY;",
        )?;
        // When a write starts the WAL over after a checkpoint, its commit
        // cuts the file after its own last frame, so frames older than the
        // latest commit never linger past the end (see checkpoint_restart).
        self.conn.pragma_update(None, "journal_size_limit", 0)?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let found: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(Error::SchemaTooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        for (from, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", from as i64 + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// A view for reading.
    pub fn read(&self) -> Read<'_> {
        Read { conn: &self.conn }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Has the kernel write this database's dirty pages while the caller
    /// goes on, until the guard is dropped (see `writeback`). For large
    /// writes: a sweep's checkpoints then wait on the disk far less.
    pub fn early_writeback(&self) -> writeback::Writeback {
        writeback::Writeback::start(self.path())
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Runs `f` in one write transaction (BEGIN IMMEDIATE, so two writers
    /// queue on the busy timeout instead of failing halfway). Commits when
    /// `f` returns Ok, rolls back otherwise.
    ///
    /// Write handles exist only inside `f`. A `write` inside another fails
    /// with SQLite's "cannot start a transaction within a transaction" and
    /// changes nothing; inside a transaction, use its handle.
    pub fn write<T>(&self, f: impl FnOnce(&Write) -> Result<T>) -> Result<T> {
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )?;
        let value = f(&Write::of(&tx))?;
        tx.commit()?;
        Ok(value)
    }

    /// Copies every WAL frame into the database and truncates the `-wal`
    /// file to zero bytes, so no old page image survives there. Retries
    /// while readers hold old snapshots.
    pub fn checkpoint_truncate(&self) -> Result<Checkpoint> {
        self.checkpoint("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    /// Copies every WAL frame into the database and makes the next write
    /// start the `-wal` file over, keeping its length. Between the batches
    /// of a bulk erasure this is as clean as `checkpoint_truncate`: the
    /// next batch overwrites the frames from the start, and when it commits
    /// SQLite cuts the file after its last frame (`journal_size_limit` is 0
    /// on every connection), so no older frame outlives that commit. What
    /// stays in between are the page images of the last commit, which hold
    /// nothing it erased. It spares the file system allocating and zeroing
    /// every WAL page again for each batch. A run must still end with
    /// `checkpoint_truncate`. Retries while readers hold old snapshots.
    pub fn checkpoint_restart(&self) -> Result<Checkpoint> {
        self.checkpoint("PRAGMA wal_checkpoint(RESTART)")
    }

    fn checkpoint(&self, pragma: &str) -> Result<Checkpoint> {
        if self.path.is_none() {
            return Ok(Checkpoint {
                completed: true,
                attempts: 0,
            });
        }
        let mut attempts = 0;
        loop {
            attempts += 1;
            let busy: i64 = self.conn.query_row(pragma, [], |r| r.get(0))?;
            if busy == 0 {
                return Ok(Checkpoint {
                    completed: true,
                    attempts,
                });
            }
            if attempts >= 20 {
                return Ok(Checkpoint {
                    completed: false,
                    attempts,
                });
            }
            std::thread::sleep(Duration::from_millis(25 * attempts as u64));
        }
    }

    /// Rewrites the whole database (VACUUM) and truncates the WAL. With
    /// `secure_delete` SQLite zeroes the cells it frees, but when it
    /// rebalances a B-tree page the page's unallocated gap can keep old
    /// bytes; a rebuilt file holds only live rows. Takes time and WAL space
    /// in proportion to the file; the temporary copy stays in memory
    /// (`temp_store=MEMORY`), never in a temp file.
    pub fn compact(&self) -> Result<Checkpoint> {
        self.conn.execute_batch("VACUUM")?;
        self.checkpoint_truncate()
    }

    /// Runs `f` while this connection holds a read transaction. A reader
    /// that started on an empty WAL reads the database file itself, and
    /// SQLite lets no checkpoint, of any connection or process, copy pages
    /// into the file while it reads: the file stays as it is for `f` (the
    /// byte scans), while other writers go on adding to the WAL.
    pub fn with_snapshot<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        if !self.conn.is_autocommit() {
            return f();
        }
        self.conn.execute_batch("BEGIN DEFERRED")?;
        let started = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()));
        let value = started.map_err(Error::from).and_then(|()| f());
        let ended = self.conn.execute_batch("COMMIT");
        let value = value?;
        ended?;
        Ok(value)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        get_setting(&Read::of(&self.conn), key)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        set_setting(&Write::of(&self.conn), key, value)
    }

    /// The SQLite library version compiled into this binary.
    pub fn sqlite_version() -> &'static str {
        rusqlite::version()
    }
}

/// The schema version of an existing Lethe database that this binary
/// would upgrade on opening it; None for a current, new, newer or
/// unreadable file (opening it says what is wrong).
pub fn pending_upgrade(path: &Path) -> Option<i64> {
    if !path.is_file() {
        return None;
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()?;
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .ok()?;
    (1..SCHEMA_VERSION).contains(&found).then_some(found)
}

pub fn get_setting(conn: &Read<'_>, key: &str) -> Result<Option<String>> {
    let conn = conn.sql();
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

pub fn set_setting(conn: &Write<'_>, key: &str, value: &str) -> Result<()> {
    let conn = conn.sql();
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

pub fn delete_setting(conn: &Write<'_>, key: &str) -> Result<()> {
    let conn = conn.sql();
    conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    Ok(())
}

fn open_error(path: &Path, e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => Error::NotADatabase {
            path: path.to_path_buf(),
        },
        Some(ErrorCode::ReadOnly) => Error::ReadOnly {
            path: path.to_path_buf(),
        },
        Some(ErrorCode::CannotOpen) | Some(ErrorCode::PermissionDenied) => Error::CannotOpen {
            path: path.to_path_buf(),
            reason: e.to_string(),
        },
        _ => Error::Sqlite(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Any connection's first commit after a `RESTART` checkpoint cuts the
    /// `-wal` file after its own frames, whichever connection wrote the
    /// long transaction before: the frames past it are gone, not waiting
    /// to be overwritten.
    #[test]
    fn a_commit_after_a_restart_cuts_the_wal_after_its_own_frames() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let wal = dir.path().join("w.db-wal");
        let first = Store::create(&path).unwrap();
        first
            .write(|c| {
                c.execute_batch(
                    "CREATE TABLE t (x);
                     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
                     INSERT INTO t SELECT randomblob(3000) FROM n;",
                )?;
                Ok(())
            })
            .unwrap();
        let long = std::fs::metadata(&wal).unwrap().len();
        assert!(first.checkpoint_restart().unwrap().completed);
        assert_eq!(std::fs::metadata(&wal).unwrap().len(), long);

        let second = Store::open(&path).unwrap();
        second
            .write(|c| Ok(c.execute("INSERT INTO t VALUES (1)", [])?))
            .unwrap();
        let short = std::fs::metadata(&wal).unwrap().len();
        // The WAL header and a frame or two of 24 + 4,096 bytes.
        assert!(short < 32 + 3 * 4120, "{short} of {long}");
        assert!(second.checkpoint_truncate().unwrap().completed);
        assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
    }

    /// A database file at schema version `version`, holding `rows` (SQL).
    fn database_at(path: &Path, version: usize, rows: &str) {
        let c = Connection::open(path).unwrap();
        for sql in &MIGRATIONS[..version] {
            c.execute_batch(sql).unwrap();
        }
        c.pragma_update(None, "user_version", version as i64)
            .unwrap();
        c.execute_batch(rows).unwrap();
    }

    /// Version 4 moves every search key into the shard of its customer's
    /// row and loses no key.
    #[test]
    fn version_4_puts_each_search_key_in_its_customer_s_shard() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v3.db");
        database_at(
            &path,
            3,
            "INSERT INTO customers (rowid, id, created_at, updated_at)
                     VALUES (5, 'cus_near', 0, 0), (32769, 'cus_far', 0, 0);
                 INSERT INTO search_keys (key, customer_id, kind) VALUES
                     ('ada', 'cus_near', 2), ('ada@example.com', 'cus_near', 3),
                     ('ada', 'cus_far', 2), ('15550100', 'cus_far', 4);",
        );
        let store = Store::open(&path).unwrap();
        let c = &store.read();
        let keys: Vec<(i64, String, String, i64)> = c
            .prepare("SELECT shard, key, customer_id, kind FROM search_keys ORDER BY 3, 2")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let row = |s: i64, k: &str, id: &str, kind: i64| (s, k.to_string(), id.to_string(), kind);
        assert_eq!(
            keys,
            [
                row(-62, "15550100", "cus_far", 4),
                row(-62, "ada", "cus_far", 2),
                row(-64, "ada", "cus_near", 2),
                row(-64, "ada@example.com", "cus_near", 3),
            ]
        );
        assert_eq!(
            search::exact_ids(c, "ada", &[]).unwrap(),
            ["cus_far", "cus_near"]
        );
    }

    /// Version 6 lists each profile's search keys on its customer row and
    /// drops the index by customer, and lists its attachments and
    /// recordings and indexes its findings by customer; erasure then
    /// deletes the listed keys and wipes the listed parts, and no other
    /// profile's.
    #[test]
    fn version_6_lists_each_profile_s_keys_on_its_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v5.db");
        database_at(
            &path,
            5,
            "INSERT INTO customers (rowid, id, created_at, updated_at)
                     VALUES (5, 'cus_near', 0, 0), (32769, 'cus_far', 0, 0),
                         (6, 'cus_keyless', 0, 0);
                 INSERT INTO search_keys (shard, key, customer_id, kind) VALUES
                     (-64, 'ada', 'cus_near', 2), (-64, 'o''hara \"x\"', 'cus_near', 1),
                     (-62, 'ada', 'cus_far', 2), (-62, '15550100', 'cus_far', 4);
                 INSERT INTO items (id, customer_id, type, timestamp) VALUES
                     ('it_far', 'cus_far', 'EMAIL', 0), ('it_call', 'cus_far', 'PHONE_CALL', 0),
                     ('it_near', 'cus_near', 'EMAIL', 0);
                 INSERT INTO attachments (id, item_id, filename, file_size, content) VALUES
                     ('att_far', 'it_far', 'far.pdf', 3, x'010203'),
                     ('att_near', 'it_near', 'near.pdf', 3, x'040506');
                 INSERT INTO recordings (id, item_id, file_size, content)
                     VALUES ('rec_far', 'it_call', 3, x'070809');
                 INSERT INTO pii_findings (item_id, customer_id, field, start, end, kind,
                     confidence, preview, found_at) VALUES
                     ('it_far', 'cus_far', 'body', 0, 4, 'email', 0.9, 'a***', 0),
                     ('it_near', 'cus_near', 'body', 0, 4, 'email', 0.9, 'b***', 0);",
        );
        let store = Store::open(&path).unwrap();
        let c = &store.read();
        let list = |c: &Connection, id: &str| -> Option<Vec<customers::ListedKey>> {
            let text: Option<String> = c
                .query_row(
                    "SELECT search_keys FROM customers WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .unwrap();
            text.map(|t| {
                let mut keys = customers::parse_key_list(id, &t).unwrap();
                keys.sort();
                keys
            })
        };
        assert_eq!(
            list(c, "cus_near").unwrap(),
            [(-64, 1, "o'hara \"x\"".into()), (-64, 2, "ada".into())]
        );
        assert_eq!(
            list(c, "cus_far").unwrap(),
            [(-62, 2, "ada".into()), (-62, 4, "15550100".into())]
        );
        assert_eq!(list(c, "cus_keyless"), None);
        let indexes: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'search_keys_customer'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(indexes, 0);

        let row = erase::customer(c, "cus_far").unwrap().unwrap();
        let removed = store
            .write(|c| erase::wipe_profile(c, &row, "manual", 1))
            .unwrap();
        assert_eq!(removed["search_keys"], 2);
        assert_eq!(
            (
                removed["attachments"],
                removed["recordings"],
                removed["pii_findings"]
            ),
            (1, 1, 1)
        );
        let c = &store.read();
        let left: Vec<(String, String)> = c
            .prepare("SELECT customer_id, key FROM search_keys ORDER BY 1, 2")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            left,
            [
                ("cus_near".to_string(), "ada".to_string()),
                ("cus_near".to_string(), "o'hara \"x\"".to_string())
            ]
        );
        assert_eq!(list(&store.read(), "cus_far"), None);
        // The other profile's parts and finding are untouched.
        let kept: (i64, i64) = store
            .read()
            .query_row(
                "SELECT (SELECT count(*) FROM attachments WHERE content IS NOT NULL),
                     (SELECT count(*) FROM pii_findings)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(kept, (1, 1));
    }

    #[test]
    fn migrates_from_version_zero_and_sets_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v0.db");
        // A database at version 0: a SQLite file with no Lethe tables.
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE unrelated (x)")
            .unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let c = &store.read();
        let secure: i64 = c
            .query_row("PRAGMA secure_delete", [], |r| r.get(0))
            .unwrap();
        let fk: i64 = c
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        let mode: String = c
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!((secure, fk, mode.as_str()), (1, 1, "wal"));
        for table in [
            "customers",
            "customer_emails",
            "customer_phones",
            "customer_addresses",
            "conversations",
            "items",
            "attachments",
            "recordings",
            "orders",
            "work_sessions",
            "settings",
            "operators",
            "audit_log",
            "pii_findings",
        ] {
            let n: i64 = c
                .query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE type='table' AND name=?1",
                    [table],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 1, "{table} is missing");
        }
    }

    #[test]
    fn version_1_findings_upgrade_to_the_current_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        // A version 1 database with two open findings, recorded in the
        // opposite order of their items' times.
        let v1 = Connection::open(&path).unwrap();
        v1.execute_batch(MIGRATIONS[0]).unwrap();
        v1.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO customers (id, created_at, updated_at) VALUES ('cus_1', 0, 0);
             INSERT INTO items (id, customer_id, type, timestamp) VALUES
                 ('itm_old', 'cus_1', 'CHAT', 1000), ('itm_new', 'cus_1', 'CHAT', 2000);
             INSERT INTO pii_findings (item_id, customer_id, field, start, end, kind,
                 confidence, preview, found_at)
             VALUES ('itm_new', 'cus_1', 'body', 0, 4, 'card', 0.9, 'card •••• 1111', 5),
                    ('itm_old', 'cus_1', 'body', 0, 4, 'card', 0.9, 'card •••• 2222', 6);",
        )
        .unwrap();
        drop(v1);

        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let at: Vec<(String, i64)> = store
            .read()
            .prepare("SELECT item_id, item_at FROM pii_findings ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(at, [("itm_new".into(), 2000), ("itm_old".into(), 1000)]);
        let filter = crate::model::triage::QueueFilter {
            kinds: vec![],
            min_confidence: 0.0,
            limit: 10,
            offset: 0,
        };
        let queue = findings::queue(&store.read(), &filter).unwrap();
        let items: Vec<&str> = queue.iter().map(|r| r.item_id.as_str()).collect();
        assert_eq!(items, ["itm_new", "itm_old"]);
        assert_eq!(findings::queue_count(&store.read(), &filter).unwrap(), 2);
        // Version 3 rebuilt the table: the same IDs, and the status check
        // still refuses a value it does not know.
        let ids: Vec<i64> = queue.iter().map(|r| r.finding_id).collect();
        assert_eq!(ids, [1, 2]);
        let bad = store
            .read()
            .execute("UPDATE pii_findings SET status = 'maybe' WHERE id = 1", []);
        assert!(bad.is_err());
        store
            .read()
            .execute(
                "UPDATE pii_findings SET status = 'dismissed' WHERE id = 1",
                [],
            )
            .unwrap();
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, Error::SchemaTooNew { .. }), "{err}");
        assert!(err.to_string().contains("newer Lethe"));
    }

    /// SQLite here writes a transaction's WAL frames many at a time and a
    /// checkpoint reads them many at a time (`vendor/libsqlite3-sys`,
    /// LETHE.md). A commit of hundreds of frames, and a transaction whose
    /// small cache spills pages and writes them again, must read back the
    /// same from a fresh connection that recovers the WAL from a copy of
    /// the files, as after a crash, and after a checkpoint.
    #[test]
    fn large_transactions_recover_from_the_wal_and_checkpoint_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let store = Store::create(&path).unwrap();
        let c = &store.read();
        c.execute_batch(
            "PRAGMA wal_autocheckpoint=0;
             CREATE TABLE w (a INTEGER PRIMARY KEY, b TEXT);
             BEGIN;
             WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 4000)
             INSERT INTO w SELECT x, printf('%0500d', x) FROM n;
             COMMIT;
             PRAGMA cache_size=20;
             BEGIN;
             UPDATE w SET b = printf('%0300d', a * 7) WHERE a % 3 = 0;
             UPDATE w SET b = printf('%0310d', a * 7) WHERE a % 3 = 0;
             COMMIT;",
        )
        .unwrap();
        let digest = |c: &Connection| -> (i64, i64, String) {
            c.query_row(
                "SELECT count(*), sum(a), (SELECT b FROM w WHERE a = 3000) FROM w",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap()
        };
        let want = (4000, 8_002_000, format!("{:0310}", 3000 * 7));
        let wal = std::fs::metadata(dir.path().join("w.db-wal"))
            .unwrap()
            .len();
        assert!(
            wal > 200 * 4096,
            "the transaction is in the WAL: {wal} bytes"
        );

        let copy = dir.path().join("copy.db");
        std::fs::copy(&path, &copy).unwrap();
        std::fs::copy(dir.path().join("w.db-wal"), dir.path().join("copy.db-wal")).unwrap();
        let recovered = Connection::open(&copy).unwrap();
        let check: String = recovered
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        assert_eq!(digest(&recovered), want);

        store.checkpoint_truncate().unwrap();
        assert_eq!(digest(c), want);
        let reopened = Connection::open(&path).unwrap();
        assert_eq!(digest(&reopened), want);
    }

    #[test]
    fn names_bad_paths_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.db");
        assert!(matches!(
            Store::open(&missing),
            Err(Error::DatabaseMissing { .. })
        ));

        let text = dir.path().join("notes.txt");
        std::fs::write(
            &text,
            "this is not a database, just some notes ".repeat(200),
        )
        .unwrap();
        assert!(matches!(
            Store::open(&text),
            Err(Error::NotADatabase { .. })
        ));

        let ro = dir.path().join("ro.db");
        drop(Store::create(&ro).unwrap());
        let mut perms = std::fs::metadata(&ro).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&ro, perms).unwrap();
        let err = Store::open(&ro).err().unwrap();
        assert!(matches!(err, Error::ReadOnly { .. }), "{err}");
    }
}
