//! Customer documents with a distinctive marker in every PII field and in
//! every file's bytes, so a byte scan of the database files can prove that
//! a deletion left nothing behind.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use base64::Engine;
use lethe::access::{self, Actor, Role};
use lethe::format::CustomerDoc;
use lethe::search;
use lethe::store::{customers, forensic, Store};
use serde_json::json;

/// The operator who created the database.
pub const ROOT: &str = "root";

/// A profile's markers: text markers are found in the text columns, byte
/// markers inside attachment and recording bytes. `kinds` groups them by
/// what holds them, for item-level checks.
pub struct Marked {
    pub doc: CustomerDoc,
    pub markers: Vec<String>,
}

impl Marked {
    pub fn needles(&self) -> Vec<Vec<u8>> {
        self.markers.iter().map(|m| m.as_bytes().to_vec()).collect()
    }

    /// Markers whose name contains one of these field tags.
    pub fn markers_of(&self, tags: &[&str]) -> Vec<Vec<u8>> {
        self.markers
            .iter()
            .filter(|m| tags.iter().any(|t| m.contains(&format!("-{t}-"))))
            .map(|m| m.as_bytes().to_vec())
            .collect()
    }
}

/// File bytes: a marker buried in varied, non-text bytes.
fn file_bytes(marker: &str, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut noise = |n: usize| {
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                (x >> 33) as u8
            })
            .collect::<Vec<u8>>()
    };
    let mut bytes = noise(300);
    bytes.extend_from_slice(marker.as_bytes());
    bytes.extend(noise(300));
    bytes
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Profile `n` with a marker in every PII field. `status` is the status of
/// its second conversation (CLOSED unless a test needs open work).
pub fn marked(n: u32, status: &str) -> Marked {
    let t = format!("{n:04}");
    let m = |field: &str| format!("MRK-{t}-{field}-7Q2");
    let phone = format!("+1 (628) 391-{n:04}");
    let markers: Vec<String> = [
        "NAME", "EMAIL1", "EMAIL2", "LINE1", "LINE2", "CITY", "REGION", "POSTAL", "COUNTRY",
        "EXTID", "SFID", "ATTR", "ATTR2", "SUBJ1", "BODY1", "FROM1", "TO1", "CC1", "SUBJ2",
        "BODY2", "CHAT", "CALLNOTE", "VMTEXT", "ACTSUBJ", "ACTBODY", "ACTEXTRA", "FILE1", "FILE2",
        "FILE3", "BYTES1", "BYTES2", "BYTES3", "CALLREC", "VMREC", "ORDNO", "SHIP", "APP",
    ]
    .iter()
    .map(|f| m(f))
    .chain([phone.clone(), format!("628391{n:04}")])
    .collect();
    let filler = "and some more words so that the text is longer than a short needle";
    let doc = json!({
        "id": format!("cus_{t}"),
        "name": format!("Ada {}", m("NAME")),
        "emails": [
            {"original": format!("{}@example.com", m("EMAIL1")), "primary": true},
            {"original": format!("{}@example.org", m("EMAIL2"))}
        ],
        "phones": [{"original": phone, "type": "MOBILE"}],
        "addresses": [{
            "type": "HOME", "line1": m("LINE1"), "line2": m("LINE2"), "city": m("CITY"),
            "region": m("REGION"), "postalCode": m("POSTAL"), "country": m("COUNTRY")
        }],
        "externalCustomerId": m("EXTID"),
        "externalCustomerIds": {"salesforce": m("SFID")},
        "customAttributes": {"favourite": m("ATTR"), "nested": {"list": [m("ATTR2")]}, "tier": 3},
        "createdAt": "2022-01-01T00:00:00Z",
        "conversations": [
            {
                "id": format!("conv_{t}_a"), "status": "CLOSED", "topic": "Refunds",
                "channel": "EMAIL", "agentId": "agent_7",
                "createdAt": "2023-03-01T10:00:00Z", "closedAt": "2023-03-02T10:00:00Z",
                "items": [
                    {
                        "id": format!("it_{t}_e1"), "timestamp": "2023-03-01T10:00:00Z",
                        "initiator": {"type": "CUSTOMER", "id": format!("cus_{t}")},
                        "direction": "INBOUND",
                        "content": {
                            "type": "EMAIL", "subject": m("SUBJ1"),
                            "from": format!("{}@example.net", m("FROM1")),
                            "to": [format!("{}@example.net", m("TO1"))],
                            "content": format!("Hello, {} {filler}", m("BODY1")),
                            "threadId": format!("thr_{t}"),
                            "extra": {"cc": [m("CC1")]},
                            "attachments": [{
                                "id": format!("att_{t}_1"), "contentType": "application/pdf",
                                "filename": format!("{}.pdf", m("FILE1")),
                                "fileSize": 634, "data": b64(&file_bytes(&m("BYTES1"), n as u64 * 10 + 1))
                            }]
                        }
                    },
                    {
                        "id": format!("it_{t}_e2"), "timestamp": "2023-03-01T12:00:00Z",
                        "initiator": {"type": "AGENT", "id": "agent_7"},
                        "direction": "OUTBOUND",
                        "content": {
                            "type": "EMAIL", "subject": m("SUBJ2"),
                            "content": format!("Dear customer, {} {filler}", m("BODY2")),
                            "threadId": format!("thr_{t}"),
                            "attachments": [{
                                "id": format!("att_{t}_2"), "contentType": "image/png",
                                "filename": format!("{}.png", m("FILE2")),
                                "fileSize": 634, "data": b64(&file_bytes(&m("BYTES2"), n as u64 * 10 + 2))
                            }]
                        }
                    },
                    {
                        "id": format!("it_{t}_c1"), "timestamp": "2023-03-01T13:00:00Z",
                        "initiator": {"type": "CUSTOMER", "id": format!("cus_{t}")},
                        "content": {
                            "type": "CHAT_MESSAGE", "content": format!("chat {}", m("CHAT")),
                            "attachments": [{
                                "id": format!("att_{t}_3"), "contentType": "text/plain",
                                "filename": format!("{}.txt", m("FILE3")),
                                "fileSize": 634, "data": b64(&file_bytes(&m("BYTES3"), n as u64 * 10 + 3))
                            }]
                        }
                    },
                    {
                        "id": format!("it_{t}_p1"), "timestamp": "2023-03-01T14:00:00Z",
                        "initiator": {"type": "AGENT", "id": "agent_7"},
                        "content": {
                            "type": "PHONE_CALL", "duration": 192,
                            "content": format!("call notes {}", m("CALLNOTE")),
                            "recording": {
                                "id": format!("rec_{t}_p1"), "contentType": "audio/mpeg",
                                "durationSeconds": 192, "fileSize": 634,
                                "data": b64(&file_bytes(&m("CALLREC"), n as u64 * 10 + 4))
                            }
                        }
                    },
                    {
                        "id": format!("it_{t}_v1"), "timestamp": "2023-03-01T15:00:00Z",
                        "initiator": {"type": "CUSTOMER", "id": format!("cus_{t}")},
                        "content": {
                            "type": "VOICEMAIL", "duration": 42,
                            "content": format!("transcript {}", m("VMTEXT")),
                            "recording": {
                                "id": format!("rec_{t}_v1"), "contentType": "audio/mpeg",
                                "durationSeconds": 42, "fileSize": 634,
                                "data": b64(&file_bytes(&m("VMREC"), n as u64 * 10 + 5))
                            }
                        }
                    },
                    {
                        "id": format!("it_{t}_a1"), "timestamp": "2023-03-01T16:00:00Z",
                        "initiator": {"type": "APP", "id": "app_shop"},
                        "content": {
                            "type": "CUSTOMER_ACTIVITY", "subject": m("ACTSUBJ"),
                            "content": m("ACTBODY"),
                            "extra": {"activityType": "ORDER", "detail": m("ACTEXTRA")}
                        }
                    }
                ],
                "workSessions": [{
                    "id": format!("ws_{t}_1"), "agentId": "agent_7",
                    "startedAt": "2023-03-01T10:05:00Z", "endedAt": "2023-03-01T10:20:00Z"
                }]
            },
            {
                "id": format!("conv_{t}_b"), "status": status, "channel": "CHAT",
                "createdAt": "2023-04-01T10:00:00Z", "items": []
            }
        ],
        "orders": [{
            "id": format!("ord_{t}"), "number": m("ORDNO"), "placedAt": "2023-02-01T00:00:00Z",
            "status": "SHIPPED", "totalCents": 4200, "currency": "EUR",
            "details": {"shipTo": m("SHIP")}
        }],
        "appData": [{
            "app": "loyalty", "payload": {"memberName": m("APP")},
            "updatedAt": "2023-02-01T00:00:00Z"
        }]
    });
    Marked {
        doc: serde_json::from_value(doc).expect("the fixture is a valid document"),
        markers,
    }
}

/// A file database in `dir` whose first operator is `root`.
pub fn database(dir: &Path) -> (Store, PathBuf) {
    let path = dir.join("lethe.db");
    let store = Store::create(&path).unwrap();
    access::bootstrap(&store, ROOT).unwrap();
    (store, path)
}

pub fn insert(store: &mut Store, docs: &[&CustomerDoc]) {
    store
        .write(|c| {
            for d in docs {
                customers::insert(c, d, &search::keys_for(d))?;
            }
            Ok(())
        })
        .unwrap();
}

/// A PII finding on an item, as the scanner would store it.
pub fn add_finding(store: &Store, item_id: &str, customer_id: &str) {
    store
        .read()
        .execute(
            "INSERT INTO pii_findings (item_id, customer_id, field, start, end, kind, confidence,
                 preview, found_at)
             VALUES (?1, ?2, 'body', 0, 4, 'email', 0.9, 'm***@***', 0)",
            [item_id, customer_id],
        )
        .unwrap();
}

pub fn root(store: &Store) -> Actor {
    Actor::resolve(&store.read(), ROOT).unwrap()
}

/// An agent as the caller sees them. The core resolves roles from the
/// database, where "sam" holds nothing, so this is refused twice over.
pub fn agent() -> Actor {
    Actor::new("sam", &[Role::Agent])
}

pub fn stranger() -> Actor {
    Actor::new("nobody", &[])
}

/// How many of these values occur anywhere in the database files.
pub fn hits(path: &Path, needles: &[Vec<u8>]) -> usize {
    forensic::scan(path, needles).unwrap().values_found
}
