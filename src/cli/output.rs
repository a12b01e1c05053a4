//! Writing to the terminal: one place decides text, JSON or YAML on stdout, and every
//! line the command line prints (data, messages on stderr) leaves through here, with
//! control characters from data shown escaped ([`crate::terminal`]).

use std::io::Write;

use clap::ValueEnum;
use serde::Serialize;

use crate::error::Error;
use crate::terminal;

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
    match format {
        OutputFormat::Text => print_stdout(&text()),
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(value)
                .map_err(|e| Error::Input(format!("could not render JSON: {e}")))?;
            s.push('\n');
            write_stdout(&terminal::json_safe(&s))
        }
        // The YAML writer escapes every control character itself (`"\e"`, `"\x7F"`).
        OutputFormat::Yaml => write_stdout(&crate::yaml::to_string(value, "stdout")?),
    }
}

/// Prints text for a person: control characters escaped, colour as decided for stdout.
pub fn print_stdout(text: &str) -> Result<(), Error> {
    let color = !matches!(
        anstream::AutoStream::choice(&std::io::stdout()),
        anstream::ColorChoice::Never
    );
    write_stdout(&terminal::finish(text, color))
}

/// Writes to stdout through anstream (Windows consoles). A closed pipe (`| head`) is not
/// an error.
fn write_stdout(text: &str) -> Result<(), Error> {
    let mut out = anstream::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Input(format!("could not write to stdout: {e}"))),
    }
}

/// Prints one message on stderr (an error, a warning, a note), control characters
/// escaped: messages quote input files and names.
pub fn print_stderr(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", terminal::escape(message));
}

/// Asks for one line of visible text at a prompt on stderr (stdout stays for data), when
/// stdin is a terminal; `None` without one, so the caller can say which flag to pass.
/// The answer is trimmed; an empty one is asked again.
pub fn ask_line(prompt: &str) -> Result<Option<String>, Error> {
    use std::io::{BufRead, IsTerminal};
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    loop {
        {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{}", terminal::escape(prompt));
            let _ = err.flush();
        }
        let mut line = String::new();
        let read = std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Error::Input(format!("could not read the answer to {prompt:?}: {e}")))?;
        if read == 0 {
            // End of input (Ctrl-D): no answer, as without a terminal.
            return Ok(None);
        }
        let answer = line.trim();
        if !answer.is_empty() {
            return Ok(Some(answer.to_string()));
        }
    }
}

/// Styles for text output; the writer turns them into colour, or drops them when colour
/// is off.
pub mod style {
    pub use crate::terminal::{Paint, paint};

    pub const HEADER: Paint = Paint::Header;
    pub const OK: Paint = Paint::Ok;
    pub const WARN: Paint = Paint::Warn;
    pub const FAIL: Paint = Paint::Fail;
    pub const DIM: Paint = Paint::Dim;
}
