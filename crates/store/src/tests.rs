use super::*;

/// Any connection's first commit after a `RESTART` checkpoint cuts the
/// `-wal` file after its own frames, whichever connection wrote the
/// long transaction before: the frames past it are gone, not waiting
/// to be overwritten.
#[test]
fn a_commit_after_a_restart_cuts_the_wal_after_its_own_frames() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let wal = dir.path().join("w.db-wal");
    let first = Store::create(&path).unwrap();
    first
        .write(|c| {
            c.execute_batch(
                "CREATE TABLE t (x);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
                 INSERT INTO t SELECT randomblob(3000) FROM n;",
            )?;
            Ok(())
        })
        .unwrap();
    let long = std::fs::metadata(&wal).unwrap().len();
    assert!(first.checkpoint_restart().unwrap().completed);
    assert_eq!(std::fs::metadata(&wal).unwrap().len(), long);

    let second = Store::open(&path).unwrap();
    second
        .write(|c| Ok(c.execute("INSERT INTO t VALUES (1)", [])?))
        .unwrap();
    let short = std::fs::metadata(&wal).unwrap().len();
    // The WAL header and a frame or two of 24 + 4,096 bytes.
    assert!(short < 32 + 3 * 4120, "{short} of {long}");
    assert!(second.checkpoint_truncate().unwrap().completed);
    assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
}

/// A database file at schema version `version`, holding `rows` (SQL).
fn database_at(path: &Path, version: usize, rows: &str) {
    let c = Connection::open(path).unwrap();
    for sql in &MIGRATIONS[..version] {
        c.execute_batch(sql).unwrap();
    }
    c.pragma_update(None, "user_version", version as i64)
        .unwrap();
    c.execute_batch(rows).unwrap();
}

/// Version 4 moves every search key into the shard of its customer's
/// row and loses no key.
#[test]
fn version_4_puts_each_search_key_in_its_customer_s_shard() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    database_at(
        &path,
        3,
        "INSERT INTO customers (rowid, id, created_at, updated_at)
                 VALUES (5, 'cus_near', 0, 0), (32769, 'cus_far', 0, 0);
             INSERT INTO search_keys (key, customer_id, kind) VALUES
                 ('ada', 'cus_near', 2), ('ada@example.com', 'cus_near', 3),
                 ('ada', 'cus_far', 2), ('15550100', 'cus_far', 4);",
    );
    let store = Store::open(&path).unwrap();
    let c = &store.read();
    let keys: Vec<(i64, String, String, i64)> = c
        .prepare("SELECT shard, key, customer_id, kind FROM search_keys ORDER BY 3, 2")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let row = |s: i64, k: &str, id: &str, kind: i64| (s, k.to_string(), id.to_string(), kind);
    assert_eq!(
        keys,
        [
            row(-62, "15550100", "cus_far", 4),
            row(-62, "ada", "cus_far", 2),
            row(-64, "ada", "cus_near", 2),
            row(-64, "ada@example.com", "cus_near", 3),
        ]
    );
    assert_eq!(
        search::exact_ids(c, "ada", &[]).unwrap(),
        ["cus_far", "cus_near"]
    );
}

/// Version 6 lists each profile's search keys on its customer row and
/// drops the index by customer, and lists its attachments and
/// recordings and indexes its findings by customer; erasure then
/// deletes the listed keys and wipes the listed parts, and no other
/// profile's.
#[test]
fn version_6_lists_each_profile_s_keys_on_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.db");
    database_at(
        &path,
        5,
        "INSERT INTO customers (rowid, id, created_at, updated_at)
                 VALUES (5, 'cus_near', 0, 0), (32769, 'cus_far', 0, 0),
                     (6, 'cus_keyless', 0, 0);
             INSERT INTO search_keys (shard, key, customer_id, kind) VALUES
                 (-64, 'ada', 'cus_near', 2), (-64, 'o''hara \"x\"', 'cus_near', 1),
                 (-62, 'ada', 'cus_far', 2), (-62, '15550100', 'cus_far', 4);
             INSERT INTO items (id, customer_id, type, timestamp) VALUES
                 ('it_far', 'cus_far', 'EMAIL', 0), ('it_call', 'cus_far', 'PHONE_CALL', 0),
                 ('it_near', 'cus_near', 'EMAIL', 0);
             INSERT INTO attachments (id, item_id, filename, file_size, content) VALUES
                 ('att_far', 'it_far', 'far.pdf', 3, x'010203'),
                 ('att_near', 'it_near', 'near.pdf', 3, x'040506');
             INSERT INTO recordings (id, item_id, file_size, content)
                 VALUES ('rec_far', 'it_call', 3, x'070809');
             INSERT INTO pii_findings (item_id, customer_id, field, start, end, kind,
                 confidence, preview, found_at) VALUES
                 ('it_far', 'cus_far', 'body', 0, 4, 'email', 0.9, 'a***', 0),
                 ('it_near', 'cus_near', 'body', 0, 4, 'email', 0.9, 'b***', 0);",
    );
    let store = Store::open(&path).unwrap();
    let c = &store.read();
    let list = |c: &Connection, id: &str| -> Option<Vec<customers::ListedKey>> {
        let text: Option<String> = c
            .query_row(
                "SELECT search_keys FROM customers WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        text.map(|t| {
            let mut keys = customers::parse_key_list(id, &t).unwrap();
            keys.sort();
            keys
        })
    };
    assert_eq!(
        list(c, "cus_near").unwrap(),
        [(-64, 1, "o'hara \"x\"".into()), (-64, 2, "ada".into())]
    );
    assert_eq!(
        list(c, "cus_far").unwrap(),
        [(-62, 2, "ada".into()), (-62, 4, "15550100".into())]
    );
    assert_eq!(list(c, "cus_keyless"), None);
    let indexes: i64 = c
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'search_keys_customer'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 0);

    let row = erase::customer(c, "cus_far").unwrap().unwrap();
    let removed = store
        .write(|c| erase::wipe_profile(c, &row, "manual", 1))
        .unwrap();
    assert_eq!(removed.search_keys, 2);
    assert_eq!(
        (
            removed.attachments,
            removed.recordings,
            removed.pii_findings
        ),
        (1, 1, 1)
    );
    let c = &store.read();
    let left: Vec<(String, String)> = c
        .prepare("SELECT customer_id, key FROM search_keys ORDER BY 1, 2")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        left,
        [
            ("cus_near".to_string(), "ada".to_string()),
            ("cus_near".to_string(), "o'hara \"x\"".to_string())
        ]
    );
    assert_eq!(list(&store.read(), "cus_far"), None);
    // The other profile's parts and finding are untouched.
    let kept: (i64, i64) = store
        .read()
        .query_row(
            "SELECT (SELECT count(*) FROM attachments WHERE content IS NOT NULL),
                 (SELECT count(*) FROM pii_findings)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(kept, (1, 1));
}

#[test]
fn migrates_from_version_zero_and_sets_pragmas() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v0.db");
    // A database at version 0: a SQLite file with no Lethe tables.
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE unrelated (x)")
        .unwrap();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let c = &store.read();
    let secure: i64 = c
        .query_row("PRAGMA secure_delete", [], |r| r.get(0))
        .unwrap();
    let fk: i64 = c
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!((secure, fk, mode.as_str()), (1, 1, "wal"));
    for table in [
        "customers",
        "customer_emails",
        "customer_phones",
        "customer_addresses",
        "conversations",
        "items",
        "attachments",
        "recordings",
        "orders",
        "work_sessions",
        "settings",
        "operators",
        "audit_log",
        "pii_findings",
    ] {
        let n: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type='table' AND name=?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "{table} is missing");
    }
}

#[test]
fn version_1_findings_upgrade_to_the_current_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    // A version 1 database with two open findings, recorded in the
    // opposite order of their items' times.
    let v1 = Connection::open(&path).unwrap();
    v1.execute_batch(MIGRATIONS[0]).unwrap();
    v1.execute_batch(
        "PRAGMA user_version = 1;
         INSERT INTO customers (id, created_at, updated_at) VALUES ('cus_1', 0, 0);
         INSERT INTO items (id, customer_id, type, timestamp) VALUES
             ('itm_old', 'cus_1', 'CHAT', 1000), ('itm_new', 'cus_1', 'CHAT', 2000);
         INSERT INTO pii_findings (item_id, customer_id, field, start, end, kind,
             confidence, preview, found_at)
         VALUES ('itm_new', 'cus_1', 'body', 0, 4, 'card', 0.9, 'card •••• 1111', 5),
                ('itm_old', 'cus_1', 'body', 0, 4, 'card', 0.9, 'card •••• 2222', 6);",
    )
    .unwrap();
    drop(v1);

    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let at: Vec<(String, i64)> = store
        .read()
        .prepare("SELECT item_id, item_at FROM pii_findings ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(at, [("itm_new".into(), 2000), ("itm_old".into(), 1000)]);
    let filter = crate::model::triage::QueueFilter {
        kinds: vec![],
        min_confidence: 0.0,
        limit: 10,
        offset: 0,
    };
    let queue = findings::queue(&store.read(), &filter).unwrap();
    let items: Vec<&str> = queue.iter().map(|r| r.item_id.as_str()).collect();
    assert_eq!(items, ["itm_new", "itm_old"]);
    assert_eq!(findings::queue_count(&store.read(), &filter).unwrap(), 2);
    // Version 3 rebuilt the table: the same IDs, and the status check
    // still refuses a value it does not know.
    let ids: Vec<i64> = queue.iter().map(|r| r.finding_id).collect();
    assert_eq!(ids, [1, 2]);
    let bad = store
        .read()
        .execute("UPDATE pii_findings SET status = 'maybe' WHERE id = 1", []);
    assert!(bad.is_err());
    store
        .read()
        .execute(
            "UPDATE pii_findings SET status = 'dismissed' WHERE id = 1",
            [],
        )
        .unwrap();
}

#[test]
fn refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = Store::open(&path).err().unwrap();
    assert!(matches!(err, Error::SchemaTooNew { .. }), "{err}");
    assert!(err.to_string().contains("newer Lethe"));
}

/// SQLite here writes a transaction's WAL frames many at a time and a
/// checkpoint reads them many at a time (`vendor/libsqlite3-sys`,
/// LETHE.md). A commit of hundreds of frames, and a transaction whose
/// small cache spills pages and writes them again, must read back the
/// same from a fresh connection that recovers the WAL from a copy of
/// the files, as after a crash, and after a checkpoint.
#[test]
fn large_transactions_recover_from_the_wal_and_checkpoint_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let store = Store::create(&path).unwrap();
    let c = &store.read();
    c.execute_batch(
        "PRAGMA wal_autocheckpoint=0;
         CREATE TABLE w (a INTEGER PRIMARY KEY, b TEXT);
         BEGIN;
         WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 4000)
         INSERT INTO w SELECT x, printf('%0500d', x) FROM n;
         COMMIT;
         PRAGMA cache_size=20;
         BEGIN;
         UPDATE w SET b = printf('%0300d', a * 7) WHERE a % 3 = 0;
         UPDATE w SET b = printf('%0310d', a * 7) WHERE a % 3 = 0;
         COMMIT;",
    )
    .unwrap();
    let digest = |c: &Connection| -> (i64, i64, String) {
        c.query_row(
            "SELECT count(*), sum(a), (SELECT b FROM w WHERE a = 3000) FROM w",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    let want = (4000, 8_002_000, format!("{:0310}", 3000 * 7));
    let wal = std::fs::metadata(dir.path().join("w.db-wal"))
        .unwrap()
        .len();
    assert!(
        wal > 200 * 4096,
        "the transaction is in the WAL: {wal} bytes"
    );

    let copy = dir.path().join("copy.db");
    std::fs::copy(&path, &copy).unwrap();
    std::fs::copy(dir.path().join("w.db-wal"), dir.path().join("copy.db-wal")).unwrap();
    let recovered = Connection::open(&copy).unwrap();
    let check: String = recovered
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    assert_eq!(digest(&recovered), want);

    store.checkpoint_truncate().unwrap();
    assert_eq!(digest(c), want);
    let reopened = Connection::open(&path).unwrap();
    assert_eq!(digest(&reopened), want);
}

#[test]
fn names_bad_paths_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    assert!(matches!(
        Store::open(&missing),
        Err(Error::DatabaseMissing { .. })
    ));

    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "this is not a database, just some notes ".repeat(200),
    )
    .unwrap();
    assert!(matches!(
        Store::open(&text),
        Err(Error::NotADatabase { .. })
    ));

    let ro = dir.path().join("ro.db");
    drop(Store::create(&ro).unwrap());
    let mut perms = std::fs::metadata(&ro).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&ro, perms).unwrap();
    let err = Store::open(&ro).err().unwrap();
    assert!(matches!(err, Error::ReadOnly { .. }), "{err}");
}
