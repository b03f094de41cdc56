//! `lethe import`, `lethe export`, `lethe find`.

use std::path::PathBuf;

use clap::Args;

use super::Ctx;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// JSON Lines file, one customer document per line (`-` for stdin).
    pub file: PathBuf,
    /// Import the valid lines and list the invalid ones, instead of importing nothing.
    #[arg(long)]
    pub skip_invalid: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The customer ID.
    #[arg(long)]
    pub customer: String,
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct FindArgs {
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub external_id: Option<String>,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub id: Option<String>,
}

pub fn import(_ctx: &Ctx, _args: ImportArgs) -> anyhow::Result<()> {
    anyhow::bail!("import is not built yet")
}

pub fn export(_ctx: &Ctx, _args: ExportArgs) -> anyhow::Result<()> {
    anyhow::bail!("export is not built yet")
}

pub fn find(_ctx: &Ctx, _args: FindArgs) -> anyhow::Result<()> {
    anyhow::bail!("find is not built yet")
}
