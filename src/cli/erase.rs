//! `lethe delete-item`, `lethe delete`, `lethe report`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::Ctx;

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
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// Delete every profile an email or phone matches, not only unique ones.
    #[arg(long)]
    pub all_matches: bool,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// One row per item (Contact): IDs, type, channel, time, deleted flag.
    Contacts {
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// One row per conversation: IDs, status, dates, deleted flag.
    Conversations {
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

pub fn delete_item(_ctx: &Ctx, _args: DeleteItemArgs) -> anyhow::Result<()> {
    anyhow::bail!("item deletion is not built yet")
}

pub fn delete(_ctx: &Ctx, _args: DeleteArgs) -> anyhow::Result<()> {
    anyhow::bail!("profile deletion is not built yet")
}

pub fn report(_ctx: &Ctx, _c: ReportCommand) -> anyhow::Result<()> {
    anyhow::bail!("reports are not built yet")
}
