//! The trail exported as CSV or JSON Lines, with its head hash.

use super::*;

/// How `export` writes entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line, then a trailer line
    /// `{"head":"<hash>","entries":N}`.
    Jsonl,
    /// A header row, one row per entry, then a trailer line
    /// `# head=<hash> entries=N`.
    Csv,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "json" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// Writes every entry, oldest first, with all stored columns (so anyone can
/// recompute the chain), then the head hash as the last line. Returns the
/// head and the number of entries.
pub fn export(conn: &Read, format: Format, out: &mut dyn Write) -> Result<(String, i64)> {
    let mut entries = 0;
    let mut head = genesis();
    if format == Format::Csv {
        writeln!(
            out,
            "seq,at,operator,action,targets,counts,outcome,prev_hash,hash"
        )?;
    }
    crate::store::audit::for_each(conn, |s| {
        entries += 1;
        head = s.hash.clone();
        match format {
            Format::Jsonl => {
                let line = serde_json::json!({
                    "seq": s.seq,
                    "at": s.at,
                    "operator": s.operator,
                    "action": s.action,
                    "targets": s.targets,
                    "counts": s.counts,
                    "outcome": s.outcome,
                    "prev_hash": s.prev_hash,
                    "hash": s.hash,
                });
                writeln!(out, "{line}")?;
            }
            Format::Csv => {
                let seq = s.seq.to_string();
                let fields = [
                    seq.as_str(),
                    &s.at,
                    &s.operator,
                    &s.action,
                    &s.targets,
                    &s.counts,
                    &s.outcome,
                    &s.prev_hash,
                    &s.hash,
                ];
                let cells: Vec<String> = fields
                    .iter()
                    .map(|f| crate::csv::field(f).into_owned())
                    .collect();
                writeln!(out, "{}", cells.join(","))?;
            }
        }
        Ok(())
    })?;
    match format {
        Format::Jsonl => writeln!(
            out,
            "{}",
            serde_json::json!({"head": head, "entries": entries})
        )?,
        Format::Csv => writeln!(out, "# head={head} entries={entries}")?,
    }
    Ok((head, entries))
}
