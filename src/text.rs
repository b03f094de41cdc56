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

/// `1 item`, `3 items`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
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
    use super::{counts, fold};

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
