use super::*;

#[test]
fn the_new_items_read_lends_text_and_the_lookup_gives_the_state() {
    let store = crate::Store::open_in_memory().unwrap();
    let c = &store.read();
    c.execute_batch(
        "INSERT INTO customers (id, created_at, updated_at) VALUES ('cus_1', 0, 0);
         INSERT INTO items (id, customer_id, type, timestamp, subject, body, content_rev,
             scanned_rev, deleted_at)
         VALUES ('itm_new', 'cus_1', 'CHAT', 1, NULL, 'hello', 1, 1, NULL),
                ('itm_old_build', 'cus_1', 'CHAT', 2, NULL, 'hello', 1, 0, NULL),
                ('itm_edited', 'cus_1', 'CHAT', 3, 'hi', NULL, 2, 1, NULL),
                ('itm_edited_scanned', 'cus_1', 'CHAT', 4, NULL, 'hello', 2, 2, NULL),
                ('itm_deleted', 'cus_1', 'CHAT', 5, NULL, NULL, 2, 1, 9),
                ('itm_status', 'cus_1', 'STATUS_CHANGE', 6, NULL, NULL, 1, 1, NULL);",
    )
    .unwrap();
    let mut seen = Vec::new();
    let range = for_each_item_after(c, 0, 100, |v| {
        assert_eq!(v.state, None);
        seen.push((v.rowid, v.subject.or(v.body).unwrap().to_string()));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        seen.iter().map(|s| s.0).collect::<Vec<_>>(),
        [1, 2, 3, 4],
        "{seen:?}"
    );
    // The items with no text are passed over but covered.
    assert_eq!((range.high, range.items), (6, 4));
    let range = for_each_item_after(c, 1, 2, |_| Ok(())).unwrap();
    assert_eq!((range.high, range.items), (3, 2));

    let state = |rowid| item_ids(c, rowid).unwrap().state;
    let s = |changed, behind, deleted| ItemState {
        changed,
        behind,
        deleted,
    };
    assert_eq!(state(1), s(false, false, false));
    assert_eq!(state(2), s(false, true, false));
    assert_eq!(state(3), s(true, true, false));
    assert_eq!(state(4), s(true, false, false));
    assert_eq!(state(5), s(true, true, true));
    let ids = item_ids(c, 3).unwrap();
    assert_eq!(
        (ids.id.as_str(), ids.customer_id.as_str(), ids.at),
        ("itm_edited", "cus_1", 3)
    );

    // Behind and live: rows 2 and 3 only.
    assert!(any_behind(c, 1, 2).unwrap());
    assert!(any_behind(c, 3, 3).unwrap());
    assert!(!any_behind(c, 4, 6).unwrap());
}

/// Recording a finding must not fill a temporary B-tree per row, as a
/// CHECK written `status IN (...)` with three values made SQLite do
/// (half the cost of each insert during a scan).
#[test]
fn recording_a_finding_builds_no_temporary_table() {
    let store = crate::Store::open_in_memory().unwrap();
    let ops = crate::opcodes(&store.read(), INSERT);
    assert!(ops.iter().any(|op| op == "Insert"), "{ops:?}");
    assert!(!ops.iter().any(|op| op == "OpenEphemeral"), "{ops:?}");
}
