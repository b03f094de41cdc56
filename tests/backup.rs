//! `lethe backup create`: an online, consistent copy that holds live data
//! only, readable by its owner, never left half-written under its name.

mod common;
mod support;

use std::os::unix::fs::PermissionsExt;

use common::VIEWER;
use lethe::store::Store;
use support::{TestDb, OWNER};

fn backups(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    out.sort();
    out
}

/// A database with the console fixtures.
fn filled() -> TestDb {
    let db = TestDb::new();
    common::fill(&mut db.store());
    db
}

#[test]
fn a_backup_is_a_whole_private_copy_without_erased_data() {
    let db = filled();
    // Erase Mallory first: her text must not come along.
    let gone = db.run(OWNER, &["delete", "--customer", "cus_mallory", "--yes"]);
    assert_eq!(gone.code, 0, "{gone:?}");
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("backups");
    let out = db.run(OWNER, &["backup", "create", "--to", to.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("Backed up to"), "{out:?}");

    let files = backups(&to);
    assert_eq!(files.len(), 1, "{files:?}");
    let file = &files[0];
    let name = file.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with("lethe-backup-") && name.ends_with("Z.db"),
        "{name}"
    );
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(file), 0o600);
    assert_eq!(mode(&to), 0o700);

    // No byte of the erased profile's text, read before any connection
    // opens the copy.
    let bytes = std::fs::read(file).unwrap();
    let marker = b"Mallory";
    assert!(
        !bytes.windows(marker.len()).any(|w| w == marker),
        "the backup holds erased text"
    );
    let copy = Store::open(file).unwrap();
    let ok: String = copy
        .read()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let count = |s: &Store| -> i64 {
        s.read()
            .query_row(
                "SELECT count(*) FROM customers WHERE deleted_at IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(count(&copy), count(&db.store()));
    // Recorded as an export of the whole database.
    let entry = db.last_audit();
    assert_eq!(entry.action, "export");
    assert!(entry.targets.contains(&name), "{:?}", entry.targets);
}

#[test]
fn a_viewer_may_not_take_a_backup() {
    let db = filled();
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("b");
    let out = db.run(VIEWER, &["backup", "create", "--to", to.to_str().unwrap()]);
    assert_ne!(out.code, 0, "{out:?}");
    assert!(!to.exists() || backups(&to).is_empty());
}
