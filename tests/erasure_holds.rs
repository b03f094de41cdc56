#![recursion_limit = "512"]

//! Erasure that holds under real use: verification keeps the process's
//! SQLite locks, so a second program on the same database loses nothing;
//! retention sweeps and bulk deletions on realistic data leave no erased
//! value and no non-zero free byte in the file, and raise no false alarm.

mod common;
#[path = "common/erase_fixtures.rs"]
mod fixtures;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use fixtures::*;
use lethe::erase::{self, ItemTarget, Reason, Verify};
use lethe::store::{forensic, Store};

const NOW: i64 = 1_720_000_000_000;

fn lethe(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lethe"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("SUDO_USER", "root")
        .env_remove("LETHE_TEST_CRASH_AFTER")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn with_suffix(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

fn integrity(db: &Path) -> String {
    let store = Store::open(db).unwrap();
    store
        .read()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn is_deleted(db: &Path, id: &str) -> bool {
    let store = Store::open(db).unwrap();
    store
        .read()
        .query_row(
            "SELECT deleted_at IS NOT NULL FROM customers WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
}

/// A store that stays open, deletes and verifies, then lets another
/// process write, then writes again: both writes are kept, and the file and
/// the audit trail are whole. Before verification ran in a child process,
/// its closing of the database files dropped this process's locks; the
/// other program then took the database for closed, removed `-wal` and
/// `-shm`, and the second write was lost.
#[test]
fn a_long_lived_store_keeps_its_locks_and_another_process_s_writes() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, db) = database(dir.path());
    let docs: Vec<_> = (1..=3).map(|n| marked(n, "CLOSED")).collect();
    insert(&mut store, &docs.iter().map(|m| &m.doc).collect::<Vec<_>>());
    let actor = root(&store);
    let pid = std::process::id();
    common::assert_holds_locks(pid, &db, "before any deletion");

    let receipt =
        erase::delete_profile(&mut store, &actor, "cus_0001", Reason::Manual, NOW).unwrap();
    let scan = receipt.verification.expect("verified");
    assert!(scan.is_clean(), "{}", scan.verdict());
    assert!(scan.free_space.is_some(), "the structural check ran");
    common::assert_holds_locks(pid, &db, "after its own verification");

    // Another program writes, and ends.
    ok(&lethe(&db, &["delete", "--customer", "cus_0002", "--yes"]));
    assert!(
        with_suffix(&db, "-shm").exists(),
        "the other program removed -shm while this process still has the database open"
    );
    // This process writes again, on the connection it had all along.
    erase::delete_profile(&mut store, &actor, "cus_0003", Reason::Manual, NOW).unwrap();
    common::assert_holds_locks(pid, &db, "after its second deletion");
    drop(store);

    for id in ["cus_0001", "cus_0002", "cus_0003"] {
        assert!(is_deleted(&db, id), "{id} is not deleted");
    }
    assert_eq!(integrity(&db), "ok");
    let verify = ok(&lethe(&db, &["audit", "verify"]));
    assert!(verify.contains("intact"), "{verify}");
}

/// Each kind of item deletion leaves the file's free space all zero, and
/// the receipt says the structural check ran and found it so.
#[test]
fn every_kind_of_item_deletion_passes_the_structural_check() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, db) = database(dir.path());
    let m = marked(1, "CLOSED");
    insert(&mut store, &[&m.doc, &marked(2, "CLOSED").doc]);
    let actor = root(&store);
    let targets = [
        erase::resolve_item(&store, "att_0001_3").unwrap(),
        erase::resolve_item(&store, "rec_0001_v1").unwrap(),
        erase::resolve_item(&store, "it_0001_c1").unwrap(),
        erase::resolve_item(&store, "it_0001_e1").unwrap(),
    ];
    assert!(matches!(targets[3], ItemTarget::Thread { .. }));
    for target in &targets {
        let done = erase::delete_item(&mut store, &actor, target, NOW).unwrap();
        let scan = done.verification.expect("verified");
        let fs = scan.free_space.clone().expect("the structural check ran");
        assert!(
            scan.is_clean() && fs.is_clean(),
            "{target:?}: {}",
            scan.verdict()
        );
        assert!(!scan.compacted, "{target:?}: clean without compacting");
        assert!(fs.free_bytes > 0 && fs.btree_pages > 0, "{fs:?}");
    }
    drop(store);
    assert_eq!(
        forensic::check_free_space(&db)
            .unwrap()
            .map(|f| f.is_clean()),
        Some(true)
    );
}

/// The values of profiles about to be erased, read from the database the
/// way an attacker would look for them afterwards: names, external IDs,
/// emails, phones, addresses, message subjects and texts (a slice of each
/// long one), file names. Read independently of the erasure code.
fn values_of(db: &Path, ids: &[String]) -> Vec<Vec<u8>> {
    let store = Store::open(db).unwrap();
    let c = &store.read();
    let queries = [
        "SELECT name FROM customers WHERE id = ?1",
        "SELECT external_customer_id FROM customers WHERE id = ?1",
        "SELECT original FROM customer_emails WHERE customer_id = ?1",
        "SELECT original FROM customer_phones WHERE customer_id = ?1",
        "SELECT line1 FROM customer_addresses WHERE customer_id = ?1",
        "SELECT subject FROM items WHERE customer_id = ?1",
        "SELECT body FROM items WHERE customer_id = ?1",
        "SELECT a.filename FROM attachments a JOIN items i ON i.id = a.item_id
         WHERE i.customer_id = ?1",
    ];
    let mut out = Vec::new();
    for id in ids {
        for sql in queries {
            let mut stmt = c.prepare(sql).unwrap();
            let rows = stmt
                .query_map([id], |r| r.get::<_, Option<String>>(0))
                .unwrap();
            for v in rows.flatten().flatten() {
                let v = v.trim();
                // A slice of a long text, cut on character boundaries.
                let mut from = v.len().saturating_sub(40) / 2;
                while !v.is_char_boundary(from) {
                    from += 1;
                }
                let mut to = (from + 40).min(v.len());
                while !v.is_char_boundary(to) {
                    to -= 1;
                }
                if to - from >= 8 {
                    out.push(v.as_bytes()[from..to].to_vec());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn deleted_ids(db: &Path) -> Vec<String> {
    let store = Store::open(db).unwrap();
    let read = store.read();
    let mut stmt = read
        .prepare("SELECT id FROM customers WHERE deleted_at IS NOT NULL ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// After an erasure, scans the files for every value read before it and
/// returns those found that no live record holds, and the structural
/// check. The store is closed: nothing holds the files.
fn remnants(db: &Path, values: &[Vec<u8>]) -> (Vec<String>, forensic::FreeSpace) {
    let (_, found) = forensic::scan_each(db, values).unwrap();
    let hits: Vec<Vec<u8>> = values
        .iter()
        .zip(&found)
        .filter(|(_, f)| **f)
        .map(|(v, _)| v.clone())
        .collect();
    let store = Store::open(db).unwrap();
    let held = lethe::store::erase::held_by_live_records(&store.read(), &hits).unwrap();
    drop(store);
    let left = hits
        .iter()
        .zip(held)
        .filter(|(_, h)| !h)
        .map(|(v, _)| String::from_utf8_lossy(v).into_owned())
        .collect();
    let fs = forensic::check_free_space(db).unwrap().expect("a database");
    (left, fs)
}

/// A demo database of 2,000 customers, a 365-day policy, one sweep: no
/// erased value left that no live record holds, free space all zero, and
/// a sweep that succeeded clean on its first scan (no false alarm).
fn sweep_seed(seed: u64) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let seed_s = seed.to_string();
    ok(&lethe(
        &db,
        &["demo", "--customers", "2000", "--seed", &seed_s],
    ));
    ok(&lethe(
        &db,
        &["retention", "set", "--days", "365", "--i-understand"],
    ));
    // Every profile the sweep will erase: all that are due, less blocked.
    let plan = ok(&lethe(&db, &["retention", "run", "--dry-run"]));
    let before = deleted_ids(&db);
    let due: Vec<String> = plan
        .lines()
        .filter_map(|l| l.strip_prefix("would delete"))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert!(due.len() > 500, "seed {seed}: {} due\n{plan}", due.len());
    let values = values_of(&db, &due);
    let out = ok(&lethe(&db, &["retention", "run"]));
    assert!(out.contains("Verified: none of "), "seed {seed}: {out}");
    assert!(out.contains("free space is all zero"), "seed {seed}: {out}");
    assert!(!out.contains("after compacting"), "seed {seed}: {out}");
    let erased: Vec<String> = deleted_ids(&db)
        .into_iter()
        .filter(|id| !before.contains(id))
        .collect();
    assert_eq!(erased, {
        let mut d = due.clone();
        d.sort();
        d
    });
    let (left, fs) = remnants(&db, &values);
    assert!(
        left.is_empty(),
        "seed {seed}: erased values remain: {left:?}"
    );
    assert!(fs.is_clean(), "seed {seed}: {fs:?}");
    values.len()
}

/// The reproduction from the field: seed 31 left a deleted external ID in
/// the gap of an index page (SQLite's `editPage` copied cell pointers past
/// the array's end; vendor/libsqlite3-sys/LETHE.md, change 3).
#[test]
fn the_seed_31_sweep_leaves_no_remnant() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    ok(&lethe(
        &db,
        &["demo", "--customers", "2000", "--seed", "31"],
    ));
    ok(&lethe(
        &db,
        &["retention", "set", "--days", "365", "--i-understand"],
    ));
    let out = ok(&lethe(&db, &["retention", "run"]));
    assert!(!out.contains("after compacting"), "{out}");
    let fs = forensic::check_free_space(&db).unwrap().unwrap();
    assert!(fs.is_clean(), "{fs:?}");
    sweep_seed(31);
}

#[test]
fn sweeps_of_a_few_seeds_leave_no_remnant_and_raise_no_false_alarm() {
    for seed in [3, 34, 77] {
        sweep_seed(seed);
    }
}

/// The full loop: `cargo test --release -- --ignored sweeps_of_fifty`.
#[test]
#[ignore = "about two minutes in release; CI runs the loop of a few seeds"]
fn sweeps_of_fifty_seeds_leave_no_remnant_and_raise_no_false_alarm() {
    let mut values = 0;
    for seed in 1..=50 {
        values += sweep_seed(seed);
    }
    eprintln!("50 sweeps, {values} erased values searched for: none left");
}

/// `lethe delete --from-file` of 1,000 profiles of a demo database.
fn bulk_seed(seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("b.db");
    let seed_s = seed.to_string();
    ok(&lethe(
        &db,
        &["demo", "--customers", "2000", "--seed", &seed_s],
    ));
    let store = Store::open(&db).unwrap();
    let read = store.read();
    let mut stmt = read
        .prepare(
            "SELECT id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM conversations v
                 WHERE v.customer_id = c.id AND v.status IN ('OPEN', 'WAITING'))
             ORDER BY id LIMIT 1000",
        )
        .unwrap();
    let ids: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    drop(stmt);
    drop(store);
    assert_eq!(ids.len(), 1000);
    let values = values_of(&db, &ids);
    let list = dir.path().join("ids.txt");
    std::fs::write(&list, ids.join("\n")).unwrap();
    let o = lethe(
        &db,
        &["delete", "--from-file", list.to_str().unwrap(), "--yes"],
    );
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Deleted 1000 profiles"), "{err}");
    assert!(err.contains("Verified: none of the "), "{err}");
    assert!(err.contains("free space is all zero"), "{err}");
    assert!(!err.contains("after compacting"), "{err}");
    let (left, fs) = remnants(&db, &values);
    assert!(
        left.is_empty(),
        "seed {seed}: erased values remain: {left:?}"
    );
    assert!(fs.is_clean(), "seed {seed}: {fs:?}");
}

#[test]
fn a_bulk_deletion_of_1000_profiles_leaves_no_remnant() {
    bulk_seed(5);
}

#[test]
#[ignore = "about a minute in release; CI runs one seed"]
fn bulk_deletions_of_1000_profiles_on_twenty_seeds_leave_no_remnant() {
    for seed in 1..=20 {
        bulk_seed(seed);
    }
}

/// The structural check is not fooled by a remnant it was not told about:
/// a byte planted in a page's free space fails the next verification,
/// which compacts the file and then passes.
#[test]
fn a_planted_remnant_fails_verification_until_the_file_is_compacted() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, db) = database(dir.path());
    let docs: Vec<_> = (1..=40).map(|n| marked(n, "CLOSED")).collect();
    insert(&mut store, &docs.iter().map(|m| &m.doc).collect::<Vec<_>>());
    store.checkpoint_truncate().unwrap();
    drop(store);
    // Plant bytes in the gap of a table leaf page, with nothing open.
    let mut bytes = std::fs::read(&db).unwrap();
    let page = 4096;
    let at = (2..bytes.len() / page)
        .find_map(|p| {
            let pg = &bytes[p * page..(p + 1) * page];
            let cells = u16::from_be_bytes([pg[3], pg[4]]) as usize;
            let content = u16::from_be_bytes([pg[5], pg[6]]) as usize;
            (pg[0] == 13 && content > 8 + 2 * cells + 16).then_some(p * page + 8 + 2 * cells + 2)
        })
        .expect("a page with a gap");
    bytes[at..at + 8].copy_from_slice(b"LEFTOVER");
    std::fs::write(&db, &bytes).unwrap();
    assert!(!forensic::check_free_space(&db).unwrap().unwrap().is_clean());

    let mut store = Store::open(&db).unwrap();
    let actor = root(&store);
    let receipt = erase::delete_profile_with(
        &mut store,
        &actor,
        "cus_0001",
        erase::ProfileErasure {
            reason: Reason::Manual,
            now: NOW,
            verify: Verify::Full,
        },
    )
    .unwrap();
    let scan = receipt.verification.unwrap();
    assert!(scan.compacted, "the dirty free space made it compact");
    assert!(scan.is_clean(), "{}", scan.verdict());
    drop(store);
    assert!(forensic::check_free_space(&db).unwrap().unwrap().is_clean());
}

/// A redaction removes the pasted card from the files and leaves the
/// file's free space all zero, and says so.
#[test]
fn a_redaction_passes_the_structural_check_and_the_value_scan() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, db) = database(dir.path());
    common::insert(&mut store, &[common::paula()]);
    store.checkpoint_truncate().unwrap();
    let card = common::CARDS[0].as_bytes().to_vec();
    assert_eq!(hits(&db, std::slice::from_ref(&card)), 1);
    let actor = root(&store);
    let done = lethe::triage::redact_item(&mut store, &actor, "it_p0a", None, NOW).unwrap();
    assert_eq!(done.total(), 1);
    let scan = done.verification.expect("verified");
    assert!(scan.is_clean(), "{}", scan.verdict());
    assert!(!scan.compacted);
    assert_eq!(scan.values_checked, 1);
    assert!(scan.free_space.as_ref().is_some_and(|f| f.is_clean()));
    drop(store);
    assert_eq!(hits(&db, &[card]), 0);
}
