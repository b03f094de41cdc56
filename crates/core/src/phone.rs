//! Phone numbers to E.164, so `+1 (415) 555-0100`, `415.555.0100` and
//! `+14155550100` are one number.

/// Country calling codes, longest first, for splitting `+<cc><national>`.
const CALLING_CODES: &[&str] = &[
    "1", "7", "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45",
    "46", "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
    "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98", "351",
    "352", "353", "354", "356", "357", "358", "359", "370", "371", "372", "380", "385", "386",
    "420", "421", "852", "886", "971", "972", "966",
];

/// Normalises a phone number written in any common format to E.164
/// (`+14155550100`). National numbers without a country code are read as
/// North American; `00` is read as the international prefix. Returns None
/// for text that is not a plausible phone number. One implementation serves
/// profiles, search and the PII detectors: `pii::normalize_phone`.
pub fn to_e164(raw: &str) -> Option<String> {
    crate::pii::normalize_phone(raw, "US")
}

/// The national significant number of an E.164 number (`+14155550100` →
/// `4155550100`), for prefix search on what people type.
pub fn national_digits(e164: &str) -> Option<&str> {
    let digits = e164.strip_prefix('+')?;
    for len in [3, 2, 1] {
        if digits.len() > len && CALLING_CODES.contains(&&digits[..len]) {
            return Some(&digits[len..]);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_common_formats() {
        for raw in [
            "+1 (415) 555-0100",
            "415.555.0100",
            "(415) 555-0100",
            "1-415-555-0100",
            "+14155550100",
            "001 415 555 0100",
        ] {
            assert_eq!(to_e164(raw).as_deref(), Some("+14155550100"), "{raw}");
        }
        assert_eq!(
            to_e164("+44 20 7946 0958").as_deref(),
            Some("+442079460958")
        );
        assert_eq!(to_e164("call me"), None);
        assert_eq!(to_e164("12345"), None);
        assert_eq!(national_digits("+14155550100"), Some("4155550100"));
        assert_eq!(national_digits("+442079460958"), Some("2079460958"));
    }
}
