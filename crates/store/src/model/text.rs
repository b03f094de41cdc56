//! Text folding for matching what people type against what customers
//! wrote: `Amélie  GIRARD` and `amelie girard` are one key.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Compatibility-decomposed, accents and other combining marks dropped,
/// lowercased, inner whitespace folded to one space. Scripts without
/// decomposable accents (CJK, Hangul syllables) keep their characters.
pub fn fold(s: &str) -> String {
    let stripped: String = s.nfkd().filter(|c| !is_combining_mark(*c)).collect();
    // Recompose what was decomposed but not dropped (Hangul jamo).
    let composed: String = stripped.nfc().collect();
    composed
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

// Text from customers is untrusted. Before any of it reaches a terminal,
// the console's or the command line's, control characters, escape
// sequences, bidi overrides and invisible characters become visible
// placeholders.

/// The visible stand-in for a character that must not reach the terminal
/// raw, or None when the character is safe.
fn placeholder(c: char) -> Option<char> {
    Some(match c {
        '\u{1b}' => '␛',
        '\u{7f}' => '␡',
        // C0 controls have pictures at U+2400 + code.
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('�'),
        // C1 controls (8-bit CSI, OSC...), bidi embeddings, overrides and
        // isolates, and invisible format characters.
        '\u{80}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e007f}' => '�',
        '\u{2028}' | '\u{2029}' => '⏎',
        _ => return None,
    })
}

/// One line of display text: every newline shows as `⏎`, tabs as a space.
pub fn safe_line(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' => '⏎',
            '\t' => ' ',
            '\r' => '␍',
            c => placeholder(c).unwrap_or(c),
        })
        .collect()
}

/// Multi-line display text: newlines are kept (a CR LF pair counts as one
/// newline), tabs become four spaces, everything else as in `safe_line`.
pub fn safe_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push_str("    "),
            '\r' if chars.peek() == Some(&'\n') => {}
            c => out.push(placeholder(c).unwrap_or(c)),
        }
    }
    out
}

/// `1 item`, `3 items`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A byte count as people read it, in binary units, the one size format of
/// every screen and message: `1 byte`, `512 bytes`, `2.5 KB`, `1.0 MB`,
/// `8.2 GB`.
/// Any integer type; a negative count (a stored size gone wrong) reads as 0.
pub fn size(bytes: impl TryInto<u64>) -> String {
    const KB: f64 = 1024.0;
    let bytes: u64 = bytes.try_into().unwrap_or(0);
    let b = bytes as f64;
    match bytes {
        1 => "1 byte".into(),
        n if n < 1 << 10 => format!("{n} bytes"),
        n if n < 1 << 20 => format!("{:.1} KB", b / KB),
        n if n < 1 << 30 => format!("{:.1} MB", b / (KB * KB)),
        _ => format!("{:.1} GB", b / (KB * KB * KB)),
    }
}

/// The non-zero counts, as a person would say them: `1 item and
/// 2 attachments`; `nothing` when every count is zero.
pub fn counts(parts: &[(usize, &str)]) -> String {
    let said: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| plural(*n, w))
        .collect();
    match said.as_slice() {
        [] => "nothing".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::{counts, fold, size};

    #[test]
    fn sizes_read_one_way() {
        assert_eq!(size(0), "0 bytes");
        assert_eq!(size(1), "1 byte");
        assert_eq!(size(1023), "1023 bytes");
        assert_eq!(size(2560), "2.5 KB");
        assert_eq!(size(10_000_000), "9.5 MB");
        assert_eq!(size(8_449_269_760u64), "7.9 GB");
        assert_eq!(size(-5i64), "0 bytes");
    }

    #[test]
    fn counts_read_as_a_sentence() {
        assert_eq!(
            counts(&[(1, "item"), (0, "attachment"), (0, "recording")]),
            "1 item"
        );
        assert_eq!(
            counts(&[(3, "item"), (2, "attachment"), (1, "recording")]),
            "3 items, 2 attachments and 1 recording"
        );
        assert_eq!(counts(&[(0, "item")]), "nothing");
    }

    #[test]
    fn folds_accents_case_and_spaces_but_keeps_other_scripts() {
        assert_eq!(fold("Amélie  GIRARD"), "amelie girard");
        assert_eq!(fold("Łukasz Żółć"), "łukasz zołc");
        assert_eq!(fold("Ｆｕｌｌ width"), "full width");
        assert_eq!(fold("田中 太郎"), "田中 太郎");
        assert_eq!(fold("김민준"), "김민준");
    }
}
