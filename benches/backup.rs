//! Backups on the 1,000,000-customer database: `backup create` plain and
//! encrypted (interleaved, on one scratch copy), and `backup restore` with
//! the erasure ledger applying again the profiles erased after the backup.
//!
//! `cargo bench --bench backup`. Figures: seconds and MB/s per create,
//! seconds per restore, the file sizes and peak memory.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lethe::backup::{self, CreateOptions, LedgerSource, RestoreOptions, SettingsChange};
use lethe::erase::{self, BulkOptions, Reason, Verify};
use lethe::store::Store;

const ROUNDS: usize = 2;
const ERASED_AFTER: usize = 1000;

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn summary(times: &mut [Duration]) -> String {
    times.sort();
    format!(
        "median {:.1} s (range {:.1} to {:.1} s, {} runs)",
        secs(times[times.len() / 2]),
        secs(times[0]),
        secs(times[times.len() - 1]),
        times.len()
    )
}

fn mb_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn remove_dir(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

fn main() {
    let n = common::customers();
    let src = common::bench_db(n);
    println!("Backup benchmark on {n} customers ({})", src.display());
    let scratch = common::Scratch::of(&src, "backup");
    let work: PathBuf = src.with_file_name(format!("backup-bench-{}", std::process::id()));
    remove_dir(&work);
    std::fs::create_dir_all(&work).unwrap();
    let mut store = Store::open(&scratch.path).unwrap();
    let actor = common::operator(&store);
    let now = lethe::clock::now_ms();
    let ledger = work.join("ledger.jsonl");
    backup::change_settings(
        &store,
        &actor,
        &SettingsChange {
            retention_days: None,
            ledger_file: Some(Some(ledger.clone())),
        },
        now,
    )
    .unwrap();
    let key_file = work.join("backup.key");
    let recipient = backup::keygen(&key_file).unwrap();
    let db_bytes = std::fs::metadata(&scratch.path).unwrap().len();
    println!("database file: {:.0} MB", db_bytes as f64 / 1e6);

    // Plain and encrypted, interleaved, each into a fresh directory.
    let (mut plain, mut sealed) = (Vec::new(), Vec::new());
    let (mut plain_bytes, mut sealed_bytes) = (0, 0);
    for round in 0..ROUNDS {
        for encrypted in [false, true] {
            let dir = work.join(format!("b-{round}-{encrypted}"));
            let t = Instant::now();
            let b = backup::create(
                &store,
                &dir,
                now + round as i64 * 2000 + encrypted as i64 * 1000,
                CreateOptions {
                    recipient: encrypted.then_some(recipient.as_str()),
                },
            )
            .unwrap();
            let took = t.elapsed();
            if encrypted {
                sealed.push(took);
                sealed_bytes = b.bytes;
            } else {
                plain.push(took);
                plain_bytes = b.bytes;
            }
            if round + 1 < ROUNDS {
                remove_dir(&dir);
            }
        }
    }
    let median = |v: &[Duration]| {
        let mut v = v.to_vec();
        v.sort();
        v[v.len() / 2]
    };
    println!(
        "\nbackup create, plain: {}; {:.0} MB written, {:.0} MB/s of database",
        summary(&mut plain.clone()),
        plain_bytes as f64 / 1e6,
        mb_s(db_bytes, median(&plain))
    );
    println!(
        "backup create, encrypted (age): {}; {:.0} MB written, {:.0} MB/s of database",
        summary(&mut sealed.clone()),
        sealed_bytes as f64 / 1e6,
        mb_s(db_bytes, median(&sealed))
    );

    // Erase some profiles after the last backups, then restore them.
    let ids = common::deletable(&store, ERASED_AFTER, 1000);
    let run = erase::Bulk {
        actor: &actor,
        reason: Reason::Manual,
        now: now + 60_000,
        options: BulkOptions {
            verify: Verify::Skip,
            batch_size: 2000,
        },
        cancel: None,
    };
    erase::delete_profiles(&mut store, &run, &ids, &mut |_| {}).unwrap();
    drop(store);
    let find = |dir: &str| -> PathBuf {
        let d = work.join(dir);
        std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .next()
            .unwrap()
    };
    let plain_file = find(&format!("b-{}-false", ROUNDS - 1));
    let sealed_file = find(&format!("b-{}-true", ROUNDS - 1));
    let (mut plain_restore, mut sealed_restore) = (Vec::new(), Vec::new());
    let mut reapplied = 0;
    for round in 0..1 {
        for encrypted in [false, true] {
            let to = work.join(format!("restored-{round}-{encrypted}.db"));
            let t = Instant::now();
            let r = backup::restore(&RestoreOptions {
                backup: if encrypted {
                    sealed_file.clone()
                } else {
                    plain_file.clone()
                },
                to: to.clone(),
                ledger: LedgerSource::Given(ledger.clone()),
                identity: encrypted.then(|| key_file.clone()),
                now: now + 120_000,
            })
            .unwrap();
            let took = t.elapsed();
            reapplied = r.reapplied.len();
            if encrypted {
                sealed_restore.push(took);
            } else {
                plain_restore.push(took);
            }
            for s in ["", "-wal", "-shm"] {
                let mut p = to.as_os_str().to_owned();
                p.push(s);
                let _ = std::fs::remove_file(PathBuf::from(p));
            }
        }
    }
    println!(
        "\nbackup restore, plain, {reapplied} profiles erased again: {}",
        summary(&mut plain_restore)
    );
    println!(
        "backup restore, encrypted, {reapplied} profiles erased again: {}",
        summary(&mut sealed_restore)
    );
    println!("peak memory: {:.0} MiB", common::peak_rss_mib());
    remove_dir(&work);
}
