//! `lethe operators`, `lethe account`, `lethe audit`.

use clap::Subcommand;

use super::Ctx;

#[derive(Debug, Subcommand)]
pub enum OperatorsCommand {
    /// List operators and their roles.
    List,
    /// Grant a role (compliance_admin, admin, agent) to an OS user.
    Grant { user: String, role: String },
    /// Revoke all of a user's roles.
    Revoke { user: String },
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Turn the "Manage Customer Data" switch on or off.
    ManageCustomerData { state: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and name the first bad entry.
    Verify,
    /// Print every entry and the head hash.
    Export {
        #[arg(long, default_value = "jsonl")]
        format: String,
    },
}

pub fn operators(_ctx: &Ctx, _c: OperatorsCommand) -> anyhow::Result<()> {
    anyhow::bail!("operators are not built yet")
}

pub fn account(_ctx: &Ctx, _c: AccountCommand) -> anyhow::Result<()> {
    anyhow::bail!("account switches are not built yet")
}

pub fn audit(_ctx: &Ctx, _c: AuditCommand) -> anyhow::Result<()> {
    anyhow::bail!("the audit trail is not built yet")
}
