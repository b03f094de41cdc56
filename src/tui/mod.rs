//! The full-screen console.

use crate::cli::Ctx;

pub fn run(_ctx: &Ctx) -> anyhow::Result<()> {
    anyhow::bail!("the console is not built yet")
}
