//! The kinds of personal data the detectors find, and what they skip.

/// The kinds of personal data the detectors find.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Card,
    Iban,
    Ssn,
    Email,
    Phone,
    Ip,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Card,
        Kind::Iban,
        Kind::Ssn,
        Kind::Email,
        Kind::Phone,
        Kind::Ip,
    ];

    /// The stable lowercase name used in storage and JSON ("card", "iban", ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Card => "card",
            Kind::Iban => "iban",
            Kind::Ssn => "ssn",
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Ip => "ip",
        }
    }

    /// Inverse of [`Kind::as_str`]; also accepts any letter case.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The name shown to people ("card", "IBAN", "SSN", ...).
    pub fn label(&self) -> &'static str {
        match self {
            Kind::Card => "card",
            Kind::Iban => "IBAN",
            Kind::Ssn => "SSN",
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Ip => "IP",
        }
    }

    /// The text that replaces a redacted value.
    pub fn redaction_label(&self) -> &'static str {
        match self {
            Kind::Card => "[card removed]",
            Kind::Iban => "[IBAN removed]",
            Kind::Ssn => "[SSN removed]",
            Kind::Email => "[email removed]",
            Kind::Phone => "[phone removed]",
            Kind::Ip => "[IP removed]",
        }
    }
}

/// The customer's own contact details, already on the profile. Finding them
/// in the customer's messages is not a leak, so [`detect`] skips them.
#[derive(Debug, Default, Clone)]
pub struct KnownContacts {
    /// Lowercase email addresses.
    pub emails: Vec<String>,
    /// Phone numbers in E.164 ("+14155550100").
    pub phones_e164: Vec<String>,
    /// The region (ISO 3166 code, "IL") national numbers in the
    /// customer's messages are read in: the country of their own phone,
    /// else of their first address, else the account's `phone-region`;
    /// None is North America. The core settles it.
    pub region: Option<String>,
}

/// Confidence threshold below which a detection is "low" (UI filter).
pub const HIGH_CONFIDENCE: f32 = 0.8;
