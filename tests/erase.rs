#![recursion_limit = "512"]

//! Erasure, proven on disk: every deletion is followed by a byte scan of
//! the database files for the markers planted in the deleted data.

#[path = "common/erase_fixtures.rs"]
mod fixtures;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use fixtures::*;
use lethe::erase::{self, BulkOptions, BulkOutcome, ItemTarget, Reason, Resolution, Verify};
use lethe::search::{self, Field};
use lethe::store::{customers, Store};
use lethe::Error;

const NOW: i64 = 1_720_000_000_000;

fn lethe(db: &Path, user: &str, args: &[&str]) -> Output {
    lethe_env(db, user, args, &[])
}

fn lethe_env(db: &Path, user: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lethe"));
    cmd.arg("--db")
        .arg(db)
        .args(args)
        .env("SUDO_USER", user)
        .env_remove("LETHE_TEST_CRASH_AFTER")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A bulk erasure by `actor` at `NOW` that runs to its end.
fn bulk(actor: &lethe::access::Actor, reason: Reason, options: BulkOptions) -> erase::Bulk<'_> {
    erase::Bulk {
        actor,
        reason,
        now: NOW,
        options,
        cancel: None,
    }
}

/// The profiles named by each `delete-profile` audit entry, in order.
fn deletion_entries(store: &Store) -> Vec<Vec<String>> {
    let read = store.read();
    let mut stmt = read
        .prepare("SELECT targets FROM audit_log WHERE action = 'delete-profile' ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|t| serde_json::from_str(&t.unwrap()).unwrap())
        .collect()
}

fn count(store: &Store, sql: &str, id: &str) -> i64 {
    store.read().query_row(sql, [id], |r| r.get(0)).unwrap()
}

/// The one value a query without parameters returns.
fn value<T: rusqlite::types::FromSql>(store: &Store, sql: &str) -> T {
    store.read().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn profile_deletion_leaves_no_marker_in_any_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, path) = database(dir.path());
    let (target, other) = (marked(1, "CLOSED"), marked(2, "CLOSED"));
    insert(&mut store, &[&target.doc, &other.doc]);
    add_finding(&store, "it_0001_c1", "cus_0001");
    store.checkpoint_truncate().unwrap();
    // The scan can see the data: without the erasure it would fail.
    assert_eq!(hits(&path, &target.needles()), target.markers.len());

    let actor = root(&store);
    let receipt =
        erase::delete_profile(&mut store, &actor, "cus_0001", Reason::Manual, NOW).unwrap();

    assert_eq!(hits(&path, &target.needles()), 0);
    assert_eq!(hits(&path, &other.needles()), other.markers.len());
    let scan = receipt.verification.clone().expect("verified by default");
    assert_eq!(scan.values_found, 0);
    assert!(scan.values_checked >= 30, "{scan:?}");
    assert!(receipt.checkpoint.completed);
    for (kind, n) in [
        ("name", 1),
        ("emails", 2),
        ("phones", 1),
        ("addresses", 1),
        ("external_ids", 2),
        ("custom_attributes", 3),
        ("items", 6),
        ("attachments", 3),
        ("recordings", 2),
        ("orders", 1),
        ("app_data", 1),
        ("pii_findings", 1),
    ] {
        assert_eq!(receipt.removed.get(kind), Some(n), "{kind}");
    }
    let json = serde_json::to_string(&receipt).unwrap();
    assert!(!json.to_lowercase().contains("mrk-"), "{json}");
    assert!(json.contains("\"sqlite_version\"") && json.contains("wal_checkpoint_truncate"));

    // The skeleton stays for reports; search holds no trace.
    let doc = customers::load(&store.read(), "cus_0001", false)
        .unwrap()
        .unwrap();
    assert_eq!(doc.deletion_reason.as_deref(), Some("manual"));
    assert!(doc.name.is_none() && doc.emails.is_empty() && doc.orders.is_empty());
    assert_eq!(doc.conversations.len(), 2);
    assert_eq!(doc.conversations[0].work_sessions.len(), 1);
    // Conversations are deleted with their customer, and say so.
    assert!(doc.deleted_at.is_some());
    assert!(doc
        .conversations
        .iter()
        .all(|c| c.deleted_at == doc.deleted_at));
    let other_doc = customers::load(&store.read(), "cus_0002", false)
        .unwrap()
        .unwrap();
    assert!(other_doc
        .conversations
        .iter()
        .all(|c| c.deleted_at.is_none()));
    let items = &doc.conversations[0].items;
    assert_eq!(items.len(), 6);
    assert_eq!(items[0].id, "it_0001_e1");
    assert_eq!(items[0].timestamp, "2023-03-01T10:00:00.000Z");
    assert!(items
        .iter()
        .all(|i| i.deleted_at.is_some() && i.content.content.is_none()));
    assert_eq!(items[0].content.attachments[0].file_size, 634);
    assert!(items[0].content.attachments[0].filename.is_none());
    assert!(search::prefix(&store.read(), "ada", 10)
        .unwrap()
        .iter()
        .all(|s| s.id != "cus_0001"));
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM search_keys WHERE customer_id = ?1",
            "cus_0001"
        ),
        0
    );
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM audit_log WHERE action = 'delete-profile' AND targets LIKE '%' || ?1 || '%'",
            "cus_0001"
        ),
        1
    );
}

/// A search key's shard sits in the file right before the key text, so it
/// must never read as part of a value. Stored as a small number, shard 35
/// was the byte '#': a live phone key "48574171019" behind it read
/// "#48574171019", and the scan found a deleted order number "#4857417"
/// that was in fact gone.
#[test]
fn no_erased_value_is_read_across_a_search_key_s_shard() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, path) = database(dir.path());
    // The next customer row starts block 35 of the customers table.
    store
        .read()
        .execute(
            "INSERT INTO customers (rowid, id, created_at, updated_at)
             VALUES (?1, 'cus_pad', 0, 0)",
            [35 * 16384 - 1],
        )
        .unwrap();
    let doc =
        |v: serde_json::Value| -> lethe::format::CustomerDoc { serde_json::from_value(v).unwrap() };
    let live = doc(serde_json::json!({
        "id": "cus_live", "name": "Ola Nowak", "createdAt": "2024-01-01T00:00:00Z",
        "phones": [{"original": "+48 574 171 019"}]
    }));
    let gone = doc(serde_json::json!({
        "id": "cus_gone", "name": "Jan Kowalski", "createdAt": "2024-01-01T00:00:00Z",
        "orders": [{"id": "ord_1", "number": "#4857417", "placedAt": "2024-02-01T00:00:00Z"}]
    }));
    insert(&mut store, &[&live, &gone]);
    let phone_key: String = value(
        &store,
        "SELECT key FROM search_keys WHERE customer_id = 'cus_live' AND kind = 4",
    );
    assert_eq!(phone_key, "48574171019");
    store.checkpoint_truncate().unwrap();
    assert_eq!(hits(&path, &[b"#4857417".to_vec()]), 1);

    let actor = root(&store);
    let receipt =
        erase::delete_profile(&mut store, &actor, "cus_gone", Reason::Manual, NOW).unwrap();
    let scan = receipt.verification.expect("verified by default");
    assert_eq!(scan.values_found, 0);
    assert_eq!(hits(&path, &[b"#4857417".to_vec()]), 0);
}

#[test]
fn bulk_deletion_of_1500_profiles_leaves_no_marker() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, path) = database(dir.path());
    let profiles: Vec<Marked> = (0..1501).map(|n| marked(n, "CLOSED")).collect();
    insert(
        &mut store,
        &profiles.iter().map(|p| &p.doc).collect::<Vec<_>>(),
    );
    let (gone, kept) = profiles.split_at(1500);
    let needles: Vec<Vec<u8>> = gone.iter().flat_map(|p| p.needles()).collect();
    assert_eq!(hits(&path, &needles), needles.len());

    let ids: Vec<String> = gone.iter().map(|p| p.doc.id.clone()).collect();
    let mut batches = 0;
    let actor = root(&store);
    let started = std::time::Instant::now();
    let result = erase::delete_profiles(
        &mut store,
        &bulk(
            &actor,
            Reason::Retention,
            BulkOptions {
                verify: Verify::Full,
                batch_size: 500,
            },
        ),
        &ids,
        &mut |p| {
            batches += 1;
            assert_eq!(p.receipts.len(), p.outcomes.len());
        },
    )
    .unwrap();
    eprintln!(
        "bulk: 1500 profiles with verification in {:?}",
        started.elapsed()
    );

    assert_eq!((result.deleted, result.failed, batches), (1500, 0, 3));
    assert!(result.checkpoint_completed);
    // Past 1,000 profiles verification reads back an evenly spaced sample
    // of them; this test's own scan checks every marker of every profile.
    let scan = result.verification.as_ref().unwrap();
    assert_eq!(scan.values_found, 0);
    assert_eq!(
        scan.profile_sample,
        Some(lethe::store::forensic::ProfileSample {
            sampled: 750,
            of: 1500
        })
    );
    assert_eq!(hits(&path, &needles), 0);
    assert_eq!(hits(&path, &kept[0].needles()), kept[0].markers.len());
    let reason: String = value(
        &store,
        "SELECT deletion_reason FROM customers WHERE id = 'cus_0500'",
    );
    assert_eq!(reason, "retention");
    // One entry per batch names every profile it erased, plus the run's
    // summary entry.
    let targets: Vec<String> = deletion_entries(&store).concat();
    assert_eq!(targets.len(), 1500);
    assert!(targets.iter().any(|t| t == "cus_0500"));
    let bulk: i64 = value(
        &store,
        "SELECT count(*) FROM audit_log WHERE action = 'delete-bulk'",
    );
    assert_eq!(bulk, 1);
}

#[test]
fn each_kind_of_item_deletion_leaves_a_tombstone_and_no_marker() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, path) = database(dir.path());
    let p = marked(7, "CLOSED");
    insert(&mut store, &[&p.doc]);
    add_finding(&store, "it_0007_c1", "cus_0007");
    let actor = root(&store);
    let still_there = p.markers_of(&["NAME", "CALLNOTE", "ACTBODY", "ORDNO"]);

    // One attachment: its name and bytes go, its ID, type and size stay.
    let target = erase::resolve_item(&store, "att_0007_3").unwrap();
    assert_eq!(
        erase::preview_item(&store, &target).unwrap().lines,
        vec!["attachment \"MRK-0007-FILE3-7Q2.txt\" (text/plain, 634 bytes)"]
    );
    let done = erase::delete_item(&mut store, &actor, &target, NOW).unwrap();
    assert_eq!((done.attachments, done.items), (1, 0));
    assert_eq!(done.verification.unwrap().values_found, 0);
    assert_eq!(hits(&path, &p.markers_of(&["FILE3", "BYTES3"])), 0);
    assert_eq!(
        hits(&path, &p.markers_of(&["CHAT"])),
        1,
        "the message stays"
    );

    // A message: its text and findings go.
    let target = erase::resolve_item(&store, "it_0007_c1").unwrap();
    assert_eq!(
        target,
        ItemTarget::Message {
            item_id: "it_0007_c1".into()
        }
    );
    erase::delete_item(&mut store, &actor, &target, NOW + 1).unwrap();
    assert_eq!(hits(&path, &p.markers_of(&["CHAT"])), 0);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM pii_findings WHERE item_id = ?1",
            "it_0007_c1"
        ),
        0
    );

    // A voicemail recording: the bytes and the transcript go, the item stays.
    let target = erase::resolve_item(&store, "rec_0007_v1").unwrap();
    let preview = erase::preview_item(&store, &target).unwrap();
    assert!(
        preview.lines[0].ends_with("(0:42) and its transcript"),
        "{preview:?}"
    );
    erase::delete_item(&mut store, &actor, &target, NOW + 2).unwrap();
    assert_eq!(hits(&path, &p.markers_of(&["VMREC", "VMTEXT"])), 0);

    // An email: the whole thread goes, with its attachments.
    let target = erase::resolve_item(&store, "it_0007_e2").unwrap();
    let preview = erase::preview_item(&store, &target).unwrap();
    assert_eq!(
        preview.lines,
        vec!["email \"MRK-0007-SUBJ2-7Q2\" and 1 more message in the thread, 2 attachments"]
    );
    let done = erase::delete_item(&mut store, &actor, &target, NOW + 3).unwrap();
    assert_eq!((done.items, done.attachments), (2, 2));
    assert!(done.checkpoint_completed);
    let thread = [
        "SUBJ1", "BODY1", "FROM1", "TO1", "CC1", "SUBJ2", "BODY2", "FILE1", "FILE2",
    ];
    assert_eq!(hits(&path, &p.markers_of(&thread)), 0);
    assert_eq!(hits(&path, &p.markers_of(&["BYTES1", "BYTES2"])), 0);

    // Everything else is untouched, and the tombstones keep their skeleton.
    assert_eq!(hits(&path, &still_there), still_there.len());
    let doc = customers::load(&store.read(), "cus_0007", false)
        .unwrap()
        .unwrap();
    let items = &doc.conversations[0].items;
    let e1 = &items[0];
    assert_eq!(
        (e1.id.as_str(), e1.content.kind.as_str()),
        ("it_0007_e1", "EMAIL")
    );
    assert_eq!(e1.content.thread_id.as_deref(), Some("thr_0007"));
    assert!(e1.deleted_at.is_some() && e1.content.subject.is_none() && e1.content.from.is_none());
    assert_eq!(
        e1.content.attachments[0].content_type.as_deref(),
        Some("application/pdf")
    );
    let vm = &items[4];
    assert!(vm.deleted_at.is_none() && vm.content.content.is_none());
    assert!(vm.content.recording.as_ref().unwrap().deleted_at.is_some());
    assert_eq!(vm.content.duration, Some(42));
    assert!(doc.deleted_at.is_none() && doc.name.is_some());

    // Deleting again says so instead of pretending.
    let again = erase::delete_item(&mut store, &actor, &target, NOW + 4).unwrap_err();
    assert!(again.to_string().contains("already deleted"), "{again}");
}

#[test]
fn open_or_waiting_work_blocks_profile_deletion_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _path) = database(dir.path());
    let (open, waiting) = (marked(1, "OPEN"), marked(2, "WAITING"));
    insert(&mut store, &[&open.doc, &waiting.doc]);
    let actor = root(&store);
    for (id, status) in [("cus_0001", "OPEN"), ("cus_0002", "WAITING")] {
        let before = customers::load(&store.read(), id, true).unwrap();
        let preview = erase::preview_profile(&store, id).unwrap();
        assert_eq!(
            preview.blocked_by,
            Some((format!("conv_{}_b", &id[4..]), status.to_string()))
        );
        match erase::delete_profile(&mut store, &actor, id, Reason::Manual, NOW) {
            Err(Error::OpenConversation {
                customer_id,
                conversation_id,
                status: s,
            }) => {
                assert_eq!(customer_id, id);
                assert_eq!(conversation_id, format!("conv_{}_b", &id[4..]));
                assert_eq!(s, status);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(customers::load(&store.read(), id, true).unwrap(), before);
    }
}

#[test]
fn agents_and_non_operators_cannot_delete() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _path) = database(dir.path());
    let p = marked(3, "CLOSED");
    insert(&mut store, &[&p.doc]);
    let before = customers::load(&store.read(), "cus_0003", true).unwrap();
    for actor in [agent(), stranger()] {
        let e = erase::delete_profile(&mut store, &actor, "cus_0003", Reason::Manual, NOW);
        assert!(matches!(e, Err(Error::NotPermitted { .. })), "{e:?}");
        let target = ItemTarget::Thread {
            item_id: "it_0003_e1".into(),
        };
        let e = erase::delete_item(&mut store, &actor, &target, NOW);
        assert!(matches!(e, Err(Error::NotPermitted { .. })), "{e:?}");
        let e = erase::delete_profiles(
            &mut store,
            &bulk(&actor, Reason::Manual, BulkOptions::default()),
            &["cus_0003".to_string()],
            &mut |_| {},
        );
        assert!(matches!(e, Err(Error::NotPermitted { .. })), "{e:?}");
    }
    assert_eq!(
        customers::load(&store.read(), "cus_0003", true).unwrap(),
        before
    );
}

#[test]
fn a_crash_mid_transaction_leaves_the_profile_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, path) = database(dir.path());
    let p = marked(4, "CLOSED");
    insert(&mut store, &[&p.doc]);
    let before = customers::load(&store.read(), "cus_0004", true).unwrap();
    drop(store);

    let out = lethe_env(
        &path,
        ROOT,
        &["delete", "--customer", "cus_0004", "--yes"],
        &[("LETHE_TEST_CRASH_AFTER", "erase-profile-rows")],
    );
    assert!(
        !out.status.success(),
        "the test hook should have aborted the process"
    );

    let mut store = Store::open(&path).unwrap();
    assert_eq!(
        customers::load(&store.read(), "cus_0004", true).unwrap(),
        before
    );
    assert_eq!(
        search::exact(
            &store.read(),
            Field::Email,
            "MRK-0004-EMAIL1-7Q2@example.com"
        )
        .unwrap()
        .len(),
        1
    );
    let actor = root(&store);
    let r = erase::delete_profile(&mut store, &actor, "cus_0004", Reason::Manual, NOW).unwrap();
    assert_eq!(r.verification.unwrap().values_found, 0);
    assert_eq!(hits(&path, &p.needles()), 0);
}

#[test]
fn the_command_line_deletes_with_receipts_and_refuses_what_it_must() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, path) = database(dir.path());
    let (ok, open) = (marked(5, "CLOSED"), marked(6, "OPEN"));
    insert(&mut store, &[&ok.doc, &open.doc]);
    drop(store);

    // Without a terminal and without --yes, nothing happens.
    let out = lethe(&path, ROOT, &["delete", "--customer", "cus_0005"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    let out = lethe(&path, ROOT, &["delete-item", "--item", "it_0005_c1"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not a terminal"), "{}", stderr(&out));

    // Only a Compliance Administrator may delete.
    let out = lethe(
        &path,
        "someone-not-operator",
        &["delete", "--customer", "cus_0005", "--yes"],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not permitted"), "{}", stderr(&out));
    assert_eq!(hits(&path, &ok.needles()), ok.markers.len());

    // Open work: reported, not deleted, and the run still completes.
    let receipts = dir.path().join("receipts.jsonl");
    let out = lethe(
        &path,
        ROOT,
        &[
            "delete",
            "--customer",
            "cus_0006",
            "cus_0005",
            "--yes",
            "--receipts",
        ],
    );
    assert!(!out.status.success(), "--receipts needs a value");
    let out = lethe(
        &path,
        ROOT,
        &[
            "delete",
            "--customer",
            "cus_0006",
            "cus_0005",
            "--yes",
            "--receipts",
            receipts.to_str().unwrap(),
        ],
    );
    // One blocked: the run completes, and says with status 3 that not all
    // it was asked to delete is gone.
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("cus_0006 has conversation conv_0006_b in status OPEN"),
        "{err}"
    );
    assert!(err.contains("Deleted 1 profiles; 1 blocked"), "{err}");
    let written = std::fs::read_to_string(&receipts).unwrap();
    assert_eq!(written, stdout(&out));
    assert!(!written.to_lowercase().contains("mrk-"));
    let lines: Vec<serde_json::Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{written}");
    assert_eq!(lines[0]["customer_id"], "cus_0005");
    assert_eq!(lines[1]["summary"]["blocked"], 1);
    assert_eq!(lines[1]["summary"]["verification"]["values_found"], 0);
    assert_eq!(hits(&path, &ok.needles()), 0);
    assert_eq!(hits(&path, &open.needles()), open.markers.len());

    // Item deletion from the command line.
    let out = lethe(
        &path,
        ROOT,
        &["delete-item", "--item", "it_0006_e1", "--yes"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("whole thread"));
    assert!(
        stdout(&out).contains("Deleted 2 items, 2 attachments"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        hits(&path, &open.markers_of(&["SUBJ1", "BODY2", "BYTES1"])),
        0
    );
}

#[test]
fn lists_resolve_emails_and_phones_and_dry_runs_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, path) = database(dir.path());
    let mut twin_a = marked(10, "CLOSED");
    let mut twin_b = marked(11, "CLOSED");
    for t in [&mut twin_a, &mut twin_b] {
        t.doc.emails[1].original = "shared@example.com".into();
    }
    let (single, open) = (marked(12, "CLOSED"), marked(13, "WAITING"));
    insert(
        &mut store,
        &[&twin_a.doc, &twin_b.doc, &single.doc, &open.doc],
    );
    assert_eq!(
        erase::resolve_target(&store, "SHARED@example.com")
            .unwrap()
            .1,
        Resolution::Ambiguous(vec!["cus_0010".into(), "cus_0011".into()])
    );
    drop(store);
    let list = dir.path().join("list.txt");
    std::fs::write(
        &list,
        "# erasure requests\n\nshared@example.com\n+1 628-391-0012\ncus_0013\nnobody@example.com\n",
    )
    .unwrap();
    let list = list.to_str().unwrap();
    let db_bytes = std::fs::read(&path).unwrap();

    let out = lethe(&path, ROOT, &["delete", "--from-file", list, "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (o, e) = (stdout(&out), stderr(&out));
    assert!(
        o.contains("would delete cus_0012: 1 name, 2 emails, 1 phone, 1 address, 2 external IDs"),
        "{o}"
    );
    assert!(
        o.contains("blocked cus_0013: conversation conv_0013_b is WAITING"),
        "{o}"
    );
    assert!(
        e.contains("line 3 (email) matches 2 profiles: cus_0010, cus_0011"),
        "{e}"
    );
    assert!(
        e.contains("line 6 (email)") && e.contains("not found"),
        "{e}"
    );
    assert!(
        !o.contains("MRK") && !e.contains("MRK") && !e.contains("shared@"),
        "{o}{e}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        db_bytes,
        "a dry run writes nothing"
    );

    // Without --all-matches the shared email deletes nobody.
    let out = lethe(
        &path,
        ROOT,
        &["delete", "--from-file", list, "--yes", "--skip-verify"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains(
            "Deleted 1 profiles; 1 blocked by an open conversation, 1 not found, 1 ambiguous"
        ),
        "{e}"
    );
    assert_eq!(hits(&path, &twin_a.markers_of(&["NAME"])), 1);
    assert_eq!(hits(&path, &single.needles()), 0);

    let out = lethe(
        &path,
        ROOT,
        &["delete", "--from-file", list, "--yes", "--all-matches"],
    );
    // The list still names a blocked and an unknown profile.
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Deleted 2 profiles"),
        "{}",
        stderr(&out)
    );
    assert_eq!(hits(&path, &twin_a.markers_of(&["NAME", "BODY1"])), 0);
    assert_eq!(hits(&path, &twin_b.markers_of(&["NAME", "BODY1"])), 0);
}

#[test]
fn reports_still_count_deleted_customers_without_pii() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, path) = database(dir.path());
    let (gone, kept) = (marked(20, "CLOSED"), marked(21, "CLOSED"));
    insert(&mut store, &[&gone.doc, &kept.doc]);
    let opts = BulkOptions {
        verify: Verify::Skip,
        batch_size: 10,
    };
    let actor = root(&store);
    let r = erase::delete_profiles(
        &mut store,
        &bulk(&actor, Reason::Manual, opts),
        &["cus_0020".into(), "cus_9999".into()],
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(r.outcomes[1].1, BulkOutcome::NotFound);
    drop(store);

    let csv_path = dir.path().join("contacts.csv");
    let out = lethe(
        &path,
        "anyone",
        &["report", "contacts", "-o", csv_path.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let rows: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 1 + 12, "a header and six items per customer");
    assert!(rows[0].starts_with("item_id,customer_id,conversation_id,type,channel,timestamp"));
    let deleted: Vec<&&str> = rows.iter().filter(|r| r.starts_with("it_0020")).collect();
    assert_eq!(deleted.len(), 6);
    assert!(
        deleted
            .iter()
            .all(|r| r
                .contains(",true,2024-07-03T09:46:40.000Z,true,2024-07-03T09:46:40.000Z,manual"))
    );
    assert!(rows.iter().any(
        |r| r.starts_with("it_0021_e1,cus_0021,conv_0021_a,EMAIL,EMAIL,")
            && r.ends_with(",false,,false,,")
    ));
    assert!(!csv.contains("MRK"));

    let out = lethe(&path, "anyone", &["report", "conversations"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    assert!(
        csv.contains("conv_0020_a,cus_0020,CLOSED,EMAIL,Refunds,agent_7,"),
        "{csv}"
    );
    assert!(
        csv.contains(",6,6,1,true,2024-07-03T09:46:40.000Z,manual\r\n"),
        "{csv}"
    );
    assert!(!csv.contains("MRK"));
}

/// Every value a customer's profile and texts hold, lowercased, long
/// enough to be worth searching for.
fn pii_values(store: &Store, id: &str) -> Vec<String> {
    let doc = customers::load(&store.read(), id, false).unwrap().unwrap();
    let mut v: Vec<String> = Vec::new();
    v.extend(doc.name.clone());
    v.extend(doc.emails.iter().map(|e| e.original.clone()));
    v.extend(doc.phones.iter().map(|p| p.original.clone()));
    v.extend(doc.phones.iter().filter_map(|p| p.normalized.clone()));
    v.extend(doc.external_customer_id.clone());
    for c in &doc.conversations {
        for i in &c.items {
            v.extend(i.content.subject.clone());
            // A message's first 40 characters stand for its text.
            v.extend(
                i.content
                    .content
                    .as_ref()
                    .map(|t| t.chars().take(40).collect()),
            );
            v.extend(
                i.content
                    .attachments
                    .iter()
                    .filter_map(|a| a.filename.clone()),
            );
        }
    }
    v.into_iter()
        .map(|s| s.to_lowercase())
        .filter(|s| s.chars().count() >= 6)
        .collect()
}

#[test]
fn no_audit_entry_holds_the_pii_of_deleted_customers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let mut store = Store::create(&path).unwrap();
    lethe::access::bootstrap(&store, ROOT).unwrap();
    let opts = lethe::demo::Options {
        customers: 60,
        seed: 11,
        anchor: NOW,
    };
    lethe::demo::generate(&mut store, &opts, &mut |_| {}).unwrap();
    let actor = root(&store);
    let ids = fixtures_deletable(&store, 12);
    let mut values = Vec::new();
    for id in &ids {
        values.extend(pii_values(&store, id));
    }
    // Every kind of deletion, plus a redaction and an export.
    let item_of = |store: &Store, id: &str, sql: &str| -> Option<String> {
        store.read().query_row(sql, [id], |r| r.get(0)).ok()
    };
    // The first of the chosen customers that has an item of each kind.
    let first = |sql: &str| ids.iter().find_map(|id| item_of(&store, id, sql));
    let chat = first("SELECT id FROM items WHERE customer_id = ?1 AND type = 'CHAT_MESSAGE' AND body IS NOT NULL LIMIT 1");
    let email = first("SELECT id FROM items WHERE customer_id = ?1 AND type = 'EMAIL' LIMIT 1");
    let att = first("SELECT a.id FROM attachments a JOIN items i ON i.id = a.item_id WHERE i.customer_id = ?1 AND i.type <> 'EMAIL' LIMIT 1")
        .or_else(|| first("SELECT a.id FROM attachments a JOIN items i ON i.id = a.item_id WHERE i.customer_id = ?1 LIMIT 1"));
    let rec = first("SELECT r.id FROM recordings r JOIN items i ON i.id = r.item_id WHERE i.customer_id = ?1 LIMIT 1");
    // Every kind must be exercised: a fixture without one would make this
    // test pass without checking that kind's audit entry.
    for (kind, target) in [
        ("chat", chat),
        ("email", email),
        ("attachment", att),
        ("recording", rec),
    ] {
        let target =
            target.unwrap_or_else(|| panic!("the demo customers have no {kind} to delete"));
        let t = erase::resolve_item(&store, &target).unwrap();
        erase::delete_item(&mut store, &actor, &t, NOW).unwrap();
    }
    let text_item = item_of(&store, &ids[2], "SELECT id FROM items WHERE customer_id = ?1 AND body IS NOT NULL AND deleted_at IS NULL LIMIT 1").unwrap();
    store
        .read()
        .execute("UPDATE items SET body = body || ' card 4539 1488 0343 6467', content_rev = content_rev + 1 WHERE id = ?1", [&text_item])
        .unwrap();
    lethe::triage::redact_item(&mut store, &actor, &text_item, None, NOW).unwrap();
    lethe::export::customer(&mut store, &actor, &ids[3], true).unwrap();
    erase::delete_profile(&mut store, &actor, &ids[4], Reason::Manual, NOW).unwrap();
    erase::delete_profiles(
        &mut store,
        &bulk(&actor, Reason::Manual, BulkOptions::default()),
        &ids[5..],
        &mut |_| {},
    )
    .unwrap();
    // A refused attempt is audited too.
    let _ = erase::delete_profile(&mut store, &agent(), &ids[0], Reason::Manual, NOW);

    let rows: Vec<String> = {
        let read = store.read();
        let mut stmt = read
            .prepare("SELECT lower(at || operator || action || targets || counts || outcome || prev_hash || hash) FROM audit_log")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    assert!(
        rows.len() >= 10,
        "every act was audited: {} entries",
        rows.len()
    );
    assert!(values.len() > 20, "the customers held PII to look for");
    for row in &rows {
        for v in &values {
            assert!(
                !row.contains(v.as_str()),
                "an audit entry holds a customer's value: {v:?} in {row}"
            );
        }
    }
}

fn fixtures_deletable(store: &Store, n: usize) -> Vec<String> {
    let read = store.read();
    let mut stmt = read
        .prepare(
            "SELECT c.id FROM customers c WHERE c.name IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM conversations v WHERE v.customer_id = c.id AND v.status <> 'CLOSED')
             ORDER BY EXISTS (SELECT 1 FROM attachments a JOIN items i ON i.id = a.item_id
                              WHERE i.customer_id = c.id)
                    + EXISTS (SELECT 1 FROM recordings r JOIN items i ON i.id = r.item_id
                              WHERE i.customer_id = c.id) DESC, c.id
             LIMIT ?1",
        )
        .unwrap();
    stmt.query_map([n as i64], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

#[test]
fn a_profile_that_fails_midway_is_left_whole_and_its_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, path) = database(dir.path());
    let profiles: Vec<Marked> = (1..=3).map(|n| marked(n, "CLOSED")).collect();
    insert(
        &mut store,
        &profiles.iter().map(|p| &p.doc).collect::<Vec<_>>(),
    );
    add_finding(&store, "it_0002_c1", "cus_0002");
    // The customer row is the last thing a profile's erasure changes: by
    // then its items, emails, orders and search keys are already wiped
    // inside the transaction, and all of that must come back.
    store
        .read()
        .execute_batch(
            "CREATE TEMP TRIGGER fail_0002 BEFORE UPDATE ON main.customers
             WHEN old.id = 'cus_0002'
             BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;",
        )
        .unwrap();
    let ids: Vec<String> = profiles.iter().map(|p| p.doc.id.clone()).collect();
    let actor = root(&store);
    let result = erase::delete_profiles(
        &mut store,
        &bulk(
            &actor,
            Reason::Manual,
            BulkOptions {
                verify: Verify::Skip,
                batch_size: 10,
            },
        ),
        &ids,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!((result.deleted, result.failed), (2, 1));
    let failed: Vec<_> = result
        .outcomes
        .iter()
        .filter_map(|(id, o)| match o {
            BulkOutcome::Failed(why) => Some((id.as_str(), why.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, "cus_0002");
    assert!(failed[0].1.contains("simulated failure"), "{}", failed[0].1);

    store.checkpoint_truncate().unwrap();
    // The failed profile is whole: every marker still there, and its rows.
    assert_eq!(
        hits(&path, &profiles[1].needles()),
        profiles[1].markers.len()
    );
    let n = |sql| count(&store, sql, "cus_0002");
    assert_eq!(
        n("SELECT count(*) FROM customers WHERE id = ?1 AND deleted_at IS NULL"),
        1
    );
    assert_eq!(
        n("SELECT count(*) FROM customer_emails WHERE customer_id = ?1"),
        2
    );
    assert_eq!(
        n("SELECT count(*) FROM items WHERE customer_id = ?1 AND deleted_at IS NOT NULL"),
        0
    );
    assert_eq!(
        n("SELECT count(*) FROM pii_findings WHERE customer_id = ?1"),
        1
    );
    assert!(n("SELECT count(*) FROM search_keys WHERE customer_id = ?1") > 0);
    // The others in its batch are gone.
    for p in [&profiles[0], &profiles[2]] {
        assert_eq!(hits(&path, &p.needles()), 0, "{}", p.doc.id);
    }
    // The batch was first tried whole and rolled back: its audit entry is
    // written once, by the attempt that committed, naming the two erased.
    assert_eq!(deletion_entries(&store), [["cus_0001", "cus_0003"]]);
}

/// Between batches the WAL keeps its length for the next batch to
/// overwrite (a `RESTART` checkpoint). A long first batch followed by a
/// short one would then leave the first batch's later frames in the file:
/// page images from before the second batch, with its profile's values in
/// them. Each batch's commit cuts the file after its own frames, so when
/// a batch is reported, what it erased is in no file.
#[test]
fn each_batch_is_gone_from_every_file_when_it_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, path) = database(dir.path());
    let mut long = marked(1, "CLOSED");
    // Forty more messages of about a page each: the first batch rewrites
    // many pages, among them the items page it shares with the next
    // profile.
    let template = long.doc.conversations[0].items[2].clone();
    for k in 0..40 {
        let mut item = template.clone();
        item.id = format!("it_0001_x{k:02}");
        item.content.attachments.clear();
        item.content.content = Some(format!("{k:02} {}", "long message text ".repeat(200)));
        long.doc.conversations[0].items.push(item);
    }
    let (short, last) = (marked(2, "CLOSED"), marked(3, "CLOSED"));
    insert(&mut store, &[&long.doc, &short.doc, &last.doc]);
    store.checkpoint_truncate().unwrap();
    assert_eq!(hits(&path, &short.needles()), short.markers.len());

    let ids: Vec<String> = ["cus_0001", "cus_0002", "cus_0003"]
        .map(String::from)
        .to_vec();
    let actor = root(&store);
    let mut found_after_batch = Vec::new();
    erase::delete_profiles(
        &mut store,
        &bulk(
            &actor,
            Reason::Retention,
            BulkOptions {
                verify: Verify::Skip,
                batch_size: 1,
            },
        ),
        &ids,
        &mut |p| {
            let erased = [&long, &short, &last][..p.done]
                .iter()
                .map(|m| hits(&path, &m.needles()))
                .sum::<usize>();
            found_after_batch.push(erased);
        },
    )
    .unwrap();
    assert_eq!(found_after_batch, vec![0, 0, 0]);
}

/// One clock: an erasure's `deleted_at` and its audit entry carry the same
/// time, the one the caller gave.
#[test]
fn an_erasure_and_its_audit_entry_have_the_same_time() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _path) = database(dir.path());
    let p = marked(5, "CLOSED");
    insert(&mut store, &[&p.doc]);
    let actor = root(&store);
    erase::delete_profile(&mut store, &actor, "cus_0005", Reason::Manual, NOW).unwrap();
    let deleted_at: i64 = value(
        &store,
        "SELECT deleted_at FROM customers WHERE id = 'cus_0005'",
    );
    assert_eq!(deleted_at, NOW);
    let at: String = value(
        &store,
        "SELECT at FROM audit_log WHERE action = 'delete-profile' ORDER BY seq DESC LIMIT 1",
    );
    assert_eq!(at, lethe::clock::format_ms(NOW));
}
