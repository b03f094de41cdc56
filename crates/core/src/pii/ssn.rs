//! US social security numbers: `AAA-GG-SSSS` with the never-issued ranges
//! and the famous sample numbers rejected.

use super::context::{Cue, Keywords, Words, NOT_PERSONAL};

pub(crate) const WORDS: Words = Words {
    positive: Keywords::new(&[
        "ssn*",
        "ss#",
        "ss",
        "social security*",
        "social sec*",
        "soc sec",
        "social",
        "tax id",
        "taxpayer*",
        "tin",
    ]),
    negative: NOT_PERSONAL,
};

/// How the nine digits were written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// `536-22-8410`: the shape alone is telling.
    Dashed,
    /// `536 22 8410`: could be anything grouped 3-2-4.
    Spaced,
    /// `536.22.8410`: as rare in prose as the dashed form, but also the
    /// shape of some reference numbers.
    Dotted,
    /// `536228410`: any nine-digit number; needs a context word.
    Plain,
}

/// Numbers published as examples (on a wallet insert, in ads, in
/// documentation) that people copy; the SSA voided them long ago.
const SAMPLES: [&[u8]; 3] = [b"078051120", b"219099999", b"123456789"];

/// Whether nine ASCII digits could be an issued SSN: area not 000, 666 or
/// 900–999; group not 00; serial not 0000; not a well-known sample.
pub(crate) fn valid(d: &[u8]) -> bool {
    if d.len() != 9 || !d.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let area = &d[..3];
    area != b"000"
        && area != b"666"
        && area[0] != b'9'
        && &d[3..5] != b"00"
        && &d[5..] != b"0000"
        && !SAMPLES.contains(&d)
}

pub(crate) fn confidence(form: Form, cue: Cue, hashed: bool) -> Option<f32> {
    match (form, cue) {
        (_, Cue::Negative) => None,
        (Form::Dashed, Cue::Positive) => Some(0.97),
        (Form::Spaced | Form::Dotted, Cue::Positive) => Some(0.95),
        (Form::Plain, Cue::Positive) => Some(0.9),
        (_, Cue::None) if hashed => None,
        (Form::Dashed, Cue::None) => Some(0.85),
        (Form::Spaced | Form::Dotted, Cue::None) => Some(0.6),
        (Form::Plain, Cue::None) => None,
    }
}

/// `SSN •••-••-6789`.
pub(crate) fn preview(value: &str) -> String {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    format!("SSN •••-••-{}", &digits[digits.len().saturating_sub(4)..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::{detect, Kind, KnownContacts, HIGH_CONFIDENCE};

    fn ssns(text: &str) -> Vec<(String, f32)> {
        detect(text, &KnownContacts::default())
            .into_iter()
            .filter(|d| d.kind == Kind::Ssn)
            .map(|d| (text[d.start..d.end].to_string(), d.confidence))
            .collect()
    }

    #[test]
    fn invalid_ranges_are_rejected() {
        for bad in [
            "000-12-3456",
            "666-12-3456",
            "900-12-3456",
            "987-65-4321",
            "536-00-8410",
            "536-22-0000",
            "078-05-1120",
            "219-09-9999",
            "123-45-6789",
        ] {
            assert!(ssns(&format!("my ssn is {bad}")).is_empty(), "{bad}");
        }
    }

    #[test]
    fn the_dotted_form_is_found_and_scored_like_the_spaced_one() {
        let plain = ssns("it is 536.22.8410 here");
        assert_eq!(plain.len(), 1, "{plain:?}");
        assert_eq!(plain[0].0, "536.22.8410");
        assert!(plain[0].1 < HIGH_CONFIDENCE);
        let cued = ssns("my SSN is 078.05.1123");
        assert_eq!(cued[0].0, "078.05.1123");
        assert!(cued[0].1 >= HIGH_CONFIDENCE);
        // Mixed separators are no SSN shape.
        assert!(ssns("SSN 536.22-8410").is_empty());
    }

    #[test]
    fn valid_forms() {
        let dashed = ssns("SSN: 536-22-8410");
        assert_eq!(dashed[0].0, "536-22-8410");
        assert!(dashed[0].1 >= HIGH_CONFIDENCE);

        let bare = ssns("it is 536-22-8410 i think");
        assert!(bare[0].1 >= HIGH_CONFIDENCE);

        let spaced = ssns("536 22 8410");
        assert!(spaced[0].1 < HIGH_CONFIDENCE);
        let spaced_ctx = ssns("social security number 536 22 8410");
        assert!(spaced_ctx[0].1 >= HIGH_CONFIDENCE);

        assert!(ssns("call 536228410").is_empty());
        assert_eq!(ssns("my SSN# 536228410")[0].0, "536228410");
    }

    #[test]
    fn order_and_ticket_numbers_are_not_ssns() {
        assert!(ssns("order 536-22-8410").is_empty());
        assert!(ssns("ticket #536-22-8410").is_empty());
        assert!(ssns("#536-22-8410").is_empty());
        assert!(ssns("SKU-536-22-8410").is_empty());
    }

    #[test]
    fn mixed_separators_are_not_ssns() {
        assert!(ssns("536-22 8410").is_empty());
        assert!(ssns("5362-2-8410").is_empty());
    }

    #[test]
    fn preview_masks_all_but_serial() {
        assert_eq!(preview("536-22-8410"), "SSN •••-••-8410");
    }
}
