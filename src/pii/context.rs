//! Confidence from the words written just before (or after) a match.
//!
//! A number alone is ambiguous: "4111 1111 1111 1111" after "card" is a card,
//! after "order" it is an order number. Each detector lists words that make
//! its kind more likely (positive) and words that make it an identifier of
//! something else (negative). The keyword closest to the match wins, so
//! "my order was paid with card 4111…" reads as a card.

/// How far back, in bytes, a keyword may sit and still count.
pub(crate) const WINDOW_BEFORE: usize = 48;
/// How far forward the "after" words (e.g. "exp 12/27" after a card) look.
pub(crate) const WINDOW_AFTER: usize = 24;

/// Keywords for one kind. A keyword ending in `*` also matches longer words
/// ("card*" matches "cards"); otherwise it must end on a word boundary, so
/// "exp" does not fire on "expected". Every keyword must start on a word
/// boundary, so "card" does not fire on "discard".
pub(crate) struct Words {
    pub positive: &'static [&'static str],
    pub negative: &'static [&'static str],
}

/// What the nearest keyword says about a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cue {
    None,
    Positive,
    Negative,
}

/// Identifiers that are not personal data and look like numbers that are:
/// orders, parcels, invoices, tickets.
pub(crate) const NOT_PERSONAL: &[&str] = &[
    // Compound nouns first in spirit: "order number" must beat the phone
    // word "number" that ends at the same place (ties go to negative).
    "order number",
    "order no",
    "order no.",
    "tracking number",
    "tracking no",
    "reference number",
    "ref no",
    "confirmation number",
    "invoice number",
    "case number",
    "ticket number",
    "serial number",
    "model number",
    "order*",
    "tracking",
    "track",
    "shipment*",
    "parcel",
    "package",
    "invoice*",
    "inv",
    "ref",
    "ref.",
    "reference",
    "ticket*",
    "case",
    "confirmation",
    "conf",
    "booking",
    "reservation",
    "receipt",
    "transaction*",
    "txn",
    "po",
    "sku",
    "serial",
    "model",
    "imei",
    "waybill",
    "awb",
    "ups",
    "usps",
    "fedex",
    "dhl",
    "item",
    "rma",
];

/// The cue of the keyword nearest before `start`, within [`WINDOW_BEFORE`].
/// When a positive and a negative keyword end at the same place, one is a
/// suffix of the other ("order number" / "number") and the longer, negative
/// phrase is the more specific reading.
pub(crate) fn before(bytes: &[u8], start: usize, words: &Words) -> Cue {
    let lo = floor_boundary(bytes, start.saturating_sub(WINDOW_BEFORE));
    let window = &bytes[lo..start];
    let pos = nearest_end(window, words.positive);
    let neg = nearest_end(window, words.negative);
    match (pos, neg) {
        (None, None) => Cue::None,
        (Some(_), None) => Cue::Positive,
        (None, Some(_)) => Cue::Negative,
        (Some(p), Some(n)) if p > n => Cue::Positive,
        _ => Cue::Negative,
    }
}

/// Whether any of `words` appears within [`WINDOW_AFTER`] bytes after `end`.
pub(crate) fn after(bytes: &[u8], end: usize, words: &[&str]) -> bool {
    let hi = (end + WINDOW_AFTER).min(bytes.len());
    nearest_end(&bytes[end..hi], words).is_some()
}

/// Step back to a byte that is not a UTF-8 continuation byte, so the window
/// never starts inside a character (only ASCII is compared, but keep it tidy).
fn floor_boundary(bytes: &[u8], mut i: usize) -> usize {
    while i > 0 && i < bytes.len() && (bytes[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}

/// The largest end offset in `window` of any keyword match.
///
/// Keywords can only start where a word starts, so only those few positions
/// are tried, with a first-byte check before the full comparison; this runs
/// once per candidate number and must stay cheap.
fn nearest_end(window: &[u8], words: &[&str]) -> Option<usize> {
    // The keywords' first letters as a bit set, so a word start that no
    // keyword begins with costs one test instead of one per keyword.
    let bit = |b: u8| 1u64 << (b.to_ascii_lowercase() % 64);
    let firsts = words.iter().fold(0, |m, w| m | bit(w.as_bytes()[0]));
    let mut best: Option<usize> = None;
    for at in 0..window.len() {
        let first = window[at];
        if !first.is_ascii_alphanumeric()
            || firsts & bit(first) == 0
            || (at > 0 && is_word_byte(window[at - 1]))
        {
            continue;
        }
        let rest = &window[at..];
        for word in words {
            let (kw, prefix) = match word.strip_suffix('*') {
                Some(k) => (k.as_bytes(), true),
                None => (word.as_bytes(), false),
            };
            if kw.len() > rest.len()
                || !kw[0].eq_ignore_ascii_case(&first)
                || !rest[..kw.len()].eq_ignore_ascii_case(kw)
            {
                continue;
            }
            let end = at + kw.len();
            let ends_word = prefix || end == window.len() || !is_word_byte(window[end]);
            if ends_word && best.is_none_or(|b| end > b) {
                best = Some(end);
            }
        }
    }
    best
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS: Words = Words {
        positive: &["card*", "exp"],
        negative: &["order*"],
    };

    fn cue(text: &str) -> Cue {
        before(text.as_bytes(), text.len(), &WORDS)
    }

    #[test]
    fn nearest_keyword_wins() {
        assert_eq!(cue("my order was paid with card "), Cue::Positive);
        assert_eq!(cue("card on file for order "), Cue::Negative);
        assert_eq!(cue("hello there "), Cue::None);
        let phone = Words {
            positive: &["number"],
            negative: NOT_PERSONAL,
        };
        let t = b"my order number is ";
        assert_eq!(before(t, t.len(), &phone), Cue::Negative);
    }

    #[test]
    fn keywords_need_word_boundaries() {
        assert_eq!(cue("please discard "), Cue::None);
        assert_eq!(cue("as expected "), Cue::None);
        assert_eq!(cue("Cards: "), Cue::Positive);
        assert_eq!(cue("EXP "), Cue::Positive);
    }

    #[test]
    fn window_is_bounded() {
        let far = format!("card {}", "x".repeat(WINDOW_BEFORE));
        assert_eq!(cue(&far), Cue::None);
    }

    #[test]
    fn after_looks_forward() {
        let t = b"4111 exp 12/27";
        assert!(after(t, 4, &["exp"]));
        assert!(!after(t, 4, &["cvv"]));
    }

    #[test]
    fn window_start_inside_multibyte_char_is_safe() {
        let text = format!("{}é card ", "a".repeat(WINDOW_BEFORE - 7));
        assert_eq!(cue(&text), Cue::Positive);
    }
}
