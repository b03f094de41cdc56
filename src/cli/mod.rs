//! The command line. Every subcommand calls the same core functions as the
//! console. Errors reach the person as one sentence on stderr and a
//! non-zero exit code.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::store::Store;

pub mod access;
pub mod backup;
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

    /// Where the console saves copies of attachments and recordings,
    /// receipts and access exports (default: lethe/saved in the XDG data
    /// directory, readable by you only).
    #[arg(long, global = true, value_name = "DIR")]
    pub save_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty database, with you as its first compliance admin.
    Init,
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
    /// Backups: take, list, prune and restore them; a restore erases again
    /// what was erased after the backup.
    #[command(subcommand)]
    Backup(backup::BackupCommand),
    /// Serve the compliance REST API (docs/API.md) on 127.0.0.1:8080.
    Serve(access::ServeArgs),
    /// API tokens for `lethe serve`: create, list, revoke.
    #[command(subcommand)]
    ApiToken(access::ApiTokenCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), for `man`.
    Man,
}

/// What every subcommand needs: where the database is.
pub struct Ctx {
    pub db: PathBuf,
    /// Whether the path was given (`--db`, `$LETHE_DB`) rather than the
    /// default: only a defaulted path gets the demo database's hint.
    pub given: bool,
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

    /// Opens the existing database. A default path that does not exist,
    /// after `lethe --demo` made one elsewhere, names the demo database.
    pub fn open(&self) -> anyhow::Result<Store> {
        match Store::open(&self.db) {
            Err(e @ crate::Error::DatabaseMissing { .. }) => {
                let demo = data_dir().join(DEMO_DB);
                if self.given || !demo.exists() {
                    return Err(e.into());
                }
                anyhow::bail!(
                    "{e} The demo database made by `lethe --demo` is {}: add `--db {}` to use it.",
                    demo.display(),
                    demo.display()
                )
            }
            r => Ok(r?),
        }
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

/// Prints `value` as pretty JSON on standard output, one newline after:
/// the `--json` form of every command that reports.
pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// The console's save directory: `--save-dir`, else `lethe/saved` in the
/// data directory, created readable by its owner only. Always absolute, so
/// the status bar shows where a file went.
fn save_dir(cli: &Cli) -> anyhow::Result<PathBuf> {
    let dir = match &cli.save_dir {
        Some(d) => std::path::absolute(d)?,
        None => std::path::absolute(data_dir().join("saved"))?,
    };
    crate::files::create_private_dir(&dir)
        .with_context(|| format!("the save directory {} cannot be created", dir.display()))?;
    Ok(dir)
}

/// Where `lethe --demo` makes its database, in the data directory.
const DEMO_DB: &str = "demo.db";

fn run(cli: Cli) -> anyhow::Result<()> {
    let from_env = std::env::var_os("LETHE_DB").is_some_and(|p| !p.is_empty());
    let ctx = Ctx {
        db: cli.db.clone().unwrap_or_else(default_db),
        given: cli.db.is_some() || from_env,
    };
    match cli.command {
        None if cli.demo => {
            let db = cli.db.clone().unwrap_or_else(|| data_dir().join(DEMO_DB));
            upgrade(&db)?;
            demo::ensure_demo_db(&db)?;
            crate::tui::run(Store::open(&db)?, &db, &save_dir(&cli)?)
        }
        None => {
            upgrade(&ctx.db)?;
            crate::tui::run(ctx.open()?, &ctx.db, &save_dir(&cli)?)
        }
        Some(command) => {
            if command.opens_database() {
                upgrade(&ctx.db)?;
            }
            dispatch(&ctx, command)
        }
    }
}

/// `lethe init`: an empty database at `ctx.db`, readable by its owner
/// only, whose first operator (compliance admin and admin, with "Manage
/// Customer Data" on) is the user running it.
fn init(ctx: &Ctx) -> anyhow::Result<()> {
    let path = &ctx.db;
    if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
        anyhow::bail!(
            "{} already exists; nothing was changed. Open it with `lethe --db {}`, or choose a new path with --db PATH",
            path.display(),
            path.display()
        );
    }
    let store = Store::create(path)?;
    let user = crate::access::username_for(store.path());
    crate::access::bootstrap(&store, &user).context("could not record the first operator")?;
    println!(
        "Created {}: an empty Lethe database. You ({user}) are its first compliance admin.\n\
         Add customers with `lethe import FILE --db {}`, or open it with `lethe --db {}`.",
        path.display(),
        path.display(),
        path.display()
    );
    Ok(())
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

fn dispatch(ctx: &Ctx, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Init => init(ctx),
        Command::Demo(args) => demo::run(ctx, args),
        Command::Import(args) => data::import(ctx, args),
        Command::Export(args) => data::export(ctx, args),
        Command::Find(args) => data::find(ctx, args),
        Command::Operators(c) => access::operators(ctx, c),
        Command::Account(c) => access::account(ctx, c),
        Command::Audit(c) => access::audit(ctx, c),
        Command::DeleteItem(args) => erase::delete_item(ctx, args),
        Command::Delete(args) => erase::delete(ctx, args),
        Command::Report(c) => erase::report(ctx, c),
        Command::Retention(c) => retention::run(ctx, c),
        Command::Scan(args) => pii::scan(ctx, args),
        Command::Redact(args) => pii::redact(ctx, args),
        Command::Request(c) => request::run(ctx, c),
        Command::Backup(c) => backup::run(ctx, c),
        Command::Serve(args) => access::serve(ctx, args),
        Command::ApiToken(c) => access::api_token(ctx, c),
        // Generated from the definitions above; no database is opened.
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "lethe", &mut std::io::stdout());
            Ok(())
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
            Ok(())
        }
    }
}

impl Command {
    /// Whether the command reads or writes a database (and so upgrades an
    /// older one first).
    fn opens_database(&self) -> bool {
        !matches!(
            self,
            Command::Completions { .. }
                | Command::Man
                | Command::Backup(
                    backup::BackupCommand::Restore(_) | backup::BackupCommand::Keygen { .. }
                )
        )
    }
}
