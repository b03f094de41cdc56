//! Payment card numbers (PANs): issuer prefix, length and the Luhn check.
//!
//! The digits come from the shared numeric scanner (`numeric.rs`), which
//! handles separators, boundaries and context; this file only judges a
//! sequence of digits.

use super::context::{Keywords, Words, NOT_PERSONAL};

/// Words that make a card more likely, before the number.
pub(crate) const WORDS: Words = Words {
    positive: Keywords::new(&[
        "card*",
        "credit",
        "debit",
        "cc",
        "cc#",
        "pan",
        "cvv",
        "cvc",
        "visa",
        "mastercard",
        "master card",
        "amex",
        "american express",
        "discover",
        "jcb",
        "diners",
        "maestro",
        "unionpay",
        "uatp",
        "dankort",
        "expiry",
        "expires",
        "exp",
        "account",
        "acct",
        "payment",
        "pay with",
        "paid with",
        "charge*",
    ]),
    negative: NOT_PERSONAL,
};

/// Words that confirm a card when they follow it ("… exp 08/27 cvv 123").
pub(crate) const WORDS_AFTER: Keywords = Keywords::new(&[
    "exp",
    "exp.",
    "expiry",
    "expires",
    "cvv",
    "cvc",
    "cvv2",
    "security code",
]);

/// Confidence for a Luhn-valid number with a known issuer prefix and length.
pub(crate) const KNOWN_ISSUER: f32 = 0.85;
/// Confidence for a Luhn-valid number with no known issuer; only reported
/// when context says "card".
pub(crate) const UNKNOWN_ISSUER: f32 = 0.5;

/// An issuer's prefix range over the first `digits` digits, and its lengths.
struct Issuer {
    lo: u32,
    hi: u32,
    digits: usize,
    min_len: usize,
    max_len: usize,
}

const fn issuer(lo: u32, hi: u32, digits: usize, min_len: usize, max_len: usize) -> Issuer {
    Issuer {
        lo,
        hi,
        digits,
        min_len,
        max_len,
    }
}

/// Issuer identification ranges (public IIN tables). Visa allows 13, 16 and
/// 19 digits only; that is checked separately.
const ISSUERS: &[Issuer] = &[
    issuer(4, 4, 1, 13, 19),           // Visa
    issuer(51, 55, 2, 16, 16),         // Mastercard
    issuer(2221, 2720, 4, 16, 16),     // Mastercard 2-series
    issuer(34, 34, 2, 15, 15),         // American Express
    issuer(37, 37, 2, 15, 15),         // American Express
    issuer(6011, 6011, 4, 16, 19),     // Discover
    issuer(644, 649, 3, 16, 19),       // Discover
    issuer(65, 65, 2, 16, 19),         // Discover
    issuer(3528, 3589, 4, 16, 19),     // JCB
    issuer(300, 305, 3, 14, 19),       // Diners Club
    issuer(3095, 3095, 4, 14, 19),     // Diners Club
    issuer(36, 36, 2, 14, 19),         // Diners Club
    issuer(38, 39, 2, 14, 19),         // Diners Club
    issuer(62, 62, 2, 16, 19),         // UnionPay
    issuer(2200, 2204, 4, 16, 19),     // Mir
    issuer(5018, 5018, 4, 13, 19),     // Maestro
    issuer(5020, 5020, 4, 13, 19),     // Maestro
    issuer(5038, 5038, 4, 13, 19),     // Maestro
    issuer(5893, 5893, 4, 13, 19),     // Maestro
    issuer(6304, 6304, 4, 13, 19),     // Maestro
    issuer(6759, 6759, 4, 13, 19),     // Maestro UK
    issuer(6761, 6763, 4, 13, 19),     // Maestro
    issuer(6706, 6709, 4, 16, 19),     // Maestro / Laser
    issuer(560000, 589999, 6, 16, 19), // Maestro international
    issuer(622126, 622925, 6, 16, 19), // Discover / UnionPay co-brand
    issuer(1, 1, 1, 15, 15),           // UATP (airline cards)
    issuer(5019, 5019, 4, 16, 16),     // Dankort
    issuer(4571, 4571, 4, 16, 16),     // Visa/Dankort (Visa's range already)
];

/// The Luhn (mod 10) checksum over ASCII digits.
pub(crate) fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// Whether a known issuer uses this prefix at this length.
pub(crate) fn known_issuer(digits: &[u8]) -> bool {
    let len = digits.len();
    ISSUERS.iter().any(|is| {
        if len < is.min_len || len > is.max_len || len < is.digits {
            return false;
        }
        if is.lo == 4 && !matches!(len, 13 | 16 | 19) {
            return false;
        }
        let prefix = digits[..is.digits]
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
        (is.lo..=is.hi).contains(&prefix)
    })
}

/// The base confidence that these 13–19 ASCII digits are a card number, or
/// `None` when they cannot be one.
pub(crate) fn base_confidence(digits: &[u8]) -> Option<f32> {
    if !(13..=19).contains(&digits.len()) || !luhn(digits) {
        return None;
    }
    // All-same digits ("0000 0000 0000 0000") pass Luhn but are placeholders.
    if digits.iter().all(|&d| d == digits[0]) {
        return None;
    }
    Some(if known_issuer(digits) {
        KNOWN_ISSUER
    } else {
        UNKNOWN_ISSUER
    })
}

/// `card •••• 1111`: the last four digits, as printed on receipts.
pub(crate) fn preview(value: &str) -> String {
    let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
    let last4: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    format!("card •••• {last4}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::{detect, Kind, KnownContacts};

    fn cards(text: &str) -> Vec<String> {
        detect(text, &KnownContacts::default())
            .into_iter()
            .filter(|d| d.kind == Kind::Card)
            .map(|d| text[d.start..d.end].to_string())
            .collect()
    }

    #[test]
    fn uatp_and_dankort_numbers_are_cards_without_a_card_word() {
        assert_eq!(cards("it is 135410014004955"), vec!["135410014004955"]);
        assert_eq!(
            cards("use 5019 7170 1010 3742 ok"),
            vec!["5019 7170 1010 3742"]
        );
        // A UATP number is 15 digits; 16 starting with 1 is no card.
        assert!(cards("1354100140049552").is_empty());
    }

    #[test]
    fn an_unknown_issuer_counts_after_paid_with() {
        assert_eq!(
            cards("I paid with my new card, it is 9234 5678 9012 3455"),
            vec!["9234 5678 9012 3455"]
        );
        assert!(cards("number 9234 5678 9012 3455").is_empty());
    }

    /// xorshift64*: a tiny deterministic PRNG for property tests.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Fill in a check digit so the number passes Luhn.
    fn with_check_digit(body: &[u8]) -> Vec<u8> {
        let mut v = body.to_vec();
        v.push(b'0');
        for c in b'0'..=b'9' {
            *v.last_mut().unwrap() = c;
            if luhn(&v) {
                break;
            }
        }
        v
    }

    fn random_card(rng: &mut Rng) -> Vec<u8> {
        // (prefix, length) pairs from the issuer table.
        const SHAPES: &[(&str, usize)] = &[
            ("4", 16),
            ("4", 13),
            ("4", 19),
            ("51", 16),
            ("55", 16),
            ("2221", 16),
            ("2720", 16),
            ("34", 15),
            ("37", 15),
            ("6011", 16),
            ("65", 16),
            ("644", 19),
            ("3528", 16),
            ("3589", 19),
            ("36", 14),
            ("38", 16),
            ("300", 14),
            ("62", 16),
            ("6759", 16),
        ];
        let (prefix, len) = SHAPES[rng.below(SHAPES.len() as u64) as usize];
        let mut body: Vec<u8> = prefix.bytes().collect();
        while body.len() < len - 1 {
            body.push(b'0' + rng.below(10) as u8);
        }
        with_check_digit(&body)
    }

    fn format_card(rng: &mut Rng, digits: &[u8]) -> String {
        let sep = [" ", "-", ""][rng.below(3) as usize];
        let group = if digits.len() == 15 { 0 } else { 4 };
        let mut s = String::new();
        for (i, &d) in digits.iter().enumerate() {
            let boundary = if group == 0 {
                i == 4 || i == 10 // Amex 4-6-5
            } else {
                i > 0 && i % group == 0
            };
            if boundary {
                s.push_str(sep);
            }
            s.push(d as char);
        }
        s
    }

    #[test]
    fn luhn_known_values() {
        assert!(luhn(b"4111111111111111"));
        assert!(luhn(b"378282246310005"));
        assert!(luhn(b"6011111111111117"));
        assert!(!luhn(b"4111111111111112"));
    }

    #[test]
    fn issuer_prefixes() {
        for n in [
            "4111111111111111",
            "5555555555554444",
            "2223003122003222",
            "378282246310005",
            "6011111111111117",
            "3530111333300000",
            "30569309025904",
            "6200000000000005",
            "6759649826438453",
        ] {
            assert!(known_issuer(n.as_bytes()), "{n}");
        }
        assert!(!known_issuer(b"1234567812345670"));
        assert!(!known_issuer(b"41111111111111")); // Visa with 14 digits
        assert!(!known_issuer(b"5105105105105100123")); // Mastercard is 16
    }

    #[test]
    fn finds_cards_in_common_formats() {
        assert_eq!(
            cards("my card is 4111 1111 1111 1111"),
            ["4111 1111 1111 1111"]
        );
        assert_eq!(
            cards("4111-1111-1111-1111 exp 12/27"),
            ["4111-1111-1111-1111"]
        );
        assert_eq!(
            cards("amex 3782 822463 10005 thanks"),
            ["3782 822463 10005"]
        );
        assert_eq!(cards("it's 5555555555554444."), ["5555555555554444"]);
        assert_eq!(
            cards("visa 4111 1111 1111 1111 12 27 cvv 123"),
            ["4111 1111 1111 1111"]
        );
    }

    #[test]
    fn rejects_classic_false_positives() {
        assert!(cards("order #1234567890123 has shipped").is_empty());
        assert!(cards("Order 4111111111111111 was cancelled").is_empty());
        assert!(cards("tracking 9400 1000 0000 0000 0000 00").is_empty());
        assert!(cards("UPS 1Z999AA10123456784").is_empty());
        assert!(cards("4111 1111 1111 1112").is_empty()); // Luhn fails
        assert!(cards("total $4,111,111,111,111.11").is_empty());
        assert!(cards("ts 1710412200000").is_empty());
        assert!(cards("id a4111111111111111b").is_empty());
        assert!(cards("0000 0000 0000 0000").is_empty());
    }

    #[test]
    fn unknown_issuer_needs_context() {
        // Luhn-valid but no issuer starts with 1.
        assert!(cards("ref 1234 5678 1234 5670").is_empty());
        assert!(cards("number 1234 5678 1234 5670").is_empty());
        let d = detect("card: 1234 5678 1234 5670", &KnownContacts::default());
        assert_eq!(d.len(), 1);
        assert!(d[0].confidence >= 0.8);
    }

    #[test]
    fn context_raises_confidence() {
        let bare = detect("4111 1111 1111 1111", &KnownContacts::default());
        let ctx = detect("cc 4111 1111 1111 1111", &KnownContacts::default());
        assert!(ctx[0].confidence > bare[0].confidence);
        assert!(bare[0].confidence >= crate::pii::HIGH_CONFIDENCE);
    }

    #[test]
    fn property_luhn_valid_cards_are_found() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..2000 {
            let digits = random_card(&mut rng);
            let formatted = format_card(&mut rng, &digits);
            let text = format!("hi, please charge {formatted} today");
            assert_eq!(cards(&text), std::slice::from_ref(&formatted), "{text}");
        }
    }

    #[test]
    fn property_luhn_invalid_numbers_are_rejected() {
        let mut rng = Rng(0xD1B5_4A32_D192_ED03);
        for _ in 0..2000 {
            let mut digits = random_card(&mut rng);
            let last = digits.len() - 1;
            digits[last] = b'0' + ((digits[last] - b'0' + 1 + rng.below(9) as u8) % 10);
            assert!(!luhn(&digits));
            let formatted = format_card(&mut rng, &digits);
            let text = format!("card {formatted}");
            assert!(cards(&text).is_empty(), "{text}");
        }
    }

    #[test]
    fn property_random_digit_strings() {
        // Random 13–19 digit strings with no context words: a number that is
        // a valid card is found whole, and anything found is a valid card.
        let mut rng = Rng(42);
        for _ in 0..5000 {
            let len = 13 + rng.below(7) as usize;
            let digits: Vec<u8> = (0..len).map(|_| b'0' + rng.below(10) as u8).collect();
            let formatted = format_card(&mut rng, &digits);
            let valid = |d: &[u8]| luhn(d) && known_issuer(d) && !d.iter().all(|&x| x == d[0]);
            let text = format!("see {formatted} above");
            let found = cards(&text);
            if valid(&digits) {
                assert_eq!(found, std::slice::from_ref(&formatted), "{text}");
            }
            for f in found {
                let d: Vec<u8> = f.bytes().filter(u8::is_ascii_digit).collect();
                assert!(valid(&d), "{text} -> {f}");
            }
        }
    }

    #[test]
    fn preview_shows_last_four_only() {
        assert_eq!(preview("4111-1111-1111-1234"), "card •••• 1234");
    }
}
