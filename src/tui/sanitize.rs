//! Text from customers is untrusted. Before any of it reaches the terminal,
//! control characters, escape sequences, bidi overrides and invisible
//! characters become visible placeholders, and widths are measured in
//! terminal columns (CJK and emoji take two) so columns stay aligned.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub use crate::text::{safe_line as line, safe_text as text};

/// Columns a cleaned string takes.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// Cleans and cuts `s` to at most `max` columns, ending with `…` when cut.
/// A wide character that would straddle the edge is left out whole.
pub fn truncate(s: &str, max: usize) -> String {
    let s = line(s);
    if width(&s) <= max {
        return s;
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = char_width(c);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `truncate`, then padded with spaces to exactly `cols` columns.
pub fn fit(s: &str, cols: usize) -> String {
    let mut out = truncate(s, cols);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(w)));
    out
}

/// Cleans `s` and wraps it to `cols` columns: at spaces where possible,
/// inside a word when the word alone is too wide. Blank lines are kept.
pub fn wrap(s: &str, cols: usize) -> Vec<String> {
    let cols = cols.max(1);
    let mut lines = Vec::new();
    for para in text(s).split('\n') {
        let mut cur = String::new();
        let mut cur_w = 0;
        for word in para.split(' ') {
            let w = width(word);
            let sep = usize::from(!cur.is_empty());
            if cur_w + sep + w <= cols {
                if sep == 1 {
                    cur.push(' ');
                }
                cur.push_str(word);
                cur_w += sep + w;
                continue;
            }
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
                cur_w = 0;
            }
            for c in word.chars() {
                let cw = char_width(c);
                if cur_w + cw > cols && !cur.is_empty() {
                    lines.push(std::mem::take(&mut cur));
                    cur_w = 0;
                }
                cur.push(c);
                cur_w += cw;
            }
        }
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible() {
        let hostile = "a\u{1b}[2Jb\u{1b}]52;c;SGVsbG8=\u{7}c\u{9b}31m";
        let clean = line(hostile);
        assert_eq!(clean, "a␛[2Jb␛]52;c;SGVsbG8=␇c�31m");
        assert!(!clean.chars().any(|c| c.is_control()));
    }

    #[test]
    fn bidi_and_invisible_characters_are_shown() {
        assert_eq!(
            line("abc\u{202e}fed\u{2066}x\u{200b}y\u{feff}"),
            "abc�fed�x�y�"
        );
    }

    #[test]
    fn wide_characters_keep_columns() {
        assert_eq!(width("名前"), 4);
        assert_eq!(fit("名前テスト", 5), "名前…");
        assert_eq!(width(&fit("名前テスト", 5)), 5);
        assert_eq!(fit("😀ok", 6), "😀ok  ");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }

    #[test]
    fn wraps_by_columns() {
        assert_eq!(wrap("hello big world", 9), vec!["hello big", "world"]);
        assert_eq!(wrap("名前名前名前", 4), vec!["名前", "名前", "名前"]);
        assert_eq!(wrap("a\r\n\r\nb", 10), vec!["a", "", "b"]);
        assert_eq!(wrap("x\u{1b}[2J", 10), vec!["x␛[2J"]);
    }
}
