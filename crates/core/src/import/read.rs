//! Splitting the input into documents: JSON Lines, or the pretty-printed
//! documents `lethe export` writes. Each document comes with the line it
//! starts on, for error messages.

use std::io::{BufRead, Read};

use serde_json::Value;

use super::{limit, size, Limits};
use crate::error::Result;

/// Reads documents from `input`, calling `each` with the line each starts
/// on and its JSON (or why it could not be read). Blank lines are skipped,
/// a UTF-8 BOM and CRLF line ends are accepted. When the first non-blank
/// line is a lone `{`, the input is read as pretty-printed documents (what
/// `lethe export` writes) instead of one document per line.
pub(super) fn read_documents(
    input: &mut dyn BufRead,
    limits: &Limits,
    each: &mut dyn FnMut(usize, std::result::Result<Value, String>) -> Result<()>,
) -> Result<()> {
    let mut buf = Vec::new();
    let mut line = 0;
    // Only the first non-blank line can switch to pretty-printed mode.
    let mut first = true;
    loop {
        buf.clear();
        let Some(len) = read_line_limited(input, &mut buf, limits.line_bytes)? else {
            return Ok(());
        };
        line += 1;
        if len > limits.line_bytes {
            each(
                line,
                Err(format!(
                    "the line is {}; the limit is {} per line",
                    size(len),
                    limit(limits.line_bytes)
                )),
            )?;
            continue;
        }
        let text = match std::str::from_utf8(&buf) {
            Ok(t) => t,
            Err(e) => {
                each(
                    line,
                    Err(format!(
                        "the line is not UTF-8 text (invalid byte at column {})",
                        e.valid_up_to() + 1
                    )),
                )?;
                continue;
            }
        };
        let text = if line == 1 {
            text.strip_prefix('\u{feff}').unwrap_or(text)
        } else {
            text
        };
        let text = text.strip_suffix('\r').unwrap_or(text);
        if text.trim().is_empty() {
            continue;
        }
        if first && text.trim() == "{" {
            return read_pretty(input, text, line, limits, each);
        }
        first = false;
        each(
            line,
            serde_json::from_str::<Value>(text).map_err(json_error),
        )?;
    }
}

/// Reads the rest of the input as one or more pretty-printed documents.
/// A JSON syntax error ends the reading: after it, where the next document
/// starts cannot be known.
fn read_pretty(
    input: &mut dyn BufRead,
    first: &str,
    first_line: usize,
    limits: &Limits,
    each: &mut dyn FnMut(usize, std::result::Result<Value, String>) -> Result<()>,
) -> Result<()> {
    let mut bytes = format!("{first}\n").into_bytes();
    let room = limits.line_bytes.saturating_sub(bytes.len()) as u64;
    input.take(room + 1).read_to_end(&mut bytes)?;
    if bytes.len() > limits.line_bytes {
        return each(
            first_line,
            Err(format!(
                "this pretty-printed input is larger than the {} limit; import large data as JSON Lines, one document per line",
                limit(limits.line_bytes)
            )),
        );
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = first_line + e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
            return each(line, Err("the line is not UTF-8 text".into()));
        }
    };
    let mut pos = 0;
    let mut line = first_line;
    loop {
        let rest = &text[pos..];
        let trimmed = rest.trim_start();
        line += rest[..rest.len() - trimmed.len()].matches('\n').count();
        pos += rest.len() - trimmed.len();
        if trimmed.is_empty() {
            return Ok(());
        }
        let mut stream = serde_json::Deserializer::from_str(trimmed).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) => {
                let end = stream.byte_offset();
                each(line, Ok(v))?;
                line += trimmed[..end].matches('\n').count();
                pos += end;
            }
            Some(Err(e)) => {
                let at = line + e.line().saturating_sub(1);
                return each(at, Err(json_error(e)));
            }
            None => return Ok(()),
        }
    }
}

/// serde_json's message without its "at line 1 column N", which is
/// misleading for a line of a larger file.
fn json_error(e: serde_json::Error) -> String {
    let mut msg = e.to_string();
    if let Some(i) = msg.rfind(" at line ") {
        msg.truncate(i);
    }
    format!("not valid JSON: {msg} (column {})", e.column())
}

/// Reads one line into `buf` without its `\n`, keeping at most `limit`
/// bytes so an endless line cannot exhaust memory. Returns the line's full
/// length, or None at the end of the input.
fn read_line_limited(
    input: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<Option<usize>> {
    let mut total = 0usize;
    let mut any = false;
    loop {
        let chunk = match input.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(any.then_some(total));
        }
        any = true;
        let newline = chunk.iter().position(|&b| b == b'\n');
        let part = &chunk[..newline.unwrap_or(chunk.len())];
        let keep = part.len().min(limit.saturating_sub(total));
        buf.extend_from_slice(&part[..keep]);
        total += part.len();
        let used = newline.map_or(chunk.len(), |i| i + 1);
        input.consume(used);
        if newline.is_some() {
            return Ok(Some(total));
        }
    }
}
