//! The real binary in an 80x24 pseudo-terminal, read back through a vt100
//! parser: what an admin over SSH would see.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lethe::store::Store;
use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

struct Session {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    reader: Option<std::thread::JoinHandle<()>>,
    _master: Box<dyn MasterPty + Send>,
}

impl Session {
    fn spawn(db: &Path, user: &str, cwd: &Path) -> Session {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_lethe"));
        cmd.arg("--db");
        cmd.arg(db);
        cmd.cwd(cwd);
        cmd.env("TERM", "xterm-256color");
        // Identity comes from the OS; the tests run as root (or as the
        // database's owner), for which Lethe honours SUDO_USER.
        cmd.env("USER", user);
        cmd.env("SUDO_USER", user);
        cmd.env("LETHE_NOW", common::NOW);
        // Saved copies go under the data directory: keep it in the test's.
        cmd.env("XDG_DATA_HOME", cwd.join("data"));
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let feed = parser.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().unwrap();
        Session {
            parser,
            writer,
            child,
            reader: Some(reader),
            _master: pair.master,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Esc on its own: followed at once by another key, a terminal would
    /// read the pair as Alt+key.
    fn esc(&mut self) {
        self.send("\x1b");
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Waits until `text` is on the screen; panics with the screen if not.
    fn wait_for(&self, text: &str, timeout: Duration) {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "{text:?} did not appear within {timeout:?}; the screen:\n{}",
            self.screen()
        );
    }

    /// Waits for the process to end, returning whether it succeeded.
    fn wait_exit(&mut self, timeout: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader take in the last bytes the console wrote.
                if let Some(r) = self.reader.take() {
                    let _ = r.join();
                }
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("the console did not exit; the screen:\n{}", self.screen());
    }
}

const T: Duration = Duration::from_secs(10);

/// Runs `lethe --db DB ARGS` as the admin at the fixtures' time, beside
/// any console, and requires it to succeed.
fn cli(db: &Path, args: &[&str]) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lethe"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("USER", common::ADMIN)
        .env("SUDO_USER", common::ADMIN)
        .env("LETHE_NOW", common::NOW)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "lethe {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn fixture_db(dir: &Path) -> PathBuf {
    let path = dir.join("lethe.db");
    let mut store = Store::create(&path).unwrap();
    common::fill(&mut store);
    path
}

#[test]
fn search_open_a_customer_and_read_an_item() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut s = Session::spawn(&db, common::ADMIN, dir.path());
    s.wait_for("Search", T);
    s.send("williams");
    s.wait_for("Martha Williams", T);
    s.send("\r");
    s.send("\r");
    s.wait_for("Timeline", T);
    s.wait_for("Delivery", T);
    // Header, deleted item, header, then the first chat message.
    s.send("jjj\r");
    s.wait_for("item it_01", T);
    s.wait_for("arrived broken", T);
    s.esc();
    s.send("q");
    assert!(s.wait_exit(T));
    assert!(
        !s.parser.lock().unwrap().screen().alternate_screen(),
        "the alternate screen was not left"
    );
}

/// Enter opens the only match; Esc backs out to the results and never
/// into the search box, so `q` then quits instead of being typed.
#[test]
fn enter_opens_the_only_match_and_esc_then_q_quits_from_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut s = Session::spawn(&db, common::ADMIN, dir.path());
    s.wait_for("Search", T);
    s.send("mallory");
    s.wait_for("1 customer", T);
    s.send("\r");
    s.wait_for("Timeline", T);
    s.wait_for("cus_mallory", T);
    s.esc();
    s.wait_for("1 customer", T);
    s.esc();
    s.send("q");
    assert!(s.wait_exit(T), "q did not quit: {}", s.screen());
}

/// A saved copy goes to the private save directory under the data
/// directory, never the current one, and the status bar shows its full
/// path.
#[test]
fn a_saved_copy_goes_to_the_private_save_directory_and_its_path_shows() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut s = Session::spawn(&db, common::ADMIN, dir.path());
    s.wait_for("Search", T);
    s.send("williams");
    s.wait_for("Martha Williams", T);
    s.send("\r");
    s.wait_for("Timeline", T);
    // The call with rec_1 is the 9th row.
    s.send("jjjjjjjjs");
    s.wait_for("recording-rec_1.mp3", T);
    let saved = dir.path().join("data/lethe/saved");
    let file = saved.join("recording-rec_1.mp3");
    assert!(file.exists(), "{}", s.screen());
    assert!(!dir.path().join("recording-rec_1.mp3").exists());
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&saved), 0o700);
    assert_eq!(mode(&file), 0o600);
    let screen: String = s.screen().split_whitespace().collect();
    let path: String = file.display().to_string().split_whitespace().collect();
    assert!(screen.contains(&path), "{}", s.screen());
    s.send("q");
    assert!(s.wait_exit(T));
}

/// A sweep that leaves more blocked profiles than fit at 80x24 lists
/// them with a count, and PgDn scrolls to the last.
#[test]
fn a_sweep_s_blocked_list_scrolls() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut store = Store::open(&db).unwrap();
    let dormant: Vec<_> = (1..=14)
        .map(|i| {
            common::doc(serde_json::json!({
                "id": format!("cus_held{i:02}"), "createdAt": "2020-01-01T00:00:00Z",
                "conversations": [{"id": format!("cv_held{i:02}"), "status": "OPEN",
                    "createdAt": "2020-02-01T00:00:00Z",
                    "items": [{"id": format!("it_held{i:02}"), "timestamp": "2020-02-01T00:00:00Z",
                        "initiator": {"type": "CUSTOMER", "id": format!("cus_held{i:02}")},
                        "content": {"type": "CHAT_MESSAGE", "content": "Still waiting"}}]}]
            }))
        })
        .collect();
    common::insert(&mut store, &dormant);
    drop(store);
    cli(
        &db,
        &["retention", "set", "--days", "365", "--i-understand"],
    );
    let mut s = Session::spawn(&db, common::ADMIN, dir.path());
    s.wait_for("Search", T);
    s.esc();
    s.send("3");
    s.wait_for("Policy:", T);
    s.send("x");
    s.wait_for("Run a retention sweep now?", T);
    s.send("y");
    s.wait_for("Blocked by an open conversation: 14", T);
    assert!(s.screen().contains("cus_held01"), "{}", s.screen());
    assert!(!s.screen().contains("cus_held14"), "{}", s.screen());
    s.send("\x1b[6~\x1b[6~");
    s.wait_for("cus_held14", T);
    s.send("q");
    assert!(s.wait_exit(T));
}

/// A phone typed as a result row shows it, `0044` and all, finds the
/// customer, as `lethe find --phone` does.
#[test]
fn the_0044_phone_search_finds_the_customer() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut store = Store::open(&db).unwrap();
    common::insert(
        &mut store,
        &[common::doc(serde_json::json!({
            "id": "cus_uk", "name": "Harriet Oakes", "createdAt": "2024-01-01T00:00:00Z",
            "phones": [{"original": "+44 161 496 0350"}]
        }))],
    );
    drop(store);
    let mut s = Session::spawn(&db, common::ADMIN, dir.path());
    s.wait_for("Search", T);
    s.send("0044 161 496 0350");
    s.wait_for("Harriet Oakes", T);
    s.esc();
    s.send("/");
    s.send(&"\x7f".repeat(17));
    s.wait_for("Press / and type to search", T);
    s.send("+44 (0)161 496");
    s.wait_for("Harriet Oakes", T);
    s.esc();
    s.send("q");
    assert!(s.wait_exit(T));
}

/// Quitting closes every connection the console opened, its search and
/// preview threads' included, so the last one to close copies the WAL
/// back and removes the `-wal` and `-shm` files: nothing is left next to
/// the database. (Before, the process often exited with those threads'
/// connections open, and the files stayed until the next open.)
#[test]
fn quitting_leaves_no_wal_or_shm_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    for round in 0..3 {
        let mut s = Session::spawn(&db, common::ADMIN, dir.path());
        s.wait_for("Search", T);
        s.send("mar");
        s.wait_for("Martha", T);
        s.esc();
        s.send("3");
        s.wait_for("Last sweep", T);
        s.send("je400");
        s.wait_for("Preview for 400 days", T);
        s.esc();
        s.send("q");
        assert!(s.wait_exit(T));
        for suffix in ["-wal", "-shm"] {
            let mut p = db.clone().into_os_string();
            p.push(suffix);
            assert!(
                !PathBuf::from(&p).exists(),
                "round {round}: {} is left after quitting",
                PathBuf::from(&p).display()
            );
        }
    }
}

#[test]
fn help_lists_every_key_and_q_types_in_the_search_box() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut s = Session::spawn(&db, common::ADMIN, dir.path());
    s.wait_for("Search", T);
    // In the search box, q is a letter, not quit.
    s.send("q");
    s.wait_for("No customer matches", T);
    s.esc();
    s.send("?");
    s.wait_for("Everywhere", T);
    s.wait_for("Search results (where you are)", T);
    s.esc();
    s.send("q");
    assert!(s.wait_exit(T));
    assert!(!s.parser.lock().unwrap().screen().alternate_screen());
}

#[test]
fn ctrl_c_quits_from_a_text_field_and_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut s = Session::spawn(&db, common::ADMIN, dir.path());
    s.wait_for("Search", T);
    s.send("mar");
    s.wait_for("Martha", T);
    s.send("\x03");
    assert!(s.wait_exit(T));
    assert!(!s.parser.lock().unwrap().screen().alternate_screen());
}

#[test]
fn a_viewer_gets_the_read_only_banner() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut s = Session::spawn(&db, common::VIEWER, dir.path());
    s.wait_for("READ-ONLY  bob is not an operator", T);
    s.send("\x03");
    assert!(s.wait_exit(T));
}

/// A console that opened Martha and deleted her first message with `d`
/// and `y`.
fn delete_marthas_first_message(db: &Path, dir: &Path) -> Session {
    let mut s = Session::spawn(db, common::ADMIN, dir);
    s.wait_for("Search", T);
    s.send("williams");
    s.wait_for("Martha Williams", T);
    s.send("\r\r");
    s.wait_for("Timeline", T);
    s.send("jjj");
    s.send("d");
    s.wait_for("Delete for good?", T);
    s.send("y");
    s.wait_for("Deleted 1 item", T);
    s
}

#[test]
fn deleting_an_item_leaves_the_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut s = delete_marthas_first_message(&db, dir.path());
    s.wait_for("This item has been deleted · 2024-08-01 12:00", T);
    s.send("q");
    assert!(s.wait_exit(T));
    // The content is gone from what `lethe export` says is held.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lethe"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "export",
            "--customer",
            "cus_martha",
        ])
        .env("SUDO_USER", common::ADMIN)
        .output()
        .unwrap();
    let export = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        export.contains("Sorry to hear that"),
        "the rest is still there"
    );
    assert!(
        !export.contains("Hello, my order #1234"),
        "the deleted message is not"
    );
}

/// The console deletes an item, which verifies the database files, and
/// keeps its SQLite locks; a CLI command then writes beside it, and the
/// console quits. The CLI's write survives, the file is intact and the
/// audit trail verifies. (When verification opened and closed the files
/// in the console's own process, its locks were gone after the first
/// deletion, the CLI removed `-wal` and `-shm` under it, and the console's
/// last checkpoint wrote older pages over the CLI's.)
#[test]
fn a_cli_write_beside_a_console_that_deleted_survives_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut s = delete_marthas_first_message(&db, dir.path());
    let pid = s.child.process_id().expect("the console's pid");
    common::assert_holds_locks(pid, &db, "after the console's deletion");

    let lethe = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_lethe"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("SUDO_USER", common::ADMIN)
            .env("LETHE_NOW", common::NOW)
            .output()
            .unwrap()
    };
    let set = lethe(&["retention", "set", "--days", "400", "--i-understand"]);
    assert!(set.status.success(), "{set:?}");
    let mut shm = db.clone().into_os_string();
    shm.push("-shm");
    assert!(
        PathBuf::from(&shm).exists(),
        "the CLI took the database for closed and removed -shm"
    );
    // The console reads and writes on after the CLI: another deletion.
    s.send("j");
    s.send("d");
    s.wait_for("Delete for good?", T);
    s.send("y");
    s.wait_for("Deleted 1 item", T);
    common::assert_holds_locks(pid, &db, "after the console's second deletion");
    s.send("q");
    assert!(s.wait_exit(T));

    let show = lethe(&["retention", "show"]);
    let out = String::from_utf8_lossy(&show.stdout);
    assert!(out.contains("400 days"), "the CLI's policy was lost: {out}");
    let store = Store::open(&db).unwrap();
    let ok: String = store
        .read()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    drop(store);
    let verify = lethe(&["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
}

/// `D` on a customer: the name typed to confirm, then the customer is no
/// longer found.
#[test]
fn deleting_a_profile_by_typing_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    let mut s = Session::spawn(&db, common::ADMIN, dir.path());
    s.wait_for("Search", T);
    s.send("williams");
    s.wait_for("Martha Williams", T);
    s.send("\r");
    s.send("D");
    s.wait_for("type the name \"Martha Williams\"", T);
    // A wrong name does nothing.
    s.send("Martha\r");
    s.wait_for("matches neither the name", T);
    s.send(" Williams\r");
    s.wait_for("Profile deleted", T);
    s.wait_for("Customer cus_martha was deleted", T);
    s.esc();
    s.send("/");
    s.send("\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7fwilliams");
    s.wait_for("No customer matches", T);
    s.send("\x03");
    assert!(s.wait_exit(T));
}

/// Intake on the command line, then the whole request in the console:
/// open it, run it, confirm, see it completed and the customer gone.
#[test]
fn an_erasure_request_from_intake_to_completed() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path());
    cli(
        &db,
        &[
            "request",
            "add",
            "--type",
            "erasure",
            "--email",
            "mallory@example.net",
        ],
    );
    let mut s = Session::spawn(&db, common::ADMIN, dir.path());
    s.wait_for("Search", T);
    s.esc();
    s.send("4");
    s.wait_for("email mallory@example", T);
    s.send("\r");
    s.wait_for("removes 1 name", T);
    s.send("x");
    s.wait_for("Run request 1?", T);
    s.send("y");
    s.wait_for("Request 1 completed.", T);
    s.wait_for("Status: completed", T);
    s.wait_for("erased cus_mallory", T);
    s.esc();
    s.send("/mallory");
    s.wait_for("No customer matches", T);
    s.send("\x03");
    assert!(s.wait_exit(T));
}

#[test]
fn five_keystrokes_clear_five_pasted_cards() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lethe.db");
    {
        let mut store = Store::create(&db).unwrap();
        common::fill_with_findings(&mut store);
    }
    let needles: Vec<Vec<u8>> = common::CARDS
        .iter()
        .flat_map(|c| [c.as_bytes().to_vec(), c.replace(' ', "").into_bytes()])
        .collect();
    // The search below would find them before the redactions.
    let before = lethe::store::forensic::scan(&db, &needles).unwrap();
    assert_eq!(before.values_found, 5, "{before:?}");
    let mut s = Session::spawn(&db, common::ADMIN, dir.path());
    s.wait_for("Search", T);
    s.esc();
    s.send("5");
    s.wait_for("Triage · 5 open", T);
    for left in (0..5).rev() {
        s.send("r");
        s.wait_for("Redact for good?", T);
        s.send("y");
        s.wait_for("Redacted 1 value in", T);
        if left > 0 {
            s.wait_for(&format!("Triage · {left} open"), T);
        }
    }
    s.wait_for("No open findings", T);
    s.send("q");
    assert!(s.wait_exit(T));
    // No database file holds the numbers any more, in any form.
    let scan = lethe::store::forensic::scan(&db, &needles).unwrap();
    assert_eq!(scan.values_found, 0, "{scan:?}");
    let store = Store::open(&db).unwrap();
    let redactions = lethe::audit::list(&store.read(), &Default::default(), 100)
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "redact")
        .count();
    assert_eq!(redactions, 5);
}

/// Not a test: writes the fixture database to $LETHE_FIXTURE_DB, to look at
/// the console by hand (`cargo test --test e2e -- --ignored write_fixture`).
#[test]
#[ignore = "tool"]
fn write_fixture_db() {
    let Some(path) = std::env::var_os("LETHE_FIXTURE_DB") else {
        return;
    };
    let mut store = Store::create(Path::new(&path)).unwrap();
    common::fill(&mut store);
    if std::env::var_os("LETHE_FIXTURE_REQUESTS").is_some() {
        common::fill_dormant(&mut store);
        common::fill_requests(&mut store);
    }
    if std::env::var_os("LETHE_FIXTURE_BIG").is_some() {
        common::insert(&mut store, &[common::big_customer(20_000)]);
    }
}
