//! `lethe request ...`: data subject requests, from intake to receipt.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::Ctx;
use crate::clock;
use crate::requests::{self, Identifiers, Kind, NewRequest, Regulation, Request, RunOutcome};

#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// Record a request from a data subject.
    Add(AddArgs),
    /// Record a batch of requests from a CSV file (all or nothing).
    Import {
        /// CSV with a header: type,regulation,email,phone,external_id,customer_id,received,note
        file: PathBuf,
    },
    /// The queue, by due date.
    List {
        /// Only requests past their due date.
        #[arg(long)]
        overdue: bool,
        /// Include completed and rejected requests.
        #[arg(long)]
        all: bool,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// One request, with the profiles it matches.
    Show {
        id: i64,
        /// Print it as one JSON object: the request as `list --json`
        /// prints it, and the matching profiles (docs/FORMAT.md).
        #[arg(long)]
        json: bool,
    },
    /// Carry out a request: erase the matched profiles, or write the export.
    Run {
        id: i64,
        /// Show what would happen; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// Where an access request's export file is written.
        #[arg(long, default_value = ".")]
        out: PathBuf,
        /// A matched profile that belongs to the requester (repeat for
        /// each). Required when the identifiers match more than one
        /// profile: the run then acts on these alone.
        #[arg(long = "customer", value_name = "ID")]
        customers: Vec<String>,
    },
    /// Extend the deadline once (GDPR: two months; CCPA: 45 days).
    Extend {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Reject a request (its identifiers are wiped).
    Reject { id: i64 },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// erasure or access
    #[arg(long = "type")]
    pub kind: String,
    #[arg(long, default_value = "gdpr")]
    pub regulation: String,
    #[arg(long)]
    pub email: Vec<String>,
    #[arg(long)]
    pub phone: Vec<String>,
    #[arg(long)]
    pub external_id: Vec<String>,
    #[arg(long)]
    pub customer: Vec<String>,
    /// When the request arrived (YYYY-MM-DD; default: now).
    #[arg(long)]
    pub received: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
}

pub fn run(ctx: &Ctx, c: RequestCommand) -> anyhow::Result<()> {
    match c {
        RequestCommand::Add(a) => add(ctx, a),
        RequestCommand::Import { file } => import(ctx, file),
        RequestCommand::List { overdue, all, json } => list(ctx, overdue, all, json),
        RequestCommand::Show { id, json } => show(ctx, id, json),
        RequestCommand::Run {
            id,
            dry_run,
            yes,
            out,
            customers,
        } => run_one(
            ctx,
            RunArgs {
                id,
                dry_run,
                yes,
                out,
                customers,
            },
        ),
        RequestCommand::Extend { id, reason } => {
            let mut session = ctx.session()?;
            let r = session.extend_request(id, &reason)?;
            println!("Request {id} is now due {}.", clock::date(r.due_at));
            Ok(())
        }
        RequestCommand::Reject { id } => {
            ctx.session()?.reject_request(id)?;
            println!("Request {id} rejected; its identifiers were wiped.");
            Ok(())
        }
    }
}

fn add(ctx: &Ctx, a: AddArgs) -> anyhow::Result<()> {
    let kind = Kind::parse(&a.kind)
        .ok_or_else(|| anyhow::anyhow!("--type \"{}\" is not erasure or access", a.kind))?;
    let regulation = Regulation::parse(&a.regulation).ok_or_else(|| {
        anyhow::anyhow!(
            "--regulation \"{}\" is not gdpr, ccpa or other",
            a.regulation
        )
    })?;
    let mut session = ctx.session()?;
    let received_at = match &a.received {
        None => session.now(),
        Some(t) => clock::parse(t)
            .ok_or_else(|| anyhow::anyhow!("--received \"{t}\" is not a date; use YYYY-MM-DD"))?,
    };
    let ids = session.add_requests(vec![NewRequest {
        kind,
        regulation,
        identifiers: Identifiers {
            emails: a.email,
            phones: a.phone,
            external_ids: a.external_id,
            customer_ids: a.customer,
        },
        received_at,
        note: a.note,
    }])?;
    let id = ids[0];
    let r = requests::get(&session.read(), id)?;
    println!(
        "Request {id} recorded ({} {}), due {}.",
        r.regulation.as_str().to_uppercase(),
        r.kind.as_str(),
        clock::date(r.due_at)
    );
    Ok(())
}

fn import(ctx: &Ctx, file: PathBuf) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let new = match requests::parse_csv(&text, clock::now_ms()) {
        Ok(n) => n,
        Err(errors) => {
            for e in &errors {
                eprintln!("{}: {e}", file.display());
            }
            anyhow::bail!(
                "{} bad rows in {}; nothing was imported — fix them and import the file again",
                errors.len(),
                file.display()
            );
        }
    };
    let ids = ctx.session()?.add_requests(new)?;
    println!(
        "Imported {} requests (IDs {}).",
        ids.len(),
        ids.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

fn list(ctx: &Ctx, overdue: bool, all: bool, json: bool) -> anyhow::Result<()> {
    let session = ctx.session()?;
    let now = session.now();
    let rows: Vec<Request> = requests::list(&session.read(), all)?
        .into_iter()
        .filter(|r| !overdue || r.is_overdue(now))
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    println!(
        "{:>5}  {:<8}  {:<5}  {:<11}  {:<10}",
        "ID", "TYPE", "REG", "STATUS", "DUE"
    );
    for r in &rows {
        let flag = if r.is_overdue(now) {
            "OVERDUE"
        } else if r.is_due_soon(now) {
            "due within 7 days"
        } else {
            ""
        };
        println!(
            "{:>5}  {:<8}  {:<5}  {:<11}  {:<10}  {flag}",
            r.id,
            r.kind.as_str(),
            r.regulation.as_str(),
            r.status.as_str(),
            clock::date(r.due_at)
        );
    }
    Ok(())
}

fn show(ctx: &Ctx, id: i64, json: bool) -> anyhow::Result<()> {
    let session = ctx.session()?;
    let r = requests::get(&session.read(), id)?;
    if json {
        let matches = match r.status.is_closed() {
            true => None,
            false => Some(
                requests::plan(session.store(), &r)?
                    .matches
                    .iter()
                    .map(|m| {
                        serde_json::json!({
                            "id": m.id,
                            "name": m.name,
                            "open_status": m.open_status,
                        })
                    })
                    .collect::<Vec<_>>(),
            ),
        };
        return super::print_json(&serde_json::json!({
            "request": r,
            "blocked_reason": r.blocked_reason(),
            "matches": matches,
        }));
    }
    println!(
        "Request {}: {} ({}), {}",
        r.id,
        r.kind.as_str(),
        r.regulation.as_str().to_uppercase(),
        r.status.as_str()
    );
    println!(
        "Received {}, due {}{}",
        clock::date(r.received_at),
        clock::date(r.due_at),
        if r.extended_at.is_some() {
            " (extended)"
        } else {
            ""
        }
    );
    if let Some(i) = &r.identifiers {
        println!("Identifiers: {}", i.describe());
    }
    if let Some(why) = r.blocked_reason() {
        println!("Blocked: {why}");
    }
    if !r.status.is_closed() {
        let plan = requests::plan(session.store(), &r)?;
        println!("Matching profiles: {}", plan.matches.len());
        for m in &plan.matches {
            let open = m
                .open_status
                .as_deref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default();
            // Customer text is untrusted: no escape sequence reaches the
            // terminal.
            let name = m.name.as_deref().map(crate::text::safe_line);
            println!(
                "  {}  {}{open}",
                m.id,
                name.as_deref().unwrap_or("(no name)")
            );
        }
    }
    if let Some(receipt) = &r.receipt {
        println!("Receipt: {}", serde_json::to_string_pretty(receipt)?);
    }
    Ok(())
}

struct RunArgs {
    id: i64,
    dry_run: bool,
    yes: bool,
    out: PathBuf,
    customers: Vec<String>,
}

fn run_one(ctx: &Ctx, args: RunArgs) -> anyhow::Result<()> {
    let RunArgs {
        id,
        dry_run,
        yes,
        out,
        customers,
    } = args;
    let mut session = ctx.session()?;
    let r = requests::get(&session.read(), id)?;
    let plan = requests::plan(session.store(), &r)?;
    println!(
        "Request {id}: {} matches {} profile(s).",
        r.kind.as_str(),
        plan.matches.len()
    );
    // Only profiles the operator confirmed, or the one match there is.
    let chosen = requests::chosen(id, &plan.matches, &customers)?;
    let is_chosen = |cid: &str| chosen.iter().any(|c| c.id == cid);
    if chosen.len() < plan.matches.len() {
        for m in plan.matches.iter().filter(|m| !is_chosen(&m.id)) {
            println!("  left     {}  (not named with --customer)", m.id);
        }
    }
    if r.kind == Kind::Erasure {
        for p in plan.previews.iter().filter(|p| is_chosen(&p.customer_id)) {
            match &p.blocked_by {
                Some((conv, status)) => println!(
                    "  blocked  {}  conversation {conv} is {status}",
                    p.customer_id
                ),
                None => {
                    let counts: Vec<String> = p
                        .removes
                        .iter()
                        .filter(|(_, n)| *n > 0)
                        .map(|(k, n)| format!("{n} {k}"))
                        .collect();
                    println!("  delete   {}  {}", p.customer_id, counts.join(", "));
                }
            }
        }
    } else {
        for m in &chosen {
            println!("  export   {}", m.id);
        }
    }
    if dry_run {
        println!("Dry run: nothing was changed.");
        return Ok(());
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            anyhow::bail!("refusing to run request {id} without confirmation; pass --yes when running from a script");
        }
        print!("Carry out request {id}? This can't be undone. Type yes to continue: ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if answer.trim() != "yes" {
            println!("Nothing was changed.");
            return Ok(());
        }
    }
    let target = requests::RunTarget {
        confirmed: &customers,
        export_dir: &out,
    };
    match session.run_request(id, target)? {
        RunOutcome::Completed(r) => {
            println!("Request {id} completed; its identifiers were wiped.");
            if let Some(receipt) = r.receipt {
                println!("{}", serde_json::to_string_pretty(&receipt)?);
            }
        }
        RunOutcome::Blocked(r) => {
            println!(
                "Request {id} is blocked: {}",
                r.blocked_reason().unwrap_or_default()
            );
        }
    }
    Ok(())
}
