//! Personal data that customers paste into messages: card numbers, Social
//! Security numbers, IBANs, phone numbers and emails. The values are
//! structurally valid (Luhn, SSA ranges, mod-97) so the PII scan has real
//! work to do, and none of them belongs to anyone.

use super::rng::Rng;

/// Whether a digit string passes the Luhn check.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0;
    let mut double = false;
    for ch in digits.bytes().rev() {
        if !ch.is_ascii_digit() {
            return false;
        }
        let mut d = (ch - b'0') as u32;
        if double {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        double = !double;
    }
    !digits.is_empty() && sum % 10 == 0
}

/// A Luhn-valid card number with a known issuer prefix, written the way
/// people type it (spaces, dashes or nothing).
pub fn card_number(rng: &mut Rng) -> String {
    let (prefix, len): (String, usize) = match rng.below(4) {
        0 => ("4".into(), 16),
        1 => (format!("5{}", rng.range(1, 5)), 16),
        2 => (format!("3{}", rng.pick(&[4, 7])), 15),
        _ => ("6011".into(), 16),
    };
    let mut digits = prefix;
    while digits.len() < len - 1 {
        digits.push(char::from(b'0' + rng.below(10) as u8));
    }
    for check in 0..10u8 {
        let candidate = format!("{digits}{}", check);
        if luhn_valid(&candidate) {
            digits = candidate;
            break;
        }
    }
    let sep = *rng.pick(&[" ", "-", ""]);
    if sep.is_empty() {
        return digits;
    }
    let groups: &[usize] = if len == 15 { &[4, 6, 5] } else { &[4, 4, 4, 4] };
    let mut out = String::with_capacity(20);
    let mut at = 0;
    for (i, g) in groups.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(&digits[at..at + g]);
        at += g;
    }
    out
}

/// A US Social Security number in the issued ranges: area 001-899 except
/// 666, group 01-99, serial 0001-9999.
pub fn ssn(rng: &mut Rng) -> String {
    let mut area = rng.range(1, 899);
    if area == 666 {
        area = 667;
    }
    let group = rng.range(1, 99);
    let serial = rng.range(1, 9999);
    if rng.chance(0.8) {
        format!("{area:03}-{group:02}-{serial:04}")
    } else {
        format!("{area:03}{group:02}{serial:04}")
    }
}

/// IBAN check digits: 98 minus the mod-97 of the rearranged number.
fn iban_check(country: &str, bban: &str) -> u32 {
    let rearranged = format!("{bban}{country}00");
    let mut rem: u32 = 0;
    for ch in rearranged.chars() {
        let v = if ch.is_ascii_digit() {
            ch as u32 - '0' as u32
        } else {
            ch.to_ascii_uppercase() as u32 - 'A' as u32 + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    98 - rem
}

/// Whether an IBAN (spaces allowed) passes the mod-97 check.
pub fn iban_valid(iban: &str) -> bool {
    let compact: String = iban.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() < 15 || !compact.is_ascii() {
        return false;
    }
    let (head, bban) = compact.split_at(4);
    let check = iban_check(&head[..2], bban);
    head[2..].parse::<u32>().ok() == Some(check)
}

/// A mod-97-valid IBAN for a European country, grouped by four as on a
/// bank statement (or compact).
pub fn iban(rng: &mut Rng) -> String {
    let (country, bban) = match rng.below(4) {
        0 => ("DE", rng.digits(18)),
        1 => ("FR", format!("{}{}", rng.digits(21), rng.digits(2))),
        2 => (
            "NL",
            format!("{}{}", rng.pick(&["ABNA", "INGB", "RABO"]), rng.digits(10)),
        ),
        _ => (
            "GB",
            format!("{}{}", rng.pick(&["NWBK", "BARC", "MIDL"]), rng.digits(14)),
        ),
    };
    let compact = format!("{country}{:02}{bban}", iban_check(country, &bban));
    if rng.chance(0.3) {
        return compact;
    }
    let mut out = String::with_capacity(compact.len() + 8);
    for (i, ch) in compact.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(ch);
    }
    out
}

/// One customer message with pasted personal data. `phone` and `email` are
/// the customer's own, as people give them "just in case".
pub fn message(rng: &mut Rng, phone: &str, email: &str) -> String {
    match rng.below(7) {
        0 => format!(
            "Can you just charge my other card instead? {}",
            card_number(rng)
        ),
        1 => format!(
            "My card number is {} exp {:02}/{} if you need it for the refund",
            card_number(rng),
            rng.range(1, 12),
            rng.range(26, 31)
        ),
        2 => format!("For verification my SSN is {}", ssn(rng)),
        3 => format!(
            "Please send the refund to my bank account, IBAN {}",
            iban(rng)
        ),
        4 => format!("You can reach me on {phone} or at {email}, whichever is easier."),
        5 => format!("call me back at {phone} please, after 5pm"),
        _ => format!(
            "The account holder is my wife, her SSN is {} and email {email}",
            ssn(rng)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_are_structurally_valid() {
        let mut rng = Rng::new(1);
        for _ in 0..500 {
            let card: String = card_number(&mut rng)
                .chars()
                .filter(|c| c.is_ascii_digit())
                .collect();
            assert!(luhn_valid(&card), "{card}");
            assert!(matches!(card.len(), 15 | 16));
            let s = ssn(&mut rng).replace('-', "");
            let area: u32 = s[..3].parse().unwrap();
            assert!(
                area != 0 && area != 666 && area < 900 && &s[3..5] != "00" && &s[5..] != "0000"
            );
            let i = iban(&mut rng);
            assert!(iban_valid(&i), "{i}");
        }
        assert!(iban_valid("GB82 WEST 1234 5698 7654 32"));
        assert!(!iban_valid("GB83 WEST 1234 5698 7654 32"));
        assert!(luhn_valid("4111111111111111"));
    }
}
