//! `lethe serve`: the platform's compliance REST API, the third front end
//! beside the command line and the console. Every request authenticates
//! with HTTP Basic auth (operator name and API token), acts through a core
//! `Session` as that operator, and is audited; database work runs on
//! tokio's blocking threads, each with a connection from a small pool.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::session::{Clock, Session};
use crate::store::Store;

mod routes;
pub use routes::ENDPOINTS;

/// Requests per second each token may make per HTTP method, as the
/// platform allows.
pub const DEFAULT_RATE: u32 = 10;
/// The largest request body accepted.
pub const MAX_BODY: usize = 64 * 1024;
/// How long one request may take, reading included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Requests handled at once; more wait their turn.
pub const MAX_CONCURRENT: usize = 64;

/// How `lethe serve` runs.
#[derive(Debug, Clone)]
pub struct Options {
    pub db: PathBuf,
    pub listen: SocketAddr,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub rate: u32,
}

/// Connections to the database, reused across requests.
pub(crate) struct Pool {
    db: PathBuf,
    idle: Mutex<Vec<Store>>,
}

impl Pool {
    fn take(&self) -> crate::Result<Store> {
        if let Some(s) = self.idle.lock().expect("pool lock").pop() {
            return Ok(s);
        }
        Store::open(&self.db)
    }

    fn give(&self, store: Store) {
        let mut idle = self.idle.lock().expect("pool lock");
        if idle.len() < 16 {
            idle.push(store);
        }
    }
}

/// One token bucket per token and method.
struct Limiter {
    rate: u32,
    buckets: Mutex<HashMap<(String, Method), (f64, Instant)>>,
}

impl Limiter {
    /// Takes one request from the bucket, or says how many seconds until
    /// one is free.
    fn take(&self, key: &str, method: &Method) -> Result<(), u64> {
        let rate = f64::from(self.rate.max(1));
        let mut b = self.buckets.lock().expect("limiter lock");
        let now = Instant::now();
        // Unknown credentials get buckets too (they are limited before they
        // are checked); forget the idle ones so a flood of them cannot
        // grow the map without end. An idle bucket is full again anyway.
        if b.len() > 10_000 {
            b.retain(|_, (_, at)| now.duration_since(*at) < Duration::from_secs(2));
        }
        let entry = b
            .entry((key.to_string(), method.clone()))
            .or_insert((rate, now));
        let refilled = (entry.0 + now.duration_since(entry.1).as_secs_f64() * rate).min(rate);
        if refilled >= 1.0 {
            *entry = (refilled - 1.0, now);
            Ok(())
        } else {
            *entry = (refilled, now);
            Err(((1.0 - refilled) / rate).ceil().max(1.0) as u64)
        }
    }
}

pub(crate) struct State {
    pool: Pool,
    limiter: Limiter,
    audit: AuditLog,
}

/// Writes the requests' audit entries, in order and in batches, on a
/// thread with a connection of its own, so a request never waits for the
/// write lock (sixteen requests racing for it would each sleep in SQLite's
/// busy handler, and a retention sweep holds it a batch at a time). An
/// entry is written within milliseconds; stopping the server writes every
/// entry still queued. What a request changed (a deletion, an export, the
/// retention policy) is audited by the change itself, in its own
/// transaction, as from the command line.
struct AuditLog {
    queue: Mutex<Option<std::sync::mpsc::Sender<(crate::audit::Entry, i64)>>>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// Entries written per transaction at most.
const AUDIT_BATCH: usize = 1000;

impl AuditLog {
    fn start(db: &Path) -> crate::Result<AuditLog> {
        let store = Store::open(db)?;
        let (tx, rx) = std::sync::mpsc::channel::<(crate::audit::Entry, i64)>();
        let writer = std::thread::spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut batch = vec![first];
                while batch.len() < AUDIT_BATCH {
                    match rx.try_recv() {
                        Ok(e) => batch.push(e),
                        Err(_) => break,
                    }
                }
                let mut tries = 0;
                loop {
                    let written = store.write(|conn| {
                        for (entry, at) in &batch {
                            crate::audit::append_at(conn, entry, *at)?;
                        }
                        Ok(())
                    });
                    match written {
                        Ok(()) => break,
                        Err(e) if tries < 5 => {
                            tries += 1;
                            log(format_args!(
                                "lethe serve: audit entries not written yet ({e}); retrying"
                            ));
                            std::thread::sleep(Duration::from_millis(200 * tries));
                        }
                        Err(e) => {
                            log(format_args!(
                                "lethe serve: {} request audit entries could not be written: {e}",
                                batch.len()
                            ));
                            break;
                        }
                    }
                }
            }
        });
        Ok(AuditLog {
            queue: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
        })
    }

    fn send(&self, entry: crate::audit::Entry, at: i64) {
        if let Err(e) = entry.validate() {
            log(format_args!(
                "lethe serve: a request audit entry was refused: {e}"
            ));
            return;
        }
        if let Some(q) = self
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            let _ = q.send((entry, at));
        }
    }

    /// Writes what is queued and stops the writer.
    fn close(&self) {
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(w) = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = w.join();
        }
    }
}

/// An error in the platform's style: `{"errors": [{attr, code, detail}]}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    attr: Option<String>,
    detail: String,
    retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            attr: None,
            detail: detail.into(),
            retry_after: None,
        }
    }

    pub(crate) fn attr(mut self, attr: &str) -> Self {
        self.attr = Some(attr.to_string());
        self
    }

    pub(crate) fn bad(code: &'static str, attr: &str, detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, detail).attr(attr)
    }

    fn outcome(&self) -> crate::audit::Outcome {
        if self.status == StatusCode::FORBIDDEN || self.status == StatusCode::UNAUTHORIZED {
            crate::audit::Outcome::Refused
        } else {
            crate::audit::Outcome::Failed
        }
    }
}

impl From<crate::Error> for ApiError {
    fn from(e: crate::Error) -> Self {
        use crate::Error as E;
        let detail = e.to_string();
        match e {
            E::NotFound { .. } | E::AlreadyDeleted { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", detail)
            }
            E::OpenConversation { .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_state", detail)
            }
            E::NotPermitted { .. } => ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail),
            E::RetentionTooShort { .. } => ApiError::bad("invalid", "days", detail),
            E::NotConfirmed(_) => ApiError::bad("invalid", "iUnderstand", detail),
            E::Invalid(_) => ApiError::new(StatusCode::BAD_REQUEST, "invalid", detail),
            E::InvalidState(_) => ApiError::new(StatusCode::BAD_REQUEST, "invalid_state", detail),
            E::Busy(_) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", detail),
            _ => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"errors": [{
            "attr": self.attr,
            "code": self.code,
            "detail": self.detail,
        }]});
        let mut r = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                "www-authenticate",
                "Basic realm=\"lethe\"".parse().expect("a header value"),
            );
        }
        if let Some(s) = self.retry_after {
            r.headers_mut()
                .insert("retry-after", s.to_string().parse().expect("a number"));
        }
        r
    }
}

pub(crate) type ApiResult = Result<Response, ApiError>;

/// The operator name and token of a Basic `Authorization` header.
fn credentials(headers: &HeaderMap) -> Option<(String, String)> {
    crate::api_token::basic_credentials(headers.get("authorization")?.to_str().ok()?)
}

/// What every route reads of a request before its own parts: the
/// server's state, the Basic credentials and the method (for the rate
/// limit).
pub(crate) struct Req {
    state: Arc<State>,
    credentials: Option<(String, String)>,
    method: Method,
}

impl axum::extract::FromRequestParts<Arc<State>> for Req {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<State>,
    ) -> Result<Self, Self::Rejection> {
        Ok(Req {
            state: state.clone(),
            credentials: credentials(&parts.headers),
            method: parts.method.clone(),
        })
    }
}

/// What a route does, as the audit entry and the rate limiter see it.
pub(crate) struct Call {
    /// The audit target naming the endpoint (`customer-profiles.get`).
    pub endpoint: &'static str,
    /// The IDs the request names (never a query value).
    pub ids: Vec<String>,
}

/// Authenticates, rate-limits, runs `work` on a blocking thread with a
/// session as the token's operator, and audits the request.
pub(crate) async fn handle<F>(req: Req, call: Call, work: F) -> ApiResult
where
    F: FnOnce(&mut Session) -> Result<Value, ApiError> + Send + 'static,
{
    let Req {
        state,
        credentials,
        method,
    } = req;
    let Some((user, token)) = credentials else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "not_authenticated",
            "send the operator's name and an API token with HTTP Basic auth (curl -u NAME:TOKEN)",
        ));
    };
    let key = crate::api_token::token_key(&user, &token);
    if let Err(wait) = state.limiter.take(&key, &method) {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            format!(
                "more than {} {method} requests a second with this token; retry after {wait} s",
                state.limiter.rate
            ),
        );
        e.retry_after = Some(wait);
        return Err(e);
    }
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        let store = st.pool.take().map_err(ApiError::from)?;
        let now = crate::clock::now_ms();
        let actor = match crate::api_token::authenticate(&store, &user, &token, now) {
            Ok(Ok(actor)) => actor,
            Ok(Err(refused)) => {
                st.pool.give(store);
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "authentication_failed",
                    format!("{}; check the token with `lethe api-token list`", refused.0),
                ));
            }
            Err(e) => {
                st.pool.give(store);
                return Err(ApiError::from(e));
            }
        };
        let mut session = Session::new(store, actor, Clock::Wall);
        let result = work(&mut session);
        st.audit
            .send(request_entry(&session, &call, &result), session.now());
        st.pool.give(session.into_store());
        result.map(|v| Json(v).into_response())
    })
    .await
    .map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("the request stopped: {e}"),
        )
    })?
}

fn request_entry(
    session: &Session,
    call: &Call,
    result: &Result<Value, ApiError>,
) -> crate::audit::Entry {
    use crate::audit::{Entry, Outcome};
    let entry = Entry::new(&session.actor().username, crate::audit::API_REQUEST)
        .target(call.endpoint)
        .targets(call.ids.iter().filter(|id| routes::valid_id(id)));
    match result {
        Ok(_) => entry.outcome(Outcome::Ok),
        Err(e) => entry.outcome(e.outcome()),
    }
}

/// A line on standard error, for the server's log; a closed stderr is
/// not a reason to stop serving.
fn log(args: std::fmt::Arguments) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{args}");
}

/// Whether `addr` is on this machine only.
fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// Runs the server until SIGTERM or Ctrl-C: in-flight requests finish, then
/// the WAL is checkpointed.
pub fn run(options: Options) -> anyhow::Result<()> {
    let tls = match &options.tls {
        Some((cert, key)) => Some(tls_acceptor(cert, key)?),
        None => None,
    };
    if tls.is_none() && !is_loopback(&options.listen) {
        anyhow::bail!(
            "{} is reachable from other machines, and without TLS the API tokens and customer \
             data would cross the network in clear text; give --tls-cert and --tls-key, or \
             listen on 127.0.0.1 (the default)",
            options.listen
        );
    }
    let first = Store::open(&options.db)?;
    let state = Arc::new(State {
        pool: Pool {
            db: options.db.clone(),
            idle: Mutex::new(vec![first]),
        },
        limiter: Limiter {
            rate: options.rate,
            buckets: Mutex::new(HashMap::new()),
        },
        audit: AuditLog::start(&options.db)?,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", options.listen))?;
        let local = listener.local_addr()?;
        log(format_args!(
            "lethe serve: listening on {}://{local} for {}",
            if tls.is_some() { "https" } else { "http" },
            options.db.display()
        ));
        serve(listener, routes::router(state.clone()), tls).await;
        anyhow::Ok(())
    })?;
    state.audit.close();
    let store = state.pool.take()?;
    let c = store.checkpoint_truncate()?;
    log(format_args!(
        "lethe serve: stopped; the WAL was checkpointed{}",
        if c.completed {
            ""
        } else {
            " (incompletely: another process holds it)"
        }
    ));
    Ok(())
}

/// Connections open at once; one over it is closed at once.
pub const MAX_CONNECTIONS: usize = 256;
/// How long a client may take to send a request's headers, or to finish
/// the TLS handshake.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Accepts connections until the shutdown signal, each on a task of its
/// own, at most `MAX_CONNECTIONS` at once; then lets the open ones finish
/// their requests (for up to 30 seconds).
async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let signal = shutdown();
    tokio::pin!(signal);
    loop {
        let (stream, _) = tokio::select! {
            () = &mut signal => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of file descriptors and the like: wait a moment.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT);
        match &tls {
            None => {
                let conn = http.serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                    drop(slot);
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let handshake =
                        tokio::time::timeout(HEADER_TIMEOUT, acceptor.accept(stream)).await;
                    if let Ok(Ok(stream)) = handshake {
                        let conn = http.serve_connection(TokioIo::new(stream), service);
                        let _ = watcher.watch(conn).await;
                    }
                    drop(slot);
                });
            }
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(REQUEST_TIMEOUT, graceful.shutdown()).await;
}

/// The TLS configuration from PEM files, with a sentence on what is wrong.
fn tls_acceptor(cert: &Path, key: &Path) -> anyhow::Result<tokio_rustls::TlsAcceptor> {
    use tokio_rustls::rustls;
    let read = |p: &Path, what: &str| {
        std::fs::read(p)
            .map_err(|e| anyhow::anyhow!("cannot read the TLS {what} {}: {e}", p.display()))
    };
    let cert_pem = read(cert, "certificate")?;
    let key_pem = read(key, "key")?;
    let certs = rustls_pemfile::certs(&mut cert_pem.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("{} is not a PEM certificate chain: {e}", cert.display()))?;
    if certs.is_empty() {
        anyhow::bail!("{} holds no PEM certificate", cert.display());
    }
    let key_der = rustls_pemfile::private_key(&mut key_pem.as_slice())
        .map_err(|e| anyhow::anyhow!("{} is not a PEM private key: {e}", key.display()))?
        .ok_or_else(|| anyhow::anyhow!("{} holds no PEM private key", key.display()))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(certs, key_der)
    .map_err(|e| {
        anyhow::anyhow!(
            "the TLS certificate {} and key {} do not make a usable pair: {e}",
            cert.display(),
            key.display()
        )
    })?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    log(format_args!(
        "lethe serve: stopping after the requests in flight"
    ));
}
