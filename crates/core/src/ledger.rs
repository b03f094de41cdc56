//! The erasure ledger: every erasure of a profile, item, attachment,
//! recording or redaction, with IDs, a time and a reason, and no PII.
//!
//! Each row is written in the erasure's own transaction, so the ledger in
//! the database never disagrees with the data. Rows are chained like the
//! audit trail: each holds the previous row's hash, and the first chains
//! from a genesis hash of the database's ID (`database_id`), so a ledger
//! from another database does not fit.
//!
//! With the `ledger_path` setting, every committed row is also appended to
//! a file outside the database (JSON lines, a header line first), so the
//! ledger survives the loss of the database. The file is brought up to the
//! table after every erasure and before every backup; an append that fails
//! is reported as a warning and made good by the next one.
//!
//! `lethe backup restore` re-applies the rows a backup does not hold.

use std::io::{BufRead, Read as _, Seek, SeekFrom, Write as _};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::audit::{chain_hash, hex};
use crate::clock::Millis;
use crate::error::{Error, Result};
use crate::store::{self, ledger as db, Read, Store, Write};
pub use db::Entry;

/// The setting that names the ledger file.
pub const PATH_SETTING: &str = "ledger_path";
const DATABASE_ID: &str = "database_id";
/// What the header line of a ledger file says it is.
const FORMAT: &str = "lethe-erasure-ledger";

/// What an entry erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Profile,
    Item,
    Attachment,
    Recording,
    /// Detected personal data replaced in an item's text; the entry's
    /// reason lists the kinds (`card,iban`) or says `all`.
    Redaction,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Profile => "profile",
            Kind::Item => "item",
            Kind::Attachment => "attachment",
            Kind::Recording => "recording",
            Kind::Redaction => "redaction",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        [
            Kind::Profile,
            Kind::Item,
            Kind::Attachment,
            Kind::Recording,
            Kind::Redaction,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// The `prev_hash` of a database's first ledger row.
pub fn genesis(database_id: &str) -> String {
    hex(&Sha256::digest(
        format!("lethe-ledger-genesis:{database_id}").as_bytes(),
    ))
}

/// The hash of one entry over every field but its own hash, each field
/// length-prefixed.
pub fn entry_hash(e: &Entry) -> String {
    let (seq, at) = (e.seq.to_string(), e.at.to_string());
    chain_hash(
        b"lethe-ledger-v1",
        &[
            e.prev_hash.as_str(),
            seq.as_str(),
            at.as_str(),
            e.kind.as_str(),
            e.id.as_str(),
            e.customer_id.as_str(),
            e.reason.as_str(),
        ],
    )
}

/// This database's ID, which every copy of it shares.
pub fn database_id(conn: &Read) -> Result<String> {
    store::get_setting(conn, DATABASE_ID)?.ok_or_else(|| {
        Error::InvalidState(
            "this database has no database_id setting, so its erasure ledger cannot be chained; \
             it was edited by hand"
                .into(),
        )
    })
}

/// One erasure, as `append` records it.
#[derive(Debug, Clone, Copy)]
pub struct Erasure<'a> {
    pub kind: Kind,
    pub id: &'a str,
    pub customer_id: &'a str,
    pub reason: &'a str,
    pub at: Millis,
}

/// Adds one erasure to the ledger, in the caller's transaction.
pub fn append(conn: &Write, erasure: Erasure) -> Result<Entry> {
    let Erasure {
        kind,
        id,
        customer_id,
        reason,
        at,
    } = erasure;
    let (seq, prev_hash) = match db::last(conn)? {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, genesis(&database_id(conn)?)),
    };
    let mut e = Entry {
        seq,
        at,
        kind: kind.as_str().to_string(),
        id: id.to_string(),
        customer_id: customer_id.to_string(),
        reason: reason.to_string(),
        prev_hash,
        hash: String::new(),
    };
    e.hash = entry_hash(&e);
    db::insert(conn, &e)?;
    Ok(e)
}

/// A whole ledger, read from a file or a database and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ledger {
    pub source: PathBuf,
    pub database_id: String,
    pub entries: Vec<Entry>,
}

/// Checks the chain from the genesis of `database_id`: each entry's
/// sequence number follows the one before, its `prev_hash` is that entry's
/// hash and its own hash is right. Names the first entry that is not.
pub fn verify(database_id: &str, entries: &[Entry], source: &Path) -> Result<()> {
    let mut prev = genesis(database_id);
    for (i, e) in entries.iter().enumerate() {
        let want_seq = i as i64 + 1;
        let problem = if e.seq != want_seq {
            Some(format!(
                "entry {want_seq} is missing (the next one is {})",
                e.seq
            ))
        } else if e.prev_hash != prev {
            Some(format!(
                "entry {} does not follow entry {}: an entry was changed, removed or inserted",
                e.seq,
                e.seq - 1
            ))
        } else if entry_hash(e) != e.hash {
            Some(format!("entry {} was changed after it was written", e.seq))
        } else if Kind::parse(&e.kind).is_none() {
            Some(format!(
                "entry {} names an unknown kind {:?}",
                e.seq, e.kind
            ))
        } else {
            None
        };
        if let Some(p) = problem {
            return Err(Error::Invalid(format!(
                "the erasure ledger {} is damaged or was tampered with: {p}. Nothing was restored",
                source.display()
            )));
        }
        prev = e.hash.clone();
    }
    Ok(())
}

/// Reads and checks the ledger at `path`: a ledger file, or a Lethe
/// database (the live one, say), whose own ledger is read without
/// changing it.
pub fn load(path: &Path) -> Result<Ledger> {
    let mut head = [0u8; 16];
    let is_db = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map(|()| &head == b"SQLite format 3\0")
        .unwrap_or(false);
    let (database_id, entries) = if is_db {
        let facts = db::file_facts(path, false)?;
        let id = facts.database_id.ok_or_else(|| {
            Error::Invalid(format!(
                "{} is a database without an erasure ledger (schema {}); give the ledger file or a current database",
                path.display(),
                facts.schema
            ))
        })?;
        (id, db::file_entries(path)?)
    } else {
        read_file(path)?
    };
    verify(&database_id, &entries, path)?;
    Ok(Ledger {
        source: path.to_path_buf(),
        database_id,
        entries,
    })
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    format: String,
    version: u32,
    database_id: String,
}

fn damaged(path: &Path, line: usize, what: impl std::fmt::Display) -> Error {
    Error::Invalid(format!(
        "the erasure ledger {} is damaged at line {line}: {what}. Nothing was restored",
        path.display()
    ))
}

fn read_file(path: &Path) -> Result<(String, Vec<Entry>)> {
    let file = std::fs::File::open(path).map_err(|e| {
        Error::Invalid(format!(
            "the erasure ledger {} cannot be read ({e})",
            path.display()
        ))
    })?;
    let mut lines = std::io::BufReader::new(file).lines();
    let header = match lines.next() {
        Some(Ok(l)) => l,
        Some(Err(e)) => return Err(damaged(path, 1, e)),
        None => return Err(damaged(path, 1, "the file is empty")),
    };
    let header: Header = serde_json::from_str(&header)
        .ok()
        .filter(|h: &Header| h.format == FORMAT)
        .ok_or_else(|| damaged(path, 1, "it is not a Lethe erasure ledger"))?;
    if header.version != 1 {
        return Err(damaged(
            path,
            1,
            format!("version {} is newer than this Lethe reads", header.version),
        ));
    }
    let mut entries = Vec::new();
    for (i, line) in lines.enumerate() {
        let line = line.map_err(|e| damaged(path, i + 2, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let e: Entry = serde_json::from_str(&line).map_err(|e| damaged(path, i + 2, e))?;
        entries.push(e);
    }
    Ok((header.database_id, entries))
}

/// What bringing the ledger file up to date did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mirrored {
    pub path: PathBuf,
    pub appended: usize,
}

/// Rows appended to the ledger file per read of the table.
const MIRROR_CHUNK: usize = 10_000;

/// Brings the ledger file (the `ledger_path` setting) up to the table:
/// appends every row the file lacks, under an exclusive lock, and syncs
/// it. None when no file is set. Refuses a file that belongs to another
/// database or runs ahead of this one, and changes nothing then.
pub fn mirror(store: &Store) -> Result<Option<Mirrored>> {
    let conn = store.read();
    let Some(path) = store::get_setting(&conn, PATH_SETTING)? else {
        return Ok(None);
    };
    let path = PathBuf::from(path);
    let id = database_id(&conn)?;
    let fail = |what: &str, e: std::io::Error| {
        Error::Invalid(format!(
            "the erasure ledger file {} could not {what} ({e})",
            path.display()
        ))
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| fail("be opened", e))?;
    file.lock().map_err(|e| fail("be locked", e))?;
    let len = file.metadata().map_err(|e| fail("be read", e))?.len();
    let mut out = std::io::BufWriter::new(&file);
    let (mut seq, mut hash) = if len == 0 {
        let header = Header {
            format: FORMAT.into(),
            version: 1,
            database_id: id.clone(),
        };
        let line = serde_json::to_string(&header).expect("a header serialises");
        writeln!(out, "{line}").map_err(|e| fail("be written", e))?;
        (0, genesis(&id))
    } else {
        let first = first_line(&file).map_err(|e| fail("be read", e))?;
        let header: Option<Header> = serde_json::from_str(&first).ok();
        match header {
            Some(h) if h.format == FORMAT && h.database_id == id => {}
            Some(h) if h.format == FORMAT => {
                return Err(Error::InvalidState(format!(
                    "the erasure ledger file {} belongs to another database ({}); \
                     set a new path with `lethe backup settings --ledger PATH`",
                    path.display(),
                    h.database_id
                )))
            }
            _ => {
                return Err(Error::InvalidState(format!(
                    "{} is not a Lethe erasure ledger; set another path with `lethe backup settings --ledger PATH`",
                    path.display()
                )))
            }
        }
        match last_line(&file).map_err(|e| fail("be read", e))? {
            Some(l) if l.trim_start().starts_with('{') && !l.contains("\"format\"") => {
                let e: Entry = serde_json::from_str(&l).map_err(|e| {
                    Error::Invalid(format!(
                        "the erasure ledger file {} ends in a damaged line ({e}); \
                         check it with `lethe backup ledger`",
                        path.display()
                    ))
                })?;
                (e.seq, e.hash)
            }
            _ => (0, genesis(&id)),
        }
    };
    let mut appended = 0;
    loop {
        let rows = db::after(&conn, seq, MIRROR_CHUNK)?;
        if rows.is_empty() {
            break;
        }
        if rows[0].prev_hash != hash {
            return Err(Error::InvalidState(format!(
                "the erasure ledger file {} does not continue this database's ledger at entry {} \
                 (the database was restored or replaced without it); \
                 set a new path with `lethe backup settings --ledger PATH`",
                path.display(),
                rows[0].seq
            )));
        }
        for r in &rows {
            let line = serde_json::to_string(r).expect("an entry serialises");
            writeln!(out, "{line}").map_err(|e| fail("be written", e))?;
        }
        appended += rows.len();
        let last = rows.last().expect("not empty");
        (seq, hash) = (last.seq, last.hash.clone());
    }
    if seq > 0 && appended == 0 {
        let (db_seq, db_hash) = db::last(&conn)?.unwrap_or_default();
        if db_seq < seq || db_hash != hash {
            return Err(Error::InvalidState(format!(
                "the erasure ledger file {} runs ahead of this database (entry {seq}, the database has {db_seq}); \
                 the database may be an old copy: restore it with `lethe backup restore`, or set a new path",
                path.display()
            )));
        }
    }
    out.flush().map_err(|e| fail("be written", e))?;
    drop(out);
    file.sync_all().map_err(|e| fail("be synced", e))?;
    Ok(Some(Mirrored { path, appended }))
}

/// `mirror`, its failure as the warning an erasure's result carries.
pub fn mirror_warning(store: &Store) -> Option<String> {
    mirror(store).err().map(|e| {
        format!("the erasure was made, but the erasure ledger file was not brought up to date: {e}")
    })
}

fn first_line(file: &std::fs::File) -> std::io::Result<String> {
    let mut f = file;
    f.seek(SeekFrom::Start(0))?;
    let mut line = String::new();
    std::io::BufReader::new(f).read_line(&mut line)?;
    Ok(line)
}

/// The file's last non-empty line, read from its end.
fn last_line(file: &std::fs::File) -> std::io::Result<Option<String>> {
    let mut f = file;
    let len = f.seek(SeekFrom::End(0))?;
    let mut back = 4096u64;
    loop {
        let from = len.saturating_sub(back);
        f.seek(SeekFrom::Start(from))?;
        let mut buf = Vec::new();
        f.take(len - from).read_to_end(&mut buf)?;
        let text = String::from_utf8_lossy(&buf);
        let trimmed = text.trim_end_matches('\n');
        if let Some(i) = trimmed.rfind('\n') {
            return Ok(Some(trimmed[i + 1..].to_string()));
        }
        if from == 0 {
            return Ok((!trimmed.is_empty()).then(|| trimmed.to_string()));
        }
        back *= 4;
    }
}

/// What `check` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub entries: usize,
    /// The ledger file and how many entries were appended to it now.
    pub file: Option<(PathBuf, usize)>,
}

/// Verifies the database's ledger chain, brings the file up to date and
/// verifies that it holds the same chain.
pub fn check(store: &Store) -> Result<Checked> {
    let conn = store.read();
    let id = database_id(&conn)?;
    let entries = db::after(&conn, 0, usize::MAX)?;
    let source = store.path().map(Path::to_path_buf).unwrap_or_default();
    verify(&id, &entries, &source).map_err(|e| {
        Error::Invalid(e.to_string().replace(
            ". Nothing was restored",
            "; the database's ledger table was edited",
        ))
    })?;
    let file = match mirror(store)? {
        None => None,
        Some(m) => {
            let l = load(&m.path)?;
            if l.database_id != id
                || l.entries.len() != entries.len()
                || l.entries.last().map(|e| &e.hash) != entries.last().map(|e| &e.hash)
            {
                return Err(Error::InvalidState(format!(
                    "the erasure ledger file {} does not hold the database's ledger",
                    m.path.display()
                )));
            }
            Some((m.path, m.appended))
        }
    };
    Ok(Checked {
        entries: entries.len(),
        file,
    })
}
