//! The kinds of search key, as `search_keys.kind` stores them.

/// The whole folded name.
pub const KIND_NAME: i64 = 1;
/// One word of the name.
pub const KIND_NAME_TOKEN: i64 = 2;
pub const KIND_EMAIL: i64 = 3;
pub const KIND_PHONE: i64 = 4;
pub const KIND_EXTERNAL_ID: i64 = 5;

/// Whether a key of this kind is a whole value the customer gave (a name,
/// an email, a phone or an external ID), rather than one word of a name.
pub fn is_whole_value(kind: i64) -> bool {
    matches!(kind, KIND_NAME | KIND_EMAIL | KIND_PHONE | KIND_EXTERNAL_ID)
}
