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

/// Whether [`secret`] asks at a masked prompt when no flag gave the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Never: the secret is absent.
    No,
    /// On a terminal, where an empty answer means going without it (the proxy password:
    /// the probe then runs unauthenticated); absent without a terminal.
    Optional,
    /// It is needed: asked on a terminal; without one, an error naming the flags.
    Required,
}

/// Reads a secret from the environment variable or the file a flag named, else asks as
/// `ask` says. One reader for every command's password flags.
pub fn secret(
    env: Option<&str>,
    file: Option<&std::path::PathBuf>,
    purpose: &str,
    ask: Ask,
) -> Result<Option<crate::secrets::SecretString>, Error> {
    use crate::secrets::SecretSource;
    use std::io::IsTerminal;
    if let Some(name) = env {
        return Ok(Some(SecretSource::Env(name.to_string()).read(purpose)?));
    }
    if let Some(path) = file {
        return Ok(Some(SecretSource::File(path.clone()).read(purpose)?));
    }
    if ask == Ask::No {
        return Ok(None);
    }
    if !std::io::stdin().is_terminal() {
        if ask == Ask::Optional {
            return Ok(None);
        }
        return Err(Error::Input(format!(
            "{purpose} is needed: pass the matching --…-password-env VAR or --…-password-file FILE \
             (no terminal to ask on)"
        )));
    }
    let prompt = match ask {
        Ask::Optional => format!("Enter {purpose} (empty to probe without it): "),
        _ => format!("Enter {purpose}: "),
    };
    let typed = rpassword::prompt_password(prompt)
        .map_err(|e| Error::Input(format!("could not read {purpose}: {e}")))?;
    if ask == Ask::Optional && typed.is_empty() {
        return Ok(None);
    }
    Ok(Some(crate::secrets::secret_from(typed, purpose)?))
}
