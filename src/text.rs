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

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_accents_case_and_spaces_but_keeps_other_scripts() {
        assert_eq!(fold("Amélie  GIRARD"), "amelie girard");
        assert_eq!(fold("Łukasz Żółć"), "łukasz zołc");
        assert_eq!(fold("Ｆｕｌｌ width"), "full width");
        assert_eq!(fold("田中 太郎"), "田中 太郎");
        assert_eq!(fold("김민준"), "김민준");
    }
}
