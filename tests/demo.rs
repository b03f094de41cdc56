//! The demo generator: deterministic, and realistic in the ways the rest of
//! Lethe depends on (every item type, open work, duplicates, pasted PII,
//! activity after the last Contact, five years of history).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use lethe::clock::{self, Millis, DAY_MS};
use lethe::demo::{self, pasted, Options};
use lethe::format::{ContentType, ConversationStatus, CustomerDoc, InitiatorType, ItemDoc};
use lethe::store::{customers, Store, SCHEMA_VERSION};

const ANCHOR: Millis = 1_750_000_000_000; // 2025-06-15
const CUSTOMERS: u64 = 800;

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    summary: demo::Summary,
    /// Every customer as stored, read back with attachment data.
    docs: Vec<CustomerDoc>,
}

fn opts(customers: u64, seed: u64) -> Options {
    Options {
        customers,
        seed,
        anchor: ANCHOR,
    }
}

/// One demo database shared by the tests, read back through the store.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.db");
        let o = opts(CUSTOMERS, 42);
        let mut calls = vec![];
        let summary = demo::create_demo_file(&path, &o, None, &mut |n| calls.push(n)).unwrap();
        assert_eq!(calls.last(), Some(&CUSTOMERS), "progress reaches the total");
        let store = Store::open(&path).unwrap();
        let docs = (0..CUSTOMERS)
            .map(|i| {
                let id = demo::generate_doc(&o, i).id;
                customers::load(&store.read(), &id, true).unwrap().unwrap()
            })
            .collect();
        Fixture {
            _dir: dir,
            path,
            summary,
            docs,
        }
    })
}

fn items(doc: &CustomerDoc) -> impl Iterator<Item = &ItemDoc> {
    doc.conversations.iter().flat_map(|c| c.items.iter())
}

fn export(store: &Store, o: &Options) -> Vec<String> {
    (0..o.customers)
        .map(|i| {
            let id = demo::generate_doc(o, i).id;
            let doc = customers::load(&store.read(), &id, true).unwrap().unwrap();
            serde_json::to_string(&doc).unwrap()
        })
        .collect()
}

fn generated(o: &Options) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    demo::generate(&mut store, o, &mut |_| {}).unwrap();
    store
}

#[test]
fn same_seed_gives_identical_exports_and_another_seed_does_not() {
    let o = opts(40, 7);
    let first = export(&generated(&o), &o);
    let second = export(&generated(&o), &o);
    assert_eq!(first, second);

    let other = opts(40, 8);
    let third = export(&generated(&other), &other);
    assert!(first.iter().zip(&third).all(|(a, b)| a != b));

    // A customer does not depend on how many were generated.
    assert_eq!(
        demo::generate_doc(&o, 5),
        demo::generate_doc(&opts(5000, 7), 5)
    );
}

#[test]
fn covers_every_item_type_and_open_work() {
    let f = fixture();
    let types: HashSet<ContentType> = f
        .docs
        .iter()
        .flat_map(items)
        .map(|i| i.content.kind)
        .collect();
    for t in ContentType::ALL {
        assert!(types.contains(&t), "no {t:?} item");
    }
    let statuses: Vec<ConversationStatus> = f
        .docs
        .iter()
        .flat_map(|d| &d.conversations)
        .map(|c| c.status)
        .collect();
    let open = statuses
        .iter()
        .filter(|s| **s == ConversationStatus::Open)
        .count();
    let waiting = statuses
        .iter()
        .filter(|s| **s == ConversationStatus::Waiting)
        .count();
    assert!(open > 0 && waiting > 0);
    let share = (open + waiting) as f64 / statuses.len() as f64;
    assert!(
        (0.005..0.08).contains(&share),
        "{share} of conversations are open"
    );
    assert_eq!(f.summary.open_conversations as usize, open + waiting);
    let initiators: HashSet<&str> = f
        .docs
        .iter()
        .flat_map(items)
        .map(|i| i.initiator.kind.as_str())
        .collect();
    for k in [
        InitiatorType::Customer,
        InitiatorType::Agent,
        InitiatorType::App,
        InitiatorType::System,
    ] {
        assert!(initiators.contains(k.as_str()), "no {k:?} initiator");
    }
}

#[test]
fn volumes_look_like_a_real_account() {
    let f = fixture();
    let s = &f.summary;
    assert_eq!(s.customers, CUSTOMERS);
    let per_customer = s.items as f64 / s.customers as f64;
    assert!(
        (8.0..14.0).contains(&per_customer),
        "{per_customer} items per customer"
    );
    let stored: usize = f.docs.iter().map(|d| items(d).count()).sum();
    assert_eq!(stored as u64, s.items);
    let mut counts: Vec<usize> = f.docs.iter().map(|d| items(d).count()).collect();
    counts.sort_unstable();
    assert!(counts[counts.len() / 2] >= 3 && counts[counts.len() / 2] <= 20);
    assert!(
        *counts.last().unwrap() > 25,
        "a few customers have long histories"
    );
    assert!(
        f.docs.iter().any(|d| d.name.is_none()),
        "some profiles have no name"
    );
    assert!(f
        .docs
        .iter()
        .any(|d| d.emails.len() > 1 && d.phones.len() > 1));
    assert!(f
        .docs
        .iter()
        .any(|d| !d.orders.is_empty() && !d.app_data.is_empty()));
    let names: String = f.docs.iter().filter_map(|d| d.name.clone()).collect();
    assert!(
        names
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "CJK names"
    );
    assert!(names.contains('é') || names.contains('ü'), "accented names");
}

#[test]
fn identifiers_are_unique_and_phones_normalised() {
    let f = fixture();
    let mut seen = HashSet::new();
    for d in &f.docs {
        assert!(seen.insert(d.id.clone()));
        for c in &d.conversations {
            assert!(seen.insert(c.id.clone()));
            for i in &c.items {
                assert!(seen.insert(i.id.clone()), "{} twice", i.id);
                for a in &i.content.attachments {
                    assert!(seen.insert(a.id.clone()));
                }
            }
        }
        for p in &d.phones {
            assert_eq!(
                p.normalized,
                lethe::phone::to_e164(&p.original),
                "{}",
                p.original
            );
            assert!(p.normalized.is_some());
        }
    }
}

#[test]
fn duplicates_share_an_email_or_external_id() {
    let f = fixture();
    let mut by_email: HashMap<String, HashSet<&str>> = HashMap::new();
    let mut by_external: HashMap<String, HashSet<&str>> = HashMap::new();
    for d in &f.docs {
        for e in &d.emails {
            by_email
                .entry(e.original.to_lowercase())
                .or_default()
                .insert(&d.id);
        }
        for v in d.external_customer_ids.values() {
            by_external
                .entry(v.as_str().unwrap().to_string())
                .or_default()
                .insert(&d.id);
        }
    }
    let shared_email = by_email.values().filter(|s| s.len() > 1).count();
    let shared_external = by_external.values().filter(|s| s.len() > 1).count();
    assert!(
        shared_email > 0 && shared_external > 0,
        "{shared_email} {shared_external}"
    );
    let rate = f.summary.duplicates as f64 / CUSTOMERS as f64;
    assert!((0.005..0.03).contains(&rate), "{rate} duplicates");

    // Search finds both profiles of a shared email.
    let store = Store::open(&f.path).unwrap();
    let (email, _) = by_email.iter().find(|(_, s)| s.len() > 1).unwrap();
    let found = lethe::search::exact(&store.read(), lethe::search::Field::Email, email).unwrap();
    assert!(found.len() > 1);
}

fn card_candidates(text: &str) -> Vec<String> {
    let re = regex::Regex::new(r"\b\d(?:[ -]?\d){12,18}\b").unwrap();
    re.find_iter(text)
        .map(|m| m.as_str().chars().filter(char::is_ascii_digit).collect())
        .collect()
}

#[test]
fn customers_paste_personal_data_into_messages() {
    let f = fixture();
    let customer_texts: Vec<&str> = f
        .docs
        .iter()
        .flat_map(items)
        .filter(|i| i.initiator.kind == InitiatorType::Customer)
        .filter_map(|i| i.content.content.as_deref())
        .collect();
    let cards = customer_texts
        .iter()
        .flat_map(|t| card_candidates(t))
        .filter(|d| pasted::luhn_valid(d))
        .count();
    assert!(cards > 0, "no Luhn-valid card numbers pasted");
    let ssn = regex::Regex::new(r"SSN is \d{3}-?\d{2}-?\d{4}").unwrap();
    assert!(customer_texts.iter().any(|t| ssn.is_match(t)));
    let iban = regex::Regex::new(r"IBAN ([A-Z]{2}\d{2}[A-Z0-9 ]+)").unwrap();
    let ibans: Vec<String> = customer_texts
        .iter()
        .filter_map(|t| iban.captures(t).map(|c| c[1].to_string()))
        .collect();
    assert!(
        !ibans.is_empty() && ibans.iter().all(|i| pasted::iban_valid(i)),
        "{ibans:?}"
    );
    let rate = f.summary.pii_messages as f64 / customer_texts.len() as f64;
    assert!(
        (0.02..0.07).contains(&rate),
        "{rate} of customer messages carry PII"
    );
}

#[test]
fn history_spans_five_years_with_activity_after_the_last_contact() {
    let f = fixture();
    let mut ages = vec![];
    let mut activity_after = 0;
    for d in &f.docs {
        for i in items(d) {
            let t = clock::parse(&i.timestamp).unwrap();
            assert!(t < ANCHOR, "{} is after the anchor", i.timestamp);
        }
        let Some(last) = d.last_contact_at.as_deref().and_then(clock::parse) else {
            continue;
        };
        ages.push((ANCHOR - last) / DAY_MS);
        if items(d).any(|i| {
            i.content.kind == ContentType::CustomerActivity
                && clock::parse(&i.timestamp).unwrap() > last
        }) {
            activity_after += 1;
        }
    }
    ages.sort_unstable();
    assert!(
        ages.len() as u64 >= CUSTOMERS - 5,
        "nearly everyone has a Contact"
    );
    assert!(ages[0] < 30, "some contacted this month");
    assert!(*ages.last().unwrap() > 4 * 365 && *ages.last().unwrap() <= 5 * 365 + 1);
    let over_two_years = ages.iter().filter(|a| **a > 2 * 365).count();
    assert!(
        over_two_years > ages.len() / 10,
        "{over_two_years} older than two years"
    );
    assert!(activity_after > CUSTOMERS as usize / 20, "{activity_after}");
}

#[test]
fn email_threads_carry_real_attachments_and_calls_carry_recordings() {
    let f = fixture();
    let mut threads: HashMap<&str, Vec<&str>> = HashMap::new();
    for i in f.docs.iter().flat_map(items) {
        if i.content.kind == ContentType::Email {
            let thread = i
                .content
                .thread_id
                .as_deref()
                .expect("emails have a thread");
            threads
                .entry(thread)
                .or_default()
                .push(i.content.subject.as_deref().unwrap());
        }
        for a in &i.content.attachments {
            let bytes = customers::decode_base64(a.data.as_deref().unwrap(), "attachment").unwrap();
            assert_eq!(bytes.len() as i64, a.file_size);
            assert!((200..=3000).contains(&a.file_size));
            assert!(a.filename.is_some());
            let magic: &[u8] = match a.content_type.as_deref().unwrap() {
                "image/png" => b"\x89PNG",
                "image/jpeg" => b"\xff\xd8",
                "application/pdf" => b"%PDF",
                other => panic!("unexpected attachment type {other}"),
            };
            assert!(bytes.starts_with(magic));
        }
        if i.content.kind.has_recording() {
            let r = i.content.recording.as_ref().expect("calls have recordings");
            let bytes = customers::decode_base64(r.data.as_deref().unwrap(), "recording").unwrap();
            assert!(bytes.starts_with(b"RIFF") && bytes.len() as i64 == r.file_size);
            assert_eq!(r.duration_seconds, i.content.duration);
        }
    }
    assert!(threads
        .values()
        .any(|s| s.len() >= 3 && s[1..].iter().all(|s| s.starts_with("Re: "))));
    assert!(f.summary.attachments > 0 && f.summary.recordings > 0);
    assert!(f
        .docs
        .iter()
        .flat_map(items)
        .any(|i| i.content.kind == ContentType::Voicemail && i.content.content.is_some()));
    let with_sessions = f
        .docs
        .iter()
        .flat_map(|d| &d.conversations)
        .filter(|c| !c.work_sessions.is_empty())
        .count();
    assert!(with_sessions > f.summary.conversations as usize / 2);
}

#[test]
fn big_customer_has_a_long_timeline_of_its_own() {
    let doc = demo::big_customer(42, 3000, ANCHOR);
    let n = items(&doc).count();
    assert!((3000..3300).contains(&n), "{n} items");
    assert!(doc.conversations.len() > 100);
    assert!(doc.name.is_some());
    assert!((0..CUSTOMERS).all(|i| demo::generate_doc(&opts(CUSTOMERS, 42), i).id != doc.id));
}

fn lethe(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lethe"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("LETHE_NOW", "2025-06-15T10:00:00Z")
        // Identity comes from the OS; as root (how tests run) Lethe honours
        // SUDO_USER.
        .env("SUDO_USER", "demo-admin")
        .output()
        .unwrap()
}

#[test]
fn cli_creates_a_database_and_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sub").join("demo.db");
    let out = lethe(&db, &["demo", "--customers", "30", "--seed", "3"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("customers") && stdout.contains("30"),
        "{stdout}"
    );
    let store = Store::open(&db).unwrap();
    let actor = lethe::access::Actor::resolve(&store.read(), "demo-admin").unwrap();
    assert!(
        actor.is_operator(),
        "the creating user is the first operator"
    );
    let o = Options {
        customers: 30,
        seed: 3,
        anchor: clock::parse("2025-06-15").unwrap(),
    };
    let first = export(&store, &o);
    drop(store);

    let out = lethe(&db, &["demo", "--customers", "5"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        export(&Store::open(&db).unwrap(), &o),
        first,
        "the database is untouched"
    );

    let out = lethe(
        &db,
        &["demo", "--customers", "30", "--seed", "3", "--force"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        export(&Store::open(&db).unwrap(), &o),
        first,
        "same seed, same day, same data"
    );
    let leftovers: Vec<_> = std::fs::read_dir(db.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn console_demo_database_is_created_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("demo.db");
    lethe::cli::demo::ensure_demo_db(&db).unwrap();
    let store = Store::open(&db).unwrap();
    let big = demo::big_customer(42, 20_000, demo::today_anchor());
    let stored = customers::load(&store.read(), &big.id, false)
        .unwrap()
        .unwrap();
    assert!(items(&stored).count() >= 20_000);
    // Easy to type into the search box over SSH: no CJK or Hangul.
    let name = stored.name.unwrap();
    assert!(
        !name.chars().any(|c| ('\u{3040}'..='\u{d7af}').contains(&c)),
        "{name}"
    );
    drop(store);
    let before = std::fs::metadata(&db).unwrap().modified().unwrap();
    lethe::cli::demo::ensure_demo_db(&db).unwrap();
    assert_eq!(std::fs::metadata(&db).unwrap().modified().unwrap(), before);
}

/// A database from an older Lethe is upgraded on first use, and the admin
/// is told before it starts (version 4 rebuilds the search index, which
/// takes about a minute per million customers); search still works after.
#[test]
fn an_older_database_is_upgraded_with_a_notice_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    let out = lethe(&db, &["demo", "--customers", "20", "--seed", "5"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let name: String = {
        let store = Store::open(&db).unwrap();
        // Versions 4, 6 and 7 are undone by hand: the search keys lose their
        // shard, the customer rows their list of keys, the lists of parts
        // and findings by customer go, and so do the erasure ledger, the
        // backup catalogue and the database's ID, as version 3 stored them.
        store
            .read()
            .execute_batch(
                "CREATE TABLE old_keys (key TEXT NOT NULL, customer_id TEXT NOT NULL,
                     kind INTEGER NOT NULL, PRIMARY KEY (key, customer_id, kind)) WITHOUT ROWID;
                 INSERT INTO old_keys SELECT key, customer_id, kind FROM search_keys;
                 DROP TABLE search_keys;
                 ALTER TABLE old_keys RENAME TO search_keys;
                 CREATE INDEX search_keys_customer ON search_keys (customer_id);
                 ALTER TABLE customers DROP COLUMN search_keys;
                 DROP TABLE customer_parts;
                 DROP INDEX pii_findings_customer;
                 DROP TABLE erasure_ledger;
                 DROP TABLE backups;
                 DROP TABLE api_tokens;
                 DELETE FROM settings WHERE key = 'database_id';
                 PRAGMA user_version = 3;",
            )
            .unwrap();
        store
            .read()
            .query_row(
                "SELECT name FROM customers WHERE name IS NOT NULL LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    // As after any other program closed it: no `-shm` file yet.
    let shm = dir.path().join("old.db-shm");
    assert!(!shm.exists() || std::fs::remove_file(&shm).is_ok());
    let out = lethe(&db, &["find", "--name", &name]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("upgrading")
            && stderr.contains(&format!("from schema version 3 to {SCHEMA_VERSION}")),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&name));
    let store = Store::open(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    drop(store);
    // Once is enough.
    let out = lethe(&db, &["find", "--name", &name]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("upgrading"));
}
