//! International bank account numbers: country, exact length for that
//! country, and the ISO 7064 mod-97 check.

use super::context::{self, Cue, Keywords, Words};
use super::{Candidate, Kind};

pub(crate) const WORDS: Words = Words {
    positive: Keywords::new(&[
        "iban", "bank*", "account", "acct", "sepa", "bic", "swift", "transfer", "wire", "refund",
    ]),
    negative: Keywords::new(&[]),
};

/// IBAN length per country (SWIFT IBAN registry, with the countries it
/// added from 2021 on: Burundi, Djibouti, Falkland Islands, Libya,
/// Mongolia, Nicaragua, Oman, Russia, Somalia, Sudan).
pub(crate) const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BI", 27),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DJ", 27),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FK", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("LY", 25),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MN", 20),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NI", 28),
    ("NL", 18),
    ("NO", 15),
    ("OM", 23),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("RU", 33),
    ("SA", 24),
    ("SC", 31),
    ("SD", 18),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("SO", 23),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
    ("YE", 30),
];

const MAX_LEN: usize = 34;

pub(crate) fn length_for(country: [u8; 2]) -> Option<usize> {
    LENGTHS
        .iter()
        .find(|(c, _)| c.as_bytes() == country)
        .map(|&(_, len)| len)
}

/// ISO 7064 MOD 97-10 over an uppercase IBAN without spaces: move the first
/// four characters to the end, read letters as 10..35, and the remainder
/// must be 1. Streams the digits, so it never builds the big number.
pub(crate) fn mod97_ok(iban: &[u8]) -> bool {
    if iban.len() < 5 {
        return false;
    }
    let mut rem: u32 = 0;
    for &c in iban[4..].iter().chain(&iban[..4]) {
        match c {
            b'0'..=b'9' => rem = (rem * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => rem = (rem * 100 + u32::from(c - b'A' + 10)) % 97,
            _ => return false,
        }
    }
    rem == 1
}

/// Append IBAN candidates found in `bytes`: two letters and two check
/// digits on a word boundary, then the country's exact number of letters
/// and digits, written either solid or with a space or dash after every
/// fourth character.
/// Appends IBAN candidates, and to `shaped` the spans of IBAN-shaped
/// strings whose check digits fail: a country code, the exact length for
/// that country and IBAN grouping. No other detector may read a number
/// inside either (`DK50 0040 0440 1162 44` is no phone number +40...).
pub(crate) fn scan(bytes: &[u8], out: &mut Vec<Candidate>, shaped: &mut Vec<(usize, usize)>) {
    let n = bytes.len();
    let mut i = 0;
    while i + 4 < n {
        // An IBAN starts with two letters and two check digits: hop to
        // the next digit and look back.
        let digit = super::next_digit(bytes, i + 2);
        if digit != i + 2 {
            i = digit - 2;
            continue;
        }
        let looks = bytes[i].is_ascii_alphabetic()
            && bytes[i + 1].is_ascii_alphabetic()
            && bytes[i + 3].is_ascii_digit()
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
        if !looks {
            i += 1;
            continue;
        }
        match match_at(bytes, i) {
            Some((end, Some(registry))) => {
                let confidence = match (context::before(bytes, i, &WORDS), registry) {
                    (Cue::Positive, _) => 0.98,
                    // Right check digits, but an account number laid out
                    // otherwise than the registry says: still an IBAN
                    // someone typed.
                    (_, Registry::BadBban) => 0.85,
                    _ => 0.9,
                };
                out.push(Candidate {
                    kind: Kind::Iban,
                    start: i,
                    end,
                    confidence,
                });
                i = end;
            }
            Some((end, None)) => {
                shaped.push((i, end));
                i = end;
            }
            None => i += 1,
        }
    }
}

/// The end of an IBAN-shaped string starting at `start`, if there is one,
/// and, when its check digits are right, what the registry says of it.
fn match_at(bytes: &[u8], start: usize) -> Option<(usize, Option<Registry>)> {
    let country = [
        bytes[start].to_ascii_uppercase(),
        bytes[start + 1].to_ascii_uppercase(),
    ];
    let want = length_for(country)?;
    let mut buf = [0u8; MAX_LEN];
    let mut count = 0;
    let mut j = start;
    while count < want && j < bytes.len() {
        let b = bytes[j];
        if b.is_ascii_alphanumeric() {
            buf[count] = b.to_ascii_uppercase();
            count += 1;
            j += 1;
        } else if matches!(b, b' ' | b'-')
            && count.is_multiple_of(4)
            && bytes.get(j + 1).is_some_and(u8::is_ascii_alphanumeric)
        {
            j += 1;
        } else {
            break;
        }
    }
    let boundary = j == bytes.len() || !bytes[j].is_ascii_alphanumeric();
    if count != want || !boundary {
        return None;
    }
    if mod97_ok(&buf[..count]) {
        return Some((j, Some(registry(&buf[..count]))));
    }
    // Shaped but failing its check digits: only with no more letters after
    // the country and check digits than an account number holds (a bank
    // code such as `WEST`), so that words and a number after `DE12` are
    // still read for what they are.
    let letters = buf[4..count]
        .iter()
        .filter(|b| b.is_ascii_alphabetic())
        .count();
    (letters <= 4).then_some((j, None))
}

/// What the IBAN registry says of a string with right check digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Registry {
    /// The country's account number format too.
    Valid,
    /// A registry country, but its account number is laid out otherwise
    /// (still an IBAN someone typed, reported a little lower).
    BadBban,
    /// A country of the length table the registry release `iban_validate`
    /// carries does not list (Pakistan, `PK`, which issues IBANs).
    UnknownCountry,
}

/// Asks `iban_validate` about an uppercase IBAN without spaces.
pub(crate) fn registry(iban: &[u8]) -> Registry {
    use iban::{Iban, ParseIbanError};
    let Ok(text) = std::str::from_utf8(iban) else {
        return Registry::UnknownCountry;
    };
    match text.parse::<Iban>() {
        Ok(_) => Registry::Valid,
        Err(ParseIbanError::UnknownCountry(_)) => Registry::UnknownCountry,
        Err(_) => Registry::BadBban,
    }
}

/// `IBAN DE•• •••• 3000`: the country and the last four characters.
pub(crate) fn preview(value: &str) -> String {
    let chars: Vec<char> = value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let country: String = chars.iter().take(2).collect();
    let last4: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("IBAN {country}•• •••• {last4}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::{detect, KnownContacts};

    fn ibans(text: &str) -> Vec<String> {
        detect(text, &KnownContacts::default())
            .into_iter()
            .filter(|d| d.kind == Kind::Iban)
            .map(|d| text[d.start..d.end].to_string())
            .collect()
    }

    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// A random IBAN for `country` with correct check digits.
    fn random_iban(rng: &mut Rng, country: &str, len: usize) -> String {
        const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let bban: String = (0..len - 4)
            .map(|_| {
                // Mostly digits, like real BBANs.
                let pool = if rng.below(5) == 0 {
                    ALNUM
                } else {
                    &ALNUM[..10]
                };
                pool[rng.below(pool.len() as u64) as usize] as char
            })
            .collect();
        let probe = format!("{country}00{bban}");
        let mut rem: u32 = 0;
        for &c in probe.as_bytes()[4..].iter().chain(&probe.as_bytes()[..4]) {
            rem = match c {
                b'0'..=b'9' => (rem * 10 + u32::from(c - b'0')) % 97,
                _ => (rem * 100 + u32::from(c - b'A' + 10)) % 97,
            };
        }
        format!("{country}{:02}{bban}", 98 - rem)
    }

    fn grouped(s: &str) -> String {
        s.as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn nothing_inside_an_iban_shaped_string_is_another_kind() {
        let k = crate::pii::KnownContacts::default();
        let kinds = |t: &str| -> Vec<Kind> {
            crate::pii::detect(t, &k)
                .into_iter()
                .map(|d| d.kind)
                .collect()
        };
        // A mistyped check digit: no IBAN, and no phone +40 inside it.
        assert!(kinds("IBAN DK50 0040 0440 1162 44").is_empty());
        assert_eq!(kinds("IBAN DK50 0040 0440 1162 43"), vec![Kind::Iban]);
        // Words after country letters and digits are not swallowed.
        assert_eq!(
            kinds("see DE12 then card 4111 1111 1111 1111"),
            vec![Kind::Card]
        );
        // A valid IBAN next to a phone: both, each once.
        assert_eq!(
            kinds("IBAN DE89 3704 0044 0532 0130 00, call +49 30 1234567"),
            vec![Kind::Iban, Kind::Phone]
        );
    }

    #[test]
    fn libya_is_in_the_country_table() {
        assert_eq!(length_for(*b"LY"), Some(25));
    }

    /// Every country the IBAN registry (`iban_validate`) knows is in the
    /// scanner's length table, so none is passed over; the table's only
    /// country beyond it is Pakistan, which issues IBANs.
    #[test]
    fn the_country_table_covers_the_registry() {
        let mut missing = vec![];
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                let code = format!("{}{}", a as char, b as char);
                // Check digits made right for a dummy account number, so
                // only the country decides.
                let body = "0".repeat(16);
                let probe = format!("{code}00{body}");
                let mut rem: u32 = 0;
                for &c in probe.as_bytes()[4..].iter().chain(&probe.as_bytes()[..4]) {
                    rem = match c {
                        b'0'..=b'9' => (rem * 10 + u32::from(c - b'0')) % 97,
                        _ => (rem * 100 + u32::from(c - b'A' + 10)) % 97,
                    };
                }
                let iban = format!("{code}{:02}{body}", 98 - rem);
                let known = registry(iban.as_bytes()) != Registry::UnknownCountry;
                let listed = length_for([a, b]).is_some();
                if known && !listed {
                    missing.push(code.clone());
                }
                if listed && !known && code != "PK" {
                    missing.push(format!("{code} (not in the registry)"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "the table and the registry differ: {missing:?}"
        );
    }

    #[test]
    fn known_ibans_pass() {
        for iban in [
            "DE89370400440532013000",
            "GB82WEST12345698765432",
            "FR1420041010050500013M02606",
            "NL91ABNA0417164300",
            "BE68539007547034",
            "NO9386011117947",
            "CH9300762011623852957",
        ] {
            assert!(mod97_ok(iban.as_bytes()), "{iban}");
        }
        assert!(!mod97_ok(b"DE89370400440532013001"));
    }

    #[test]
    fn finds_ibans_with_and_without_spaces() {
        assert_eq!(
            ibans("IBAN: DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX"),
            ["DE89 3704 0044 0532 0130 00"]
        );
        assert_eq!(
            ibans("to gb82west12345698765432."),
            ["gb82west12345698765432"]
        );
    }

    #[test]
    fn rejects_wrong_length_check_or_glued_text() {
        assert!(ibans("DE89 3704 0044 0532 0130 0").is_empty()); // too short
        assert!(ibans("DE89 3704 0044 0532 0130 001").is_empty()); // too long
        assert!(ibans("DE88 3704 0044 0532 0130 00").is_empty()); // check digits
        assert!(ibans("XDE89370400440532013000").is_empty());
        assert!(ibans("DE893 704 0044 0532 0130 00").is_empty()); // odd grouping
        assert!(ibans("ZZ89370400440532013000").is_empty()); // unknown country
    }

    #[test]
    fn property_random_valid_ibans_are_found_and_corrupted_ones_are_not() {
        let mut rng = Rng(0xC0FF_EE00_1234_5678);
        for round in 0..3000 {
            let (country, len) = LENGTHS[rng.below(LENGTHS.len() as u64) as usize];
            let iban = random_iban(&mut rng, country, len);
            assert!(mod97_ok(iban.as_bytes()), "{iban}");
            let shown = if round % 2 == 0 {
                grouped(&iban)
            } else {
                iban.clone()
            };
            let text = format!("please refund to {shown} thanks");
            assert_eq!(ibans(&text), std::slice::from_ref(&shown), "{text}");

            // Change one digit of the BBAN: mod 97 catches every
            // single-digit substitution.
            let mut bad = iban.into_bytes();
            let mut at = 4 + rng.below((len - 4) as u64) as usize;
            while !bad[at].is_ascii_digit() {
                at = 4 + (at - 4 + 1) % (len - 4);
            }
            bad[at] = if bad[at] == b'7' { b'3' } else { b'7' };
            let bad = String::from_utf8(bad).unwrap();
            assert!(!mod97_ok(bad.as_bytes()), "{bad}");
            assert!(ibans(&format!("iban {bad}")).is_empty(), "{bad}");
        }
    }

    #[test]
    fn preview_hides_the_account() {
        assert_eq!(
            preview("DE89 3704 0044 0532 0130 00"),
            "IBAN DE•• •••• 3000"
        );
    }
}
