//! YAML in and out, with errors that point at file, line and column.
//!
//! Every YAML file ata2atp reads (engagement files, checklists, mappings) goes through
//! [`from_str`], so a consultant who edits one by hand always gets the same kind of message.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A YAML document that could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// The file (or built-in resource) the text came from.
    pub origin: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.origin, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.origin, self.message),
            _ => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

impl std::error::Error for YamlError {}

/// Parses `text`, naming `origin` in any error.
pub fn from_str<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T, YamlError> {
    // The parser's default budget (250,000 nodes) is below a large deployment's inventory
    // (5,000 exclusions and 5,000 open alerts take about 400,000); the budget's other
    // limits, those against alias bombs among them, stay as they are.
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: 20_000_000,
            max_events: 80_000_000,
        },
    };
    serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let location = e.location();
        YamlError {
            origin: origin.to_string(),
            line: location.map(|l| l.line()),
            column: location.map(|l| l.column()),
            message: first_line(&e.to_string()),
        }
    })
}

/// Serialises `value` as YAML.
pub fn to_string<T: Serialize>(value: &T, origin: &str) -> Result<String, YamlError> {
    serde_saphyr::to_string(value).map_err(|e| YamlError {
        origin: origin.to_string(),
        line: None,
        column: None,
        message: e.to_string(),
    })
}

/// The parser's message without the source snippet it may append (the location is
/// reported separately, and a snippet could echo a secret someone pasted into the file),
/// and without the parser's own "error: line N column M:" prefix, which would repeat the
/// location [`YamlError`]'s display already gives. Its limits on nesting (the parser
/// refuses documents nested deeper than 64 levels, so a nesting bomb never exhausts the
/// stack) are said in words.
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message).trim();
    let line = strip_location_prefix(line).unwrap_or(line);
    if line.starts_with("recursion limit exceeded") || line.starts_with("budget breached: Depth") {
        return "nested deeper than 64 levels; ata2atp's files are a few levels deep, so this \
                one is damaged or is not the file it should be"
            .to_string();
    }
    line.to_string()
}

/// `error: line 4 column 5: unknown field` → `unknown field`.
fn strip_location_prefix(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("error: line ")?;
    let (number, rest) = rest.split_once(" column ")?;
    let (column, rest) = rest.split_once(": ")?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(number) && digits(column)).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_origin_line_and_column_once() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Doc {
            a: u32,
        }
        let err = from_str::<Doc>("a: 1\nb: 2\n", "doc.yaml").unwrap_err();
        assert_eq!((err.line, err.column), (Some(2), Some(1)));
        let shown = err.to_string();
        assert!(
            shown.starts_with("doc.yaml:2:1: unknown field `b`"),
            "{shown}"
        );
        assert_eq!(strip_location_prefix("error: line x column 1: m"), None);
    }

    /// Nesting bombs of every shape are refused with the file and the line, at any depth,
    /// without exhausting the stack.
    #[test]
    fn deep_nesting_is_refused_with_the_line() {
        for n in [10_000usize, 100_000, 1_000_000] {
            let shapes = [
                format!("a: {}", "[".repeat(n)),
                format!("a: {}", "{a: ".repeat(n)),
                format!("{}x\n", "- ".repeat(n)),
                (0..n.min(5000))
                    .map(|i| format!("{}k:\n", " ".repeat(i)))
                    .collect::<String>(),
            ];
            for text in shapes {
                let err = from_str::<serde_json::Value>(&text, "deep.yaml").unwrap_err();
                assert!(err.line.is_some(), "{err}");
                assert!(
                    err.to_string().starts_with("deep.yaml:")
                        && err.message.starts_with("nested deeper than 64 levels"),
                    "{err}"
                );
            }
        }
    }
}
