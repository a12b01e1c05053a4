//! Text measured in terminal cells: wrapping, padding and cutting, for lines laid out
//! once in `update` rather than at every frame.
//!
//! These are where data is laid out for the screen, so they show its control characters
//! escaped first ([`crate::terminal::escape`]): the widths measured are those drawn.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub use crate::tui::sections::visible;

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to `max` cells, ending with `…` when something was cut.
pub fn cut(s: &str, max: usize) -> String {
    let s = &*crate::terminal::escape(s);
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Pads (or cuts) `s` to exactly `w` cells.
pub fn pad(s: &str, w: usize) -> String {
    let s = cut(s, w);
    let fill = w.saturating_sub(width(&s));
    format!("{s}{}", " ".repeat(fill))
}

/// Wraps `text` at word boundaries to `max` cells; words longer than a line are broken.
/// Line breaks in the text are kept.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let text = &*crate::terminal::escape(text);
    let max = max.max(8);
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in para.split(' ') {
            let w = width(word);
            if used > 0 && used + 1 + w > max {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            if w > max {
                // A word longer than a line (a URL, a DN): break it by cells.
                for c in word.chars() {
                    let cw = c.width().unwrap_or(0);
                    if used + cw > max {
                        lines.push(std::mem::take(&mut line));
                        used = 0;
                    }
                    line.push(c);
                    used += cw;
                }
                continue;
            }
            if used > 0 {
                line.push(' ');
                used += 1;
            }
            line.push_str(word);
            used += w;
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_and_breaks_long_ones() {
        assert_eq!(wrap("one two three", 8), vec!["one two", "three"]);
        assert_eq!(
            wrap("https://docs.example.test/a/very/long/path", 10).len(),
            5
        );
        assert_eq!(wrap("a\nb", 10), vec!["a", "b"]);
        assert_eq!(cut("Jürgen Müller", 6), "Jürge…");
        assert_eq!(pad("ab", 4), "ab  ");
    }
}
