//! `lethe delete-item`, `lethe delete`, `lethe report`.
//!
//! Output never echoes a name, email or phone number: lines of a deletion
//! list are named by their line number, profiles by their customer ID.

use std::fs::File;
use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::Ctx;
use crate::access::{self, Permission};
use crate::clock;
use crate::erase::{self, BulkOptions, BulkOutcome, ItemTarget, Reason, Resolution, Verify};
use crate::store::forensic::Scan;

#[derive(Debug, Args)]
pub struct DeleteItemArgs {
    /// The item ID (a message, email, call or voicemail); attachments and
    /// recordings by their own ID.
    #[arg(long)]
    pub item: String,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Customer IDs to delete.
    #[arg(long = "customer", num_args = 1..)]
    pub customers: Vec<String>,
    /// A file of customer IDs, emails or phone numbers, one per line.
    #[arg(long)]
    pub from_file: Option<PathBuf>,
    /// List what would be deleted and what is blocked; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// JSON Lines on standard output (docs/FORMAT.md): with --dry-run one
    /// line per profile and a summary; a deletion prints its receipts and
    /// summary as JSON Lines with or without it.
    #[arg(long)]
    pub json: bool,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// Delete every profile an email or phone matches, not only unique ones.
    #[arg(long)]
    pub all_matches: bool,
    /// Also write the receipts (JSON Lines) to this file.
    #[arg(long, value_name = "FILE")]
    pub receipts: Option<PathBuf>,
    /// Skip the byte scan of the database files after deleting (it reads
    /// the whole database once).
    #[arg(long, conflicts_with = "verify_all")]
    pub skip_verify: bool,
    /// Search the files for every erased value of every profile, not a
    /// sample (one more pass over the files per 20,000 values).
    #[arg(long)]
    pub verify_all: bool,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// One row per item (Contact): IDs, type, channel, time, deleted flag.
    Contacts(ReportArgs),
    /// One row per conversation: IDs, status, dates, deleted flag.
    Conversations(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// csv (a header, then one record per row) or jsonl (one JSON object
    /// per row, keyed by the same column names; docs/FORMAT.md).
    #[arg(long, default_value = "csv", value_parser = ["csv", "jsonl"])]
    pub format: String,
}

/// Asks on the terminal; without one, only `--yes` may confirm.
fn confirm(yes: bool, question: &str) -> anyhow::Result<()> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "nothing was deleted: standard input is not a terminal, so the deletion cannot be \
             confirmed. Run it again with --yes to confirm."
        );
    }
    eprint!("{question} Type yes to confirm: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if answer.trim().eq_ignore_ascii_case("yes") {
        Ok(())
    } else {
        anyhow::bail!("nothing was deleted: the deletion was not confirmed.")
    }
}

fn describe_scan(scan: &Scan, elsewhere: usize) -> String {
    let mut s = format!(
        "{} ({:.1} MB read)",
        scan.headline().trim_end_matches('.'),
        scan.bytes_scanned as f64 / 1e6,
    );
    if elsewhere > 0 {
        s += &format!(" ({elsewhere} more are also held by other live records)");
    }
    s
}

/// Fails a command whose change (`done`, e.g. "deletion") committed but
/// whose verification did not pass, saying what to run `again`.
pub(super) fn scan_failed(scan: &Option<Scan>, done: &str, again: &str) -> anyhow::Result<()> {
    if let Some(s) = scan.as_ref().filter(|s| !s.is_clean()) {
        anyhow::bail!(
            "the {done} committed, but erased data is still in the database files ({}). \
             Close other programs that hold the database open, then run {again} again, or \
             report this as a bug.",
            s.verdict()
        );
    }
    Ok(())
}

pub fn delete_item(ctx: &Ctx, args: DeleteItemArgs) -> anyhow::Result<()> {
    let mut session = ctx.session()?;
    let target = erase::resolve_item(session.store(), &args.item)?;
    let preview = match erase::preview_item(session.store(), &target) {
        // Already gone: what the caller wants is true, so this is no failure.
        Err(e @ crate::Error::AlreadyDeleted { .. }) => {
            eprintln!("lethe: {e}");
            return Ok(());
        }
        other => other?,
    };
    if !session.actor().can(Permission::Delete) {
        access::require(
            session.store(),
            session.actor(),
            Permission::Delete,
            crate::audit::DELETE_ITEM,
        )?;
    }
    eprintln!("This will delete:");
    for line in &preview.lines {
        eprintln!("  {line}");
    }
    if matches!(target, ItemTarget::Thread { .. }) {
        eprintln!(
            "An email is deleted with its whole thread: every message in it and their attachments."
        );
    }
    eprintln!("{}", erase::what_stays(&target));
    confirm(args.yes, "Delete it? Deleted data can't be recovered.")?;
    let done = session.delete_item(&target, Verify::Full)?;
    // Every count, even a zero one, so a script reads the same shape.
    println!(
        "Deleted {}, {} and {} at {}.",
        crate::text::plural(done.items, "item"),
        crate::text::plural(done.attachments, "attachment"),
        crate::text::plural(done.recordings, "recording"),
        clock::format_ms(done.deleted_at)
    );
    if !done.checkpoint_completed {
        eprintln!(
            "warning: another program kept old copies of the data in the write-ahead log; \
             close it and run `lethe delete-item` again to finish."
        );
    }
    if let Some(w) = &done.ledger_warning {
        eprintln!("warning: {w}");
    }
    if let Some(scan) = &done.verification {
        eprintln!("{}", describe_scan(scan, done.values_held_elsewhere));
    }
    if let Some(head) = &done.audit_head {
        println!("{}", audit_anchor(head));
    }
    scan_failed(&done.verification, "deletion", "`lethe delete-item`")
}

/// The audit head after a deletion's own entry, worded for keeping.
pub(super) fn audit_anchor(head: &crate::audit::Head) -> String {
    format!(
        "Audit entry {}, head {} (keep it: `lethe audit verify --head HASH` later proves no \
         entry up to it was removed).",
        head.seq, head.hash
    )
}

/// One requested target: where it came from and what it names.
struct Requested {
    source: String,
    lookup: erase::Lookup,
    resolution: Resolution,
}

fn resolve_all(
    ctx_store: &crate::store::Store,
    args: &DeleteArgs,
) -> anyhow::Result<Vec<Requested>> {
    let mut entries: Vec<(String, String)> = args
        .customers
        .iter()
        .map(|c| (format!("--customer {c}"), c.clone()))
        .collect();
    if let Some(path) = &args.from_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the list {}", path.display()))?;
        for (n, line) in erase::target_lines(&text) {
            entries.push((format!("{} line {n}", path.display()), line.to_string()));
        }
    }
    if entries.is_empty() {
        anyhow::bail!(
            "nothing to delete: give customer IDs with --customer ID, or a list with --from-file FILE."
        );
    }
    entries
        .into_iter()
        .map(|(source, text)| {
            let (lookup, resolution) = erase::resolve_target(ctx_store, &text)?;
            Ok(Requested {
                source,
                lookup,
                resolution,
            })
        })
        .collect()
}

#[derive(serde::Serialize)]
struct Summary {
    deleted: usize,
    blocked: usize,
    not_found: usize,
    ambiguous: usize,
    already_deleted: usize,
    failed: usize,
    checkpoint_completed: bool,
    verification: Option<Scan>,
    values_held_elsewhere: usize,
}

pub fn delete(ctx: &Ctx, args: DeleteArgs) -> anyhow::Result<()> {
    let mut session = ctx.session()?;
    let requested = resolve_all(session.store(), &args)?;

    let mut ids: Vec<String> = Vec::new();
    let (mut not_found, mut ambiguous, mut already) = (0, 0, 0);
    for r in &requested {
        match &r.resolution {
            Resolution::Found(id) => ids.push(id.clone()),
            Resolution::Ambiguous(found) if args.all_matches => ids.extend(found.iter().cloned()),
            Resolution::Ambiguous(found) => {
                ambiguous += 1;
                eprintln!(
                    "ambiguous: {} ({}) matches {} profiles: {}; not deleted (use --all-matches to delete all of them)",
                    crate::text::safe_line(&r.source),
                    r.lookup.as_str(),
                    found.len(),
                    found.join(", ")
                );
            }
            Resolution::AlreadyDeleted(id) => {
                already += 1;
                eprintln!("already deleted: {id}");
            }
            Resolution::NotFound => {
                not_found += 1;
                eprintln!(
                    "not found: {} ({})",
                    crate::text::safe_line(&r.source),
                    r.lookup.as_str()
                );
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));

    if args.dry_run {
        let (mut would, mut blocked) = (0, 0);
        for id in &ids {
            let p = erase::preview_profile(session.store(), id)?;
            match &p.blocked_by {
                Some((conv, status)) => {
                    blocked += 1;
                    if args.json {
                        let line = serde_json::json!({
                            "customer_id": id,
                            "would_delete": false,
                            "blocked_by": {"conversation_id": conv, "status": status},
                        });
                        println!("{line}");
                    } else {
                        println!("blocked {id}: conversation {conv} is {status}");
                    }
                }
                None => {
                    would += 1;
                    if args.json {
                        let removes: serde_json::Map<String, serde_json::Value> = p
                            .removes
                            .iter()
                            .map(|(k, n)| (k.clone(), serde_json::json!(n)))
                            .collect();
                        let line = serde_json::json!({
                            "customer_id": id,
                            "would_delete": true,
                            "removes": removes,
                        });
                        println!("{line}");
                    } else {
                        println!("would delete {id}: {}", p.removes_line());
                    }
                }
            }
        }
        if args.json {
            let summary = serde_json::json!({"summary": {
                "dry_run": true,
                "would_delete": would,
                "blocked": blocked,
                "not_found": not_found,
                "ambiguous": ambiguous,
                "already_deleted": already,
            }});
            println!("{summary}");
        }
        eprintln!(
            "Dry run, nothing changed: {would} would be deleted, {blocked} blocked by an open \
             conversation, {not_found} not found, {ambiguous} ambiguous, {already} already deleted."
        );
        return Ok(());
    }
    if ids.is_empty() {
        eprintln!(
            "Nothing to delete: {not_found} not found, {ambiguous} ambiguous, {already} already deleted."
        );
        if not_found + ambiguous > 0 {
            return Err(super::NotDone(format!(
                "nothing was deleted: {not_found} not found and {ambiguous} ambiguous (see the lines above)"
            ))
            .into());
        }
        return Ok(());
    }
    if !session.actor().can(Permission::Delete) {
        access::require(
            session.store(),
            session.actor(),
            Permission::Delete,
            crate::audit::DELETE_BULK,
        )?;
    }
    // Opened before anything is deleted, so a bad path costs nothing.
    if let Some(path) = &args.receipts {
        ctx.refuse_database_file(path, "the receipts file")?;
    }
    let mut receipts_file = match &args.receipts {
        Some(path) => Some(BufWriter::new(File::create(path).with_context(|| {
            format!("cannot write the receipts file {}", path.display())
        })?)),
        None => None,
    };
    confirm(
        args.yes,
        &format!(
            "Delete {}? Deleted profiles can't be recovered.",
            if ids.len() == 1 {
                format!("customer profile {}", ids[0])
            } else {
                format!("{} customer profiles", ids.len())
            }
        ),
    )?;

    let options = BulkOptions {
        verify: Verify::chosen(args.skip_verify, args.verify_all),
        ..BulkOptions::default()
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(ids.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} profiles, {eta} left")
        {
            bar.set_style(style);
        }
        bar
    });
    let single = ids.len() == 1;
    let mut held_back = Vec::new();
    let mut write_error: Option<std::io::Error> = None;
    // A receipt that cannot be written as JSON: the first, reported at
    // the end rather than written as an empty line.
    let mut unwritten: Option<String> = None;
    // Each line is a receipt (or the summary) as JSON, `what` naming it if
    // it cannot be written.
    let mut emit =
        |json: serde_json::Result<String>, what: &str, file: &mut Option<BufWriter<File>>| {
            let line = match json {
                Ok(line) => line,
                Err(e) => {
                    unwritten.get_or_insert(format!("{what}: {e}"));
                    return;
                }
            };
            println!("{line}");
            if let Some(f) = file.as_mut() {
                if let Err(e) = writeln!(f, "{line}") {
                    write_error.get_or_insert(e);
                }
            }
        };
    let result = session.delete_profiles(
        &ids,
        crate::session::BulkHow {
            reason: Reason::Manual,
            options,
            cancel: None,
        },
        &mut |p| {
            for (id, o) in p.outcomes {
                if let BulkOutcome::Blocked {
                    conversation_id,
                    status,
                } = o
                {
                    let msg = format!(
                        "blocked: {id} has conversation {conversation_id} in status {status}; \
                         close it before deleting the profile"
                    );
                    match &bar {
                        Some(b) => b.println(msg),
                        None => eprintln!("{msg}"),
                    }
                }
                if let BulkOutcome::Failed(e) = o {
                    eprintln!("failed: {id}: {e}");
                }
            }
            if single {
                held_back.extend(p.receipts.iter().cloned());
            } else {
                for r in p.receipts {
                    emit(serde_json::to_string(r), &r.customer_id, &mut receipts_file);
                }
            }
            match &bar {
                Some(b) => b.set_position(p.done as u64),
                None => eprintln!("progress: {} of {} profiles", p.done, p.total),
            }
        },
    )?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    // A single deletion's receipt carries its own verification.
    for mut r in held_back {
        r.verification = result.verification.clone();
        r.values_held_elsewhere = result.values_held_elsewhere;
        emit(
            serde_json::to_string(&r),
            &r.customer_id,
            &mut receipts_file,
        );
    }
    let summary = Summary {
        deleted: result.deleted,
        blocked: result.blocked,
        not_found: not_found + result.not_found,
        ambiguous,
        already_deleted: already + result.already_deleted,
        failed: result.failed,
        checkpoint_completed: result.checkpoint_completed,
        verification: result.verification.clone(),
        values_held_elsewhere: result.values_held_elsewhere,
    };
    if !single {
        emit(
            serde_json::to_string(&serde_json::json!({ "summary": &summary })),
            "the summary",
            &mut receipts_file,
        );
    }
    if let Some(f) = receipts_file.as_mut() {
        if let Err(e) = f.flush() {
            write_error.get_or_insert(e);
        }
    }
    eprintln!(
        "Deleted {} profiles; {} blocked by an open conversation, {} not found, {} ambiguous, \
         {} already deleted{}.",
        summary.deleted,
        summary.blocked,
        summary.not_found,
        summary.ambiguous,
        summary.already_deleted,
        if summary.failed > 0 {
            format!(", {} failed", summary.failed)
        } else {
            String::new()
        }
    );
    if let Some(scan) = &result.verification {
        eprintln!("{}", describe_scan(scan, result.values_held_elsewhere));
    }
    if let Some(w) = &result.ledger_warning {
        eprintln!("warning: {w}");
    }
    if !result.checkpoint_completed {
        eprintln!(
            "warning: another program kept old copies of the data in the write-ahead log; \
             close it and run any deletion again to finish the checkpoint."
        );
    }
    if let Some(e) = write_error {
        anyhow::bail!(
            "the profiles were deleted, but the receipts file could not be written ({e})"
        );
    }
    if let Some(e) = unwritten {
        anyhow::bail!(
            "the profiles were deleted, but a receipt could not be written as JSON ({e}); \
             the audit trail holds each deletion"
        );
    }
    if result.failed > 0 {
        anyhow::bail!(
            "{} profiles could not be deleted (see the lines above); they are unchanged.",
            result.failed
        );
    }
    scan_failed(
        &result.verification,
        "deletion",
        "`lethe delete` for the same IDs",
    )?;
    let left = summary.blocked + summary.not_found + summary.ambiguous;
    if left > 0 {
        return Err(super::NotDone(format!(
            "{left} of the requested profiles were not deleted ({} blocked by an open \
             conversation, {} not found, {} ambiguous); see the lines above",
            summary.blocked, summary.not_found, summary.ambiguous
        ))
        .into());
    }
    Ok(())
}

pub fn report(ctx: &Ctx, c: ReportCommand) -> anyhow::Result<()> {
    let session = ctx.session()?;
    let (args, contacts) = match c {
        ReportCommand::Contacts(a) => (a, true),
        ReportCommand::Conversations(a) => (a, false),
    };
    let Some(format) = crate::report::Format::parse(&args.format) else {
        anyhow::bail!(
            "\"{}\" is not a report format; use csv or jsonl",
            crate::text::safe_line(&args.format)
        );
    };
    let output = args.output;
    if let Some(path) = &output {
        ctx.refuse_database_file(path, "the report file")?;
    }
    let mut out: Box<dyn Write> = match &output {
        Some(path) => {
            Box::new(BufWriter::new(File::create(path).with_context(|| {
                format!("cannot write the report to {}", path.display())
            })?))
        }
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let written = if contacts {
        crate::report::write_contacts(&session.read(), &mut out, format)?
    } else {
        crate::report::write_conversations(&session.read(), &mut out, format)?
    };
    if let Some(path) = &output {
        eprintln!(
            "Wrote {} rows ({} of deleted customers) to {}.",
            written.rows,
            written.deleted_customers_rows,
            path.display()
        );
    }
    Ok(())
}
