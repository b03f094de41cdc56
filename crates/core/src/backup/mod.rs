//! Backups of the database that are "beyond use": an online, consistent
//! copy that holds no remnant of erased data, optionally encrypted to an
//! age key, catalogued with the date it expires, pruned after it, and
//! restored only with every erasure made since it was taken applied again
//! (the erasure ledger, `crate::ledger`).
//!
//! Files are written under a `.partial` name, synced and renamed, so a
//! crash never leaves a file that looks like a whole backup or a whole
//! restored database.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::access::{self, Actor, Permission};
use crate::audit::{self, Entry};
use crate::clock::{self, Millis, DAY_MS};
use crate::erase;
use crate::error::{Error, Result};
use crate::ledger::{self, Kind, Ledger};
use crate::store::{self, backups as db, ledger as ledger_db, Read, Store, Write};

/// The setting for how many days a backup is kept before it goes beyond
/// use and `lethe backup prune` deletes it.
pub const RETENTION_SETTING: &str = "backup_retention_days";
pub const DEFAULT_RETENTION_DAYS: i64 = 35;
/// The longest backup retention accepted: ten years.
pub const MAX_RETENTION_DAYS: i64 = 3650;
/// The first bytes of an age-encrypted file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1";
/// Erasures re-applied per transaction during a restore.
const REAPPLY_BATCH: usize = 2000;

/// What `create` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
    /// When the copy's snapshot was taken.
    pub taken_at: Millis,
    pub encrypted: bool,
    /// The newest erasure-ledger entry the copy holds (0: none).
    pub ledger_seq: i64,
    /// When it goes beyond use (`taken_at` plus the backup retention).
    pub expires_at: Millis,
}

/// The file name of a backup taken at `at`: `lethe-backup-20261203T174500Z.db`
/// (`.db.age` when encrypted).
pub fn file_name(at: Millis, encrypted: bool) -> String {
    let stamp = clock::format_ms(at)
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .take(15)
        .collect::<String>();
    let ext = if encrypted { "db.age" } else { "db" };
    format!("lethe-backup-{stamp}Z.{ext}")
}

/// How many days a backup is kept (the setting, else 35).
pub fn retention_days(conn: &Read) -> Result<i64> {
    Ok(store::get_setting(conn, RETENTION_SETTING)?
        .and_then(|v| v.parse().ok())
        .filter(|d| (1..=MAX_RETENTION_DAYS).contains(d))
        .unwrap_or(DEFAULT_RETENTION_DAYS))
}

/// A catalogued backup that still holds a profile being erased.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Holding {
    pub file: String,
    pub taken_at: String,
    /// The day it goes beyond use and `lethe backup prune` deletes it.
    pub expires_on: String,
    pub encrypted: bool,
}

/// The catalogue as a bulk erasure reads it once per batch.
pub struct Holdings {
    any: bool,
    days: i64,
}

impl Holdings {
    pub fn of(store: &Store) -> Result<Holdings> {
        let conn = store.read();
        let any = db::list(&conn)?.iter().any(|b| b.pruned_at.is_none());
        Ok(Holdings {
            any,
            days: retention_days(&conn)?,
        })
    }

    /// The unpruned backups taken since the profile was created.
    pub fn for_profile(&self, store: &Store, customer_id: &str) -> Result<Vec<Holding>> {
        if !self.any {
            return Ok(Vec::new());
        }
        Ok(db::holding(&store.read(), customer_id)?
            .into_iter()
            .map(|b| Holding {
                file: b.file,
                taken_at: clock::format_ms(b.taken_at),
                expires_on: clock::date(b.taken_at + self.days * DAY_MS),
                encrypted: b.encrypted,
            })
            .collect())
    }
}

/// The backups that still hold `customer_id`'s profile.
pub fn holding(store: &Store, customer_id: &str) -> Result<Vec<Holding>> {
    Holdings::of(store)?.for_profile(store, customer_id)
}

/// How `create` writes.
#[derive(Debug, Clone, Copy, Default)]
pub struct CreateOptions<'a> {
    /// An age public key (`age1...`): the backup is encrypted to it.
    pub recipient: Option<&'a str>,
}

/// `create`, by `actor`: a backup holds every customer's data, so it takes
/// the export permission, and it is recorded in the audit trail as an
/// export of the whole database (the file's name and size) and in the
/// backup catalogue.
pub fn create_as(
    store: &Store,
    actor: &Actor,
    dir: &Path,
    now: Millis,
    options: CreateOptions,
) -> Result<Backup> {
    access::require(store, actor, Permission::Export, audit::EXPORT)?;
    let b = create(store, dir, now, options)?;
    let name = b
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    store.write(|conn| {
        db::insert(
            conn,
            &db::Row {
                file: b.path.to_string_lossy().to_string(),
                taken_at: b.taken_at,
                bytes: b.bytes,
                encrypted: b.encrypted,
                ledger_seq: b.ledger_seq,
                pruned_at: None,
            },
        )?;
        audit::append_at(
            conn,
            &Entry::new(&actor.username, audit::EXPORT)
                .target("backup")
                .target(&name)
                .count("bytes", b.bytes as i64)
                .count("encrypted", b.encrypted as i64),
            now,
        )?;
        Ok(())
    })?;
    Ok(b)
}

fn io_error(what: &str, path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Invalid(format!(
        "the backup could not {what} {} ({e}); the database is untouched",
        path.display()
    ))
}

/// Parses an age public key, with a sentence on what is wrong.
pub fn parse_recipient(key: &str) -> Result<age::x25519::Recipient> {
    key.trim().parse().map_err(|e: &str| {
        Error::Invalid(format!(
            "\"{}\" is not an age public key ({e}); give the age1... line that \
             `lethe backup keygen` printed, not the secret key",
            crate::text::safe_line(&key.chars().take(80).collect::<String>())
        ))
    })
}

/// Copies the database into `dir` (created readable by its owner only):
/// `VACUUM INTO` a temporary file made with mode 0600, encrypted when a
/// recipient is given, synced, then renamed to its final name and the
/// directory synced. Consoles, sweeps and other commands keep working
/// meanwhile. A crash or a full disk leaves at most a `.partial` file,
/// never one under a backup's name; the database is never touched.
///
/// First brings the erasure ledger file up to date, so that it lists
/// every erasure the copy holds; refuses when it cannot.
pub fn create(store: &Store, dir: &Path, now: Millis, options: CreateOptions) -> Result<Backup> {
    let recipient = options.recipient.map(parse_recipient).transpose()?;
    let encrypted = recipient.is_some();
    if let Err(e) = ledger::mirror(store) {
        return Err(Error::InvalidState(format!(
            "no backup was taken: the erasure ledger file must list every erasure a backup holds, \
             and {e}"
        )));
    }
    crate::files::create_private_dir(dir).map_err(|e| io_error("create the directory", dir, e))?;
    let path = dir.join(file_name(now, encrypted));
    if path.exists() {
        return Err(Error::InvalidState(format!(
            "{} already exists; a backup is never replaced. Wait a second and run it again",
            path.display()
        )));
    }
    let partial = dir.join(format!(
        "{}.partial-{}",
        file_name(now, false),
        std::process::id()
    ));
    let sealed = dir.join(format!(
        "{}.partial-{}",
        file_name(now, true),
        std::process::id()
    ));
    let cleanup = || {
        let _ = scrub_and_remove(&partial);
        let _ = crate::files::remove_db_files(&partial);
        let _ = std::fs::remove_file(&sealed);
    };
    cleanup();
    let written = (|| -> Result<(u64, i64)> {
        crate::files::create_private(&partial).map_err(|e| io_error("write", &partial, e))?;
        store
            .vacuum_into(&partial)
            .map_err(|e| io_error("be written to", &partial, e))?;
        sync_file(&partial)?;
        let facts = ledger_db::file_facts(&partial, false)?;
        let seq = facts.ledger_head.map_or(0, |(s, _)| s);
        let done = match &recipient {
            None => &partial,
            Some(r) => {
                encrypt(&partial, &sealed, r)?;
                scrub_and_remove(&partial).map_err(|e| io_error("remove", &partial, e))?;
                &sealed
            }
        };
        let bytes = sync_file(done)?;
        std::fs::rename(done, &path).map_err(|e| io_error("be named", &path, e))?;
        Ok((bytes, seq))
    })();
    let (bytes, ledger_seq) = match written {
        Ok(v) => v,
        Err(e) => {
            cleanup();
            return Err(e);
        }
    };
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    let days = retention_days(&store.read())?;
    Ok(Backup {
        path,
        bytes,
        taken_at: now,
        encrypted,
        ledger_seq,
        expires_at: now + days * DAY_MS,
    })
}

/// Syncs a file this process wrote (never one of the database's own) and
/// returns its length.
fn sync_file(path: &Path) -> Result<u64> {
    let file = std::fs::File::open(path).map_err(|e| io_error("read back", path, e))?;
    file.sync_all().map_err(|e| io_error("sync", path, e))?;
    Ok(file
        .metadata()
        .map_err(|e| io_error("read back", path, e))?
        .len())
}

/// Overwrites a plaintext stage with zeros, syncs and removes it. On a
/// copy-on-write or flash file system the old blocks may survive; the
/// documentation says so.
fn scrub_and_remove(path: &Path) -> std::io::Result<()> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
    let zeros = vec![0u8; 1 << 20];
    let mut left = meta.len();
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        f.write_all(&zeros[..n])?;
        left -= n as u64;
    }
    f.sync_all()?;
    drop(f);
    std::fs::remove_file(path)
}

fn encrypt(plain: &Path, sealed: &Path, to: &age::x25519::Recipient) -> Result<()> {
    let out = crate::files::create_private(sealed).map_err(|e| io_error("write", sealed, e))?;
    let encryptor = age::Encryptor::with_recipients(std::iter::once(to as &dyn age::Recipient))
        .map_err(|e| io_error("be encrypted to", sealed, e))?;
    let mut input = std::fs::File::open(plain).map_err(|e| io_error("read back", plain, e))?;
    let mut writer = encryptor
        .wrap_output(std::io::BufWriter::new(out))
        .map_err(|e| io_error("write", sealed, e))?;
    std::io::copy(&mut input, &mut writer).map_err(|e| io_error("write", sealed, e))?;
    let mut inner = writer.finish().map_err(|e| io_error("write", sealed, e))?;
    inner.flush().map_err(|e| io_error("write", sealed, e))?;
    Ok(())
}

/// A new age key pair for backups: the secret key is written to `path`
/// (mode 0600, never replacing a file); returns the public key, which
/// `lethe backup create --recipient` takes.
pub fn keygen(path: &Path) -> Result<String> {
    use age::secrecy::ExposeSecret;
    let identity = age::x25519::Identity::generate();
    let public = identity.to_public().to_string();
    let text = format!(
        "# created: {}\n# public key: {public}\n{}\n",
        clock::format_ms(clock::now_ms()),
        identity.to_string().expose_secret()
    );
    crate::files::write_private(path, text.as_bytes()).map_err(|e| {
        Error::Invalid(format!(
            "the key could not be written to {} ({e}); choose a new file",
            path.display()
        ))
    })?;
    Ok(public)
}

/// One backup in the catalogue, as `lethe backup list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Listed {
    pub file: String,
    pub taken_at: String,
    pub bytes: u64,
    pub encrypted: bool,
    /// The day it goes beyond use.
    pub expires_on: String,
    pub expired: bool,
    /// Whether the file is still where it was written.
    pub present: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pruned_at: Option<String>,
}

/// The catalogue, oldest first.
pub fn list(store: &Store, now: Millis) -> Result<Vec<Listed>> {
    let conn = store.read();
    let days = retention_days(&conn)?;
    Ok(db::list(&conn)?
        .into_iter()
        .map(|b| {
            let expires_at = b.taken_at + days * DAY_MS;
            Listed {
                present: b.pruned_at.is_none() && Path::new(&b.file).is_file(),
                file: b.file,
                taken_at: clock::format_ms(b.taken_at),
                bytes: b.bytes,
                encrypted: b.encrypted,
                expires_on: clock::date(expires_at),
                expired: expires_at <= now,
                pruned_at: b.pruned_at.map(clock::format_ms),
            }
        })
        .collect())
}

/// What `prune_as` did.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Pruned {
    /// Expired backups whose files were deleted.
    pub deleted: Vec<String>,
    /// Expired backups whose files were already gone (moved or deleted by
    /// hand): marked pruned.
    pub missing: Vec<String>,
    /// Expired backups that could not be deleted, with why; still listed.
    pub failed: Vec<(String, String)>,
}

/// Deletes every backup past its retention, marks it pruned in the
/// catalogue and records one audit entry. Deleting copies of customer
/// data takes the delete permission.
pub fn prune_as(store: &Store, actor: &Actor, now: Millis) -> Result<Pruned> {
    access::require(store, actor, Permission::Delete, audit::BACKUP_PRUNE)?;
    let days = retention_days(&store.read())?;
    let mut out = Pruned::default();
    for b in db::list(&store.read())? {
        if b.pruned_at.is_some() || b.taken_at + days * DAY_MS > now {
            continue;
        }
        let path = Path::new(&b.file);
        match std::fs::remove_file(path) {
            Ok(()) => out.deleted.push(b.file.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => out.missing.push(b.file.clone()),
            Err(e) => {
                out.failed.push((b.file.clone(), e.to_string()));
                continue;
            }
        }
        store.write(|conn| db::mark_pruned(conn, &b.file, now))?;
    }
    if !(out.deleted.is_empty() && out.missing.is_empty() && out.failed.is_empty()) {
        let name = |f: &String| {
            Path::new(f)
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default()
        };
        let entry = Entry::new(&actor.username, audit::BACKUP_PRUNE)
            .targets(out.deleted.iter().chain(&out.missing).map(name))
            .count("deleted", out.deleted.len() as i64)
            .count("missing", out.missing.len() as i64)
            .count("failed", out.failed.len() as i64);
        audit::record_at(store, &entry, now)?;
    }
    Ok(out)
}

/// The backup settings as `lethe backup settings` shows and changes them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Settings {
    pub retention_days: i64,
    pub ledger_file: Option<String>,
}

pub fn settings(conn: &Read) -> Result<Settings> {
    Ok(Settings {
        retention_days: retention_days(conn)?,
        ledger_file: store::get_setting(conn, ledger::PATH_SETTING)?,
    })
}

/// A change to the backup settings.
#[derive(Debug, Clone, Default)]
pub struct SettingsChange {
    pub retention_days: Option<i64>,
    /// Some(Some(path)): write the ledger file there; Some(None): stop.
    pub ledger_file: Option<Option<PathBuf>>,
}

/// Changes the backup settings (an administrator's change, audited). A
/// new ledger file is written at once with every entry so far.
pub fn change_settings(
    store: &Store,
    actor: &Actor,
    change: &SettingsChange,
    now: Millis,
) -> Result<Settings> {
    access::require(
        store,
        actor,
        Permission::ChangeRetention,
        audit::BACKUP_SETTINGS,
    )?;
    if let Some(d) = change.retention_days {
        if !(1..=MAX_RETENTION_DAYS).contains(&d) {
            return Err(Error::Invalid(format!(
                "{d} days is not a backup retention; give 1 to {MAX_RETENTION_DAYS} days"
            )));
        }
    }
    let ledger_path = match &change.ledger_file {
        Some(Some(p)) => {
            let abs = std::path::absolute(p).map_err(|e| {
                Error::Invalid(format!("{} is not a usable path ({e})", p.display()))
            })?;
            if store
                .path()
                .and_then(|db| std::path::absolute(db).ok())
                .is_some_and(|db| crate::store::forensic::database_files(&db).contains(&abs))
            {
                return Err(Error::Invalid(
                    "the ledger file must be outside the database: give a path that is not the database or one of its files".into(),
                ));
            }
            let text = abs
                .to_str()
                .ok_or_else(|| Error::Invalid(format!("{} is not a UTF-8 path", abs.display())))?;
            Some(Some(text.to_string()))
        }
        Some(None) => Some(None),
        None => None,
    };
    store.write(|conn| {
        let mut entry = Entry::new(&actor.username, audit::BACKUP_SETTINGS);
        if let Some(d) = change.retention_days {
            store::set_setting(conn, RETENTION_SETTING, &d.to_string())?;
            entry = entry.count("retention_days", d);
        }
        match &ledger_path {
            Some(Some(p)) => {
                store::set_setting(conn, ledger::PATH_SETTING, p)?;
                entry = entry.count("ledger_file", 1);
            }
            Some(None) => {
                store::delete_setting(conn, ledger::PATH_SETTING)?;
                entry = entry.count("ledger_file", 0);
            }
            None => {}
        }
        audit::append_at(conn, &entry, now)?;
        Ok(())
    })?;
    if matches!(ledger_path, Some(Some(_))) {
        ledger::mirror(store)?;
    }
    settings(&store.read())
}

mod restore;
pub use restore::*;
