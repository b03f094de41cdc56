//! API tokens for `lethe serve`. A token acts as one operator: requests
//! send the operator's name and the token with HTTP Basic auth, and the
//! operator's roles (read at each request) decide what it may do. Only the
//! SHA-256 of a token is stored; the token itself is shown once.

use std::io::Read as _;

use sha2::{Digest, Sha256};

use crate::access::{self, Actor, Permission};
use crate::audit::{self, hex, Entry, Outcome};
use crate::clock::{Millis, DAY_MS};
use crate::error::{Error, Result};
use crate::store::{api_tokens as db, Store};
pub use db::Row as Token;

/// The longest expiry accepted: ten years.
pub const MAX_EXPIRES_DAYS: i64 = 3650;

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut buf = [0u8; N];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| Error::Invalid(format!("no random bytes for a token ({e})")))?;
    Ok(buf)
}

fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// What `create_as` issued: the stored row and the token, which is never
/// shown again.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: Token,
    pub secret: String,
}

/// Issues a token for `operator` (an administrator's action, audited with
/// the token's ID only).
/// What `create_as` is asked for.
#[derive(Debug, Clone, Copy)]
pub struct NewToken<'a> {
    /// The operator the token acts as.
    pub operator: &'a str,
    pub label: Option<&'a str>,
    /// Days until it stops working; None: never.
    pub expires_days: Option<i64>,
}

pub fn create_as(store: &Store, actor: &Actor, new: NewToken, now: Millis) -> Result<Issued> {
    let NewToken {
        operator,
        label,
        expires_days,
    } = new;
    access::require(
        store,
        actor,
        Permission::ManageOperators,
        audit::API_TOKEN_CREATE,
    )?;
    let roles = crate::store::operators::roles(&store.read(), operator)?;
    if roles.is_empty() {
        return Err(Error::Invalid(format!(
            "\"{}\" is not an operator; grant a role first (`lethe operators grant USER ROLE`)",
            crate::text::safe_line(&operator.chars().take(64).collect::<String>())
        )));
    }
    if let Some(l) = label {
        if l.chars().count() > 64 || l.chars().any(char::is_control) {
            return Err(Error::Invalid(
                "a token label is at most 64 characters, without control characters".into(),
            ));
        }
    }
    if let Some(d) = expires_days {
        if !(1..=MAX_EXPIRES_DAYS).contains(&d) {
            return Err(Error::Invalid(format!(
                "{d} days is not an expiry; give 1 to {MAX_EXPIRES_DAYS} days"
            )));
        }
    }
    let id = format!("tok_{}", hex(&random_bytes::<6>()?));
    let secret = format!("lethe_{}", hex(&random_bytes::<24>()?));
    let token = Token {
        id: id.clone(),
        operator: operator.to_string(),
        label: label.map(str::to_string),
        secret_hash: secret_hash(&secret),
        created_at: now,
        created_by: actor.username.clone(),
        expires_at: expires_days.map(|d| now + d * DAY_MS),
        revoked_at: None,
    };
    store.write(|conn| {
        db::insert(conn, &token)?;
        let mut entry = Entry::new(&actor.username, audit::API_TOKEN_CREATE).target(&id);
        if let Some(d) = expires_days {
            entry = entry.count("expires_days", d);
        }
        audit::append_at(conn, &entry, now)?;
        Ok(())
    })?;
    Ok(Issued { token, secret })
}

pub fn list(store: &Store) -> Result<Vec<Token>> {
    db::list(&store.read())
}

/// Revokes a token at once (audited).
pub fn revoke_as(store: &Store, actor: &Actor, id: &str, now: Millis) -> Result<()> {
    access::require_for(
        store,
        actor,
        Permission::ManageOperators,
        audit::API_TOKEN_REVOKE,
        &[id],
    )?;
    store.write(|conn| {
        let Some(t) = db::get(conn, id)? else {
            return Err(Error::NotFound {
                what: "API token",
                id: id.to_string(),
            });
        };
        if t.revoked_at.is_some() {
            return Err(Error::InvalidState(format!(
                "API token {id} is already revoked"
            )));
        }
        db::revoke(conn, id, now)?;
        audit::append_at(
            conn,
            &Entry::new(&actor.username, audit::API_TOKEN_REVOKE).target(id),
            now,
        )?;
        Ok(())
    })
}

/// Why a request's credentials were refused. The message never holds the
/// secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub &'static str);

/// The operator `username` if `secret` is one of their live tokens and
/// they still hold a role; else why not, audited as a refused request with
/// no secret in it (and the username only when it is a valid one).
pub fn authenticate(
    store: &Store,
    username: &str,
    secret: &str,
    now: Millis,
) -> Result<std::result::Result<Actor, Refused>> {
    let refused = |why: &'static str| -> Result<std::result::Result<Actor, Refused>> {
        let who = if access::is_valid_username(username) {
            username
        } else {
            "unknown"
        };
        audit::record_at(
            store,
            &Entry::new(who, audit::API_REQUEST)
                .target("auth")
                .outcome(Outcome::Refused),
            now,
        )?;
        Ok(Err(Refused(why)))
    };
    if !access::is_valid_username(username) || secret.is_empty() {
        return refused("the operator name or token is wrong");
    }
    let hash = secret_hash(secret);
    let live = db::live_for(&store.read(), username, now)?;
    let matched = live
        .iter()
        .any(|t| constant_eq(t.secret_hash.as_bytes(), hash.as_bytes()));
    if !matched {
        return refused("the operator name or token is wrong, revoked or expired");
    }
    let actor = Actor::resolve(&store.read(), username)?;
    if !actor.is_operator() {
        return refused("the token's operator no longer holds a role");
    }
    Ok(Ok(actor))
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The operator name and token of an HTTP `Authorization: Basic ...`
/// header value; None when it is not one.
pub fn basic_credentials(value: &str) -> Option<(String, String)> {
    use base64::Engine;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, token) = text.split_once(':')?;
    Some((user.to_string(), token.to_string()))
}

/// A key naming one operator's token without holding it (for rate limits).
pub fn token_key(username: &str, secret: &str) -> String {
    secret_hash(&format!("{username}:{secret}"))
}
