//! `lethe demo` and the console's `--demo` database.

use std::path::Path;

use clap::Args;

use super::Ctx;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many customers to generate.
    #[arg(long, default_value_t = 2000)]
    pub customers: u64,
    /// Seed for the generator; the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

pub fn run(_ctx: &Ctx, _args: DemoArgs) -> anyhow::Result<()> {
    anyhow::bail!("demo generation is not built yet")
}

/// Creates the demo database at `path` unless it already exists.
pub fn ensure_demo_db(_path: &Path) -> anyhow::Result<()> {
    anyhow::bail!("demo generation is not built yet")
}
