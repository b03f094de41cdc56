//! `lethe scan` and `lethe redact`.

use std::io::{BufRead, IsTerminal, Write};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;

use super::Ctx;
use crate::access::{self, Permission};
use crate::audit;
use crate::pii::Kind;
use crate::triage::{self, Progress};
use serde_json::json;

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Print the counts and every open finding (item ID, kind, masked
    /// preview, confidence) as one JSON object, for `lethe redact` scripts
    /// (docs/FORMAT.md).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RedactArgs {
    #[arg(long)]
    pub item: String,
    /// Only these kinds (card, iban, ssn, email, phone, ip), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub kinds: Vec<String>,
    #[arg(long)]
    pub yes: bool,
    /// List what would be replaced by labels; change nothing.
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
}

pub fn scan(ctx: &Ctx, args: ScanArgs) -> anyhow::Result<()> {
    let mut session = ctx.session()?;
    let started = Instant::now();
    let mut progress = ScanProgress::new();
    let result = session.scan(&mut progress);
    progress.finish();
    let summary = result.context(
        "the scan stopped; the items scanned so far are kept, run `lethe scan` again to continue",
    )?;
    // A first scan writes a lot of WAL; fold it into the database now.
    session.store().checkpoint_truncate()?;
    let open = triage::open_by_kind(&session.read())?;
    if args.json {
        return print_scan_json(&session.read(), &summary, &open);
    }
    println!(
        "Scanned {} item{} with text ({}) in {:.1} s.",
        summary.items,
        if summary.items == 1 { "" } else { "s" },
        size(summary.bytes),
        started.elapsed().as_secs_f64()
    );
    println!("{:<6} {:>8} {:>8}", "KIND", "NEW", "OPEN");
    for kind in Kind::ALL {
        println!(
            "{:<6} {:>8} {:>8}",
            kind.label(),
            summary.found.get(&kind).copied().unwrap_or(0),
            open.get(&kind).copied().unwrap_or(0)
        );
    }
    println!(
        "{:<6} {:>8} {:>8}",
        "total",
        summary.total_found(),
        open.values().sum::<u64>()
    );
    if summary.suppressed > 0 {
        println!(
            "{} match{} of dismissed findings not reported again.",
            summary.suppressed,
            if summary.suppressed == 1 { "" } else { "es" }
        );
    }
    if summary.not_utf8 > 0 {
        eprintln!(
            "lethe: note: {}",
            crate::triage::not_utf8_note(summary.not_utf8)
        );
    }
    Ok(())
}

/// `scan --json`: the scan's counts, the open findings per kind, and
/// every open finding, newest first (docs/FORMAT.md, "scan --json").
fn print_scan_json(
    conn: &crate::store::Read,
    summary: &triage::ScanSummary,
    open: &std::collections::BTreeMap<Kind, u64>,
) -> anyhow::Result<()> {
    let per_kind = |m: &std::collections::BTreeMap<Kind, u64>| {
        Kind::ALL
            .iter()
            .map(|k| {
                (
                    k.as_str().to_string(),
                    json!(m.get(k).copied().unwrap_or(0)),
                )
            })
            .collect::<serde_json::Map<_, _>>()
    };
    let filter = triage::QueueFilter {
        kinds: vec![],
        min_confidence: 0.0,
        limit: usize::MAX,
        offset: 0,
    };
    let findings: Vec<serde_json::Value> = triage::queue(conn, &filter)?
        .into_iter()
        .map(|r| {
            json!({
                "finding_id": r.finding_id,
                "item_id": r.item_id,
                "customer_id": r.customer_id,
                "field": r.field.as_str(),
                "kind": r.kind.as_str(),
                "confidence": r.confidence,
                "preview": r.preview,
            })
        })
        .collect();
    let out = json!({
        "scanned": {
            "items": summary.items,
            "bytes": summary.bytes,
            "suppressed": summary.suppressed,
            "not_utf8": summary.not_utf8,
            "new": per_kind(&summary.found),
        },
        "open": per_kind(open),
        "findings": findings,
    });
    super::print_json(&out)
}

fn size(bytes: u64) -> String {
    format!("{} of text", crate::text::size(bytes))
}

/// A bar on a terminal; on a pipe, a plain line every few seconds.
struct ScanProgress {
    bar: Option<indicatif::ProgressBar>,
    total: u64,
    done: u64,
    last_line: Instant,
}

impl ScanProgress {
    fn new() -> ScanProgress {
        ScanProgress {
            bar: None,
            total: 0,
            done: 0,
            last_line: Instant::now(),
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Progress for ScanProgress {
    fn start(&mut self, items: u64) {
        self.total = items;
        if std::io::stderr().is_terminal() && items > 0 {
            let bar = indicatif::ProgressBar::new(items);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "scanning {bar:30} {pos}/{len} items, {per_sec}, {eta} left",
            ) {
                bar.set_style(style);
            }
            self.bar = Some(bar);
        }
    }

    fn advance(&mut self, items: u64, _bytes: u64) {
        self.done += items;
        if let Some(bar) = &self.bar {
            bar.inc(items);
        } else if self.last_line.elapsed() >= Duration::from_secs(2) {
            self.last_line = Instant::now();
            eprintln!("scanned {}/{} items", self.done, self.total);
        }
    }
}

fn parse_kinds(names: &[String]) -> anyhow::Result<Option<Vec<Kind>>> {
    if names.is_empty() {
        return Ok(None);
    }
    let mut kinds = Vec::new();
    for name in names.iter().filter(|n| !n.trim().is_empty()) {
        match Kind::parse(name) {
            Some(k) => kinds.push(k),
            None => {
                bail!(
                "\"{}\" is not a kind of personal data; use card, iban, ssn, email, phone or ip",
                crate::text::safe_line(&name.chars().take(32).collect::<String>())
            )
            }
        }
    }
    if kinds.is_empty() {
        bail!("--kinds is empty; name at least one of card, iban, ssn, email, phone, ip, or leave it out for all");
    }
    Ok(Some(kinds))
}

pub fn redact(ctx: &Ctx, args: RedactArgs) -> anyhow::Result<()> {
    let kinds = parse_kinds(&args.kinds)?;
    let mut session = ctx.session()?;
    // Checked before the preview too, so a refused operator is told why
    // rather than asked to confirm.
    access::require_for(
        session.store(),
        session.actor(),
        Permission::Redact,
        audit::REDACT,
        &[&args.item],
    )?;
    let preview = triage::preview_redaction(&session.read(), &args.item, kinds.as_deref())?;
    if preview.spans.is_empty() {
        println!(
            "No personal data{} detected in item {}; nothing to redact.",
            kinds_text(kinds.as_deref()),
            args.item
        );
        return Ok(());
    }
    if args.dry_run {
        println!(
            "Would replace {} in item {} with labels:",
            crate::text::plural(preview.spans.len(), "value"),
            args.item
        );
        for s in &preview.spans {
            println!(
                "  {:<8} {:<6} {}",
                s.field.as_str(),
                s.kind.as_str(),
                s.preview
            );
        }
        println!("Dry run: nothing was redacted.");
        return Ok(());
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "redacting item {} needs confirmation; run this in a terminal, or pass --yes",
                args.item
            );
        }
        println!("This removes from item {}:", args.item);
        for s in &preview.spans {
            println!("  {:<8} {}", s.field.as_str(), s.preview);
        }
        print!(
            "Replace {} value{} with labels such as [card removed]? This cannot be undone. [y/N] ",
            preview.spans.len(),
            if preview.spans.len() == 1 { "" } else { "s" }
        );
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
            println!("Nothing redacted.");
            return Ok(());
        }
    }
    let done = session.redact_item(&args.item, kinds.as_deref())?;
    let counts: Vec<String> = done
        .spans_by_kind
        .iter()
        .map(|(k, n)| format!("{n} {}", k.label()))
        .collect();
    println!("Redacted item {}: {}.", done.item_id, counts.join(", "));
    if let Some(scan) = &done.verification {
        println!("{}", scan.headline());
    }
    if let Some(head) = &done.audit_head {
        println!("{}", super::erase::audit_anchor(head));
    }
    if let Some(w) = &done.ledger_warning {
        eprintln!("lethe: warning: {w}");
    }
    if !done.checkpoint_completed {
        eprintln!(
            "lethe: warning: another process kept the database busy, so the old text may remain \
             in the -wal file until the next checkpoint; close other Lethe sessions and run \
             `lethe scan`, which checkpoints again."
        );
    }
    super::erase::scan_failed(&done.verification, "redaction", "`lethe redact`")
}

fn kinds_text(kinds: Option<&[Kind]>) -> String {
    match kinds {
        None => String::new(),
        Some(ks) => {
            let names: Vec<&str> = ks.iter().map(|k| k.label()).collect();
            format!(" of kind {}", names.join(", "))
        }
    }
}
