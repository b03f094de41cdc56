use super::*;
use crate::store::Store;

fn entry() -> Entry {
    Entry::new("alice", DELETE_ITEM)
        .target("itm_42")
        .count("items", 1)
}

#[test]
fn rejects_pii_shaped_targets() {
    for bad in [
        "martha@example.com",
        "Martha Williams",
        "+14155550123",
        "415-555-0123",
        "415.555.0123",
        "",
        &"x".repeat(MAX_TARGET_LEN + 1),
        "line\nbreak",
    ] {
        let err = entry().target(bad).validate().unwrap_err();
        assert!(err.to_string().contains("audit target"), "{bad}: {err}");
    }
    for good in [
        "cus_1",
        "0035e00000AbCdE",
        "itm-2024-07-11",
        "123456789012",
        "manage_customer_data",
    ] {
        entry().target(good).validate().unwrap();
    }
}

#[test]
fn rejects_unknown_actions_and_bad_counts() {
    assert!(entry().count("Items Deleted", 1).validate().is_err());
    assert!(entry().count("items", -1).validate().is_err());
    assert!(Entry::new("al ice", DELETE_ITEM).validate().is_err());
    let store = Store::open_in_memory().unwrap();
    assert!(record(&store, &entry().target("a@b.c")).is_err());
    assert_eq!(verify(&store.read()).unwrap().entries, 0);
}

/// The texts the trail has always stored. Chains written before the
/// actions were an enum hash these bytes, so they must never change.
#[test]
fn every_action_stores_the_text_it_always_had() {
    let texts: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
    assert_eq!(
        texts,
        [
            "delete-item",
            "delete-thread",
            "delete-attachment",
            "delete-recording",
            "delete-profile",
            "delete-bulk",
            "redact",
            "export",
            "import",
            "retention-set",
            "retention-sweep",
            "pii-scan",
            "pii-dismiss",
            "request-create",
            "request-update",
            "request-extend",
            "request-complete",
            "request-reject",
            "demo-generate",
            "operator-bootstrap",
            "operator-grant",
            "operator-revoke",
            "account-switch",
            "backup-prune",
            "backup-restore",
            "backup-settings",
            "api-token-create",
            "api-token-revoke",
            "api-request",
        ]
    );
    for a in Action::ALL {
        assert_eq!(Action::parse(a.as_str()), Some(*a));
    }
    // A row as an earlier Lethe wrote it hashes to the same value (worked
    // out by hand from the encoding in the module documentation).
    let row = Stored {
        seq: 1,
        at: "2026-01-01T00:00:00.000Z".into(),
        operator: "alice".into(),
        action: DELETE_PROFILE.as_str().into(),
        targets: r#"["cus_1"]"#.into(),
        counts: r#"{"items":3}"#.into(),
        outcome: "ok".into(),
        prev_hash: genesis(),
        hash: String::new(),
    };
    assert_eq!(
        entry_hash(&row),
        "7f766238ca707de4ac53ebaae3c37511556a8b406d143dab8da5f96abbcf24a9"
    );
}

#[test]
fn chains_from_genesis_and_lists_newest_first() {
    let store = Store::open_in_memory().unwrap();
    let c = &store.read();
    assert_eq!(record(&store, &entry()).unwrap(), 1);
    assert_eq!(
        record(&store, &Entry::new("bob", EXPORT).outcome(Outcome::Refused)).unwrap(),
        2
    );
    let v = verify(c).unwrap();
    assert!(v.is_intact(), "{v:?}");
    assert_eq!(v.entries, 2);
    let rows = list(c, &Filter::default(), 10).unwrap();
    assert_eq!(rows[0].seq, 2);
    assert_eq!(rows[0].hash, v.head);
    assert_eq!(rows[1].targets, vec!["itm_42"]);
    assert_eq!(rows[1].counts.get("items"), Some(&1));
    let only_bob = Filter {
        operator: Some("bob".into()),
        ..Filter::default()
    };
    assert_eq!(list(c, &only_bob, 10).unwrap().len(), 1);
    let by_action = Filter {
        action: Some(DELETE_ITEM.as_str().into()),
        ..Filter::default()
    };
    assert_eq!(list(c, &by_action, 10).unwrap()[0].operator, "alice");
    assert_eq!(list(c, &Filter::default(), 1).unwrap().len(), 1);
    assert_eq!(find_head(c, &v.head).unwrap(), Some(2));
    assert_eq!(find_head(c, &genesis()).unwrap(), None);
}

#[test]
fn empty_trail_is_intact_with_genesis_head() {
    let store = Store::open_in_memory().unwrap();
    let v = verify(&store.read()).unwrap();
    assert_eq!((v.entries, v.head, v.first_bad), (0, genesis(), None));
}

#[test]
fn encoding_is_length_prefixed() {
    // Moving a character between neighbouring fields changes the hash.
    let a = Stored {
        seq: 1,
        at: "t".into(),
        operator: "ab".into(),
        action: "c".into(),
        targets: "[]".into(),
        counts: "{}".into(),
        outcome: "ok".into(),
        prev_hash: genesis(),
        hash: String::new(),
    };
    let b = Stored {
        operator: "a".into(),
        action: "bc".into(),
        ..a.clone()
    };
    assert_ne!(entry_hash(&a), entry_hash(&b));
}

#[test]
fn csv_and_jsonl_end_with_the_head() {
    let store = Store::open_in_memory().unwrap();
    record(&store, &entry().target("cus_1")).unwrap();
    let head = verify(&store.read()).unwrap().head;
    let mut out = Vec::new();
    export(&store.read(), Format::Csv, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("\"[\"\"itm_42\"\",\"\"cus_1\"\"]\""),
        "{text}"
    );
    assert_eq!(
        text.lines().last().unwrap(),
        format!("# head={head} entries=1")
    );
    let mut out = Vec::new();
    export(&store.read(), Format::Jsonl, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let trailer: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(trailer["head"], head.as_str());
}
