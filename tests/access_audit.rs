//! Operators, roles and the audit trail, through the core and the binary.

mod support;

use lethe::access::{self, Actor, Role};
use lethe::audit::{self, Entry};
use lethe::store::Store;
use support::{TestDb, ADMIN, AGENT, OWNER, STRANGER};

#[test]
fn agents_and_strangers_are_refused_every_operator_change() {
    let db = TestDb::new();
    for user in [AGENT, STRANGER] {
        for args in [
            &["operators", "grant", STRANGER, "admin"][..],
            &["operators", "grant", user, "compliance_admin"],
            &["operators", "revoke", OWNER],
            &["operators", "revoke", ADMIN, "admin"],
            &["account", "manage-customer-data", "off"],
        ] {
            let run = db.assert_refused(user, args);
            assert!(run.stderr.contains("not permitted"), "{run:?}");
        }
    }
    // A stranger is told how to get access; the record names the target.
    let run = db.run(STRANGER, &["operators", "grant", STRANGER, "admin"]);
    assert!(run.stderr.contains("is not an operator"), "{run:?}");
    assert_eq!(db.last_audit().targets, vec![STRANGER, "admin"]);
    // Reading is allowed to everyone.
    assert!(db
        .run(STRANGER, &["operators", "list"])
        .ok()
        .contains(OWNER));
    assert!(db.run(AGENT, &["audit", "verify"]).ok().contains("intact"));
}

#[test]
fn admins_manage_operators_through_the_cli() {
    let db = TestDb::new();
    let out = db.run(ADMIN, &["operators", "grant", "dave", "agent"]);
    assert!(out.ok().contains("dave now holds agent"), "{out:?}");
    assert!(db.actor("dave").is_operator());
    db.run(ADMIN, &["operators", "revoke", "dave"]).ok();
    assert!(!db.actor("dave").is_operator());
    let last = db.last_audit();
    assert_eq!(
        (last.action.as_str(), last.operator.as_str()),
        (audit::OPERATOR_REVOKE.as_str(), ADMIN)
    );
    assert_eq!(last.targets, vec!["dave", "agent"]);

    let run = db.run(OWNER, &["operators", "grant", "dave", "superuser"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not a role"), "{run:?}");
    let run = db.run(OWNER, &["operators", "grant", "dave@example.com", "agent"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not a valid username"), "{run:?}");
    let who = db.run(AGENT, &["operators", "whoami"]);
    assert!(who.ok().starts_with("carol\nroles: agent"), "{who:?}");
}

#[test]
fn granting_compliance_admin_needs_the_switch_on_and_an_admin() {
    let db = TestDb::new();
    let off = db.run(OWNER, &["account", "manage-customer-data", "off"]);
    assert!(
        off.ok().contains("keep the role, but cannot delete"),
        "{off:?}"
    );
    assert!(off.stdout.contains("(alice)"), "{off:?}");
    assert!(!db.actor(OWNER).can(access::Permission::Delete));

    let run = db.run(OWNER, &["operators", "grant", ADMIN, "compliance_admin"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("Manage Customer Data\" is off"),
        "{run:?}"
    );
    assert!(!db.actor(ADMIN).has(Role::ComplianceAdmin));
    assert_eq!(db.last_audit().outcome, "refused");
    let list = db.run(ADMIN, &["operators", "list"]);
    assert!(list.ok().contains("(CA off)"), "{list:?}");

    db.run(ADMIN, &["account", "manage-customer-data", "on"])
        .ok();
    let run = db.run(OWNER, &["operators", "grant", AGENT, "compliance_admin"]);
    assert!(run.stderr.contains("only be granted to admins"), "{run:?}");
    // An admin may grant itself compliance_admin.
    db.run(ADMIN, &["operators", "grant", ADMIN, "compliance_admin"])
        .ok();
    assert!(db.actor(ADMIN).can(access::Permission::Delete));
    assert!(db.actor(OWNER).can(access::Permission::Delete));
}

#[test]
fn the_first_operator_is_bootstrapped_once_even_under_a_race() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(Store::create(&path).unwrap());
    let handles: Vec<_> = ["ann", "ben", "cat", "dan"]
        .into_iter()
        .map(|u| {
            let path = path.clone();
            std::thread::spawn(move || {
                let store = Store::open(&path).unwrap();
                access::bootstrap(&store, u).unwrap()
            })
        })
        .collect();
    let winners = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .filter(|won| *won)
        .count();
    assert_eq!(winners, 1);
    let store = Store::open(&path).unwrap();
    let ops = access::operators(&store.read()).unwrap();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].roles, vec![Role::ComplianceAdmin, Role::Admin]);
    assert!(access::manage_customer_data(&store.read()).unwrap());
    let v = audit::verify(&store.read()).unwrap();
    assert!(v.is_intact());
    assert_eq!(v.entries, 1);
}

#[test]
fn concurrent_appends_keep_one_chain() {
    let db = TestDb::new();
    let before = db.audit_entries();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let path = db.path.clone();
            std::thread::spawn(move || {
                let store = Store::open(&path).unwrap();
                for i in 0..25 {
                    let e = Entry::new(OWNER, audit::DELETE_ITEM).target(&format!("itm_{t}_{i}"));
                    audit::record(&store, &e).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let v = audit::verify(&db.store().read()).unwrap();
    assert!(v.is_intact(), "{v:?}");
    assert_eq!(v.entries, before + 100);
}

#[test]
fn audit_entries_reject_pii() {
    let db = TestDb::new();
    let store = db.store();
    let before = db.audit_entries();
    for target in [
        "martha@example.com",
        "Martha Williams",
        "+1 415 555 0123",
        "415-555-0123",
    ] {
        let e = Entry::new(OWNER, audit::DELETE_PROFILE).target(target);
        let err = audit::record(&store, &e).unwrap_err();
        assert!(err.to_string().contains("never personal data"), "{err}");
    }
    assert_eq!(db.audit_entries(), before);
}

/// A trail of `OWNER`'s bootstrap, the fixture's two grants and three
/// deletions: six entries, the deletions at 4, 5 and 6. Returns a raw connection with the
/// append-only triggers dropped, as someone editing the file would.
fn tamperable(db: &TestDb) -> rusqlite::Connection {
    let store = db.store();
    for id in ["itm_1", "itm_2", "itm_3"] {
        audit::record(
            &store,
            &Entry::new(OWNER, audit::DELETE_ITEM)
                .target(id)
                .count("items", 1),
        )
        .unwrap();
    }
    assert_eq!(db.audit_entries(), 6);
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let refused = conn.execute("UPDATE audit_log SET operator = 'x' WHERE seq = 3", []);
    assert!(
        refused.is_err(),
        "the append-only trigger should refuse edits"
    );
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    conn
}

fn assert_broken_at(db: &TestDb, seq: i64, what: &str) {
    let v = audit::verify(&db.store().read()).unwrap();
    assert_eq!(v.first_bad, Some(seq), "{what}: {v:?}");
    let run = db.run(AGENT, &["audit", "verify"]);
    assert_eq!(run.code, 1, "{what}: {run:?}");
    assert!(
        run.stderr.contains(&format!("broken at entry {seq}")),
        "{what}: {run:?}"
    );
}

#[test]
fn editing_any_column_is_detected_at_that_entry() {
    for (column, value) in [
        ("at", "'2020-01-01T00:00:00.000Z'"),
        ("operator", "'bob'"),
        ("action", "'export'"),
        ("targets", "'[\"itm_9\"]'"),
        ("counts", "'{\"items\":2}'"),
        ("outcome", "'refused'"),
        ("prev_hash", "'00'"),
        ("hash", "'00'"),
    ] {
        let db = TestDb::new();
        let conn = tamperable(&db);
        conn.execute(
            &format!("UPDATE audit_log SET {column} = {value} WHERE seq = 4"),
            [],
        )
        .unwrap();
        assert_broken_at(&db, 4, column);
    }
}

#[test]
fn deleting_or_reordering_entries_is_detected() {
    let db = TestDb::new();
    let conn = tamperable(&db);
    conn.execute("DELETE FROM audit_log WHERE seq = 4", [])
        .unwrap();
    assert_broken_at(&db, 5, "deleted middle entry");
    let v = audit::verify(&db.store().read()).unwrap();
    assert!(v.problem.unwrap().contains("4 to 4 are missing"));

    let db = TestDb::new();
    let conn = tamperable(&db);
    conn.execute_batch(
        "UPDATE audit_log SET seq = -1 WHERE seq = 4;
         UPDATE audit_log SET seq = 4 WHERE seq = 5;
         UPDATE audit_log SET seq = 5 WHERE seq = -1;",
    )
    .unwrap();
    assert_broken_at(&db, 4, "swapped entries");
}

#[test]
fn export_prints_the_head_and_verify_head_catches_truncation() {
    let db = TestDb::new();
    let conn = tamperable(&db);
    let jsonl = db.run(AGENT, &["audit", "export"]).ok().to_string();
    let lines: Vec<&str> = jsonl.lines().collect();
    assert_eq!(lines.len(), 7);
    let trailer: serde_json::Value = serde_json::from_str(lines[6]).unwrap();
    let head = trailer["head"].as_str().unwrap().to_string();
    assert_eq!(trailer["entries"], 6);
    let last: serde_json::Value = serde_json::from_str(lines[5]).unwrap();
    assert_eq!(last["hash"], head.as_str());

    let csv = db.run(AGENT, &["audit", "export", "--format", "csv"]);
    assert!(csv.ok().starts_with("seq,at,operator,action,"), "{csv:?}");
    assert!(csv.stdout.ends_with(&format!("# head={head} entries=6\n")));
    let bad = db.run(AGENT, &["audit", "export", "--format", "xml"]);
    assert!(bad.stderr.contains("use jsonl or csv"), "{bad:?}");

    db.run(AGENT, &["audit", "verify", "--head", &head]).ok();
    conn.execute("DELETE FROM audit_log WHERE seq >= 5", [])
        .unwrap();
    // The shorter chain is still internally valid...
    db.run(AGENT, &["audit", "verify"]).ok();
    // ...but it no longer holds the head that was written down.
    let run = db.run(AGENT, &["audit", "verify", "--head", &head]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("does not contain head"), "{run:?}");
}

#[test]
fn a_hand_built_actor_gets_nothing_the_database_does_not_give() {
    let db = TestDb::new();
    let forged = Actor::new(STRANGER, &[Role::ComplianceAdmin, Role::Admin]);
    let err = access::require(
        &db.store(),
        &forged,
        access::Permission::Delete,
        audit::DELETE_PROFILE,
    )
    .unwrap_err();
    assert!(matches!(err, lethe::Error::NotPermitted { .. }), "{err}");
}
