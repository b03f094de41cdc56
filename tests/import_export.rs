//! The JSON format end to end: import (good and bad input), export, the
//! round trip, and `find`, through the library and the built binary.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine;
use lethe::access::{self, Actor};
use lethe::format::{ContentType, CustomerDoc};
use lethe::import::{self, ImportOptions, ImportReport, Limits};
use lethe::store::Store;
use lethe::{export, Error};
use serde_json::{json, Value};

const OPERATOR: &str = "alice";
const STRANGER: &str = "mallory";

// ---- shared fixtures ----

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn opts(skip_invalid: bool) -> ImportOptions {
    ImportOptions {
        skip_invalid,
        operator: OPERATOR.into(),
        limits: Limits::default(),
        now: lethe::clock::now_ms(),
        phone_region: None,
    }
}

/// A fresh database whose first operator (a compliance admin) is OPERATOR.
fn store() -> Store {
    let store = Store::open_in_memory().unwrap();
    access::bootstrap(&store, OPERATOR).unwrap();
    store
}

fn admin(store: &Store) -> Actor {
    Actor::resolve(&store.read(), OPERATOR).unwrap()
}

fn import_text(store: &mut Store, text: &str, o: &ImportOptions) -> ImportReport {
    import::import_reader(store, &mut Cursor::new(text.as_bytes()), o).unwrap()
}

fn import_docs(store: &mut Store, docs: &[Value], o: &ImportOptions) -> ImportReport {
    let text: Vec<String> = docs.iter().map(|d| d.to_string()).collect();
    import_text(store, &text.join("\n"), o)
}

fn rich_store() -> Store {
    let mut s = store();
    let report = import::import_file(&mut s, &fixture("rich.jsonl"), &opts(false)).unwrap();
    assert!(report.committed && report.problems.is_empty(), "{report:?}");
    s
}

fn count(store: &Store, table: &str) -> i64 {
    store
        .read()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// A small valid customer with one conversation and one chat item, IDs
/// derived from `id`.
fn small(id: &str) -> Value {
    json!({
        "id": id, "name": format!("Person {id}"), "createdAt": "2023-01-01T00:00:00Z",
        "conversations": [{
            "id": format!("cnv_{id}"), "status": "CLOSED", "createdAt": "2023-01-01T00:00:00Z",
            "items": [{
                "id": format!("itm_{id}"), "timestamp": "2023-01-01T00:00:00Z",
                "initiator": {"type": "CUSTOMER"},
                "content": {"type": "CHAT_MESSAGE", "content": "hello"}
            }]
        }]
    })
}

fn messages(report: &ImportReport) -> Vec<String> {
    report.problems.iter().map(|p| p.to_string()).collect()
}

/// The built binary with its own database directory and OS identity.
struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Cli {
        Cli {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("lethe.db")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run_as(&self, user: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_lethe"))
            .args(args)
            .arg("--db")
            .arg(self.db())
            .env("USER", user)
            .env("SUDO_USER", user)
            .env_remove("LETHE_DB")
            .env("XDG_DATA_HOME", self.dir.path())
            .output()
            .unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_as(OPERATOR, args)
    }

    /// A database holding rich.jsonl, created by OPERATOR.
    fn with_rich() -> Cli {
        let cli = Cli::new();
        let out = cli.run(&["import", fixture("rich.jsonl").to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        cli
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

// ---- round trip ----

#[test]
fn round_trip_gives_identical_bytes() {
    let mut first = rich_store();
    let actor = admin(&first);
    let ids = ["cus_rich", "cus_dup_a", "cus_dup_b", "cus_gone"];
    let export_all = |s: &mut Store| -> String {
        ids.iter()
            .map(|id| export::to_pretty(&export::customer(s, &actor, id, true).unwrap()).unwrap())
            .collect()
    };
    let once = export_all(&mut first);

    let mut second = store();
    let report = import_text(&mut second, &once, &opts(false));
    assert_eq!((report.customers, report.items), (4, 18), "{report:?}");
    assert_eq!(export_all(&mut second), once);

    // The fixture covers what the round trip must carry.
    let rich = export::customer(&mut second, &actor, "cus_rich", true).unwrap();
    let items: Vec<_> = rich.conversations.iter().flat_map(|c| &c.items).collect();
    for t in ContentType::ALL {
        assert!(items.iter().any(|i| i.content.kind == t), "no {t:?} item");
    }
    assert!(items.iter().any(|i| i.deleted_at.is_some()));
    assert!(!rich.orders.is_empty() && !rich.app_data.is_empty());
    assert_eq!(rich.custom_attributes["tags"], json!(["vip", "returns"]));
    let att = items
        .iter()
        .flat_map(|i| &i.content.attachments)
        .find(|a| a.id == "att_pdf")
        .unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(att.data.as_deref().unwrap())
        .unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4 invoice 1042"));
    assert_eq!(bytes.len() as i64, att.file_size);
    let call = items.iter().find(|i| i.id == "itm_call").unwrap();
    let rec = call.content.recording.as_ref().unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(rec.data.as_deref().unwrap())
            .unwrap()
            .len() as i64,
        rec.file_size
    );
}

#[test]
fn round_trip_through_the_binary_with_a_private_file() {
    let a = Cli::with_rich();
    let first = a.path("first.json");
    let out = a.run(&[
        "export",
        "--customer",
        "cus_rich",
        "-o",
        first.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&first).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let b = Cli::new();
    let out = b.run(&["import", first.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "imported 1 customer, 16 items");
    let again = b.run(&["export", "--customer", "cus_rich"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(again.stdout, std::fs::read(&first).unwrap());
}

#[test]
fn export_without_content_keeps_metadata_only() {
    let mut s = rich_store();
    let actor = admin(&s);
    let doc = export::customer(&mut s, &actor, "cus_rich", false).unwrap();
    let text = export::to_pretty(&doc).unwrap();
    assert!(!text.contains("\"data\""));
    assert!(text.contains("\"filename\": \"invoice-1042.pdf\""));
    assert!(text.contains("\"id\": \"rec_call\""));
}

#[test]
fn export_is_audited_with_the_id_only() {
    let mut s = rich_store();
    let actor = admin(&s);
    export::customer(&mut s, &actor, "cus_rich", true).unwrap();
    let (operator, targets, counts, outcome): (String, String, String, String) = s
        .read()
        .query_row(
            "SELECT operator, targets, counts, outcome FROM audit_log WHERE action = 'export'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!((operator.as_str(), outcome.as_str()), (OPERATOR, "ok"));
    assert_eq!(targets, r#"["cus_rich"]"#);
    assert!(counts.contains("\"items\":16"), "{counts}");
    let missing = export::customer(&mut s, &actor, "cus_nobody", true).unwrap_err();
    assert!(matches!(missing, Error::NotFound { .. }), "{missing}");
}

#[test]
fn export_is_refused_for_a_non_operator_and_writes_nothing() {
    let cli = Cli::with_rich();
    let target = cli.path("out.json");
    let out = cli.run_as(
        STRANGER,
        &[
            "export",
            "--customer",
            "cus_rich",
            "-o",
            target.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    assert!(
        err.starts_with("lethe: export is not permitted for mallory"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!target.exists());
    let to_stdout = cli.run_as(STRANGER, &["export", "--customer", "cus_rich"]);
    assert!(!to_stdout.status.success() && to_stdout.stdout.is_empty());

    let s = Store::open(&cli.db()).unwrap();
    let refused: i64 = s
        .read()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'export' AND outcome = 'refused'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(refused, 2);
}

// ---- import: bad input ----

#[test]
fn a_bad_file_imports_nothing_and_names_every_bad_line() {
    let cli = Cli::new();
    let out = cli.run(&["import", fixture("mixed.jsonl").to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    let expected = [
        "line 3: not valid JSON: EOF while parsing a value (column 34)",
        "line 4: customer cus_nocreated: missing field `createdAt`",
        "line 5: item itm_cus_fax: unknown content.type \"FAX\" (expected one of CHAT_MESSAGE, EMAIL,",
        "line 6: customer cus_ok1 already appears on line 1",
        "line 7: attachment att_bad data is not valid base64",
        "line 8: item itm_cus_date timestamp \"2023-13-45T99:00:00Z\" is not a date",
        "lethe: nothing was imported: 6 of 8 documents have problems",
    ];
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{err}");
    for (line, want) in lines.iter().zip(expected) {
        assert!(
            line.starts_with(want),
            "{line:?} should start with {want:?}"
        );
    }
    let s = Store::open(&cli.db()).unwrap();
    assert_eq!(count(&s, "customers"), 0);
    assert_eq!(count(&s, "items"), 0);
    assert_eq!(count(&s, "search_keys"), 0);
}

#[test]
fn skip_invalid_imports_the_good_lines_and_lists_the_bad() {
    let cli = Cli::new();
    let out = cli.run(&[
        "import",
        fixture("mixed.jsonl").to_str().unwrap(),
        "--skip-invalid",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "imported 2 customers, 2 items; 6 lines skipped"
    );
    let bad: Vec<String> = stderr(&out)
        .lines()
        .map(|l| l.split(':').next().unwrap().to_string())
        .collect();
    assert_eq!(
        bad,
        ["line 3", "line 4", "line 5", "line 6", "line 7", "line 8"]
    );
    let s = Store::open(&cli.db()).unwrap();
    let ids: Vec<String> = s
        .read()
        .prepare("SELECT id FROM customers ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids, ["cus_ok1", "cus_ok2"]);
    // Lines 6's conversation must not have slipped in under another customer.
    assert_eq!(count(&s, "conversations"), 2);
}

#[test]
fn skip_invalid_with_only_bad_lines_fails() {
    let mut s = store();
    let report = import_text(&mut s, "{oops\nnot json either\n", &opts(true));
    assert_eq!((report.customers, report.problems.len()), (0, 2));
    let cli = Cli::new();
    let file = cli.path("bad.jsonl");
    std::fs::write(&file, "{oops\n").unwrap();
    let out = cli.run(&["import", file.to_str().unwrap(), "--skip-invalid"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("line 1: not valid JSON"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn duplicates_against_the_database_are_refused_for_every_kind() {
    // Each case reuses exactly one ID that rich.jsonl already holds.
    type Mutate = fn(&mut Value);
    let cases: [(&str, Mutate); 7] = [
        ("customer cus_rich", |d| d["id"] = json!("cus_rich")),
        ("conversation cnv_r1", |d| {
            d["conversations"][0]["id"] = json!("cnv_r1")
        }),
        ("item itm_chat", |d| {
            d["conversations"][0]["items"][0]["id"] = json!("itm_chat")
        }),
        ("attachment att_png", |d| {
            d["conversations"][0]["items"][0]["content"]["attachments"] =
                json!([{"id": "att_png", "fileSize": 1}])
        }),
        ("recording rec_call", |d| {
            d["conversations"][0]["items"][0]["content"] = json!({
                "type": "PHONE_CALL", "recording": {"id": "rec_call", "fileSize": 1}
            })
        }),
        (
            "order ord_1042",
            |d| d["orders"] = json!([{"id": "ord_1042", "placedAt": "2024-01-01T00:00:00Z"}]),
        ),
        ("work session ws_1", |d| {
            d["conversations"][0]["workSessions"] =
                json!([{"id": "ws_1", "agentId": "a", "startedAt": "2024-01-01T00:00:00Z"}])
        }),
    ];
    let mut s = rich_store();
    let before = count(&s, "items");
    for (what, mutate) in cases {
        let mut doc = small("cus_new");
        mutate(&mut doc);
        let report = import_docs(&mut s, &[small("cus_fine"), doc], &opts(false));
        assert!(!report.committed);
        assert_eq!(
            messages(&report),
            [format!("line 2: {what} is already in the database")]
        );
    }
    assert_eq!(count(&s, "items"), before);
    assert_eq!(count(&s, "customers"), 4);
}

#[test]
fn duplicates_inside_one_document_are_refused() {
    let mut doc = small("cus_twice");
    let item = doc["conversations"][0]["items"][0].clone();
    doc["conversations"][0]["items"]
        .as_array_mut()
        .unwrap()
        .push(item);
    let mut s = store();
    let report = import_docs(&mut s, &[doc], &opts(true));
    assert_eq!(
        messages(&report),
        ["line 1: item itm_cus_twice appears twice in this document"]
    );
    assert_eq!(count(&s, "customers"), 0);
}

#[test]
fn a_ten_megabyte_message_is_refused_with_its_size() {
    let mut big = small("cus_big");
    big["conversations"][0]["items"][0]["content"]["content"] = json!("x".repeat(10_000_000));
    let mut s = store();
    let report = import_docs(&mut s, &[small("cus_fine"), big], &opts(false));
    assert_eq!(
        messages(&report),
        ["line 2: item itm_cus_big content is 9.5 MB; the limit is 1 MiB per text field"]
    );
    assert_eq!(count(&s, "customers"), 0);
}

#[test]
fn an_overlong_line_is_skipped_without_losing_the_next_one() {
    let o = ImportOptions {
        limits: Limits {
            line_bytes: 1000,
            ..Limits::default()
        },
        ..opts(true)
    };
    let mut long = small("cus_long");
    long["name"] = json!("y".repeat(5000));
    let kb = long.to_string().len() as f64 / 1024.0;
    let mut s = store();
    let report = import_docs(&mut s, &[long, small("cus_after")], &o);
    assert_eq!(
        messages(&report),
        [format!(
            "line 1: the line is {kb:.1} KB; the limit is 1000 bytes per line"
        )]
    );
    assert_eq!(report.customers, 1);
}

#[test]
fn attachments_beyond_the_binary_limit_are_refused() {
    let o = ImportOptions {
        limits: Limits {
            binary_bytes: 100,
            ..Limits::default()
        },
        ..opts(false)
    };
    let mut doc = small("cus_att");
    let data = base64::engine::general_purpose::STANDARD.encode([7u8; 300]);
    doc["conversations"][0]["items"][0]["content"]["attachments"] =
        json!([{"id": "att_big", "fileSize": 300, "data": data}]);
    let report = import_docs(&mut store(), &[doc], &o);
    assert_eq!(
        messages(&report),
        ["line 1: attachment att_big data is 300 bytes; the limit is 100 bytes per file"]
    );
}

#[test]
fn other_mess_is_named_per_line() {
    let mut recording_on_chat = small("cus_rec");
    recording_on_chat["conversations"][0]["items"][0]["content"]["recording"] =
        json!({"id": "rec_x", "fileSize": 0});
    let mut size_mismatch = small("cus_size");
    size_mismatch["conversations"][0]["items"][0]["content"]["attachments"] =
        json!([{"id": "att_x", "fileSize": 10, "data": "aGVsbG8="}]);
    let mut bad_status = small("cus_status");
    bad_status["conversations"][0]["status"] = json!("PENDING");
    let mut missing_initiator = small("cus_init");
    missing_initiator["conversations"][0]["items"][0]
        .as_object_mut()
        .unwrap()
        .remove("initiator");
    let mut unknown_field = small("cus_field");
    unknown_field["emailAddress"] = json!("x@example.com");
    let mut bad_reason = small("cus_reason");
    bad_reason["deletedAt"] = json!("2024-01-01T00:00:00Z");
    bad_reason["deletionReason"] = json!("gdpr");
    let named_but_deleted = bad_reason.clone();
    bad_reason.as_object_mut().unwrap().remove("name");
    let mut deleted_with_text = small("cus_del");
    deleted_with_text["conversations"][0]["items"][0]["deletedAt"] = json!("2024-01-02T00:00:00Z");
    let lines = [
        recording_on_chat.to_string(),
        size_mismatch.to_string(),
        bad_status.to_string(),
        missing_initiator.to_string(),
        unknown_field.to_string(),
        "[1, 2]".to_string(),
        bad_reason.to_string(),
        deleted_with_text.to_string(),
        named_but_deleted.to_string(),
    ];
    let mut text = lines.join("\n").into_bytes();
    text.extend_from_slice(b"\n{\"id\": \"cus_\xff\"}\n");
    let mut s = store();
    let report = import::import_reader(&mut s, &mut Cursor::new(text), &opts(false)).unwrap();
    let got = messages(&report);
    let want = [
        "line 1: item itm_cus_rec is CHAT_MESSAGE but has a recording; only PHONE_CALL and VOICEMAIL items have recordings",
        "line 2: attachment att_x fileSize is 10 but its data is 5 bytes",
        "line 3: conversation cnv_cus_status: unknown variant `PENDING`, expected one of `OPEN`, `WAITING`, `CLOSED`",
        "line 4: item itm_cus_init: missing field `initiator`",
        "line 5: customer cus_field: unknown field `emailAddress`",
        "line 6: a customer document must be a JSON object, not an array",
        "line 7: customer cus_reason deletionReason \"gdpr\" is not one of manual, retention",
        "line 8: item itm_cus_del is deleted (deletedAt) but still has content, subject, from or to",
        "line 9: customer cus_reason is deleted (deletedAt) but still has a name, email, phone or address",
        "line 10: the line is not UTF-8 text (invalid byte at column 13)",
    ];
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for (g, w) in got.iter().zip(want) {
        assert!(g.starts_with(w), "{g:?} should start with {w:?}");
    }
    assert_eq!(count(&s, "customers"), 0);
}

#[test]
fn pretty_input_with_a_syntax_error_names_its_line() {
    let mut s = store();
    let text = "{\n  \"id\": \"cus_p\",\n  \"createdAt\": \"2024-01-01T00:00:00Z\"\n}\n{\n  \"id\": \"cus_q\",\n  \"createdAt\": ,\n}\n";
    let report = import_text(&mut s, text, &opts(true));
    assert_eq!(report.customers, 1);
    let got = messages(&report);
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with("line 7: not valid JSON"), "{got:?}");
}

#[test]
fn import_is_audited_with_counts_only() {
    let s = rich_store();
    let (targets, counts, outcome): (String, String, String) = s
        .read()
        .query_row(
            "SELECT targets, counts, outcome FROM audit_log WHERE action = 'import'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(targets, "[]");
    assert_eq!(counts, r#"{"customers":4,"invalid_lines":0,"items":18}"#);
    assert_eq!(outcome, "ok");
}

#[test]
fn prepare_normalises_emails_and_phones() {
    let mut doc: CustomerDoc = serde_json::from_value(json!({
        "id": "cus_n", "createdAt": "2024-01-01T00:00:00Z",
        "lastContactAt": "2030-01-01T00:00:00Z",
        "emails": [{"original": "  Jo.Doe@Example.COM "}],
        "phones": [
            {"original": "(415) 555-0100"},
            {"original": "020 7946 0958", "normalized": "+442079460958"},
            {"original": "ask reception"}
        ]
    }))
    .unwrap();
    import::prepare(&mut doc).unwrap();
    assert_eq!(
        doc.emails[0].normalized.as_deref(),
        Some("jo.doe@example.com")
    );
    let phones: Vec<Option<&str>> = doc.phones.iter().map(|p| p.normalized.as_deref()).collect();
    assert_eq!(phones, [Some("+14155550100"), Some("+442079460958"), None]);
    assert_eq!(doc.last_contact_at, None);
}

// ---- find ----

fn find(cli: &Cli, args: &[&str]) -> Vec<String> {
    let mut all = vec!["find"];
    all.extend_from_slice(args);
    let out = cli.run(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert!(p.get("conversations").is_none() && p.get("orders").is_none());
            assert!(p.get("appData").is_none());
            p["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn find_by_every_key() {
    let cli = Cli::with_rich();
    assert_eq!(
        find(&cli, &["--email", "MARTHA.W@example.com"]),
        ["cus_rich"]
    );
    assert_eq!(find(&cli, &["--phone", "+1 (415) 555-0100"]), ["cus_rich"]);
    assert_eq!(find(&cli, &["--phone", "415.555.0100"]), ["cus_rich"]);
    assert_eq!(find(&cli, &["--phone", "+44 20 7946 0958"]), ["cus_rich"]);
    assert_eq!(
        find(&cli, &["--external-id", "sf-0035e00000abcde"]),
        ["cus_rich"]
    );
    assert_eq!(
        find(&cli, &["--external-id", "0035e00000AbCdE"]),
        ["cus_rich"]
    );
    assert_eq!(find(&cli, &["--name", "martha  williams"]), ["cus_rich"]);
    assert_eq!(find(&cli, &["--id", "cus_rich"]), ["cus_rich"]);
    let mut shared = find(&cli, &["--email", "shared@example.com"]);
    shared.sort();
    assert_eq!(shared, ["cus_dup_a", "cus_dup_b"]);
    // A deleted profile has no search keys.
    assert!(find(&cli, &["--id", "cus_gone"]).is_empty());
    let none = cli.run(&["find", "--email", "nobody@example.com"]);
    assert!(none.status.success());
    assert_eq!(stdout(&none), "[]\n");
}

#[test]
fn find_prints_profile_fields() {
    let cli = Cli::with_rich();
    let out = cli.run(&["find", "--phone", "+14155550100"]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let p = &v[0];
    assert_eq!(p["name"], "Martha Williams");
    assert_eq!(p["phones"][0]["normalized"], "+14155550100");
    assert_eq!(p["customAttributes"]["tier"], "gold");
    assert!(stdout(&out).starts_with("[\n  {\n"), "pretty-printed");
}

#[test]
fn find_rejects_an_unreadable_phone() {
    let cli = Cli::with_rich();
    let out = cli.run(&["find", "--phone", "call me maybe"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("is not a phone number"),
        "{}",
        stderr(&out)
    );
}

// ---- databases and files that are wrong ----

#[test]
fn import_creates_the_database_but_not_for_a_missing_input() {
    let cli = Cli::new();
    let out = cli.run(&["import", cli.path("nope.jsonl").to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("nope.jsonl cannot be read"),
        "{}",
        stderr(&out)
    );
    assert!(!cli.db().exists());
    let out = cli.run(&["import", fixture("rich.jsonl").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(cli.db().exists());
}

#[test]
fn export_and_find_need_an_existing_database() {
    let cli = Cli::new();
    let target = cli.path("out.json");
    for args in [
        vec![
            "export",
            "--customer",
            "cus_rich",
            "-o",
            target.to_str().unwrap(),
        ],
        vec!["find", "--email", "a@example.com"],
    ] {
        let out = cli.run(&args);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(err.contains("does not exist"), "{err}");
        assert_eq!(err.lines().count(), 1);
    }
    assert!(!cli.db().exists() && !target.exists());
}

#[test]
fn a_file_that_is_not_sqlite_is_named() {
    let cli = Cli::new();
    std::fs::write(cli.db(), "just some notes, not a database\n".repeat(200)).unwrap();
    for args in [
        vec!["find", "--id", "cus_rich"],
        vec!["import", fixture("rich.jsonl").to_str().unwrap()],
        vec!["export", "--customer", "cus_rich"],
    ] {
        let out = cli.run(&args);
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains("is not a SQLite database"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn a_read_only_database_is_named() {
    let cli = Cli::with_rich();
    let mut perms = std::fs::metadata(cli.db()).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(cli.db(), perms).unwrap();
    let out = cli.run(&["import", fixture("mixed.jsonl").to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("cannot be written"), "{err}");
    assert!(!err.contains("panicked"));
}

/// A national phone number on a profile is read in the customer's country
/// (their first address's), else the account's region, else North
/// America; the search box reads what is typed in the account's region.
#[test]
fn national_phone_numbers_are_read_in_the_customer_s_country() {
    let mut store = Store::open_in_memory().unwrap();
    let o = ImportOptions {
        phone_region: Some("GB".into()),
        ..opts(false)
    };
    let docs = [
        json!({"id": "cus_tokyo", "createdAt": "2024-01-01T00:00:00Z",
               "addresses": [{"city": "Tokyo", "country": "JP"}],
               "phones": [{"original": "090-1234-5678"}]}),
        json!({"id": "cus_london", "createdAt": "2024-01-01T00:00:00Z",
               "phones": [{"original": "020 7946 0607"}]}),
    ];
    let report = import_docs(&mut store, &docs, &o);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let phone = |id: &str| {
        let doc = lethe::store::customers::load(&store.read(), id, false)
            .unwrap()
            .unwrap();
        doc.phones[0].normalized.clone()
    };
    assert_eq!(phone("cus_tokyo").as_deref(), Some("+819012345678"));
    assert_eq!(phone("cus_london").as_deref(), Some("+442079460607"));
    // Typed as a Londoner would, with the account's region set.
    store
        .write(|tx| lethe::store::set_setting(tx, lethe::triage::PHONE_REGION, "GB"))
        .unwrap();
    let hits = lethe::search::prefix(&store.read(), "020 7946", 10).unwrap();
    assert_eq!(
        hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
        ["cus_london"]
    );
}
