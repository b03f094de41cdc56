//! A retention sweep that deletes 100,000 of 1,000,000 customers, with the
//! forensic scan at the end, against the plain-SQL baseline in the same
//! run; then the same share on a 100,000-customer database, to show how the
//! time grows with the database.
//!
//! `cargo bench --bench retention`. Target: at least 5,000 profiles/s.

mod common;

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use lethe::clock::DAY_MS;
use lethe::retention::{self, Policy, SweepOptions};
use lethe::store::Store;

const DAYS: i64 = 365;

/// A "now" at which one tenth of the customers are due.
fn now_for_tenth(store: &Store, customers: u64) -> i64 {
    let clock: i64 = store
        .read()
        .query_row(
            "SELECT coalesce(last_contact_at, created_at) AS k FROM customers
             WHERE deleted_at IS NULL ORDER BY k LIMIT 1 OFFSET ?1",
            [(customers / 10) as i64],
            |r| r.get(0),
        )
        .unwrap();
    clock + DAYS * DAY_MS
}

fn run(customers: u64) {
    let src = common::bench_db(customers);
    let scratch = common::Scratch::of(&src, "retention");
    let mut store = Store::open(&scratch.path).unwrap();
    let actor = common::operator(&store);
    let now = now_for_tenth(&store, customers);
    retention::set_policy(&mut store, &actor, Policy::DeleteAfter { days: DAYS }, true).unwrap();
    let preview = retention::preview(&store.read(), DAYS, now).unwrap();
    let t = Instant::now();
    // Progress arrives after each committed batch: the last one marks the
    // end of the deletions, before the verification scan.
    let mut last_batch = t;
    let report = retention::sweep(
        &mut store,
        &actor,
        now,
        &SweepOptions {
            dry_run: false,
            batch: 2000,
            verify: lethe::erase::Verify::Full,
        },
        retention::Watch {
            progress: &mut |_| last_batch = Instant::now(),
            cancel: &AtomicBool::new(false),
        },
    )
    .unwrap();
    let total = t.elapsed().as_secs_f64();
    let deleting = (last_batch - t).as_secs_f64();
    let scan = report.verification.clone();
    let deleted = report.deleted as f64;
    // The ids the sweep deleted, for the baseline on a fresh copy.
    let ids: Vec<String> = {
        let read = store.read();
        let mut stmt = read
            .prepare("SELECT id FROM customers WHERE deletion_reason = 'retention'")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    drop(store);
    drop(scratch);
    let baseline_copy = common::Scratch::of(&src, "retention-baseline");
    let baseline = common::plain_sql_rate(&baseline_copy.path, &ids, 500);
    drop(baseline_copy);
    println!(
        "\n{customers} customers: {} due, {} blocked by open conversations",
        preview.due_now, preview.blocked
    );
    println!(
        "  sweep: {} deleted in {deleting:.1} s = {:.0} profiles/s; with the verification scan {total:.1} s = {:.0} profiles/s",
        report.deleted,
        deleted / deleting,
        deleted / total
    );
    if let Some(s) = scan {
        println!(
            "  verification: {} values{} checked over {:.0} MiB, {} found{}",
            s.values_checked,
            s.sample_note(),
            s.bytes_scanned as f64 / (1 << 20) as f64,
            s.values_found,
            if s.compacted {
                " (after compacting: the first scan found deleted bytes in free page space)"
            } else {
                ""
            }
        );
    }
    println!("  plain-SQL baseline on the same profiles: {baseline:.0} profiles/s");
    println!("  peak memory so far: {:.0} MiB", common::peak_rss_mib());
}

fn main() {
    let n = common::customers();
    println!("Retention benchmark: sweeps deleting a tenth of the customers");
    run(n);
    if n > 100_000 {
        run(100_000);
    }
}
