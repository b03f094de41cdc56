//! Shared fixtures: a small database with duplicates, every item type, a
//! tombstone, and a message full of escape sequences. Times are fixed.
#![allow(dead_code)]

use lethe::format::CustomerDoc;
use lethe::store::Store;
use serde_json::{json, Value};

pub const ADMIN: &str = "alice";
pub const VIEWER: &str = "bob";
pub const NOW: &str = "2024-08-01T12:00:00Z";

/// ESC[2J (clear screen), OSC 52 (write the clipboard), a bidi override,
/// zero-width characters, then CJK and emoji that must keep their columns.
pub const HOSTILE: &str = "Hi\u{1b}[2J there \u{1b}]52;c;cm0gLXJmIH4=\u{7} copy \u{202e}gnp.exe\u{202c} a\u{200b}b\u{2066}c 名前は田中です 😀👍 ok";

/// An item's content of the given type.
fn typed(kind: &str, content: Value) -> Value {
    let mut c = content;
    c["type"] = json!(kind);
    c
}

fn item(id: &str, ts: &str, who: &str, dir: Option<&str>, c: Value) -> Value {
    let init = match who {
        "customer" => json!({"type": "CUSTOMER", "id": "cus_martha"}),
        "app" => json!({"type": "APP", "id": "shopify"}),
        "system" => json!({"type": "SYSTEM"}),
        agent => json!({"type": "AGENT", "id": agent}),
    };
    let mut v = json!({"id": id, "timestamp": ts, "initiator": init, "content": c});
    if let Some(d) = dir {
        v["direction"] = json!(d);
    }
    v
}

/// Martha: one conversation with every item type, an email thread with an
/// attachment, a call with a recording, a deleted item and a deleted
/// recording.
pub fn martha() -> CustomerDoc {
    let items = vec![
        item(
            "it_01",
            "2024-07-01T09:00:00Z",
            "customer",
            Some("INBOUND"),
            typed(
                "CHAT_MESSAGE",
                json!({"content": "Hello, my order #1234 arrived broken. Can you help?"}),
            ),
        ),
        item(
            "it_02",
            "2024-07-01T09:02:00Z",
            "ag_7",
            Some("OUTBOUND"),
            typed(
                "CHAT_MESSAGE",
                json!({"content": "Sorry to hear that! I'll open a refund for you right away."}),
            ),
        ),
        item(
            "it_03",
            "2024-07-01T10:00:00Z",
            "customer",
            Some("INBOUND"),
            typed(
                "EMAIL",
                json!({"subject": "Refund for order 1234", "from": "martha.w@example.com",
                    "to": ["support@shop.example"], "threadId": "th_1",
                    "content": "Photos of the damage attached.",
                    "attachments": [{"id": "at_1", "filename": "damage.jpg", "contentType": "image/jpeg",
                                     "fileSize": 48213, "data": "aGVsbG8="}]}),
            ),
        ),
        item(
            "it_04",
            "2024-07-01T11:30:00Z",
            "ag_7",
            Some("OUTBOUND"),
            typed("SMS", json!({"content": "Your refund is on its way."})),
        ),
        item(
            "it_05",
            "2024-07-02T08:00:00Z",
            "ag_7",
            Some("OUTBOUND"),
            typed(
                "EMAIL",
                json!({"subject": "Re: Refund for order 1234", "from": "support@shop.example",
                    "to": ["martha.w@example.com"], "threadId": "th_1",
                    "content": "Thanks, the refund has been issued."}),
            ),
        ),
        item(
            "it_06",
            "2024-07-02T09:00:00Z",
            "customer",
            Some("INBOUND"),
            typed(
                "PHONE_CALL",
                json!({"duration": 245, "content": "Customer called to confirm the refund.",
                    "recording": {"id": "rec_1", "contentType": "audio/mpeg", "durationSeconds": 245,
                                  "fileSize": 1_960_000, "data": "SUQzBAAAAAAA"}}),
            ),
        ),
        item(
            "it_07",
            "2024-07-02T09:10:00Z",
            "customer",
            Some("INBOUND"),
            typed(
                "VOICEMAIL",
                json!({"duration": 32, "content": "Hi, it's Martha again, please call me back.",
                    "recording": {"id": "rec_2", "contentType": "audio/mpeg", "durationSeconds": 32,
                                  "fileSize": 256_000, "deletedAt": "2024-07-20T10:00:00Z"}}),
            ),
        ),
        item(
            "it_08",
            "2024-07-02T09:15:00Z",
            "ag_7",
            None,
            typed(
                "CONVERSATION_NOTE",
                json!({"content": "Refund approved by team lead."}),
            ),
        ),
        item(
            "it_09",
            "2024-07-03T10:00:00Z",
            "customer",
            Some("INBOUND"),
            typed(
                "FACEBOOK_MESSAGE",
                json!({"content": "Thanks for the quick help!"}),
            ),
        ),
        item(
            "it_10",
            "2024-07-03T10:05:00Z",
            "customer",
            Some("INBOUND"),
            typed("INSTAGRAM_DIRECT", json!({"content": "Posted a review 🌟"})),
        ),
        item(
            "it_11",
            "2024-07-03T10:10:00Z",
            "ag_7",
            Some("OUTBOUND"),
            typed("WHATSAPP", json!({"content": "Glad we could help."})),
        ),
        item(
            "it_12",
            "2024-07-03T11:00:00Z",
            "app",
            None,
            typed(
                "CUSTOMER_ACTIVITY",
                json!({"subject": "Order refunded", "content": "Order #1234 refunded: $42.00",
                    "extra": {"sourceName": "Shopify", "activityType": "order_refunded"}}),
            ),
        ),
        item(
            "it_13",
            "2024-07-03T11:05:00Z",
            "ag_7",
            None,
            typed("TOPIC_CHANGE", json!({"extra": {"topic": "Refunds"}})),
        ),
        item(
            "it_14",
            "2024-07-03T11:06:00Z",
            "ag_7",
            None,
            typed(
                "CONVERSATION_STATUS_CHANGE",
                json!({"extra": {"status": "CLOSED"}}),
            ),
        ),
    ];
    let mut deleted = item(
        "it_00",
        "2024-06-30T18:00:00Z",
        "customer",
        Some("INBOUND"),
        typed("CHAT_MESSAGE", json!({})),
    );
    deleted["deletedAt"] = json!("2024-07-15T08:30:00Z");
    doc(json!({
        "id": "cus_martha", "name": "Martha Williams", "createdAt": "2023-03-14T10:00:00Z",
        "emails": [{"original": "martha.w@example.com", "primary": true}, {"original": "mw@work.example"}],
        "phones": [{"original": "+1 (415) 555-0100", "type": "mobile", "primary": true}],
        "addresses": [{"line1": "12 Elm Street", "city": "Springfield", "region": "IL", "postalCode": "62701", "country": "US"}],
        "externalCustomerId": "SF-0035e00000AbCdE",
        "externalCustomerIds": {"salesforce": "0035e00000AbCdE"},
        "customAttributes": {"tier": "gold", "newsletter": true},
        "conversations": [
            {"id": "cv_old", "status": "CLOSED", "topic": "Delivery", "createdAt": "2024-06-30T17:55:00Z",
             "closedAt": "2024-06-30T19:00:00Z", "items": [deleted]},
            {"id": "cv_refund", "status": "CLOSED", "topic": "Refund", "channel": "chat",
             "createdAt": "2024-07-01T08:59:00Z", "closedAt": "2024-07-03T11:06:00Z", "items": items}
        ]
    }))
}

/// A duplicate: another profile with Martha's email, and open work.
pub fn martha_duplicate() -> CustomerDoc {
    doc(json!({
        "id": "cus_martha2", "name": "Martha W.", "createdAt": "2024-02-01T10:00:00Z",
        "emails": [{"original": "Martha.W@example.com"}],
        "externalCustomerId": "SF-0035e00000AbCdE",
        "conversations": [{"id": "cv_open", "status": "OPEN", "topic": "Billing",
            "createdAt": "2024-07-25T10:00:00Z", "items": [
                item("it_20", "2024-07-25T10:00:00Z", "customer", Some("INBOUND"), typed("CHAT_MESSAGE", json!({"content": "Is my invoice ready?"})))]}]
    }))
}

pub fn mallory() -> CustomerDoc {
    doc(json!({
        "id": "cus_mallory", "name": "Mallory \u{1b}[31mRed\u{1b}[0m 田中", "createdAt": "2024-01-01T00:00:00Z",
        "emails": [{"original": "mallory@example.net"}],
        "conversations": [{"id": "cv_evil", "status": "CLOSED", "topic": "Spam \u{202e}txt.exe",
            "createdAt": "2024-05-01T10:00:00Z", "closedAt": "2024-05-01T11:00:00Z", "items": [
                item("it_30", "2024-05-01T10:00:00Z", "customer", Some("INBOUND"), typed("CHAT_MESSAGE", json!({"content": HOSTILE})))]}]
    }))
}

pub fn nameless() -> CustomerDoc {
    doc(
        json!({"id": "cus_anon", "createdAt": "2024-04-01T00:00:00Z",
               "emails": [{"original": "anon@example.org"}]}),
    )
}

pub fn doc(v: Value) -> CustomerDoc {
    serde_json::from_value(v).expect("fixture document")
}

pub fn insert(store: &mut Store, docs: &[CustomerDoc]) {
    store
        .write(|conn| {
            for d in docs {
                lethe::store::customers::insert(conn, d, &lethe::search::keys_for(d))?;
            }
            Ok(())
        })
        .expect("insert fixture");
}

/// The fixture customers, with `alice` as the only operator.
pub fn fill(store: &mut Store) {
    insert(
        store,
        &[martha(), martha_duplicate(), mallory(), nameless()],
    );
    lethe::access::bootstrap(store, ADMIN).expect("bootstrap");
}

/// A customer with `n` items in 20 conversations, for scrolling tests.
pub fn big_customer(n: usize) -> CustomerDoc {
    let convs = 20;
    let per = n / convs;
    let conversations: Vec<Value> = (0..convs)
        .map(|c| {
            let items: Vec<Value> = (0..per)
                .map(|i| {
                    let secs = (c * per + i) as i64 * 60;
                    let ts = lethe::clock::format_ms(1_700_000_000_000 + secs * 1000);
                    item(&format!("big_{c}_{i}"), &ts, "customer", Some("INBOUND"), typed("CHAT_MESSAGE", json!({"content": format!("Message {i} of conversation {c}, with some text to wrap around the pane.")})))
                })
                .collect();
            json!({"id": format!("cv_big_{c:02}"), "status": "CLOSED",
                   "createdAt": lethe::clock::format_ms(1_700_000_000_000 + (c * per) as i64 * 60_000 - 1000),
                   "items": items})
        })
        .collect();
    doc(
        json!({"id": "cus_big", "name": "Big Talker", "createdAt": "2023-01-01T00:00:00Z",
               "emails": [{"original": "big@example.com"}], "conversations": conversations}),
    )
}

/// The fixed clock of the fixtures, in milliseconds.
pub fn now_ms() -> lethe::clock::Millis {
    lethe::clock::parse(NOW).expect("NOW")
}

/// A dormant customer whose only Contact was at `last` (YYYY-MM-DD), with
/// its conversation left `status`.
pub fn dormant(id: &str, last: &str, status: &str) -> CustomerDoc {
    let ts = format!("{last}T09:00:00Z");
    doc(json!({
        "id": id, "name": format!("Dormant {id}"), "createdAt": "2021-01-01T00:00:00Z",
        "emails": [{"original": format!("{id}@old.example")}],
        "conversations": [{"id": format!("cv_{id}"), "status": status, "createdAt": ts,
            "items": [item(&format!("it_{id}"), &ts, "customer", Some("INBOUND"), typed("CHAT_MESSAGE", json!({"content": "Is anyone there?"})))]}]
    }))
}

/// For retention: with 365 days at NOW, three profiles are due, one more
/// is due but kept by an open conversation, one falls due within 30 days
/// and one more within 90.
pub fn fill_dormant(store: &mut Store) {
    insert(
        store,
        &[
            dormant("cus_old1", "2022-05-01", "CLOSED"),
            dormant("cus_old2", "2023-01-15", "CLOSED"),
            dormant("cus_old3", "2023-07-20", "CLOSED"),
            dormant("cus_oldopen", "2022-12-01", "OPEN"),
            dormant("cus_soon30", "2023-08-20", "CLOSED"),
            dormant("cus_soon90", "2023-10-01", "CLOSED"),
        ],
    );
}

/// The requests queue at NOW: an overdue erasure for Martha (two profiles,
/// one kept by open work), a due-soon erasure for Mallory, an erasure
/// already run once and blocked, and an access request.
pub fn fill_requests(store: &mut Store) {
    use lethe::requests::{self, Identifiers, Kind, NewRequest, Regulation};
    let admin = lethe::access::Actor::resolve(&store.read(), ADMIN).expect("admin");
    let req = |kind, regulation, received: &str, emails: &[&str], ids: &[&str]| NewRequest {
        kind,
        regulation,
        identifiers: Identifiers {
            emails: emails.iter().map(|e| e.to_string()).collect(),
            customer_ids: ids.iter().map(|e| e.to_string()).collect(),
            ..Identifiers::default()
        },
        received_at: lethe::clock::parse(received).expect("date"),
        note: None,
    };
    let ids = requests::add_many(
        store,
        &admin,
        vec![
            req(
                Kind::Erasure,
                Regulation::Gdpr,
                "2024-06-25",
                &["martha.w@example.com"],
                &[],
            ),
            req(
                Kind::Erasure,
                Regulation::Ccpa,
                "2024-06-20",
                &["mallory@example.net"],
                &[],
            ),
            req(
                Kind::Erasure,
                Regulation::Ccpa,
                "2024-07-01",
                &["cus_oldopen@old.example"],
                &[],
            ),
            req(
                Kind::Access,
                Regulation::Other,
                "2024-07-20",
                &[],
                &["cus_anon"],
            ),
        ],
    )
    .expect("requests");
    let dir = std::env::temp_dir();
    requests::run(
        store,
        &admin,
        ids[2],
        now_ms(),
        requests::RunTarget::dir(&dir),
    )
    .expect("blocked run");
}

/// Card numbers (valid Luhn test numbers) that `paula` pasted into chats.
pub const CARDS: [&str; 5] = [
    "4111 1111 1111 1111",
    "5500 0000 0000 0004",
    "6011 0000 0000 0004",
    "4012 8888 8888 1881",
    "3400 0000 0000 009",
];

/// Paula: a chat where she pasted five card numbers, each in its own
/// message, between messages with nothing personal in them.
pub fn paula() -> CustomerDoc {
    let mut items = vec![];
    for (i, card) in CARDS.iter().enumerate() {
        items.push(item(
            &format!("it_p{i}a"),
            &format!("2024-07-2{i}T09:00:00Z"),
            "customer",
            Some("INBOUND"),
            typed(
                "CHAT_MESSAGE",
                json!({"content": format!("Please charge my card {card} for order {i}, thanks.")}),
            ),
        ));
        items.push(item(
            &format!("it_p{i}b"),
            &format!("2024-07-2{i}T09:05:00Z"),
            "ag_7",
            Some("OUTBOUND"),
            typed(
                "CHAT_MESSAGE",
                json!({"content": "Thanks, done. Please never send card numbers in chat."}),
            ),
        ));
    }
    doc(json!({
        "id": "cus_paula", "name": "Paula Pasted", "createdAt": "2024-01-01T00:00:00Z",
        "emails": [{"original": "paula@example.com"}],
        "conversations": [{"id": "cv_cards", "status": "CLOSED", "topic": "Payment",
            "channel": "chat", "createdAt": "2024-07-20T08:59:00Z", "items": items}]
    }))
}

/// Percy: `n` chat messages a minute apart, each with a pasted card
/// number, for more findings than one page of the Triage queue holds.
#[allow(dead_code)]
pub fn percy(n: usize) -> CustomerDoc {
    let items: Vec<Value> = (0..n)
        .map(|i| {
            item(
                &format!("it_percy{i:04}"),
                &format!(
                    "2024-08-{:02}T{:02}:{:02}:00Z",
                    1 + i / 1440,
                    i / 60 % 24,
                    i % 60
                ),
                "customer",
                Some("INBOUND"),
                typed(
                    "CHAT_MESSAGE",
                    json!({"content": format!("Message {i}. My card: {}", CARDS[i % CARDS.len()])}),
                ),
            )
        })
        .collect();
    doc(json!({
        "id": "cus_percy", "name": "Percy Pasted", "createdAt": "2024-01-01T00:00:00Z",
        "conversations": [{"id": "cv_percy", "status": "CLOSED", "topic": "Payment",
            "channel": "chat", "createdAt": "2024-08-01T00:00:00Z", "items": items}]
    }))
}

/// The fixture customers plus `paula`, scanned for PII.
pub fn fill_with_findings(store: &mut Store) {
    fill(store);
    insert(store, &[paula()]);
    store
        .write(|conn| lethe::triage::scan_pending(conn, 0, &mut ()))
        .expect("scan the fixture");
}

/// The inodes on which process `pid` holds POSIX locks, from /proc/locks.
pub fn locked_inodes(pid: u32) -> Vec<u64> {
    let locks = std::fs::read_to_string("/proc/locks").unwrap();
    locks
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            // "1: POSIX  ADVISORY  READ 1234 08:01:5678 128 128"; a
            // waiting lock has "->" after the number.
            let at = f.iter().position(|w| *w == "POSIX")?;
            let (owner, file) = (f.get(at + 3)?, f.get(at + 4)?);
            (owner.parse::<u32>().ok()? == pid).then_some(())?;
            file.rsplit(':').next()?.parse().ok()
        })
        .collect()
}

fn inode(path: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().ino()
}

pub fn assert_holds_locks(pid: u32, db: &std::path::Path, when: &str) {
    let held = locked_inodes(pid);
    for file in [db.to_path_buf(), {
        let mut p = db.as_os_str().to_owned();
        p.push("-shm");
        std::path::PathBuf::from(p)
    }] {
        assert!(
            held.contains(&inode(&file)),
            "{when}: process {pid} holds no lock on {} (locks on inodes {held:?})",
            file.display()
        );
    }
}
