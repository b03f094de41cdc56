//! `lethe import`, `lethe export`, `lethe find`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::Ctx;
use crate::search::Field;
use crate::{export, phone};

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
    /// Leave out attachment and recording bytes (metadata only).
    #[arg(long)]
    pub no_content: bool,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct FindArgs {
    /// The whole address, ignoring case.
    #[arg(long)]
    pub email: Option<String>,
    /// The whole number in any format: `+44 20 7946 0607`, `0044 20 7946
    /// 0607`, `+44 (0)20 7946 0607`; without a country code, a North
    /// American number.
    #[arg(long)]
    pub phone: Option<String>,
    /// The whole ID, ignoring case.
    #[arg(long)]
    pub external_id: Option<String>,
    /// Words the name's words start with, in any order, ignoring case and
    /// accents: `amelie`, `Girard`, `gir ame` (at most 1,000 profiles).
    #[arg(long)]
    pub name: Option<String>,
    /// The whole customer ID, as written (IDs are case-sensitive).
    #[arg(long)]
    pub id: Option<String>,
}

pub fn import(ctx: &Ctx, args: ImportArgs) -> anyhow::Result<()> {
    // The input is opened first, so a mistyped file name does not leave an
    // empty database behind.
    let mut input: Box<dyn BufRead> = if args.file == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        ctx.refuse_database_file(&args.file, "the import file")?;
        let file = std::fs::File::open(&args.file).with_context(|| {
            format!(
                "{} cannot be read; check the path and its permissions",
                args.file.display()
            )
        })?;
        Box::new(BufReader::new(file))
    };
    let mut session = crate::session::Session::of(ctx.open_or_create()?)?;
    let report = session
        .import(&mut input, args.skip_invalid)
        .with_context(|| format!("nothing was imported from {}", args.file.display()))?;
    for p in &report.problems {
        eprintln!("{p}");
    }
    let bad = report.problems.len();
    if !report.committed {
        let what = format!(
            "nothing was imported: {bad} of {} {} problems (listed above)",
            crate::text::plural(report.documents, "document"),
            if bad == 1 { "has" } else { "have" }
        );
        if report.valid == 0 {
            anyhow::bail!("{what}. Fix them and import again.");
        }
        anyhow::bail!(
            "{what}. Fix them, or rerun with --skip-invalid to import the {} valid {}.",
            report.valid,
            if report.valid == 1 { "one" } else { "ones" }
        );
    }
    println!("{}", report.summary());
    let found = report.pii.total_found();
    if found > 0 {
        println!("{found} possible pieces of pasted personal data found in the new items; review them in the console's Triage tab or with `lethe scan`.");
    }
    if report.customers == 0 && bad > 0 {
        anyhow::bail!(
            "nothing was imported: every document in the file has a problem (listed above)."
        );
    }
    Ok(())
}

pub fn export(ctx: &Ctx, args: ExportArgs) -> anyhow::Result<()> {
    if let Some(path) = args.output.as_deref().filter(|p| *p != Path::new("-")) {
        ctx.refuse_database_file(path, "the export file")?;
    }
    let doc = ctx
        .session()?
        .export_customer(&args.customer, !args.no_content)?;
    let text = export::to_pretty(&doc)?;
    match &args.output {
        Some(path) if path != Path::new("-") => write_private(path, text.as_bytes())
            .with_context(|| format!("the export could not be written to {}", path.display())),
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}

/// Writes `bytes` to `path`, readable by its owner only. The bytes go to a
/// temporary file beside it first, so a failed write never leaves half a
/// document (still personal data) under the final name.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    Ok(crate::files::replace_private(path, bytes)?)
}

pub fn find(ctx: &Ctx, args: FindArgs) -> anyhow::Result<()> {
    let (field, value) = if let Some(v) = &args.email {
        (Field::Email, v)
    } else if let Some(v) = &args.phone {
        if phone::to_e164(v).is_none() {
            anyhow::bail!(
                "\"{v}\" is not a phone number Lethe can read; write it with its country code, for example +14155550100"
            );
        }
        (Field::Phone, v)
    } else if let Some(v) = &args.external_id {
        (Field::ExternalId, v)
    } else if let Some(v) = &args.name {
        (Field::Name, v)
    } else if let Some(v) = &args.id {
        (Field::CustomerId, v)
    } else {
        anyhow::bail!("say what to find: --email, --phone, --external-id, --name or --id");
    };
    let session = ctx.session()?;
    let docs = export::find(&session.read(), field, value)?;
    let text = export::profiles_json(&docs)?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
