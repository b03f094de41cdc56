//! `lethe demo` and the console's `--demo` database.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::Ctx;
use crate::demo::{self, Options, Summary};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many customers to generate.
    #[arg(long, default_value_t = 2000)]
    pub customers: u64,
    /// Seed for the generator; the same seed gives the same data on the same day.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Also add one customer with this many items, for long timelines.
    #[arg(long, value_name = "ITEMS")]
    pub big_customer: Option<usize>,
    /// Replace the database file if it already exists. Everything in it is lost.
    #[arg(long)]
    pub force: bool,
}

/// Customers and items of the console's `--demo` database.
const DEMO_CUSTOMERS: u64 = 2000;
const DEMO_SEED: u64 = 42;
const DEMO_BIG_ITEMS: usize = 20_000;

pub fn run(ctx: &Ctx, args: DemoArgs) -> anyhow::Result<()> {
    let path = &ctx.db;
    let occupied = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
    if occupied && !args.force {
        anyhow::bail!(
            "{} already exists and holds data, so demo data was not written; \
             pass --force to replace it (everything in it is lost), or choose a new file with --db PATH",
            path.display()
        );
    }
    let opts = Options {
        customers: args.customers,
        seed: args.seed,
        anchor: demo::today_anchor(),
    };
    let summary = create(path, &opts, args.big_customer)?;
    print!("{}", describe(path, &opts, &summary));
    Ok(())
}

/// Creates the demo database at `path` unless it already exists: 2,000
/// customers (seed 42, anchored at today's midnight UTC) and one customer
/// with 20,000 items, with progress on stderr.
pub fn ensure_demo_db(path: &Path) -> anyhow::Result<()> {
    if path.exists() {
        return Ok(());
    }
    eprintln!(
        "Creating the demo database at {} ({DEMO_CUSTOMERS} customers, seed {DEMO_SEED})...",
        path.display()
    );
    let opts = Options {
        customers: DEMO_CUSTOMERS,
        seed: DEMO_SEED,
        anchor: demo::today_anchor(),
    };
    let summary = create(path, &opts, Some(DEMO_BIG_ITEMS))?;
    eprint!("{}", describe(path, &opts, &summary));
    Ok(())
}

/// Generates into a temporary file next to `path`, then renames it over
/// `path`: an interrupted run never leaves a half-filled database under the
/// real name, and a replaced database stays intact until the new one is
/// complete.
fn create(path: &Path, opts: &Options, big_items: Option<usize>) -> anyhow::Result<Summary> {
    let tmp = partial_path(path);
    demo::remove_db_files(&tmp)
        .with_context(|| format!("could not clear the leftover file {}", tmp.display()))?;
    let mut progress = Progress::new(opts.customers);
    let result = demo::create_demo_file(&tmp, opts, big_items, &mut |done| progress.set(done));
    progress.finish();
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = demo::remove_db_files(&tmp);
            return Err(e).context("could not generate the demo database");
        }
    };
    // A -wal left by the old file would be replayed into the new one.
    demo::remove_db_files(path)
        .with_context(|| format!("could not remove the old {}", path.display()))?;
    std::fs::rename(&tmp, path).with_context(|| {
        format!(
            "the demo database was generated as {} but could not be moved to {}",
            tmp.display(),
            path.display()
        )
    })?;
    Ok(summary)
}

fn partial_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(format!(".partial-{}", std::process::id()));
    PathBuf::from(p)
}

/// A progress bar on a terminal; otherwise a plain line every 10%, which
/// reads well in logs.
struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    next_line: u64,
}

impl Progress {
    fn new(total: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            let style = ProgressStyle::with_template(
                "{bar:40} {human_pos}/{human_len} customers  {per_sec}  {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            total,
            next_line: total / 10,
        }
    }

    fn set(&mut self, done: u64) {
        match &self.bar {
            Some(bar) => bar.set_position(done),
            None if done >= self.next_line && self.total > 0 => {
                eprintln!("generated {done} of {} customers", self.total);
                self.next_line = done + (self.total / 10).max(1);
            }
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn describe(path: &Path, opts: &Options, s: &Summary) -> String {
    let mut out = format!(
        "Demo database {} (seed {}, dates up to {}):\n",
        path.display(),
        opts.seed,
        crate::clock::date(opts.anchor)
    );
    let mut line = |label: &str, value: String| {
        out.push_str(&format!("  {label:<24} {value}\n"));
    };
    line("customers", thousands(s.customers));
    line(
        "  duplicates",
        format!(
            "{} (sharing an email or external ID)",
            thousands(s.duplicates)
        ),
    );
    line("conversations", thousands(s.conversations));
    line("  open or waiting", thousands(s.open_conversations));
    line("items", thousands(s.items));
    line("  with pasted PII", thousands(s.pii_messages));
    line("  PII findings to triage", thousands(s.pii_findings));
    line("attachments", thousands(s.attachments));
    line("recordings", thousands(s.recordings));
    line("orders", thousands(s.orders));
    if let Some((id, name)) = &s.big_customer {
        line("largest customer", format!("{name} ({id})"));
    }
    line("file size", crate::text::size(demo::files_size(path)));
    line("time", format!("{:.1} s", s.elapsed.as_secs_f64()));
    out
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
