//! Retention policy, preview and sweep.

use std::sync::atomic::AtomicBool;

use lethe::access::{Actor, Role};
use lethe::clock::{self, DAY_MS};
use lethe::format::CustomerDoc;
use lethe::retention::{self, Policy, SweepOptions};
use lethe::store::Store;
use lethe::{search, Error};
use serde_json::json;

fn admin() -> Actor {
    Actor {
        username: "root".into(),
        roles: vec![Role::ComplianceAdmin, Role::Admin],
    }
}

/// A customer whose last Contact is `contact` (None: no Contact at all),
/// optionally with app activity at `activity` and an OPEN conversation.
fn customer(
    id: &str,
    created: &str,
    contact: Option<&str>,
    activity: Option<&str>,
    open: bool,
) -> CustomerDoc {
    let mut items = vec![];
    if let Some(t) = contact {
        items.push(json!({"id": format!("{id}-chat"), "timestamp": t,
            "initiator": {"type": "CUSTOMER"},
            "content": {"type": "CHAT_MESSAGE", "content": format!("RETMARK-{id} my order never arrived")}}));
    }
    if let Some(t) = activity {
        items.push(json!({"id": format!("{id}-csat"), "timestamp": t,
            "initiator": {"type": "APP"},
            "content": {"type": "CUSTOMER_ACTIVITY", "subject": "CSAT survey", "content": "Rated 5 stars",
                        "extra": {"sourceName": "Stella"}}}));
    }
    let doc = json!({
        "id": id, "name": format!("RETNAME {id}"), "createdAt": created,
        "emails": [{"original": format!("{id}@retention.example")}],
        "conversations": [{"id": format!("{id}-conv"), "status": if open { "OPEN" } else { "CLOSED" },
                           "createdAt": created, "items": items}]
    });
    serde_json::from_value(doc).unwrap()
}

fn insert(store: &mut Store, docs: &[CustomerDoc]) {
    store
        .write(|c| {
            for d in docs {
                lethe::store::customers::insert(c, d, &search::keys_for(d))?;
            }
            Ok(())
        })
        .unwrap();
    lethe::access::bootstrap(store.conn(), "root").unwrap();
}

fn at(text: &str) -> i64 {
    clock::parse(text).unwrap()
}

fn deleted(store: &Store, id: &str) -> bool {
    let doc = lethe::store::customers::load(store.conn(), id, false)
        .unwrap()
        .unwrap();
    doc.deleted_at.is_some()
}

fn sweep(store: &mut Store, now: i64) -> retention::SweepReport {
    retention::sweep(
        store,
        &admin(),
        now,
        &SweepOptions::default(),
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap()
}

#[test]
fn app_activity_after_the_last_contact_does_not_extend_retention() {
    // The platform's own example: last Contact July 11, 2021; a CSAT reply
    // on August 8, 2021. July 11 still counts.
    let mut store = Store::open_in_memory().unwrap();
    insert(
        &mut store,
        &[customer(
            "c1",
            "2021-01-01T00:00:00Z",
            Some("2021-07-11T12:00:00Z"),
            Some("2021-08-08T12:00:00Z"),
            false,
        )],
    );
    retention::set_policy(
        &mut store,
        &admin(),
        Policy::DeleteAfter { days: 365 },
        true,
    )
    .unwrap();
    let due = at("2022-07-11T12:00:00Z");
    assert_eq!(
        retention::preview(store.conn(), 365, due).unwrap().due_now,
        1
    );
    let report = sweep(&mut store, due);
    assert_eq!(report.deleted, 1);
    assert!(deleted(&store, "c1"));
}

#[test]
fn the_boundary_is_exactly_n_days() {
    let mut store = Store::open_in_memory().unwrap();
    insert(
        &mut store,
        &[customer(
            "c1",
            "2020-01-01T00:00:00Z",
            Some("2021-07-11T12:00:00Z"),
            None,
            false,
        )],
    );
    retention::set_policy(
        &mut store,
        &admin(),
        Policy::DeleteAfter { days: 400 },
        true,
    )
    .unwrap();
    let exactly = at("2021-07-11T12:00:00Z") + 400 * DAY_MS;
    let report = sweep(&mut store, exactly - DAY_MS);
    assert_eq!(report.deleted, 0, "one day less: kept");
    assert!(!deleted(&store, "c1"));
    let report = sweep(&mut store, exactly);
    assert_eq!(report.deleted, 1, "exactly N days: deleted");
}

#[test]
fn a_profile_without_contact_counts_from_creation() {
    let mut store = Store::open_in_memory().unwrap();
    insert(
        &mut store,
        &[customer(
            "c1",
            "2021-01-01T00:00:00Z",
            None,
            Some("2022-06-01T00:00:00Z"),
            false,
        )],
    );
    retention::set_policy(
        &mut store,
        &admin(),
        Policy::DeleteAfter { days: 365 },
        true,
    )
    .unwrap();
    assert_eq!(sweep(&mut store, at("2022-01-01T00:00:00Z")).deleted, 1);
}

#[test]
fn the_minimum_is_365_days_and_custom_needs_confirmation() {
    let mut store = Store::open_in_memory().unwrap();
    insert(&mut store, &[]);
    let err = retention::set_policy(
        &mut store,
        &admin(),
        Policy::DeleteAfter { days: 364 },
        true,
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::RetentionTooShort { days: 364 }),
        "{err}"
    );
    let err = retention::set_policy(
        &mut store,
        &admin(),
        Policy::DeleteAfter { days: 365 },
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains(retention::CONFIRMATION), "{err}");
    assert_eq!(
        retention::policy(store.conn()).unwrap(),
        Policy::RetainForever
    );
    retention::set_policy(
        &mut store,
        &admin(),
        Policy::DeleteAfter { days: 365 },
        true,
    )
    .unwrap();
    assert_eq!(
        retention::policy(store.conn()).unwrap(),
        Policy::DeleteAfter { days: 365 }
    );
    // Back to the default needs no confirmation.
    retention::set_policy(&mut store, &admin(), Policy::RetainForever, false).unwrap();
    assert_eq!(
        retention::policy(store.conn()).unwrap(),
        Policy::RetainForever
    );
    assert_eq!(
        retention::parse_days("364").unwrap_err(),
        "364 days is too short: the minimum is 365 days"
    );
    assert!(retention::parse_days("abc").is_err());
}

#[test]
fn policy_changes_need_the_role_and_are_audited() {
    let mut store = Store::open_in_memory().unwrap();
    insert(&mut store, &[]);
    let agent = Actor {
        username: "agent1".into(),
        roles: vec![Role::Agent],
    };
    let err = retention::set_policy(&mut store, &agent, Policy::DeleteAfter { days: 400 }, true)
        .unwrap_err();
    assert!(matches!(err, Error::NotPermitted { .. }));
    assert_eq!(
        retention::policy(store.conn()).unwrap(),
        Policy::RetainForever
    );
    retention::set_policy(
        &mut store,
        &admin(),
        Policy::DeleteAfter { days: 400 },
        true,
    )
    .unwrap();
    let rows = lethe::audit::list(store.conn(), &Default::default(), 10).unwrap();
    let change = rows
        .iter()
        .find(|r| r.action == "retention-set" && r.outcome == "ok")
        .expect("audited");
    assert_eq!(change.counts.get("old_days"), Some(&0));
    assert_eq!(change.counts.get("new_days"), Some(&400));
}

#[test]
fn open_conversations_block_and_are_reported() {
    let mut store = Store::open_in_memory().unwrap();
    insert(
        &mut store,
        &[
            customer(
                "c1",
                "2019-01-01T00:00:00Z",
                Some("2019-02-01T00:00:00Z"),
                None,
                true,
            ),
            customer(
                "c2",
                "2019-01-01T00:00:00Z",
                Some("2019-02-01T00:00:00Z"),
                None,
                false,
            ),
            customer(
                "c3",
                "2019-01-01T00:00:00Z",
                Some("2026-02-01T00:00:00Z"),
                None,
                false,
            ),
        ],
    );
    retention::set_policy(
        &mut store,
        &admin(),
        Policy::DeleteAfter { days: 365 },
        true,
    )
    .unwrap();
    let now = at("2026-11-22T00:00:00Z");
    let p = retention::preview(store.conn(), 365, now).unwrap();
    assert_eq!((p.due_now, p.blocked), (1, 1));
    let report = sweep(&mut store, now);
    assert_eq!(report.deleted, 1);
    assert_eq!(report.blocked.len(), 1);
    assert_eq!(report.blocked[0].customer_id, "c1");
    assert_eq!(report.blocked[0].conversation_id, "c1-conv");
    assert!(!deleted(&store, "c1") && deleted(&store, "c2") && !deleted(&store, "c3"));
}

#[test]
fn preview_counts_the_next_30_and_90_days() {
    let mut store = Store::open_in_memory().unwrap();
    let now = at("2026-11-22T00:00:00Z");
    let day = |d: i64| clock::format_ms(now - (365 - d) * DAY_MS);
    insert(
        &mut store,
        &[
            customer("due", "2020-01-01T00:00:00Z", Some(&day(0)), None, false),
            customer("in10", "2020-01-01T00:00:00Z", Some(&day(10)), None, false),
            customer("in60", "2020-01-01T00:00:00Z", Some(&day(60)), None, false),
            customer(
                "in200",
                "2020-01-01T00:00:00Z",
                Some(&day(200)),
                None,
                false,
            ),
        ],
    );
    let p = retention::preview(store.conn(), 365, now).unwrap();
    assert_eq!(
        (p.due_now, p.blocked, p.next_30_days, p.next_90_days),
        (1, 0, 1, 2)
    );
}

#[test]
fn dry_run_changes_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    insert(
        &mut store,
        &[customer(
            "c1",
            "2019-01-01T00:00:00Z",
            Some("2019-02-01T00:00:00Z"),
            None,
            false,
        )],
    );
    retention::set_policy(
        &mut store,
        &admin(),
        Policy::DeleteAfter { days: 365 },
        true,
    )
    .unwrap();
    let opts = SweepOptions {
        dry_run: true,
        ..SweepOptions::default()
    };
    let r = retention::sweep(
        &mut store,
        &admin(),
        at("2026-01-01T00:00:00Z"),
        &opts,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(r.would_delete, vec!["c1".to_string()]);
    assert!(!deleted(&store, "c1"));
}
