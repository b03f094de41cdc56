//! Backups of the database: an online, consistent copy that holds no
//! remnant of erased data, written so that a crash never leaves a file
//! that looks like a whole backup.

use std::path::{Path, PathBuf};

use crate::access::{self, Actor, Permission};
use crate::audit::{self, Entry};
use crate::clock::Millis;
use crate::error::{Error, Result};
use crate::store::Store;

/// What `create` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
    /// When the copy's snapshot was taken.
    pub taken_at: Millis,
}

/// The file name of a backup taken at `at`: `lethe-backup-20261203T174500Z.db`.
pub fn file_name(at: Millis) -> String {
    let stamp = crate::clock::format_ms(at)
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .take(15)
        .collect::<String>();
    format!("lethe-backup-{stamp}Z.db")
}

/// `create`, by `actor`: a backup holds every customer's data, so it takes
/// the export permission, and it is recorded in the audit trail as an
/// export of the whole database (the file's name and size).
pub fn create_as(store: &Store, actor: &Actor, dir: &Path, now: Millis) -> Result<Backup> {
    access::require(store, actor, Permission::Export, audit::EXPORT)?;
    let b = create(store, dir, now)?;
    let name = b
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    audit::record_at(
        store,
        &Entry::new(&actor.username, audit::EXPORT)
            .target("backup")
            .target(&name)
            .count("bytes", b.bytes as i64),
        now,
    )?;
    Ok(b)
}

/// Copies the database into `dir` (created readable by its owner only):
/// `VACUUM INTO` a temporary file made with mode 0600, synced, then renamed
/// to its final name and the directory synced. Consoles, sweeps and other
/// commands keep working meanwhile. A crash or a full disk leaves at most
/// a `.partial` file, never one under a backup's name; the database is
/// never touched.
pub fn create(store: &Store, dir: &Path, now: Millis) -> Result<Backup> {
    let io = |what: &str, path: &Path, e: std::io::Error| {
        Error::Invalid(format!(
            "the backup could not {what} {} ({e}); the database is untouched",
            path.display()
        ))
    };
    crate::files::create_private_dir(dir).map_err(|e| io("create the directory", dir, e))?;
    let path = dir.join(file_name(now));
    if path.exists() {
        return Err(Error::InvalidState(format!(
            "{} already exists; a backup is never replaced. Wait a second and run it again",
            path.display()
        )));
    }
    let partial = dir.join(format!("{}.partial-{}", file_name(now), std::process::id()));
    let _ = std::fs::remove_file(&partial);
    crate::files::create_private(&partial).map_err(|e| io("write", &partial, e))?;
    let written = store.vacuum_into(&partial).and_then(|()| {
        let file = std::fs::File::open(&partial).map_err(|e| io("read back", &partial, e))?;
        file.sync_all().map_err(|e| io("sync", &partial, e))?;
        Ok(file
            .metadata()
            .map_err(|e| io("read back", &partial, e))?
            .len())
    });
    let bytes = match written {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, &path).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        io("be named", &path, e)
    })?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(Backup {
        path,
        bytes,
        taken_at: now,
    })
}
