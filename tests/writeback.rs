//! A bulk erasure has the kernel write the database's pages while it runs
//! (`store::writeback`). This file holds one test, so its process runs no
//! other bulk erasure whose helper could be mistaken for this one's.
#![cfg(target_os = "linux")]

use lethe::access::Actor;
use lethe::erase::{self, BulkOptions, Reason, Verify};
use lethe::store::Store;

/// The names of this process's threads.
fn threads() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|n| n.trim().to_string())
        .collect()
}

#[test]
fn the_writeback_helper_runs_during_a_bulk_erasure_and_stops_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let opts = lethe::demo::Options {
        customers: 40,
        seed: 3,
        anchor: 1_750_000_000_000,
    };
    lethe::demo::create_demo_file(&path, &opts, None, &mut |_| {}).unwrap();
    let mut store = Store::open(&path).unwrap();
    let operator: String = store
        .read()
        .query_row("SELECT username FROM operators LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let actor = Actor::resolve(&store.read(), &operator).unwrap();
    let ids: Vec<String> = store
        .read()
        .prepare(
            "SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM conversations v
                 WHERE v.customer_id = c.id AND v.status <> 'CLOSED') LIMIT 3",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids.len(), 3);
    let helper = || threads().iter().any(|t| t == "lethe-writeback");
    assert!(!helper());
    let mut seen = Vec::new();
    let result = erase::delete_profiles(
        &mut store,
        &erase::Bulk {
            actor: &actor,
            reason: Reason::Manual,
            now: 0,
            options: BulkOptions {
                verify: Verify::Skip,
                batch_size: 1,
            },
            cancel: None,
        },
        &ids,
        &mut |_| seen.push(helper()),
    )
    .unwrap();
    assert_eq!(result.deleted, 3);
    assert_eq!(seen, [true, true, true]);
    // The helper was joined when the run ended. The kernel lists an exited
    // thread in /proc/self/task until it has reaped it, a moment after the
    // join returns; under load that moment was seen in CI.
    let gone = (0..100).any(|_| {
        let alive = helper();
        if alive {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        !alive
    });
    assert!(gone, "the writeback helper still runs after the erasure");
}
