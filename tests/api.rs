#![recursion_limit = "512"]

//! `lethe serve`, started for real on a free loopback port and spoken to
//! with an HTTP client (and with curl): tokens, every endpoint, every
//! refusal, the limits, the audit entries, and erasure proven on disk.

#[path = "common/erase_fixtures.rs"]
mod fixtures;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use fixtures::{hits, marked, Marked, ROOT};
use lethe::access::{self, Role};
use lethe::store::Store;
use serde_json::{json, Value};

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(db: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lethe"));
        cmd.arg("--db").arg(db).arg("serve");
        if !extra.contains(&"--listen") {
            cmd.args(["--listen", "127.0.0.1:0"]);
        }
        cmd.args(extra)
            .env("SUDO_USER", ROOT)
            .env_remove("LETHE_DB")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        err.read_line(&mut line).unwrap();
        let addr = line
            .split("://")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("the server did not start: {line}"))
            .to_string();
        // Keep draining stderr so the server never blocks on it.
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = err.read_to_string(&mut rest);
        });
        Server {
            child,
            base: format!("http://{addr}"),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `send` to this server's `path`.
    fn call(
        &self,
        method: &str,
        path: &str,
        auth: Option<(&str, &str)>,
        body: Option<&str>,
    ) -> Reply {
        send(method, &self.url(path), auth, body)
    }

    /// SIGTERM, then the exit status.
    fn stop(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let status = self.child.wait().unwrap();
        std::mem::forget(self);
        status
    }
}

impl Drop for Server {
    /// SIGTERM, so the server writes its queued audit entries; SIGKILL if
    /// it has not stopped within ten seconds.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..200 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into()
}

struct Reply {
    status: u16,
    body: Value,
    retry_after: Option<String>,
}

fn basic(user: &str, token: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{token}"))
    )
}

fn send(method: &str, url: &str, auth: Option<(&str, &str)>, body: Option<&str>) -> Reply {
    let a = agent();
    let mut resp = match method {
        "GET" | "DELETE" => {
            let mut req = if method == "GET" {
                a.get(url)
            } else {
                a.delete(url)
            };
            if let Some((u, t)) = auth {
                req = req.header("Authorization", &basic(u, t));
            }
            req.call().unwrap()
        }
        _ => {
            let mut req = if method == "PUT" {
                a.put(url)
            } else {
                a.post(url)
            };
            if let Some((u, t)) = auth {
                req = req.header("Authorization", &basic(u, t));
            }
            req.header("Content-Type", "application/json")
                .send(body.unwrap_or(""))
                .unwrap()
        }
    };
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply {
        status,
        body,
        retry_after,
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    db: PathBuf,
    marks: Vec<Marked>,
    root_token: String,
    agent_token: String,
}

fn lethe(db: &Path, user: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lethe"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("SUDO_USER", user)
        .env_remove("LETHE_DB")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn token(db: &Path, operator: &str, extra: &[&str]) -> String {
    let mut args = vec!["api-token", "create", "--operator", operator];
    args.extend_from_slice(extra);
    let out = lethe(db, ROOT, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Marked profiles 1 and 2 (closed), 3 (an open conversation); root is
/// the compliance admin, sam an agent, each with a token.
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, db) = fixtures::database(dir.path());
    let marks = vec![marked(1, "CLOSED"), marked(2, "CLOSED"), marked(3, "OPEN")];
    fixtures::insert(
        &mut store,
        &marks.iter().map(|m| &m.doc).collect::<Vec<_>>(),
    );
    let root = fixtures::root(&store);
    access::grant(&mut store, &root, "sam", Role::Agent).unwrap();
    drop(store);
    let root_token = token(&db, ROOT, &["--label", "tests"]);
    let agent_token = token(&db, "sam", &[]);
    Setup {
        _dir: dir,
        db,
        marks,
        root_token,
        agent_token,
    }
}

fn email_of(m: &Marked) -> String {
    m.doc.emails[0].original.clone()
}

fn audit_text(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT operator || ' ' || action || ' ' || targets || ' ' || counts || ' ' || outcome FROM audit_log ORDER BY seq")
        .unwrap();
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    rows.join("\n")
}

#[test]
fn tokens_are_shown_once_stored_as_hashes_and_audited() {
    let s = setup();
    assert!(s.root_token.starts_with("lethe_"), "{}", s.root_token);
    let list = lethe(&s.db, ROOT, &["api-token", "list", "--json"]);
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(!text.contains(&s.root_token), "the list shows a secret");
    let rows: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    let bytes = std::fs::read(&s.db).unwrap();
    let secret = s.root_token.as_bytes();
    assert!(
        !bytes.windows(secret.len()).any(|w| w == secret),
        "a secret is stored"
    );
    let audit = audit_text(&s.db);
    assert!(audit.contains("api-token-create"), "{audit}");
    assert!(!audit.contains(&s.root_token));
    // An agent may not issue tokens.
    let out = lethe(&s.db, "sam", &["api-token", "create", "--operator", "sam"]);
    assert!(!out.status.success());
    // Nor for someone who is not an operator.
    let out = lethe(
        &s.db,
        ROOT,
        &["api-token", "create", "--operator", "nobody"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an operator"));
}

#[test]
fn every_endpoint_answers_with_the_platforms_shapes() {
    let s = setup();
    let srv = Server::start(&s.db, &["--rate-limit", "1000"], &[]);
    let auth = Some((ROOT, s.root_token.as_str()));
    let email = email_of(&s.marks[0]);

    let r = srv.call(
        "GET",
        &format!("/api/v1/customer-profiles?email={email}"),
        auth,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["customerProfiles"][0]["id"], "cus_0001");
    let r = srv.call(
        "GET",
        "/api/v1/customer-profiles?phoneNumber=%2B1%20(628)%20391-0002",
        auth,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["customerProfiles"][0]["id"], "cus_0002");
    let ext = s.marks[0].doc.external_customer_id.clone().unwrap();
    let r = srv.call(
        "GET",
        &format!("/api/v1/customer-profiles?externalCustomerId={ext}"),
        auth,
        None,
    );
    assert_eq!(
        r.body["customerProfiles"][0]["id"], "cus_0001",
        "{}",
        r.body
    );

    let r = srv.call("GET", "/api/v1/customer-profiles/cus_0002", auth, None);
    assert_eq!(r.status, 200);
    assert_eq!(r.body["id"], "cus_0002");
    let r = srv.call(
        "GET",
        "/api/v1/customer-profiles/cus_0002/export",
        auth,
        None,
    );
    assert_eq!(r.status, 200);
    assert!(
        r.body["conversations"].as_array().unwrap().len() >= 2,
        "{}",
        r.body
    );
    let r = srv.call(
        "GET",
        "/api/v1/customers/cus_0002/conversation-items",
        auth,
        None,
    );
    assert_eq!(r.status, 200);
    let items = r.body["conversationItems"].as_array().unwrap().clone();
    assert!(items.iter().any(|i| i["id"] == "it_0002_c1"));

    // Redact one item: it stays in the timeline, shown as deleted.
    let r = srv.call(
        "POST",
        "/api/v1/conversation-items/it_0002_c1/redact",
        auth,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = srv.call(
        "GET",
        "/api/v1/customers/cus_0002/conversation-items",
        auth,
        None,
    );
    let item = r.body["conversationItems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "it_0002_c1")
        .unwrap()
        .clone();
    assert_eq!(item["deleted"], true);
    assert_eq!(item["content"], "This item has been deleted");

    // Delete a profile: the receipt comes back; then it is gone.
    let r = srv.call("DELETE", "/api/v1/customer-profiles/cus_0001", auth, None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["customer_id"], "cus_0001");
    assert_eq!(r.body["verification"]["values_found"], 0);
    let r = srv.call("DELETE", "/api/v1/customer-profiles/cus_0001", auth, None);
    assert_eq!(r.status, 404, "{}", r.body);
    let r = srv.call("GET", "/api/v1/customer-profiles/cus_0001", auth, None);
    assert_eq!(r.status, 404);
    let r = srv.call("DELETE", "/api/v1/customer-profiles/cus_nobody", auth, None);
    assert_eq!(r.status, 404);
    assert_eq!(r.body["errors"][0]["code"], "not_found");

    // The open conversation: 400 invalid_state naming it.
    let r = srv.call("DELETE", "/api/v1/customer-profiles/cus_0003", auth, None);
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.body["errors"][0]["code"], "invalid_state");
    assert!(
        r.body["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("conv_0003_"),
        "{}",
        r.body
    );

    // Compliance events, with the platform's names, in a time window.
    let r = srv.call(
        "GET",
        "/api/v1/compliance-events?startAt=2000-01-01T00:00:00Z&endAt=2100-01-01T00:00:00Z",
        auth,
        None,
    );
    assert_eq!(r.status, 200);
    let names: Vec<String> = r.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventType"].as_str().unwrap().to_string())
        .collect();
    for want in [
        "PROFILE_DELETED",
        "CONVERSATION_ITEM_REDACTED",
        "CUSTOMER_PROFILE_EXPORTED",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
    let r = srv.call(
        "GET",
        "/api/v1/compliance-events?startAt=2100-01-01T00:00:00Z",
        auth,
        None,
    );
    assert_eq!(r.body["events"], json!([]));
    assert_eq!(r.body["truncated"], false);
    let r = srv.call(
        "GET",
        "/api/v1/compliance-events?endAt=2000-01-01T00:00:00Z",
        auth,
        None,
    );
    assert_eq!(r.body["events"], json!([]));

    // The retention policy.
    let r = srv.call("GET", "/api/v1/settings/data-retention", auth, None);
    assert_eq!(r.body, json!({"policy": "default", "days": null}));
    let put = |body: &str| srv.call("PUT", "/api/v1/settings/data-retention", auth, Some(body));
    let r = put(r#"{"policy": "custom", "days": 400}"#);
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.body["errors"][0]["attr"], "iUnderstand");
    let r = put(r#"{"policy": "custom", "days": 30, "iUnderstand": true}"#);
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errors"][0]["attr"], "days");
    let r = put(r#"{"policy": "custom", "days": 400, "iUnderstand": true}"#);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body, json!({"policy": "custom", "days": 400}));
    let r = srv.call("GET", "/api/v1/compliance-events", auth, None);
    assert!(r.body.to_string().contains("DATA_RETENTION_CONFIG_UPDATED"));

    // Every request is audited (the server writes its queue on the way
    // out), and no query value is in the trail.
    drop(srv);
    let audit = audit_text(&s.db);
    assert!(audit.contains("api-request"), "{audit}");
    assert!(audit.contains("customer-profiles.find"), "{audit}");
    for secret in [email.as_str(), "628", ext.as_str(), s.root_token.as_str()] {
        assert!(
            !audit.contains(secret),
            "{secret} in the audit trail:\n{audit}"
        );
    }
}

#[test]
fn refusals_get_401_and_403_and_are_audited() {
    let s = setup();
    let srv = Server::start(&s.db, &["--rate-limit", "1000"], &[]);
    let agent = Some(("sam", s.agent_token.as_str()));
    for (method, path) in [
        ("DELETE", "/api/v1/customer-profiles/cus_0001"),
        ("GET", "/api/v1/customer-profiles/cus_0001/export"),
        ("POST", "/api/v1/conversation-items/it_0001_c1/redact"),
    ] {
        let r = srv.call(method, path, agent, None);
        assert_eq!(r.status, 403, "{method} {path}: {}", r.body);
        assert_eq!(r.body["errors"][0]["code"], "forbidden");
    }
    // An agent may look up.
    let r = srv.call("GET", "/api/v1/customer-profiles/cus_0001", agent, None);
    assert_eq!(r.status, 200);

    let r = srv.call("GET", "/api/v1/customer-profiles/cus_0001", None, None);
    assert_eq!(r.status, 401);
    let r = srv.call(
        "GET",
        "/api/v1/customer-profiles/cus_0001",
        Some((ROOT, "lethe_wrong")),
        None,
    );
    assert_eq!(r.status, 401);
    let r = srv.call(
        "GET",
        "/api/v1/customer-profiles/cus_0001",
        Some(("sam", s.root_token.as_str())),
        None,
    );
    assert_eq!(r.status, 401, "another operator's token");
    // Revoked.
    let list: Value =
        serde_json::from_slice(&lethe(&s.db, ROOT, &["api-token", "list", "--json"]).stdout)
            .unwrap();
    let sam_id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["operator"] == "sam")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(lethe(&s.db, ROOT, &["api-token", "revoke", &sam_id])
        .status
        .success());
    let r = srv.call("GET", "/api/v1/customer-profiles/cus_0001", agent, None);
    assert_eq!(r.status, 401);
    // A token whose operator lost every role.
    let carl = {
        let mut store = Store::open(&s.db).unwrap();
        let root = fixtures::root(&store);
        access::grant(&mut store, &root, "carl", Role::Agent).unwrap();
        drop(store);
        token(&s.db, "carl", &[])
    };
    let r = srv.call(
        "GET",
        "/api/v1/customer-profiles/cus_0001",
        Some(("carl", &carl)),
        None,
    );
    assert_eq!(r.status, 200);
    assert!(lethe(&s.db, ROOT, &["operators", "revoke", "carl"])
        .status
        .success());
    let r = srv.call(
        "GET",
        "/api/v1/customer-profiles/cus_0001",
        Some(("carl", &carl)),
        None,
    );
    assert_eq!(r.status, 401);
    drop(srv);
    // Expired: the server's clock a year on.
    let short = token(&s.db, ROOT, &["--expires", "1"]);
    let later = Server::start(&s.db, &[], &[("LETHE_NOW", "2099-01-01T00:00:00Z")]);
    let r = later.call(
        "GET",
        "/api/v1/customer-profiles/cus_0001",
        Some((ROOT, &short)),
        None,
    );
    assert_eq!(r.status, 401);
    drop(later);
    let audit = audit_text(&s.db);
    assert!(
        audit.contains("api-request [\"auth\"] {} refused"),
        "{audit}"
    );
    assert!(
        audit.contains("api-request [\"customer-profiles.delete\",\"cus_0001\"] {} refused"),
        "{audit}"
    );
    assert!(!audit.contains("lethe_wrong") && !audit.contains(&short));
}

#[test]
fn lookups_return_every_duplicate_newest_first_and_at_most_fifty() {
    let s = setup();
    let mut store = Store::open(&s.db).unwrap();
    let docs: Vec<lethe::format::CustomerDoc> = (0..60)
        .map(|i| {
            serde_json::from_value(json!({
                "id": format!("cus_dup{i:02}"), "name": "Dup Licate",
                "createdAt": "2024-01-01T00:00:00Z",
                "updatedAt": format!("2024-02-{:02}T00:00:{:02}Z", 1 + i / 10, i % 60),
                "emails": [{"original": "shared@example.com"}],
            }))
            .unwrap()
        })
        .collect();
    fixtures::insert(&mut store, &docs.iter().collect::<Vec<_>>());
    drop(store);
    let srv = Server::start(&s.db, &["--rate-limit", "1000"], &[]);
    let r = srv.call(
        "GET",
        "/api/v1/customer-profiles?email=SHARED%40example.com",
        Some((ROOT, &s.root_token)),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let ids: Vec<&str> = r.body["customerProfiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 50);
    assert_eq!(ids[0], "cus_dup59");
    assert_eq!(ids[49], "cus_dup10");
}

#[test]
fn bad_requests_get_clear_errors_and_the_server_stays_up() {
    let s = setup();
    let srv = Server::start(&s.db, &["--rate-limit", "1000"], &[]);
    let auth = Some((ROOT, s.root_token.as_str()));
    let code = |path: &str| {
        let r = srv.call("GET", path, auth, None);
        (
            r.status,
            r.body["errors"][0]["code"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        )
    };
    assert_eq!(
        code("/api/v1/customer-profiles?email=%zz"),
        (400, "invalid_encoding".into())
    );
    assert_eq!(
        code("/api/v1/customer-profiles?email=%C3%28"),
        (400, "invalid_encoding".into())
    );
    assert_eq!(
        code("/api/v1/customer-profiles?email=a&phoneNumber=%2B14155550100").0,
        400
    );
    assert_eq!(code("/api/v1/customer-profiles").0, 400);
    assert_eq!(
        code("/api/v1/customer-profiles?email=a&email=b"),
        (400, "duplicate_parameter".into())
    );
    assert_eq!(
        code("/api/v1/customer-profiles?limit=5"),
        (400, "unknown_parameter".into())
    );
    assert_eq!(code("/api/v1/customer-profiles?phoneNumber=banana").0, 400);
    assert_eq!(
        code("/api/v1/customer-profiles/cus%2F0001"),
        (400, "invalid_id".into())
    );
    assert_eq!(
        code("/api/v1/customer-profiles/cus.0001"),
        (400, "invalid_id".into())
    );
    assert_eq!(
        code("/api/v1/customer-profiles/cus%010001"),
        (400, "invalid_id".into())
    );
    assert_eq!(code("/api/v1/nothing-here").0, 404);
    let put = |body: &str| srv.call("PUT", "/api/v1/settings/data-retention", auth, Some(body));
    let r = put("this is not json");
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (400, Some("invalid_json"))
    );
    let big = format!(
        "{{\"policy\": \"custom\", \"days\": 400, \"pad\": \"{}\"}}",
        "x".repeat(200_000)
    );
    assert_eq!(put(&big).status, 413);
    // A client that stops reading mid-response.
    for _ in 0..5 {
        let mut c = std::net::TcpStream::connect(srv.base.trim_start_matches("http://")).unwrap();
        write!(
            c,
            "GET /api/v1/customer-profiles/cus_0002/export HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\n\r\n",
            basic(ROOT, &s.root_token)
        )
        .unwrap();
        let mut first = [0u8; 16];
        let _ = c.read(&mut first);
        drop(c);
    }
    // Still up, and nothing changed.
    assert_eq!(code("/api/v1/customer-profiles/cus_0002").0, 200);
    let status = srv.stop();
    assert!(status.success(), "{status:?}");
    // The WAL was checkpointed on the way out.
    let wal = s.db.with_extension("db-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);
}

#[test]
fn bursts_are_rate_limited_per_token_with_retry_after() {
    let s = setup();
    let srv = Server::start(&s.db, &[], &[]);
    let url = srv.url("/api/v1/customer-profiles/cus_0002");
    let token = s.root_token.clone();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (url, token) = (url.clone(), token.clone());
            std::thread::spawn(move || {
                (0..250)
                    .map(|_| {
                        let r = send("GET", &url, Some((ROOT, &token)), None);
                        (r.status, r.retry_after)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let all: Vec<(u16, Option<String>)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let ok = all.iter().filter(|(s, _)| *s == 200).count();
    let limited: Vec<_> = all.iter().filter(|(s, _)| *s == 429).collect();
    assert!(ok >= 10, "{ok}");
    assert!(
        limited.len() > 1000,
        "{} limited of {}",
        limited.len(),
        all.len()
    );
    assert!(limited.iter().all(|(_, r)| r.as_deref() == Some("1")));
    assert_eq!(ok + limited.len(), all.len(), "every request answered");
    // Another method has a bucket of its own, and another token too.
    let r = send("GET", &url, Some(("sam", &s.agent_token)), None);
    assert_eq!(r.status, 200);
}

#[test]
fn a_profile_deleted_and_an_item_redacted_through_the_api_leave_no_byte() {
    let s = setup();
    let srv = Server::start(&s.db, &["--rate-limit", "1000"], &[]);
    let auth = Some((ROOT, s.root_token.as_str()));
    assert!(hits(&s.db, &s.marks[0].needles()) > 0);
    let r = srv.call("DELETE", "/api/v1/customer-profiles/cus_0001", auth, None);
    assert_eq!(r.status, 200, "{}", r.body);
    let r = srv.call(
        "POST",
        "/api/v1/conversation-items/it_0002_c1/redact",
        auth,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = srv.call(
        "POST",
        "/api/v1/conversation-items/rec_0002_v1/redact",
        auth,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let status = srv.stop();
    assert!(status.success());
    assert_eq!(hits(&s.db, &s.marks[0].needles()), 0);
    let gone = s.marks[1].markers_of(&["CHAT", "FILE3", "BYTES3", "VMREC", "VMTEXT"]);
    assert_eq!(hits(&s.db, &gone), 0);
    let kept = s.marks[1].markers_of(&["NAME", "BODY2"]);
    assert_eq!(hits(&s.db, &kept), kept.len());
}

#[test]
fn curl_finds_a_profile_by_phone_number_as_the_help_center_shows() {
    let s = setup();
    let srv = Server::start(&s.db, &[], &[]);
    let out = Command::new("curl")
        .args([
            "-s",
            "-u",
            &format!("{ROOT}:{}", s.root_token),
            &srv.url("/api/v1/customer-profiles?phoneNumber=%2B16283910002"),
        ])
        .output()
        .expect("curl is installed (.ci/run installs it)");
    assert!(out.status.success());
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["customerProfiles"][0]["id"], "cus_0002", "{body}");
}

#[test]
fn serve_refuses_a_public_address_without_tls() {
    let s = setup();
    let out = lethe(&s.db, ROOT, &["serve", "--listen", "0.0.0.0:18099"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("clear text"), "{err}");
    let out = lethe(&s.db, ROOT, &["serve", "--listen", "not-an-address"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("IP:PORT"));
}

#[test]
fn the_openapi_document_lists_exactly_what_the_server_serves() {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string("docs/openapi.json").unwrap()).unwrap();
    assert_eq!(doc["openapi"].as_str().unwrap().chars().next(), Some('3'));
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            if method != "parameters" {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    documented.sort();
    let mut served: Vec<(String, String)> = lethe::serve::ENDPOINTS
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    served.sort();
    assert_eq!(documented, served);
    // And each one answers, rather than the fallback or 405.
    let s = setup();
    let srv = Server::start(&s.db, &["--rate-limit", "1000"], &[]);
    for (method, path) in &served {
        let id = if path.starts_with("/api/v1/conversation-items/") {
            "it_0002_p1"
        } else {
            "cus_0002"
        };
        let path = path.replace("{id}", id);
        let body = (method == "PUT").then_some(r#"{"policy": "default"}"#);
        let r = srv.call(method, &path, Some((ROOT, &s.root_token)), body);
        assert!(
            r.status != 405 && !r.body.to_string().contains("no such endpoint"),
            "{method} {path}: {} {}",
            r.status,
            r.body
        );
    }
}

#[test]
fn with_tls_it_serves_https_and_may_listen_beyond_loopback() {
    let s = setup();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl is installed (.ci/run installs it)");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let srv = Server::start(
        &s.db,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
        &[],
    );
    let url = srv
        .url("/api/v1/customer-profiles/cus_0002")
        .replace("http://", "https://");
    let out = Command::new("curl")
        .args([
            "-s",
            "--cacert",
            cert.to_str().unwrap(),
            "-u",
            &format!("{ROOT}:{}", s.root_token),
            &url,
        ])
        .output()
        .unwrap();
    let body: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(
        body["id"],
        "cus_0002",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Plain HTTP to the TLS port gets nowhere.
    let plain = Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--max-time",
            "5",
        ])
        .arg(srv.url("/api/v1/customer-profiles/cus_0002"))
        .output()
        .unwrap();
    assert_ne!(String::from_utf8_lossy(&plain.stdout), "200");
    drop(srv);
    // With TLS, an address other machines can reach is allowed.
    let public = Server::start(
        &s.db,
        &[
            "--listen",
            "0.0.0.0:0",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
        &[],
    );
    assert!(public.base.contains("0.0.0.0:"), "{}", public.base);
    drop(public);
    // A key that is not one is refused with a sentence.
    std::fs::write(&key, "not a key").unwrap();
    let out = lethe(
        &s.db,
        ROOT,
        &[
            "serve",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("private key"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn it_serves_beside_cli_commands_and_a_retention_sweep() {
    let s = setup();
    let demo_extra = {
        // More dormant profiles, so the sweep has work while requests run.
        let mut store = Store::open(&s.db).unwrap();
        let more: Vec<Marked> = (10..60).map(|n| marked(n, "CLOSED")).collect();
        fixtures::insert(&mut store, &more.iter().map(|m| &m.doc).collect::<Vec<_>>());
        more
    };
    let srv = Server::start(&s.db, &["--rate-limit", "100000"], &[]);
    let auth = (ROOT, s.root_token.clone());
    let url = srv.url("/api/v1/customer-profiles/cus_0002");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let client = {
        let (url, stop, token) = (url.clone(), stop.clone(), auth.1.clone());
        std::thread::spawn(move || {
            let mut statuses = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                statuses.push(send("GET", &url, Some((ROOT, &token)), None).status);
            }
            statuses
        })
    };
    // Beside it: a deletion from the command line, a policy change and a
    // sweep that erases every dormant profile.
    let out = lethe(&s.db, ROOT, &["delete", "--customer", "cus_0010", "--yes"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = lethe(
        &s.db,
        ROOT,
        &["retention", "set", "--days", "365", "--i-understand"],
    );
    assert!(out.status.success());
    let out = lethe(&s.db, ROOT, &["retention", "run"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let statuses = client.join().unwrap();
    assert!(!statuses.is_empty());
    // Every answer was a real one: the profile, then 404 once the sweep
    // erased it; never a server error.
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 404),
        "{statuses:?}"
    );
    let r = srv.call(
        "GET",
        "/api/v1/customer-profiles/cus_0011",
        Some((ROOT, &auth.1)),
        None,
    );
    assert_eq!(r.status, 404, "the sweep erased it: {}", r.body);
    drop(srv);
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    assert_eq!(hits(&s.db, &demo_extra[5].needles()), 0);
}

#[test]
fn the_retention_policy_takes_the_names_scripts_use_and_refuses_an_agent() {
    let s = setup();
    let srv = Server::start(&s.db, &["--rate-limit", "1000"], &[]);
    let url = srv.url("/api/v1/settings/data-retention");
    let r = send(
        "PUT",
        &url,
        Some((ROOT, &s.root_token)),
        Some(r#"{"retentionDays": 730, "iUnderstand": true}"#),
    );
    assert_eq!(
        r.body,
        json!({"policy": "custom", "days": 730}),
        "{}",
        r.body
    );
    let r = send(
        "PUT",
        &url,
        Some(("sam", &s.agent_token)),
        Some(r#"{"policy": "DEFAULT"}"#),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = send("PUT", &url, Some((ROOT, &s.root_token)), Some("[1, 2]"));
    assert_eq!(r.status, 400);
    let r = send(
        "PUT",
        &url,
        Some((ROOT, &s.root_token)),
        Some(r#"{"policy": "DEFAULT"}"#),
    );
    assert_eq!(
        r.body,
        json!({"policy": "default", "days": null}),
        "{}",
        r.body
    );
}
