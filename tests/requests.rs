//! Data subject requests, from intake to receipt.

mod support;

use lethe::clock;
use lethe::format::CustomerDoc;
use lethe::requests::{
    self, Identifiers, Kind, NewRequest, Regulation, RunOutcome, RunTarget, Status,
};
use lethe::store::forensic;
use serde_json::json;
use support::{TestDb, AGENT, OWNER, STRANGER};

fn customer(id: &str, email: &str, open: bool) -> CustomerDoc {
    serde_json::from_value(json!({
        "id": id, "name": format!("Dsr Person {id}"), "createdAt": "2024-01-01T00:00:00Z",
        "emails": [{"original": email}],
        "phones": [{"original": "+1 (415) 555-0142"}],
        "conversations": [{"id": format!("{id}-conv"), "status": if open { "WAITING" } else { "CLOSED" },
            "createdAt": "2024-01-02T00:00:00Z",
            "items": [{"id": format!("{id}-msg"), "timestamp": "2024-01-02T00:00:00Z",
                "initiator": {"type": "CUSTOMER"},
                "content": {"type": "CHAT_MESSAGE", "content": format!("DSRTEXT-{id} please delete my account")}},
                {"id": format!("{id}-csat"), "timestamp": "2024-01-03T00:00:00Z",
                "initiator": {"id": "stella", "type": "APP"},
                "content": {"type": "CUSTOMER_ACTIVITY", "subject": "CSAT survey", "content": "Rated 5",
                            "extra": {"sourceName": "Stella", "activityType": "csat"}}}]}]
    }))
    .unwrap()
}

fn seed(db: &TestDb, docs: &[CustomerDoc]) {
    let store = db.store();
    store
        .write(|c| {
            for d in docs {
                lethe::import::insert(c, d)?;
            }
            Ok(())
        })
        .unwrap();
}

fn erasure(email: &str) -> NewRequest {
    NewRequest {
        kind: Kind::Erasure,
        regulation: Regulation::Gdpr,
        identifiers: Identifiers {
            emails: vec![email.into()],
            ..Identifiers::default()
        },
        received_at: clock::parse("2026-11-01").unwrap(),
        note: Some("DSRNOTE via web form".into()),
    }
}

#[test]
fn an_erasure_matching_two_duplicates_deletes_both_once_both_are_named() {
    let db = TestDb::new();
    seed(
        &db,
        &[
            customer("dup-a", "twin@dsr.example", false),
            customer("dup-b", "Twin@DSR.example", false),
            customer("other", "someone@dsr.example", false),
        ],
    );
    let mut store = db.store();
    let owner = db.actor(OWNER);
    let id = requests::add(&mut store, &owner, erasure("twin@dsr.example")).unwrap();
    let req = requests::get(&store.read(), id).unwrap();
    assert_eq!(requests::plan(&store, &req).unwrap().matches.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let both = ["dup-a".to_string(), "dup-b".to_string()];
    let target = RunTarget {
        confirmed: &both,
        export_dir: dir.path(),
    };
    let RunOutcome::Completed(done) =
        requests::run(&mut store, &owner, id, clock::now_ms(), target).unwrap()
    else {
        panic!("expected completion");
    };
    assert_eq!(done.status, Status::Completed);
    let mut ids = done.customer_ids.clone();
    ids.sort();
    assert_eq!(ids, vec!["dup-a", "dup-b"]);
    let receipt = done.receipt.unwrap();
    // Values the kept skeleton or other customers still hold (an app's
    // name, the other profile's data) are not counted as remnants.
    assert_eq!(receipt["verification"]["values_found"], 0, "{receipt}");
    let receipt = receipt.to_string();
    assert!(receipt.contains("dup-a") && receipt.contains("dup-b"));
    assert!(
        done.identifiers.is_none() && done.note.is_none(),
        "identifiers are wiped on completion"
    );
    for c in ["dup-a", "dup-b"] {
        let doc = lethe::store::customers::load(&store.read(), c, false)
            .unwrap()
            .unwrap();
        assert!(doc.deleted_at.is_some());
    }
    let other = lethe::store::customers::load(&store.read(), "other", false)
        .unwrap()
        .unwrap();
    assert!(other.deleted_at.is_none());
}

#[test]
fn no_identifier_survives_in_the_database_files_after_completion() {
    let db = TestDb::new();
    seed(&db, &[customer("gone", "erase-me-7731@dsr.example", false)]);
    let mut store = db.store();
    let owner = db.actor(OWNER);
    let id = requests::add(&mut store, &owner, erasure("erase-me-7731@dsr.example")).unwrap();
    let needles = vec![
        b"erase-me-7731@dsr.example".to_vec(),
        b"DSRNOTE via web form".to_vec(),
        b"DSRTEXT-gone".to_vec(),
    ];
    store.checkpoint_truncate().unwrap();
    assert_eq!(
        forensic::scan(&db.path, &needles).unwrap().values_found,
        3,
        "the values are there before"
    );
    requests::run(
        &mut store,
        &owner,
        id,
        clock::now_ms(),
        RunTarget::dir(std::path::Path::new(".")),
    )
    .unwrap();
    drop(store);
    let scan = forensic::scan(&db.path, &needles).unwrap();
    assert_eq!(scan.values_found, 0, "{scan:?}");
}

#[test]
fn a_blocked_request_completes_once_the_conversation_is_closed() {
    let db = TestDb::new();
    seed(&db, &[customer("busy", "busy@dsr.example", true)]);
    let mut store = db.store();
    let owner = db.actor(OWNER);
    let id = requests::add(&mut store, &owner, erasure("busy@dsr.example")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let RunOutcome::Blocked(blocked) = requests::run(
        &mut store,
        &owner,
        id,
        clock::now_ms(),
        RunTarget::dir(dir.path()),
    )
    .unwrap() else {
        panic!("expected the open conversation to block");
    };
    assert_eq!(blocked.status, Status::Blocked);
    let why = blocked.blocked_reason().unwrap();
    assert!(
        why.contains("busy-conv") && why.contains("WAITING"),
        "{why}"
    );
    assert!(
        blocked.identifiers.is_some(),
        "a blocked request keeps its identifiers to retry"
    );
    // The agent closes the conversation; the request can now complete.
    store
        .read()
        .execute(
            "UPDATE conversations SET status = 'CLOSED' WHERE id = 'busy-conv'",
            [],
        )
        .unwrap();
    let outcome = requests::run(
        &mut store,
        &owner,
        id,
        clock::now_ms(),
        RunTarget::dir(dir.path()),
    )
    .unwrap();
    assert!(
        matches!(outcome, RunOutcome::Completed(ref r) if r.customer_ids == vec!["busy".to_string()]),
        "{outcome:?}"
    );
}

#[test]
fn an_extension_is_allowed_once_with_a_reason() {
    let db = TestDb::new();
    let mut store = db.store();
    let owner = db.actor(OWNER);
    let id = requests::add(&mut store, &owner, erasure("x@dsr.example")).unwrap();
    assert_eq!(
        clock::date(requests::get(&store.read(), id).unwrap().due_at),
        "2026-12-01"
    );
    assert!(requests::extend(&mut store, &owner, id, " ", 0).is_err());
    let r = requests::extend(&mut store, &owner, id, "many requests this month", 0).unwrap();
    assert_eq!(clock::date(r.due_at), "2027-02-01");
    let err = requests::extend(&mut store, &owner, id, "again", 0).unwrap_err();
    assert!(err.to_string().contains("already extended"), "{err}");
}

#[test]
fn an_access_request_writes_the_export_with_its_checksum() {
    let db = TestDb::new();
    seed(&db, &[customer("acc", "access@dsr.example", true)]);
    let mut store = db.store();
    let owner = db.actor(OWNER);
    let mut new = erasure("access@dsr.example");
    new.kind = Kind::Access;
    let id = requests::add(&mut store, &owner, new).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let RunOutcome::Completed(r) = requests::run(
        &mut store,
        &owner,
        id,
        clock::now_ms(),
        RunTarget::dir(dir.path()),
    )
    .unwrap() else {
        panic!("access requests are not blocked by open work");
    };
    let receipt = r.receipt.unwrap();
    let path = receipt["path"].as_str().unwrap();
    let body = std::fs::read(path).unwrap();
    use sha2::Digest;
    assert_eq!(
        receipt["sha256"].as_str().unwrap(),
        format!("{:x}", sha2::Sha256::digest(&body))
    );
    assert!(String::from_utf8_lossy(&body).contains("DSRTEXT-acc"));
}

#[test]
fn csv_intake_reports_bad_rows_and_imports_nothing() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "type,regulation,email,received\nerasure,gdpr,ok@dsr.example,2026-01-31\nerasure,gdpr,not-an-email,\naccess,hipaa,z@dsr.example,\n").unwrap();
    let run = db.run(OWNER, &["request", "import", bad.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("line 3:") && run.stderr.contains("line 4:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("nothing was imported"),
        "{}",
        run.stderr
    );
    assert!(requests::list(&db.store().read(), true).unwrap().is_empty());

    let good = dir.path().join("good.csv");
    std::fs::write(&good, "type,regulation,email,received\nerasure,gdpr,ok@dsr.example,2026-01-31\naccess,ccpa,\"a@dsr.example;b@dsr.example\",2026-02-01\n").unwrap();
    db.run(OWNER, &["request", "import", good.to_str().unwrap()])
        .ok();
    let list = requests::list(&db.store().read(), false).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        clock::date(list[0].due_at),
        "2026-02-28",
        "GDPR from 31 January: end of February"
    );
}

#[test]
fn the_command_line_flow_from_intake_to_completed() {
    let db = TestDb::new();
    seed(&db, &[customer("cli", "cli@dsr.example", false)]);
    db.run(
        OWNER,
        &[
            "request",
            "add",
            "--type",
            "erasure",
            "--email",
            "cli@dsr.example",
            "--regulation",
            "ccpa",
            "--received",
            "2026-11-01",
        ],
    )
    .ok();
    let listed = db.run(OWNER, &["request", "list", "--json"]);
    assert!(listed.ok().contains("\"status\": \"new\""));
    let shown = db.run(OWNER, &["request", "show", "1"]);
    assert!(shown.ok().contains("cli"), "{}", shown.stdout);
    let dry = db.run(OWNER, &["request", "run", "1", "--dry-run"]);
    assert!(dry.ok().contains("delete   cli"), "{}", dry.stdout);
    let done = db.run(OWNER, &["request", "run", "1", "--yes"]);
    assert!(done.ok().contains("completed"), "{}", done.stdout);
    let r = requests::get(&db.store().read(), 1).unwrap();
    assert_eq!(r.status, Status::Completed);
}

#[test]
fn agents_and_strangers_are_refused() {
    let db = TestDb::new();
    db.assert_refused(
        AGENT,
        &[
            "request",
            "add",
            "--type",
            "erasure",
            "--email",
            "a@dsr.example",
        ],
    );
    db.assert_refused(
        STRANGER,
        &[
            "request",
            "add",
            "--type",
            "access",
            "--email",
            "a@dsr.example",
        ],
    );
}

#[test]
fn request_show_never_sends_a_customers_escape_sequences_to_the_terminal() {
    let db = TestDb::new();
    let mut doc = customer("esc", "esc@dsr.example", false);
    doc.name = Some("Eve \u{1b}[2J\u{1b}]52;c;aGk=\u{7}Hacker".into());
    seed(&db, &[doc]);
    db.run(
        OWNER,
        &[
            "request",
            "add",
            "--type",
            "erasure",
            "--email",
            "esc@dsr.example",
        ],
    )
    .ok();
    let shown = db.run(OWNER, &["request", "show", "1"]);
    let out = shown.ok();
    assert!(out.contains("esc  Eve"), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
}

/// Two profiles `<prefix>-1` and `<prefix>-2` of different people who
/// share one email, and a request of `kind` filed with it: the database,
/// an open store, the operator and the request's ID.
fn shared_email_request(
    prefix: &str,
    kind: Kind,
) -> (TestDb, lethe::store::Store, lethe::access::Actor, i64) {
    let db = TestDb::new();
    let email = format!("{prefix}@dsr.example");
    seed(
        &db,
        &[
            customer(&format!("{prefix}-1"), &email, false),
            customer(&format!("{prefix}-2"), &email, false),
        ],
    );
    let mut store = db.store();
    let owner = db.actor(OWNER);
    let mut new = erasure(&email);
    new.kind = kind;
    let id = requests::add(&mut store, &owner, new).unwrap();
    (db, store, owner, id)
}

/// Runs request `id` on the one profile `customer`, expecting completion.
fn completed_for(
    store: &mut lethe::store::Store,
    owner: &lethe::access::Actor,
    id: i64,
    customer: &str,
    dir: &std::path::Path,
) -> requests::Request {
    let one = [customer.to_string()];
    let target = RunTarget {
        confirmed: &one,
        export_dir: dir,
    };
    match requests::run(store, owner, id, clock::now_ms(), target).unwrap() {
        RunOutcome::Completed(r) => r,
        other => panic!("expected completion: {other:?}"),
    }
}

/// Two different people share an email: the run refuses, names both, and
/// changes nothing, until the operator names the requester's profile; then
/// only that one is erased.
#[test]
fn an_erasure_matching_two_people_runs_only_on_the_named_profile() {
    let (db, mut store, owner, id) = shared_email_request("ann", Kind::Erasure);
    let dir = tempfile::tempdir().unwrap();
    let before = db.snapshot();
    let err = requests::run(
        &mut store,
        &owner,
        id,
        clock::now_ms(),
        RunTarget::dir(dir.path()),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, lethe::Error::AmbiguousRequest { .. }),
        "{msg}"
    );
    for part in [
        "ann-1 (Dsr Person ann-1)",
        "ann-2 (Dsr Person ann-2)",
        "--customer",
    ] {
        assert!(msg.contains(part), "{msg}");
    }
    assert_eq!(db.snapshot(), before, "a refused run changes nothing");
    assert_eq!(
        requests::get(&store.read(), id).unwrap().status,
        Status::New
    );

    // A profile the identifiers do not match is refused too.
    let stranger = ["someone-else".to_string()];
    let target = RunTarget {
        confirmed: &stranger,
        export_dir: dir.path(),
    };
    let err = requests::run(&mut store, &owner, id, clock::now_ms(), target).unwrap_err();
    assert!(err.to_string().contains("not among"), "{err}");
    assert_eq!(db.snapshot(), before);

    let done = completed_for(&mut store, &owner, id, "ann-2", dir.path());
    assert_eq!(done.customer_ids, vec!["ann-2".to_string()]);
    let deleted = |c: &str| {
        lethe::store::customers::load(&store.read(), c, false)
            .unwrap()
            .unwrap()
            .deleted_at
            .is_some()
    };
    assert!(deleted("ann-2"));
    assert!(!deleted("ann-1"), "the other person is untouched");
}

/// An access request by a shared identifier never puts another person's
/// profile into the export.
#[test]
fn an_access_export_holds_only_the_profiles_the_operator_named() {
    let (_db, mut store, owner, id) = shared_email_request("acc", Kind::Access);
    let dir = tempfile::tempdir().unwrap();
    let err = requests::run(
        &mut store,
        &owner,
        id,
        clock::now_ms(),
        RunTarget::dir(dir.path()),
    )
    .unwrap_err();
    assert!(
        matches!(err, lethe::Error::AmbiguousRequest { .. }),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no export"
    );

    let r = completed_for(&mut store, &owner, id, "acc-1", dir.path());
    let receipt = r.receipt.unwrap();
    let body = std::fs::read_to_string(receipt["path"].as_str().unwrap()).unwrap();
    assert!(
        body.contains("DSRTEXT-acc-1"),
        "the requester's data is there"
    );
    assert!(!body.contains("acc-2"), "no other person's data: {body}");
}

/// The command line refuses with the list, and `--customer` chooses.
#[test]
fn request_run_on_the_command_line_needs_customer_for_several_matches() {
    let (db, store, _, id) = shared_email_request("cli", Kind::Erasure);
    drop(store);
    let id_s = id.to_string();
    let refused = db.run(OWNER, &["request", "run", &id_s, "--yes"]);
    assert_ne!(refused.code, 0);
    for part in ["cli-1 (Dsr Person cli-1)", "cli-2", "--customer"] {
        assert!(refused.stderr.contains(part), "{}", refused.stderr);
    }
    let done = db.run(
        OWNER,
        &["request", "run", &id_s, "--yes", "--customer", "cli-1"],
    );
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(done.stdout.contains("left     cli-2"), "{}", done.stdout);
    assert!(done.stdout.contains("completed"), "{}", done.stdout);
}
