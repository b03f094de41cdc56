//! The console at 80x24 on TestBackend, driven by the keys a person
//! presses, with insta snapshots of what they see.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use lethe::access::Actor;
use lethe::store::Store;
use lethe::tui::action::{Action, Effect, PendingAction};
use lethe::tui::app::{self, App, Modal};
use lethe::tui::runtime::{Runtime, Searcher};
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
        let actor = Actor::resolve(store.conn(), user).unwrap();
        let app = App::new(actor, Theme { color: false }, (w, h));
        let dir = tempfile::tempdir().unwrap();
        let rt = Runtime::new(app, store, Searcher::Inline, dir.path().to_path_buf());
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
    c.keys(&"\u{8}".repeat(0));
    let mut c = admin();
    c.keys("(415) 555-01");
    assert_eq!(c.app().customers.results[0].id, "cus_martha");
}
