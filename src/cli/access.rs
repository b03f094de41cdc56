//! `lethe operators`, `lethe account`, `lethe audit`.

use std::io::Write;

use anyhow::{bail, Context};
use clap::Subcommand;

use super::Ctx;
use crate::access::{self, Role};
use crate::audit;

#[derive(Debug, Subcommand)]
pub enum OperatorsCommand {
    /// List operators and their roles.
    List,
    /// Grant a role (compliance_admin, admin, agent) to an OS user.
    Grant { user: String, role: String },
    /// Revoke one role, or all of a user's roles when no role is given.
    Revoke { user: String, role: Option<String> },
    /// Show who Lethe thinks you are, and your roles.
    Whoami,
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Turn the "Manage Customer Data" switch on or off (no argument: show it).
    ManageCustomerData { state: Option<String> },
    /// The region national phone numbers are read in for customers whose
    /// own phones do not name one: an ISO 3166 code such as GB, IL or JP
    /// (no argument: show it; without one, North America).
    PhoneRegion {
        region: Option<String>,
        /// Go back to North America.
        #[arg(long, conflicts_with = "region")]
        clear: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and name the first bad entry.
    Verify {
        /// A head hash kept from earlier (printed by `audit verify` or
        /// `audit export`, or a receipt's `audit_head`); checks that no
        /// entry up to it was removed.
        #[arg(long, value_name = "HASH", conflicts_with = "receipt")]
        head: Option<String>,
        /// A saved receipt (JSON) whose `audit_head` to check, as --head.
        #[arg(long, value_name = "FILE")]
        receipt: Option<std::path::PathBuf>,
    },
    /// Print every entry and, on the last line, the head hash.
    Export {
        #[arg(long, default_value = "jsonl", value_name = "jsonl|csv")]
        format: String,
    },
}

pub fn operators(ctx: &Ctx, c: OperatorsCommand) -> anyhow::Result<()> {
    let mut session = ctx.session()?;
    match c {
        OperatorsCommand::List => {
            let switch_on = access::manage_customer_data(&session.read())?;
            println!(
                "Manage Customer Data: {}",
                if switch_on { "on" } else { "off" }
            );
            let ops = access::operators(&session.read())?;
            if ops.is_empty() {
                println!("No operators.");
                return Ok(());
            }
            let width = ops
                .iter()
                .map(|o| o.username.len())
                .max()
                .unwrap_or(0)
                .max(8);
            println!(
                "{:<width$}  {:<34}  SINCE       GRANTED BY",
                "OPERATOR", "ROLES"
            );
            for o in ops {
                let roles: Vec<&str> = o.roles.iter().map(|r| r.as_str()).collect();
                let mut roles = roles.join(",");
                if !switch_on && o.roles.contains(&Role::ComplianceAdmin) {
                    roles.push_str(" (CA off)");
                }
                println!(
                    "{:<width$}  {:<34}  {}  {}",
                    o.username,
                    roles,
                    crate::clock::date(o.created_at),
                    o.created_by.as_deref().unwrap_or("-")
                );
            }
            if !switch_on {
                println!("(CA off): compliance_admin is not in effect while Manage Customer Data is off.");
            }
        }
        OperatorsCommand::Grant { user, role } => {
            let role = parse_role(&role)?;
            let change = session.grant(&user, role)?;
            if change.changed() {
                println!("{user} now holds {}.", roles_text(&change.after));
            } else {
                println!("{user} already holds {role}; nothing changed.");
            }
            if !access::os_user_exists(&user) {
                eprintln!(
                    "lethe: note: there is no OS account named {user} on this machine; \
                     the role applies when someone logs in with that name."
                );
            }
        }
        OperatorsCommand::Revoke { user, role } => {
            let role = role.as_deref().map(parse_role).transpose()?;
            let change = session.revoke(&user, role)?;
            let removed: Vec<Role> = change
                .before
                .iter()
                .copied()
                .filter(|r| !change.after.contains(r))
                .collect();
            if change.after.is_empty() {
                println!(
                    "{user} is no longer an operator (removed {}).",
                    roles_text(&removed)
                );
            } else {
                println!(
                    "Removed {} from {user}, who still holds {}.",
                    roles_text(&removed),
                    roles_text(&change.after)
                );
            }
        }
        OperatorsCommand::Whoami => {
            let actor = session.actor();
            println!("{}", actor.username);
            if actor.is_operator() {
                println!("roles: {}", roles_text(&actor.roles));
            }
            if let Some(notice) = actor.notice() {
                println!("{notice}");
            }
        }
    }
    Ok(())
}

pub fn account(ctx: &Ctx, c: AccountCommand) -> anyhow::Result<()> {
    let mut session = ctx.session()?;
    let state = match c {
        AccountCommand::ManageCustomerData { state } => state,
        AccountCommand::PhoneRegion { region, clear } => {
            return phone_region(&mut session, region, clear)
        }
    };
    let Some(state) = state else {
        let on = access::manage_customer_data(&session.read())?;
        println!("Manage Customer Data: {}", if on { "on" } else { "off" });
        return Ok(());
    };
    let on = match state.trim().to_ascii_lowercase().as_str() {
        "on" => true,
        "off" => false,
        other => bail!("\"{other}\" is not a switch state; use `on` or `off`"),
    };
    let change = session.set_manage_customer_data(on)?;
    let state = if on { "on" } else { "off" };
    if !change.changed {
        println!("Manage Customer Data is already {state}; nothing changed.");
        return Ok(());
    }
    println!("Manage Customer Data is now {state}.");
    let who = if change.compliance_admins.is_empty() {
        "No operator holds compliance_admin".to_string()
    } else {
        format!(
            "{} operator(s) hold compliance_admin ({})",
            change.compliance_admins.len(),
            change.compliance_admins.join(", ")
        )
    };
    if on {
        println!("{who}; they can delete, redact, export and change retention again.");
    } else {
        println!(
            "{who}; they keep the role, but cannot delete, redact, export or change retention \
             until the switch is on again, and nobody can be granted compliance_admin meanwhile."
        );
    }
    Ok(())
}

/// The audit head a saved receipt recorded after its own entry.
fn receipt_head(path: &std::path::Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the receipt {}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a receipt (not JSON); pass the file `lethe delete` or the console saved",
            path.display()
        )
    })?;
    match value["audit_head"]["hash"].as_str() {
        Some(hash) => Ok(hash.to_string()),
        None => bail!(
            "{} has no audit_head: receipts written before Lethe recorded it carry none; \
             use --head with a hash kept from then",
            path.display()
        ),
    }
}

pub fn audit(ctx: &Ctx, c: AuditCommand) -> anyhow::Result<()> {
    let session = ctx.session()?;
    match c {
        AuditCommand::Verify { head, receipt } => {
            let head = match receipt {
                Some(path) => Some(receipt_head(&path)?),
                None => head,
            };
            let v = audit::verify(&session.read())?;
            if let (Some(seq), Some(problem)) = (v.first_bad, &v.problem) {
                bail!(
                    "the audit trail is broken at entry {seq}: {problem}. Entries from {seq} on \
                     cannot be trusted; compare with an earlier export"
                );
            }
            if let Some(head) = head {
                match audit::find_head(&session.read(), &head)? {
                    Some(seq) => println!("Head {} is entry {seq}: present.", head.trim()),
                    None => bail!(
                        "the audit trail does not contain head {}: entries were removed from its \
                         end, or the hash comes from another database",
                        head.trim()
                    ),
                }
            }
            println!(
                "The audit trail is intact up to its head: {} entries, head {}.",
                v.entries, v.head
            );
            println!(
                "Entries removed from the end leave a shorter chain that is still whole: keep \
                 this head, or a receipt's audit_head, and check it later with --head or --receipt."
            );
        }
        AuditCommand::Export { format } => {
            let format = audit::Format::parse(&format).with_context(|| {
                format!("\"{format}\" is not an export format; use jsonl or csv")
            })?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            audit::export(&session.read(), format, &mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}

fn parse_role(text: &str) -> anyhow::Result<Role> {
    Role::parse(text)
        .with_context(|| format!("\"{text}\" is not a role; use compliance_admin, admin or agent"))
}

fn roles_text(roles: &[Role]) -> String {
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    if names.is_empty() {
        "no role".to_string()
    } else {
        names.join(", ")
    }
}

fn phone_region(
    session: &mut crate::session::Session,
    region: Option<String>,
    clear: bool,
) -> anyhow::Result<()> {
    if region.is_none() && !clear {
        let now = crate::store::get_setting(&session.read(), crate::triage::PHONE_REGION)?;
        match now {
            Some(r) => println!("Phone region: {r} (for customers whose own phones name none)."),
            None => println!("Phone region: none set; national numbers are read as North American unless the customer's own phone names a country."),
        }
        return Ok(());
    }
    let was = session.set_phone_region(region.as_deref())?;
    let now = region.map(|r| r.trim().to_ascii_uppercase());
    if was == now {
        println!(
            "The phone region is already {}; nothing changed.",
            now.as_deref().unwrap_or("unset")
        );
    } else {
        println!(
            "The phone region is now {} (was {}); messages scanned from now on are read with it.",
            now.as_deref().unwrap_or("unset (North America)"),
            was.as_deref().unwrap_or("unset")
        );
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on; only loopback addresses without TLS.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// A PEM certificate chain for TLS (with --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The PEM private key for TLS (with --tls-cert).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
    /// Requests per second each token may make per HTTP method.
    #[arg(long, value_name = "N", default_value_t = crate::serve::DEFAULT_RATE)]
    pub rate_limit: u32,
}

pub fn serve(ctx: &Ctx, args: ServeArgs) -> anyhow::Result<()> {
    let listen: std::net::SocketAddr = args.listen.parse().map_err(|_| {
        anyhow::anyhow!(
            "\"{}\" is not an address to listen on; write it as IP:PORT, like 127.0.0.1:8080",
            crate::text::safe_line(&args.listen)
        )
    })?;
    if args.rate_limit == 0 {
        anyhow::bail!("--rate-limit must be at least 1 request a second");
    }
    // Opening it here reports a missing or unreadable database before
    // anything listens.
    drop(ctx.open()?);
    crate::serve::run(crate::serve::Options {
        db: ctx.db.clone(),
        listen,
        tls: args.tls_cert.zip(args.tls_key),
        rate: args.rate_limit,
    })
}

#[derive(Debug, clap::Subcommand)]
pub enum ApiTokenCommand {
    /// Issue a token acting as OPERATOR; it is printed once.
    Create {
        #[arg(long, value_name = "NAME")]
        operator: String,
        #[arg(long, value_name = "L")]
        label: Option<String>,
        /// Days until it stops working (1 to 3650; default never).
        #[arg(long, value_name = "DAYS")]
        expires: Option<i64>,
    },
    /// Every token: ID, operator, label, created, expires, revoked.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token at once.
    Revoke { id: String },
}

pub fn api_token(ctx: &Ctx, c: ApiTokenCommand) -> anyhow::Result<()> {
    let session = ctx.session()?;
    let now = session.now();
    match c {
        ApiTokenCommand::Create {
            operator,
            label,
            expires,
        } => {
            let new = crate::api_token::NewToken {
                operator: &operator,
                label: label.as_deref(),
                expires_days: expires,
            };
            let issued = crate::api_token::create_as(session.store(), session.actor(), new, now)?;
            eprintln!(
                "Created API token {} for {}{}. It is shown once; only its hash is kept.",
                issued.token.id,
                issued.token.operator,
                issued
                    .token
                    .expires_at
                    .map(|t| format!(", expiring {}", crate::clock::format_ms(t)))
                    .unwrap_or_default()
            );
            println!("{}", issued.secret);
        }
        ApiTokenCommand::List { json } => {
            let all = crate::api_token::list(session.store())?;
            if json {
                println!("{}", serde_json::to_string(&all)?);
                return Ok(());
            }
            if all.is_empty() {
                println!("No API tokens. `lethe api-token create --operator NAME` issues one.");
            }
            for t in &all {
                let state = match (t.revoked_at, t.expires_at) {
                    (Some(r), _) => format!("revoked {}", crate::clock::minute(r)),
                    (None, Some(e)) if e <= now => format!("expired {}", crate::clock::minute(e)),
                    (None, Some(e)) => format!("expires {}", crate::clock::minute(e)),
                    (None, None) => "never expires".into(),
                };
                println!(
                    "{}  {:<16}  {:<20}  created {}  {state}",
                    t.id,
                    t.operator,
                    crate::text::safe_line(t.label.as_deref().unwrap_or("-")),
                    crate::clock::minute(t.created_at)
                );
            }
        }
        ApiTokenCommand::Revoke { id } => {
            crate::api_token::revoke_as(session.store(), session.actor(), &id, now)?;
            println!("Revoked API token {id}.");
        }
    }
    Ok(())
}
