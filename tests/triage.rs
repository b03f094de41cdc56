//! PII triage: the scan, the findings queue, dismissal and redaction,
//! through the core and the binary.

mod support;

use std::collections::BTreeMap;

use lethe::access::{Actor, Role};
use lethe::pii::Kind;
use lethe::store::{forensic, Store};
use lethe::triage::{self, Field, QueueFilter};
use lethe::{audit, search, Error};
use support::{TestDb, ADMIN, AGENT, OWNER, STRANGER};

const CARD: &str = "4539 1488 0343 6467";
const SSN: &str = "536-22-8410";
const CHAT: &str = "Hi, please charge my other card 4539 1488 0343 6467 exp 12/27 \
                    and they also asked for my SSN, it is 536-22-8410. Thanks!";
const NOW: i64 = 1_720_000_000_000;

fn item(
    id: &str,
    ts: &str,
    kind: &str,
    subject: Option<&str>,
    body: Option<&str>,
) -> serde_json::Value {
    let mut content = serde_json::json!({ "type": kind });
    if let Some(s) = subject {
        content["subject"] = s.into();
    }
    if let Some(b) = body {
        content["content"] = b.into();
    }
    serde_json::json!({
        "id": id,
        "timestamp": ts,
        "initiator": { "type": "CUSTOMER" },
        "content": content,
    })
}

fn insert(store: &mut Store, doc: serde_json::Value) {
    let doc: lethe::format::CustomerDoc = serde_json::from_value(doc).expect("customer doc");
    store
        .write(|c| lethe::store::customers::insert(c, &doc, &search::keys_for(&doc)))
        .expect("insert customer");
}

/// Jane (cus_jane) has personal data pasted into a chat, an email's subject
/// and body, an SMS and a note; her own email and phone sit in her
/// signature. Ken (cus_ken) pasted Jane's address, which is a finding for
/// him. Plus a clean chat, a deleted chat and a call without text.
fn seed(store: &mut Store) {
    let mut deleted = item(
        "itm_deleted",
        "2024-07-01T12:00:00Z",
        "CHAT_MESSAGE",
        None,
        Some("card 4111 1111 1111 1111"),
    );
    deleted["deletedAt"] = "2024-07-02T00:00:00Z".into();
    insert(
        store,
        serde_json::json!({
            "id": "cus_jane",
            "name": "Jane Doe",
            "emails": [{ "original": "Jane.Doe@example.com", "primary": true }],
            "phones": [{ "original": "(415) 555-0100", "normalized": "+14155550100" }],
            "createdAt": "2024-01-01T00:00:00Z",
            "conversations": [{
                "id": "cnv_1",
                "status": "CLOSED",
                "channel": "web",
                "createdAt": "2024-07-01T10:00:00Z",
                "items": [
                    item("itm_chat", "2024-07-01T10:00:00Z", "CHAT_MESSAGE", None, Some(CHAT)),
                    item("itm_email", "2024-07-01T11:00:00Z", "EMAIL",
                        Some("Refund to IBAN DE89 3704 0044 0532 0130 00"),
                        Some("Hello,\nthe refund never arrived.\n--\nJane Doe\nJane.Doe@example.com\n(415) 555-0100")),
                    item("itm_sms", "2024-07-01T12:30:00Z", "SMS", None,
                        Some("my social security number is 457-55-5462")),
                    item("itm_note", "2024-07-01T13:00:00Z", "CONVERSATION_NOTE", None,
                        Some("Customer read card 5500 0000 0000 0004 out on the call, told her not to.")),
                    item("itm_clean", "2024-07-01T14:00:00Z", "CHAT_MESSAGE", None,
                        Some("Thanks, the parcel arrived on 2024-07-03 at 10:30.")),
                    item("itm_call", "2024-07-01T15:00:00Z", "PHONE_CALL", None, None),
                    deleted,
                ],
            }],
        }),
    );
    insert(
        store,
        serde_json::json!({
            "id": "cus_ken",
            "name": "Ken Adams",
            "emails": [{ "original": "ken@example.org" }],
            "createdAt": "2024-01-01T00:00:00Z",
            "conversations": [{
                "id": "cnv_2",
                "status": "CLOSED",
                "createdAt": "2024-06-01T10:00:00Z",
                "items": [item("itm_ken", "2024-06-01T10:00:00Z", "WHATSAPP", None,
                    Some("my wife is Jane.Doe@example.com, ken@example.org is me"))],
            }],
        }),
    );
}

/// A seeded database on disk, scanned once.
fn scanned() -> (TestDb, triage::ScanSummary) {
    let db = TestDb::new();
    let mut store = db.store();
    seed(&mut store);
    let owner = db.actor(OWNER);
    let summary = triage::scan(&mut store, &owner, NOW, &mut ()).expect("scan");
    (db, summary)
}

/// (item, field, kind, value) of every open finding.
fn open(store: &Store) -> Vec<(String, Field, Kind, String)> {
    let rows = triage::queue(
        &store.read(),
        &QueueFilter {
            min_confidence: 0.0,
            limit: 1000,
            ..Default::default()
        },
    )
    .expect("queue");
    let mut out: Vec<_> = rows
        .into_iter()
        .map(|r| {
            let ctx = triage::context(&store.read(), r.finding_id).expect("context");
            let value = ctx.text[ctx.focus.start..ctx.focus.end].to_string();
            (r.item_id, r.field, r.kind, value)
        })
        .collect();
    out.sort();
    out
}

fn row(item: &str, field: Field, kind: Kind, value: &str) -> (String, Field, Kind, String) {
    (item.to_string(), field, kind, value.to_string())
}

fn body(store: &Store, item: &str) -> (String, i64, i64) {
    store
        .read()
        .query_row(
            "SELECT body, content_rev, scanned_rev FROM items WHERE id = ?1",
            [item],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("item")
}

fn edit(store: &Store, item: &str, new_body: &str) {
    store
        .read()
        .execute(
            "UPDATE items SET body = ?2, content_rev = content_rev + 1 WHERE id = ?1",
            [item, new_body],
        )
        .expect("edit");
}

#[test]
fn scan_finds_pasted_data_everywhere_but_not_the_customers_own_contacts() {
    let (db, summary) = scanned();
    let store = db.store();
    assert_eq!(
        open(&store),
        vec![
            row("itm_chat", Field::Body, Kind::Card, CARD),
            row("itm_chat", Field::Body, Kind::Ssn, SSN),
            row(
                "itm_email",
                Field::Subject,
                Kind::Iban,
                "DE89 3704 0044 0532 0130 00"
            ),
            row("itm_ken", Field::Body, Kind::Email, "Jane.Doe@example.com"),
            row("itm_note", Field::Body, Kind::Card, "5500 0000 0000 0004"),
            row("itm_sms", Field::Body, Kind::Ssn, "457-55-5462"),
        ]
    );
    // Every item with text was read once and the call without text passed
    // over. The deleted chat still has text, which an import refuses (this
    // seed writes it directly): it is read, and records nothing.
    assert_eq!(summary.items, 7);
    assert_eq!(
        summary.found,
        BTreeMap::from([
            (Kind::Card, 2),
            (Kind::Iban, 1),
            (Kind::Ssn, 2),
            (Kind::Email, 1)
        ])
    );
    // Findings keep masked previews, never the value.
    let previews: Vec<String> = store
        .read()
        .prepare("SELECT preview || coalesce(fingerprint, '') FROM pii_findings")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("previews");
    assert!(
        previews.contains(&"card •••• 6467".to_string()),
        "{previews:?}"
    );
    for p in &previews {
        assert!(!p.contains("1488") && !p.contains("536-22"), "{p}");
    }
    assert_eq!(
        triage::item_findings(&store.read(), "cus_jane").expect("item findings"),
        vec![
            ("itm_chat".to_string(), 2),
            ("itm_email".to_string(), 1),
            ("itm_sms".to_string(), 1),
            ("itm_note".to_string(), 1),
        ]
    );
    let audit = db.last_audit();
    assert_eq!(audit.action, audit::SCAN);
    assert_eq!(audit.counts.get("items"), Some(&7));
}

#[test]
fn items_without_text_are_passed_over_and_never_pending() {
    let (db, _) = scanned();
    let mut store = db.store();
    // A profile whose newest items have no text: the scan covers them
    // without reading them, and nothing is left pending behind it.
    insert(
        &mut store,
        serde_json::json!({
            "id": "cus_quiet",
            "name": "Quiet Customer",
            "createdAt": "2024-01-01T00:00:00Z",
            "conversations": [{
                "id": "cnv_q",
                "status": "CLOSED",
                "createdAt": "2024-08-01T10:00:00Z",
                "items": [
                    item("itm_q_chat", "2024-08-01T10:00:00Z", "CHAT_MESSAGE", None,
                        Some("card 4111 1111 1111 1111 please")),
                    item("itm_q_call", "2024-08-01T11:00:00Z", "PHONE_CALL", None, None),
                    item("itm_q_call2", "2024-08-01T12:00:00Z", "PHONE_CALL", None, None),
                ],
            }],
        }),
    );
    let pending =
        |store: &Store| lethe::store::findings::count_pending(&store.read()).expect("pending");
    assert_eq!(pending(&store), 3);
    let owner = db.actor(OWNER);
    let again = triage::scan(&mut store, &owner, NOW, &mut ()).expect("scan");
    assert_eq!((again.items, again.total_found()), (1, 1));
    assert_eq!(pending(&store), 0);
    let again = triage::scan(&mut store, &owner, NOW, &mut ()).expect("rescan");
    assert_eq!((again.items, again.total_found()), (0, 0));
}

#[test]
fn the_scan_is_incremental() {
    let (db, _) = scanned();
    let mut store = db.store();
    let owner = db.actor(OWNER);
    let again = triage::scan(&mut store, &owner, NOW, &mut ()).expect("rescan");
    assert_eq!((again.items, again.total_found()), (0, 0));

    // An edited item is scanned again, and only it; its findings follow
    // the new text.
    edit(
        &store,
        "itm_sms",
        "sorry, wrong number: it is 457-55-5462, not 536-22-8410",
    );
    let again = triage::scan(&mut store, &owner, NOW, &mut ()).expect("rescan");
    assert_eq!((again.items, again.total_found()), (1, 2));
    let sms: Vec<_> = open(&store)
        .into_iter()
        .filter(|r| r.0 == "itm_sms")
        .collect();
    assert_eq!(
        sms,
        vec![
            row("itm_sms", Field::Body, Kind::Ssn, "457-55-5462"),
            row("itm_sms", Field::Body, Kind::Ssn, SSN),
        ]
    );
    // Two edits far apart in the table (fewer than a quarter of the rows
    // between them pending) are found through the index, not a walk.
    let filler: Vec<_> = (0..10)
        .map(|i| {
            item(
                &format!("itm_f{i}"),
                "2024-01-02T00:00:00Z",
                "SMS",
                None,
                Some("ok, thanks"),
            )
        })
        .collect();
    insert(
        &mut store,
        serde_json::json!({
            "id": "cus_filler", "createdAt": "2024-01-01T00:00:00Z",
            "conversations": [{ "id": "cnv_f", "status": "CLOSED",
                "createdAt": "2024-01-02T00:00:00Z", "items": filler }],
        }),
    );
    assert_eq!(
        triage::scan(&mut store, &owner, NOW, &mut ())
            .unwrap()
            .items,
        10
    );
    edit(&store, "itm_chat", CHAT);
    edit(&store, "itm_f9", "call me on +44 20 7946 0958");
    let again = triage::scan(&mut store, &owner, NOW, &mut ()).expect("rescan");
    assert_eq!((again.items, again.total_found()), (2, 3));
    assert_eq!(open(&store).len(), 8);

    // Items imported later are scanned inside the import's transaction.
    insert(
        &mut store,
        serde_json::json!({
            "id": "cus_new",
            "createdAt": "2024-01-01T00:00:00Z",
            "conversations": [{
                "id": "cnv_3", "status": "CLOSED", "createdAt": "2024-08-01T10:00:00Z",
                "items": [item("itm_new", "2024-08-01T10:00:00Z", "SMS", None,
                    Some("IBAN GB82 WEST 1234 5698 7654 32 for the refund"))],
            }],
        }),
    );
    let summary = store
        .write(|c| triage::scan_pending(c, NOW, &mut ()))
        .expect("scan pending");
    assert_eq!(summary.found, BTreeMap::from([(Kind::Iban, 1)]));
    assert_eq!(
        triage::item_findings(&store.read(), "cus_new")
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_dismissed_value_never_returns() {
    let (db, _) = scanned();
    let mut store = db.store();
    let owner = db.actor(OWNER);
    let ken = triage::queue(
        &store.read(),
        &QueueFilter {
            kinds: vec![Kind::Email],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(ken.len(), 1);
    let done = triage::dismiss(&mut store, &owner, ken[0].finding_id).expect("dismiss");
    assert_eq!(done.item_id, "itm_ken");
    assert!(store.setting(triage::FINGERPRINT_KEY).unwrap().is_some());
    let last = db.last_audit();
    assert_eq!(last.action, audit::DISMISS_FINDING);
    assert_eq!(
        last.targets,
        vec!["itm_ken".to_string(), ken[0].finding_id.to_string()]
    );

    // The text changes (the offsets move, the value is written twice and
    // differently): the value stays dismissed, a new one is reported.
    edit(
        &store,
        "itm_ken",
        "again: JANE.DOE@example.com, jane.doe@example.com, and ask 81.2.69.160",
    );
    let again = triage::scan(&mut store, &owner, NOW, &mut ()).unwrap();
    assert_eq!((again.items, again.suppressed), (1, 2));
    let ken_open: Vec<_> = open(&store)
        .into_iter()
        .filter(|r| r.0 == "itm_ken")
        .collect();
    assert_eq!(
        ken_open,
        vec![row("itm_ken", Field::Body, Kind::Ip, "81.2.69.160")]
    );
    // Dismissing twice is an error that says so.
    let err = triage::dismiss(&mut store, &owner, ken[0].finding_id).unwrap_err();
    assert!(err.to_string().contains("already dismissed"), "{err}");
}

#[test]
fn the_queue_filters_sorts_and_pages() {
    let (db, _) = scanned();
    let store = db.store();
    let all = QueueFilter {
        min_confidence: 0.0,
        limit: 100,
        ..Default::default()
    };
    let rows = triage::queue(&store.read(), &all).unwrap();
    let items: Vec<&str> = rows.iter().map(|r| r.item_id.as_str()).collect();
    assert_eq!(
        items,
        [
            "itm_note",
            "itm_sms",
            "itm_email",
            "itm_chat",
            "itm_chat",
            "itm_ken"
        ],
        "newest item first"
    );
    // Same item: newest finding first (the SSN was found after the card).
    assert_eq!((rows[3].kind, rows[4].kind), (Kind::Ssn, Kind::Card));
    let chat = &rows[4];
    assert_eq!(
        (
            chat.customer_name.as_deref(),
            chat.label.as_str(),
            chat.channel.as_deref()
        ),
        (Some("Jane Doe"), "chat", Some("web"))
    );
    assert_eq!(triage::queue_len(&store.read(), &all).unwrap(), 6);

    let cards = QueueFilter {
        kinds: vec![Kind::Card, Kind::Iban],
        limit: 2,
        offset: 1,
        ..Default::default()
    };
    let page: Vec<(String, Kind)> = triage::queue(&store.read(), &cards)
        .unwrap()
        .into_iter()
        .map(|r| (r.item_id, r.kind))
        .collect();
    assert_eq!(
        page,
        vec![
            ("itm_email".into(), Kind::Iban),
            ("itm_chat".into(), Kind::Card)
        ]
    );
    assert_eq!(triage::queue_len(&store.read(), &cards).unwrap(), 3);
    let none = QueueFilter {
        min_confidence: 1.01,
        ..Default::default()
    };
    assert!(triage::queue(&store.read(), &none).unwrap().is_empty());

    // Deleting an item takes its findings out of the queue and its count
    // (the count reads the findings alone).
    let mut store = db.store();
    let admin = db.actor(OWNER);
    let target = lethe::erase::resolve_item(&store, "itm_sms").unwrap();
    lethe::erase::delete_item_with(&mut store, &admin, &target, NOW, lethe::erase::Verify::Skip)
        .unwrap();
    let left = triage::queue(&store.read(), &all).unwrap();
    assert!(left.iter().all(|r| r.item_id != "itm_sms"));
    assert_eq!(triage::queue_len(&store.read(), &all).unwrap(), 5);
    assert_eq!(left.len(), 5);

    // The context shows the whole field with every open finding in it.
    let ctx = triage::context(&store.read(), chat.finding_id).unwrap();
    assert_eq!(
        (ctx.text.as_str(), ctx.field, ctx.stale),
        (CHAT, Field::Body, false)
    );
    let spans: Vec<&str> = ctx.spans.iter().map(|s| &CHAT[s.start..s.end]).collect();
    assert_eq!(spans, [CARD, SSN]);
    assert_eq!(&CHAT[ctx.focus.start..ctx.focus.end], CARD);
    assert!(matches!(
        triage::context(&store.read(), 999_999),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn redaction_removes_the_values_from_every_database_file() {
    let (db, _) = scanned();
    let needles =
        |vals: &[&str]| -> Vec<Vec<u8>> { vals.iter().map(|v| v.as_bytes().to_vec()).collect() };
    let gone = [CARD, "4539148803436467", SSN, "536228410"];
    // The markers are really there before, so the check below means something.
    assert_eq!(
        forensic::scan(&db.path, &needles(&[CARD]))
            .unwrap()
            .values_found,
        1
    );
    assert_eq!(
        forensic::scan(&db.path, &needles(&[SSN]))
            .unwrap()
            .values_found,
        1
    );

    let run = db.run(OWNER, &["redact", "--item", "itm_chat", "--yes"]);
    assert!(
        run.ok().contains("Redacted item itm_chat: 1 card, 1 SSN."),
        "{run:?}"
    );

    let scan = forensic::scan(&db.path, &needles(&gone)).unwrap();
    assert_eq!(scan.values_checked, 4);
    assert_eq!(scan.values_found, 0, "{scan:?}");
    assert!(
        scan.files.iter().any(|f| f.ends_with("lethe.db")),
        "{scan:?}"
    );

    let store = db.store();
    let (text, content_rev, scanned_rev) = body(&store, "itm_chat");
    assert_eq!(
        text,
        "Hi, please charge my other card [card removed] exp 12/27 \
         and they also asked for my SSN, it is [SSN removed]. Thanks!"
    );
    assert_eq!((content_rev, scanned_rev), (2, 2));
    // Its findings are resolved, the others untouched; nothing is pending.
    assert!(open(&store).iter().all(|r| r.0 != "itm_chat"));
    assert_eq!(open(&store).len(), 4);
    let statuses: Vec<(String, Option<String>)> = store
        .read()
        .prepare("SELECT status, fingerprint FROM pii_findings WHERE item_id = 'itm_chat'")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .unwrap();
    assert_eq!(
        statuses,
        vec![("resolved".into(), None), ("resolved".into(), None)]
    );
    let last = db.last_audit();
    assert_eq!(
        (last.action.as_str(), last.targets.clone()),
        (audit::REDACT.as_str(), vec!["itm_chat".to_string()])
    );
    assert_eq!(
        last.counts,
        BTreeMap::from([("card".into(), 1), ("ssn".into(), 1)])
    );
    drop(store);
    let again = db.run(OWNER, &["scan"]);
    assert!(again.ok().starts_with("Scanned 0 items"), "{again:?}");
}

#[test]
fn redacting_some_kinds_keeps_the_other_findings_right() {
    let (db, _) = scanned();
    let mut store = db.store();
    let owner = db.actor(OWNER);
    let preview = triage::preview_redaction(&store.read(), "itm_chat", Some(&[Kind::Ssn])).unwrap();
    let previews: Vec<&str> = preview.spans.iter().map(|s| s.preview.as_str()).collect();
    assert_eq!(previews, ["SSN •••-••-8410"]);

    let done =
        triage::redact_item(&mut store, &owner, "itm_chat", Some(&[Kind::Ssn]), NOW).unwrap();
    assert_eq!(done.spans_by_kind, BTreeMap::from([(Kind::Ssn, 1)]));
    assert!(done.checkpoint_completed);
    // With this connection still open (the -wal file exists), the SSN is
    // in no file and the card, not asked for, still is.
    let found = |v: &[&str]| {
        let needles: Vec<Vec<u8>> = v.iter().map(|v| v.as_bytes().to_vec()).collect();
        forensic::scan(&db.path, &needles).unwrap()
    };
    assert!(found(&[SSN]).files.iter().any(|f| f.ends_with("-wal")));
    assert_eq!(found(&[SSN, "536228410"]).values_found, 0);
    assert_eq!(found(&[CARD]).values_found, 1);
    // The card is still an open finding, at its new offset.
    let chat: Vec<_> = open(&store)
        .into_iter()
        .filter(|r| r.0 == "itm_chat")
        .collect();
    assert_eq!(chat, vec![row("itm_chat", Field::Body, Kind::Card, CARD)]);

    // The Triage screen's action: everything open in the finding's item.
    let id = triage::queue(&store.read(), &QueueFilter::default())
        .unwrap()
        .into_iter()
        .find(|r| r.item_id == "itm_email")
        .unwrap()
        .finding_id;
    let done = triage::redact_finding_item(&mut store, &owner, id).unwrap();
    assert_eq!(done.spans_by_kind, BTreeMap::from([(Kind::Iban, 1)]));
    let subject: String = store
        .read()
        .query_row(
            "SELECT subject FROM items WHERE id = 'itm_email'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(subject, "Refund to IBAN [IBAN removed]");
    // The signature (her own contacts) was not touched.
    assert!(body(&store, "itm_email")
        .0
        .ends_with("Jane.Doe@example.com\n(415) 555-0100"));

    // Nothing left to redact: nothing changes, nothing is recorded.
    let entries = db.audit_entries();
    let none = triage::redact_item(&mut store, &owner, "itm_clean", None, NOW).unwrap();
    assert_eq!(none.total(), 0);
    assert_eq!(db.audit_entries(), entries);
    let err = triage::redact_item(&mut store, &owner, "itm_deleted", None, NOW).unwrap_err();
    assert!(err.to_string().contains("has been deleted"), "{err}");
    let err = triage::redact_item(&mut store, &owner, "itm_nope", None, NOW).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

#[test]
fn only_compliance_administrators_may_redact_or_dismiss() {
    let (db, _) = scanned();
    for user in [AGENT, STRANGER, ADMIN] {
        let run = db.assert_refused(user, &["redact", "--item", "itm_chat", "--yes"]);
        assert!(run.stderr.contains("not permitted"), "{run:?}");
        assert_eq!(db.last_audit().targets, vec!["itm_chat".to_string()]);
    }
    let mut store = db.store();
    let id = triage::queue(&store.read(), &QueueFilter::default()).unwrap()[0].finding_id;
    for actor in [
        db.actor(AGENT),
        db.actor(STRANGER),
        // Claiming a role by hand gives nothing the database does not.
        Actor::new(AGENT, &[Role::ComplianceAdmin]),
    ] {
        let err = triage::redact_item(&mut store, &actor, "itm_chat", None, NOW).unwrap_err();
        assert!(matches!(err, Error::NotPermitted { .. }), "{err}");
        let err = triage::dismiss(&mut store, &actor, id).unwrap_err();
        assert!(matches!(err, Error::NotPermitted { .. }), "{err}");
        let err = triage::redact_finding_item(&mut store, &actor, id).unwrap_err();
        assert!(matches!(err, Error::NotPermitted { .. }), "{err}");
    }
    assert_eq!(body(&store, "itm_chat").0, CHAT);
}

#[test]
fn the_cli_scans_and_asks_before_redacting() {
    let db = TestDb::new();
    seed(&mut db.store());
    let run = db.run(AGENT, &["scan"]);
    let out = run.ok();
    assert!(out.starts_with("Scanned 7 items with text ("), "{run:?}");
    for line in [
        "KIND        NEW     OPEN",
        "card          2        2",
        "SSN           2        2",
        "IBAN          1        1",
        "email         1        1",
        "phone         0        0",
        "total         6        6",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    // The pipe gets no progress bar.
    assert!(!run.stderr.contains('\u{1b}'), "{run:?}");
    let again = db.run(OWNER, &["scan"]);
    assert!(again.ok().contains("card          0        2"), "{again:?}");

    // Without a terminal and without --yes, nothing happens.
    let run = db.run(OWNER, &["redact", "--item", "itm_chat"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("needs confirmation") && run.stderr.contains("--yes"),
        "{run:?}"
    );
    assert_eq!(body(&db.store(), "itm_chat").0, CHAT);
    let run = db.run(
        OWNER,
        &[
            "redact",
            "--item",
            "itm_chat",
            "--kinds",
            "card,passport",
            "--yes",
        ],
    );
    assert!(run.stderr.contains("\"passport\" is not a kind"), "{run:?}");
    let run = db.run(OWNER, &["redact", "--item", "itm_clean", "--yes"]);
    assert!(run.ok().contains("nothing to redact"), "{run:?}");
    let run = db.run(OWNER, &["redact", "--item", "itm_nope", "--yes"]);
    assert!(run.stderr.contains("no item with ID itm_nope"), "{run:?}");
}

#[test]
fn imported_items_are_scanned_as_they_arrive() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.jsonl");
    let doc = serde_json::json!({
        "id": "imp-1", "name": "Ida Import", "createdAt": "2024-01-01T00:00:00Z",
        "conversations": [{"id": "imp-conv", "status": "CLOSED", "createdAt": "2024-01-01T00:00:00Z",
            "items": [{"id": "imp-msg", "timestamp": "2024-01-01T00:01:00Z", "initiator": {"type": "CUSTOMER"},
                "content": {"type": "CHAT_MESSAGE", "content": "my card is 4539 1488 0343 6467 exp 09/27"}}]}]
    });
    std::fs::write(&file, format!("{doc}\n")).unwrap();
    let out = db.run(OWNER, &["import", file.to_str().unwrap()]);
    assert!(out.ok().contains("Triage"), "{}", out.stdout);
    // No `lethe scan` was run: the import scanned the new item itself.
    let store = db.store();
    let rows = triage::queue(&store.read(), &QueueFilter::default()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].item_id.as_str(), rows[0].kind),
        ("imp-msg", Kind::Card)
    );
    assert_eq!(
        store
            .write(|tx| triage::scan_pending(tx, 0, &mut ()))
            .unwrap()
            .items,
        0
    );
}

/// The scan reads new items without their state and looks it up only for
/// those with something to record. An item redacted before its first scan
/// already has findings for what is left of its text: the scan replaces
/// them rather than adding the same ones again.
#[test]
fn an_item_redacted_before_its_first_scan_keeps_one_set_of_findings() {
    let db = TestDb::new();
    let mut store = db.store();
    seed(&mut store);
    let owner = db.actor(OWNER);
    triage::redact_item(&mut store, &owner, "itm_chat", Some(&[Kind::Card]), NOW).unwrap();
    let chat = |store: &Store| -> Vec<_> {
        open(store)
            .into_iter()
            .filter(|r| r.0 == "itm_chat")
            .collect()
    };
    let want = vec![row("itm_chat", Field::Body, Kind::Ssn, SSN)];
    assert_eq!(chat(&store), want);
    triage::scan(&mut store, &owner, NOW, &mut ()).expect("scan");
    assert_eq!(chat(&store), want);
    assert_eq!(open(&store).len(), 5);
}

/// Items an older build wrote start behind (`scanned_rev` 0). The scan
/// reads them as new items and marks them scanned, so none is left for a
/// second pass.
#[test]
fn items_written_behind_are_marked_scanned_by_the_first_scan() {
    let db = TestDb::new();
    let mut store = db.store();
    seed(&mut store);
    store
        .read()
        .execute_batch("UPDATE items SET scanned_rev = 0 WHERE id IN ('itm_sms', 'itm_call')")
        .unwrap();
    let owner = db.actor(OWNER);
    let summary = triage::scan(&mut store, &owner, NOW, &mut ()).expect("scan");
    assert_eq!(summary.total_found(), 6);
    let pending =
        |store: &Store| lethe::store::findings::count_pending(&store.read()).expect("pending");
    assert_eq!(pending(&store), 0);
    assert_eq!(body(&store, "itm_sms").1, body(&store, "itm_sms").2);
    let again = triage::scan(&mut store, &owner, NOW, &mut ()).expect("rescan");
    assert_eq!((again.items, again.total_found()), (0, 0));
    assert_eq!(open(&store).len(), 6);
}

/// A customer `id` with one chat `itm` saying `msg`, and `extra` profile
/// fields (phones, addresses).
fn chatting(id: &str, itm: &str, msg: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut doc = serde_json::json!({
        "id": id, "name": id, "createdAt": "2024-01-01T00:00:00Z",
        "conversations": [{"id": format!("cv_{id}"), "status": "CLOSED",
            "createdAt": "2024-06-01T00:00:00Z",
            "items": [item(itm, "2024-06-01T00:00:00Z", "CHAT_MESSAGE", None, Some(msg))]}]
    });
    if let (Some(d), Some(e)) = (doc.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    doc
}

/// A national number is read in the customer's region: from their own
/// phone, else their address, else the account's `phone-region`, else
/// North America.
#[test]
fn national_numbers_are_read_in_the_customer_s_region() {
    let db = TestDb::new();
    let mut store = db.store();
    let msg = "you can also reach my office on 09-7625400";
    // Yael's own phone is Israeli; Ken has none on file.
    let israeli = serde_json::json!({
        "phones": [{"original": "+972 54 123 4567", "normalized": "+972541234567"}]
    });
    insert(&mut store, chatting("cus_yael", "itm_y", msg, israeli));
    insert(
        &mut store,
        chatting("cus_ken", "itm_k", msg, serde_json::json!({})),
    );
    lethe::access::bootstrap(&store, OWNER).unwrap();
    let owner = db.actor(OWNER);
    triage::scan(&mut store, &owner, NOW, &mut ()).expect("scan");
    assert_eq!(
        open(&store),
        [row("itm_y", Field::Body, Kind::Phone, "09-7625400")],
        "Ken's message is read as North American: no number"
    );
    drop(store);
    // The account's region covers Ken; a rescan of his message finds it.
    let set = db.run(OWNER, &["account", "phone-region", "IL"]);
    assert_eq!(set.code, 0, "{set:?}");
    assert!(db.last_audit().targets.contains(&"IL".to_string()));
    let bad = db.run(OWNER, &["account", "phone-region", "Atlantis"]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("two-letter ISO 3166"), "{bad:?}");
    let store = db.store();
    edit(&store, "itm_k", msg);
    // A customer with no phone, but an address in Japan: their first
    // address's country.
    let mut store = store;
    let japanese = serde_json::json!({"addresses": [{"city": "Osaka", "country": "JP"}]});
    insert(
        &mut store,
        chatting("cus_aiko", "itm_a", "my mobile is 090-1234-5678", japanese),
    );
    triage::scan(&mut store, &owner, NOW, &mut ()).expect("rescan");
    assert_eq!(
        open(&store),
        [
            row("itm_a", Field::Body, Kind::Phone, "090-1234-5678"),
            row("itm_k", Field::Body, Kind::Phone, "09-7625400"),
            row("itm_y", Field::Body, Kind::Phone, "09-7625400"),
        ]
    );
}
