//! The shared scanner for numbers written in groups: cards, SSNs, phones.
//!
//! One pass cuts the text into *runs*: digit groups joined by short
//! separators (space, dash, dot, parentheses), such as `(415) 555-0100` or
//! `4111 1111 1111 1111`. Each run is then tried whole, and if that fails,
//! as contiguous slices of its groups, longest first, so that
//! "call +1 415 555 0100 4111 1111 1111 1111" yields a phone and a card.
//! Keeping this in one place means the three detectors agree on what a
//! number's boundaries are, and a digit is looked at once, not three times.

use super::context::{self, Cue};
use super::{card, phone, ssn, Candidate, Kind};

#[derive(Debug, Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
}

impl Group {
    fn len(&self) -> usize {
        self.end - self.start
    }
}

/// What surrounds a run: whether its first or last group is glued to
/// something that makes it part of a larger token (an ID, an amount, a
/// date or time), and whether it follows a '#'.
#[derive(Debug, Clone, Copy, Default)]
struct Edges {
    left_blocked: bool,
    right_blocked: bool,
    hashed: bool,
}

/// Append card, SSN and phone candidates found in `bytes`; national phone
/// numbers are read in `region` (None: North America). Returns whether a
/// run could be a national phone number of some other region (8 to 13
/// digits in groups, or solid after a phone word; not a date), so the
/// scanner knows whether the customer's region is worth looking up.
pub(crate) fn scan(bytes: &[u8], out: &mut Vec<Candidate>, region: Option<&str>) -> bool {
    let mut national = false;
    let n = bytes.len();
    let mut groups: Vec<Group> = Vec::new();
    let mut i = 0;
    while i < n {
        i = super::next_digit(bytes, i);
        if i == n {
            break;
        }
        groups.clear();
        let mut j = i;
        loop {
            let start = j;
            while j < n && bytes[j].is_ascii_digit() {
                j += 1;
            }
            groups.push(Group { start, end: j });
            let mut k = j;
            while k < n && k - j < 3 && is_separator(bytes[k]) {
                k += 1;
            }
            if k > j && k < n && bytes[k].is_ascii_digit() && separator_ok(&bytes[j..k]) {
                j = k;
            } else {
                break;
            }
        }
        if !national {
            national = maybe_national(bytes, &groups);
        }
        classify_run(
            Run {
                bytes,
                groups: &groups,
                region,
            },
            out,
        );
        i = j;
    }
    national
}

/// See `scan`'s answer.
fn maybe_national(bytes: &[u8], groups: &[Group]) -> bool {
    let total: usize = groups.iter().map(Group::len).sum();
    if !(8..=13).contains(&total) {
        return false;
    }
    let (first, last) = (groups[0], groups[groups.len() - 1]);
    let glued = (first.start > 0 && is_word(bytes[first.start - 1]))
        || (last.end < bytes.len() && is_word(bytes[last.end]));
    let date = groups.len() == 3
        && matches!(
            [groups[0].len(), groups[1].len(), groups[2].len()],
            [4, 2, 2] | [2, 2, 4]
        );
    let worded =
        groups.len() > 1 || context::before(bytes, first.start, &phone::WORDS) == Cue::Positive;
    !glued && !date && worded
}

fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.' | b'(' | b')')
}

fn separator_ok(sep: &[u8]) -> bool {
    match sep {
        [_] => true,
        [a, b] => {
            let paren = |c: &u8| matches!(c, b'(' | b')');
            let plain = |c: &u8| matches!(c, b' ' | b'-');
            (paren(a) && plain(b)) || (plain(a) && paren(b))
        }
        b" - " => true,
        _ => false,
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Start of a group including a '(' and a '+' written right before it.
fn span_start(bytes: &[u8], g: Group) -> (usize, bool) {
    let mut s = g.start;
    if s > 0 && bytes[s - 1] == b'(' {
        s -= 1;
    }
    let plus = s > 0 && bytes[s - 1] == b'+';
    if plus {
        s -= 1;
    }
    (s, plus)
}

fn edges(bytes: &[u8], groups: &[Group]) -> Edges {
    let mut e = Edges::default();
    let (s, _) = span_start(bytes, groups[0]);
    if s > 0 {
        let prev = bytes[s - 1];
        let before = if s > 1 { bytes[s - 2] } else { b' ' };
        e.hashed = prev == b'#';
        e.left_blocked = is_word(prev)
            || prev == b'@'
            || prev == b'$'
            || is_currency_tail(&bytes[..s])
            || (matches!(prev, b',' | b'.' | b'/' | b':') && before.is_ascii_digit())
            || (matches!(prev, b'-' | b'.' | b'/') && before.is_ascii_alphabetic());
    }
    let end = groups[groups.len() - 1].end;
    if end < bytes.len() {
        let next = bytes[end];
        let after = bytes.get(end + 1).copied().unwrap_or(b' ');
        e.right_blocked = is_word(next)
            || matches!(next, b'%' | b'@')
            || (matches!(next, b',' | b'.' | b'/' | b':') && after.is_ascii_digit())
            || (next == b'-' && after.is_ascii_alphabetic());
    }
    e
}

/// Whether the text ends in a currency sign written before an amount:
/// '€' (E2 82 AC), '£' (C2 A3) or '¥' (C2 A5), optionally with one space.
fn is_currency_tail(before: &[u8]) -> bool {
    let t = before.strip_suffix(b" ").unwrap_or(before);
    t.ends_with("€".as_bytes())
        || t.ends_with("£".as_bytes())
        || t.ends_with("¥".as_bytes())
        || t.ends_with(b"$")
}

/// One run of digit groups, and the region its national numbers are in.
struct Run<'t> {
    bytes: &'t [u8],
    groups: &'t [Group],
    region: Option<&'t str>,
}

fn classify_run(run: Run, out: &mut Vec<Candidate>) {
    let Run {
        bytes,
        groups,
        region,
    } = run;
    let region = region.filter(|r| !phone::is_nanp(r));
    let total: usize = groups.iter().map(Group::len).sum();
    if total < 7 {
        return;
    }
    // USPS tracking numbers: 20–22 digits starting with 9 (92, 93, 94, 95).
    if (20..=22).contains(&total) && bytes[groups[0].start] == b'9' {
        return;
    }
    let edges = edges(bytes, groups);
    let g = groups.len();
    let mut a = 0;
    let mut left_claimed = false;
    while a < g {
        if a == 0 && edges.left_blocked {
            a += 1;
            continue;
        }
        let mut found = None;
        for b in (a + 1..=g.min(a + 19)).rev() {
            if b == g && edges.right_blocked {
                continue;
            }
            let slice = Slice {
                bytes,
                groups,
                a,
                b,
                hashed: a == 0 && edges.hashed,
                left_claimed,
                region,
            };
            if let Some(c) = slice.classify() {
                found = Some((b, c));
                break;
            }
        }
        match found {
            Some((b, c)) => {
                out.push(c);
                a = b;
                left_claimed = true;
            }
            None => {
                a += 1;
                left_claimed = false;
            }
        }
    }
}

/// Groups `a..b` of one run, tried as one number.
struct Slice<'t> {
    bytes: &'t [u8],
    groups: &'t [Group],
    a: usize,
    b: usize,
    hashed: bool,
    /// Groups right before `a` already form another detection.
    left_claimed: bool,
    /// A region outside North America for national numbers.
    region: Option<&'t str>,
}

impl Slice<'_> {
    fn classify(&self) -> Option<Candidate> {
        let mut buf = [0u8; 19];
        let mut n = 0;
        for g in &self.groups[self.a..self.b] {
            for &d in &self.bytes[g.start..g.end] {
                if n == buf.len() {
                    return None;
                }
                buf[n] = d;
                n += 1;
            }
        }
        let digits = &buf[..n];
        let (outer, plus) = span_start(self.bytes, self.groups[self.a]);
        let digit_start = self.groups[self.a].start;
        let end = self.groups[self.b - 1].end;
        let candidate = |kind, start, confidence| Candidate {
            kind,
            start,
            end,
            confidence,
        };
        if let Some(c) = self.card(digits, plus, digit_start, end) {
            return Some(candidate(Kind::Card, digit_start, c));
        }
        if let Some(c) = self.ssn(digits, digit_start) {
            return Some(candidate(Kind::Ssn, digit_start, c));
        }
        // A phone's span takes its '+' and the '(' of "(415) 555-0100",
        // but not a '(' that merely wraps the number.
        let closes = self.b - self.a > 1 && self.gap(self.a).starts_with(b")");
        let phone_start = if plus || closes { outer } else { digit_start };
        if let Some(c) = self.phone(digits, plus, phone_start) {
            return Some(candidate(Kind::Phone, phone_start, c));
        }
        None
    }

    fn lens(&self) -> impl Iterator<Item = usize> + '_ {
        self.groups[self.a..self.b].iter().map(Group::len)
    }

    /// The separator bytes between group `i` and `i + 1`.
    fn gap(&self, i: usize) -> &[u8] {
        &self.bytes[self.groups[i].end..self.groups[i + 1].start]
    }

    fn gaps(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (self.a..self.b - 1).map(|i| self.gap(i))
    }

    fn card(&self, digits: &[u8], plus: bool, start: usize, end: usize) -> Option<f32> {
        if plus || !(13..=19).contains(&digits.len()) {
            return None;
        }
        let sep = if self.b - self.a > 1 {
            Some(self.gap(self.a))
        } else {
            None
        };
        if self
            .gaps()
            .any(|g| !matches!(g, b" " | b"-") || Some(g) != sep)
        {
            return None;
        }
        if !self.card_cuts_ok(sep) {
            return None;
        }
        let base = card::base_confidence(digits)?;
        let cue = context::before(self.bytes, start, &card::WORDS);
        let after = context::after(self.bytes, end, &card::WORDS_AFTER);
        match cue {
            Cue::Positive => Some(0.97),
            _ if after => Some(0.95),
            Cue::Negative => None,
            Cue::None if self.hashed || base < card::KNOWN_ISSUER => None,
            Cue::None => Some(base),
        }
    }

    /// A card taken from part of a run must be set apart from the rest: by
    /// a different separator, or by a short tail such as an expiry
    /// ("4111 1111 1111 1111 12 27"). Otherwise "4111 1111 1111 1111 2345"
    /// could yield a card from its first sixteen digits.
    fn card_cuts_ok(&self, sep: Option<&[u8]>) -> bool {
        let side_ok = |gap: &[u8], outside: &[Group]| {
            let digits: usize = outside.iter().map(Group::len).sum();
            Some(gap) != sep || digits <= 4 && outside.iter().all(|g| g.len() <= 2)
        };
        let left = self.a == 0
            || self.left_claimed
            || side_ok(self.gap(self.a - 1), &self.groups[..self.a]);
        let right =
            self.b == self.groups.len() || side_ok(self.gap(self.b - 1), &self.groups[self.b..]);
        left && right
    }

    fn ssn(&self, digits: &[u8], start: usize) -> Option<f32> {
        if digits.len() != 9 || !ssn::valid(digits) {
            return None;
        }
        let lens: [usize; 3] = [3, 2, 4];
        let form = if self.b - self.a == 1 {
            ssn::Form::Plain
        } else if self.b - self.a == 3 && self.lens().eq(lens) {
            let (g1, g2) = (self.gap(self.a), self.gap(self.a + 1));
            match (g1, g2) {
                (b"-", b"-") => ssn::Form::Dashed,
                (b" ", b" ") => ssn::Form::Spaced,
                (b".", b".") => ssn::Form::Dotted,
                _ => return None,
            }
        } else {
            return None;
        };
        let cue = context::before(self.bytes, start, &ssn::WORDS);
        ssn::confidence(form, cue, self.hashed)
    }

    fn phone(&self, digits: &[u8], plus: bool, start: usize) -> Option<f32> {
        if !(8..=15).contains(&digits.len()) {
            return None;
        }
        let first = &self.groups[self.a];
        let dial_out = first.len() >= 2 && self.bytes[first.start..].starts_with(b"00");
        let (base, needs_context) = if plus {
            phone::from_international(digits)?;
            (0.9, false)
        } else if dial_out {
            phone::from_international(&digits[2..])?;
            (0.8, false)
        } else if let Some(region) = self.region {
            // A valid number of the customer's region, as dialled there:
            // grouped, it is written as a phone; solid, any number of
            // that length unless the text says "call" or "phone". The
            // cheap checks go first: a whole run (a national number is
            // never cut from a longer one), of a length the region's
            // numbers have, and for solid digits a phone word.
            let grouped = self.b - self.a > 1;
            let whole = self.a == 0 && self.b == self.groups.len();
            if !whole || !phone::national_length_ok(digits.len(), region) {
                return None;
            }
            if !grouped && context::before(self.bytes, start, &phone::WORDS) != Cue::Positive {
                return None;
            }
            phone::from_region(digits, region, phone::Check::Assigned)?;
            (if grouped { 0.85 } else { 0.8 }, !grouped)
        } else if phone::from_nanp(digits).is_some()
            // Eleven solid digits from 1 are also how a Chinese mobile is
            // written: North American only in an area code given out.
            && (digits.len() != 11 || self.b - self.a > 1 || phone::nanp_assigned(digits))
        {
            // Not the tail of a longer number written the same way
            // (`91-415-555-0132` holds no US number of its own).
            if self.a > 0
                && !self.left_claimed
                && self.b - self.a > 1
                && self.gap(self.a - 1) == self.gap(self.a)
            {
                return None;
            }
            self.nanp_shape(digits)?
        } else {
            // A country code written without its '+' (`91-415-555-0132`):
            // a phone only where the text says so.
            let first = self.groups[self.a].len();
            if self.b - self.a < 2 || phone::calling_code_len(digits) != Some(first) {
                return None;
            }
            phone::from_international(digits)?;
            (0.7, true)
        };
        match context::before(self.bytes, start, &phone::WORDS) {
            Cue::Negative => None,
            Cue::Positive => Some(f32::max(base, 0.95)),
            Cue::None if needs_context || self.hashed => None,
            Cue::None => Some(base),
        }
    }

    /// How a national (NANP) number is written decides how sure we are:
    /// `(415) 555-0100` and `415-555-0100` are phones; `415 555 0100` is
    /// probably one; `4155550100` is any ten-digit number unless the text
    /// says "call" or "phone". Returns (confidence, needs context).
    fn nanp_shape(&self, digits: &[u8]) -> Option<(f32, bool)> {
        let parts = self.b - self.a;
        if parts == 1 {
            return Some((0.85, true));
        }
        // Skip a leading country code "1" group.
        let a = if parts == 4 && digits[0] == b'1' && self.groups[self.a].len() == 1 {
            self.a + 1
        } else {
            self.a
        };
        let main = self.groups[a..self.b].iter().map(Group::len);
        if !main.eq([3, 3, 4]) {
            return None;
        }
        let area = self.groups[a];
        let opened = area.start > 0 && self.bytes[area.start - 1] == b'(';
        let g1 = self.gap(a);
        let g2 = self.gap(a + 1);
        let closed = g1.first() == Some(&b')');
        if opened != closed || !matches!(g2, b"-" | b"." | b" ") {
            return None;
        }
        if !closed && !matches!(g1, b"-" | b"." | b" ") {
            return None;
        }
        let spaced = g1 == b" " && g2 == b" ";
        Some((if spaced { 0.7 } else { 0.85 }, false))
    }
}

#[cfg(test)]
mod tests {
    use crate::pii::{detect, Kind, KnownContacts};

    fn found(text: &str) -> Vec<(Kind, &str)> {
        detect(text, &KnownContacts::default())
            .into_iter()
            .map(|d| (d.kind, &text[d.start..d.end]))
            .collect()
    }

    #[test]
    fn splits_a_run_into_phone_and_card() {
        assert_eq!(
            found("+1 415 555 0100 4111 1111 1111 1111"),
            [
                (Kind::Phone, "+1 415 555 0100"),
                (Kind::Card, "4111 1111 1111 1111")
            ]
        );
    }

    #[test]
    fn parentheses_around_a_number_are_not_part_of_it() {
        assert_eq!(found("my SSN (536-22-8410)"), [(Kind::Ssn, "536-22-8410")]);
        assert_eq!(
            found("call (415) 555-0100"),
            [(Kind::Phone, "(415) 555-0100")]
        );
        assert_eq!(
            found("phone (+44 20 7946 0958)"),
            [(Kind::Phone, "+44 20 7946 0958")]
        );
    }

    #[test]
    fn card_followed_by_expiry() {
        assert_eq!(
            found("4111 1111 1111 1111 12/27"),
            [(Kind::Card, "4111 1111 1111 1111")]
        );
        assert_eq!(
            found("4111 1111 1111 1111 12 27"),
            [(Kind::Card, "4111 1111 1111 1111")]
        );
    }

    #[test]
    fn no_card_from_the_front_of_a_longer_number() {
        assert!(found("4111 1111 1111 1111 2345").is_empty());
    }

    #[test]
    fn dates_times_and_amounts_are_not_numbers_of_interest() {
        for text in [
            "on 2024-03-14 10:30:00 UTC",
            "2024-03-14T10:30:00Z",
            "03/14/2024 at 4:15pm",
            "total $1,234.56",
            "€ 1.234.567,89 refunded",
            "£4111111111111111",
            "epoch 1710412200",
            "v4.111.1111.1111",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn ids_glued_to_letters_are_not_pii() {
        assert!(found("INV-2024-4111111111111111").is_empty());
        assert!(found("SKU4111111111111111").is_empty());
        assert!(found("ref:4111111111111111x").is_empty());
    }
}
