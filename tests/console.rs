//! The console at 80x24 on TestBackend, driven by the keys a person
//! presses, with insta snapshots of what they see.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use lethe::access::Actor;
use lethe::session::{Clock, Session};
use lethe::store::Store;
use lethe::tui::action::{Action, Effect, PendingAction};
use lethe::tui::app::{self, App};
use lethe::tui::runtime::{Runtime, Searcher};
use lethe::tui::screens::{audit, customers, retention};
use lethe::tui::shell::{Modal, StatusKind};
use lethe::tui::theme::Theme;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

struct Console {
    rt: Runtime,
    term: Terminal<TestBackend>,
    _dir: tempfile::TempDir,
}

impl Console {
    fn open(user: &str, w: u16, h: u16) -> Console {
        let mut store = Store::open_in_memory().unwrap();
        common::fill(&mut store);
        Console::with_store(store, user, w, h)
    }

    fn with_store(store: Store, user: &str, w: u16, h: u16) -> Console {
        let actor = Actor::resolve(&store.read(), user).unwrap();
        let app = App::new(actor.clone(), Theme::PLAIN, (w, h));
        let dir = tempfile::tempdir().unwrap();
        let session = Session::new(store, actor, Clock::Wall);
        let rt = Runtime::new(app, session, Searcher::Inline, dir.path().to_path_buf());
        Console {
            rt,
            term: Terminal::new(TestBackend::new(w, h)).unwrap(),
            _dir: dir,
        }
    }

    /// Presses keys: plain characters, or `<Enter>`, `<Esc>`, `<Tab>`,
    /// `<Down>`, `<Up>`, `<PgDn>`, `<C-c>`.
    fn keys(&mut self, keys: &str) -> &mut Self {
        let mut rest = keys;
        while let Some(c) = rest.chars().next() {
            let (code, mods, len) = if c == '<' && rest.contains('>') {
                let end = rest.find('>').unwrap();
                let name = &rest[1..end];
                let code = match name {
                    "Enter" => KeyCode::Enter,
                    "Esc" => KeyCode::Esc,
                    "Tab" => KeyCode::Tab,
                    "Down" => KeyCode::Down,
                    "Up" => KeyCode::Up,
                    "PgDn" => KeyCode::PageDown,
                    "C-c" => KeyCode::Char('c'),
                    other => panic!("unknown key {other}"),
                };
                let mods = if name == "C-c" {
                    KeyModifiers::CONTROL
                } else {
                    KeyModifiers::NONE
                };
                (code, mods, end + 1)
            } else {
                let mods = if c.is_ascii_uppercase() {
                    KeyModifiers::SHIFT
                } else {
                    KeyModifiers::NONE
                };
                (KeyCode::Char(c), mods, c.len_utf8())
            };
            self.rt.key(KeyEvent::new(code, mods));
            rest = &rest[len..];
        }
        self
    }

    fn screen(&mut self) -> String {
        let rt = &self.rt;
        self.term.draw(|f| rt.draw(f)).unwrap();
        let buf = self.term.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            let mut skip = 0;
            for x in 0..buf.area.width {
                let sym = buf[(x, y)].symbol();
                if skip == 0 {
                    line.push_str(sym);
                }
                skip = (skip.max(unicode_width::UnicodeWidthStr::width(sym))).saturating_sub(1);
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    fn app(&mut self) -> &mut App {
        &mut self.rt.app
    }
}

fn admin() -> Console {
    Console::open(common::ADMIN, 80, 24)
}

/// Opens Martha's profile and timeline from the search box.
fn open_martha(c: &mut Console) {
    c.keys("williams<Enter><Enter>");
    assert!(c.app().customers.open.is_some(), "Martha did not open");
}

#[test]
fn search_lists_duplicates() {
    let mut c = admin();
    c.keys("martha.w@");
    let screen = c.screen();
    insta::assert_snapshot!("search_duplicates", screen);
    assert_eq!(c.app().customers.results.len(), 2);
    assert!(c.app().customers.duplicate.iter().all(|d| *d));
    // Phone numbers match in any formatting.
    let mut c = admin();
    c.keys("(415) 555-01");
    assert_eq!(c.app().customers.results[0].id, "cus_martha");
}

/// The screens of a scroll through the whole timeline, page by page.
fn scroll_screens(c: &mut Console, pages: usize) -> String {
    let mut all = c.screen();
    for _ in 0..pages {
        c.keys("jjjjj");
        all.push_str("--- 5 rows down ---\n");
        all.push_str(&c.screen());
    }
    all
}

#[test]
fn timeline_shows_every_item_type() {
    let mut c = admin();
    open_martha(&mut c);
    let screens = scroll_screens(&mut c, 3);
    for label in [
        "chat",
        "email 1/2",
        "email 2/2",
        "SMS",
        "call",
        "voicemail",
        "note",
        "Facebook",
        "Instagram",
        "WhatsApp",
        "app activity",
        "topic",
        "status",
    ] {
        assert!(screens.contains(label), "no {label} row");
    }
    insta::assert_snapshot!("timeline_every_type", screens);
}

#[test]
fn deleted_items_and_recordings_keep_their_place() {
    let mut c = admin();
    open_martha(&mut c);
    // The tombstone is the second row, under the first conversation.
    c.keys("j<Enter>");
    let screen = c.screen();
    insta::assert_snapshot!("tombstone", screen);
    assert!(screen.contains("This item has been deleted · 2024-07-15 08:30"));
    c.keys("<Esc>");
    // Deleting it again is refused with a reason, not a dialog.
    c.keys("d");
    assert!(c.app().shell.modals.is_empty());
    assert!(c.screen().contains("This item has already been deleted."));
    // The voicemail, 8 rows down, keeps its transcript; its recording is gone.
    c.keys("jjjjjjjj");
    let screen = c.screen();
    assert!(
        screen.contains("Recording has been deleted · 2024-07-20 10:00"),
        "{screen}"
    );
    assert!(screen.contains("please call me back"));
}

#[test]
fn hostile_text_never_reaches_the_terminal_raw() {
    let mut c = admin();
    c.keys("mallory<Enter><Enter>jj<Enter>");
    let screen = c.screen();
    insta::assert_snapshot!("hostile_message", screen);
    for bad in [
        '\u{1b}', '\u{7}', '\u{202e}', '\u{202c}', '\u{200b}', '\u{2066}',
    ] {
        assert!(!screen.contains(bad), "{bad:?} reached the screen");
    }
    assert!(screen.contains("␛[2J") && screen.contains("␛]52;c;"));
    // Every line is exactly 80 columns: wide characters did not shift the
    // border.
    for line in screen.lines().filter(|l| l.starts_with('│')) {
        assert_eq!(unicode_width::UnicodeWidthStr::width(line), 80, "{line}");
    }
}

fn item_target() -> lethe::erase::ItemTarget {
    lethe::erase::ItemTarget::Message {
        item_id: "it_01".into(),
    }
}

#[test]
fn the_confirm_dialog_says_what_goes_and_defaults_to_cancel() {
    let mut c = admin();
    open_martha(&mut c);
    c.keys("jjj");
    let preview = lethe::erase::ItemPreview {
        items: 1,
        attachments: 0,
        recordings: 0,
        lines: vec!["chat message it_01 of 2024-07-01 09:00 (52 characters)".into()],
    };
    c.rt.dispatch(customers::Msg::ItemPreviewed(
        item_target(),
        Ok(preview.clone()),
    ));
    insta::assert_snapshot!("confirm_dialog", c.screen());
    // Enter presses the focused button, which is Cancel.
    let effects = app::update(c.app(), Action::Submit);
    assert!(effects.is_empty(), "{effects:?}");
    assert!(c.app().shell.modals.is_empty());
    // y confirms, and only then is the deletion asked for.
    c.rt.dispatch(customers::Msg::ItemPreviewed(item_target(), Ok(preview)));
    let effects = app::update(c.app(), Action::Confirm);
    assert_eq!(
        effects,
        vec![Effect::Execute(PendingAction::DeleteItem(item_target()))]
    );
}

#[test]
fn an_item_with_files_offers_a_choice() {
    let mut c = admin();
    open_martha(&mut c);
    // Header, tombstone, header, chat, chat, then the email with damage.jpg.
    c.keys("jjjjj");
    let effects = app::update(c.app(), Action::DeleteItem);
    assert!(effects.is_empty());
    let Some(Modal::Menu(menu)) = c.app().shell.modals.last() else {
        panic!("no menu")
    };
    let labels: Vec<&str> = menu.choices.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        vec![
            "The whole email thread (2 messages, with their attachments)",
            "Attachment damage.jpg (image/jpeg, 47.1 KB)",
        ]
    );
    let effects = app::update(c.app(), Action::Submit);
    assert_eq!(
        effects,
        vec![Effect::Customers(customers::Io::PreviewItem(
            lethe::erase::ItemTarget::Thread {
                item_id: "it_03".into()
            }
        ))]
    );
}

#[test]
fn erase_errors_show_in_the_status_bar() {
    let mut c = admin();
    open_martha(&mut c);
    // Whatever the erase core answers reaches the admin, and no dialog opens.
    c.rt.dispatch(customers::Msg::ItemPreviewed(
        lethe::erase::ItemTarget::Message {
            item_id: "it_04".into(),
        },
        Err(lethe::Error::Invalid("item it_04 was already deleted on 2024-08-01".into()).into()),
    ));
    assert!(c.app().shell.modals.is_empty());
    let screen = c.screen();
    let last = screen.lines().last().unwrap();
    assert!(last.starts_with("Cannot delete this:"), "{last}");
    assert!(last.contains("already deleted"), "{last}");
}

/// The console carries the core's error, not its text: an item another
/// process deleted meanwhile is news, not a failure, and the timeline is
/// read again.
#[test]
fn an_item_deleted_meanwhile_reloads_the_timeline() {
    let mut c = admin();
    open_martha(&mut c);
    let gone = lethe::Error::AlreadyDeleted {
        what: "item",
        id: "it_04".into(),
        at: "2024-08-01 12:00".into(),
    };
    c.rt.dispatch(customers::Msg::ItemDeleted(Err(gone.into())));
    let last = status_lines(&c.screen());
    assert!(last.contains("already deleted"), "{last}");
    assert!(!last.contains("Nothing was deleted"), "{last}");
    let failed = lethe::Error::Invalid("disk full".into());
    c.rt.dispatch(customers::Msg::ItemDeleted(Err(failed.into())));
    let last = status_lines(&c.screen());
    assert!(last.contains("Nothing was deleted: disk full"), "{last}");
}

#[test]
fn deleting_a_profile_needs_the_name_typed() {
    let mut c = admin();
    c.keys("williams<Down>");
    let preview = lethe::erase::ProfilePreview {
        customer_id: "cus_martha".into(),
        name: Some("Martha Williams".into()),
        removes: vec![
            ("emails".into(), 2),
            ("phones".into(), 1),
            ("items".into(), 15),
            ("attachments".into(), 1),
            ("recordings".into(), 1),
        ],
        keeps: vec!["customer, conversation and item IDs, types and times, for reports".into()],
        blocked_by: None,
    };
    c.rt.dispatch(customers::Msg::ProfilePreviewed(Ok(preview)));
    c.keys("<Enter>");
    assert!(matches!(c.app().shell.modals.last(), Some(Modal::TypedConfirm(t)) if t.mismatch));
    c.keys("Martha Williams");
    insta::assert_snapshot!("profile_confirm", c.screen());
    let effects = app::update(c.app(), Action::Submit);
    assert_eq!(
        effects,
        vec![Effect::Execute(PendingAction::DeleteProfile {
            customer_id: "cus_martha".into()
        })]
    );
}

#[test]
fn open_work_blocks_profile_deletion_with_the_reason() {
    let mut c = admin();
    c.keys("martha w.<Enter>");
    let preview = lethe::erase::ProfilePreview {
        customer_id: "cus_martha2".into(),
        name: Some("Martha W.".into()),
        blocked_by: Some(("cv_open".into(), "OPEN".into())),
        ..Default::default()
    };
    c.rt.dispatch(customers::Msg::ProfilePreviewed(Ok(preview)));
    let screen = c.screen();
    assert!(
        screen.contains("conversation cv_open in status OPEN"),
        "{screen}"
    );
    assert!(!matches!(
        c.app().shell.modals.last(),
        Some(Modal::TypedConfirm(_))
    ));
}

#[test]
fn a_deleted_profile_leaves_the_results_and_offers_the_receipt() {
    let mut c = admin();
    c.keys("williams<Enter><Enter>");
    let receipt = lethe::erase::Receipt {
        customer_id: "cus_martha".into(),
        operator: "alice".into(),
        deleted_at: "2024-08-01T12:00:00.000Z".into(),
        reason: lethe::erase::Reason::Manual,
        removed: lethe::erase::Removed {
            emails: 2,
            items: 15,
            ..Default::default()
        },
        method: vec![],
        lethe_version: "test".into(),
        sqlite_version: "test".into(),
        checkpoint: lethe::store::Checkpoint {
            completed: true,
            attempts: 1,
        },
        verification: Some(lethe::store::forensic::Scan {
            files: vec![],
            bytes_scanned: 1,
            values_checked: 34,
            values_found: 0,
            sampled_from: None,
            profile_sample: None,
            compacted: true,
            free_space: Some(lethe::store::forensic::FreeSpace {
                pages: 40,
                btree_pages: 38,
                freelist_pages: 1,
                free_bytes: 52_000,
                ..Default::default()
            }),
        }),
        values_held_elsewhere: 0,
        audit_head: None,
        backups: vec![],
        ledger_warning: None,
    };
    c.rt.dispatch(customers::Msg::ProfileDeleted(
        "cus_martha".into(),
        Ok(Box::new(receipt)),
    ));
    assert!(c.app().customers.open.is_none());
    assert!(c
        .app()
        .customers
        .results
        .iter()
        .all(|r| r.id != "cus_martha"));
    let screen = c.screen();
    assert!(
        screen.contains("Verified after compacting the database: none of the 34"),
        "{screen}"
    );
    assert!(screen.contains("Removed: emails 2, items 15"), "{screen}");
    assert!(
        screen.contains("Deleted customer cus_martha; the receipt is open."),
        "{screen}"
    );
    c.keys("s");
    let saved = c.rt.save_dir.join("lethe-receipt-cus_martha.json");
    let json = std::fs::read_to_string(&saved).unwrap();
    assert!(json.contains("\"customer_id\": \"cus_martha\""));
    assert!(c.screen().contains("Receipt saved to"));
}

#[test]
fn the_help_screen_is_generated_from_the_keymap() {
    let mut c = admin();
    c.keys("<Esc>?");
    let screen = c.screen();
    insta::assert_snapshot!("help", screen);
    // Every binding of every layer is on the help screen somewhere.
    let mut all = String::new();
    for _ in 0..20 {
        all.push_str(&c.screen());
        c.keys("<PgDn>");
    }
    for ctx in lethe::tui::keymap::Context::ALL {
        for b in lethe::tui::keymap::bindings(ctx) {
            assert!(all.contains(b.desc), "help lacks {:?}: {}", ctx, b.desc);
        }
    }
}

#[test]
fn the_audit_screen_shows_the_chain_and_entries() {
    let mut c = admin();
    c.keys("<Esc>2");
    let row = |seq: i64, op: &str, action: &str, target: &str, outcome: &str| lethe::audit::Row {
        seq,
        at: format!("2024-07-{:02}T10:{:02}:00.000Z", 10 + seq, seq),
        operator: op.into(),
        action: action.into(),
        targets: vec![target.into()],
        counts: [("items".to_string(), 1)].into_iter().collect(),
        outcome: outcome.into(),
        hash: format!("{seq:064x}"),
    };
    let rows = vec![
        row(1, "alice", "delete-item", "it_00", "ok"),
        row(2, "bob", "delete-profile", "cus_martha", "refused"),
        row(3, "alice", "export", "rec_1", "ok"),
    ];
    let v = lethe::audit::Verification {
        entries: 3,
        head: "9f86d081884c7d65".into(),
        first_bad: None,
        problem: None,
    };
    c.rt.dispatch(audit::Msg::Loaded(Ok((rows, v))));
    c.keys("j");
    insta::assert_snapshot!("audit", c.screen());
    // Filtering: f, type, Enter asks for a reload with the filter.
    c.keys("fop=alice export<Enter>");
    assert_eq!(c.app().audit.filter.operator.as_deref(), Some("alice"));
    assert_eq!(c.app().audit.filter.action.as_deref(), Some("export"));
}

#[test]
fn a_viewer_gets_a_read_only_console() {
    let mut c = Console::open(common::VIEWER, 80, 24);
    open_martha(&mut c);
    c.keys("jjj");
    insta::assert_snapshot!("read_only", c.screen());
    // Forbidden actions are greyed out in the hints.
    let buf = c.term.backend().buffer().clone();
    let last = buf.area.height - 1;
    let line: String = (0..buf.area.width)
        .map(|x| buf[(x, last)].symbol().to_string())
        .collect();
    let at = line.find("delete item").unwrap() as u16;
    assert!(buf[(at, last)]
        .modifier
        .contains(ratatui::style::Modifier::DIM));
    let at = line.find("open item").unwrap() as u16;
    assert!(!buf[(at, last)]
        .modifier
        .contains(ratatui::style::Modifier::DIM));
    c.keys("d");
    let screen = c.screen();
    assert!(c.app().shell.modals.is_empty());
    assert!(
        screen.contains("bob is not an operator of this database"),
        "{screen}"
    );
    c.keys("D");
    assert!(c.app().shell.modals.is_empty());
}

#[test]
fn a_wide_terminal_shows_three_panes_side_by_side() {
    let mut c = Console::open(common::ADMIN, 200, 50);
    open_martha(&mut c);
    let screen = c.screen();
    let row = screen.lines().nth(1).unwrap();
    let s = row.find("Search").unwrap();
    let p = row.find("Profile").unwrap();
    let t = row.find("Timeline").unwrap();
    assert!(s < p && p < t, "{row}");
    // The full profile, not the summary.
    assert!(
        screen.contains("Addresses") && screen.contains("12 Elm Street"),
        "{screen}"
    );
    assert!(screen.contains("Refund for order 1234"));
}

#[test]
fn stale_search_results_never_overwrite_newer_ones() {
    use lethe::tui::action::SearchResponse;
    let mut c = admin();
    c.keys("mar");
    let newest = c.app().customers.search_gen;
    let old = SearchResponse {
        generation: newest - 1,
        query: "ma".into(),
        result: Ok(vec![]),
    };
    c.rt.dispatch(customers::Msg::SearchDone(old));
    assert!(
        !c.app().customers.results.is_empty(),
        "an older answer replaced the newer one"
    );
}

#[test]
fn saving_a_recording_writes_a_private_file_and_audits_it() {
    let mut c = admin();
    open_martha(&mut c);
    // The call with rec_1 is the 9th row.
    c.keys("jjjjjjjjs");
    let path = c.rt.save_dir.join("recording-rec_1.mp3");
    let bytes = std::fs::read(&path).unwrap_or_else(|_| panic!("{}", c.screen()));
    assert_eq!(&bytes[..3], b"ID3");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let exports: i64 =
        c.rt.session
            .read()
            .query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'export' AND operator = 'alice'",
                [],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(exports, 1);
    // A second copy never overwrites the first.
    c.keys("s");
    assert!(c.rt.save_dir.join("recording-rec_1 (1).mp3").exists());
    // A viewer may not.
    let mut v = Console::open(common::VIEWER, 80, 24);
    open_martha(&mut v);
    v.keys("jjjjjjjjs");
    assert!(!v.rt.save_dir.join("recording-rec_1.mp3").exists());
}

#[test]
fn twenty_thousand_items_scroll_without_reading_them_all() {
    let mut store = Store::open_in_memory().unwrap();
    common::fill(&mut store);
    common::insert(&mut store, &[common::big_customer(20_000)]);
    let mut c = Console::with_store(store, common::ADMIN, 80, 24);
    c.keys("big talker<Enter><Enter>");
    let start = std::time::Instant::now();
    c.keys("G");
    c.screen();
    for _ in 0..50 {
        c.keys("<PgDn>k");
    }
    let elapsed = start.elapsed();
    let o = c.app().customers.open.as_ref().unwrap();
    assert_eq!(o.timeline.len(), 20_020);
    assert!(
        o.timeline.cached_pages() <= 4,
        "{} pages read",
        o.timeline.cached_pages()
    );
    assert!(c.screen().contains("Message 999 of conversation 19"));
    eprintln!("jump to the end and 100 moves: {elapsed:?}");
    assert!(elapsed < std::time::Duration::from_secs(2), "{elapsed:?}");
}

#[test]
fn no_color_means_no_colour_and_colour_means_256_only() {
    use ratatui::style::Color;
    let mut c = admin();
    open_martha(&mut c);
    c.screen();
    let plain_ok = c
        .term
        .backend()
        .buffer()
        .content
        .iter()
        .all(|cell| cell.fg == Color::Reset && cell.bg == Color::Reset);
    assert!(plain_ok, "NO_COLOR output has colours");
    c.app().shell.theme = Theme::INDEXED;
    c.screen();
    let cells = &c.term.backend().buffer().content;
    assert!(cells
        .iter()
        .any(|cell| matches!(cell.fg, Color::Indexed(_))));
    assert!(cells
        .iter()
        .all(|cell| !matches!(cell.fg, Color::Rgb(..)) && !matches!(cell.bg, Color::Rgb(..))));
}

#[test]
fn resizing_keeps_the_console_usable() {
    let mut c = admin();
    open_martha(&mut c);
    c.term.backend_mut().resize(200, 50);
    c.rt.dispatch(Action::Resize(200, 50));
    assert!(c.screen().lines().nth(1).unwrap().contains("Profile"));
    c.term.backend_mut().resize(40, 12);
    c.rt.dispatch(Action::Resize(40, 12));
    c.screen();
    c.term.backend_mut().resize(80, 24);
    c.rt.dispatch(Action::Resize(80, 24));
    assert!(c.screen().contains("Timeline"));
}

/// The key tables of docs/CONSOLE.md, generated from the keymap.
fn keys_markdown() -> String {
    use lethe::tui::keymap::{bindings, Context};
    let mut out = String::new();
    for ctx in Context::ALL {
        out.push_str(&format!(
            "\n### {}\n\n| Key | Action |\n|---|---|\n",
            ctx.title()
        ));
        for b in bindings(ctx) {
            let needs = b
                .needs
                .map(|p| format!(" (needs the permission for {})", p.describe()))
                .unwrap_or_default();
            out.push_str(&format!(
                "| `{}` | {}{} |\n",
                b.label().replace('|', "\\|"),
                b.desc,
                needs
            ));
        }
    }
    out
}

/// The keys in the documentation are the keys in the code. Run with
/// LETHE_UPDATE_DOCS=1 to rewrite the generated part.
#[test]
fn the_documented_keys_are_the_real_ones() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/CONSOLE.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- keys:start -->\n", "<!-- keys:end -->");
    let a = doc.find(start).expect("start marker") + start.len();
    let b = doc.find(end).expect("end marker");
    let generated = keys_markdown();
    if std::env::var_os("LETHE_UPDATE_DOCS").is_some() {
        std::fs::write(
            &path,
            format!("{}{}\n{}", &doc[..a], generated.trim_start(), &doc[b..]),
        )
        .unwrap();
        return;
    }
    assert_eq!(
        doc[a..b].trim(),
        generated.trim(),
        "docs/CONSOLE.md is out of date; run with LETHE_UPDATE_DOCS=1"
    );
}

/// The fixtures plus dormant customers and a requests queue, at NOW.
fn compliance(user: &str) -> Console {
    let mut store = Store::open_in_memory().unwrap();
    common::fill(&mut store);
    common::fill_dormant(&mut store);
    common::fill_requests(&mut store);
    let mut c = Console::with_store(store, user, 80, 24);
    c.rt.session.set_clock(Clock::Fixed(common::now_ms()));
    c
}

fn policy(c: &Console) -> lethe::retention::Policy {
    lethe::retention::policy(&c.rt.session.read()).unwrap()
}

#[test]
fn retention_shows_the_default_policy() {
    let mut c = compliance(common::ADMIN);
    c.keys("<Esc>3");
    let screen = c.screen();
    insta::assert_snapshot!("retention_default", screen);
    assert!(screen.contains("Policy: Default: retain all customer data"));
    assert!(screen.contains("Last sweep: never run."));
}

#[test]
fn retention_previews_custom_days_as_you_type() {
    let mut c = compliance(common::ADMIN);
    c.keys("<Esc>3e365");
    let screen = c.screen();
    insta::assert_snapshot!("retention_custom_preview", screen);
    let p = c.app().retention.preview.unwrap();
    assert_eq!(
        (p.days, p.due_now, p.blocked, p.next_30_days, p.next_90_days),
        (365, 3, 1, 1, 2)
    );
    // Each keystroke asks again; a stale answer is dropped.
    c.keys("0");
    assert_eq!(c.app().retention.preview.unwrap().days, 3650);
    let stale = c.app().retention.preview_gen - 1;
    c.rt.dispatch(retention::Msg::Previewed(
        stale,
        Err(lethe::Error::Invalid("old".into()).into()),
    ));
    assert_eq!(c.app().retention.preview.unwrap().days, 3650);
}

#[test]
fn retention_says_why_a_value_is_refused() {
    let mut c = compliance(common::ADMIN);
    c.keys("<Esc>3e364");
    let screen = c.screen();
    insta::assert_snapshot!("retention_invalid", screen);
    assert!(screen.contains("✗ 364 days is too short: the minimum is 365 days"));
    assert!(c.app().retention.preview.is_none());
    // Enter does not save it.
    c.keys("<Enter>");
    assert!(c.app().shell.modals.is_empty());
    assert_eq!(policy(&c), lethe::retention::Policy::RetainForever);
}

#[test]
fn a_custom_policy_needs_the_explicit_confirmation() {
    use lethe::retention::{Policy, CONFIRMATION};
    let mut c = compliance(common::ADMIN);
    c.keys("<Esc>3e400<Enter>");
    let screen = c.screen();
    insta::assert_snapshot!("retention_confirm", screen);
    assert!(screen.contains(&format!("  {CONFIRMATION}  ")), "{screen}");
    assert!(screen.contains("[ Cancel ]"));
    // Enter presses Cancel, the default.
    c.keys("<Enter>");
    assert!(c.app().shell.modals.is_empty());
    assert_eq!(policy(&c), Policy::RetainForever);
    // Moving to the confirm button and pressing it saves the policy.
    c.keys("e<Enter><Tab><Enter>");
    assert_eq!(policy(&c), Policy::DeleteAfter { days: 400 });
    assert!(c
        .screen()
        .contains("Policy: Custom: delete a customer profile 400 days"));
    // Back to the default: a plain confirmation.
    c.keys("k");
    c.keys("s");
    assert!(c.screen().contains("Use default settings"));
    c.keys("y");
    assert_eq!(policy(&c), Policy::RetainForever);
}

#[test]
fn only_a_compliance_admin_may_change_retention_or_sweep() {
    let mut c = compliance(common::VIEWER);
    c.keys("<Esc>3e400<Enter>");
    assert!(c.app().shell.modals.is_empty());
    assert!(c.screen().contains("bob is not an operator"));
    // The preview is still there to read.
    assert_eq!(c.app().retention.preview.unwrap().days, 400);
    c.keys("<Esc>x");
    assert!(c.app().shell.modals.is_empty());
    assert!(c.screen().contains("bob is not an operator"));
    // Nor run or extend a request.
    c.keys("4<Enter>x");
    assert!(c.app().shell.modals.is_empty());
    c.keys("e");
    assert!(c.app().requests.open.as_ref().unwrap().reason.is_none());
    assert!(c.screen().contains("bob is not an operator"));
}

#[test]
fn the_sweep_gauge_renders_and_cancel_sets_the_flag() {
    use lethe::retention::Progress;
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut c = compliance(common::ADMIN);
    c.keys("<Esc>3");
    let cancel = std::sync::Arc::new(AtomicBool::new(false));
    c.rt.dispatch(retention::Msg::SweepStarted(cancel.clone()));
    c.rt.dispatch(retention::Msg::SweepProgress(Progress {
        done: 40,
        total: 100,
        deleted: 35,
        blocked: 5,
    }));
    let screen = c.screen();
    assert!(screen.contains("Sweep 40/100"), "{screen}");
    assert!(screen.contains("35 deleted · 5 blocked · c cancels"));
    assert!(screen.contains("████"));
    // Other screens stay usable while it runs.
    c.keys("4");
    assert!(c.screen().contains("Requests: open"));
    c.keys("3c");
    assert!(cancel.load(Ordering::SeqCst));
    assert!(c.screen().contains("cancelling…"));
}

#[test]
fn a_sweep_deletes_what_is_due_and_lists_what_is_blocked() {
    let mut c = compliance(common::ADMIN);
    c.keys("<Esc>3e365<Enter>y");
    c.keys("xy");
    let screen = c.screen();
    assert!(
        screen.contains("This sweep completed: 3 deleted · 1 blocked · 0 failed"),
        "{screen}"
    );
    assert!(
        screen.contains("Blocked by an open conversation: 1"),
        "{screen}"
    );
    assert!(
        screen.contains("cus_oldopen  conversation cv_cus_oldopen is OPEN"),
        "{screen}"
    );
    assert!(screen.contains("Last sweep: 2024-08-01 12:00 · completed · 3 deleted · 1 blocked"));
    assert!(c.app().retention.sweep.is_none());
}

#[test]
fn the_requests_queue_marks_overdue_due_soon_and_blocked() {
    let mut c = compliance(common::ADMIN);
    c.keys("<Esc>4");
    let screen = c.screen();
    insta::assert_snapshot!("requests_queue", screen);
    let row = |id: &str| {
        screen
            .lines()
            .find(|l| l.starts_with(&format!("│{id} ")))
            .unwrap()
            .to_string()
    };
    assert!(row("1").contains("OVERDUE 7d"), "{screen}");
    assert!(row("2").contains("DUE SOON"));
    assert!(row("3").contains("blocked"));
    assert!(!row("4").contains("OVERDUE") && !row("4").contains("DUE SOON"));
}

#[test]
fn an_opened_erasure_previews_every_match_and_runs_once_confirmed() {
    let mut c = compliance(common::ADMIN);
    c.keys("<Esc>4<Enter>");
    let screen = c.screen();
    insta::assert_snapshot!("request_erasure", screen);
    assert!(screen.contains("Matches 2 profiles (duplicates included)"));
    assert!(screen.contains("BLOCKED: conversation cv_open is OPEN"));
    // Two profiles share the email: nothing runs until the admin marks
    // which belong to the requester.
    c.keys("x");
    assert!(c.app().shell.modals.is_empty(), "{}", c.screen());
    assert!(
        c.screen().contains("Mark the requester's profiles first"),
        "{}",
        c.screen()
    );
    c.keys(" n ");
    let screen = c.screen();
    assert!(screen.contains(" [x] cus_martha "), "{screen}");
    assert!(screen.contains(">[x] cus_martha2 "), "{screen}");
    c.keys("x");
    let Some(Modal::Confirm(d)) = c.app().shell.modals.last() else {
        panic!("no dialog: {}", c.screen())
    };
    let text = d.lines.join("\n");
    assert!(text.contains("erase 1 matching profile"), "{text}");
    assert!(text.contains("cus_martha: 1 name, 2 emails"), "{text}");
    assert!(text.contains("kept: cus_martha2 has conversation cv_open OPEN"));
    c.keys("<Enter>");
    assert!(c.screen().contains("Cancelled"));
    c.keys("xy");
    let screen = c.screen();
    assert!(screen.contains("Status: blocked"), "{screen}");
    assert!(
        c.app().shell.modals.is_empty(),
        "the run was confirmed once: {screen}"
    );
    assert!(screen.contains("erased cus_martha:"));
    // Mallory's request completes, and its receipt shows.
    c.keys("<Esc>j<Enter>xy");
    let screen = c.screen();
    assert!(screen.contains("Status: completed"), "{screen}");
    assert!(screen.contains("erased cus_mallory:"));
    assert!(screen.contains("Request 2 completed."));
}

/// With two matches, marking only one runs the erasure on that one: the
/// other person's profile is kept.
#[test]
fn a_request_with_two_matches_runs_only_on_the_marked_profile() {
    let mut c = compliance(common::ADMIN);
    c.keys("<Esc>4<Enter>n x");
    let Some(Modal::Confirm(d)) = c.app().shell.modals.last() else {
        panic!("no dialog: {}", c.screen())
    };
    let text = d.lines.join("\n");
    assert!(text.contains("kept: cus_martha2"), "{text}");
    assert!(!text.contains("cus_martha:"), "{text}");
    c.keys("y");
    let live = |id: &str| -> bool {
        c.rt.session
            .read()
            .query_row(
                "SELECT deleted_at IS NULL FROM customers WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert!(live("cus_martha"), "the unmarked profile is kept");
}

#[test]
fn an_access_request_writes_the_export_and_shows_its_checksum() {
    let mut c = compliance(common::ADMIN);
    c.keys("<Esc>4jjj<Enter>xy");
    let screen = c.screen();
    assert!(screen.contains("Status: completed"), "{screen}");
    assert!(screen.contains("sha256: "));
    let export = std::fs::read_dir(&c.rt.save_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("lethe-access-request-4")
        })
        .expect("export file");
    assert!(std::fs::read_to_string(export.path())
        .unwrap()
        .contains("cus_anon"));
}

#[test]
fn a_request_is_extended_once_with_a_reason() {
    let mut c = compliance(common::ADMIN);
    c.keys("<Esc>4<Enter>e<Enter>");
    assert!(c.screen().contains("An extension needs a reason"));
    c.keys("many requests this month<Enter>");
    let screen = c.screen();
    assert!(
        screen.contains("Request 1 extended: now due 2024-09-25."),
        "{screen}"
    );
    assert!(screen.contains("Extended once: many requests this month"));
    c.keys("e");
    assert!(c.screen().contains("already extended once"));
}

#[test]
fn closed_requests_show_on_request() {
    let mut c = compliance(common::ADMIN);
    c.keys("<Esc>4jjj<Enter>xy<Esc>");
    assert_eq!(c.app().requests.rows.len(), 3);
    c.keys("a");
    assert_eq!(c.app().requests.rows.len(), 4);
    assert!(c.screen().contains("Requests: all"));
}

fn with_findings(user: &str) -> Console {
    let mut store = Store::open_in_memory().unwrap();
    common::fill_with_findings(&mut store);
    Console::with_store(store, user, 80, 24)
}

#[test]
fn triage_lists_findings_with_the_message_highlighted() {
    let mut c = with_findings(common::ADMIN);
    c.keys("<Esc>5");
    let screen = c.screen();
    insta::assert_snapshot!("triage_queue", screen);
    let st = &c.app().triage;
    assert_eq!(st.total, 5, "{screen}");
    // Newest first: the last card pasted.
    assert_eq!(st.rows[0].item_id, "it_p4a");
    assert!(screen.contains("Paula Pasted"));
    assert!(
        !screen.contains(common::CARDS[3]),
        "a preview showed a whole card"
    );
    // The context is the message itself, with the focus reversed.
    assert!(screen.contains(common::CARDS[4]), "{screen}");
    let buf = c.term.backend().buffer().clone();
    let focus = (0..buf.area.height)
        .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
        .find(|&(x, y)| {
            buf[(x, y)].symbol() == "3"
                && buf[(x, y)]
                    .modifier
                    .contains(ratatui::style::Modifier::REVERSED)
        });
    assert!(focus.is_some(), "the finding is not highlighted");
    // Moving down shows the next finding's message.
    c.keys("j");
    assert!(c.screen().contains(common::CARDS[3]));
    // Kind filter: no IBANs.
    c.keys("ff");
    assert!(c.screen().contains("No open findings match the filter."));
}

#[test]
fn triage_pages_through_more_findings_than_one_load_holds() {
    let mut store = Store::open_in_memory().unwrap();
    common::insert(&mut store, &[common::percy(205)]);
    lethe::access::bootstrap(&store, common::ADMIN).unwrap();
    store
        .write(|conn| lethe::triage::scan_pending(conn, 0, &mut ()))
        .unwrap();
    let mut c = Console::with_store(store, common::ADMIN, 80, 24);
    c.keys("<Esc>5");
    let first = |c: &mut Console| {
        let st = &c.app().triage;
        st.rows[st.selected].item_id.clone()
    };
    assert_eq!(c.app().triage.rows.len(), 200);
    assert!(
        c.screen().contains("Triage · 205 open (1–200)"),
        "{}",
        c.screen()
    );
    assert_eq!(first(&mut c), "it_percy0204", "newest first");

    // G: the last finding of all, on the second page.
    c.keys("G");
    assert!(c.screen().contains("205 open (201–205)"), "{}", c.screen());
    assert_eq!(first(&mut c), "it_percy0000");
    // Up past the top of the page: the previous page, at its bottom.
    c.keys("kkkkk");
    assert!(c.screen().contains("(1–200)"));
    assert_eq!(first(&mut c), "it_percy0005");
    // Down past its bottom: the next page again, at its top.
    c.keys("j");
    assert_eq!(first(&mut c), "it_percy0004");
    // g: the first finding of all.
    c.keys("g");
    assert_eq!(first(&mut c), "it_percy0204");

    // Clearing the whole last page moves back to the one before.
    c.keys("G");
    for _ in 0..5 {
        c.keys("x");
    }
    let st = &c.app().triage;
    assert_eq!((st.total, st.offset, st.rows.len()), (200, 0, 200));
    assert!(c.screen().contains("Triage · 200 open "), "{}", c.screen());
}

#[test]
fn the_redact_dialog_names_the_label_of_the_kind_at_hand() {
    let mut store = Store::open_in_memory().unwrap();
    let ivan = common::doc(serde_json::json!({
        "id": "cus_ivan", "name": "Ivan Iban", "createdAt": "2024-01-01T00:00:00Z",
        "conversations": [{"id": "cv_ivan", "status": "CLOSED", "channel": "chat",
            "createdAt": "2024-08-01T00:00:00Z", "items": [{
                "id": "it_ivan", "timestamp": "2024-08-01T09:00:00Z",
                "initiator": {"type": "CUSTOMER", "id": "cus_ivan"}, "direction": "INBOUND",
                "content": {"type": "CHAT_MESSAGE",
                    "content": "Refund to my IBAN DE89 3704 0044 0532 0130 00 please"}}]}]
    }));
    common::insert(&mut store, &[ivan]);
    lethe::access::bootstrap(&store, common::ADMIN).unwrap();
    store
        .write(|conn| lethe::triage::scan_pending(conn, 0, &mut ()))
        .unwrap();
    let mut c = Console::with_store(store, common::ADMIN, 80, 24);
    c.keys("<Esc>5r");
    let screen = c.screen();
    assert!(screen.contains("IBAN in the body"), "{screen}");
    assert!(screen.contains("[IBAN removed]"), "{screen}");
}

#[test]
fn triage_actions_clear_the_queue_and_keep_the_cursor() {
    let mut c = with_findings(common::ADMIN);
    c.keys("<Esc>5j");
    // Dismiss the second finding: the third takes its place.
    let third = c.app().triage.rows[2].finding_id;
    c.keys("x");
    assert_eq!(c.app().triage.total, 4);
    assert_eq!(c.app().triage.rows[1].finding_id, third);
    // Redact asks first (Cancel is the default), listing what goes.
    c.keys("r");
    let screen = c.screen();
    assert!(screen.contains("Redact for good?"), "{screen}");
    assert!(screen.contains("card in the body"), "{screen}");
    c.keys("<Enter>");
    assert_eq!(c.app().triage.total, 4);
    c.keys("ry");
    assert_eq!(c.app().triage.total, 3);
    // Delete goes through the timeline's confirm dialog.
    c.keys("dy");
    assert_eq!(c.app().triage.total, 2);
    assert!(c.screen().contains("Deleted 1 item at"));
    let actions: Vec<String> = lethe::audit::list(&c.rt.session.read(), &Default::default(), 100)
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    for a in ["pii-dismiss", "redact", "delete-item"] {
        assert!(actions.iter().any(|x| x == a), "no {a} in {actions:?}");
    }
    // Enter opens the customer's timeline on the item.
    let sel = c.app().triage.selected;
    let item = c.app().triage.rows[sel].item_id.clone();
    c.keys("<Enter>");
    assert_eq!(c.app().tab, app::Tab::Customers);
    let o = c.app().customers.open.as_ref().unwrap();
    assert_eq!(
        o.timeline.item(o.selected).map(|i| i.id.clone()),
        Some(item)
    );
}

#[test]
fn viewers_cannot_redact_or_dismiss_and_are_told_why() {
    let mut c = with_findings(common::VIEWER);
    c.keys("<Esc>5x");
    assert_eq!(c.app().triage.total, 5);
    assert!(c
        .app()
        .shell
        .status
        .as_ref()
        .is_some_and(|(k, _)| *k == StatusKind::Error));
    c.keys("r");
    assert!(c.app().shell.modals.is_empty());
}

/// A refusal in the console is in the audit trail, as one on the command
/// line is: who, what, and that it was refused.
#[test]
fn a_refused_key_in_the_console_is_audited() {
    let mut c = Console::open(common::VIEWER, 80, 24);
    open_martha(&mut c);
    c.keys("jjjd");
    assert!(c.app().shell.modals.is_empty());
    let rows = lethe::audit::list(&c.rt.session.read(), &Default::default(), 5).unwrap();
    let last = &rows[0];
    assert_eq!(last.operator, common::VIEWER);
    assert_eq!(last.action, lethe::audit::DELETE_ITEM);
    assert_eq!(last.outcome, "refused", "{last:?}");
}

#[test]
fn n_and_shift_n_move_between_items_with_findings() {
    let mut c = with_findings(common::ADMIN);
    c.keys("paula<Enter><Enter>");
    let screen = c.screen();
    assert!(screen.contains('⚑'), "{screen}");
    let row = |c: &mut Console| {
        let o = c.app().customers.open.as_ref().unwrap();
        o.timeline.item(o.selected).map(|i| i.id.clone())
    };
    // Row 0 is the conversation header.
    c.keys("n");
    assert_eq!(row(&mut c).as_deref(), Some("it_p0a"));
    c.keys("n");
    assert_eq!(row(&mut c).as_deref(), Some("it_p1a"));
    c.keys("jN");
    assert_eq!(row(&mut c).as_deref(), Some("it_p1a"));
    c.keys("N");
    assert_eq!(row(&mut c).as_deref(), Some("it_p0a"));
    c.keys("N");
    assert_eq!(row(&mut c).as_deref(), Some("it_p0a"));
    assert!(c.screen().contains("No other item with open PII findings"));
}

/// Enter in the search box opens the only match; Esc from the results
/// stays out of the search box, so `q` then quits.
#[test]
fn enter_opens_a_single_match_and_esc_never_enters_the_search_box() {
    let mut c = admin();
    c.keys("mallory<Enter>");
    let app = c.app();
    assert_eq!(app.customers.focus, customers::Focus::Timeline);
    assert_eq!(
        app.customers.open.as_ref().map(|o| o.profile.id.as_str()),
        Some("cus_mallory")
    );
    c.keys("<Esc>");
    assert_eq!(c.app().customers.focus, customers::Focus::Results);
    c.keys("<Esc>3");
    assert_eq!(c.app().tab, app::Tab::Retention);
    c.keys("1<Esc>q");
    assert!(c.app().shell.quit);
}

/// While a job runs, `q` asks first; a second `q` (or `y`) quits.
#[test]
fn quitting_while_a_job_runs_asks_first() {
    let mut c = admin();
    c.app().shell.jobs = 1;
    c.app().customers.focus = customers::Focus::Results;
    let effects = app::update(c.app(), Action::Quit);
    assert!(effects.is_empty());
    assert!(!c.app().shell.quit);
    assert!(c.screen().contains("Quit Lethe?"), "{}", c.screen());
    let effects = app::update(c.app(), Action::Confirm);
    assert!(effects.is_empty());
    assert!(c.app().shell.quit);
}

/// The search box reads a phone number as written on a card: the `00`
/// international prefix and the `(0)` trunk digit, as `find --phone` does.
#[test]
fn the_search_box_reads_international_phone_formats() {
    for typed in ["001 415 555 0100", "+1 (0)415 555 0100", "0014155550"] {
        let mut c = admin();
        c.keys(typed);
        let ids: Vec<String> = c
            .app()
            .customers
            .results
            .iter()
            .map(|r| r.id.clone())
            .collect();
        assert!(ids.contains(&"cus_martha".to_string()), "{typed}: {ids:?}");
    }
}

/// The status bar's lines (a long message wraps onto up to three), joined.
fn status_lines(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let from = lines.len().saturating_sub(3);
    lines[from..]
        .iter()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A message too long for 80 columns wraps instead of ending in `…`.
#[test]
fn long_status_messages_wrap_instead_of_being_cut() {
    let mut c = admin();
    open_martha(&mut c);
    let long = "Saved /home/someone/.local/share/lethe/saved/recording-rec_1 (1).mp3 \
                (readable by you only).";
    c.app().shell.info(long);
    let screen = c.screen();
    assert!(!screen.contains('…'), "{screen}");
    let status = status_lines(&screen);
    assert!(
        status.contains("recording-rec_1 (1).mp3") && status.contains("(readable by you only)."),
        "{status}"
    );
}

/// A name the admin cannot type (here, partly in CJK) can be confirmed
/// with the customer ID; the prompt says what it accepts and wraps
/// instead of being cut.
#[test]
fn a_profile_can_be_confirmed_by_its_customer_id() {
    let mut c = admin();
    c.keys("mallory<Down>D");
    let screen = c.screen();
    assert!(screen.contains("(any case,"), "{screen}");
    assert!(screen.contains("cus_mallory:"), "{screen}");
    c.keys("cus_mallory");
    let effects = app::update(c.app(), Action::Submit);
    assert_eq!(
        effects,
        vec![Effect::Execute(PendingAction::DeleteProfile {
            customer_id: "cus_mallory".into()
        })]
    );
}

#[test]
fn a_long_name_in_the_confirmation_wraps() {
    let mut c = admin();
    c.keys("williams<Down>");
    let long = "Maximiliana Evangelina Wilhelmina von Hohenzollern-Sigmaringen Williams";
    c.rt.dispatch(customers::Msg::ProfilePreviewed(Ok(
        lethe::erase::ProfilePreview {
            customer_id: "cus_martha".into(),
            name: Some(long.into()),
            removes: vec![("items".into(), 15)],
            keeps: vec![],
            blocked_by: None,
        },
    )));
    let flat: String = c.screen().split_whitespace().collect::<Vec<_>>().join(" ");
    let squeezed: String = flat
        .replace("│ │", " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        squeezed.contains("Hohenzollern-Sigmaringen"),
        "{}",
        c.screen()
    );
    assert!(squeezed.contains("Williams\" (any case"), "{}", c.screen());
}

/// A long blocked list scrolls at 80x24, with a count and where the
/// window is.
#[test]
fn the_blocked_list_of_a_sweep_scrolls() {
    let mut c = compliance(common::ADMIN);
    c.keys("<Esc>3");
    let blocked: Vec<lethe::retention::Blocked> = (1..=12)
        .map(|i| lethe::retention::Blocked {
            customer_id: format!("cus_blocked{i:02}"),
            conversation_id: format!("cv_{i:02}"),
            status: "OPEN".into(),
        })
        .collect();
    let report = lethe::retention::SweepReport {
        dry_run: false,
        days: 365,
        cutoff: "2023-08-02T12:00:00.000Z".into(),
        deleted: 3,
        would_delete: vec![],
        blocked,
        failed: vec![],
        cancelled: false,
        checkpoint_completed: true,
        verification: None,
        ledger_warning: None,
    };
    c.rt.dispatch(retention::Msg::SweepDone(Ok(Box::new(report))));
    let screen = c.screen();
    insta::assert_snapshot!("retention_blocked_list", screen);
    assert!(
        screen.contains("Blocked by an open conversation: 12 · 1–"),
        "{screen}"
    );
    assert!(screen.contains("cus_blocked01"), "{screen}");
    assert!(!screen.contains("cus_blocked12"), "{screen}");
    c.keys("<PgDn><PgDn>");
    let screen = c.screen();
    assert!(screen.contains("cus_blocked12"), "{screen}");
    assert!(!screen.contains("cus_blocked01 "), "{screen}");
}

/// `?` lists the keys of the pane in focus first.
#[test]
fn help_starts_with_the_keys_of_the_focused_pane() {
    let mut c = admin();
    open_martha(&mut c);
    c.keys("?");
    let screen = c.screen();
    let first = screen
        .lines()
        .find(|l| l.contains("(where you are)"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(first.contains("Timeline"), "{screen}");
    let at = |t: &str| screen.find(t).unwrap_or(usize::MAX);
    assert!(at("delete item") < at("Everywhere"), "{screen}");
}

/// `DUPLICATE` marks a profile that shares an email, phone or external ID
/// with another live profile, even one the search did not list.
#[test]
fn duplicates_are_flagged_whatever_the_search() {
    let mut c = admin();
    c.keys("williams");
    let st = &c.app().customers;
    assert_eq!(st.results.len(), 1, "only Martha Williams matches");
    assert_eq!(
        st.duplicate,
        vec![true],
        "her twin cus_martha2 is not listed"
    );
    assert!(c.screen().contains("DUPLICATE"), "{}", c.screen());
    let mut c = admin();
    c.keys("mallory");
    assert_eq!(c.app().customers.duplicate, vec![false]);
}

/// Requests are recorded in the console with the command line's rule:
/// `n` opens the form, a request without identifiers is refused in it,
/// and a good one joins the queue.
#[test]
fn a_request_is_recorded_from_the_console() {
    let mut c = compliance(common::ADMIN);
    c.keys("<Esc>4");
    let before = c.app().requests.rows.len();
    c.keys("n");
    let screen = c.screen();
    insta::assert_snapshot!("request_intake", screen);
    c.keys("<Enter>");
    let err = c
        .app()
        .requests
        .intake
        .as_ref()
        .and_then(|f| f.error.clone());
    assert!(
        err.is_some_and(|e| e.contains("Not recorded")),
        "{}",
        c.screen()
    );
    assert_eq!(c.app().requests.rows.len(), before);
    c.keys("intake@example.org<Tab><Tab><Tab><Tab>2024-07-30<Enter>");
    assert!(c.app().requests.intake.is_none(), "{}", c.screen());
    assert_eq!(c.app().requests.rows.len(), before + 1);
    let screen = c.screen();
    let status = status_lines(&screen);
    assert!(
        status.contains("recorded (GDPR erasure), due 2024-08-30"),
        "{status}"
    );
    // Esc leaves the form without recording anything.
    c.keys("nfoo@example.org<Esc>");
    assert!(c.app().requests.intake.is_none());
    assert_eq!(c.app().requests.rows.len(), before + 1);
}

#[test]
fn a_receipt_names_the_backups_that_still_hold_the_profile() {
    let mut c = admin();
    c.keys("williams<Enter><Enter>");
    let receipt: lethe::erase::Receipt = serde_json::from_value(serde_json::json!({
        "customer_id": "cus_martha", "operator": "alice",
        "deleted_at": "2024-08-01T12:00:00.000Z", "reason": "manual",
        "removed": {"emails": 2}, "method": [], "lethe_version": "test",
        "sqlite_version": "test", "checkpoint": {"completed": true, "attempts": 1},
        "backups": [
            {"file": "/b/one.db", "taken_at": "2024-07-01T00:00:00.000Z", "expires_on": "2024-08-05", "encrypted": true},
            {"file": "/b/two.db", "taken_at": "2024-07-20T00:00:00.000Z", "expires_on": "2024-08-24", "encrypted": true}
        ]
    }))
    .unwrap();
    c.rt.dispatch(customers::Msg::ProfileDeleted(
        "cus_martha".into(),
        Ok(Box::new(receipt)),
    ));
    let screen = c.screen();
    assert!(
        screen.contains("Backups that still hold the profile: 2, the last until"),
        "{screen}"
    );
    assert!(screen.contains("2024-08-24"), "{screen}");
}
