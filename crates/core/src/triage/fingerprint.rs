//! Fingerprints: keyed hashes of found values, so a dismissed value stays dismissed.

use super::*;

// ---------------------------------------------------------------------------
// Fingerprints

/// HMAC-SHA256 (RFC 2104) of the concatenated `parts`. Keys longer than the
/// block are hashed first, as the RFC says.
pub(super) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    for p in parts {
        inner.update(p);
    }
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The value as the detectors would write it however it was typed, so
/// `4111 1111 1111 1111` and `4111-1111-1111-1111` share a fingerprint.
pub(super) fn normalized(kind: Kind, value: &str) -> String {
    let digits = || value.chars().filter(char::is_ascii_digit).collect();
    match kind {
        Kind::Card | Kind::Ssn => digits(),
        Kind::Iban => value
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect(),
        Kind::Email => value.to_lowercase(),
        Kind::Phone => pii::normalize_phone(value, "US").unwrap_or_else(digits),
        Kind::Ip => value
            .parse::<std::net::IpAddr>()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| value.to_lowercase()),
    }
}

pub(super) fn fingerprint(key: &[u8; 32], kind: Kind, value: &str) -> String {
    let norm = normalized(kind, value);
    hex(&hmac_sha256(
        key,
        &[kind.as_str().as_bytes(), b"\0", norm.as_bytes()],
    ))
}

pub(super) fn read_key(conn: &Read) -> Result<Option<[u8; 32]>> {
    let Some(text) = store::get_setting(conn, FINGERPRINT_KEY)? else {
        return Ok(None);
    };
    let mut key = [0u8; 32];
    let valid = text.len() == 64
        && (0..32).all(|i| match u8::from_str_radix(&text[2 * i..2 * i + 2], 16) {
            Ok(b) => {
                key[i] = b;
                true
            }
            Err(_) => false,
        });
    if !valid {
        return Err(Error::Invalid(format!(
            "the setting {FINGERPRINT_KEY} is damaged (it should be 64 hex digits); \
             restore it from a backup, or delete it and the dismissed findings will come back once"
        )));
    }
    Ok(Some(key))
}

/// The key, created from /dev/urandom on first use.
pub(super) fn key_or_create(conn: &Write) -> Result<[u8; 32]> {
    if let Some(key) = read_key(conn)? {
        return Ok(key);
    }
    use std::io::Read;
    let mut key = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut key))
        .map_err(|e| {
            Error::Invalid(format!(
                "could not read 32 random bytes from /dev/urandom for the finding fingerprint key ({e})"
            ))
        })?;
    store::set_setting(conn, FINGERPRINT_KEY, &hex(&key))?;
    Ok(key)
}
