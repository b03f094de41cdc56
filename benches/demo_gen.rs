//! Demo generation speed: 100,000 customers into a new database file.
//!
//! `cargo bench --bench demo_gen`. Environment:
//! - `LETHE_DEMO_CUSTOMERS=N` generates N customers instead of 100,000.
//! - `LETHE_BENCH_DB=N` also builds (or reuses) the cached benchmark
//!   database of N customers, seed 7, that the other benchmarks use
//!   (`demo::bench_db`), and reports its time and size.

use std::time::Instant;

use lethe::demo::{self, Options};

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
}

fn main() {
    let customers = env_u64("LETHE_DEMO_CUSTOMERS").unwrap_or(100_000);
    let opts = Options {
        customers,
        seed: 7,
        anchor: demo::BENCH_ANCHOR,
    };

    // Building documents alone, to tell generation from SQLite time.
    let sample = customers.min(20_000);
    let started = Instant::now();
    let mut items = 0usize;
    for i in 0..sample {
        let doc = demo::generate_doc(&opts, i);
        items += doc
            .conversations
            .iter()
            .map(|c| c.items.len())
            .sum::<usize>();
    }
    let build_s = started.elapsed().as_secs_f64();
    println!(
        "documents only: {sample} customers ({items} items) in {build_s:.2} s = {:.0} customers/s",
        sample as f64 / build_s
    );

    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("demo.db");
    let summary =
        demo::create_demo_file(&path, &opts, None, &mut |_| {}).expect("demo generation succeeds");
    let secs = summary.elapsed.as_secs_f64();
    println!(
        "demo_gen: {} customers, {} conversations, {} items, {} attachments, {} recordings",
        summary.customers,
        summary.conversations,
        summary.items,
        summary.attachments,
        summary.recordings
    );
    println!(
        "demo_gen: {secs:.1} s total, {:.0} customers/s, {:.0} items/s, database {:.1} MB (db + wal after checkpoint)",
        summary.customers as f64 / secs,
        summary.items as f64 / secs,
        demo::files_size(&path) as f64 / 1e6
    );

    if let Some(n) = env_u64("LETHE_BENCH_DB") {
        let started = Instant::now();
        let path = demo::bench_db(n, 7).expect("the bench database is built");
        println!(
            "bench_db: {} ready in {:.1} s, {:.1} MB",
            path.display(),
            started.elapsed().as_secs_f64(),
            demo::files_size(&path) as f64 / 1e6
        );
    }
}
