//! Realistic, deterministic demo data: customers from many countries with
//! conversations on every channel, email threads with attachments, calls
//! with recordings, app activity, orders, duplicates, and personal data
//! pasted into messages.
//!
//! A customer document depends only on (seed, anchor, index), so the same
//! options always give byte-identical data, and any one customer can be
//! rebuilt without generating the ones before it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::clock::{self, Millis, DAY_MS};
use crate::error::{Error, Result};
use crate::format::*;
use crate::store::Store;

mod build;
mod identity;
mod media;
pub mod names;
pub mod pasted;
pub mod rng;
pub mod text;

use rng::mix;

/// What to generate. `anchor` is "now" for the data: every timestamp lies
/// before it, and last Contacts spread over the five years before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub customers: u64,
    pub seed: u64,
    pub anchor: Millis,
}

/// Counts of what was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub customers: u64,
    pub conversations: u64,
    pub items: u64,
    pub attachments: u64,
    pub recordings: u64,
    /// OPEN or WAITING conversations, which block deletion.
    pub open_conversations: u64,
    /// Profiles that share an email or external ID with an earlier one.
    pub duplicates: u64,
    /// Customer messages with pasted card numbers, SSNs, IBANs, phones or emails.
    pub pii_messages: u64,
    /// Open findings after the PII scan that ends generation.
    pub pii_findings: u64,
    pub orders: u64,
    /// The ID and name of the one very large customer, when generated.
    pub big_customer: Option<(String, String)>,
    pub elapsed: Duration,
}

impl Summary {
    fn add(&mut self, doc: &CustomerDoc, facts: &build::Facts) {
        self.customers += 1;
        self.conversations += doc.conversations.len() as u64;
        for c in &doc.conversations {
            if c.status.blocks_deletion() {
                self.open_conversations += 1;
            }
            self.items += c.items.len() as u64;
            for i in &c.items {
                self.attachments += i.content.attachments.len() as u64;
                self.recordings += i.content.recording.is_some() as u64;
            }
        }
        self.orders += doc.orders.len() as u64;
        self.duplicates += facts.duplicate as u64;
        self.pii_messages += facts.pii_messages as u64;
    }
}

/// Customers inserted per transaction: large enough that commits cost
/// little, small enough that progress moves.
const BATCH: u64 = 1000;

/// The index reserved for `big_customer`, far above any regular customer.
pub const BIG_INDEX: u64 = (1 << 32) - 1;

/// The anchor of cached benchmark databases, fixed so a cache stays valid
/// from one day to the next: 2026-01-01T00:00:00Z.
pub const BENCH_ANCHOR: Millis = 1_767_225_600_000;

/// Midnight UTC of `clock::now()`, so reruns on one day give the same data.
pub fn today_anchor() -> Millis {
    let now = clock::now_ms();
    now - now.rem_euclid(DAY_MS)
}

/// The document of customer `index`. Pure: the same options and index
/// always give the same document.
pub fn generate_doc(opts: &Options, index: u64) -> CustomerDoc {
    build::customer(opts.seed, opts.anchor, index, None).0
}

/// One customer with about `items` items across many conversations over
/// five years, for timeline and scrolling benchmarks. Its ID never collides
/// with a regular customer's.
pub fn big_customer(seed: u64, items: usize, anchor: Millis) -> CustomerDoc {
    build::customer(seed, anchor, BIG_INDEX, Some(items)).0
}

/// Inserts `opts.customers` customers into `store`, 1,000 per transaction,
/// calling `progress` with the number inserted so far after each batch.
/// Documents are built on a second thread while the first one writes, and
/// the connection uses `store::bulk` settings until it returns. A failure rolls back the current batch only; earlier batches stay.
pub fn generate(
    store: &mut Store,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary> {
    let started = Instant::now();
    let mut summary = Summary::default();
    let opts = *opts;
    let saved = crate::store::bulk::begin(&store.read())?;
    let result = std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Prepared>>(2);
        scope.spawn(move || {
            let mut next = 0;
            while next < opts.customers {
                let end = (next + BATCH).min(opts.customers);
                let batch = (next..end)
                    .map(|i| prepare(build::customer(opts.seed, opts.anchor, i, None)))
                    .collect();
                if tx.send(batch).is_err() {
                    return; // the writer stopped on an error
                }
                next = end;
            }
        });
        for batch in rx {
            insert_batch(store, &batch, &mut summary)?;
            progress(summary.customers);
        }
        Ok(())
    });
    crate::store::bulk::restore(&store.read(), saved)?;
    result?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Inserts the big customer (see `big_customer`) and counts it in `summary`.
pub fn add_big_customer(
    store: &mut Store,
    seed: u64,
    items: usize,
    anchor: Millis,
    summary: &mut Summary,
) -> Result<String> {
    let prepared = prepare(build::customer(seed, anchor, BIG_INDEX, Some(items)));
    let id = prepared.doc.id.clone();
    let name = prepared.doc.name.clone().unwrap_or_default();
    insert_batch(store, std::slice::from_ref(&prepared), summary)?;
    summary.big_customer = Some((id.clone(), name));
    Ok(id)
}

struct Prepared {
    doc: CustomerDoc,
    facts: build::Facts,
    keys: Vec<crate::store::customers::SearchKey>,
}

fn prepare((doc, facts): (CustomerDoc, build::Facts)) -> Prepared {
    let keys = crate::search::keys_for(&doc);
    Prepared { doc, facts, keys }
}

fn insert_batch(store: &mut Store, batch: &[Prepared], summary: &mut Summary) -> Result<()> {
    store.write(|conn| {
        for p in batch {
            crate::store::customers::insert(conn, &p.doc, &p.keys)?;
        }
        Ok(())
    })?;
    for p in batch {
        summary.add(&p.doc, &p.facts);
    }
    Ok(())
}

/// Raised when the bytes a build writes change without a schema change, so
/// the benchmarks build their databases again. 2: SQLite clears the gap of
/// a page it rebuilds (vendor/libsqlite3-sys/LETHE.md); files written
/// before hold old cell bytes there.
const BENCH_WRITER: u32 = 2;

/// A cached benchmark database of `customers` customers (anchor
/// `BENCH_ANCHOR`) under
/// `target/lethe-bench/demo-{customers}-{seed}-v{schema version}-w{BENCH_WRITER}.db`,
/// generated on first use. The file only appears under its final name once
/// complete and checkpointed, so an interrupted run is never reused. The
/// current OS user is its first operator. A schema change (or a new
/// `BENCH_WRITER`) builds a new file and removes the older one: a benchmark
/// measures the file this code writes, not an upgraded one (an upgrade
/// packs some tables differently).
pub fn bench_db(customers: u64, seed: u64) -> Result<PathBuf> {
    let dir = bench_dir();
    let current = format!(
        "demo-{customers}-{seed}-v{}-w{BENCH_WRITER}.db",
        crate::store::SCHEMA_VERSION
    );
    let path = dir.join(&current);
    if path.exists() {
        return Ok(path);
    }
    std::fs::create_dir_all(&dir)?;
    remove_older_versions(&dir, &format!("demo-{customers}-{seed}"), &current)?;
    let stem = format!("demo-{customers}-{seed}.db.partial-");
    remove_abandoned(&dir, &stem)?;
    // Per process, so two benchmarks that start at once each build a
    // complete file; the renames are atomic and the contents identical.
    let tmp = dir.join(format!("{stem}{}", std::process::id()));
    let opts = Options {
        customers,
        seed,
        anchor: BENCH_ANCHOR,
    };
    let step = (customers / 20).max(BATCH);
    let mut last = 0;
    let summary = create_demo_file(&tmp, &opts, None, &mut |done| {
        if done >= last + step || done == customers {
            eprintln!("bench database: {done} of {customers} customers");
            last = done;
        }
    })?;
    eprintln!(
        "bench database: {} customers, {} items in {:.1} s",
        summary.customers,
        summary.items,
        summary.elapsed.as_secs_f64()
    );
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// Removes the cached databases of the same size and seed that earlier
/// schema versions or writers built (`{stem}.db`, `{stem}-v{n}.db`,
/// `{stem}-v{n}-w{m}.db`).
fn remove_older_versions(dir: &Path, stem: &str, current: &str) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(stem) else {
            continue;
        };
        let number = |v: &str| v.parse::<u32>().is_ok();
        let versioned = rest
            .strip_prefix("-v")
            .and_then(|r| r.strip_suffix(".db"))
            .is_some_and(|v| match v.split_once("-w") {
                Some((schema, writer)) => number(schema) && number(writer),
                None => number(v),
            });
        if name != current && (rest == ".db" || versioned) {
            remove_db_files(&dir.join(&name))?;
        }
    }
    Ok(())
}

/// Removes partial bench databases left by processes that no longer run
/// (an interrupted first run would otherwise leave gigabytes behind).
fn remove_abandoned(dir: &Path, stem: &str) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(stem).and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            remove_db_files(&dir.join(&name))?;
        }
    }
    Ok(())
}

fn bench_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|t| !t.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("lethe-bench")
}

/// Creates a demo database at `path` (which must not exist yet): the
/// current OS user as first operator, the customers, optionally a big
/// customer of `big_items` items, then a WAL checkpoint, so the file alone
/// is complete and can be renamed into place.
pub fn create_demo_file(
    path: &Path,
    opts: &Options,
    big_items: Option<usize>,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary> {
    if path.exists() {
        return Err(Error::Invalid(format!(
            "{} already exists; demo data is only written to a new file",
            path.display()
        )));
    }
    let started = Instant::now();
    let store = Store::create(path)?;
    crate::access::bootstrap(&store, &crate::access::current_username())?;
    let mut session = crate::session::Session::of(store)?;
    let mut summary = generate(session.store_mut(), opts, progress)?;
    if let Some(items) = big_items {
        let store = session.store_mut();
        add_big_customer(store, opts.seed, items, opts.anchor, &mut summary)?;
    }
    // As an import would: the pasted card numbers and SSNs are waiting in
    // the Triage queue when the console opens.
    summary.pii_findings = session.scan(&mut ())?.total_found();
    let store = session.into_store();
    let cp = store.checkpoint_truncate()?;
    if !cp.completed {
        return Err(Error::Invalid(format!(
            "the new database {} could not be checkpointed because another process is reading it; close it and try again",
            path.display()
        )));
    }
    drop(store);
    summary.elapsed = started.elapsed();
    Ok(summary)
}

pub use crate::files::remove_db_files;

/// Size in bytes of a database with its `-wal`, as it sits on disk.
pub fn files_size(path: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .map(|s| {
            let mut p = path.as_os_str().to_owned();
            p.push(s);
            std::fs::metadata(PathBuf::from(p)).map_or(0, |m| m.len())
        })
        .sum()
}

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// `prefix_` + 16 lowercase Crockford base32 characters. The first 13
/// encode a per-seed tag and the counter, so IDs are unique and sort in the
/// order they are generated (which keeps B-tree inserts at the right edge);
/// the last 3 are a hash, for texture.
pub fn id(prefix: &str, seed: u64, counter: u64) -> String {
    let tag = mix(seed) >> 52;
    let v = (tag << 52) | (counter & ((1 << 52) - 1));
    let mut s = String::with_capacity(prefix.len() + 17);
    s.push_str(prefix);
    s.push('_');
    for i in (0..13).rev() {
        s.push(ALPHABET[((v >> (i * 5)) & 31) as usize] as char);
    }
    let t = mix(v ^ mix(seed));
    for i in 0..3 {
        s.push(ALPHABET[((t >> (i * 5)) & 31) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_pinned_ordered_and_seeded() {
        assert_eq!(id("cus", 42, 0), "cus_bvm0000000000crr");
        assert_eq!(id("cus", 42, 7), "cus_bvm0000000007238");
        assert!(id("itm", 42, 1 << 20) > id("itm", 42, 5));
        assert_ne!(id("cus", 43, 0)[..8], id("cus", 42, 0)[..8]);
    }

    #[test]
    fn a_new_schema_version_replaces_only_its_own_older_bench_files() {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            "demo-500-7.db",
            "demo-500-7.db-wal",
            "demo-500-7-v4.db",
            "demo-500-7-v5.db",
            "demo-500-7-v5-w2.db",
            "demo-500-7-v5-w3.db",
            "demo-5000-7.db",
            "demo-500-70.db",
            "demo-500-7.db.partial-1",
        ];
        for f in files {
            std::fs::write(dir.path().join(f), b"").unwrap();
        }
        remove_older_versions(dir.path(), "demo-500-7", "demo-500-7-v5-w3.db").unwrap();
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "demo-500-7-v5-w3.db",
                "demo-500-7.db.partial-1",
                "demo-500-70.db",
                "demo-5000-7.db"
            ]
        );
    }
}
