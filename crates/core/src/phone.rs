//! Phone numbers to E.164, so `+1 (415) 555-0100`, `415.555.0100` and
//! `+14155550100` are one number.

/// Normalises a phone number written in any common format to E.164
/// (`+14155550100`). National numbers without a country code are read as
/// North American; `00` is read as the international prefix. Returns None
/// for text that is not a plausible phone number. One implementation serves
/// profiles, search and the PII detectors: `pii::normalize_phone`.
pub fn to_e164(raw: &str) -> Option<String> {
    crate::pii::normalize_phone(raw, "US")
}

/// The national significant number of an E.164 number (`+14155550100` →
/// `4155550100`), for prefix search on what people type. The calling codes
/// are the detectors' table (`pii::phone`), so one list serves both.
pub fn national_digits(e164: &str) -> Option<&str> {
    let digits = e164.strip_prefix('+')?;
    let len = crate::pii::phone::calling_code_len(digits.as_bytes())?;
    digits.get(len..).filter(|rest| !rest.is_empty())
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
