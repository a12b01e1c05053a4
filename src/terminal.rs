//! Text bound for a terminal. One rule: control characters that come from data (names,
//! notes and values read from ATA, the directory or the engagement's files, input files
//! quoted in an error) never reach the terminal raw. They are shown escaped, `\x1b`,
//! `\x07`, `\u{9b}`, whatever the colour setting, so an ESC, BEL, CSI or OSC sequence in a
//! name can neither move the cursor, retitle the window nor hide a line, and the person
//! reading still sees that something odd is there.
//!
//! [`escape`] is the one sanitiser. It is applied where text leaves for a terminal: the
//! command line's writers of stdout, stderr, logs and progress ([`crate::cli`]), and the
//! TUI where data enters its widgets (ratatui itself drops control characters, silently;
//! escaping first makes them visible and keeps the layout's widths true).
//!
//! Colour in command-line text is therefore never written as escape sequences while the
//! text is built: [`paint`] wraps a run in marker characters (unassigned code points of
//! zero display width, so table layout is unaffected), and [`finish`], at the writer,
//! escapes every control character and only then turns the markers into colour codes, or
//! drops them when colour is off. A marker that comes from data can at most switch on one
//! of these few colours; it cannot produce any other sequence.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The colours command-line text uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    Header,
    Ok,
    Warn,
    Fail,
    Dim,
    /// A check whose result is unknown.
    Unknown,
    /// A check a person must confirm.
    Manual,
}

const PAINTS: [Paint; 7] = [
    Paint::Header,
    Paint::Ok,
    Paint::Warn,
    Paint::Fail,
    Paint::Dim,
    Paint::Unknown,
    Paint::Manual,
];

/// First marker: `Paint` n is `MARK_BASE + n`; the reset is [`MARK_RESET`]. U+E0002 to
/// U+E001F are unassigned and default-ignorable (zero width, never in real text).
const MARK_BASE: u32 = 0xE0002;
const MARK_RESET: char = '\u{E001F}';

impl Paint {
    fn marker(self) -> char {
        let n = PAINTS.iter().position(|p| *p == self).unwrap_or(0) as u32;
        char::from_u32(MARK_BASE + n).unwrap_or(MARK_RESET)
    }

    fn sgr(self) -> &'static str {
        match self {
            Paint::Header => "\x1b[1m",
            Paint::Ok => "\x1b[32m",
            Paint::Warn => "\x1b[33m",
            Paint::Fail => "\x1b[1;31m",
            Paint::Dim => "\x1b[2m",
            Paint::Unknown => "\x1b[35m",
            Paint::Manual => "\x1b[36m",
        }
    }
}

/// `text` in `paint`, for [`finish`] to colour (or not).
pub fn paint(paint: Paint, text: impl std::fmt::Display) -> String {
    format!("{}{text}{MARK_RESET}", paint.marker())
}

fn paint_of(c: char) -> Option<Paint> {
    (c as u32)
        .checked_sub(MARK_BASE)
        .and_then(|n| PAINTS.get(n as usize).copied())
}

fn is_marker(c: char) -> bool {
    c == MARK_RESET || paint_of(c).is_some()
}

/// Bidirectional embeddings, overrides and isolates: they reorder what follows on the
/// screen (text that reads differently from what it is).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` is shown escaped. Line feed and tab are layout, not control.
fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c) || is_marker(c)
}

fn push_escaped(out: &mut String, c: char) {
    let n = c as u32;
    if n < 0x80 {
        let _ = write!(out, "\\x{n:02x}");
    } else {
        let _ = write!(out, "\\u{{{n:x}}}");
    }
}

/// `text` with every control character shown escaped (`\x1b`); the text itself when it
/// holds none. Idempotent: what it returns holds no control character but line breaks
/// (LF, CRLF) and tabs.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !has_escapes(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if needs_escape(c) && !line_end(c, chars.peek()) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A CR right before a LF ends a line (Windows text, the collector scripts): kept. A CR
/// alone returns to the start of the line and lets what follows overwrite it: escaped.
fn line_end(c: char, next: Option<&char>) -> bool {
    c == '\r' && next == Some(&'\n')
}

fn has_escapes(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if needs_escape(c) && !line_end(c, chars.peek()) {
            return true;
        }
    }
    false
}

/// Command-line text ready for the terminal: control characters escaped, then the
/// [`paint`] markers turned into colour codes (`color`) or removed.
pub fn finish(text: &str, color: bool) -> Cow<'_, str> {
    if !has_escapes(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if line_end(c, chars.peek()) {
            out.push(c);
        } else if let Some(p) = paint_of(c) {
            if color {
                out.push_str(p.sgr());
            }
        } else if c == MARK_RESET {
            if color {
                out.push_str("\x1b[0m");
            }
        } else if needs_escape(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON for a terminal: a DEL or C1 control character inside a string (JSON writers
/// leave them raw; C0 is always escaped) becomes its `\u` escape, so the document reads
/// back the same.
pub fn json_safe(json: &str) -> Cow<'_, str> {
    let raw = |c: char| c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c);
    if !json.chars().any(raw) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if raw(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "FAB\x1b[31m-DC01\x07 \x1b]0;owned\x07 \u{9b}2J \x1b]8;;http://x\x1b\\link\r\u{202e}txt\x7f";

    #[test]
    fn every_control_character_is_shown_escaped_and_layout_kept() {
        let shown = escape(HOSTILE);
        assert!(!shown.chars().any(needs_escape), "{shown:?}");
        assert_eq!(
            shown,
            "FAB\\x1b[31m-DC01\\x07 \\x1b]0;owned\\x07 \\u{9b}2J \\x1b]8;;http://x\\x1b\\link\\x0d\\u{202e}txt\\x7f"
        );
        assert_eq!(escape("line 1\n\tline 2"), "line 1\n\tline 2");
        assert_eq!(escape("crlf\r\nline"), "crlf\r\nline");
        assert_eq!(escape("a\rb"), "a\\x0db");
        assert!(matches!(escape("plain FAB-DC01"), Cow::Borrowed(_)));
        assert_eq!(escape(&shown), shown, "idempotent");
    }

    #[test]
    fn paint_becomes_colour_only_after_the_data_is_escaped() {
        let text = format!("{} {}", paint(Paint::Fail, "fail"), HOSTILE);
        let on = finish(&text, true);
        assert!(on.starts_with("\x1b[1;31mfail\x1b[0m "), "{on:?}");
        // The only ESC bytes are the two of the paint.
        assert_eq!(on.matches('\x1b').count(), 2, "{on:?}");
        let off = finish(&text, false);
        assert!(!off.contains('\x1b'), "{off:?}");
        assert!(off.starts_with("fail FAB\\x1b[31m"), "{off:?}");
        // A marker in data is at most a colour.
        let forged = format!("x{}y", Paint::Ok.marker());
        assert_eq!(finish(&forged, true), "x\x1b[32my");
        assert_eq!(escape(&forged), "x\\u{e0003}y");
    }

    #[test]
    fn markers_have_no_width() {
        use unicode_width::UnicodeWidthStr;
        let painted = paint(Paint::Header, "Status");
        assert_eq!(painted.width(), "Status".width());
    }

    #[test]
    fn json_keeps_its_meaning() {
        let v = serde_json::json!({ "name": HOSTILE });
        let text = serde_json::to_string(&v).unwrap();
        let safe = json_safe(&text);
        assert!(!safe.chars().any(|c| c.is_control()), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, v);
    }
}
