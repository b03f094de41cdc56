//! Email addresses, found by expanding around each '@'.
//!
//! The rules are those of addresses people actually type (RFC 5321 dot-atom
//! with an ASCII domain), not the full RFC grammar: quoted local parts and
//! IP-literal domains do not occur in support chat.

use super::{Candidate, Kind};

/// Confidence for an address that names a person's mailbox.
const PERSONAL: f32 = 0.95;

/// Role mailboxes ("support@…", "noreply@…") name a function, not a
/// person: usually the company's own address in an agent's signature.
/// They are not reported.
const ROLE_MAILBOXES: &[&str] = &[
    "support",
    "help",
    "helpdesk",
    "info",
    "noreply",
    "no-reply",
    "donotreply",
    "do-not-reply",
    "admin",
    "sales",
    "billing",
    "contact",
    "team",
    "hello",
    "service",
    "customerservice",
    "returns",
    "orders",
    "privacy",
    "dpo",
    "abuse",
    "postmaster",
];

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-' | b'\'')
}

fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

/// Append email candidates found in `text`.
pub(crate) fn scan(text: &str, out: &mut Vec<Candidate>) {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(offset) = bytes[from..].iter().position(|&b| b == b'@') {
        let at = from + offset;
        from = at + 1;
        if let Some((start, end)) = match_at(bytes, at) {
            let local = &text[start..at];
            let role = ROLE_MAILBOXES.iter().any(|r| local.eq_ignore_ascii_case(r));
            if !role {
                out.push(Candidate {
                    kind: Kind::Email,
                    start,
                    end,
                    confidence: PERSONAL,
                });
            }
            from = end;
        }
    }
}

/// The span of an address whose '@' is at `at`.
fn match_at(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut start = at;
    while start > 0 && at - start < 64 && is_local_byte(bytes[start - 1]) {
        start -= 1;
    }
    // Quotes and dots may wrap an address ("'jo@x.com'"); they don't start it.
    while start < at && matches!(bytes[start], b'.' | b'\'') {
        start += 1;
    }
    let local = &bytes[start..at];
    if local.is_empty() || local.ends_with(b".") || local.windows(2).any(|w| w == b"..") {
        return None;
    }

    let mut end = at + 1;
    while end < bytes.len() && end - at < 254 && is_domain_byte(bytes[end]) {
        end += 1;
    }
    // A sentence may end right after the address.
    while end > at + 1 && matches!(bytes[end - 1], b'.' | b'-') {
        end -= 1;
    }
    let domain = &bytes[at + 1..end];
    let labels_ok = domain
        .split(|&b| b == b'.')
        .all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with(b"-") && !l.ends_with(b"-"));
    let tld = domain.rsplit(|&b| b == b'.').next().unwrap_or_default();
    // A top-level domain is letters, or an internationalised one in its
    // ASCII form (`xn--p1ai` for .рф).
    let punycode = tld.len() > 4
        && tld[..4].eq_ignore_ascii_case(b"xn--")
        && tld[4..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-');
    let tld_ok = punycode || (tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic));
    let dotted = domain.contains(&b'.');
    (labels_ok && tld_ok && dotted).then_some((start, end))
}

/// `email j•••@e•••.com`: first letters and the top-level domain.
pub(crate) fn preview(value: &str) -> String {
    let (local, domain) = value.split_once('@').unwrap_or((value, ""));
    let first = |s: &str| s.chars().next().unwrap_or('•');
    let tld = domain.rsplit('.').next().unwrap_or_default();
    format!(
        "email {}•••@{}•••.{}",
        first(local),
        first(domain),
        tld.to_ascii_lowercase()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::{detect, KnownContacts};

    fn emails(text: &str) -> Vec<&str> {
        detect(text, &KnownContacts::default())
            .into_iter()
            .filter(|d| d.kind == Kind::Email)
            .map(|d| &text[d.start..d.end])
            .collect()
    }

    #[test]
    fn finds_addresses() {
        assert_eq!(
            emails("mail me: jane.doe+shop@example.co.uk."),
            ["jane.doe+shop@example.co.uk"]
        );
        assert_eq!(
            emails("<o'brien@mail.example.ie>"),
            ["o'brien@mail.example.ie"]
        );
        assert_eq!(emails("a@b.io, c_d@e-f.com"), ["a@b.io", "c_d@e-f.com"]);
        assert_eq!(emails("mailto:JOE@EXAMPLE.COM"), ["JOE@EXAMPLE.COM"]);
    }

    #[test]
    fn an_internationalised_top_level_domain_in_ascii_form_is_accepted() {
        assert_eq!(
            emails("write to ivan@example.xn--p1ai now"),
            vec!["ivan@example.xn--p1ai"]
        );
        assert_eq!(
            emails("or anna@test.XN--80ASEHDB."),
            vec!["anna@test.XN--80ASEHDB"]
        );
        // Still no digits in a plain top-level domain.
        assert!(emails("x@example.c0m").is_empty());
    }

    #[test]
    fn rejects_non_addresses() {
        for text in [
            "@channel please look",
            "meet @ 5pm",
            "user@localhost",
            "x@y.c",
            "a..b@example.com",
            "me@-example.com",
            "price 3@2.99",
        ] {
            assert!(emails(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn role_mailboxes_are_not_personal_data() {
        let found = |t: &str| detect(t, &KnownContacts::default()).len();
        assert_eq!(found("write to support@shop.example.com"), 0);
        assert_eq!(found("or NoReply@shop.example.com"), 0);
        // A person's address that merely starts like one still counts.
        assert_eq!(found("mail support.jane@example.com"), 1);
    }

    #[test]
    fn known_email_is_skipped_case_insensitively() {
        let known = KnownContacts {
            emails: vec!["jane@example.com".into()],
            ..Default::default()
        };
        assert!(detect("-- \nJane <JANE@example.com>", &known).is_empty());
    }

    #[test]
    fn preview_is_masked() {
        assert_eq!(preview("jane.doe@example.com"), "email j•••@e•••.com");
    }
}
