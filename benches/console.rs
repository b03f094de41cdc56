//! The console on a 1,000,000-customer database: search-as-you-type
//! latency per key and prefix length, opening a customer with 20,000 items,
//! and the time to render a frame.
//!
//! `cargo bench --bench console` (set LETHE_BENCH_CUSTOMERS for a smaller
//! database). Targets: search p95 < 10 ms, open < 50 ms, frame < 5 ms.

mod common;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use lethe::session::{Clock, Session};
use lethe::store::Store;
use lethe::tui::app::App;
use lethe::tui::runtime::{Runtime, Searcher};
use lethe::tui::theme::Theme;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const SAMPLES: usize = 200;
const BIG_ITEMS: usize = 20_000;

fn sample(store: &Store, sql: &str) -> Vec<String> {
    let read = store.read();
    let mut stmt = read.prepare(sql).unwrap();
    stmt.query_map([SAMPLES as i64], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// What a person types for each key: names and IDs as written, phones as
/// digits with the country code.
fn typed_values(store: &Store) -> Vec<(&'static str, Vec<String>)> {
    let pick = "ABS(random()) % 1000 = 0";
    let names = sample(
        store,
        &format!("SELECT name FROM customers WHERE name IS NOT NULL AND {pick} LIMIT ?1"),
    );
    let emails = sample(
        store,
        &format!("SELECT original FROM customer_emails WHERE {pick} LIMIT ?1"),
    );
    // Phones as their digits with the country code, as search matches them.
    let phones: Vec<String> = sample(
        store,
        &format!(
            "SELECT normalized FROM customer_phones WHERE normalized <> '' AND {pick} LIMIT ?1"
        ),
    )
    .into_iter()
    .map(|p| p.trim_start_matches('+').to_string())
    .collect();
    let external = sample(store, &format!("SELECT external_customer_id FROM customers WHERE external_customer_id IS NOT NULL AND {pick} LIMIT ?1"));
    let ids = sample(
        store,
        &format!("SELECT id FROM customers WHERE {pick} LIMIT ?1"),
    );
    vec![
        ("name", names),
        ("email", emails),
        ("phone", phones),
        ("external ID", external),
        ("customer ID", ids),
    ]
}

fn bench_search(store: &Store) {
    println!("\nSearch-as-you-type, {SAMPLES} sampled values per key, 50 results per query");
    println!(
        "{:<12} {:>3}  {:>8}  {:>8}  {:>8}",
        "key", "len", "p50 ms", "p95 ms", "max ms"
    );
    let mut all = Vec::new();
    let mut dups = Vec::new();
    for (key, values) in typed_values(store) {
        for len in 1..=6 {
            let mut times = Vec::with_capacity(values.len());
            for v in &values {
                let prefix: String = v.chars().take(len).collect();
                let t = Instant::now();
                let hits = lethe::search::prefix(&store.read(), &prefix, 50).unwrap();
                times.push(t.elapsed());
                // The DUPLICATE check the search thread runs next.
                let ids: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
                let t = Instant::now();
                let shared = lethe::search::sharing_keys(&store.read(), &ids).unwrap();
                dups.push(t.elapsed());
                std::hint::black_box((hits, shared));
            }
            all.extend(times.iter().copied());
            let max = *times.iter().max().unwrap_or(&Duration::ZERO);
            println!(
                "{key:<12} {len:>3}  {:>8.3}  {:>8.3}  {:>8.3}",
                common::ms(common::percentile(&mut times, 50.0)),
                common::ms(common::percentile(&mut times, 95.0)),
                common::ms(max)
            );
        }
    }
    println!(
        "all queries: p50 {:.3} ms, p95 {:.3} ms ({} queries)",
        common::ms(common::percentile(&mut all, 50.0)),
        common::ms(common::percentile(&mut all, 95.0)),
        all.len()
    );
    println!(
        "duplicates check of the results (after they show): p50 {:.3} ms, p95 {:.3} ms",
        common::ms(common::percentile(&mut dups, 50.0)),
        common::ms(common::percentile(&mut dups, 95.0)),
    );
}

/// The biggest customer, added to the cached database on first use.
fn big_customer(path: &std::path::Path) -> String {
    let mut store = Store::open(path).unwrap();
    let found: Option<String> = store
        .read()
        .query_row(
            "SELECT customer_id FROM items GROUP BY customer_id HAVING count(*) >= ?1 LIMIT 1",
            [BIG_ITEMS as i64],
            |r| r.get(0),
        )
        .ok();
    if let Some(id) = found {
        return id;
    }
    let mut summary = lethe::demo::Summary::default();
    let id = lethe::demo::add_big_customer(
        &mut store,
        7,
        BIG_ITEMS,
        lethe::demo::BENCH_ANCHOR,
        &mut summary,
    )
    .unwrap();
    store.checkpoint_truncate().unwrap();
    id
}

fn bench_open(store: &Store, id: &str) {
    let mut times = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let profile = lethe::profile::load(&store.read(), id).unwrap().unwrap();
        let mut tl = lethe::timeline::Timeline::open(&store.read(), id).unwrap();
        tl.load_rows(&store.read(), 0..60).unwrap();
        times.push(t.elapsed());
        std::hint::black_box((profile, tl.len()));
    }
    let first = times[0];
    println!(
        "\nOpen a customer with {BIG_ITEMS} items (profile + timeline + first page): first {:.2} ms, p50 {:.2} ms, p95 {:.2} ms",
        common::ms(first),
        common::ms(common::percentile(&mut times, 50.0)),
        common::ms(common::percentile(&mut times, 95.0))
    );
    let mut tl = lethe::timeline::Timeline::open(&store.read(), id).unwrap();
    let rows = tl.len();
    let t = Instant::now();
    let mut row = 0;
    while row < rows {
        tl.load_rows(&store.read(), row..(row + 60).min(rows))
            .unwrap();
        row += 60;
    }
    println!(
        "Page through all {rows} timeline rows, 60 at a time: {:.1} ms",
        common::ms(t.elapsed())
    );
}

/// What the Triage screen reads after each action (delete, redact,
/// dismiss): the first 200 open findings, their count, and the message
/// around the first one.
fn bench_triage(store: &Store) {
    let filter = lethe::triage::QueueFilter {
        min_confidence: lethe::pii::HIGH_CONFIDENCE,
        limit: 200,
        ..Default::default()
    };
    let mut times = Vec::new();
    let mut open = 0;
    for _ in 0..30 {
        let t = Instant::now();
        let rows = lethe::triage::queue(&store.read(), &filter).unwrap();
        open = lethe::triage::queue_len(&store.read(), &filter).unwrap();
        if let Some(first) = rows.first() {
            std::hint::black_box(lethe::triage::context(&store.read(), first.finding_id).unwrap());
        }
        times.push(t.elapsed());
    }
    println!(
        "\nTriage queue after an action ({open} open findings: first 200, count, context): first {:.2} ms, p50 {:.2} ms, p95 {:.2} ms",
        common::ms(times[0]),
        common::ms(common::percentile(&mut times, 50.0)),
        common::ms(common::percentile(&mut times, 95.0))
    );
}

fn key(rt: &mut Runtime, code: KeyCode) {
    rt.key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn bench_frames(path: &std::path::Path, name: &str) {
    for (w, h) in [(80u16, 24u16), (200, 50)] {
        let store = Store::open(path).unwrap();
        let actor = common::operator(&store);
        let app = App::new(actor.clone(), Theme::INDEXED, (w, h));
        let dir = tempfile::tempdir().unwrap();
        let session = Session::new(store, actor, Clock::Wall);
        let mut rt = Runtime::new(app, session, Searcher::Inline, dir.path().to_path_buf());
        for c in name.chars() {
            key(&mut rt, KeyCode::Char(c));
        }
        key(&mut rt, KeyCode::Enter);
        key(&mut rt, KeyCode::Enter);
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut times = Vec::new();
        for i in 0..400 {
            // Scroll between frames, as a person holding j does.
            if i % 2 == 0 {
                key(&mut rt, KeyCode::Char('j'));
            }
            let t = Instant::now();
            term.draw(|f| rt.draw(f)).unwrap();
            times.push(t.elapsed());
        }
        println!(
            "Frame at {w}x{h} on the {BIG_ITEMS}-item timeline while scrolling: p50 {:.3} ms, p95 {:.3} ms",
            common::ms(common::percentile(&mut times, 50.0)),
            common::ms(common::percentile(&mut times, 95.0))
        );
    }
}

fn main() {
    let n = common::customers();
    let path = common::bench_db(n);
    let big = big_customer(&path);
    let store = Store::open(&path).unwrap();
    println!("Console benchmark on {n} customers ({})", path.display());
    bench_search(&store);
    bench_open(&store, &big);
    bench_triage(&store);
    let name: String = store
        .read()
        .query_row("SELECT name FROM customers WHERE id = ?1", [&big], |r| {
            r.get(0)
        })
        .unwrap();
    bench_frames(&path, &name);
}
