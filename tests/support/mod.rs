//! Shared fixtures for integration tests: a temporary database with known
//! operators, and the real `lethe` binary run as a chosen OS user.
//!
//! Use from a test file with `mod support;`. Identity comes from the OS,
//! and `SUDO_USER` is honoured for root or for the owner of the database
//! file; tests create the file themselves, so `run` can act as any user by
//! setting `SUDO_USER`, whatever account runs the tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use lethe::access::{self, Actor, Role};
use lethe::store::Store;

/// The bootstrapped owner: compliance_admin and admin.
pub const OWNER: &str = "alice";
/// An admin without compliance_admin.
pub const ADMIN: &str = "bob";
/// An agent: may read only.
pub const AGENT: &str = "carol";
/// An OS user who is not an operator.
pub const STRANGER: &str = "mallory";

pub struct TestDb {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TestDb {
    /// A new database on disk bootstrapped by `OWNER`, with `ADMIN` as an
    /// admin and `AGENT` as an agent. `STRANGER` holds no role.
    pub fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("lethe.db");
        let mut store = Store::create(&path).expect("create database");
        assert!(access::bootstrap(&store, OWNER).expect("bootstrap"));
        let owner = Actor::resolve(&store.read(), OWNER).expect("owner");
        access::grant(&mut store, &owner, ADMIN, Role::Admin).expect("grant admin");
        access::grant(&mut store, &owner, AGENT, Role::Agent).expect("grant agent");
        TestDb { _dir: dir, path }
    }

    pub fn store(&self) -> Store {
        Store::open(&self.path).expect("open database")
    }

    /// The actor `user` as the core sees them now.
    pub fn actor(&self, user: &str) -> Actor {
        Actor::resolve(&self.store().read(), user).expect("resolve actor")
    }

    /// Runs `lethe --db <this database> ARGS` as OS user `user`.
    pub fn run(&self, user: &str, args: &[&str]) -> Run {
        let mut all = vec!["--db", self.path.to_str().expect("utf-8 path")];
        all.extend_from_slice(args);
        lethe_as(user, &all)
    }

    /// Every row of every table except the audit trail, for asserting that
    /// a refused command changed nothing.
    pub fn snapshot(&self) -> String {
        snapshot(&self.path)
    }

    /// How many audit entries there are.
    pub fn audit_entries(&self) -> i64 {
        lethe::audit::verify(&self.store().read())
            .expect("verify")
            .entries
    }

    /// The newest audit entry.
    pub fn last_audit(&self) -> lethe::audit::Row {
        lethe::audit::list(&self.store().read(), &Default::default(), 1)
            .expect("list")
            .remove(0)
    }

    /// Runs `args` as `user`, asserts it was refused with a clear message
    /// and a non-zero exit, that no table changed, and that exactly one
    /// audit entry (outcome `refused`, operator `user`) was added.
    pub fn assert_refused(&self, user: &str, args: &[&str]) -> Run {
        let before = self.snapshot();
        let entries = self.audit_entries();
        let run = self.run(user, args);
        assert_eq!(run.code, 1, "{args:?} as {user} should fail: {run:?}");
        assert!(
            run.stderr.starts_with("lethe: ") && run.stderr.contains(user),
            "{args:?} as {user}: unclear refusal: {run:?}"
        );
        assert_eq!(self.snapshot(), before, "{args:?} as {user} changed data");
        assert_eq!(
            self.audit_entries(),
            entries + 1,
            "{args:?}: refusal not audited"
        );
        let last = self.last_audit();
        assert_eq!(
            (last.operator.as_str(), last.outcome.as_str()),
            (user, "refused")
        );
        run
    }
}

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "command failed: {self:?}");
        &self.stdout
    }
}

/// Runs the `lethe` binary with `args`, as OS user `user` (through
/// `SUDO_USER`), with no `LETHE_DB` from the environment.
pub fn lethe_as(user: &str, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_lethe"))
        .args(args)
        .env("SUDO_USER", user)
        .env_remove("LETHE_DB")
        .env("NO_COLOR", "1")
        .output()
        .expect("run lethe");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every row of every table except `audit_log`, as text.
pub fn snapshot(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).expect("open");
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'audit_log' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("tables");
    tables.retain(|t: &String| !t.starts_with("sqlite_"));
    let mut out = String::new();
    for t in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1"))
            .expect("select");
        let n = stmt.column_count();
        let rows: Vec<String> = stmt
            .query_map([], |r| {
                let cells: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i)))
                    .collect::<Vec<_>>();
                Ok(cells.join("|"))
            })
            .and_then(|rows| rows.collect())
            .expect("rows");
        out.push_str(&format!("{t}:\n{}\n", rows.join("\n")));
    }
    out
}
