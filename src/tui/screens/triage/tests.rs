use super::*;

#[test]
fn kind_filter_cycles_through_every_kind_and_back() {
    let mut k = None;
    let mut seen = vec![];
    for _ in 0..7 {
        k = next_kind(k);
        seen.push(k.map_or("all", |k| k.as_str()));
    }
    assert_eq!(seen, ["card", "iban", "ssn", "email", "phone", "ip", "all"]);
}
