//! The full-screen console. State, update, view: `keymap` turns a key into
//! an `Action`, `app::update` changes the state and returns effects, the
//! `runtime` carries them out, and `view::render` draws the state.

pub mod action;
pub mod app;
pub mod jobs;
pub mod keymap;
pub mod modals;
pub mod runtime;
pub mod sanitize;
pub mod screens;
pub mod shell;
pub mod theme;
pub mod view;
pub mod widgets;
pub mod worker;

use std::sync::mpsc;

use crossterm::event::{self, Event as TermEvent, KeyEvent, KeyEventKind};

use action::Action;
use app::App;
use runtime::{Runtime, Searcher};

enum Event {
    Key(KeyEvent),
    Action(Action),
}

/// Runs the console on `store`, the database at `db` (its background
/// threads open connections of their own), until the admin quits. The
/// caller opens it before the terminal is touched, so a bad path prints
/// plainly. The terminal is restored on every way out, a panic included.
pub fn run(
    store: crate::store::Store,
    db: &std::path::Path,
    save_dir: &std::path::Path,
) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let db = db.to_path_buf();
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        anyhow::bail!(
            "the console needs a terminal (standard input and output are not one); run `lethe` \
             in a terminal or over `ssh -t`, or use the subcommands (`lethe --help`) from scripts"
        );
    }
    let session = crate::session::Session::of(store)?;
    let actor = session.actor().clone();
    let save_dir = save_dir.to_path_buf();
    let (tx, rx) = mpsc::channel::<Event>();
    let searches = tx.clone();
    let search_reply: worker::Reply =
        std::sync::Arc::new(move |a| searches.send(Event::Action(a)).is_ok());
    let (search, search_thread) = worker::spawn(db.clone(), search_reply);
    let mut terminal = ratatui::try_init()?;
    let size = terminal.size()?;
    let app = App::new(actor, theme::Theme::from_env(), (size.width, size.height));
    let event = tx.clone();
    let reply: worker::Reply = std::sync::Arc::new(move |a| event.send(Event::Action(a)).is_ok());
    let mut rt = Runtime::new(app, session, Searcher::Worker(search), save_dir);
    let (previews, preview_thread) = worker::spawn_previews(db.clone(), reply.clone());
    rt.background = Some(runtime::Background {
        db: db.clone(),
        previews,
        reply,
    });
    std::thread::spawn(move || read_terminal(tx));
    let result = event_loop(&mut terminal, &mut rt, &rx);
    // A job cut off by the process ending would leave its work to the next
    // run; stop what can stop (a sweep, between profiles) and let the rest
    // (a deletion and its verification) finish.
    let waiting = rt.jobs.running();
    if waiting > 0 {
        rt.app.shell.info(format!(
            "Quitting: stopping and waiting for {}…",
            crate::text::plural(waiting, "running job")
        ));
        let _ = terminal.draw(|f| rt.draw(f));
    }
    rt.finish_jobs();
    let _ = terminal.show_cursor();
    ratatui::restore();
    // Every connection is closed before the process exits: the last one
    // to close copies the WAL back and removes the `-wal` and `-shm`
    // files. Dropping the console's senders ends the search and preview
    // threads, which close theirs; a search or preview under way finishes
    // first.
    drop(rt);
    let _ = search_thread.join();
    let _ = preview_thread.join();
    result
}

/// Forwards key presses and resizes; ends when the console has gone.
fn read_terminal(tx: mpsc::Sender<Event>) {
    loop {
        let sent = match event::read() {
            Ok(TermEvent::Key(k)) if k.kind == KeyEventKind::Press => tx.send(Event::Key(k)),
            Ok(TermEvent::Resize(w, h)) => tx.send(Event::Action(Action::Resize(w, h))),
            Ok(_) => Ok(()),
            Err(_) => return,
        };
        if sent.is_err() {
            return;
        }
    }
}

/// Redraws after events only; events that arrived meanwhile are handled
/// before the next frame, so fast typing never queues up frames.
fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    rt: &mut Runtime,
    rx: &mpsc::Receiver<Event>,
) -> anyhow::Result<()> {
    loop {
        terminal.draw(|f| rt.draw(f))?;
        let Ok(first) = rx.recv() else {
            return Ok(());
        };
        let mut next = Some(first);
        while let Some(ev) = next {
            match ev {
                Event::Key(k) => rt.key(k),
                Event::Action(a) => rt.dispatch(a),
            }
            if rt.app.shell.quit {
                return Ok(());
            }
            next = rx.try_recv().ok();
        }
    }
}
