//! IPv4 and IPv6 addresses.
//!
//! A customer's public address identifies them (it is personal data under
//! the GDPR); private, loopback and documentation-free local ranges say
//! little about a person, so they are reported with low confidence.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::context::{self, Cue, Keywords, Words};
use super::{Candidate, Kind};

const PUBLIC: f32 = 0.85;
const WITH_CONTEXT: f32 = 0.95;
const LOCAL: f32 = 0.5;

const WORDS: Words = Words {
    positive: Keywords::new(&[
        "ip",
        "ip:",
        "address",
        "addr",
        "logged in from",
        "from ip",
        "host",
    ]),
    negative: Keywords::new(&["version", "ver", "build", "release", "firmware", "v"]),
};

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Append dotted-quad IPv4 candidates: four decimal octets 0–255 without
/// leading zeros, not part of a longer dotted number such as a version.
pub(crate) fn scan_v4(bytes: &[u8], out: &mut Vec<Candidate>) {
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        i = super::next_digit(bytes, i);
        if i == n {
            break;
        }
        // The whole token of digits and dots starting here.
        let mut end = i;
        while end < n && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
            end += 1;
        }
        let mut token_end = end;
        while token_end > i && bytes[token_end - 1] == b'.' {
            token_end -= 1; // a sentence's full stop
        }
        let glued_left = i > 0 && (is_word(bytes[i - 1]) || bytes[i - 1] == b'.');
        let glued_right = token_end < n && (is_word(bytes[token_end]) || bytes[token_end] == b'-');
        if !glued_left && !glued_right {
            if let Some(addr) = parse_v4(&bytes[i..token_end]) {
                let is_local = is_local_v4(addr);
                if let Some(confidence) = confidence(bytes, i, is_local) {
                    out.push(Candidate {
                        kind: Kind::Ip,
                        start: i,
                        end: suffix(bytes, token_end, 32, false),
                        confidence,
                    });
                }
            }
        }
        i = end;
    }
}

fn is_local_v4(addr: Ipv4Addr) -> bool {
    addr.is_private()
        || addr.is_loopback()
        || addr.is_link_local()
        || addr.is_unspecified()
        || addr.is_broadcast()
}

/// The end of an address with what belongs to it: an IPv6 zone
/// (`%eth0`, with `zone`) and a prefix length (`/24`, at most `max`), so
/// that redacting it leaves no part of the value behind.
fn suffix(bytes: &[u8], end: usize, max: u32, zone: bool) -> usize {
    let mut end = end;
    if zone && bytes.get(end) == Some(&b'%') {
        let name = bytes[end + 1..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
            .count();
        if name > 0 {
            end += 1 + name;
        }
    }
    if bytes.get(end) == Some(&b'/') {
        let digits = bytes[end + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let glued = bytes
            .get(end + 1 + digits)
            .is_some_and(|b| is_word(*b) || *b == b'/');
        let value: Option<u32> = std::str::from_utf8(&bytes[end + 1..end + 1 + digits])
            .ok()
            .and_then(|d| d.parse().ok());
        if (1..=3).contains(&digits) && !glued && value.is_some_and(|v| v <= max) {
            end += 1 + digits;
        }
    }
    end
}

/// `None` when the text says this is a version number, not an address.
fn confidence(bytes: &[u8], start: usize, local: bool) -> Option<f32> {
    match (context::before(bytes, start, &WORDS), local) {
        (Cue::Negative, _) => None,
        (_, true) => Some(LOCAL),
        (Cue::Positive, false) => Some(WITH_CONTEXT),
        (Cue::None, false) => Some(PUBLIC),
    }
}

/// Exactly four octets, no leading zeros (so "01.02.2024" is a date).
fn parse_v4(token: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = token.split(|&b| b == b'.');
    for slot in &mut octets {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || (p.len() > 1 && p[0] == b'0') {
            return None;
        }
        let v = p
            .iter()
            .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
        *slot = u8::try_from(v).ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(Ipv4Addr::from(octets))
}

/// Append IPv6 candidates: tokens of hex digits, colons and dots with at
/// least two colons that parse as an address. Clock times ("10:30:00") and
/// MAC addresses do not parse; short forms like "12::30" are ignored unless
/// they have a full four-digit group or three colons.
pub(crate) fn scan_v6(text: &str, out: &mut Vec<Candidate>) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let is_v6 = |b: u8| b.is_ascii_hexdigit() || b == b':' || b == b'.';
    let mut i = 0;
    // Start from each ':' (rare in prose) rather than from every hex letter
    // (common in English: "bed", "face", "added").
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b':') {
        let colon = i + offset;
        let mut start = colon;
        while start > 0 && is_v6(bytes[start - 1]) {
            start -= 1;
        }
        i = colon;
        while i < n && is_v6(bytes[i]) {
            i += 1;
        }
        let mut end = i;
        while end > start && matches!(bytes[end - 1], b'.' | b':') && !bytes[..end].ends_with(b"::")
        {
            end -= 1;
        }
        let glued = (start > 0 && is_word(bytes[start - 1])) || (i < n && is_word(bytes[i]));
        let token = &text[start..end];
        let colons = token.bytes().filter(|&b| b == b':').count();
        if glued || colons < 2 {
            continue;
        }
        let has_full_group = token
            .split([':', '.'])
            .any(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_hexdigit()));
        if !has_full_group && colons < 3 {
            continue;
        }
        if let Ok(addr) = token.parse::<Ipv6Addr>() {
            if addr.is_loopback() || addr.is_unspecified() {
                continue;
            }
            let seg0 = addr.segments()[0];
            // An IPv4 address written in IPv6 form (`::ffff:10.0.0.1`) is
            // as local as the IPv4 address itself.
            let is_local = match addr.to_ipv4_mapped() {
                Some(v4) => is_local_v4(v4),
                None => (seg0 & 0xfe00) == 0xfc00 || (seg0 & 0xffc0) == 0xfe80,
            };
            if let Some(confidence) = confidence(bytes, start, is_local) {
                out.push(Candidate {
                    kind: Kind::Ip,
                    start,
                    end: suffix(bytes, end, 128, true),
                    confidence,
                });
            }
        }
    }
}

/// `IP 192.•.•.•` or `IP 2001:•••`: the first group only.
pub(crate) fn preview(value: &str) -> String {
    if value.contains(':') {
        let first = value.split(':').next().unwrap_or_default();
        format!("IP {first}:•••")
    } else {
        let first = value.split('.').next().unwrap_or_default();
        format!("IP {first}.•.•.•")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::{detect, KnownContacts, HIGH_CONFIDENCE};

    fn ips(text: &str) -> Vec<(&str, f32)> {
        detect(text, &KnownContacts::default())
            .into_iter()
            .filter(|d| d.kind == Kind::Ip)
            .map(|d| (&text[d.start..d.end], d.confidence))
            .collect()
    }

    #[test]
    fn finds_ipv4() {
        let got = ips("logged in from 81.2.69.160.");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "81.2.69.160");
        assert!(got[0].1 >= HIGH_CONFIDENCE);
        assert_eq!(ips("host 203.0.113.7:8443")[0].0, "203.0.113.7");
    }

    #[test]
    fn private_ipv4_is_low() {
        let got = ips("router at 192.168.1.1");
        assert!(got[0].1 < HIGH_CONFIDENCE);
    }

    #[test]
    fn rejects_non_addresses() {
        for text in [
            "version 1.2.3.4",
            "v1.2.3.4",
            "1.2.3.4.5",
            "256.1.1.1",
            "01.02.2024",
            "10.0.0",
            "at 10:30:00",
            "MAC 00:1a:2b:3c:4d:5e",
            "std::fs::read",
            "12::30",
            "::1",
        ] {
            assert!(ips(text).is_empty(), "{text}: {:?}", ips(text));
        }
    }

    #[test]
    fn finds_ipv6() {
        assert_eq!(
            ips("from 2001:db8:85a3::8a2e:370:7334 today")[0].0,
            "2001:db8:85a3::8a2e:370:7334"
        );
        assert_eq!(ips("[2a02:c7f:1234::1]:443")[0].0, "2a02:c7f:1234::1");
        assert!(ips("fe80::1ff:fe23:4567:890a")[0].1 < HIGH_CONFIDENCE);
    }

    #[test]
    fn mapped_private_addresses_score_as_the_plain_ones() {
        assert_eq!(
            ips("from ::ffff:10.0.0.1 today"),
            vec![("::ffff:10.0.0.1", LOCAL)]
        );
        assert_eq!(ips("from 10.0.0.1 today"), vec![("10.0.0.1", LOCAL)]);
        assert_eq!(
            ips("from ::ffff:8.8.8.8 today"),
            vec![("::ffff:8.8.8.8", PUBLIC)]
        );
    }

    #[test]
    fn prefix_lengths_and_zones_are_part_of_the_span() {
        assert_eq!(
            ips("block 203.0.113.7/24 now"),
            vec![("203.0.113.7/24", PUBLIC)]
        );
        assert_eq!(
            ips("route 2001:db8:85a3::8a2e:370:7334/64 now"),
            vec![("2001:db8:85a3::8a2e:370:7334/64", PUBLIC)]
        );
        assert_eq!(
            ips("link fe80::1ff:fe23:4567:890a%eth0 up"),
            vec![("fe80::1ff:fe23:4567:890a%eth0", LOCAL)]
        );
        // Not a prefix length: a path, or past the address size.
        assert_eq!(ips("see 203.0.113.7/33 now"), vec![("203.0.113.7", PUBLIC)]);
        assert_eq!(
            ips("see 203.0.113.7/24/x now"),
            vec![("203.0.113.7", PUBLIC)]
        );
        // Redaction removes the whole value.
        let text = "block 203.0.113.7/24 now";
        let d = detect(text, &KnownContacts::default());
        assert_eq!(crate::pii::redact(text, &d), "block [IP removed] now");
    }

    #[test]
    fn preview_shows_first_group() {
        assert_eq!(preview("192.168.1.1"), "IP 192.•.•.•");
        assert_eq!(preview("2001:db8::1"), "IP 2001:•••");
    }
}
