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

pub mod api_tokens;
pub mod audit;
pub mod backups;
pub mod bulk;
pub mod customers;
pub mod erase;
pub mod findings;
pub mod forensic;
pub mod ledger;
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
    include_str!("schema_v7.sql"),
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
    /// it opened.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

    /// Writes a consistent copy of the database into `path`, which must be
    /// an empty file: `VACUUM INTO` reads one snapshot (other connections
    /// keep writing) and writes only live content, so the copy holds no
    /// free pages and no remnant of erased data.
    pub fn vacuum_into(&self, path: &Path) -> Result<()> {
        let target = path.to_str().ok_or_else(|| {
            Error::Invalid(format!(
                "{} is not a UTF-8 path; choose a backup directory whose path is",
                path.display()
            ))
        })?;
        self.conn
            .execute("VACUUM INTO ?1", [target])
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DiskFull) => {
                    Error::Invalid("the disk is full".to_string())
                }
                Some(rusqlite::ErrorCode::SystemIoFailure) => Error::Invalid(format!(
                    "a write failed ({e}): the disk may be full or the file too large"
                )),
                _ => Error::Sqlite(e),
            })?;
        Ok(())
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
mod tests;
