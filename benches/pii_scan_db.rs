//! Throughput of `lethe scan` (`triage::scan`) over a database: MB/s of
//! message text (subjects and bodies) read, detected, recorded and marked
//! scanned, on one thread.
//!
//! Run: `cargo bench --bench pii_scan_db`. The database is built once from a
//! fixed seed and cached in `target/lethe-bench/pii_scan_db.db`: 30,000
//! customers with 10 items each (chats, emails with subjects and a
//! signature holding the customer's own contacts, SMS, notes), about half
//! plain text, a third with order numbers, amounts and times, and the rest
//! with personal data. Each pass first marks every item unscanned and drops
//! the findings (not timed). Delete the file to rebuild it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use lethe::access::{self, Actor};
use lethe::pii::{detect, KnownContacts};
use lethe::store::Store;
use lethe::triage;

const CUSTOMERS: usize = 30_000;
const ITEMS_PER_CUSTOMER: usize = 10;
const OPERATOR: &str = "bench";

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const OPENERS: &[&str] = &[
    "Hi there,",
    "Hello,",
    "hey",
    "Good morning!",
    "Hi team,",
    "",
];
const BODIES: &[&str] = &[
    "the parcel arrived but the lid of the blender was cracked and the jug leaks when I use it",
    "I would like to return the rain jacket, it is too small and the colour is not what the photo showed",
    "can you tell me when the standing desk will be back in stock? I have been waiting for weeks",
    "the app keeps logging me out whenever I try to check the status of my delivery",
    "I never received the confirmation email after placing the order yesterday evening",
    "my refund still has not shown up on my statement, could you check what happened please",
    "the courier left the box in the rain and everything inside is soaked, really disappointed",
    "is it possible to change the delivery address before it ships? we are moving next week",
    "thanks so much for the quick help, the replacement works perfectly now",
    "the size guide says medium but it fits like a small, do you have the large in blue",
];
const CLOSERS: &[&str] = &[
    "Thanks!",
    "Best regards",
    "cheers",
    "Kind regards",
    "thx",
    "",
];
const SUBJECTS: &[&str] = &[
    "Where is my order?",
    "Refund request",
    "Damaged item",
    "Question about sizes",
    "Re: your delivery",
];

fn message(rng: &mut Rng, out: &mut String) {
    out.push_str(rng.pick(OPENERS));
    out.push(' ');
    for _ in 0..1 + rng.below(3) {
        out.push_str(rng.pick(BODIES));
        out.push_str(". ");
    }
    out.push_str(rng.pick(CLOSERS));
    let n = rng.next();
    match rng.below(100) {
        0..=49 => {}
        50..=84 => out.push_str(&match n % 5 {
            0 => format!(
                " Order #{} placed on 2024-03-{:02}.",
                n % 10_000_000,
                1 + n % 28
            ),
            1 => format!(" I was charged ${}.{:02} twice.", n % 900, n % 100),
            2 => format!(" Delivery between {}:30 and {}:00.", 8 + n % 4, 12 + n % 6),
            3 => format!(" Tracking 1Z{:016}", n % 10_000_000_000_000_000),
            _ => format!(" My order number is {}.", n % 10_000_000_000),
        }),
        _ => out.push_str(match n % 6 {
            0 => " Please charge 4111 1111 1111 1111 exp 12/27 instead.",
            1 => " You can call me at (415) 555-0199 after 5pm.",
            2 => " Refund to IBAN DE89 3704 0044 0532 0130 00 please.",
            3 => " My new email is maria.garcia87@gmail.com",
            4 => " They asked for my SSN, it's 536-22-8410.",
            _ => " It says access denied for 81.2.69.160 when I log in.",
        }),
    }
}

fn customer(rng: &mut Rng, c: usize) -> serde_json::Value {
    let email = format!("customer{c}@example.com");
    let phone = format!("+1415{:07}", 2_000_000 + c);
    let mut items = Vec::new();
    for i in 0..ITEMS_PER_CUSTOMER {
        let mut text = String::with_capacity(400);
        message(rng, &mut text);
        let (kind, subject) = match rng.below(10) {
            0..=5 => ("CHAT_MESSAGE", None),
            6 | 7 => {
                text.push_str(&format!("\n--\n{email}\n{phone}"));
                ("EMAIL", Some(rng.pick(SUBJECTS)))
            }
            8 => ("SMS", None),
            _ => ("CONVERSATION_NOTE", None),
        };
        let mut content = serde_json::json!({ "type": kind, "content": text });
        if let Some(s) = subject {
            content["subject"] = s.into();
        }
        items.push(serde_json::json!({
            "id": format!("itm_{c}_{i}"),
            "timestamp": format!("2024-05-{:02}T10:{:02}:00Z", 1 + i, c % 60),
            "initiator": { "type": "CUSTOMER" },
            "content": content,
        }));
    }
    serde_json::json!({
        "id": format!("cus_{c}"),
        "name": format!("Customer {c}"),
        "emails": [{ "original": email }],
        "phones": [{ "original": phone, "normalized": phone }],
        "createdAt": "2024-01-01T00:00:00Z",
        "conversations": [{
            "id": format!("cnv_{c}"),
            "status": "CLOSED",
            "createdAt": "2024-05-01T10:00:00Z",
            "items": items,
        }],
    })
}

fn build(path: &Path) -> lethe::Result<()> {
    let tmp = path.with_extension("building");
    for f in lethe::store::forensic::database_files(&tmp) {
        let _ = std::fs::remove_file(f);
    }
    let mut store = Store::create(&tmp)?;
    access::bootstrap(store.conn(), OPERATOR)?;
    let mut rng = Rng(0x5EED_1E7E_2024_0314);
    for chunk in (0..CUSTOMERS).collect::<Vec<_>>().chunks(1_000) {
        store.write(|conn| {
            for &c in chunk {
                let doc: lethe::format::CustomerDoc =
                    serde_json::from_value(customer(&mut rng, c)).expect("valid document");
                lethe::store::customers::insert(conn, &doc, &lethe::search::keys_for(&doc))?;
            }
            Ok(())
        })?;
    }
    store.checkpoint_truncate()?;
    drop(store);
    std::fs::rename(&tmp, path)?;
    Ok(())
}

fn database() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/lethe-bench");
    std::fs::create_dir_all(&dir).expect("bench directory");
    let path = dir.join("pii_scan_db.db");
    if !path.exists() {
        let t = Instant::now();
        build(&path).expect("build the bench database");
        println!(
            "built {} in {:.1} s",
            path.display(),
            t.elapsed().as_secs_f64()
        );
    }
    path
}

fn reset(store: &mut Store) {
    store
        .write(|c| {
            c.execute_batch("DELETE FROM pii_findings; UPDATE items SET scanned_rev = 0;")?;
            Ok(())
        })
        .expect("reset");
    store.checkpoint_truncate().expect("checkpoint");
}

/// `detect` alone over the same texts, to show what the database costs.
fn detect_only(store: &Store) -> (f64, f64) {
    let mut stmt = store
        .conn()
        .prepare("SELECT coalesce(subject, ''), coalesce(body, '') FROM items")
        .expect("select");
    let texts: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect())
        .expect("texts");
    let known = KnownContacts::default();
    let bytes: usize = texts.iter().map(|(s, b)| s.len() + b.len()).sum();
    let t = Instant::now();
    let mut n = 0;
    for (s, b) in &texts {
        n += detect(s, &known).len() + detect(b, &known).len();
    }
    std::hint::black_box(n);
    (bytes as f64 / 1e6, t.elapsed().as_secs_f64())
}

fn main() {
    let path = database();
    let mut store = Store::open(&path).expect("open");
    let actor = Actor::resolve(store.conn(), OPERATOR).expect("actor");
    let items: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
        .expect("count");
    let file_mb = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    println!("pii_scan_db: {items} items, database {file_mb:.0} MB, one thread, best of 2");

    let mut best = f64::MAX;
    let mut summary = triage::ScanSummary::default();
    for _ in 0..2 {
        reset(&mut store);
        let t = Instant::now();
        summary = triage::scan(&mut store, &actor, lethe::clock::now_ms(), &mut ()).expect("scan");
        best = best.min(t.elapsed().as_secs_f64());
    }
    let mb = summary.bytes as f64 / 1e6;
    println!(
        "full scan      {:>8} items {:>7.1} MB  {:>7.2} s  {:>7.1} MB/s  {:>8.0} items/s  {} findings",
        summary.items,
        mb,
        best,
        mb / best,
        summary.items as f64 / best,
        summary.total_found()
    );
    let t = Instant::now();
    let again = triage::scan(&mut store, &actor, lethe::clock::now_ms(), &mut ()).expect("rescan");
    println!(
        "rescan         {:>8} items                {:>7.3} s  (nothing pending)",
        again.items,
        t.elapsed().as_secs_f64()
    );
    let (mb, secs) = detect_only(&store);
    println!(
        "detect only    {:>8} items {:>7.1} MB  {:>7.2} s  {:>7.1} MB/s  (same texts, no database)",
        items,
        mb,
        secs,
        mb / secs
    );
}
