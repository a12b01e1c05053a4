//! A one-line text input. A masked input (passwords) shows one bullet per character,
//! never prints its content in `Debug`, and wipes its buffer when it is taken or dropped.

use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use zeroize::Zeroize;

use crate::secrets::SecretString;

#[derive(Clone, Default)]
pub struct TextInput {
    text: String,
    /// Cursor position in characters.
    cursor: usize,
    masked: bool,
}

impl fmt::Debug for TextInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = if self.masked {
            "[REDACTED]"
        } else {
            &self.text
        };
        f.debug_struct("TextInput")
            .field("text", &shown)
            .field("cursor", &self.cursor)
            .field("masked", &self.masked)
            .finish()
    }
}

impl Drop for TextInput {
    fn drop(&mut self) {
        if self.masked {
            self.text.zeroize();
        }
    }
}

/// What a key did to the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Changed,
    Moved,
    Submit,
    Cancel,
    Ignored,
}

impl TextInput {
    pub fn new(initial: &str) -> Self {
        Self {
            text: initial.to_string(),
            cursor: initial.chars().count(),
            masked: false,
        }
    }

    pub fn masked() -> Self {
        Self {
            text: String::new(),
            cursor: 0,
            masked: true,
        }
    }

    pub fn is_masked(&self) -> bool {
        self.masked
    }

    /// The text (for a masked input, use [`TextInput::take_secret`]).
    pub fn value(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// What the screen shows: the text, or one bullet per character.
    pub fn display(&self) -> String {
        if self.masked {
            "•".repeat(self.text.chars().count())
        } else {
            self.text.clone()
        }
    }

    /// Moves the text into a secret, leaving the input empty; `None` when nothing was
    /// typed.
    pub fn take_secret(&mut self) -> Option<SecretString> {
        if self.text.is_empty() {
            return None;
        }
        let text = std::mem::take(&mut self.text);
        self.cursor = 0;
        // `SecretString::from(String)` keeps the same allocation: no copy is left behind.
        Some(SecretString::from(text))
    }

    fn byte_index(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    pub fn insert(&mut self, c: char) {
        let at = self.byte_index(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    pub fn clear(&mut self) {
        if self.masked {
            self.text.zeroize();
        }
        self.text.clear();
        self.cursor = 0;
    }

    /// Applies one key.
    pub fn handle(&mut self, key: &KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => Edit::Submit,
            KeyCode::Esc => Edit::Cancel,
            KeyCode::Char('c') if ctrl => Edit::Cancel,
            KeyCode::Char('u') if ctrl => {
                self.clear();
                Edit::Changed
            }
            KeyCode::Char('a') if ctrl => {
                self.cursor = 0;
                Edit::Moved
            }
            KeyCode::Char('e') if ctrl => {
                self.cursor = self.len();
                Edit::Moved
            }
            KeyCode::Char(c) if !ctrl => {
                self.insert(c);
                Edit::Changed
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_index(self.cursor);
                self.text.remove(at);
                Edit::Changed
            }
            KeyCode::Delete if self.cursor < self.len() => {
                let at = self.byte_index(self.cursor);
                self.text.remove(at);
                Edit::Changed
            }
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                Edit::Moved
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(self.len());
                Edit::Moved
            }
            KeyCode::Home => {
                self.cursor = 0;
                Edit::Moved
            }
            KeyCode::End => {
                self.cursor = self.len();
                Edit::Moved
            }
            _ => Edit::Ignored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::ExposeSecret;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn editing_keys_work_on_characters_not_bytes() {
        let mut t = TextInput::new("Jürgen");
        t.handle(&key(KeyCode::Left));
        t.handle(&key(KeyCode::Backspace));
        t.handle(&key(KeyCode::Char('E')));
        assert_eq!(t.value(), "JürgEn");
        t.handle(&key(KeyCode::Home));
        t.handle(&key(KeyCode::Delete));
        assert_eq!(t.value(), "ürgEn");
        assert_eq!(t.handle(&key(KeyCode::Enter)), Edit::Submit);
    }

    #[test]
    fn a_masked_input_shows_bullets_and_hides_its_text_from_debug() {
        let mut t = TextInput::masked();
        for c in "S3cret!".chars() {
            t.handle(&key(KeyCode::Char(c)));
        }
        assert_eq!(t.display(), "•••••••");
        assert!(!format!("{t:?}").contains("S3cret"));
        let s = t.take_secret().unwrap();
        assert_eq!(s.expose_secret(), "S3cret!");
        assert_eq!(t.value(), "");
        assert!(t.take_secret().is_none());
    }
}
