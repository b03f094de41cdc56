//! What verification costs on the benchmark database: the structural check
//! of free space alone, the value scan alone (20,000 values, the most one
//! pass checks), and both in one child process, as every erasure runs
//! them. Each on the same checkpointed copy, interleaved, five rounds.
//!
//! `cargo bench --bench forensic`.

mod common;

use std::time::{Duration, Instant};

use lethe::store::forensic;

fn main() {
    let n = common::customers();
    let src = common::bench_db(n);
    let copy = common::Scratch::of(&src, "forensic");
    let size = std::fs::metadata(&copy.path).unwrap().len();
    let values: Vec<Vec<u8>> = (0..20_000)
        .map(|i| format!("absent-value-{i:06}@nowhere.example").into_bytes())
        .collect();
    // One read first, so every round finds the file in the page cache.
    let warm = forensic::check_free_space(&copy.path).unwrap().unwrap();
    println!(
        "Verification on {n} customers: {:.0} MiB, {} pages ({} B-tree, {} freelist), \
         {:.0} MiB of free space checked",
        size as f64 / (1 << 20) as f64,
        warm.pages,
        warm.btree_pages,
        warm.freelist_pages,
        warm.free_bytes as f64 / (1 << 20) as f64
    );
    let (mut structure, mut scan, mut both) = (vec![], vec![], vec![]);
    for _ in 0..5 {
        let t = Instant::now();
        let fs = forensic::check_free_space(&copy.path).unwrap().unwrap();
        structure.push(t.elapsed());
        assert!(fs.is_clean(), "{fs:?}");
        let t = Instant::now();
        let s = forensic::scan(&copy.path, &values).unwrap();
        scan.push(t.elapsed());
        assert_eq!(s.values_found, 0);
        let t = Instant::now();
        let (s, _) = forensic::verify(&copy.path, &values).unwrap();
        both.push(t.elapsed());
        assert!(s.is_clean());
    }
    let show = |name: &str, d: &mut Vec<Duration>| {
        let (lo, hi) = (
            d.iter().min().copied().unwrap_or_default(),
            d.iter().max().copied().unwrap_or_default(),
        );
        println!(
            "  {name:<38} median {:>7.2} s  (range {:.2} to {:.2} s)",
            common::percentile(d, 50.0).as_secs_f64(),
            lo.as_secs_f64(),
            hi.as_secs_f64()
        );
    };
    show("structural check of free space", &mut structure);
    show("value scan, 20,000 values", &mut scan);
    show("both, in one child (every erasure)", &mut both);
    println!("  peak memory: {:.0} MiB", common::peak_rss_mib());
}
