use super::*;

fn ms(s: &str) -> Millis {
    clock::parse(s).unwrap()
}

#[test]
fn deadlines_follow_the_regulation() {
    assert_eq!(
        clock::date(Regulation::Gdpr.due(ms("2026-01-31"))),
        "2026-02-28"
    );
    assert_eq!(
        clock::date(Regulation::Gdpr.due(ms("2028-01-31"))),
        "2028-02-29"
    );
    assert_eq!(
        clock::date(Regulation::Gdpr.due(ms("2026-03-15"))),
        "2026-04-15"
    );
    assert_eq!(
        clock::date(Regulation::Ccpa.due(ms("2026-01-01"))),
        "2026-02-15"
    );
    assert_eq!(
        clock::date(Regulation::Other.due(ms("2026-01-01"))),
        "2026-01-31"
    );
    // Extensions: GDPR two more months, CCPA 45 more days.
    assert_eq!(
        clock::date(Regulation::Gdpr.extended(ms("2026-02-28"))),
        "2026-04-28"
    );
    assert_eq!(
        clock::date(Regulation::Ccpa.extended(ms("2026-02-15"))),
        "2026-04-01"
    );
}

#[test]
fn csv_rows_are_checked_with_line_numbers() {
    let text = "type,regulation,email,phone,received\n\
                erasure,gdpr,a@example.com,,2026-01-31\n\
                shred,gdpr,b@example.com,,\n\
                access,hipaa,c@example.com,,\n\
                erasure,ccpa,,,\n\
                erasure,ccpa,d@example.com,not a phone,\n\
                access,ccpa,e@example.com,,31/01/2026\n";
    let errs = parse_csv(text, 0).unwrap_err();
    assert_eq!(errs.len(), 5, "{errs:?}");
    assert!(errs[0].starts_with("line 3: type \"shred\""), "{errs:?}");
    assert!(errs[1].starts_with("line 4: regulation \"hipaa\""));
    assert!(errs[2].starts_with("line 5: a request needs at least one identifier"));
    assert!(errs[3].starts_with("line 6: \"not a phone\""));
    assert!(errs[4].starts_with("line 7: received date"));
    let ok = parse_csv("type,email\nerasure,a@example.com;b@example.com\n", 5).unwrap();
    assert_eq!(ok[0].identifiers.emails.len(), 2);
    assert_eq!(ok[0].received_at, 5);
}
