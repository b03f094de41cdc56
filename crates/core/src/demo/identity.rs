//! Who a demo customer is: name, emails, phones, addresses and CRM IDs.
//! Kept apart from the rest of the profile so a duplicate profile can copy
//! an earlier customer's email or ID without rebuilding that customer.

use crate::format::{AddressDoc, EmailDoc, PhoneDoc};
use crate::phone;

use super::names::{self, Locale};
use super::rng::Rng;

const STREAM_IDENTITY: u64 = 1;
const STREAM_DUPLICATE: u64 = 2;

pub struct Identity {
    pub locale: &'static Locale,
    pub name: Option<String>,
    /// How agents greet the customer.
    pub greeting: String,
    pub emails: Vec<EmailDoc>,
    pub phones: Vec<PhoneDoc>,
    pub addresses: Vec<AddressDoc>,
    /// Shopify's numeric customer ID.
    pub shopify_id: Option<String>,
    /// A Salesforce Contact ID, 15 or 18 characters.
    pub salesforce_id: Option<String>,
}

pub fn identity(seed: u64, index: u64, force_name: bool) -> Identity {
    let mut rng = Rng::derive(seed, STREAM_IDENTITY, index);
    let mut locale = names::pick_locale(&mut rng);
    // A forced name is one a demo will type into the search box: Latin script.
    while force_name && locale.family_first {
        locale = names::pick_locale(&mut rng);
    }
    let (display, first_ascii, last_ascii) = names::full_name(locale, &mut rng);
    // Profiles created from an SMS or a call often never get a name.
    let named = force_name || !rng.chance(0.04);
    let greeting = if named {
        let first = display_first(locale, &display);
        first.to_string()
    } else {
        "there".to_string()
    };

    let n_emails = match rng.below(100) {
        0..=7 => 0,
        8..=67 => 1,
        68..=92 => 2,
        _ => 3,
    };
    let mut emails = Vec::with_capacity(n_emails);
    for i in 0..n_emails {
        let original = email(&mut rng, locale, &first_ascii, &last_ascii, i);
        let normalized = original.to_lowercase();
        emails.push(EmailDoc {
            original,
            normalized: Some(normalized),
            primary: i == 0,
        });
    }
    let n_phones = match rng.below(100) {
        0..=9 => 0,
        10..=74 => 1,
        75..=94 => 2,
        _ => 3,
    };
    let mut phones = Vec::with_capacity(n_phones);
    for i in 0..n_phones {
        let original = (locale.phone)(&mut rng);
        phones.push(PhoneDoc {
            normalized: phone::to_e164(&original),
            original,
            kind: Some(["MOBILE", "HOME", "WORK"][i.min(2)].to_string()),
            primary: i == 0,
        });
    }
    let n_addresses = match rng.below(100) {
        0..=14 => 0,
        15..=84 => 1,
        _ => 2,
    };
    let addresses = (0..n_addresses)
        .map(|i| {
            address(
                &mut rng,
                locale,
                if i == 0 { "SHIPPING" } else { "BILLING" },
            )
        })
        .collect();

    let seed_offset = super::rng::mix(seed) % 1_000_000;
    let shopify_id = rng.chance(0.85).then(|| {
        let n = (index.wrapping_mul(104_729).wrapping_add(seed_offset)) % 1_000_000_000_000;
        (6_100_000_000_000u64 + n).to_string()
    });
    let salesforce_id = rng.chance(0.55).then(|| {
        let space = 62u64.pow(6);
        let n = (index.wrapping_mul(2_654_435_761).wrapping_add(seed_offset)) % space;
        let id15 = format!("0035e0000{}", base62(n, 6));
        if rng.chance(0.5) {
            salesforce_18(&id15)
        } else {
            id15
        }
    });
    Identity {
        locale,
        name: named.then_some(display),
        greeting,
        emails,
        phones,
        addresses,
        shopify_id,
        salesforce_id,
    }
}

fn display_first<'a>(locale: &Locale, display: &'a str) -> &'a str {
    if locale.joined {
        display
    } else if locale.family_first {
        display.split(' ').next_back().unwrap_or(display)
    } else {
        display.split(' ').next().unwrap_or(display)
    }
}

fn email(rng: &mut Rng, locale: &Locale, first: &str, last: &str, i: usize) -> String {
    let digits = if rng.chance(0.55) {
        rng.range(1, 9999).to_string()
    } else {
        String::new()
    };
    let local = match rng.below(5) {
        0 => format!("{first}.{last}{digits}"),
        1 => format!("{first}{last}{digits}"),
        2 => format!("{}.{last}{digits}", &first[..1]),
        3 => format!("{first}_{last}{digits}"),
        _ => format!("{first}{digits}"),
    };
    let domain = if i == 1 && rng.chance(0.5) {
        format!(
            "{}.com",
            rng.pick(&[
                "acme-corp",
                "globex",
                "initech",
                "umbrella-health",
                "stark-ind",
                "wayne-ent"
            ])
        )
    } else {
        rng.pick(locale.domains).to_string()
    };
    let mut address = format!("{local}@{domain}");
    // People type their address with capitals; the normalised form is lower.
    if rng.chance(0.08) {
        let mut chars: Vec<char> = address.chars().collect();
        chars[0] = chars[0].to_ascii_uppercase();
        address = chars.into_iter().collect();
    }
    address
}

fn address(rng: &mut Rng, locale: &Locale, kind: &str) -> AddressDoc {
    let (city, region, postal) = rng.pick(locale.cities);
    let street = rng.pick(locale.streets);
    let number = rng.range(1, 480);
    let line1 = match locale.country {
        "US" | "GB" | "AU" | "IN" | "FR" => format!("{number} {street}"),
        "JP" | "CN" | "KR" => format!("{street}{number}"),
        _ => format!("{street} {number}"),
    };
    let postal = if locale.country == "US" {
        format!("{postal}{:02}", rng.below(100))
    } else {
        postal.to_string()
    };
    AddressDoc {
        kind: Some(kind.to_string()),
        line1: Some(line1),
        line2: rng.chance(0.2).then(|| format!("Apt {}", rng.range(1, 40))),
        city: Some(city.to_string()),
        region: Some(region.to_string()),
        postal_code: Some(postal),
        country: Some(locale.country.to_string()),
    }
}

fn base62(mut n: u64, width: usize) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Salesforce's 18-character form: three check characters encode which of
/// the 15 characters are upper case, so the ID survives case-insensitive
/// systems.
pub fn salesforce_18(id15: &str) -> String {
    const MAP: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    let mut out = id15.to_string();
    for chunk in id15.as_bytes().chunks(5) {
        let mut bits = 0;
        for (i, b) in chunk.iter().enumerate() {
            if b.is_ascii_uppercase() {
                bits |= 1 << i;
            }
        }
        out.push(MAP[bits] as char);
    }
    out
}

/// What a duplicate profile shares with its original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shared {
    Email,
    ShopifyId,
    SalesforceId,
}

/// About 1.5% of profiles duplicate an earlier one (a second account made
/// with the same email, a CRM sync that created the contact twice). Returns
/// the earlier index and what is shared; the original is never itself a
/// duplicate, so the shared value is really on it.
pub fn duplicate_of(seed: u64, index: u64) -> Option<(u64, Shared)> {
    let mut rng = Rng::derive(seed, STREAM_DUPLICATE, index);
    if index == 0 || !rng.chance(0.015) {
        return None;
    }
    let window = index.min(500);
    let original = index - 1 - rng.below(window);
    if is_duplicate(seed, original) {
        return None;
    }
    let shared = match rng.below(10) {
        0..=5 => Shared::Email,
        6..=8 => Shared::ShopifyId,
        _ => Shared::SalesforceId,
    };
    Some((original, shared))
}

fn is_duplicate(seed: u64, index: u64) -> bool {
    let mut rng = Rng::derive(seed, STREAM_DUPLICATE, index);
    index != 0 && rng.chance(0.015)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salesforce_checksum_matches_the_documented_example() {
        // Salesforce's own example pair.
        assert_eq!(salesforce_18("001A0000006Vm9r"), "001A0000006Vm9rIAC");
    }

    #[test]
    fn every_generated_phone_normalises() {
        for i in 0..2000 {
            for p in identity(9, i, false).phones {
                assert!(p.normalized.is_some(), "{}", p.original);
            }
        }
    }
}
