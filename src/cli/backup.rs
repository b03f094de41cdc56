//! `lethe backup`: take, list, prune and restore backups, and the erasure
//! ledger that keeps a restore from bringing erased data back.

use std::path::PathBuf;

use super::{data_dir, Ctx};
use crate::backup::{self, CreateOptions, LedgerSource, RestoreOptions, SettingsChange};

#[derive(Debug, clap::Subcommand)]
pub enum BackupCommand {
    /// Copy the database while it is in use: one consistent snapshot, live
    /// data only (nothing erased comes along), a file readable by you only.
    Create {
        /// The directory (default: lethe/backups in the XDG data directory).
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        /// Encrypt the backup to this age public key (age1...), as
        /// `lethe backup keygen` prints it.
        #[arg(long, value_name = "KEY")]
        recipient: Option<String>,
        /// Write the erasure ledger to this file from now on (the setting
        /// `lethe backup settings --ledger` changes), brought up to date
        /// before the copy is taken.
        #[arg(long, value_name = "PATH")]
        ledger: Option<PathBuf>,
        /// Print what was written as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The catalogue: each backup's time, size, encryption and the day it
    /// goes beyond use.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete the backups past the backup retention (default 35 days).
    Prune {
        #[arg(long)]
        json: bool,
    },
    /// Restore a backup into a new database, applying again every erasure
    /// the erasure ledger lists after it.
    Restore(RestoreArgs),
    /// Create an age key pair for encrypted backups: the secret key goes to
    /// FILE (keep it away from the backups), the public key is printed.
    Keygen {
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Show or change the backup retention and the erasure ledger file.
    Settings {
        /// Days a backup is kept before it goes beyond use (1 to 3650).
        #[arg(long, value_name = "DAYS")]
        retention_days: Option<i64>,
        /// Also write the erasure ledger to this file, outside the database.
        #[arg(long, value_name = "PATH", conflicts_with = "no_ledger_file")]
        ledger: Option<PathBuf>,
        /// Stop writing the ledger file (the database keeps its ledger).
        #[arg(long)]
        no_ledger_file: bool,
    },
    /// Check the erasure ledger (the database's and the file's) and bring
    /// the file up to date.
    Ledger,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup file.
    pub backup: PathBuf,
    /// The new database to create; an existing file is never overwritten.
    #[arg(long, value_name = "DB")]
    pub to: PathBuf,
    /// The erasure ledger: the ledger file, or the live database (which
    /// holds its own). Default: the ledger file the backup's settings name.
    #[arg(long, value_name = "PATH", conflicts_with = "without_ledger")]
    pub ledger: Option<PathBuf>,
    /// Restore without applying later erasures again (prints the gap).
    #[arg(long)]
    pub without_ledger: bool,
    /// The age secret key file, for an encrypted backup.
    #[arg(long, value_name = "FILE", visible_alias = "key")]
    pub identity: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, c: BackupCommand) -> anyhow::Result<()> {
    match c {
        BackupCommand::Create {
            to,
            recipient,
            ledger,
            json,
        } => create(ctx, to, recipient, ledger, json),
        BackupCommand::List { json } => list(ctx, json),
        BackupCommand::Prune { json } => prune(ctx, json),
        BackupCommand::Restore(args) => restore(args),
        BackupCommand::Keygen { to } => {
            let public = backup::keygen(&to)?;
            eprintln!(
                "Wrote the secret key to {} (readable by you only). Keep it off the backup \
                 host; a restore needs it.",
                to.display()
            );
            println!("{public}");
            Ok(())
        }
        BackupCommand::Settings {
            retention_days,
            ledger,
            no_ledger_file,
        } => settings(ctx, retention_days, ledger, no_ledger_file),
        BackupCommand::Ledger => ledger_check(ctx),
    }
}

fn create(
    ctx: &Ctx,
    to: Option<PathBuf>,
    recipient: Option<String>,
    ledger: Option<PathBuf>,
    json: bool,
) -> anyhow::Result<()> {
    let dir = match to {
        Some(d) => std::path::absolute(d)?,
        None => std::path::absolute(data_dir().join("backups"))?,
    };
    ctx.refuse_database_file(&dir, "the backup directory")?;
    let session = ctx.session()?;
    if let Some(path) = ledger {
        ctx.refuse_database_file(&path, "the erasure ledger file")?;
        let wanted = std::path::absolute(&path)?;
        let current = backup::settings(&session.read())?.ledger_file;
        if current.as_deref() != wanted.to_str() {
            session.change_backup_settings(&SettingsChange {
                retention_days: None,
                ledger_file: Some(Some(wanted.clone())),
            })?;
            eprintln!(
                "The erasure ledger is now also written to {}.",
                wanted.display()
            );
        }
    }
    let b = session.backup(
        &dir,
        CreateOptions {
            recipient: recipient.as_deref().filter(|r| !r.is_empty()),
        },
    )?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "file": b.path,
                "bytes": b.bytes,
                "taken_at": crate::clock::format_ms(b.taken_at),
                "encrypted": b.encrypted,
                "ledger_seq": b.ledger_seq,
                "expires_on": crate::clock::date(b.expires_at),
            })
        );
        return Ok(());
    }
    println!(
        "Backed up to {} ({}{}), as of {} UTC. It goes beyond use on {}.",
        b.path.display(),
        crate::text::size(b.bytes),
        if b.encrypted { ", encrypted" } else { "" },
        crate::clock::minute(b.taken_at),
        crate::clock::date(b.expires_at)
    );
    if !b.encrypted {
        eprintln!(
            "note: the backup is not encrypted; anyone who can read it reads every customer's \
             data. Use --recipient KEY (see `lethe backup keygen`)."
        );
    }
    Ok(())
}

fn list(ctx: &Ctx, json: bool) -> anyhow::Result<()> {
    let session = ctx.session()?;
    let all = session.backups()?;
    if json {
        for b in &all {
            println!("{}", serde_json::to_string(b)?);
        }
        return Ok(());
    }
    if all.is_empty() {
        println!("No backups in the catalogue. `lethe backup create` takes one.");
        return Ok(());
    }
    let days = backup::retention_days(&session.read())?;
    println!("Backups are kept {days} days, then go beyond use and are pruned.");
    println!(
        "{:<20}  {:>9}  {:<9}  {:<10}  {:<8}  FILE",
        "TAKEN (UTC)", "SIZE", "ENCRYPTED", "EXPIRES", "STATE"
    );
    for b in &all {
        let state = match (&b.pruned_at, b.present, b.expired) {
            (Some(_), _, _) => "pruned",
            (None, false, _) => "missing",
            (None, true, true) => "expired",
            (None, true, false) => "kept",
        };
        println!(
            "{:<20}  {:>9}  {:<9}  {:<10}  {:<8}  {}",
            &b.taken_at[..b.taken_at.len().min(19)].replace('T', " "),
            crate::text::size(b.bytes),
            if b.encrypted { "yes" } else { "no" },
            b.expires_on,
            state,
            b.file
        );
    }
    Ok(())
}

fn prune(ctx: &Ctx, json: bool) -> anyhow::Result<()> {
    let session = ctx.session()?;
    let p = session.prune_backups()?;
    if json {
        println!("{}", serde_json::to_string(&p)?);
    } else {
        for f in &p.deleted {
            println!("deleted {f}");
        }
        for f in &p.missing {
            println!("already gone {f}");
        }
        for (f, why) in &p.failed {
            println!("could not delete {f}: {why}");
        }
        eprintln!(
            "Pruned {} expired backups ({} already gone); {} could not be deleted.",
            p.deleted.len(),
            p.missing.len(),
            p.failed.len()
        );
    }
    if !p.failed.is_empty() {
        anyhow::bail!(
            "{} expired backups could not be deleted (see above); fix their permissions and run prune again",
            p.failed.len()
        );
    }
    Ok(())
}

fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let ledger = match (args.ledger, args.without_ledger) {
        (Some(p), _) => LedgerSource::Given(p),
        (None, true) => LedgerSource::Without,
        (None, false) => LedgerSource::FromBackup,
    };
    let to = std::path::absolute(&args.to)?;
    let r = backup::restore(&RestoreOptions {
        backup: args.backup,
        to,
        ledger,
        identity: args.identity,
        now: crate::clock::now_ms(),
    })?;
    if let Some(w) = &r.warning {
        eprintln!("warning: {w}");
    }
    if args.json {
        println!("{}", serde_json::to_string(&r)?);
        return Ok(());
    }
    for e in &r.reapplied {
        println!(
            "erased again {} {} (erased {}{})",
            e.kind,
            e.id,
            e.erased_at,
            if e.present { "" } else { "; not in the backup" }
        );
    }
    let counts = if r.counts.is_empty() {
        "nothing".to_string()
    } else {
        r.counts
            .iter()
            .map(|(k, n)| format!("{n} {k}{}", if *n == 1 { "" } else { "s" }))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &r.ledger {
        Some(l) => eprintln!(
            "Restored to {}. Applied again from the erasure ledger {}: {counts} erased after the backup.",
            r.to.display(),
            l.display()
        ),
        None => eprintln!("Restored to {} without an erasure ledger.", r.to.display()),
    }
    Ok(())
}

fn settings(
    ctx: &Ctx,
    retention_days: Option<i64>,
    ledger: Option<PathBuf>,
    no_ledger_file: bool,
) -> anyhow::Result<()> {
    let session = ctx.session()?;
    let change = SettingsChange {
        retention_days,
        ledger_file: match (ledger, no_ledger_file) {
            (Some(p), _) => {
                ctx.refuse_database_file(&p, "the erasure ledger file")?;
                Some(Some(p))
            }
            (None, true) => Some(None),
            (None, false) => None,
        },
    };
    let s = if change.retention_days.is_none() && change.ledger_file.is_none() {
        backup::settings(&session.read())?
    } else {
        session.change_backup_settings(&change)?
    };
    println!("Backup retention: {} days", s.retention_days);
    match &s.ledger_file {
        Some(p) => println!("Erasure ledger file: {p}"),
        None => println!(
            "Erasure ledger file: none (the ledger is in the database only; set one with --ledger PATH so it survives the database's loss)"
        ),
    }
    Ok(())
}

fn ledger_check(ctx: &Ctx) -> anyhow::Result<()> {
    let session = ctx.session()?;
    let c = crate::ledger::check(session.store())?;
    println!(
        "The database's erasure ledger holds {} entries, chained and intact.",
        c.entries
    );
    match &c.file {
        Some((path, appended)) => println!(
            "The ledger file {} matches it ({appended} entries appended now).",
            path.display()
        ),
        None => println!("No ledger file is set (`lethe backup settings --ledger PATH`)."),
    }
    Ok(())
}
