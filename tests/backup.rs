#![recursion_limit = "512"]

//! Backups beyond use: `lethe backup create` takes an online copy with
//! live data only, the erasure ledger lists every erasure, and a restore
//! applies again every erasure made after the backup, so nothing erased
//! comes back. Every check reads the real files the real binary wrote.

mod common;
#[path = "common/erase_fixtures.rs"]
mod fixtures;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use fixtures::{hits, marked, Marked, ROOT};
use lethe::store::Store;

/// 2026-01-10, after every fixture's last Contact.
const NOW: &str = "2026-01-10T12:00:00Z";

struct Setup {
    dir: tempfile::TempDir,
    db: PathBuf,
    marks: Vec<Marked>,
}

impl Setup {
    /// Three marked profiles on disk, root their compliance admin, and the
    /// erasure ledger written to a file beside (not in) the database.
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, db) = fixtures::database(dir.path());
        let marks: Vec<Marked> = (1..=3).map(|n| marked(n, "CLOSED")).collect();
        fixtures::insert(
            &mut store,
            &marks.iter().map(|m| &m.doc).collect::<Vec<_>>(),
        );
        drop(store);
        let s = Setup { dir, db, marks };
        let ledger = s.path("ledger.jsonl");
        s.ok(&["backup", "settings", "--ledger", ledger.to_str().unwrap()]);
        s
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `lethe --db DB ARGS` as root, its output discarded unless asked for.
    fn command(&self, db: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lethe"));
        cmd.arg("--db")
            .arg(db)
            .args(args)
            .env("SUDO_USER", ROOT)
            .env_remove("LETHE_DB")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    }

    fn run_at(&self, db: &Path, now: &str, args: &[&str]) -> Output {
        self.command(db, args)
            .env("LETHE_NOW", now)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_at(&self.db, NOW, args)
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `backup create` into `dir` (under the test's directory); the file.
    fn backup(&self, dir: &str, extra: &[&str]) -> PathBuf {
        let to = self.path(dir);
        let mut args = vec!["backup", "create", "--to", to.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.ok(&args);
        let files = backups(&to);
        assert_eq!(files.len(), 1, "{files:?}");
        files[0].clone()
    }

    /// `backup restore BACKUP --to NAME ARGS`, and the run.
    fn restore(&self, backup: &Path, name: &str, extra: &[&str]) -> Output {
        let to = self.path(name);
        let mut args = vec![
            "backup",
            "restore",
            backup.to_str().unwrap(),
            "--to",
            to.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn backups(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    out.sort();
    out
}

/// Every file in `dir` whose name does not say it is unfinished.
fn whole_files(dir: &Path) -> Vec<PathBuf> {
    backups(dir)
        .into_iter()
        .filter(|p| !p.to_string_lossy().contains(".partial-"))
        .collect()
}

fn integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn deleted(db: &Path, customer: &str) -> bool {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT deleted_at IS NOT NULL FROM customers WHERE id = ?1",
        [customer],
        |r| r.get(0),
    )
    .unwrap()
}

fn live_ids(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT id FROM customers WHERE deleted_at IS NULL ORDER BY id")
        .unwrap();
    let ids = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<Vec<String>>>()
        .unwrap();
    ids
}

/// The newest audit entry's action, targets and counts.
fn last_audit(db: &Path) -> (String, String, String) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT action, targets, counts FROM audit_log ORDER BY seq DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

#[test]
fn a_restore_erases_again_a_profile_deleted_after_the_backup() {
    let s = Setup::new();
    let backup = s.backup("b", &[]);
    // The backup holds Ada's markers; then she is erased.
    assert!(hits(&backup, &s.marks[0].needles()) > 0);
    let out = s.ok(&["delete", "--customer", "cus_0001", "--yes"]);
    // Her receipt names the backup that still holds her, and its expiry.
    let receipt: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let holding = receipt["backups"].as_array().unwrap();
    assert_eq!(holding.len(), 1, "{receipt}");
    assert_eq!(holding[0]["file"], backup.to_str().unwrap());
    assert_eq!(holding[0]["expires_on"], "2026-02-14");

    let run = s.restore(&backup, "restored.db", &[]);
    assert!(run.status.success(), "{}", text(&run));
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(said.contains("erased again profile cus_0001"), "{said}");
    assert!(
        stderr(&run).contains("1 profile erased after the backup"),
        "{}",
        text(&run)
    );

    let restored = s.path("restored.db");
    assert_eq!(integrity(&restored), "ok");
    assert!(deleted(&restored, "cus_0001"));
    assert!(!deleted(&restored, "cus_0002"));
    // No byte of Ada in the restored files; the others are all there.
    assert_eq!(hits(&restored, &s.marks[0].needles()), 0);
    assert!(hits(&restored, &s.marks[1].needles()) > 0);
    let mode = std::fs::metadata(&restored).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // The restored database's ledger goes on from the file's, and its
    // audit trail records the restore.
    let check = s.run_at(&restored, NOW, &["backup", "ledger"]);
    assert!(check.status.success(), "{}", text(&check));
    let (action, _, counts) = last_audit(&restored);
    assert_eq!(action, "backup-restore");
    assert!(counts.contains("\"profiles\":1"), "{counts}");
}

#[test]
fn a_restore_erases_again_items_attachments_and_recordings() {
    let s = Setup::new();
    let backup = s.backup("b", &[]);
    // Beth's chat message (with its attachment), her call recording and
    // the voicemail recording with its transcript.
    for id in ["it_0002_c1", "rec_0002_p1", "rec_0002_v1", "att_0002_1"] {
        s.ok(&["delete-item", "--item", id, "--yes"]);
    }
    let gone = s.marks[1].markers_of(&[
        "CHAT", "FILE3", "BYTES3", "CALLREC", "VMREC", "VMTEXT", "FILE1", "BYTES1",
    ]);
    assert_eq!(gone.len(), 8);
    assert!(hits(&backup, &gone) > 0);

    let run = s.restore(&backup, "restored.db", &[]);
    assert!(run.status.success(), "{}", text(&run));
    let restored = s.path("restored.db");
    assert_eq!(integrity(&restored), "ok");
    assert_eq!(hits(&restored, &gone), 0, "an erased item came back");
    // What was not erased is all there: the rest of Beth's data.
    let kept = s.marks[1].markers_of(&["NAME", "BODY2", "SUBJ1"]);
    assert_eq!(hits(&restored, &kept), kept.len());
}

#[test]
fn a_restore_erases_again_what_a_retention_sweep_deleted() {
    let s = Setup::new();
    let backup = s.backup("b", &[]);
    s.ok(&["retention", "set", "--days", "365", "--i-understand"]);
    s.ok(&["retention", "run"]);
    assert!(deleted(&s.db, "cus_0003"));

    let run = s.restore(&backup, "restored.db", &[]);
    assert!(run.status.success(), "{}", text(&run));
    let restored = s.path("restored.db");
    assert_eq!(integrity(&restored), "ok");
    assert!(live_ids(&restored).is_empty());
    for m in &s.marks {
        assert_eq!(hits(&restored, &m.needles()), 0);
    }
    let conn = rusqlite::Connection::open(&restored).unwrap();
    let reason: String = conn
        .query_row(
            "SELECT deletion_reason FROM customers WHERE id = 'cus_0001'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(reason, "retention");
}

#[test]
fn a_restore_erases_again_a_redaction() {
    let s = Setup::new();
    let mut store = Store::open(&s.db).unwrap();
    fixtures::insert(&mut store, &[&common::paula()]);
    drop(store);
    s.ok(&["scan"]);
    let backup = s.backup("b", &[]);
    let card = b"4111 1111 1111 1111".to_vec();
    assert!(hits(&backup, std::slice::from_ref(&card)) > 0);
    s.ok(&["redact", "--item", "it_p0a", "--yes"]);
    assert_eq!(hits(&s.db, std::slice::from_ref(&card)), 0);

    let run = s.restore(&backup, "restored.db", &[]);
    assert!(run.status.success(), "{}", text(&run));
    let restored = s.path("restored.db");
    assert_eq!(hits(&restored, std::slice::from_ref(&card)), 0);
    // The message stays, with its label in place of the card.
    let conn = rusqlite::Connection::open(&restored).unwrap();
    let body: String = conn
        .query_row("SELECT body FROM items WHERE id = 'it_p0a'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(body.contains("for order 0"), "{body}");
    // The other cards were not redacted and are still there.
    assert_eq!(hits(&restored, &[b"5500 0000 0000 0004".to_vec()]), 1);
}

#[test]
fn a_backup_taken_during_a_sweep_restores_to_a_consistent_database() {
    let s = Setup::new();
    // Enough dormant profiles that the sweep runs for a while.
    let demo = s.run(&["demo", "--customers", "4000", "--force"]);
    assert!(demo.status.success(), "{}", text(&demo));
    let ledger = s.path("ledger2.jsonl");
    s.ok(&["backup", "settings", "--ledger", ledger.to_str().unwrap()]);
    s.ok(&["retention", "set", "--days", "365", "--i-understand"]);
    let mut sweep = s.command(&s.db, &["retention", "run"]).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    let to = s.path("b");
    let out = s.run_at(
        &s.db,
        NOW,
        &["backup", "create", "--to", to.to_str().unwrap()],
    );
    assert!(sweep.wait().unwrap().success());
    assert!(out.status.success(), "{}", text(&out));
    let backup = &backups(&to)[0];
    assert_eq!(integrity(backup), "ok");

    let run = s.restore(backup, "restored.db", &[]);
    assert!(run.status.success(), "{}", text(&run));
    let restored = s.path("restored.db");
    assert_eq!(integrity(&restored), "ok");
    // Whatever the sweep had done when the copy was taken, the restored
    // database holds exactly the profiles the live one does.
    assert_eq!(live_ids(&restored), live_ids(&s.db));
}

#[test]
fn an_encrypted_backup_round_trips_and_refuses_the_wrong_key() {
    let s = Setup::new();
    let key = s.path("backup.key");
    let other = s.path("other.key");
    let public = s.ok(&["backup", "keygen", "--to", key.to_str().unwrap()]);
    s.ok(&["backup", "keygen", "--to", other.to_str().unwrap()]);
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let backup = s.backup("b", &["--recipient", public.trim()]);
    assert!(backup.to_string_lossy().ends_with(".db.age"));
    let bytes = std::fs::read(&backup).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    assert_eq!(
        hits(&backup, &s.marks[0].needles()),
        0,
        "plaintext in an encrypted backup"
    );
    // No plaintext stage is left beside it.
    assert_eq!(backups(&s.path("b")), vec![backup.clone()]);
    s.ok(&["delete", "--customer", "cus_0001", "--yes"]);

    let run = s.restore(&backup, "r1.db", &[]);
    assert!(!run.status.success());
    assert!(stderr(&run).contains("--identity"), "{}", text(&run));
    let run = s.restore(&backup, "r1.db", &["--identity", other.to_str().unwrap()]);
    assert!(!run.status.success());
    assert!(stderr(&run).contains("does not open"), "{}", text(&run));
    assert!(!s.path("r1.db").exists());

    let run = s.restore(&backup, "r1.db", &["--identity", key.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    let restored = s.path("r1.db");
    assert_eq!(integrity(&restored), "ok");
    assert!(deleted(&restored, "cus_0001"));
    assert_eq!(hits(&restored, &s.marks[0].needles()), 0);
    assert!(hits(&restored, &s.marks[1].needles()) > 0);

    let bad = s.run(&[
        "backup",
        "create",
        "--to",
        s.path("c").to_str().unwrap(),
        "--recipient",
        "AGE-SECRET-KEY-1XYZ",
    ]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("not an age public key"),
        "{}",
        text(&bad)
    );
}

#[test]
fn bad_backups_and_ledgers_are_refused_and_nothing_is_restored() {
    let s = Setup::new();
    let backup = s.backup("b", &[]);
    s.ok(&["delete", "--customer", "cus_0001", "--yes"]);
    let refused = |backup: &Path, extra: &[&str], says: &str| {
        let run = s.restore(backup, "r.db", extra);
        assert!(!run.status.success(), "{extra:?}: {}", text(&run));
        let err = stderr(&run);
        assert!(
            err.contains(says),
            "{extra:?}: wanted {says:?}: {}",
            text(&run)
        );
        assert!(!err.contains("panicked"), "{err}");
        // Nothing under the target's name, and no unfinished file left.
        let left: Vec<_> = backups(s.dir.path())
            .into_iter()
            .filter(|p| p.to_string_lossy().contains("r.db"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    };
    refused(&s.path("nope.db"), &[], "there is no backup");

    let junk = s.path("junk.db");
    std::fs::write(&junk, b"this is not a database, just text\n".repeat(200)).unwrap();
    refused(&junk, &["--without-ledger"], "not a Lethe backup");

    let cut = s.path("cut.db");
    let bytes = std::fs::read(&backup).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    refused(&cut, &["--without-ledger"], "damaged");

    let newer = s.path("future.db");
    std::fs::copy(&backup, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    refused(&newer, &["--without-ledger"], "newer");

    // A ledger edited by hand: the erased profile's ID swapped for another.
    let ledger = std::fs::read_to_string(s.path("ledger.jsonl")).unwrap();
    let tampered = s.path("tampered.jsonl");
    std::fs::write(
        &tampered,
        ledger.replace("\"id\":\"cus_0001\"", "\"id\":\"cus_0002\""),
    )
    .unwrap();
    refused(
        &backup,
        &["--ledger", tampered.to_str().unwrap()],
        "tampered",
    );
    // A ledger with its last line cut off.
    let damaged = s.path("damaged.jsonl");
    std::fs::write(&damaged, &ledger[..ledger.len() - 20]).unwrap();
    refused(&backup, &["--ledger", damaged.to_str().unwrap()], "damaged");
    // Another database's ledger.
    let other = Setup::new();
    other.ok(&["delete", "--customer", "cus_0002", "--yes"]);
    let theirs = other.path("ledger.jsonl");
    refused(
        &backup,
        &["--ledger", theirs.to_str().unwrap()],
        "another database",
    );

    // Without a ledger and without saying so: refused, and says how.
    s.ok(&["backup", "settings", "--no-ledger-file"]);
    let bare = s.backup("b2", &[]);
    refused(&bare, &[], "--without-ledger");

    // The live database works as the ledger too.
    let run = s.restore(&bare, "r.db", &["--ledger", s.db.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run));
    std::fs::remove_file(s.path("r.db")).unwrap();

    // --without-ledger restores and names the gap.
    let run = s.restore(&backup, "r.db", &["--without-ledger"]);
    assert!(run.status.success(), "{}", text(&run));
    assert!(
        stderr(&run).contains("warning: restored without an erasure ledger"),
        "{}",
        text(&run)
    );
    assert!(!deleted(&s.path("r.db"), "cus_0001"));
    // And never over an existing database.
    let before = std::fs::read(s.path("r.db")).unwrap();
    let run = s.restore(&backup, "r.db", &[]);
    assert!(!run.status.success());
    assert!(stderr(&run).contains("never overwrites"), "{}", text(&run));
    assert_eq!(std::fs::read(s.path("r.db")).unwrap(), before);
    let run = s.restore(&backup, "lethe.db", &["--without-ledger"]);
    assert!(!run.status.success());
}

#[test]
fn a_killed_backup_or_restore_leaves_no_file_that_looks_whole() {
    let s = Setup::new();
    let demo = s.run(&["demo", "--customers", "3000", "--force"]);
    assert!(demo.status.success(), "{}", text(&demo));
    let to = s.path("b");
    for (i, delay) in [0u64, 5, 20, 40, 80, 160].iter().enumerate() {
        let mut child = s
            .command(&s.db, &["backup", "create", "--to", to.to_str().unwrap()])
            .env("LETHE_NOW", format!("2026-01-10T12:00:0{i}Z"))
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(*delay));
        let _ = child.kill();
        let _ = child.wait();
    }
    if to.exists() {
        for f in whole_files(&to) {
            assert_eq!(
                integrity(&f),
                "ok",
                "{} looks whole but is not",
                f.display()
            );
        }
    }
    assert_eq!(integrity(&s.db), "ok");
    let backup = s.backup("whole", &[]);
    for delay in [0u64, 5, 20, 40, 80, 160] {
        let target = s.path("restored.db");
        let (b, t, l) = (
            backup.to_str().unwrap(),
            target.to_str().unwrap(),
            s.db.to_str().unwrap(),
        );
        let args = ["backup", "restore", b, "--to", t, "--ledger", l];
        let mut child = s.command(&s.db, &args).spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        if target.exists() {
            assert_eq!(integrity(&target), "ok");
            std::fs::remove_file(&target).unwrap();
        }
    }
}

#[test]
fn a_full_disk_during_a_backup_leaves_the_database_untouched() {
    let s = Setup::new();
    let demo = s.run(&["demo", "--customers", "1500", "--force"]);
    assert!(demo.status.success(), "{}", text(&demo));
    let before = fixtures_snapshot(&s.db);
    let to = s.path("b");
    std::fs::create_dir(&to).unwrap();
    // The file size limit stands in for a full disk: writes past it fail
    // with EFBIG, as they would with ENOSPC, and the signal is ignored so
    // the error reaches Lethe.
    let out = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 256; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_lethe"))
        .arg("--db")
        .arg(&s.db)
        .args(["backup", "create", "--to", to.to_str().unwrap()])
        .env("SUDO_USER", ROOT)
        .env_remove("LETHE_DB")
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    let err = stderr(&out);
    assert!(
        err.contains("could not be written") && err.contains("full"),
        "{err}"
    );
    assert!(err.contains("the database is untouched"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(backups(&to).is_empty(), "{:?}", backups(&to));
    assert_eq!(integrity(&s.db), "ok");
    assert_eq!(fixtures_snapshot(&s.db), before);
}

/// The live customers and the audit trail's length.
fn fixtures_snapshot(db: &Path) -> (Vec<String>, i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    (live_ids(db), n)
}

#[test]
fn backups_are_listed_with_their_expiry_and_pruned_after_it() {
    let s = Setup::new();
    s.ok(&["backup", "settings", "--retention-days", "10"]);
    let backup = s.backup("b", &[]);
    let list = s.ok(&["backup", "list"]);
    assert!(list.contains("2026-01-20"), "{list}");
    assert!(list.contains(backup.to_str().unwrap()), "{list}");
    assert!(list.contains("kept"), "{list}");
    let json = s.ok(&["backup", "list", "--json"]);
    let row: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert_eq!(row["encrypted"], false);
    assert_eq!(row["expires_on"], "2026-01-20");
    assert!(row["bytes"].as_u64().unwrap() > 0);

    // Not yet expired: nothing goes.
    let early = s.run_at(&s.db, "2026-01-19T12:00:00Z", &["backup", "prune"]);
    assert!(early.status.success(), "{}", text(&early));
    assert!(backup.exists());
    // Expired: deleted, catalogued as pruned and audited.
    let late = s.run_at(&s.db, "2026-01-21T12:00:00Z", &["backup", "prune"]);
    assert!(late.status.success(), "{}", text(&late));
    assert!(!backup.exists());
    let list = s.ok(&["backup", "list"]);
    assert!(list.contains("pruned"), "{list}");
    let (action, targets, _) = last_audit(&s.db);
    assert_eq!(action, "backup-prune");
    assert!(targets.contains("lethe-backup-"), "{targets}");
    // A deletion now lists no backup that still holds the profile.
    let out = s.ok(&["delete", "--customer", "cus_0002", "--yes"]);
    let receipt: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(receipt["backups"], serde_json::json!([]));

    let bad = s.run(&["backup", "settings", "--retention-days", "0"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("1 to 3650"), "{}", text(&bad));
}

#[test]
fn a_backup_is_a_whole_private_copy_without_erased_data() {
    let s = Setup::new();
    s.ok(&["delete", "--customer", "cus_0001", "--yes"]);
    let file = s.backup("backups", &[]);
    let name = file.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with("lethe-backup-") && name.ends_with("Z.db"),
        "{name}"
    );
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&s.path("backups")), 0o700);
    // No byte of the erased profile, read before any connection opens it.
    assert_eq!(hits(&file, &s.marks[0].needles()), 0);
    assert_eq!(integrity(&file), "ok");
    assert_eq!(live_ids(&file), live_ids(&s.db));
    // Recorded as an export of the whole database.
    let (action, targets, _) = last_audit(&s.db);
    assert_eq!(action, "export");
    assert!(targets.contains(&name), "{targets}");
}

#[test]
fn the_ledger_holds_ids_and_times_only_and_a_viewer_may_not_back_up() {
    let s = Setup::new();
    s.ok(&["delete", "--customer", "cus_0001", "--yes"]);
    s.ok(&["delete-item", "--item", "it_0002_c1", "--yes"]);
    let ledger = std::fs::read(s.path("ledger.jsonl")).unwrap();
    let mut pii = s.marks[0].needles();
    pii.extend(s.marks[1].needles());
    for m in &pii {
        assert!(
            !ledger.windows(m.len()).any(|w| w == m.as_slice()),
            "PII in the ledger"
        );
    }
    let lines = String::from_utf8(ledger).unwrap();
    assert_eq!(lines.lines().count(), 3, "{lines}");
    let mode = std::fs::metadata(s.path("ledger.jsonl"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);

    // An agent may not take a backup.
    let mut store = Store::open(&s.db).unwrap();
    let root = fixtures::root(&store);
    lethe::access::grant(&mut store, &root, "sam", lethe::access::Role::Agent).unwrap();
    drop(store);
    let to = s.path("b");
    let out = s
        .command(&s.db, &["backup", "create", "--to", to.to_str().unwrap()])
        .env("SUDO_USER", "sam")
        .status()
        .unwrap();
    assert!(!out.success());
    assert!(!to.exists() || backups(&to).is_empty());
}

#[test]
fn an_unwritable_ledger_file_warns_after_the_erasure_and_stops_backups() {
    let s = Setup::new();
    // The ledger file's path is taken by a directory.
    std::fs::remove_file(s.path("ledger.jsonl")).unwrap();
    std::fs::create_dir(s.path("ledger.jsonl")).unwrap();
    let out = s.run(&["delete", "--customer", "cus_0001", "--yes"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(deleted(&s.db, "cus_0001"));
    let err = stderr(&out);
    assert!(
        err.contains("warning: the erasure was made, but the erasure ledger file"),
        "{err}"
    );
    let receipt: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap();
    assert!(receipt["ledger_warning"].is_string(), "{receipt}");
    // A backup would hold erasures the file cannot list: refused.
    let to = s.path("b");
    let out = s.run(&["backup", "create", "--to", to.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no backup was taken"),
        "{}",
        text(&out)
    );
    assert!(!to.exists() || backups(&to).is_empty());
    // A new path catches up with every entry so far.
    let ledger = s.path("ledger2.jsonl");
    s.ok(&["backup", "settings", "--ledger", ledger.to_str().unwrap()]);
    let lines = std::fs::read_to_string(&ledger).unwrap();
    assert_eq!(lines.lines().count(), 2, "{lines}");
    assert!(lines.contains("\"id\":\"cus_0001\""), "{lines}");
    s.ok(&["backup", "ledger"]);
}

#[test]
fn backup_create_can_name_the_ledger_file_and_restore_uses_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, db) = fixtures::database(dir.path());
    let m = marked(7, "CLOSED");
    fixtures::insert(&mut store, &[&m.doc]);
    drop(store);
    let s = Setup {
        dir,
        db,
        marks: vec![m],
    };
    let ledger = s.path("erasures.jsonl");
    let backup = s.backup("b", &["--ledger", ledger.to_str().unwrap()]);
    assert!(ledger.exists());
    s.ok(&["delete", "--customer", "cus_0007", "--yes"]);
    let run = s.restore(
        &backup,
        "restored.db",
        &["--ledger", ledger.to_str().unwrap()],
    );
    assert!(run.status.success(), "{}", text(&run));
    assert_eq!(hits(&s.path("restored.db"), &s.marks[0].needles()), 0);
    // The backup names the file itself, so --ledger may be left out too.
    let run = s.restore(&backup, "again.db", &[]);
    assert!(run.status.success(), "{}", text(&run));
    assert!(deleted(&s.path("again.db"), "cus_0007"));
}
