//! Phone numbers: parsing any common formatting into E.164.
//!
//! Numbers written with their country code (`+44 …`, `0044 …`) are read
//! here, from the calling codes of the countries our customers write from
//! and the length of their national numbers. National numbers are read in
//! a region: North American ones by the Numbering Plan's rules here, the
//! others (`09-7625400` in Israel, `090-1234-5678` in Japan, `138 1234
//! 5678` in China) by `phonenumber`, the port of libphonenumber, which
//! knows each country's trunk prefix and number ranges. It is not used
//! for the international form: the release in use misreads numbers whose
//! national part starts with 1 there (`+44 161 …`, `+33 1 …`).

use super::context::{Keywords, Words, NOT_PERSONAL};

pub(crate) const WORDS: Words = Words {
    positive: Keywords::new(&[
        "call*",
        "phone*",
        "cell*",
        "mobile",
        "mob",
        "tel",
        "tel.",
        "telephone",
        "text*",
        "txt",
        "sms",
        "whatsapp",
        "number",
        "no.",
        "reach me",
        "contact",
        "fax",
        "ring",
        "dial*",
        "landline",
        "ph",
        "ph.",
    ]),
    negative: NOT_PERSONAL,
};

/// Country calling code, ISO 3166 code, and the shortest and longest
/// national significant number (without trunk prefix).
const COUNTRIES: &[(u16, &str, u8, u8)] = &[
    (1, "US", 10, 10),
    (7, "RU", 10, 10),
    (20, "EG", 9, 10),
    (27, "ZA", 9, 9),
    (30, "GR", 10, 10),
    (31, "NL", 9, 9),
    (32, "BE", 8, 9),
    (33, "FR", 9, 9),
    (34, "ES", 9, 9),
    (36, "HU", 8, 9),
    (39, "IT", 6, 11),
    (40, "RO", 9, 9),
    (41, "CH", 9, 9),
    (43, "AT", 7, 13),
    (44, "GB", 9, 10),
    (45, "DK", 8, 8),
    (46, "SE", 7, 10),
    (47, "NO", 8, 8),
    (48, "PL", 9, 9),
    (49, "DE", 7, 12),
    (51, "PE", 8, 9),
    (52, "MX", 10, 10),
    (53, "CU", 6, 8),
    (54, "AR", 10, 10),
    (55, "BR", 10, 11),
    (56, "CL", 9, 9),
    (57, "CO", 10, 10),
    (58, "VE", 10, 10),
    (60, "MY", 9, 10),
    (61, "AU", 9, 9),
    (62, "ID", 9, 12),
    (63, "PH", 10, 10),
    (64, "NZ", 8, 10),
    (65, "SG", 8, 8),
    (66, "TH", 8, 9),
    (81, "JP", 9, 10),
    (82, "KR", 9, 10),
    (84, "VN", 9, 10),
    (86, "CN", 10, 11),
    (90, "TR", 10, 10),
    (91, "IN", 10, 10),
    (92, "PK", 10, 10),
    (93, "AF", 9, 9),
    (94, "LK", 9, 9),
    (95, "MM", 7, 10),
    (98, "IR", 10, 10),
    (234, "NG", 8, 10),
    (254, "KE", 9, 9),
    (351, "PT", 9, 9),
    (352, "LU", 6, 11),
    (353, "IE", 7, 9),
    (354, "IS", 7, 7),
    (356, "MT", 8, 8),
    (357, "CY", 8, 8),
    (358, "FI", 6, 11),
    (359, "BG", 8, 9),
    (370, "LT", 8, 8),
    (371, "LV", 8, 8),
    (372, "EE", 7, 8),
    (380, "UA", 9, 9),
    (385, "HR", 8, 9),
    (386, "SI", 8, 8),
    (420, "CZ", 9, 9),
    (421, "SK", 9, 9),
    (852, "HK", 8, 8),
    (886, "TW", 8, 9),
    (966, "SA", 9, 9),
    (971, "AE", 8, 9),
    (972, "IL", 8, 9),
];

/// An E.164 number held without allocating: '+' then up to 15 digits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct E164 {
    buf: [u8; 16],
    len: usize,
}

impl E164 {
    fn new(cc: u16, nsn: &[u8]) -> Option<E164> {
        let mut buf = [0u8; 16];
        buf[0] = b'+';
        let cc_digits = cc.to_string();
        let cc_len = cc_digits.len();
        let len = 1 + cc_len + nsn.len();
        if len > buf.len() {
            return None;
        }
        buf[1..1 + cc_len].copy_from_slice(cc_digits.as_bytes());
        buf[1 + cc_len..len].copy_from_slice(nsn);
        Some(E164 { buf, len })
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).expect("ASCII digits")
    }
}

/// The length of the country calling code that `digits` (an E.164 number
/// without its '+') starts with, when it is one Lethe knows.
pub(crate) fn calling_code_len(digits: &[u8]) -> Option<usize> {
    country_by_code(digits).map(|(n, ..)| n)
}

fn country_by_code(digits: &[u8]) -> Option<(usize, u16, u8, u8)> {
    (1..=3).find_map(|n| {
        let code: u16 = std::str::from_utf8(digits.get(..n)?).ok()?.parse().ok()?;
        COUNTRIES
            .iter()
            .find(|c| c.0 == code)
            .map(|&(cc, _, min, max)| (n, cc, min, max))
    })
}

/// Digits after '+' (or after "00"): country code then national number.
/// A trunk '0' written after the country code, as in "+44 (0)20 …", is
/// dropped, except for Italy where it belongs to the number.
pub(crate) fn from_international(digits: &[u8]) -> Option<E164> {
    let (n, cc, min, max) = country_by_code(digits)?;
    let mut nsn = &digits[n..];
    if cc == 1 {
        return from_nanp(nsn);
    }
    if cc != 39 && nsn.first() == Some(&b'0') {
        nsn = &nsn[1..];
    }
    if !plausible_nsn(cc, nsn, min, max) {
        return None;
    }
    E164::new(cc, nsn)
}

/// Length within the country's range, and no leading zero except in Italy.
fn plausible_nsn(cc: u16, nsn: &[u8], min: u8, max: u8) -> bool {
    (usize::from(min)..=usize::from(max)).contains(&nsn.len())
        && (cc == 39 || nsn.first() != Some(&b'0'))
}

/// A North American number: ten digits, or eleven starting with 1. The area
/// code and exchange start with 2–9 and the area code is not an N11 service
/// code.
pub(crate) fn from_nanp(digits: &[u8]) -> Option<E164> {
    let d = match digits.len() {
        10 => digits,
        11 if digits[0] == b'1' => &digits[1..],
        _ => return None,
    };
    let ok = d[0] >= b'2' && d[3] >= b'2' && !(d[1] == b'1' && d[2] == b'1');
    if !ok {
        return None;
    }
    E164::new(1, d)
}

/// Whether national numbers of `region` (ISO 3166 code) follow the North
/// American Numbering Plan: what Lethe assumes without a region.
pub(crate) fn is_nanp(region: &str) -> bool {
    let r = region.trim();
    r.is_empty() || r.eq_ignore_ascii_case("US") || r.eq_ignore_ascii_case("CA")
}

/// The region a customer's national numbers are read in: the country
/// (ISO 3166 code) of their first phone number held in E.164.
pub fn region_of(phones_e164: &[String]) -> Option<&'static str> {
    phones_e164.iter().find_map(|p| {
        let digits = p.strip_prefix('+')?.as_bytes();
        let (_, cc, ..) = country_by_code(digits)?;
        COUNTRIES.iter().find(|c| c.0 == cc).map(|c| c.1)
    })
}

/// How sure a number must be to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// In a range the country has given out (detection in running text,
    /// where a wrong guess is a false finding).
    Assigned,
    /// Of the right length for the country (a number on a profile or in a
    /// search box, fictional ranges such as `07700 900…` included).
    Possible,
}

/// A region's national number (trunk prefix included, as dialled there),
/// read by `phonenumber`: its E.164 form when it passes `check`.
pub(crate) fn from_region(digits: &[u8], region: &str, check: Check) -> Option<E164> {
    let id: phonenumber::country::Id = region.trim().to_ascii_uppercase().parse().ok()?;
    let text = std::str::from_utf8(digits).ok()?;
    let number = phonenumber::parse(Some(id), text).ok()?;
    let cc = number.code().value();
    let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
    let nsn = e164.strip_prefix('+')?.get(cc.to_string().len()..)?;
    let ok = phonenumber::is_valid(&number)
        || check == Check::Possible
            && COUNTRIES
                .iter()
                .find(|c| c.0 == cc)
                .is_some_and(|&(_, _, min, max)| plausible_nsn(cc, nsn.as_bytes(), min, max));
    if !ok {
        return None;
    }
    E164::new(cc, nsn.as_bytes())
}

/// Whether `code` is a region `phonenumber` knows (an ISO 3166 code).
pub fn is_region(code: &str) -> bool {
    code.len() == 2
        && code
            .to_ascii_uppercase()
            .parse::<phonenumber::country::Id>()
            .is_ok()
}

/// The calling code and national digits a number being typed in `region`
/// begins with, for prefix search: `020 79` in GB is `44 20 79`. None in
/// North America (the search adds the `1` itself) or without a trunk `0`.
pub fn national_prefix(digits: &str, region: &str) -> Option<String> {
    if is_nanp(region) {
        return None;
    }
    let &(cc, ..) = COUNTRIES
        .iter()
        .find(|c| c.1.eq_ignore_ascii_case(region.trim()))?;
    let rest = if cc == 39 {
        digits
    } else {
        digits.strip_prefix('0')?
    };
    Some(format!("{cc}{rest}"))
}

/// Whether `len` digits can be a national number of `region` as dialled
/// there: its national numbers' lengths, plus a trunk prefix. A region
/// outside the table is left to `phonenumber`.
pub(crate) fn national_length_ok(len: usize, region: &str) -> bool {
    match COUNTRIES
        .iter()
        .find(|c| c.1.eq_ignore_ascii_case(region.trim()))
    {
        Some(&(_, _, min, max)) => (usize::from(min)..=usize::from(max) + 1).contains(&len),
        None => (7..=15).contains(&len),
    }
}

/// Whether a North American number's area code and exchange are in a range
/// the plan has given out: `381` is none, so `13812345678` is no North
/// American number, though it has the shape of one.
pub(crate) fn nanp_assigned(digits: &[u8]) -> bool {
    from_region(digits, "US", Check::Assigned).is_some()
}

/// A national number as dialled inside `country` (ISO code, e.g. "US",
/// "GB"): NANP rules for US/CA, otherwise the region's own rules.
fn from_national(digits: &[u8], country: &str) -> Option<E164> {
    if is_nanp(country) {
        // "011" is how North Americans dial out.
        if let Some(rest) = digits.strip_prefix(b"011") {
            return from_international(rest);
        }
        return from_nanp(digits);
    }
    from_region(digits, country, Check::Possible)
}

/// Normalise a phone number written in any common way to E.164
/// ("+14155550100"). Numbers without '+' or "00" are read as national
/// numbers of `default_country` (an ISO code such as "US" or "GB").
///
/// Returns `None` when the text holds anything but digits, spaces and
/// `+-.()/`, or when the digits are not a plausible number for a known
/// country (wrong length, unknown country code, invalid NANP area code).
pub fn normalize_phone(raw: &str, default_country: &str) -> Option<String> {
    let mut s = raw.trim();
    if s.len() >= 4 && s[..4].eq_ignore_ascii_case("tel:") {
        s = s[4..].trim_start();
    }
    let mut digits = [0u8; 20];
    let mut n = 0;
    let mut plus = false;
    for ch in s.chars() {
        match ch {
            '0'..='9' => {
                *digits.get_mut(n)? = ch as u8;
                n += 1;
            }
            '+' if n == 0 && !plus => plus = true,
            ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' | '\t' => {}
            _ => return None,
        }
    }
    let digits = &digits[..n];
    let e164 = if plus {
        from_international(digits)?
    } else if let Some(rest) = digits.strip_prefix(b"00") {
        from_international(rest)?
    } else {
        from_national(digits, default_country)?
    };
    Some(e164.as_str().to_string())
}

/// The E.164 form of a phone the scanner found: read as `normalize_phone`
/// reads it, else as a country code written without its '+' (the scanner
/// reports those only where the text says they are phones).
pub(crate) fn found_e164(value: &str, region: &str) -> Option<String> {
    normalize_phone(value, region).or_else(|| {
        let digits: Vec<u8> = value.bytes().filter(u8::is_ascii_digit).collect();
        from_international(&digits).map(|e| e.as_str().to_string())
    })
}

/// `phone +1 ••• ••• 0100`: the country code and the last four digits.
pub(crate) fn preview(e164: &str) -> String {
    let digits = e164.trim_start_matches('+').as_bytes();
    let cc_len = country_by_code(digits).map_or(1, |c| c.0);
    let cc = &e164[1..1 + cc_len.min(e164.len().saturating_sub(1))];
    let last4 = &e164[e164.len().saturating_sub(4)..];
    format!("phone +{cc} ••• ••• {last4}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::{detect, Kind, KnownContacts};

    fn phones(text: &str) -> Vec<String> {
        detect(text, &KnownContacts::default())
            .into_iter()
            .filter(|d| d.kind == Kind::Phone)
            .map(|d| text[d.start..d.end].to_string())
            .collect()
    }

    /// The phones found in `text` for a customer of `region`, with their
    /// masked previews.
    fn phones_in(region: &str, text: &str) -> Vec<(String, String)> {
        let known = KnownContacts {
            region: Some(region.into()),
            ..KnownContacts::default()
        };
        detect(text, &known)
            .into_iter()
            .filter(|d| d.kind == Kind::Phone)
            .map(|d| (text[d.start..d.end].to_string(), d.preview))
            .collect()
    }

    #[test]
    fn national_numbers_are_read_in_the_customer_s_region() {
        assert_eq!(
            phones_in("IL", "my office line is 09-7625400"),
            [("09-7625400".into(), "phone +972 ••• ••• 5400".into())]
        );
        assert_eq!(
            phones_in("JP", "携帯 090-1234-5678 です, or call 090-1234-5678"),
            [
                ("090-1234-5678".into(), "phone +81 ••• ••• 5678".into()),
                ("090-1234-5678".into(), "phone +81 ••• ••• 5678".into())
            ]
        );
        assert_eq!(
            phones_in("CN", "My CN number is 13812345678"),
            [("13812345678".into(), "phone +86 ••• ••• 5678".into())]
        );
        // Not numbers of that region: nothing, and no North American guess.
        assert!(phones_in("IL", "order 2024-07-30 shipped").is_empty());
        assert!(phones_in("GB", "tracking 1234 5678 9012").is_empty());
    }

    #[test]
    fn a_chinese_mobile_is_no_north_american_number() {
        // 381 is no area code the plan has given out.
        assert!(phones("My CN number is 13812345678").is_empty());
        // An assigned one still reads as North American.
        assert_eq!(phones("call 14155550123"), ["14155550123"]);
    }

    #[test]
    fn a_longer_number_is_not_cut_to_a_north_american_one() {
        assert!(phones("ref 91-415-555-0132 in the ledger").is_empty());
        // With the country code written without '+', where the text says
        // it is a phone: the whole number, as Indian.
        let d = detect("call me at 91-415-555-0132", &KnownContacts::default());
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].preview, "phone +91 ••• ••• 0132");
        assert_eq!(d[0].start, "call me at ".len());
    }

    #[test]
    fn typed_national_numbers_search_in_the_region() {
        assert_eq!(national_prefix("02079", "GB").as_deref(), Some("442079"));
        assert_eq!(national_prefix("0669", "IT").as_deref(), Some("390669"));
        assert_eq!(national_prefix("41555", "US"), None);
        assert_eq!(national_prefix("2079", "GB"), None);
        assert!(is_region("IL") && is_region("jp") && !is_region("XX") && !is_region("ISR"));
    }

    #[test]
    fn a_customer_s_region_comes_from_their_own_phone() {
        assert_eq!(region_of(&["+972541234567".into()]), Some("IL"));
        assert_eq!(region_of(&["+14155550100".into()]), Some("US"));
        assert_eq!(region_of(&[]), None);
    }

    #[test]
    fn national_numbers_of_a_region_normalise_to_e164() {
        assert_eq!(
            normalize_phone("09-7625400", "IL").as_deref(),
            Some("+97297625400")
        );
        assert_eq!(
            normalize_phone("090-1234-5678", "jp").as_deref(),
            Some("+819012345678")
        );
        assert_eq!(normalize_phone("12", "IL"), None);
    }

    #[test]
    fn normalises_common_formats() {
        let cases = [
            ("+1 (415) 555-0100", "+14155550100"),
            ("415.555.0100", "+14155550100"),
            ("(415) 555-0100", "+14155550100"),
            ("1-415-555-0100", "+14155550100"),
            ("4155550100", "+14155550100"),
            ("tel:+14155550100", "+14155550100"),
            ("011 44 20 7946 0958", "+442079460958"),
            ("00 44 20 7946 0958", "+442079460958"),
            ("+44 20 7946 0958", "+442079460958"),
            ("+44 (0)20 7946 0958", "+442079460958"),
            ("+49 30 901820", "+4930901820"),
            ("+33 1 23 45 67 89", "+33123456789"),
            ("+39 06 6988 4857", "+390669884857"),
            ("+61 2 9374 4000", "+61293744000"),
            ("+91 98765 43210", "+919876543210"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_phone(raw, "US").as_deref(), Some(want), "{raw}");
        }
        assert_eq!(
            normalize_phone("020 7946 0958", "GB").as_deref(),
            Some("+442079460958")
        );
        assert_eq!(
            normalize_phone("07700 900123", "gb").as_deref(),
            Some("+447700900123")
        );
    }

    #[test]
    fn rejects_implausible_numbers() {
        for raw in [
            "",
            "555-0100",
            "123-456-7890", // area code starts with 1
            "415-155-0100", // exchange starts with 1
            "911-555-0100", // N11 area code
            "+999 1234 5678",
            "+44 12",
            "415 555 0100 ext 12",
            "call me",
            "2024-03-14",
            "+1 415 555 0100 99",
        ] {
            assert_eq!(normalize_phone(raw, "US"), None, "{raw}");
        }
        assert_eq!(normalize_phone("020 7946 0958", "ZZ"), None);
    }

    #[test]
    fn finds_phones_in_text() {
        assert_eq!(
            phones("call me on (415) 555-0100 after 5"),
            ["(415) 555-0100"]
        );
        assert_eq!(phones("my cell: 415.555.0100"), ["415.555.0100"]);
        assert_eq!(phones("UK: +44 20 7946 0958."), ["+44 20 7946 0958"]);
        assert_eq!(phones("ring 00 33 1 23 45 67 89"), ["00 33 1 23 45 67 89"]);
        assert_eq!(phones("text me 4155550100"), ["4155550100"]);
        assert_eq!(phones("1-800-555-0199 is the hotline"), ["1-800-555-0199"]);
    }

    #[test]
    fn rejects_numbers_that_are_not_phones() {
        assert!(phones("order 4155550100").is_empty());
        assert!(phones("order # 415-555-0100").is_empty());
        assert!(phones("ref 4155550100").is_empty());
        assert!(phones("it was 4155550100 or so").is_empty()); // bare ten digits
        assert!(phones("tracking 4155 5501 0012").is_empty());
        assert!(phones("2024-03-14 10:30").is_empty());
        assert!(phones("$415,555,010.00").is_empty());
    }

    #[test]
    fn preview_keeps_country_and_last_four() {
        assert_eq!(preview("+14155550100"), "phone +1 ••• ••• 0100");
        assert_eq!(preview("+442079460958"), "phone +44 ••• ••• 0958");
        assert_eq!(preview("+353212345678"), "phone +353 ••• ••• 5678");
    }
}
