//! `lethe retention show | set | run`.

use clap::Subcommand;

use super::Ctx;

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Show the policy and what it would delete now.
    Show,
    /// Change the policy.
    Set {
        /// Delete profiles this many days after their last Contact (at least 365).
        #[arg(long, conflicts_with = "default")]
        days: Option<i64>,
        /// Confirm: "I understand, use custom settings".
        #[arg(long)]
        i_understand: bool,
        /// Keep everything (the default policy).
        #[arg(long)]
        default: bool,
    },
    /// Delete every overdue profile now.
    Run {
        #[arg(long)]
        dry_run: bool,
    },
}

pub fn run(_ctx: &Ctx, _c: RetentionCommand) -> anyhow::Result<()> {
    anyhow::bail!("retention is not built yet")
}
