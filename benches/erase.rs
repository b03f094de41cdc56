//! Profile erasure on a 1,000,000-customer database: one profile as the
//! console deletes it (including the WAL checkpoint), bulk throughput, and
//! the same deletions done by plain SQL as the baseline, in the same run.
//!
//! `cargo bench --bench erase`. Targets: one profile < 50 ms; bulk within
//! 2x of the plain-SQL baseline.

mod common;

use std::time::Instant;

use lethe::erase::{self, BulkOptions, Reason, Verify};
use lethe::store::Store;

const SINGLE: usize = 40;

/// Profiles per transaction for the bulk run (LETHE_BENCH_BATCH, default
/// 2,000 as `lethe delete` uses).
fn batch() -> usize {
    std::env::var("LETHE_BENCH_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}
const BULK: usize = 10_000;

fn main() {
    let n = common::customers();
    let src = common::bench_db(n);
    println!("Erase benchmark on {n} customers ({})", src.display());

    let scratch = common::Scratch::of(&src, "erase");
    let mut store = Store::open(&scratch.path).unwrap();
    let actor = common::operator(&store);
    let now = lethe::clock::now_ms();

    // One profile at a time, as the console's D does: one transaction, the
    // WAL truncated after it. Verification (a scan of the files) is timed
    // apart, since its cost grows with the file, not the profile.
    let singles = common::deletable(&store, SINGLE, 0);
    let mut times = Vec::new();
    for id in &singles {
        let t = Instant::now();
        erase::delete_profile_with(
            &mut store,
            &actor,
            id,
            erase::ProfileErasure {
                reason: Reason::Manual,
                now,
                verify: Verify::Skip,
            },
        )
        .unwrap();
        times.push(t.elapsed());
    }
    println!(
        "\nOne profile, interactive (erase + WAL checkpoint): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({SINGLE} profiles)",
        common::ms(common::percentile(&mut times, 50.0)),
        common::ms(common::percentile(&mut times, 95.0)),
        common::ms(*times.iter().max().unwrap())
    );
    let verify_id = common::deletable(&store, 1, 100).remove(0);
    let t = Instant::now();
    let receipt =
        erase::delete_profile(&mut store, &actor, &verify_id, Reason::Manual, now).unwrap();
    let scan = receipt.verification.clone().unwrap();
    println!(
        "One profile with the receipt's verification scan: {:.0} ms ({:.0} MiB of database files read, {} values checked, {} found)",
        common::ms(t.elapsed()),
        scan.bytes_scanned as f64 / (1 << 20) as f64,
        scan.values_checked,
        scan.values_found
    );

    // Bulk: the same number of profiles through the erase path and through
    // plain SQL, each on a fresh copy, so both start with the same cache
    // (the verification scan above read every file once).
    let ids = common::deletable(&store, BULK, 1000);
    drop(store);
    drop(scratch);
    let scratch = common::Scratch::of(&src, "erase-bulk");
    let mut store = Store::open(&scratch.path).unwrap();
    let t = Instant::now();
    let result = erase::delete_profiles(
        &mut store,
        &erase::Bulk {
            actor: &actor,
            reason: Reason::Manual,
            now,
            options: BulkOptions {
                verify: Verify::Skip,
                batch_size: batch(),
            },
            cancel: None,
        },
        &ids,
        &mut |_| {},
    )
    .unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(result.deleted, ids.len());
    let rate = ids.len() as f64 / secs;
    drop(store);
    drop(scratch);

    let baseline_copy = common::Scratch::of(&src, "erase-baseline");
    let baseline = common::plain_sql_rate(&baseline_copy.path, &ids, batch());
    drop(baseline_copy);
    println!(
        "Bulk, {BULK} profiles in batches of {}: {rate:.0} profiles/s (erase path) vs {baseline:.0} profiles/s (plain SQL, no search keys or audit): {:.2}x the baseline's time",
        batch(),
        baseline / rate
    );
    println!("Peak memory: {:.0} MiB", common::peak_rss_mib());
}
