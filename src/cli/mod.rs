//! The command line: one file per subcommand, each a clap type and a `run` function.
//!
//! Subcommands parse flags, call the library and print; they hold no logic of their own
//! and never name a protocol crate. Data goes to stdout (`-o text|json|yaml`), logs and
//! progress to stderr.

mod check;
mod check_dsa;
mod checklist;
mod collector;
mod completions;
mod demo;
mod diff;
pub mod exit;
mod help;
mod init;
mod inventory;
mod man;
mod output;
mod progress;
mod remediation;
mod report;
mod tui;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use tokio_util::sync::CancellationToken;

use crate::error::Error;

pub use output::OutputFormat;

const ABOUT: &str = "Move a customer from Microsoft ATA to Azure ATP / Defender for Identity: \
inventory, readiness checks, checklist and sign-off report";

const LONG_ABOUT: &str = "\
ata2atp reads what ATA holds (its MongoDB database, a mongodump folder or JSON exports)
and what Active Directory says (LDAP or LDIF), checks that domain controllers and the
network are ready for the sensor, walks the migration guide's configuration steps with
you, and writes the report the customer signs.

Everything lives in an engagement folder (--engagement, default: the current folder):
plain YAML files you can read, diff and commit. Nothing is ever written to ATA's
database or to the directory.";

const EXAMPLES: &str = "\
Examples:
  ata2atp demo                         build a demo engagement from the built-in sample
  ata2atp init fabrikam --customer Fabrikam --workspace fabrikam
  ata2atp --engagement fabrikam completions bash > /etc/bash_completion.d/ata2atp";

/// The heading of the flags every subcommand takes.
const GLOBAL: &str = "Global options";

/// Top-level command line.
#[derive(Debug, Parser)]
#[command(
    name = "ata2atp",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = exit::codes_help(),
    after_long_help = format!("{EXAMPLES}\n\n{}", exit::codes_help()),
    propagate_version = true,
)]
pub struct Cli {
    /// Engagement folder to work in.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        help_heading = GLOBAL,
        env = "ATA2ATP_ENGAGEMENT",
        default_value = "."
    )]
    pub engagement: PathBuf,

    /// Format of data written to stdout.
    #[arg(
        short = 'o',
        long,
        global = true,
        help_heading = GLOBAL,
        value_enum,
        env = "ATA2ATP_OUTPUT",
        default_value_t = OutputFormat::Text
    )]
    pub output: OutputFormat,

    /// More log output on stderr (-v info, -vv debug). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = GLOBAL)]
    pub verbose: u8,

    /// Only errors on stderr; no progress bars.
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "verbose",
        help_heading = GLOBAL
    )]
    pub quiet: bool,

    /// When to use colour. NO_COLOR (any value) turns it off in auto mode.
    #[arg(
        long,
        global = true,
        help_heading = GLOBAL,
        value_enum,
        env = "ATA2ATP_COLOR",
        default_value_t = ColorChoice::Auto
    )]
    pub color: ColorChoice,

    /// Without one, on a terminal inside an engagement, the interactive screen opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an engagement folder.
    Init(init::Args),
    /// Build a demo engagement from the built-in sample deployment (no server, no network).
    Demo(demo::Args),
    /// Read ATA, Active Directory and host facts into the engagement's inventory.
    Inventory(inventory::Args),
    /// Run the prerequisite checks, or test the directory services account (check dsa).
    Check(check::Args),
    /// Walk the migration guide: what to enter, what must pass first, what to record.
    Checklist(checklist::Args),
    /// Write the report for sign-off (HTML, Markdown, CSV, PDF), or verify one.
    Report(report::Args),
    /// Write the PowerShell script per domain that fixes the failing event-collection and
    /// readiness checks (read-only unless run with -Apply).
    Remediation(remediation::Args),
    /// What changed between two inventories (default: the latest two in history/).
    Diff(diff::Args),
    /// The interactive screen: inventory, checks, checklist, report and collection
    /// (the default on a terminal inside an engagement).
    Tui(tui::Args),
    /// Print the read-only collector scripts to run on the customer's machines.
    Collector(collector::Args),
    /// Print a shell completion script.
    Completions(completions::Args),
    /// Write the man pages (for packagers).
    #[command(hide = true)]
    Man(man::Args),
}

/// What every subcommand gets besides its own flags.
#[derive(Debug, Clone)]
pub struct Context {
    pub engagement: PathBuf,
    pub output: OutputFormat,
    pub quiet: bool,
    /// Colour is on for stdout text (after --color, NO_COLOR and terminal detection).
    pub color: bool,
    /// The command line with credential-bearing values removed, for provenance.
    pub arguments: Vec<String>,
    /// Cancelled by Ctrl-C: long loops stop at their next checkpoint (see
    /// [`crate::progress`]).
    pub cancel: CancellationToken,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    // Parsed from `command()`, the tree with the conventions of `help` applied.
    let parsed = command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::INPUT
            } else {
                exit::OK
            });
        }
    };
    let color = apply_color_choice(cli.color);
    init_logging(cli.verbose, cli.quiet, color);
    let ctx = Context {
        engagement: cli.engagement.clone(),
        output: cli.output,
        quiet: cli.quiet,
        color,
        arguments: redacted_arguments(std::env::args().skip(1)),
        cancel: CancellationToken::new(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            output::print_stderr(&format!("error: could not start the async runtime: {e}"));
            return ExitCode::from(exit::SOURCE);
        }
    };
    let Some(command) = cli.command.or_else(|| default_command(&ctx)) else {
        // No subcommand and nothing to open: the usage, as clap gives it for a missing
        // subcommand (exit 2).
        let mut cmd = Cli::command();
        let _ = cmd.write_help(&mut std::io::stderr());
        output::print_stderr(&format!(
            "\nerror: no command given, and {} is not an engagement to open the screen on \
             (give a command, or --engagement DIR)",
            ctx.engagement.display()
        ));
        return ExitCode::from(exit::INPUT);
    };
    if let Err(e) = on_interrupt(&runtime, ctx.cancel.clone()) {
        output::print_stderr(&format!("error: could not listen for Ctrl-C: {e}"));
        return ExitCode::from(exit::SOURCE);
    }
    let result = runtime.block_on(async {
        tokio::select! {
            biased;
            // A run waiting on the network stops here; one computing stops at its next
            // checkpoint and returns (then the token says why).
            _ = ctx.cancel.cancelled() => Err(Error::Interrupted),
            r = run(command, &ctx) => r,
        }
    });
    let result = if ctx.cancel.is_cancelled() {
        Err(Error::Interrupted)
    } else {
        result
    };
    let code = match result {
        Ok(code) => code,
        Err(Error::Interrupted) if INTERRUPT_TOLD.swap(true, Ordering::SeqCst) => exit::INTERRUPTED,
        Err(Error::Interrupted) => {
            output::print_stderr(&interrupted_message());
            exit::INTERRUPTED
        }
        Err(e) => {
            output::print_stderr(&format!("error: {e}"));
            exit::for_kind(e.kind())
        }
    };
    // After a cancel, blocking work still running (a log scan, a render) is not waited
    // for: writes are stopped, it can change nothing. Otherwise everything started ends.
    if ctx.cancel.is_cancelled() {
        runtime.shutdown_background();
    } else {
        drop(runtime);
    }
    ExitCode::from(code)
}

/// How long a cancelled run may take to wind down (its loops check every few
/// milliseconds; dropping what it read takes most of the time) before the process ends
/// anyway: work that cannot be stopped midway, such as parsing or writing one large YAML
/// file, must not hold Ctrl-C up. Writes are stopped by then and the lock files removed.
const INTERRUPT_GRACE: std::time::Duration = std::time::Duration::from_millis(200);

/// What Ctrl-C ends with: that it was interrupted, and, when the command had already
/// saved files before it (it was printing or freeing memory), that those are whole and
/// kept, so no one re-runs a command believing nothing was written.
fn interrupted_message() -> String {
    if crate::engagement::wrote_any() {
        "error: interrupted after this run had saved its files; they are complete and kept"
            .to_string()
    } else {
        format!("error: {}", Error::Interrupted)
    }
}

/// Set by whichever says "interrupted" first (the run's end or the grace's), so it is
/// said once.
static INTERRUPT_TOLD: AtomicBool = AtomicBool::new(false);

/// Ctrl-C: stop writing (after a write in progress), cancel the run, and end the process
/// with 130 if the run has not ended by itself within [`INTERRUPT_GRACE`]. The handler is
/// installed before any command runs, so the signal never kills the process outright.
fn on_interrupt(
    runtime: &tokio::runtime::Runtime,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    let _entered = runtime.enter();
    #[cfg(unix)]
    let mut signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    #[cfg(windows)]
    let mut signal = tokio::signal::windows::ctrl_c()?;
    runtime.spawn(async move {
        if signal.recv().await.is_none() {
            return;
        }
        // Off the runtime's threads: stopping writes may wait for a write's fsync, and
        // the wait below must not depend on the runtime being responsive.
        std::thread::spawn(move || {
            crate::engagement::stop_writes();
            cancel.cancel();
            std::thread::sleep(INTERRUPT_GRACE);
            crate::engagement::remove_held_locks();
            if !INTERRUPT_TOLD.swap(true, Ordering::SeqCst) {
                output::print_stderr(&interrupted_message());
            }
            std::process::exit(i32::from(exit::INTERRUPTED));
        });
    });
    Ok(())
}

/// Runs one subcommand; returns the exit code on success (1 when checks failed).
pub async fn run(command: Command, ctx: &Context) -> Result<u8, Error> {
    match command {
        Command::Init(args) => init::run(args, ctx),
        Command::Demo(args) => demo::run(args, ctx).await,
        Command::Inventory(args) => inventory::run(args, ctx).await,
        Command::Check(args) => check::run(args, ctx).await,
        Command::Checklist(args) => checklist::run(args, ctx),
        Command::Report(args) => report::run(args, ctx).await,
        Command::Remediation(args) => remediation::run(args, ctx),
        Command::Diff(args) => diff::run(args, ctx),
        Command::Tui(args) => tui::run(args, ctx).await,
        Command::Collector(args) => collector::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}

/// `ata2atp` alone: the interactive screen when a person is at a terminal inside an
/// engagement; nothing otherwise (scripts get the usage, not a screen).
fn default_command(ctx: &Context) -> Option<Command> {
    use std::io::IsTerminal;
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let engagement = ctx
        .engagement
        .join(crate::engagement::CONFIG_FILE)
        .is_file();
    (interactive && engagement).then(|| Command::Tui(tui::Args::default()))
}

/// The clap command, for completions and man pages.
pub fn command() -> clap::Command {
    help::finish(Cli::command())
}

/// Decides colour once for the whole process: the flag, then NO_COLOR / CLICOLOR_FORCE
/// (which anstream reads in auto mode), then whether stdout is a terminal.
fn apply_color_choice(choice: ColorChoice) -> bool {
    let anstream_choice = match choice {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    };
    anstream_choice.write_global();
    !matches!(
        anstream::AutoStream::choice(&std::io::stdout()),
        anstream::ColorChoice::Never
    )
}

fn init_logging(verbose: u8, quiet: bool, color: bool) {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::field::MakeExt as _;
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("ata2atp={level},warn")));
    // Log messages quote names and files: their fields are escaped like every other text
    // printed (the level's colour is the formatter's own).
    let fields = tracing_subscriber::fmt::format::debug_fn(|w, field, value| {
        let text = format!("{value:?}");
        let text = crate::terminal::escape(&text);
        if field.name() == "message" {
            write!(w, "{text}")
        } else {
            write!(w, "{field}={text}")
        }
    })
    .delimited(" ");
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .fmt_fields(fields)
        .with_writer(std::io::stderr)
        .with_ansi(color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()))
        .with_target(false)
        .without_time()
        .try_init();
}

/// Flags whose value may carry a credential, and URL-valued flags whose user-info is
/// stripped. Passwords are never flags, but a URI may still embed one by mistake.
fn redacted_arguments(args: impl Iterator<Item = String>) -> Vec<String> {
    args.map(|a| redact_argument(&a)).collect()
}

fn redact_argument(arg: &str) -> String {
    // `scheme://user:password@host` anywhere in the argument loses its user-info.
    match arg.find("://") {
        Some(i) => {
            let (scheme, rest) = arg.split_at(i + 3);
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            match rest[..end].rfind('@') {
                Some(at) => format!("{scheme}***@{}", &rest[at + 1..]),
                None => arg.to_string(),
            }
        }
        None => arg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn credentials_in_urls_are_redacted_from_provenance() {
        assert_eq!(
            redact_argument("--ata-mongo=mongodb://ata:s3cret@center:27017/ATA"),
            "--ata-mongo=mongodb://***@center:27017/ATA"
        );
        assert_eq!(redact_argument("http://proxy:8080"), "http://proxy:8080");
        assert_eq!(redact_argument("plain"), "plain");
    }
}
