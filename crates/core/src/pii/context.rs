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
    pub positive: Keywords,
    pub negative: Keywords,
}

/// A list of keywords, indexed by first letter when the program is built:
/// a word start in the text is compared with only the keywords that begin
/// with its letter. (Comparing each word start with all 46 words of
/// [`NOT_PERSONAL`] was a twentieth of the whole database scan.)
#[derive(Clone, Copy)]
pub(crate) struct Keywords {
    words: &'static [&'static str],
    /// For each letter a..z, a bit per keyword that begins with it.
    by_first: [u64; 26],
}

impl Keywords {
    /// Builds the index; a keyword that is not lowercase ASCII starting
    /// with a letter, or a list of more than 64, fails the build.
    pub(crate) const fn new(words: &'static [&'static str]) -> Keywords {
        assert!(words.len() <= 64, "at most 64 keywords per list");
        let mut by_first = [0u64; 26];
        let mut i = 0;
        while i < words.len() {
            let word = words[i].as_bytes();
            assert!(
                !word.is_empty() && word[0].is_ascii_lowercase(),
                "keywords start with a lowercase letter"
            );
            let mut j = 0;
            while j < word.len() {
                assert!(
                    !word[j].is_ascii_uppercase() && word[j].is_ascii(),
                    "keywords are lowercase ASCII"
                );
                j += 1;
            }
            by_first[(word[0] - b'a') as usize] |= 1 << i;
            i += 1;
        }
        Keywords { words, by_first }
    }

    /// The keywords that begin with `letter` (any case; none for a byte
    /// that is not a letter).
    fn starting_with(&self, letter: u8) -> impl Iterator<Item = &'static str> + '_ {
        let lower = letter.to_ascii_lowercase();
        let mut set = if lower.is_ascii_lowercase() {
            self.by_first[(lower - b'a') as usize]
        } else {
            0
        };
        std::iter::from_fn(move || {
            if set == 0 {
                return None;
            }
            let i = set.trailing_zeros() as usize;
            set &= set - 1;
            Some(self.words[i])
        })
    }
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
pub(crate) const NOT_PERSONAL: Keywords = Keywords::new(&[
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
]);

/// The cue of the keyword nearest before `start`, within [`WINDOW_BEFORE`].
/// When a positive and a negative keyword end at the same place, one is a
/// suffix of the other ("order number" / "number") and the longer, negative
/// phrase is the more specific reading.
pub(crate) fn before(bytes: &[u8], start: usize, words: &Words) -> Cue {
    let lo = floor_boundary(bytes, start.saturating_sub(WINDOW_BEFORE));
    let window = &bytes[lo..start];
    let pos = nearest_end(window, &words.positive);
    let neg = nearest_end(window, &words.negative);
    match (pos, neg) {
        (None, None) => Cue::None,
        (Some(_), None) => Cue::Positive,
        (None, Some(_)) => Cue::Negative,
        (Some(p), Some(n)) if p > n => Cue::Positive,
        _ => Cue::Negative,
    }
}

/// Whether any of `words` appears within [`WINDOW_AFTER`] bytes after `end`.
pub(crate) fn after(bytes: &[u8], end: usize, words: &Keywords) -> bool {
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
/// are tried, each against the keywords with its first letter; this runs
/// once per candidate number and must stay cheap.
fn nearest_end(window: &[u8], words: &Keywords) -> Option<usize> {
    let mut best: Option<usize> = None;
    for at in 0..window.len() {
        let first = window[at];
        if !first.is_ascii_alphabetic() || (at > 0 && is_word_byte(window[at - 1])) {
            continue;
        }
        let rest = &window[at..];
        for word in words.starting_with(first) {
            let word = word.as_bytes();
            let (kw, prefix) = match word.split_last() {
                Some((b'*', k)) => (k, true),
                _ => (word, false),
            };
            if kw.len() > rest.len() || !rest[..kw.len()].eq_ignore_ascii_case(kw) {
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
        positive: Keywords::new(&["card*", "exp"]),
        negative: Keywords::new(&["order*"]),
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
            positive: Keywords::new(&["number"]),
            negative: NOT_PERSONAL,
        };
        let t = b"my order number is ";
        assert_eq!(before(t, t.len(), &phone), Cue::Negative);
    }

    #[test]
    fn each_word_start_is_compared_with_the_keywords_of_its_letter() {
        let mut found: Vec<_> = NOT_PERSONAL.starting_with(b'T').collect();
        found.sort_unstable();
        assert_eq!(
            found,
            [
                "ticket number",
                "ticket*",
                "track",
                "tracking",
                "tracking no",
                "tracking number",
                "transaction*",
                "txn"
            ]
        );
        assert_eq!(NOT_PERSONAL.starting_with(b'4').count(), 0);
        assert_eq!(NOT_PERSONAL.starting_with(b'q').count(), 0);
        // Every keyword is reachable from its first letter.
        let reachable: usize = (b'a'..=b'z')
            .map(|c| NOT_PERSONAL.starting_with(c).count())
            .sum();
        assert_eq!(reachable, NOT_PERSONAL.words.len());
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
        assert!(after(t, 4, &Keywords::new(&["exp"])));
        assert!(!after(t, 4, &Keywords::new(&["cvv"])));
    }

    #[test]
    fn window_start_inside_multibyte_char_is_safe() {
        let text = format!("{}é card ", "a".repeat(WINDOW_BEFORE - 7));
        assert_eq!(cue(&text), Cue::Positive);
    }
}
