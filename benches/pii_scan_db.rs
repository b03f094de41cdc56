//! Throughput of `lethe scan` (`triage::scan`) on the 1,000,000-customer
//! demo database: MB/s of message text (subjects and bodies) read,
//! detected and recorded, on one thread, with the detectors alone on the
//! same text for comparison.
//!
//! `cargo bench --bench pii_scan_db` (LETHE_BENCH_CUSTOMERS for a smaller
//! database). Target: at least 100 MB/s.

mod common;

use std::time::Instant;

use lethe::pii::{detect, KnownContacts};
use lethe::store::Store;
use lethe::triage;

fn main() {
    let n = common::customers();
    let src = common::bench_db(n);
    // The demo database is scanned when it is generated; scan a copy with
    // the scan state reset, as a database imported without scanning. Rows
    // written by an older build start behind (scanned_rev 0); level them
    // first, untimed, as a database written by this build is.
    let scratch = common::Scratch::of(&src, "pii-scan");
    let mut store = Store::open(&scratch.path).unwrap();
    store
        .read()
        .execute_batch(
            "DELETE FROM pii_findings;
             DELETE FROM settings WHERE key = 'pii_scan_watermark';
             UPDATE items SET scanned_rev = content_rev WHERE scanned_rev <> content_rev;",
        )
        .unwrap();
    store.checkpoint_truncate().unwrap();
    let actor = common::operator(&store);

    // A first scan, reported apart: right after the copy the file is only
    // partly in the page cache, and this machine's host trims the cache,
    // so it measures the disk more than the scan. Then five full scans,
    // the state reset before each, and their median.
    const RUNS: usize = 5;
    let mut runs = Vec::new();
    let mut cpu_runs = Vec::new();
    let mut summary = None;
    for run in 0..=RUNS {
        if run > 0 {
            store
                .read()
                .execute_batch(
                    "DELETE FROM pii_findings;
                     DELETE FROM settings WHERE key = 'pii_scan_watermark';",
                )
                .unwrap();
            store.checkpoint_truncate().unwrap();
        }
        let t = Instant::now();
        let cpu = common::thread_cpu_time();
        let s = triage::scan(&mut store, &actor, lethe::clock::now_ms(), &mut ()).unwrap();
        let secs = t.elapsed().as_secs_f64();
        let cpu_secs = (common::thread_cpu_time() - cpu).as_secs_f64();
        let mb = s.bytes as f64 / 1e6;
        if run == 0 {
            println!(
                "  first scan after the copy (warm-up, not counted): {mb:.1} MB of text in {secs:.2} s = {:.1} MB/s",
                mb / secs
            );
            continue;
        }
        println!(
            "  run {run}: {mb:.1} MB of text in {secs:.2} s = {:.1} MB/s ({cpu_secs:.2} s on the CPU = {:.1} MB/s)",
            mb / secs,
            mb / cpu_secs
        );
        runs.push(secs);
        cpu_runs.push(cpu_secs);
        summary = Some(s);
    }
    let summary = summary.unwrap();
    runs.sort_by(f64::total_cmp);
    cpu_runs.sort_by(f64::total_cmp);
    let secs = runs[RUNS / 2];
    let mb = summary.bytes as f64 / 1e6;
    println!("PII scan of {n} customers' items (median of {RUNS}): {} items with text, {mb:.1} MB of text in {secs:.2} s = {:.1} MB/s ({:.0} items/s), {} findings; runs from {:.1} to {:.1} MB/s",
        summary.items, mb / secs, summary.items as f64 / secs, summary.total_found(),
        mb / runs[RUNS - 1], mb / runs[0]);
    println!(
        "  on the CPU (the scan's thread, disk waits left out): median {:.2} s = {:.1} MB/s",
        cpu_runs[RUNS / 2],
        mb / cpu_runs[RUNS / 2]
    );
    let t = Instant::now();
    let again = triage::scan(&mut store, &actor, lethe::clock::now_ms(), &mut ()).unwrap();
    println!(
        "Rescan with nothing pending: {} items in {:.1} ms",
        again.items,
        common::ms(t.elapsed())
    );

    // The detectors alone over the same texts, read up front.
    let texts: Vec<String> = {
        let read = store.read();
        let mut stmt = read
            .prepare("SELECT coalesce(subject, '') || ' ' || coalesce(body, '') FROM items WHERE deleted_at IS NULL")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let known = KnownContacts::default();
    let t = Instant::now();
    let mut found = 0;
    for text in &texts {
        found += detect(text, &known).len();
    }
    let secs = t.elapsed().as_secs_f64();
    println!("Detectors alone on the same text: {:.1} MB in {secs:.2} s = {:.1} MB/s ({found} detections)", bytes as f64 / 1e6, bytes as f64 / 1e6 / secs);
}
