//! Retention policy, preview and sweep.

use std::sync::atomic::AtomicBool;

use lethe::access::{Actor, Role};
use lethe::clock::{self, DAY_MS};
use lethe::format::CustomerDoc;
use lethe::retention::{self, Policy, SweepOptions};
use lethe::store::Store;
use lethe::{search, Error};
use serde_json::json;

fn admin() -> Actor {
    Actor::new("root", &[Role::ComplianceAdmin, Role::Admin])
}

/// A customer whose last Contact is `contact` (None: no Contact at all),
/// optionally with app activity at `activity` and an OPEN conversation.
fn customer(
    id: &str,
    created: &str,
    contact: Option<&str>,
    activity: Option<&str>,
    open: bool,
) -> CustomerDoc {
    let mut items = vec![];
    if let Some(t) = contact {
        items.push(json!({"id": format!("{id}-chat"), "timestamp": t,
            "initiator": {"type": "CUSTOMER"},
            "content": {"type": "CHAT_MESSAGE", "content": format!("RETMARK-{id} my order never arrived")}}));
    }
    if let Some(t) = activity {
        items.push(json!({"id": format!("{id}-csat"), "timestamp": t,
            "initiator": {"type": "APP"},
            "content": {"type": "CUSTOMER_ACTIVITY", "subject": "CSAT survey", "content": "Rated 5 stars",
                        "extra": {"sourceName": "Stella"}}}));
    }
    let doc = json!({
        "id": id, "name": format!("RETNAME {id}"), "createdAt": created,
        "emails": [{"original": format!("{id}@retention.example")}],
        "conversations": [{"id": format!("{id}-conv"), "status": if open { "OPEN" } else { "CLOSED" },
                           "createdAt": created, "items": items}]
    });
    serde_json::from_value(doc).unwrap()
}

fn insert(store: &mut Store, docs: &[CustomerDoc]) {
    store
        .write(|c| {
            for d in docs {
                lethe::store::customers::insert(c, d, &search::keys_for(d))?;
            }
            Ok(())
        })
        .unwrap();
    lethe::access::bootstrap(store, "root").unwrap();
}

/// A confirmed custom policy of `days`, set by the operator.
fn set_days(store: &mut Store, days: i64) {
    retention::set_policy(store, &admin(), Policy::DeleteAfter { days }, true).unwrap();
}

fn at(text: &str) -> i64 {
    clock::parse(text).unwrap()
}

fn deleted(store: &Store, id: &str) -> bool {
    let doc = lethe::store::customers::load(&store.read(), id, false)
        .unwrap()
        .unwrap();
    doc.deleted_at.is_some()
}

fn sweep(store: &mut Store, now: i64) -> retention::SweepReport {
    retention::sweep(
        store,
        &admin(),
        now,
        &SweepOptions::default(),
        retention::Watch {
            progress: &mut |_| {},
            cancel: &AtomicBool::new(false),
        },
    )
    .unwrap()
}

#[test]
fn app_activity_after_the_last_contact_does_not_extend_retention() {
    // The platform's own example: last Contact July 11, 2021; a CSAT reply
    // on August 8, 2021. July 11 still counts.
    let mut store = Store::open_in_memory().unwrap();
    insert(
        &mut store,
        &[customer(
            "c1",
            "2021-01-01T00:00:00Z",
            Some("2021-07-11T12:00:00Z"),
            Some("2021-08-08T12:00:00Z"),
            false,
        )],
    );
    set_days(&mut store, 365);
    let due = at("2022-07-11T12:00:00Z");
    assert_eq!(
        retention::preview(&store.read(), 365, due).unwrap().due_now,
        1
    );
    let report = sweep(&mut store, due);
    assert_eq!(report.deleted, 1);
    assert!(deleted(&store, "c1"));
}

#[test]
fn the_boundary_is_exactly_n_days() {
    let mut store = Store::open_in_memory().unwrap();
    insert(
        &mut store,
        &[customer(
            "c1",
            "2020-01-01T00:00:00Z",
            Some("2021-07-11T12:00:00Z"),
            None,
            false,
        )],
    );
    set_days(&mut store, 400);
    let exactly = at("2021-07-11T12:00:00Z") + 400 * DAY_MS;
    let report = sweep(&mut store, exactly - DAY_MS);
    assert_eq!(report.deleted, 0, "one day less: kept");
    assert!(!deleted(&store, "c1"));
    let report = sweep(&mut store, exactly);
    assert_eq!(report.deleted, 1, "exactly N days: deleted");
}

#[test]
fn a_profile_without_contact_counts_from_creation() {
    let mut store = Store::open_in_memory().unwrap();
    insert(
        &mut store,
        &[customer(
            "c1",
            "2021-01-01T00:00:00Z",
            None,
            Some("2022-06-01T00:00:00Z"),
            false,
        )],
    );
    set_days(&mut store, 365);
    assert_eq!(sweep(&mut store, at("2022-01-01T00:00:00Z")).deleted, 1);
}

#[test]
fn the_minimum_is_365_days_and_custom_needs_confirmation() {
    let mut store = Store::open_in_memory().unwrap();
    insert(&mut store, &[]);
    let err = retention::set_policy(
        &mut store,
        &admin(),
        Policy::DeleteAfter { days: 364 },
        true,
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::RetentionTooShort { days: 364 }),
        "{err}"
    );
    let err = retention::set_policy(
        &mut store,
        &admin(),
        Policy::DeleteAfter { days: 365 },
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains(retention::CONFIRMATION), "{err}");
    assert_eq!(
        retention::policy(&store.read()).unwrap(),
        Policy::RetainForever
    );
    set_days(&mut store, 365);
    assert_eq!(
        retention::policy(&store.read()).unwrap(),
        Policy::DeleteAfter { days: 365 }
    );
    // Back to the default needs no confirmation.
    retention::set_policy(&mut store, &admin(), Policy::RetainForever, false).unwrap();
    assert_eq!(
        retention::policy(&store.read()).unwrap(),
        Policy::RetainForever
    );
    assert_eq!(
        retention::parse_days("364").unwrap_err(),
        "364 days is too short: the minimum is 365 days"
    );
    assert!(retention::parse_days("abc").is_err());
}

#[test]
fn policy_changes_need_the_role_and_are_audited() {
    let mut store = Store::open_in_memory().unwrap();
    insert(&mut store, &[]);
    let root = Actor::resolve(&store.read(), "root").unwrap();
    lethe::access::grant(&mut store, &root, "agent1", Role::Agent).unwrap();
    let agent = Actor::resolve(&store.read(), "agent1").unwrap();
    let err = retention::set_policy(&mut store, &agent, Policy::DeleteAfter { days: 400 }, true)
        .unwrap_err();
    assert!(matches!(err, Error::NotPermitted { .. }));
    assert_eq!(
        retention::policy(&store.read()).unwrap(),
        Policy::RetainForever
    );
    set_days(&mut store, 400);
    let rows = lethe::audit::list(&store.read(), &Default::default(), 10).unwrap();
    let change = rows
        .iter()
        .find(|r| r.action == "retention-set" && r.outcome == "ok")
        .expect("audited");
    assert_eq!(change.counts.get("old_days"), Some(&0));
    assert_eq!(change.counts.get("new_days"), Some(&400));
}

#[test]
fn open_conversations_block_and_are_reported() {
    let mut store = Store::open_in_memory().unwrap();
    insert(
        &mut store,
        &[
            customer(
                "c1",
                "2019-01-01T00:00:00Z",
                Some("2019-02-01T00:00:00Z"),
                None,
                true,
            ),
            customer(
                "c2",
                "2019-01-01T00:00:00Z",
                Some("2019-02-01T00:00:00Z"),
                None,
                false,
            ),
            customer(
                "c3",
                "2019-01-01T00:00:00Z",
                Some("2026-02-01T00:00:00Z"),
                None,
                false,
            ),
        ],
    );
    set_days(&mut store, 365);
    let now = at("2026-11-22T00:00:00Z");
    let p = retention::preview(&store.read(), 365, now).unwrap();
    assert_eq!((p.due_now, p.blocked), (1, 1));
    let report = sweep(&mut store, now);
    assert_eq!(report.deleted, 1);
    assert_eq!(report.blocked.len(), 1);
    assert_eq!(report.blocked[0].customer_id, "c1");
    assert_eq!(report.blocked[0].conversation_id, "c1-conv");
    assert!(!deleted(&store, "c1") && deleted(&store, "c2") && !deleted(&store, "c3"));
}

#[test]
fn preview_counts_the_next_30_and_90_days() {
    let mut store = Store::open_in_memory().unwrap();
    let now = at("2026-11-22T00:00:00Z");
    let day = |d: i64| clock::format_ms(now - (365 - d) * DAY_MS);
    insert(
        &mut store,
        &[
            customer("due", "2020-01-01T00:00:00Z", Some(&day(0)), None, false),
            customer("in10", "2020-01-01T00:00:00Z", Some(&day(10)), None, false),
            customer("in60", "2020-01-01T00:00:00Z", Some(&day(60)), None, false),
            customer(
                "in200",
                "2020-01-01T00:00:00Z",
                Some(&day(200)),
                None,
                false,
            ),
        ],
    );
    let p = retention::preview(&store.read(), 365, now).unwrap();
    assert_eq!(
        (p.due_now, p.blocked, p.next_30_days, p.next_90_days),
        (1, 0, 1, 2)
    );
}

#[test]
fn dry_run_changes_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    insert(
        &mut store,
        &[customer(
            "c1",
            "2019-01-01T00:00:00Z",
            Some("2019-02-01T00:00:00Z"),
            None,
            false,
        )],
    );
    set_days(&mut store, 365);
    let opts = SweepOptions {
        dry_run: true,
        ..SweepOptions::default()
    };
    let r = retention::sweep(
        &mut store,
        &admin(),
        at("2026-01-01T00:00:00Z"),
        &opts,
        retention::Watch {
            progress: &mut |_| {},
            cancel: &AtomicBool::new(false),
        },
    )
    .unwrap();
    assert_eq!(r.would_delete, vec!["c1".to_string()]);
    assert!(!deleted(&store, "c1"));
}

mod support;

/// A file database with `due` overdue customers (plus one fresh one),
/// created by `support::OWNER`, with a 365-day policy.
fn overdue_db(due: usize) -> support::TestDb {
    let db = support::TestDb::new();
    let mut store = db.store();
    let docs: Vec<CustomerDoc> = (0..due)
        .map(|i| {
            customer(
                &format!("old{i:05}"),
                "2019-01-01T00:00:00Z",
                Some("2019-06-01T00:00:00Z"),
                None,
                false,
            )
        })
        .chain([customer(
            "fresh",
            "2026-01-01T00:00:00Z",
            Some("2026-11-01T00:00:00Z"),
            None,
            false,
        )])
        .collect();
    store
        .write(|c| {
            for d in &docs {
                lethe::store::customers::insert(c, d, &search::keys_for(d))?;
            }
            Ok(())
        })
        .unwrap();
    let owner = Actor::resolve(&store.read(), support::OWNER).unwrap();
    retention::set_policy(&mut store, &owner, Policy::DeleteAfter { days: 365 }, true).unwrap();
    db
}

/// Every profile is either whole or fully erased: never half.
fn assert_whole_or_erased(store: &Store) -> (usize, usize) {
    let ids: Vec<String> = {
        let read = store.read();
        let mut stmt = read.prepare("SELECT id FROM customers").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let (mut whole, mut erased) = (0, 0);
    for id in ids {
        let doc = lethe::store::customers::load(&store.read(), &id, false)
            .unwrap()
            .unwrap();
        let keys: i64 = store
            .read()
            .query_row(
                "SELECT count(*) FROM search_keys WHERE customer_id = ?1",
                [&id],
                |r| r.get(0),
            )
            .unwrap();
        let texts = doc
            .conversations
            .iter()
            .flat_map(|c| &c.items)
            .filter(|i| i.content.content.is_some())
            .count();
        if doc.deleted_at.is_some() {
            assert!(
                doc.name.is_none() && doc.emails.is_empty() && keys == 0 && texts == 0,
                "{id} is half-deleted"
            );
            erased += 1;
        } else {
            assert!(
                doc.name.is_some() && doc.emails.len() == 1 && keys > 0 && texts == 1,
                "{id} lost data without being deleted"
            );
            whole += 1;
        }
    }
    (whole, erased)
}

fn sweep_command(db: &support::TestDb) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_lethe"));
    cmd.args([
        "--db",
        db.path.to_str().unwrap(),
        "retention",
        "run",
        "--no-verify",
    ])
    .env("SUDO_USER", support::OWNER)
    .env("LETHE_NOW", "2026-11-22T00:00:00Z")
    .stdin(std::process::Stdio::null())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    cmd
}

#[test]
fn a_killed_sweep_resumes_with_nothing_lost_or_half_deleted() {
    let db = overdue_db(3000);
    let mut child = sweep_command(&db).spawn().unwrap();
    // Kill it once it has visibly started deleting.
    let started = std::time::Instant::now();
    loop {
        let n: i64 = db
            .store()
            .read()
            .query_row(
                "SELECT count(*) FROM customers WHERE deleted_at IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        if n > 0 || started.elapsed().as_secs() > 30 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (whole, erased) = assert_whole_or_erased(&db.store());
    assert!(
        erased > 0 && whole > 1,
        "the kill should land mid-sweep: {whole} whole, {erased} erased"
    );

    let out = sweep_command(&db).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (whole, erased) = assert_whole_or_erased(&db.store());
    assert_eq!((whole, erased), (1, 3000));
    let runs: Vec<String> = {
        let store = db.store();
        let read = store.read();
        let mut stmt = read
            .prepare("SELECT state FROM retention_runs ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    assert_eq!(
        runs,
        vec!["failed", "completed"],
        "the killed run is recorded as failed"
    );
}

#[test]
fn a_second_sweep_refuses_while_one_runs() {
    let db = overdue_db(3);
    let _held = retention::SweepLock::acquire(&db.path).unwrap();
    let out = sweep_command(&db).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("another retention sweep is already running"),
        "{err}"
    );
    assert_eq!(
        assert_whole_or_erased(&db.store()),
        (4, 0),
        "nothing was deleted"
    );
}

#[test]
fn a_console_and_a_sweep_on_one_database_both_keep_working() {
    let db = overdue_db(1500);
    let path = db.path.clone();
    let sweeper = std::thread::spawn(move || {
        let mut store = Store::open(&path).unwrap();
        let owner = Actor::resolve(&store.read(), support::OWNER).unwrap();
        let opts = SweepOptions {
            batch: 100,
            verify: lethe::erase::Verify::Skip,
            ..SweepOptions::default()
        };
        retention::sweep(
            &mut store,
            &owner,
            at("2026-11-22T00:00:00Z"),
            &opts,
            retention::Watch {
                progress: &mut |_| {},
                cancel: &AtomicBool::new(false),
            },
        )
        .unwrap()
    });
    // Meanwhile the console searches and reads, on its own connection.
    let console = Store::open(&db.path).unwrap();
    let mut searches = 0;
    while !sweeper.is_finished() {
        let hits = search::prefix(&console.read(), "fresh", 10).unwrap();
        assert_eq!(hits.len(), 1);
        assert!(
            lethe::store::customers::load(&console.read(), "fresh", false)
                .unwrap()
                .is_some()
        );
        searches += 1;
    }
    let report = sweeper.join().unwrap();
    assert_eq!(report.deleted, 1500);
    assert!(searches > 0);
    assert!(
        search::prefix(&console.read(), "old0", 10)
            .unwrap()
            .is_empty(),
        "deleted profiles left search"
    );
}

#[test]
fn a_contact_or_open_conversation_during_a_sweep_saves_the_profile() {
    // Listed as due when the sweep starts; by the time their batch comes,
    // old00003 has had a Contact and old00004 has an open conversation.
    let db = overdue_db(6);
    let mut store = db.store();
    let owner = db.actor(support::OWNER);
    let other = Store::open(&db.path).unwrap();
    let mut seen = vec![];
    let report = retention::sweep(&mut store, &owner, at("2026-11-22T00:00:00Z"), &SweepOptions {
            batch: 1,
            verify: lethe::erase::Verify::Skip,
            ..SweepOptions::default()
        }, retention::Watch { progress: &mut |p| {
            seen.push((p.done, p.total));
            if p.done == 1 && seen.iter().filter(|s| s.0 == 1).count() == 1 {
                other
                    .read()
                    .execute_batch(
                        "UPDATE customers SET last_contact_at = 1790000000000
                             WHERE id = 'old00003';
                         INSERT INTO conversations (id, customer_id, status, created_at, updated_at)
                             VALUES ('late-conv', 'old00004', 'OPEN', 1790000000000, 1790000000000);",
                    )
                    .unwrap();
            }
        }, cancel: &AtomicBool::new(false) })
    .unwrap();
    assert_eq!(report.deleted, 4);
    assert!(!deleted(&store, "old00003"), "contacted during the sweep");
    assert_eq!(report.blocked.len(), 1);
    assert_eq!(
        (
            report.blocked[0].customer_id.as_str(),
            report.blocked[0].conversation_id.as_str()
        ),
        ("old00004", "late-conv")
    );
    assert!(!deleted(&store, "old00004"));
    // old00003 dropped out of the total: the gauge still ends full.
    assert_eq!(seen.first(), Some(&(0, 6)));
    assert_eq!(seen.last(), Some(&(5, 5)));
}

#[test]
fn nothing_of_a_swept_profile_remains_in_the_database_files() {
    let db = overdue_db(50);
    let mut store = db.store();
    store.checkpoint_truncate().unwrap();
    let needles: Vec<Vec<u8>> = [
        "RETNAME old00007",
        "old00007@retention.example",
        "RETMARK-old00007",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    assert_eq!(
        lethe::store::forensic::scan(&db.path, &needles)
            .unwrap()
            .values_found,
        3
    );
    let owner = Actor::resolve(&store.read(), support::OWNER).unwrap();
    let mmap_size = |store: &Store| -> i64 {
        store
            .read()
            .query_row("PRAGMA mmap_size", [], |r| r.get(0))
            .unwrap()
    };
    let mapped_before = mmap_size(&store);
    let report = retention::sweep(
        &mut store,
        &owner,
        at("2026-11-22T00:00:00Z"),
        &SweepOptions::default(),
        retention::Watch {
            progress: &mut |_| {},
            cancel: &AtomicBool::new(false),
        },
    )
    .unwrap();
    assert_eq!(report.deleted, 50);
    let v = report.verification.expect("the sweep verifies the files");
    assert_eq!(v.values_found, 0);
    // The sweep read through a memory map and gives the setting back.
    assert_eq!(mmap_size(&store), mapped_before);
    drop(store);
    assert_eq!(
        lethe::store::forensic::scan(&db.path, &needles)
            .unwrap()
            .values_found,
        0
    );
}

#[test]
fn agents_and_strangers_may_not_change_retention_or_sweep() {
    let db = overdue_db(2);
    for user in [support::AGENT, support::STRANGER] {
        db.assert_refused(
            user,
            &["retention", "set", "--days", "400", "--i-understand"],
        );
        db.assert_refused(user, &["retention", "set", "--default"]);
        db.assert_refused(user, &["retention", "run"]);
    }
    // Reading the policy is not protected.
    assert!(db
        .run(support::AGENT, &["retention", "show"])
        .ok()
        .contains("Custom: delete"));
}

/// On realistic data a sweep verifies clean: values other customers still
/// hold (a city in an erased order's shipping address, a common name) are
/// told apart from remnants, and nothing of the erased profiles remains,
/// from the first scan on.
#[test]
fn a_sweep_of_the_demo_database_verifies_clean() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let lethe = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_lethe"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("SUDO_USER", "root")
            .output()
            .unwrap()
    };
    let made = lethe(&["demo", "--customers", "2000"]);
    assert!(made.status.success(), "{made:?}");
    let set = lethe(&["retention", "set", "--days", "400", "--i-understand"]);
    assert!(set.status.success(), "{set:?}");
    let run = lethe(&["retention", "run"]);
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(out.contains(" deleted,"), "{out}");
    assert!(out.contains("was found in the 3 database files"), "{out}");
    assert!(!out.contains("VERIFICATION FAILED"), "{out}");
    // Clean on the first scan: no old cell bytes were left in the gaps of
    // pages SQLite rebuilt (vendor/libsqlite3-sys/LETHE.md).
    assert!(!out.contains("after compacting"), "{out}");
}

/// A sweep acts as of its start, and its run records when it really
/// finished: the start plus how long it ran, on any clock.
#[test]
fn a_run_finishes_after_it_starts() {
    let mut store = Store::open_in_memory().unwrap();
    let docs: Vec<CustomerDoc> = (0..300)
        .map(|i| {
            customer(
                &format!("cus_f{i}"),
                "2020-01-01T00:00:00Z",
                Some("2020-02-01T00:00:00Z"),
                None,
                false,
            )
        })
        .collect();
    insert(&mut store, &docs);
    set_days(&mut store, 365);
    let now = at("2024-08-01T12:00:00Z");
    let report = sweep(&mut store, now);
    assert_eq!(report.deleted, 300);
    let run = retention::last_run(&store.read()).unwrap().unwrap();
    assert_eq!(run.started_at, now);
    let finished = run.finished_at.unwrap();
    assert!(finished > now, "finished {finished} at the start {now}");
    assert!(
        finished < now + 600_000,
        "a sweep of 300 profiles took minutes?"
    );
}
