//! `lethe request ...`: data subject requests.

use clap::Subcommand;

use super::Ctx;

#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// List open requests by due date.
    List,
}

pub fn run(_ctx: &Ctx, _c: RequestCommand) -> anyhow::Result<()> {
    anyhow::bail!("requests are not built yet")
}
