//! Detectors for personal data pasted into free text.
//!
//! [`detect`] scans one text and returns where payment cards, IBANs, US social
//! security numbers, email addresses, phone numbers and IP addresses sit in
//! it. A [`Detection`] holds a byte span, a kind, a confidence and a masked
//! preview; it never holds the raw value, so findings can be stored and shown
//! without copying the personal data they point at.
//!
//! The module is pure: no I/O, no database, no terminal.

mod card;
mod context;
mod email;
mod iban;
mod ip;
mod numeric;
pub(crate) mod phone;
mod ssn;

pub use lethe_store::model::pii::{Kind, KnownContacts, HIGH_CONFIDENCE};
pub use phone::normalize_phone;

/// One piece of personal data found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub kind: Kind,
    /// Byte offset of the first byte, on a char boundary.
    pub start: usize,
    /// Byte offset one past the last byte, on a char boundary.
    pub end: usize,
    /// 0..=1; below [`HIGH_CONFIDENCE`] the finding is "low".
    pub confidence: f32,
    /// A masked rendering such as `card •••• 1111`; never enough to recover
    /// the value.
    pub preview: String,
}

/// A detection before its preview is rendered; detectors produce these so
/// that candidates that lose an overlap never allocate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub confidence: f32,
}

/// Scan one text. Detections are sorted by start and never overlap.
///
/// Guarantees: every span lies on char boundaries of `text`; no detection
/// holds more of the value than its masked preview; values listed in `known`
/// are not reported. A text with fewer than four digits, no '@' and fewer
/// than two ':' returns at once without allocating.
pub fn detect(text: &str, known: &KnownContacts) -> Vec<Detection> {
    detect_hinted(text, known).0
}

/// `detect`, and whether the text could hold a national phone number of a
/// region other than North America: then the scanner reads it again in the
/// customer's region.
pub fn detect_hinted(text: &str, known: &KnownContacts) -> (Vec<Detection>, bool) {
    let bytes = text.as_bytes();
    let Shape {
        digits,
        has_at,
        colons,
        dots,
    } = Shape::of(bytes);
    // Every detector needs one of these; most messages have none of them.
    if !has_at && colons < 2 && digits < 4 {
        return (Vec::new(), false);
    }

    let mut found: Vec<Candidate> = Vec::new();
    if has_at {
        email::scan(text, &mut found);
    }
    // A dotted quad has three dots; any IPv6 address at least two colons.
    if digits >= 4 && dots >= 3 {
        ip::scan_v4(bytes, &mut found);
    }
    if colons >= 2 {
        ip::scan_v6(text, &mut found);
    }
    let mut national = false;
    if digits >= 7 {
        national = numeric::scan(bytes, &mut found, known.region.as_deref());
    }
    let mut shaped = Vec::new();
    if digits >= 2 {
        iban::scan(bytes, &mut found, &mut shaped);
    }
    // Nothing inside an IBAN, or a string shaped like one, is read again
    // as a phone or a card: its digit groups are no numbers of their own.
    shaped.extend(
        found
            .iter()
            .filter(|c| c.kind == Kind::Iban)
            .map(|c| (c.start, c.end)),
    );
    if !shaped.is_empty() {
        found.retain(|c| {
            c.kind == Kind::Iban || !shaped.iter().any(|&(s, e)| c.start < e && s < c.end)
        });
    }
    if found.is_empty() {
        return (Vec::new(), national);
    }

    let kept = resolve_overlaps(found);
    let detections = kept
        .into_iter()
        .filter_map(|c| finish(text, c, known))
        .collect();
    (detections, national)
}

/// What [`detect`] checks first to pick the detectors a text needs.
struct Shape {
    digits: usize,
    has_at: bool,
    colons: usize,
    dots: usize,
}

impl Shape {
    /// One pass over the text, in chunks with byte-wide counters so the
    /// compiler can compare 16 or 32 bytes at a time: every scanned text
    /// goes through here, and most go no further.
    fn of(bytes: &[u8]) -> Shape {
        let mut shape = Shape {
            digits: 0,
            has_at: false,
            colons: 0,
            dots: 0,
        };
        // At most 255 per chunk, so a byte-wide count cannot overflow.
        for chunk in bytes.chunks(128) {
            let (mut digits, mut at, mut colons, mut dots) = (0u8, 0u8, 0u8, 0u8);
            for &b in chunk {
                digits += (b.wrapping_sub(b'0') < 10) as u8;
                at |= (b == b'@') as u8;
                colons += (b == b':') as u8;
                dots += (b == b'.') as u8;
            }
            shape.digits += digits as usize;
            shape.has_at |= at != 0;
            shape.colons += colons as usize;
            shape.dots += dots as usize;
        }
        shape
    }
}

/// The position of the first ASCII digit at or after `from`, or
/// `bytes.len()` if there is none. The scanners hop from digit to digit
/// with it, eight bytes at a time: most of a message is letters.
pub(crate) fn next_digit(bytes: &[u8], from: usize) -> usize {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while i + 8 <= bytes.len() {
        let word = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
        // A byte is a digit when `b ^ 0x30` is below 10. Adding 0x76 to
        // its low seven bits sets the top bit from 10 up, and cannot carry
        // into the next byte; a top bit set already is not a digit either.
        let t = word ^ 0x3030_3030_3030_3030;
        let not_digit = (((t & LOW7) + 0x7676_7676_7676_7676) | t) & HIGH;
        if not_digit != HIGH {
            return i + ((!not_digit & HIGH).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && !bytes[i].is_ascii_digit() {
        i += 1;
    }
    i.min(bytes.len())
}

/// Keep non-overlapping candidates, preferring the more confident one and,
/// on a tie, the longer one; return them sorted by start.
fn resolve_overlaps(mut found: Vec<Candidate>) -> Vec<Candidate> {
    found.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    // Candidates per text are few, so a quadratic check is cheapest.
    let mut kept: Vec<Candidate> = Vec::with_capacity(found.len());
    for c in found {
        if kept.iter().all(|k| c.end <= k.start || k.end <= c.start) {
            kept.push(c);
        }
    }
    kept.sort_by_key(|c| c.start);
    kept
}

/// Render the preview and apply the known-contacts allow-list.
fn finish(text: &str, c: Candidate, known: &KnownContacts) -> Option<Detection> {
    let value = &text[c.start..c.end];
    let preview = match c.kind {
        Kind::Card => card::preview(value),
        Kind::Iban => iban::preview(value),
        Kind::Ssn => ssn::preview(value),
        Kind::Ip => ip::preview(value),
        Kind::Email => {
            if known.emails.iter().any(|e| e.eq_ignore_ascii_case(value)) {
                return None;
            }
            email::preview(value)
        }
        Kind::Phone => {
            let e164 = phone::found_e164(value, known.region.as_deref().unwrap_or("US"))?;
            if known.phones_e164.iter().any(|p| p == &e164) {
                return None;
            }
            phone::preview(&e164)
        }
    };
    Some(Detection {
        kind: c.kind,
        start: c.start,
        end: c.end,
        confidence: c.confidence.clamp(0.0, 1.0),
        preview,
    })
}

/// Replace each detection's span with its kind's redaction label; returns the
/// new text.
///
/// Detections may come in any order. Spans that overlap an earlier one, fall
/// outside the text or off a char boundary are ignored rather than trusted,
/// so the result is always valid UTF-8 built from `text`.
pub fn redact(text: &str, detections: &[Detection]) -> String {
    let mut spans: Vec<&Detection> = detections.iter().collect();
    spans.sort_by_key(|d| (d.start, d.end));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for d in spans {
        let valid = d.start >= pos
            && d.start < d.end
            && d.end <= text.len()
            && text.is_char_boundary(d.start)
            && text.is_char_boundary(d.end);
        if !valid {
            continue;
        }
        out.push_str(&text[pos..d.start]);
        out.push_str(d.kind.redaction_label());
        pos = d.end;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        detect(text, &KnownContacts::default())
            .into_iter()
            .map(|d| (d.kind, &text[d.start..d.end]))
            .collect()
    }

    #[test]
    fn kind_names_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(Kind::parse("IBAN"), Some(Kind::Iban));
        assert_eq!(Kind::parse("passport"), None);
        assert_eq!(Kind::Ssn.redaction_label(), "[SSN removed]");
    }

    /// `detect` skips the IP scanners for texts without three dots or two
    /// colons; addresses with exactly that many must still be found.
    #[test]
    fn the_shape_check_keeps_the_shortest_addresses() {
        assert_eq!(
            kinds("logged in from 203.0.113.9"),
            [(Kind::Ip, "203.0.113.9")]
        );
        assert_eq!(kinds("ip 2001::"), [(Kind::Ip, "2001::")]);
        assert_eq!(kinds("at 10:30 see 1.2.3"), []);
    }

    #[test]
    fn next_digit_finds_every_first_digit() {
        let text = "abc/:9 x0yz ~~~~~~~~~~~~~~~~~~~~~~~~ 5 é€\u{7f}\u{ff}12";
        let bytes = text.as_bytes();
        for from in 0..=bytes.len() {
            let want = (from..bytes.len())
                .find(|&i| bytes[i].is_ascii_digit())
                .unwrap_or(bytes.len());
            assert_eq!(next_digit(bytes, from), want, "from {from}");
        }
        // Every byte value, alone and in a run of eight.
        for b in 0..=255u8 {
            let want = if b.is_ascii_digit() { 0 } else { 1 };
            assert_eq!(next_digit(&[b], 0), want, "{b}");
            let run = [b; 9];
            let want = if b.is_ascii_digit() { 0 } else { 9 };
            assert_eq!(next_digit(&run, 0), want, "{b}");
        }
    }

    #[test]
    fn plain_text_finds_nothing() {
        assert!(kinds("Hi, the parcel arrived but the lid was cracked. Thanks!").is_empty());
        assert!(kinds("").is_empty());
    }

    #[test]
    fn finds_several_kinds_in_order_without_overlap() {
        let text = "card 4111 1111 1111 1111, ssn 536-22-8410, mail jo@example.com, \
                    call +44 20 7946 0958 from 81.2.69.160";
        let got = kinds(text);
        assert_eq!(
            got,
            vec![
                (Kind::Card, "4111 1111 1111 1111"),
                (Kind::Ssn, "536-22-8410"),
                (Kind::Email, "jo@example.com"),
                (Kind::Phone, "+44 20 7946 0958"),
                (Kind::Ip, "81.2.69.160"),
            ]
        );
        let d = detect(text, &KnownContacts::default());
        assert!(d.windows(2).all(|w| w[0].end <= w[1].start));
    }

    #[test]
    fn previews_are_masked() {
        let text = "4111 1111 1111 1111 / 536-22-8410 / jane.doe@example.com / (415) 555-0100";
        let d = detect(text, &KnownContacts::default());
        let previews: Vec<&str> = d.iter().map(|d| d.preview.as_str()).collect();
        assert_eq!(
            previews,
            vec![
                "card •••• 1111",
                "SSN •••-••-8410",
                "email j•••@e•••.com",
                "phone +1 ••• ••• 0100"
            ]
        );
    }

    #[test]
    fn known_contacts_are_not_leaks() {
        let known = KnownContacts {
            emails: vec!["jane.doe@example.com".into()],
            phones_e164: vec!["+14155550100".into()],
            region: None,
        };
        let text = "Jane.Doe@example.com, 415.555.0100, other: 415.555.0199";
        let d = detect(text, &known);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].start..d[0].end], "415.555.0199");
    }

    #[test]
    fn redact_replaces_spans() {
        let text = "pay with 4111-1111-1111-1111 please, or mail me at a.b@example.org.";
        let d = detect(text, &KnownContacts::default());
        assert_eq!(
            redact(text, &d),
            "pay with [card removed] please, or mail me at [email removed]."
        );
    }

    #[test]
    fn redact_ignores_bad_spans() {
        let text = "héllo 4111111111111111";
        let bad = Detection {
            kind: Kind::Card,
            start: 2, // inside 'é'
            end: 4,
            confidence: 1.0,
            preview: String::new(),
        };
        assert_eq!(redact(text, &[bad]), text);
    }

    #[test]
    fn spans_are_on_char_boundaries_in_unicode_text() {
        let text = "Größe: 4111 1111 1111 1111 — « jo@exämple.com » 😀 +33 1 23 45 67 89";
        for d in detect(text, &KnownContacts::default()) {
            assert!(text.is_char_boundary(d.start) && text.is_char_boundary(d.end));
        }
    }

    #[test]
    fn property_random_text_never_breaks_the_guarantees() {
        // Random texts over the characters the scanners care about: no
        // panic, spans valid and disjoint, previews never hold the value.
        const PIECES: &[&str] = &[
            "0", "1", "4", "5", "9", " ", "-", ".", "(", ")", "+", "@", ":", "#", "/", ",", "$",
            "a", "Z", "DE", "é", "€", "😀", "\n", "card ", "order ", "call ", "4111", "00", "::",
            "x.com",
        ];
        let mut state: u64 = 0x0DDB_1A5E_5BAD_5EED;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..(state % 60) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
            }
            let found = detect(&text, &KnownContacts::default());
            for w in found.windows(2) {
                assert!(w[0].end <= w[1].start, "{text:?}");
            }
            for d in &found {
                assert!(d.start < d.end && d.end <= text.len(), "{text:?}");
                assert!(text.is_char_boundary(d.start) && text.is_char_boundary(d.end));
                assert!((0.0..=1.0).contains(&d.confidence));
                let value = &text[d.start..d.end];
                if value.len() > 4 {
                    assert!(!d.preview.contains(value), "{text:?}: {}", d.preview);
                }
            }
            let redacted = redact(&text, &found);
            assert_eq!(redacted == text, found.is_empty(), "{text:?}");
        }
    }
}
