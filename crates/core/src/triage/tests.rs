use super::*;

#[test]
fn hmac_matches_rfc_4231() {
    // Test case 2.
    let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
    assert_eq!(
        hex(&mac),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    // Test case 6: a key longer than the block is hashed first.
    let mac = hmac_sha256(
        &[0xaa; 131],
        &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
    );
    assert_eq!(
        hex(&mac),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
}

#[test]
fn fingerprints_ignore_formatting_but_not_kind_or_key() {
    let key = [7u8; 32];
    let fp = |k, v| fingerprint(&key, k, v);
    assert_eq!(
        fp(Kind::Card, "4111 1111 1111 1111"),
        fp(Kind::Card, "4111-1111-1111-1111")
    );
    assert_eq!(
        fp(Kind::Phone, "(415) 555-0100"),
        fp(Kind::Phone, "+1 415 555 0100")
    );
    assert_eq!(
        fp(Kind::Email, "Jo@Example.com"),
        fp(Kind::Email, "jo@example.com")
    );
    assert_ne!(fp(Kind::Ssn, "536-22-8410"), fp(Kind::Phone, "536-22-8410"));
    assert_ne!(
        fp(Kind::Ssn, "536-22-8410"),
        fingerprint(&[8u8; 32], Kind::Ssn, "536-22-8410")
    );
    assert!(!fp(Kind::Ssn, "536-22-8410").contains("8410"));
}
