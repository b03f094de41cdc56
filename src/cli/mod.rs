//! The command line. Every subcommand calls the same core functions as the
//! console. Errors reach the person as one sentence on stderr and a
//! non-zero exit code.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::store::Store;

pub mod access;
pub mod data;
pub mod demo;
pub mod erase;
pub mod pii;
pub mod request;
pub mod retention;

#[derive(Debug, Parser)]
#[command(
    name = "lethe",
    version,
    about = "Find a customer's personal data and erase it for good.",
    long_about = "Lethe is a terminal console for compliance administrators. Run it without a \
                  subcommand to open the console; the subcommands are for scripts and cron."
)]
pub struct Cli {
    /// The database file (default: $LETHE_DB, else lethe/lethe.db in the XDG data directory).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Open the console on a demo database, generated at first use.
    #[arg(long)]
    pub demo: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a realistic demo database.
    Demo(demo::DemoArgs),
    /// Import customer documents (JSON Lines, one customer per line).
    Import(data::ImportArgs),
    /// Export everything held about one customer as JSON.
    Export(data::ExportArgs),
    /// Find customers by one key and print them as a JSON array.
    Find(data::FindArgs),
    /// List, grant and revoke operator roles.
    #[command(subcommand)]
    Operators(access::OperatorsCommand),
    /// Account-level switches.
    #[command(subcommand)]
    Account(access::AccountCommand),
    /// Verify or export the hash-chained audit trail.
    #[command(subcommand)]
    Audit(access::AuditCommand),
    /// Delete one item (message, attachment, recording, or email thread).
    DeleteItem(erase::DeleteItemArgs),
    /// Delete whole customer profiles.
    Delete(erase::DeleteArgs),
    /// Reports that still count deleted customers (CSV).
    #[command(subcommand)]
    Report(erase::ReportCommand),
    /// The retention policy and its deletion job.
    #[command(subcommand)]
    Retention(retention::RetentionCommand),
    /// Scan conversation text for pasted personal data.
    Scan(pii::ScanArgs),
    /// Redact detected personal data from one item, keeping the rest.
    Redact(pii::RedactArgs),
    /// Data subject requests: intake, queue and completion.
    #[command(subcommand)]
    Request(request::RequestCommand),
}

/// What every subcommand needs: where the database is.
pub struct Ctx {
    pub db: PathBuf,
}

impl Ctx {
    /// Refuses `path` as a file this command reads or writes beside the
    /// database when it is the database itself or one of its `-wal`,
    /// `-shm` or `-journal` files: writing one would destroy the data, and
    /// even reading one, in a process with a connection open, drops
    /// SQLite's locks when the file is closed.
    pub fn refuse_database_file(&self, path: &Path, role: &str) -> anyhow::Result<()> {
        let target = absolute(path);
        for file in crate::store::forensic::database_files(&self.db) {
            let same = match (std::fs::metadata(path), std::fs::metadata(&file)) {
                (Ok(a), Ok(b)) => {
                    use std::os::unix::fs::MetadataExt;
                    (a.dev(), a.ino()) == (b.dev(), b.ino())
                }
                _ => target == absolute(&file),
            };
            if same {
                anyhow::bail!(
                    "{} is {}, not a file to use as {role}; choose another path",
                    path.display(),
                    if file == self.db {
                        "the database itself".to_string()
                    } else {
                        format!("one of the database's own files ({})", file.display())
                    }
                );
            }
        }
        Ok(())
    }

    /// Opens the existing database.
    pub fn open(&self) -> anyhow::Result<Store> {
        Ok(Store::open(&self.db)?)
    }

    /// Opens the database, creating it (and bootstrapping its first
    /// operator) if it does not exist yet.
    pub fn open_or_create(&self) -> anyhow::Result<Store> {
        let fresh = !self.db.exists();
        let store = Store::create(&self.db)?;
        if fresh {
            crate::access::bootstrap(&store, &crate::access::username_for(store.path()))
                .context("could not record the first operator")?;
        }
        Ok(store)
    }

    /// A session on the existing database, as the OS user running Lethe,
    /// on the wall clock (`LETHE_NOW` pins it): how commands act.
    pub fn session(&self) -> anyhow::Result<crate::session::Session> {
        Ok(crate::session::Session::of(self.open()?)?)
    }

    /// The acting operator, from the operating system.
    pub fn actor(&self, store: &Store) -> anyhow::Result<crate::access::Actor> {
        Ok(crate::access::Actor::current(store)?)
    }
}

/// `$LETHE_DB`, else `lethe/lethe.db` under `$XDG_DATA_HOME` (default
/// `~/.local/share`).
pub fn default_db() -> PathBuf {
    if let Some(p) = std::env::var_os("LETHE_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    data_dir().join("lethe.db")
}

/// Lethe's folder in the XDG data directory.
pub fn data_dir() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("lethe")
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("lethe: {}", sentence(&e));
            exit_code(&e)
        }
    }
}

/// Exit status 3: the command ran, and nothing went wrong, but something it
/// was asked to delete, redact or run on was not: blocked by an open
/// conversation, not found, or ambiguous. The lines before say which.
pub const NOT_DONE: i32 = 3;

/// A command that completed without doing all it was asked (`NOT_DONE`).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotDone(pub String);

fn exit_code(e: &anyhow::Error) -> i32 {
    if e.downcast_ref::<NotDone>().is_some() {
        return NOT_DONE;
    }
    match e.downcast_ref::<crate::Error>() {
        Some(
            crate::Error::NotFound { .. }
            | crate::Error::OpenConversation { .. }
            | crate::Error::AmbiguousRequest { .. },
        ) => NOT_DONE,
        _ => 1,
    }
}

/// `path` made absolute, with its directory resolved when it exists, for
/// comparing paths of files that may not exist yet.
fn absolute(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map(|d| d.join(name))
            .unwrap_or(path),
        _ => path,
    }
}

/// An error chain as one readable line: the context, then its causes.
pub fn sentence(e: &anyhow::Error) -> String {
    let parts: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    parts.join(": ")
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Ctx {
        db: cli.db.clone().unwrap_or_else(default_db),
    };
    match cli.command {
        None if cli.demo => {
            let db = cli.db.clone().unwrap_or_else(|| data_dir().join("demo.db"));
            upgrade(&db)?;
            demo::ensure_demo_db(&db)?;
            crate::tui::run(&db)
        }
        command => {
            upgrade(&ctx.db)?;
            dispatch(&ctx, command)
        }
    }
}

/// A database written by an older Lethe is upgraded before anything else
/// opens it, with a line on stderr first: on a large database an upgrade
/// takes a while (version 4 rebuilds the search index, about 50 s per
/// million customers), and the console would otherwise sit blank.
fn upgrade(db: &std::path::Path) -> anyhow::Result<()> {
    let Some(found) = crate::store::pending_upgrade(db) else {
        return Ok(());
    };
    eprintln!(
        "lethe: upgrading {} from schema version {found} to {}; on a large database \
         this takes a minute or more (if stopped, it is rolled back and runs again next time)",
        db.display(),
        crate::store::SCHEMA_VERSION
    );
    let started = std::time::Instant::now();
    drop(Store::open(db)?);
    eprintln!(
        "lethe: upgraded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn dispatch(ctx: &Ctx, command: Option<Command>) -> anyhow::Result<()> {
    match command {
        None => crate::tui::run(&ctx.db),
        Some(Command::Demo(args)) => demo::run(ctx, args),
        Some(Command::Import(args)) => data::import(ctx, args),
        Some(Command::Export(args)) => data::export(ctx, args),
        Some(Command::Find(args)) => data::find(ctx, args),
        Some(Command::Operators(c)) => access::operators(ctx, c),
        Some(Command::Account(c)) => access::account(ctx, c),
        Some(Command::Audit(c)) => access::audit(ctx, c),
        Some(Command::DeleteItem(args)) => erase::delete_item(ctx, args),
        Some(Command::Delete(args)) => erase::delete(ctx, args),
        Some(Command::Report(c)) => erase::report(ctx, c),
        Some(Command::Retention(c)) => retention::run(ctx, c),
        Some(Command::Scan(args)) => pii::scan(ctx, args),
        Some(Command::Redact(args)) => pii::redact(ctx, args),
        Some(Command::Request(c)) => request::run(ctx, c),
    }
}
