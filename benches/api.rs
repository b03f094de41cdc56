//! `lethe serve` on the 1,000,000-customer database with 16 concurrent
//! clients: find requests by email, requests per second and p50/p99
//! latency, then the same while a retention sweep runs, and the server's
//! peak memory.
//!
//! `cargo bench --bench api`. Targets: at least 2,000 finds a second and
//! p99 under 25 ms on 2 cores, with no request failing.

mod common;

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lethe::store::Store;

const CLIENTS: usize = 16;
const PHASE: Duration = Duration::from_secs(15);

fn basic(user: &str, token: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{token}"))
    )
}

struct Phase {
    requests: usize,
    failed: usize,
    seconds: f64,
    latencies: Vec<Duration>,
}

fn phase(base: &str, auth: &str, emails: &Arc<Vec<String>>, length: Duration) -> Phase {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let handles: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (base, auth, emails, stop) = (
                base.to_string(),
                auth.to_string(),
                emails.clone(),
                stop.clone(),
            );
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .into();
                let mut lat = Vec::new();
                let mut failed = 0;
                let mut i = c;
                while !stop.load(Ordering::Relaxed) {
                    let email = &emails[i % emails.len()];
                    i += CLIENTS;
                    let url = format!("{base}/api/v1/customer-profiles?email={email}");
                    let t = Instant::now();
                    let ok = match agent.get(&url).header("Authorization", &auth).call() {
                        Ok(mut r) => {
                            let status = r.status().as_u16();
                            let body = r.body_mut().read_to_string().unwrap_or_default();
                            if status != 200 && failed == 0 {
                                eprintln!("a request failed: {status} {body}");
                            }
                            status == 200
                        }
                        Err(e) => {
                            if failed == 0 {
                                eprintln!("a request failed: {e}");
                            }
                            false
                        }
                    };
                    lat.push(t.elapsed());
                    if !ok {
                        failed += 1;
                    }
                }
                (lat, failed)
            })
        })
        .collect();
    std::thread::sleep(length);
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    let mut failed = 0;
    for h in handles {
        let (l, f) = h.join().unwrap();
        latencies.extend(l);
        failed += f;
    }
    Phase {
        requests: latencies.len(),
        failed,
        seconds: started.elapsed().as_secs_f64(),
        latencies,
    }
}

fn report(name: &str, mut p: Phase) {
    println!(
        "{name}: {} requests in {:.1} s = {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, {} failed",
        p.requests,
        p.seconds,
        p.requests as f64 / p.seconds,
        common::ms(common::percentile(&mut p.latencies, 50.0)),
        common::ms(common::percentile(&mut p.latencies, 99.0)),
        p.failed
    );
}

fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let n = common::customers();
    let src = common::bench_db(n);
    println!(
        "API benchmark on {n} customers, {CLIENTS} clients ({})",
        src.display()
    );
    let scratch = common::Scratch::of(&src, "api");
    let (operator, token, emails, shared) = {
        let store = Store::open(&scratch.path).unwrap();
        let actor = common::operator(&store);
        let issued = lethe::api_token::create_as(
            &store,
            &actor,
            lethe::api_token::NewToken {
                operator: &actor.username,
                label: Some("bench"),
                expires_days: None,
            },
            lethe::clock::now_ms(),
        )
        .unwrap();
        let encode = |e: String| e.replace('+', "%2B").replace('@', "%40");
        let sample = |sql: &str| -> Vec<String> {
            store
                .read()
                .prepare(sql)
                .unwrap()
                .query_map([], |r| r.get::<_, String>(0))
                .unwrap()
                .map(|r| encode(r.unwrap()))
                .collect()
        };
        // Emails spread over the file, as they come: on the demo data an
        // email is shared by many profiles (27 on average at 1M).
        let any = sample(
            "SELECT e.original FROM customers c JOIN customer_emails e ON e.customer_id = c.id
             WHERE c.rowid % 199 = 0 AND e.position = 0 LIMIT 5000",
        );
        // Emails only one profile holds, as most are in real data.
        let unique = sample(
            "SELECT min(original) FROM customer_emails GROUP BY normalized
             HAVING count(*) = 1 LIMIT 5000",
        );
        (
            actor.username,
            issued.secret,
            Arc::new(unique),
            Arc::new(any),
        )
    };
    let lethe = env!("CARGO_BIN_EXE_lethe");
    let mut server = Command::new(lethe)
        .arg("--db")
        .arg(&scratch.path)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--rate-limit",
            "1000000000",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stderr.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let base = format!(
        "http://{}",
        line.split("http://")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
    );
    let auth = basic(&operator, &token);
    // A server runs warm: the first pass reads the pages the lookups need
    // from disk (the scratch copy is fresh), and is not counted.
    let warm = phase(&base, &auth, &emails, PHASE);
    println!(
        "warm-up: {} requests, {} failed (not counted)",
        warm.requests, warm.failed
    );
    report(
        "finds, an email one profile holds",
        phase(&base, &auth, &emails, PHASE),
    );
    report(
        "finds, any email (the demo's are shared by many profiles; up to 50 returned)",
        phase(&base, &auth, &shared, PHASE),
    );

    let set = Command::new(lethe)
        .arg("--db")
        .arg(&scratch.path)
        .args(["retention", "set", "--days", "365", "--i-understand"])
        .env("SUDO_USER", &operator)
        .output()
        .unwrap();
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let mut sweep = Command::new(lethe)
        .arg("--db")
        .arg(&scratch.path)
        .args(["retention", "run"])
        .env("SUDO_USER", &operator)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let during = phase(&base, &auth, &emails, PHASE);
    let sweeping = sweep.try_wait().unwrap().is_none();
    let memory = peak_rss_mib(server.id());
    report(
        if sweeping {
            "finds (one profile each) during a retention sweep"
        } else {
            "finds during a retention sweep (it ended before the phase did)"
        },
        during,
    );
    let _ = sweep.wait();
    println!("server peak memory: {memory:.0} MiB");
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(server.id().to_string())
        .status();
    let _ = server.wait();
}
