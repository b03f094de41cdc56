//! Shared pieces of the benchmarks: the cached demo database, scratch
//! copies for benchmarks that delete, and simple statistics.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How many customers the benchmark database holds: 1,000,000 unless
/// `LETHE_BENCH_CUSTOMERS` says otherwise (for a quick look).
pub fn customers() -> u64 {
    std::env::var("LETHE_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// The cached demo database with `n` customers (seed 7), generated on
/// first use; prints how long that took.
pub fn bench_db(n: u64) -> PathBuf {
    let started = Instant::now();
    let path = lethe::demo::bench_db(n, 7).expect("bench database");
    let took = started.elapsed();
    if took > Duration::from_secs(2) {
        println!(
            "generated the {n}-customer bench database in {:.1} s",
            took.as_secs_f64()
        );
    }
    path
}

/// A scratch copy of a (checkpointed) database, on disk before it is
/// returned, deleted on drop.
pub struct Scratch {
    pub path: PathBuf,
}

impl Scratch {
    pub fn of(src: &Path, tag: &str) -> Scratch {
        let path = src.with_file_name(format!("scratch-{tag}-{}.db", std::process::id()));
        let s = Scratch { path };
        s.remove();
        std::fs::copy(src, &s.path).expect("copy the bench database");
        // Write the copy out before timing anything: otherwise the kernel
        // flushes gigabytes of it during the benchmark, and the first
        // checkpoint's fsync waits for all of them.
        std::fs::File::open(&s.path)
            .and_then(|f| f.sync_all())
            .expect("sync the copy");
        s
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal", ".retention-lock"] {
            let mut p = self.path.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        self.remove();
    }
}

/// The p-th percentile (0..=100) of some timings.
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort();
    let i = ((samples.len() - 1) as f64 * p / 100.0).round() as usize;
    samples[i]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Peak resident memory of this process so far, in MiB (Linux).
pub fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Time the calling thread has spent on a CPU so far (Linux; zero
/// elsewhere). Unlike wall time it leaves out waiting for the disk.
#[allow(dead_code)]
pub fn thread_cpu_time() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_default()
}

/// The operator benchmarks act as: the database's first operator.
pub fn operator(store: &lethe::store::Store) -> lethe::access::Actor {
    let name: String = store
        .read()
        .query_row(
            "SELECT username FROM operators ORDER BY created_at LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("the bench database has an operator");
    lethe::access::Actor::resolve(&store.read(), &name).expect("operator")
}

/// `n` live customers without open work, spread over the database.
pub fn deletable(store: &lethe::store::Store, n: usize, skip: usize) -> Vec<String> {
    let read = store.read();
    let mut stmt = read
        .prepare(
            "SELECT c.id FROM customers c
             WHERE c.deleted_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM conversations v
                               WHERE v.customer_id = c.id AND v.status <> 'CLOSED')
             ORDER BY c.rowid LIMIT ?1 OFFSET ?2",
        )
        .unwrap();
    stmt.query_map(rusqlite::params![n as i64, skip as i64], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// The baseline: the same profile deletion done by plain SQL on the same
/// tables, with `secure_delete` on but no search keys, findings, audit
/// entries or receipts. What the erase path costs on top of this is the
/// price of its guarantees.
pub fn plain_sql_delete(conn: &lethe::store::Read, id: &str, now: i64) {
    let sql = [
        "DELETE FROM attachments WHERE item_id IN (SELECT id FROM items WHERE customer_id = ?1)",
        "DELETE FROM recordings WHERE item_id IN (SELECT id FROM items WHERE customer_id = ?1)",
        "UPDATE items SET subject = NULL, body = NULL, from_addr = NULL, to_addrs = NULL,
             extra = NULL, deleted_at = ?2 WHERE customer_id = ?1",
        "UPDATE conversations SET deleted_at = ?2 WHERE customer_id = ?1",
        "DELETE FROM customer_emails WHERE customer_id = ?1",
        "DELETE FROM customer_phones WHERE customer_id = ?1",
        "DELETE FROM customer_addresses WHERE customer_id = ?1",
        "DELETE FROM orders WHERE customer_id = ?1",
        "DELETE FROM app_data WHERE customer_id = ?1",
        "UPDATE customers SET name = NULL, external_customer_id = NULL, external_ids = NULL,
             custom_attributes = NULL, deleted_at = ?2, deletion_reason = 'manual' WHERE id = ?1",
    ];
    for s in sql {
        let mut stmt = conn.prepare_cached(s).unwrap();
        if s.contains("?2") {
            stmt.execute(rusqlite::params![id, now]).unwrap();
        } else {
            stmt.execute([id]).unwrap();
        }
    }
}

/// Runs the baseline over `ids` in transactions of `batch`, checkpointing
/// after each, as the erase path does. Returns profiles per second.
pub fn plain_sql_rate(db: &Path, ids: &[String], batch: usize) -> f64 {
    let store = lethe::store::Store::open(db).unwrap();
    // The same connection settings the erase path uses for a bulk run.
    lethe::store::bulk::begin_erasure(&store.read()).unwrap();
    let now = lethe::clock::now_ms();
    let started = Instant::now();
    for chunk in ids.chunks(batch) {
        store
            .write(|conn| {
                for id in chunk {
                    plain_sql_delete(conn, id, now);
                }
                Ok(())
            })
            .unwrap();
        store.checkpoint_truncate().unwrap();
    }
    ids.len() as f64 / started.elapsed().as_secs_f64()
}
