//! Writing data to stdout: one place decides text, JSON or YAML.

use std::io::Write;

use clap::ValueEnum;
use serde::Serialize;

use crate::error::Error;

/// `-o/--output`: how data on stdout is formatted. JSON and YAML are stable, versioned
/// schemas and never contain colour codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Yaml,
}

/// Prints `value` as JSON or YAML, or calls `text` to render it for a person.
pub fn emit<T: Serialize>(
    format: OutputFormat,
    value: &T,
    text: impl FnOnce() -> String,
) -> Result<(), Error> {
    let rendered = match format {
        OutputFormat::Text => text(),
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(value)
                .map_err(|e| Error::Input(format!("could not render JSON: {e}")))?;
            s.push('\n');
            s
        }
        OutputFormat::Yaml => crate::yaml::to_string(value, "stdout")?,
    };
    print_stdout(&rendered)
}

/// Writes to stdout through anstream, which strips colour when it is off. A closed pipe
/// (`| head`) is not an error.
pub fn print_stdout(text: &str) -> Result<(), Error> {
    let mut out = anstream::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Input(format!("could not write to stdout: {e}"))),
    }
}

/// Styles for text output; anstream removes them when colour is off.
pub mod style {
    use anstyle::{AnsiColor, Style};

    pub const HEADER: Style = Style::new().bold();
    pub const OK: Style = AnsiColor::Green.on_default();
    pub const WARN: Style = AnsiColor::Yellow.on_default();
    pub const FAIL: Style = AnsiColor::Red.on_default().bold();
    pub const DIM: Style = Style::new().dimmed();

    /// `text` wrapped in `style`'s escape codes.
    pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
        format!("{style}{text}{style:#}")
    }
}
