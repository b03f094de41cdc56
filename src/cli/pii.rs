//! `lethe scan` and `lethe redact`.

use clap::Args;

use super::Ctx;

#[derive(Debug, Args)]
pub struct ScanArgs {}

#[derive(Debug, Args)]
pub struct RedactArgs {
    #[arg(long)]
    pub item: String,
    /// Only these kinds (card, iban, ssn, email, phone, ip), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub kinds: Vec<String>,
    #[arg(long)]
    pub yes: bool,
}

pub fn scan(_ctx: &Ctx, _args: ScanArgs) -> anyhow::Result<()> {
    anyhow::bail!("scanning is not built yet")
}

pub fn redact(_ctx: &Ctx, _args: RedactArgs) -> anyhow::Result<()> {
    anyhow::bail!("redaction is not built yet")
}
