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

/// `to_e164`, reading a national number in `region` (ISO 3166; None is
/// North America).
pub fn to_e164_in(raw: &str, region: Option<&str>) -> Option<String> {
    crate::pii::normalize_phone(raw, region.unwrap_or("US"))
}

/// See `pii::phone::national_prefix`: what a national number typed in a
/// region's search box begins with in E.164.
pub fn national_prefix(digits: &str, region: &str) -> Option<String> {
    crate::pii::phone::national_prefix(digits, region)
}

/// The digits of a phone number being typed, as search keys hold them,
/// read the way `to_e164` reads a whole number: `+` or the `00`
/// international prefix before the country code, and a `(0)` trunk digit
/// after it dropped (`0044 161 496 0350` and `+44 (0)20 7946 0607` as
/// written on a card). The flag says whether a country code was given;
/// without one, what is typed may be a North American number.
pub fn query_digits(typed: &str) -> Option<(String, bool)> {
    let q = typed.trim();
    if q.is_empty()
        || !q
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        return None;
    }
    let plus = q.starts_with('+');
    let mut digits: String = q
        .replace("(0)", "")
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let international = plus || digits.starts_with("00");
    if !plus && digits.starts_with("00") {
        digits.drain(..2);
    }
    if !international {
        // A local number keeps its digits, trunk zero included.
        digits = q.chars().filter(char::is_ascii_digit).collect();
    }
    (!digits.is_empty()).then_some((digits, international))
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
    fn typed_numbers_read_as_the_keys_hold_them() {
        for (typed, want) in [
            ("0044 161 496 0350", ("441614960350", true)),
            ("+44 (0)20 7946 0607", ("442079460607", true)),
            ("+1 (415", ("1415", true)),
            ("(415) 555-01", ("41555501", false)),
            ("0161 496", ("0161496", false)),
        ] {
            let got = query_digits(typed).unwrap();
            assert_eq!((got.0.as_str(), got.1), want, "{typed}");
        }
        assert_eq!(query_digits("amelie"), None);
        assert_eq!(query_digits(" "), None);
    }

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
