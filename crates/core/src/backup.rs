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
use crate::erase::{self, Reason};
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
        let _ = std::fs::remove_file(side(&partial, "-journal"));
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
            if store.path().is_some_and(|db| {
                let db = db.to_string_lossy();
                let p = abs.to_string_lossy();
                p == db
                    || ["-wal", "-shm", "-journal"]
                        .iter()
                        .any(|s| p == format!("{db}{s}"))
            }) {
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

/// Where a restore finds the erasures made after the backup.
#[derive(Debug, Clone)]
pub enum LedgerSource {
    /// A ledger file, or a Lethe database whose own ledger is read.
    Given(PathBuf),
    /// The ledger file the backup's settings name.
    FromBackup,
    /// No ledger: erasures made after the backup are not applied again.
    Without,
}

/// What a restore is asked to do.
#[derive(Debug, Clone)]
pub struct RestoreOptions {
    pub backup: PathBuf,
    pub to: PathBuf,
    pub ledger: LedgerSource,
    /// The age secret key file for an encrypted backup.
    pub identity: Option<PathBuf>,
    pub now: Millis,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Restored {
    pub to: PathBuf,
    pub encrypted: bool,
    /// The newest ledger entry the backup held.
    pub backup_ledger_seq: i64,
    /// The ledger used, if any.
    pub ledger: Option<PathBuf>,
    /// The erasures applied again, oldest first.
    pub reapplied: Vec<Reapplied>,
    /// Counts of `reapplied` by kind.
    pub counts: BTreeMap<String, usize>,
    /// The operator who restored it (audited in the restored database).
    pub operator: String,
    /// With `LedgerSource::Without`: the gap this restore leaves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// One erasure a restore applied again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reapplied {
    pub seq: i64,
    pub kind: String,
    pub id: String,
    pub erased_at: String,
    /// False when the backup did not hold it (created after the backup).
    pub present: bool,
}

/// Restores `options.backup` into a new database at `options.to`:
/// decrypts or copies it to a `.partial` file beside the target, checks it
/// (a Lethe database, not damaged, not of a newer schema), re-applies every
/// erasure the ledger lists after the backup's own last entry through the
/// erasure code (in order, at their original times, ledger entries copied
/// so the chain goes on), rebuilds the file so nothing erased stays in its
/// free space, records a `backup-restore` audit entry, syncs it and
/// renames it. Nothing is ever overwritten, and any failure removes the
/// partial file: nothing is restored half-way.
pub fn restore(options: &RestoreOptions) -> Result<Restored> {
    let to = &options.to;
    for p in [to.clone(), side(to, "-wal"), side(to, "-journal")] {
        if p.exists() {
            return Err(Error::InvalidState(format!(
                "{} already exists; a restore never overwrites a database. Choose a new path",
                p.display()
            )));
        }
    }
    if !options.backup.is_file() {
        return Err(Error::Invalid(format!(
            "there is no backup at {}; `lethe backup list` shows the catalogue",
            options.backup.display()
        )));
    }
    let parent = to
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(Error::Invalid(format!(
            "{} is not a directory; create it first",
            parent.display()
        )));
    }
    let partial = parent.join(format!(
        ".{}.partial-{}",
        to.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "restore".into()),
        std::process::id()
    ));
    let remove_partial = || {
        for p in [
            partial.clone(),
            side(&partial, "-wal"),
            side(&partial, "-shm"),
            side(&partial, "-journal"),
        ] {
            let _ = std::fs::remove_file(p);
        }
    };
    remove_partial();
    let result = restore_into(options, &partial);
    match result {
        Ok(mut r) => {
            if to.exists() {
                remove_partial();
                return Err(Error::InvalidState(format!(
                    "{} appeared while restoring; it was left alone and nothing was restored",
                    to.display()
                )));
            }
            if let Err(e) = std::fs::rename(&partial, to) {
                remove_partial();
                return Err(Error::Invalid(format!(
                    "the restored database could not be named {} ({e}); nothing was restored",
                    to.display()
                )));
            }
            if let Ok(d) = std::fs::File::open(parent) {
                let _ = d.sync_all();
            }
            r.to = to.clone();
            Ok(r)
        }
        Err(e) => {
            remove_partial();
            Err(e)
        }
    }
}

fn side(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn restore_into(options: &RestoreOptions, partial: &Path) -> Result<Restored> {
    let encrypted = is_encrypted(&options.backup)?;
    if encrypted {
        let Some(identity) = &options.identity else {
            return Err(Error::Invalid(format!(
                "{} is encrypted; give the age secret key file with --identity FILE",
                options.backup.display()
            )));
        };
        decrypt(&options.backup, identity, partial)?;
    } else {
        let out = crate::files::create_private(partial).map_err(|e| restore_io(partial, e))?;
        let mut input = std::fs::File::open(&options.backup).map_err(|e| {
            Error::Invalid(format!(
                "the backup {} cannot be read ({e})",
                options.backup.display()
            ))
        })?;
        let mut out = std::io::BufWriter::new(out);
        std::io::copy(&mut input, &mut out).map_err(|e| restore_io(partial, e))?;
        out.flush().map_err(|e| restore_io(partial, e))?;
    }
    let facts = match ledger_db::file_facts(partial, true) {
        Ok(f) => f,
        Err(Error::NotADatabase { .. }) => {
            return Err(Error::Invalid(format!(
                "{} is not a Lethe backup (not a database{}); nothing was restored",
                options.backup.display(),
                if encrypted { " once decrypted" } else { "" }
            )))
        }
        Err(Error::Invalid(m)) => {
            return Err(Error::Invalid(format!(
                "the backup {} is damaged ({m}); nothing was restored",
                options.backup.display()
            )))
        }
        Err(e) => return Err(e),
    };
    if facts.schema > store::SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found: facts.schema,
            supported: store::SCHEMA_VERSION,
        });
    }
    if facts.schema < 1 {
        return Err(Error::Invalid(format!(
            "{} is not a Lethe backup (it holds no Lethe schema); nothing was restored",
            options.backup.display()
        )));
    }
    let backup_seq = facts.ledger_head.as_ref().map_or(0, |(s, _)| *s);
    let (ledger, warning) = match &options.ledger {
        LedgerSource::Without => (
            None,
            Some(format!(
                "restored without an erasure ledger: any profile, item, attachment or recording \
                 erased after this backup was taken is back in {}. Erase them again before anyone \
                 uses it (the audit trail of the database it replaces lists them)",
                options.to.display()
            )),
        ),
        source => {
            let path = match source {
                LedgerSource::Given(p) => p.clone(),
                _ => PathBuf::from(facts.ledger_path.clone().ok_or_else(|| {
                    Error::InvalidState(
                        "the backup names no erasure ledger file, so the erasures made after it \
                         cannot be applied again; give --ledger FILE (the ledger file, or the \
                         live database, which holds its own ledger), or --without-ledger to \
                         restore without them"
                            .into(),
                    )
                })?),
            };
            let Some(backup_id) = facts.database_id.as_deref() else {
                return Err(Error::InvalidState(format!(
                    "the backup predates the erasure ledger (schema {}); restore it with \
                     --without-ledger and erase again what was erased after it",
                    facts.schema
                )));
            };
            let ledger = ledger::load(&path)?;
            check_ledger_fits(&ledger, backup_id, facts.ledger_head.as_ref())?;
            (Some(ledger), None)
        }
    };
    let store = Store::open(partial)?;
    let actor = Actor::resolve(
        &store.read(),
        &access::username_for(Some(options.to.as_path())),
    )?;
    access::require(&store, &actor, Permission::Delete, audit::BACKUP_RESTORE).map_err(|e| {
        Error::InvalidState(format!(
            "{e}; a restore applies erasures again, so it needs a compliance admin of the \
             backed-up database. Nothing was restored"
        ))
    })?;
    let mut reapplied = Vec::new();
    if let Some(ledger) = &ledger {
        let todo: Vec<&ledger::Entry> = ledger
            .entries
            .iter()
            .filter(|e| e.seq > backup_seq)
            .collect();
        for batch in todo.chunks(REAPPLY_BATCH) {
            let done = store.write(|conn| {
                let mut done = Vec::with_capacity(batch.len());
                for e in batch {
                    done.push(reapply(conn, &actor.username, e)?);
                }
                Ok(done)
            })?;
            reapplied.extend(done);
        }
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in &reapplied {
        *counts.entry(r.kind.clone()).or_default() += 1;
    }
    let name = options
        .backup
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut entry = Entry::new(&actor.username, audit::BACKUP_RESTORE)
        .target(&name)
        .count("backup_ledger_seq", backup_seq)
        .count("without_ledger", ledger.is_none() as i64);
    for (k, n) in &counts {
        entry = entry.count(&format!("{k}s"), *n as i64);
    }
    audit::record_at(&store, &entry, options.now)?;
    // Nothing the re-applied erasures removed stays in free space.
    store.compact()?;
    drop(store);
    sync_file(partial).map_err(|e| match e {
        Error::Invalid(m) => {
            Error::Invalid(m.replace("the backup could not", "the restore could not"))
        }
        other => other,
    })?;
    Ok(Restored {
        to: options.to.clone(),
        encrypted,
        backup_ledger_seq: backup_seq,
        ledger: ledger.map(|l| l.source),
        reapplied,
        counts,
        operator: actor.username,
        warning,
    })
}

fn restore_io(path: &Path, e: std::io::Error) -> Error {
    Error::Invalid(format!(
        "the restore could not write {} ({e}); nothing was restored",
        path.display()
    ))
}

/// Whether the file starts as an age-encrypted file does.
fn is_encrypted(path: &Path) -> Result<bool> {
    use std::io::Read as _;
    let mut head = vec![0u8; AGE_MAGIC.len()];
    let mut f = std::fs::File::open(path).map_err(|e| {
        Error::Invalid(format!(
            "the backup {} cannot be read ({e})",
            path.display()
        ))
    })?;
    let n = f.read(&mut head).unwrap_or(0);
    Ok(n == head.len() && head == AGE_MAGIC)
}

fn decrypt(sealed: &Path, identity: &Path, plain: &Path) -> Result<()> {
    let key_problem = |e: &dyn std::fmt::Display| {
        Error::Invalid(format!(
            "{} is not an age secret key file ({e}); give the file `lethe backup keygen` wrote",
            identity.display()
        ))
    };
    let file = age::IdentityFile::from_file(identity.to_string_lossy().to_string())
        .map_err(|e| key_problem(&e))?;
    let identities = file.into_identities().map_err(|e| key_problem(&e))?;
    if identities.is_empty() {
        return Err(key_problem(&"it holds no key"));
    }
    let input = std::fs::File::open(sealed).map_err(|e| {
        Error::Invalid(format!(
            "the backup {} cannot be read ({e})",
            sealed.display()
        ))
    })?;
    let decryptor = age::Decryptor::new(std::io::BufReader::new(input)).map_err(|e| {
        Error::Invalid(format!(
            "the backup {} is damaged: its encryption header cannot be read ({e}); nothing was restored",
            sealed.display()
        ))
    })?;
    let mut reader = decryptor
        .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => Error::Invalid(format!(
                "the key in {} does not open {}: it was encrypted to another key. Nothing was restored",
                identity.display(),
                sealed.display()
            )),
            other => Error::Invalid(format!(
                "the backup {} cannot be decrypted ({other}); nothing was restored",
                sealed.display()
            )),
        })?;
    let out = crate::files::create_private(plain).map_err(|e| restore_io(plain, e))?;
    let mut out = std::io::BufWriter::new(out);
    std::io::copy(&mut reader, &mut out).map_err(|e| {
        if e.kind() == std::io::ErrorKind::InvalidData {
            Error::Invalid(format!(
                "the backup {} is damaged or was changed after it was encrypted ({e}); nothing was restored",
                sealed.display()
            ))
        } else {
            restore_io(plain, e)
        }
    })?;
    out.flush().map_err(|e| restore_io(plain, e))?;
    Ok(())
}

/// The ledger must be this database's, and must hold the backup's own
/// last entry unchanged: otherwise it is another database's, or one
/// rewritten since.
fn check_ledger_fits(
    ledger: &Ledger,
    backup_id: &str,
    backup_head: Option<&(i64, String)>,
) -> Result<()> {
    if ledger.database_id != backup_id {
        return Err(Error::InvalidState(format!(
            "the erasure ledger {} belongs to another database ({}, the backup is of {backup_id}); \
             nothing was restored",
            ledger.source.display(),
            ledger.database_id
        )));
    }
    if let Some((seq, hash)) = backup_head {
        let found = ledger.entries.get((*seq - 1).max(0) as usize);
        if found.is_none_or(|e| e.seq != *seq || &e.hash != hash) {
            return Err(Error::InvalidState(format!(
                "the erasure ledger {} does not hold the backup's last erasure (entry {seq}) as the \
                 backup does: it is older than the backup, or was rewritten. Give the current \
                 ledger; nothing was restored",
                ledger.source.display()
            )));
        }
    }
    Ok(())
}

/// Applies one ledger entry again in the restored database, in the
/// caller's transaction: the same wipes the erasure ran, at its original
/// time, and the entry itself appended so the chain goes on unchanged.
fn reapply(conn: &Write, operator: &str, e: &ledger::Entry) -> Result<Reapplied> {
    let kind = Kind::parse(&e.kind).ok_or_else(|| {
        Error::Invalid(format!(
            "ledger entry {} names an unknown kind {:?}",
            e.seq, e.kind
        ))
    })?;
    let present = erase::reapply(conn, operator, kind, e)?;
    let appended = ledger::append(
        conn,
        ledger::Erasure {
            kind,
            id: &e.id,
            customer_id: &e.customer_id,
            reason: &e.reason,
            at: e.at,
        },
    )?;
    if appended.seq != e.seq || appended.hash != e.hash {
        return Err(Error::InvalidState(format!(
            "ledger entry {} could not be chained onto the backup's ledger as it was written \
             (the backup's ledger ends at entry {}); nothing was restored",
            e.seq,
            appended.seq - 1
        )));
    }
    Ok(Reapplied {
        seq: e.seq,
        kind: e.kind.clone(),
        id: e.id.clone(),
        erased_at: clock::format_ms(e.at),
        present,
    })
}

/// The reason a re-applied profile erasure keeps on its skeleton row.
pub(crate) fn reason_of(text: &str) -> Reason {
    if text == Reason::Retention.as_str() {
        Reason::Retention
    } else {
        Reason::Manual
    }
}
