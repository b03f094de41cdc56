//! `lethe retention show | set | run`: the policy and its rolling deletion
//! job, for cron or a systemd timer.

use std::io::IsTerminal;
use std::sync::atomic::AtomicBool;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use super::Ctx;
use crate::clock;
use crate::erase::Verify;
use crate::retention::{self, Policy, SweepOptions};

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Show the policy and what it would delete now.
    Show {
        /// Print it as one JSON object (docs/FORMAT.md).
        #[arg(long)]
        json: bool,
    },
    /// Change the policy.
    Set {
        /// Delete profiles this many days after their last Contact (at least 365).
        #[arg(long, conflicts_with = "default", required_unless_present = "default")]
        days: Option<i64>,
        /// Confirm: "I understand, use custom settings".
        #[arg(long)]
        i_understand: bool,
        /// Keep everything (the default policy).
        #[arg(long)]
        default: bool,
    },
    /// Delete every overdue profile now. Exits 0 when the job completed,
    /// even if some profiles were blocked by open conversations.
    Run {
        /// List what would be deleted and what is blocked; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Skip the byte-level verification of the database files.
        #[arg(long, conflicts_with = "verify_all")]
        no_verify: bool,
        /// Search the files for every erased value of every profile, not
        /// a sample (one more pass over the files per 20,000 values).
        #[arg(long)]
        verify_all: bool,
        /// Print the report as one JSON object (docs/FORMAT.md); progress
        /// still goes to standard error.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(ctx: &Ctx, c: RetentionCommand) -> anyhow::Result<()> {
    match c {
        RetentionCommand::Show { json } => show(ctx, json),
        RetentionCommand::Set {
            days,
            i_understand,
            default,
        } => set(ctx, days, i_understand, default),
        RetentionCommand::Run {
            dry_run,
            no_verify,
            verify_all,
            json,
        } => sweep(
            ctx,
            SweepHow {
                dry_run,
                verify: Verify::chosen(no_verify, verify_all),
                json,
            },
        ),
    }
}

fn show(ctx: &Ctx, json: bool) -> anyhow::Result<()> {
    let session = ctx.session()?;
    let policy = retention::policy(&session.read())?;
    if json {
        let preview = match policy {
            Policy::DeleteAfter { days } => Some(session.retention_preview(days)?),
            Policy::RetainForever => None,
        };
        let last = retention::last_run(&session.read())?.map(|r| {
            serde_json::json!({
                "started_at": clock::format_ms(r.started_at),
                "finished_at": r.finished_at.map(clock::format_ms),
                "state": r.state,
                "deleted": r.deleted,
                "blocked": r.blocked,
            })
        });
        let days = match policy {
            Policy::DeleteAfter { days } => Some(days),
            Policy::RetainForever => None,
        };
        return super::print_json(&serde_json::json!({
            "policy": {
                "kind": if days.is_some() { "custom" } else { "default" },
                "days": days,
                "describe": policy.describe(),
            },
            "preview": preview.map(|p| serde_json::json!({
                "days": p.days,
                "cutoff": clock::format_ms(p.cutoff),
                "due_now": p.due_now,
                "blocked": p.blocked,
                "next_30_days": p.next_30_days,
                "next_90_days": p.next_90_days,
            })),
            "last_run": last,
        }));
    }
    println!("{}", policy.describe());
    if let Policy::DeleteAfter { days } = policy {
        let p = session.retention_preview(days)?;
        println!("Due for deletion now:            {}", p.due_now);
        println!("Due but blocked by open work:    {}", p.blocked);
        println!("Becoming due in the next 30 days: {}", p.next_30_days);
        println!("Becoming due in the next 90 days: {}", p.next_90_days);
        println!(
            "Cutoff (last Contact on or before): {}",
            clock::format_ms(p.cutoff)
        );
    }
    if let Some(run) = retention::last_run(&session.read())? {
        let end = run
            .finished_at
            .map(clock::minute)
            .unwrap_or_else(|| "-".into());
        println!(
            "Last sweep: started {} UTC, finished {end}, {}, {} deleted, {} blocked",
            clock::minute(run.started_at),
            run.state,
            run.deleted,
            run.blocked
        );
    }
    Ok(())
}

fn set(ctx: &Ctx, days: Option<i64>, confirmed: bool, default: bool) -> anyhow::Result<()> {
    let mut session = ctx.session()?;
    let new = match (days, default) {
        (_, true) => Policy::RetainForever,
        (Some(days), false) => Policy::DeleteAfter { days },
        (None, false) => anyhow::bail!("give --days N (at least 365) or --default"),
    };
    let old = session.set_retention(new, confirmed)?;
    println!(
        "Retention policy changed.\n  was: {}\n  now: {}",
        old.describe(),
        new.describe()
    );
    Ok(())
}

/// How `retention run` was asked to run.
struct SweepHow {
    dry_run: bool,
    verify: Verify,
    json: bool,
}

fn sweep(ctx: &Ctx, how: SweepHow) -> anyhow::Result<()> {
    let SweepHow {
        dry_run,
        verify,
        json,
    } = how;
    let mut session = ctx.session()?;
    let tty = std::io::stderr().is_terminal();
    let bar = tty.then(|| {
        let b = ProgressBar::new(0);
        b.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} profiles {msg} ({eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    });
    let mut last_line = 0u64;
    let mut on_progress = |p: retention::Progress| {
        if let Some(b) = &bar {
            b.set_length(p.total);
            b.set_position(p.done);
            b.set_message(format!("{} deleted, {} blocked", p.deleted, p.blocked));
        } else if p.done >= last_line + 1000 || (p.done == p.total && p.done != last_line) {
            last_line = p.done;
            eprintln!(
                "progress: {}/{} profiles, {} deleted, {} blocked",
                p.done, p.total, p.deleted, p.blocked
            );
        }
    };
    let cancel = AtomicBool::new(false);
    let opts = SweepOptions {
        dry_run,
        verify,
        ..SweepOptions::default()
    };
    let report = session.sweep(
        &opts,
        retention::Watch {
            progress: &mut on_progress,
            cancel: &cancel,
        },
    )?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if json {
        super::print_json(&report)?;
        if !report.failed.is_empty() {
            anyhow::bail!(
                "{} profiles could not be deleted; see \"failed\" in the report",
                report.failed.len()
            );
        }
        return super::erase::scan_failed(&report.verification, "sweep", "`lethe retention run`");
    }
    if dry_run {
        println!("Dry run: nothing was deleted.");
        for id in &report.would_delete {
            println!("would delete  {id}");
        }
    }
    for b in &report.blocked {
        println!(
            "blocked       {}  conversation {} is {}",
            b.customer_id, b.conversation_id, b.status
        );
    }
    for (id, why) in &report.failed {
        println!("failed        {id}  {why}");
    }
    let verdict = match &report.verification {
        Some(s) => format!(", {}", s.headline().trim_end_matches('.')),
        None => String::new(),
    };
    println!(
        "Retention ({} days, last Contact on or before {}): {} {}, {} blocked by open conversations, {} failed{}{}",
        report.days,
        report.cutoff,
        if dry_run { report.would_delete.len() as u64 } else { report.deleted },
        if dry_run { "would be deleted" } else { "deleted" },
        report.blocked.len(),
        report.failed.len(),
        if report.checkpoint_completed { "" } else { ", WAL checkpoint incomplete (readers kept it open; it completes on the next run)" },
        verdict
    );
    if let Some(w) = &report.ledger_warning {
        eprintln!("warning: {w}");
    }
    if !report.failed.is_empty() {
        anyhow::bail!(
            "{} profiles could not be deleted; see the lines above",
            report.failed.len()
        );
    }
    super::erase::scan_failed(&report.verification, "sweep", "`lethe retention run`")
}
