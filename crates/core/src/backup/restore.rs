//! `lethe backup restore`: a new database from a backup, with every
//! erasure the ledger lists after it applied again.

use super::*;

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
    for p in crate::store::forensic::database_files(to) {
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
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "restore".into());
    let pid = std::process::id();
    let partial = parent.join(format!(".{name}.partial-{pid}"));
    let rebuilt = parent.join(format!(".{name}.rebuilt-{pid}"));
    let remove_partial = || {
        let _ = crate::files::remove_db_files(&partial);
        let _ = crate::files::remove_db_files(&rebuilt);
    };
    remove_partial();
    let result = restore_into(options, &partial, &rebuilt);
    match result {
        Ok(r) => {
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
            Ok(r)
        }
        Err(e) => {
            remove_partial();
            Err(e)
        }
    }
}

/// `restore`'s work in `partial`, rebuilt through `rebuilt` when erasures
/// were applied again.
fn restore_into(options: &RestoreOptions, partial: &Path, rebuilt: &Path) -> Result<Restored> {
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
                 uses it (the audit trail of the database it replaces lists them). It writes no \
                 erasure ledger file until one is set with `lethe backup settings --ledger PATH`",
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
    if ledger.is_none() {
        // Its ledger no longer follows the file's: the file would refuse
        // the next erasure. A new file is set with `backup settings`.
        store.write(|conn| store::delete_setting(conn, ledger::PATH_SETTING))?;
    }
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
    // Nothing the re-applied erasures removed stays in free space: the
    // file is written anew by `VACUUM INTO` (live content only, and no
    // temporary copy in memory), and the partial file it came from is
    // removed. A backup with nothing to apply again is such a copy already.
    if reapplied.is_empty() {
        store.checkpoint_truncate()?;
        drop(store);
    } else {
        crate::files::create_private(rebuilt).map_err(|e| restore_io(rebuilt, e))?;
        store.vacuum_into(rebuilt)?;
        drop(store);
        crate::files::remove_db_files(partial).map_err(|e| restore_io(partial, e))?;
        std::fs::rename(rebuilt, partial).map_err(|e| restore_io(partial, e))?;
    }
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
