//! What scripts rely on: exit statuses that tell "not done" from "done"
//! and from "failed", no customer text that can drive the terminal, quiet
//! ends on closed pipes, scans that never pass over an item silently, and
//! receipts that anchor the audit trail.

mod common;
mod support;

use std::io::Read;
use std::process::{Command, Stdio};

use serde_json::json;
use support::{TestDb, OWNER};

/// A database with the console fixtures (Martha, her duplicate with an
/// OPEN conversation, Mallory's hostile text, a nameless profile) and an
/// email whose subject carries a bidi override.
fn fixtures() -> TestDb {
    let db = TestDb::new();
    let mut store = db.store();
    common::fill(&mut store);
    common::insert(
        &mut store,
        &[common::doc(json!({
            "id": "cus_bidi", "name": "Bidi Sender", "createdAt": "2024-01-01T00:00:00Z",
            "emails": [{"original": "bidi@example.org"}],
            "conversations": [{"id": "cv_bidi", "status": "CLOSED", "createdAt": "2024-02-01T00:00:00Z",
                "items": [{"id": "it_bidi", "timestamp": "2024-02-01T00:00:00Z",
                    "initiator": {"type": "CUSTOMER", "id": "cus_bidi"},
                    "content": {"type": "EMAIL", "subject": "Invoice \u{202e}fdp.exe",
                        "from": "bidi@example.org", "to": ["support@example.com"],
                        "content": "See attached"}}]}]
        }))],
    );
    db
}

/// Exit status 3 when something asked for was not done; 0 when all was.
#[test]
fn a_blocked_or_unknown_profile_exits_3_and_a_deleted_one_0() {
    let db = fixtures();
    let blocked = db.run(OWNER, &["delete", "--customer", "cus_martha2", "--yes"]);
    assert_eq!(blocked.code, 3, "{blocked:?}");
    assert!(
        blocked.stderr.contains("blocked: cus_martha2"),
        "{blocked:?}"
    );
    assert!(blocked.stderr.contains("were not deleted"), "{blocked:?}");

    let unknown = db.run(OWNER, &["delete", "--customer", "cus_nobody", "--yes"]);
    assert_eq!(unknown.code, 3, "{unknown:?}");

    // One deleted and one blocked: still not all that was asked.
    let mixed = db.run(
        OWNER,
        &[
            "delete",
            "--customer",
            "cus_anon",
            "--customer",
            "cus_martha2",
            "--yes",
        ],
    );
    assert_eq!(mixed.code, 3, "{mixed:?}");

    let done = db.run(OWNER, &["delete", "--customer", "cus_mallory", "--yes"]);
    assert_eq!(done.code, 0, "{done:?}");
    // Asking again for what is already gone is no failure.
    let again = db.run(OWNER, &["delete", "--customer", "cus_mallory", "--yes"]);
    assert_eq!(again.code, 0, "{again:?}");
}

#[test]
fn delete_item_and_redact_exit_3_for_an_unknown_item() {
    let db = fixtures();
    let item = db.run(OWNER, &["delete-item", "--item", "it_nothing", "--yes"]);
    assert_eq!(item.code, 3, "{item:?}");
    let redact = db.run(OWNER, &["redact", "--item", "it_nothing", "--yes"]);
    assert_eq!(redact.code, 3, "{redact:?}");
    // Deleting an item twice: the second finds it gone, which is no failure.
    let first = db.run(OWNER, &["delete-item", "--item", "it_bidi", "--yes"]);
    assert_eq!(first.code, 0, "{first:?}");
    // The audit head after its entry, to keep as an anchor.
    assert!(first.stdout.contains("Audit entry "), "{first:?}");
    assert!(first.stdout.contains(", head "), "{first:?}");
    let again = db.run(OWNER, &["delete-item", "--item", "it_bidi", "--yes"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stderr.contains("already deleted"), "{again:?}");
}

/// The delete-item preview quotes the subject through the console's
/// sanitizer: the override never reaches the terminal.
#[test]
fn the_delete_item_prompt_strips_bidi_overrides() {
    let db = fixtures();
    let run = db.run(OWNER, &["delete-item", "--item", "it_bidi", "--yes"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("Invoice"), "{run:?}");
    for s in [&run.stderr, &run.stdout] {
        assert!(!s.contains('\u{202e}'), "{s}");
        assert!(!s.contains('\u{1b}'), "{s}");
    }
    let hostile = db.run(OWNER, &["delete-item", "--item", "it_30", "--yes"]);
    assert_eq!(hostile.code, 0, "{hostile:?}");
    assert!(!hostile.stderr.contains('\u{202e}'), "{}", hostile.stderr);
    assert!(!hostile.stderr.contains('\u{1b}'), "{}", hostile.stderr);
}

/// A closed pipe ends a command quietly with SIGPIPE's conventional
/// status: no message, no panic.
#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pipe.db");
    let made = Command::new(env!("CARGO_BIN_EXE_lethe"))
        .args(["--db", db.to_str().unwrap(), "demo", "--customers", "300"])
        .env("SUDO_USER", "root")
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    // Enough requests that their JSON list fills the pipe.
    let csv = dir.path().join("requests.csv");
    let mut rows =
        String::from("type,regulation,email,phone,external_id,customer_id,received,note\n");
    for i in 0..1500 {
        rows += &format!("erasure,gdpr,person{i}@pipe.example,,,,2026-11-01,\n");
    }
    std::fs::write(&csv, rows).unwrap();
    let imported = Command::new(env!("CARGO_BIN_EXE_lethe"))
        .args(["--db", db.to_str().unwrap(), "request", "import"])
        .arg(&csv)
        .env("SUDO_USER", "root")
        .output()
        .unwrap();
    assert!(imported.status.success(), "{imported:?}");
    for args in [
        &["report", "contacts"][..],
        &["request", "list", "--json", "--all"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lethe"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("SUDO_USER", "root")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read a little, then close the pipe, as `head -c 10` would.
        let mut out = child.stdout.take().unwrap();
        let mut first = [0u8; 10];
        let _ = out.read(&mut first);
        drop(out);
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
        // The output did not fit the pipe, so the process met it closed.
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(13), "{args:?}: {status:?} {err}");
    }
}

/// An item whose text is not valid UTF-8 (written by another program) is
/// scanned, not passed over: its card number is found, and the scan says
/// that it read such an item.
#[test]
fn a_scan_reads_text_that_is_not_utf8_and_says_so() {
    let db = fixtures();
    {
        let store = db.store();
        store
            .read()
            .execute(
                "UPDATE items SET body = CAST(?1 AS TEXT) WHERE id = 'it_30'",
                [b"bad \xff\xfe byte, card 4111 1111 1111 1111 here".to_vec()],
            )
            .unwrap();
    }
    let run = db.run(OWNER, &["scan"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("not valid UTF-8"), "{run:?}");
    let store = db.store();
    let cards: i64 = store
        .read()
        .query_row(
            "SELECT count(*) FROM pii_findings WHERE item_id = 'it_30' AND kind = 'card'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(cards, 1, "the card in the item was found");
    drop(store);
    // And it can be redacted like any other.
    let redact = db.run(OWNER, &["redact", "--item", "it_30", "--yes"]);
    assert_eq!(redact.code, 0, "{redact:?}");
    assert!(redact.stdout.contains("Verified"), "{redact:?}");
}

/// A receipt records the audit head after its own entry; `audit verify`
/// prints the head it reached, and a saved receipt later proves that the
/// newest entries were cut off.
#[test]
fn a_receipt_anchors_the_audit_trail() {
    let db = fixtures();
    let run = db.run(OWNER, &["delete", "--customer", "cus_anon", "--yes"]);
    assert_eq!(run.code, 0, "{run:?}");
    let receipt: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    let hash = receipt["audit_head"]["hash"]
        .as_str()
        .expect("audit_head")
        .to_string();
    let path = db.path.with_file_name("receipt.json");
    std::fs::write(&path, run.stdout.trim()).unwrap();

    let verify = db.run(OWNER, &["audit", "verify"]);
    assert_eq!(verify.code, 0, "{verify:?}");
    assert!(verify.stdout.contains("head "), "{verify:?}");
    let ok = db.run(
        OWNER,
        &["audit", "verify", "--receipt", path.to_str().unwrap()],
    );
    assert_eq!(ok.code, 0, "{ok:?}");

    // Someone with write access to the file cuts the newest entries.
    {
        let store = db.store();
        let seq: i64 = store
            .read()
            .query_row("SELECT seq FROM audit_log WHERE hash = ?1", [&hash], |r| {
                r.get(0)
            })
            .unwrap();
        // The trigger only guards against mistakes: whoever can write the
        // file can drop it.
        store
            .read()
            .execute_batch("DROP TRIGGER audit_log_no_delete")
            .unwrap();
        store
            .read()
            .execute("DELETE FROM audit_log WHERE seq >= ?1", [seq])
            .unwrap();
    }
    let plain = db.run(OWNER, &["audit", "verify"]);
    assert_eq!(plain.code, 0, "a shorter chain is still whole: {plain:?}");
    let anchored = db.run(
        OWNER,
        &["audit", "verify", "--receipt", path.to_str().unwrap()],
    );
    assert_ne!(anchored.code, 0, "{anchored:?}");
    assert!(
        anchored.stderr.contains("does not contain head"),
        "{anchored:?}"
    );
}

/// The database's own files are never taken as a command's input or
/// output: writing one would destroy the data, and reading one beside an
/// open connection drops SQLite's locks when it is closed.
#[test]
fn the_database_s_own_files_are_refused_as_inputs_and_outputs() {
    let db = fixtures();
    let path = db.path.to_str().unwrap().to_string();
    let wal = format!("{path}-wal");
    let before = std::fs::read(&db.path).unwrap();
    for args in [
        vec!["export", "--customer", "cus_anon", "-o", &path],
        vec!["report", "contacts", "-o", &path],
        vec!["report", "contacts", "-o", &wal],
        vec![
            "delete",
            "--customer",
            "cus_anon",
            "--yes",
            "--receipts",
            &path,
        ],
        vec!["import", &path],
    ] {
        let run = db.run(OWNER, &args);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains("choose another path"),
            "{args:?}: {run:?}"
        );
    }
    assert_eq!(
        std::fs::read(&db.path).unwrap(),
        before,
        "the database is untouched"
    );
    // Nothing was deleted or exported either.
    let store = db.store();
    let live: bool = store
        .read()
        .query_row(
            "SELECT deleted_at IS NULL FROM customers WHERE id = 'cus_anon'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(live);
}

/// `find --name` matches the starts of the name's words, in any order,
/// ignoring case and accents, as the console's search does; `--phone`
/// reads the `00` prefix and the `(0)` trunk digit.
#[test]
fn find_matches_first_names_surnames_and_phones_as_written() {
    let db = TestDb::new();
    let mut store = db.store();
    common::insert(
        &mut store,
        &[common::doc(json!({
            "id": "cus_amelie", "name": "Amélie Girard", "createdAt": "2024-01-01T00:00:00Z",
            "phones": [{"original": "+44 161 496 0350"}]
        }))],
    );
    drop(store);
    for args in [
        ["find", "--name", "amelie"],
        ["find", "--name", "Girard"],
        ["find", "--name", "gir AMÉ"],
        ["find", "--phone", "0044 161 496 0350"],
        ["find", "--phone", "+44 (0)161 496 0350"],
    ] {
        let out = db.run(OWNER, &args);
        assert_eq!(out.code, 0, "{args:?}: {out:?}");
        let found: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let ids: Vec<&str> = found
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["id"].as_str())
            .collect();
        assert_eq!(ids, ["cus_amelie"], "{args:?}");
    }
    let none = db.run(OWNER, &["find", "--name", "melie"]);
    assert_eq!(none.stdout.trim(), "[]", "{none:?}");
}

/// `lethe init` makes an empty database with its user as first compliance
/// admin, and refuses a file that already holds one; a command on a
/// default path that does not exist names `init`, and the demo database
/// when `lethe --demo` made one.
#[test]
fn init_makes_an_empty_database_and_missing_ones_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let db_arg = db.to_str().unwrap();
    let made = support::lethe_as(OWNER, &["init", "--db", db_arg]);
    assert_eq!(made.code, 0, "{made:?}");
    assert!(made.stdout.contains("first compliance admin"), "{made:?}");
    let ops = support::lethe_as(OWNER, &["operators", "list", "--db", db_arg]);
    assert!(ops.stdout.contains(OWNER), "{ops:?}");
    assert!(ops.stdout.contains("compliance_admin"), "{ops:?}");
    let again = support::lethe_as(OWNER, &["init", "--db", db_arg]);
    assert_ne!(again.code, 0, "{again:?}");
    assert!(again.stderr.contains("already exists"), "{again:?}");

    let missing = dir.path().join("missing.db");
    let none = support::lethe_as(
        OWNER,
        &["retention", "show", "--db", missing.to_str().unwrap()],
    );
    assert!(none.stderr.contains("lethe init --db"), "{none:?}");

    // The default path after `--demo`: the demo database is named.
    let data = dir.path().join("data");
    let demo = data.join("lethe/demo.db");
    let made = support::lethe_as(OWNER, &["init", "--db", demo.to_str().unwrap()]);
    assert_eq!(made.code, 0, "{made:?}");
    let out = Command::new(env!("CARGO_BIN_EXE_lethe"))
        .args(["retention", "show"])
        .env("SUDO_USER", OWNER)
        .env_remove("LETHE_DB")
        .env("XDG_DATA_HOME", &data)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("lethe init --db"), "{err}");
    assert!(err.contains(&format!("--db {}", demo.display())), "{err}");
}

/// Every report a script reads comes as JSON when asked: each output
/// below parses, and holds what the text form says.
#[test]
fn every_json_output_parses() {
    let db = TestDb::new();
    let mut store = db.store();
    common::fill_with_findings(&mut store);
    drop(store);
    let json = |args: &[&str]| -> serde_json::Value {
        let out = db.run(OWNER, args);
        assert_eq!(out.code, 0, "{args:?}: {out:?}");
        serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", out.stdout))
    };
    let lines = |args: &[&str]| -> Vec<serde_json::Value> {
        let out = db.run(OWNER, args);
        assert_eq!(out.code, 0, "{args:?}: {out:?}");
        out.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{args:?}: {e}: {l}")))
            .collect()
    };

    let scan = json(&["scan", "--json"]);
    let findings = scan["findings"].as_array().unwrap();
    assert!(!findings.is_empty(), "{scan}");
    for f in findings {
        for key in ["item_id", "kind", "preview", "confidence", "finding_id"] {
            assert!(!f[key].is_null(), "{key} missing in {f}");
        }
    }
    assert!(scan["open"]["card"].as_u64().unwrap() > 0, "{scan}");

    let shown = json(&["retention", "show", "--json"]);
    assert_eq!(shown["policy"]["kind"], "default", "{shown}");
    let set = db.run(
        OWNER,
        &["retention", "set", "--days", "365", "--i-understand"],
    );
    assert_eq!(set.code, 0, "{set:?}");
    let shown = json(&["retention", "show", "--json"]);
    assert_eq!(shown["policy"]["days"], 365, "{shown}");
    assert!(shown["preview"]["due_now"].is_number(), "{shown}");
    let dry = json(&["retention", "run", "--dry-run", "--json"]);
    assert_eq!(dry["dry_run"], true, "{dry}");
    assert!(dry["would_delete"].is_array(), "{dry}");

    let preview = lines(&["delete", "--customer", "cus_anon", "--dry-run", "--json"]);
    assert_eq!(preview[0]["customer_id"], "cus_anon");
    assert_eq!(preview[0]["would_delete"], true);
    assert_eq!(preview.last().unwrap()["summary"]["would_delete"], 1);
    let deleted = lines(&["delete", "--customer", "cus_anon", "--yes", "--json"]);
    assert_eq!(deleted[0]["customer_id"], "cus_anon", "{deleted:?}");

    let add = db.run(
        OWNER,
        &[
            "request",
            "add",
            "--type",
            "erasure",
            "--email",
            "mallory@example.net",
        ],
    );
    assert_eq!(add.code, 0, "{add:?}");
    let list = json(&["request", "list", "--json"]);
    let id = list[0]["id"].as_i64().unwrap().to_string();
    let request = json(&["request", "show", &id, "--json"]);
    assert_eq!(request["request"]["id"].to_string(), id, "{request}");
    assert!(request["matches"].is_array(), "{request}");

    for report in ["contacts", "conversations"] {
        let rows = lines(&["report", report, "--format", "jsonl"]);
        assert!(!rows.is_empty());
        assert!(
            rows.iter().all(|r| r["customer_id"].is_string()),
            "{rows:?}"
        );
        assert!(
            rows.iter().all(|r| r["customer_deleted"].is_boolean()),
            "{report}"
        );
    }
    let bad = db.run(OWNER, &["report", "contacts", "--format", "xml"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(
        bad.stderr.contains("possible values: csv, jsonl"),
        "{bad:?}"
    );

    // redact --dry-run lists and changes nothing.
    let item = findings[0]["item_id"].as_str().unwrap().to_string();
    let before = db.snapshot();
    let dry = db.run(OWNER, &["redact", "--item", &item, "--dry-run"]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(dry.stdout.contains("nothing was redacted"), "{dry:?}");
    assert_eq!(db.snapshot(), before);
}

/// Completions and the manual page come from the command definitions and
/// need no database.
#[test]
fn completions_and_the_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = support::lethe_as(OWNER, &["completions", shell, "--db", "/nonexistent/x.db"]);
        assert_eq!(out.code, 0, "{shell}: {out:?}");
        for word in ["retention", "request", "save-dir"] {
            assert!(out.stdout.contains(word), "{shell} lacks {word}");
        }
    }
    let man = support::lethe_as(OWNER, &["man"]);
    assert_eq!(man.code, 0, "{man:?}");
    assert!(man.stdout.contains(".TH lethe 1"), "{}", man.stdout);
    assert!(man.stdout.contains("retention"), "{}", man.stdout);
    let bad = support::lethe_as(OWNER, &["completions", "tcsh"]);
    assert_eq!(bad.code, 2, "{bad:?}");
}
