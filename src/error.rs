//! The crate's error type and the exit codes the command line maps it to.
//!
//! Each module has its own error enum whose messages name what failed (file, field,
//! server, flag) and the next step; this type only gathers them and decides the exit code.

use crate::engagement::EngagementError;
use crate::yaml::YamlError;

/// Process exit codes, documented in `--help` and the README. Scripts branch on 1 vs 3.
pub mod exit {
    /// Success; all checks passed (or none failed per `--fail-on`).
    pub const OK: u8 = 0;
    /// Checks ran and at least one failed (per `--fail-on`).
    pub const CHECKS_FAILED: u8 = 1;
    /// Usage or input error: a bad flag, file, field or engagement folder.
    pub const INPUT: u8 = 2;
    /// A source could not be reached or read (network, authentication, server too old).
    pub const SOURCE: u8 = 3;
    /// The engagement is busy: another ata2atp holds its writer's lock. Nothing was
    /// changed; try again when the other one is done.
    pub const BUSY: u8 = 4;
    /// Interrupted with Ctrl-C.
    pub const INTERRUPTED: u8 = 130;
}

/// Text for `--help` and the README's table.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success; no check failed
  1    checks ran and at least one failed (see --fail-on)
  2    usage or input error: a bad flag, file, field or engagement folder
  3    a source could not be reached or read (network, TLS, credentials, server too old)
  4    the engagement is busy: another ata2atp is writing to it; nothing was changed
  130  interrupted (Ctrl-C): nothing more is written; files already written are complete";

/// Anything that stops a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Engagement(#[from] EngagementError),

    #[error(transparent)]
    Yaml(#[from] YamlError),

    #[error(transparent)]
    Ata(#[from] crate::ata::Error),

    #[error(transparent)]
    Directory(#[from] crate::directory::Error),

    #[error(transparent)]
    Hosts(#[from] crate::hosts::Error),

    #[error(transparent)]
    Secret(#[from] crate::secrets::SecretError),

    /// A checklist definition, state or change that cannot be used; a refused `set`.
    #[error(transparent)]
    Checklist(#[from] crate::checklist::Error),

    /// A report that could not be made or verified.
    #[error(transparent)]
    Report(#[from] crate::report::Error),

    /// Bad input that is not a file format problem: a flag, a value, a combination.
    #[error("{0}")]
    Input(String),

    /// A source could not be reached or read.
    #[error("{0}")]
    Source(String),

    #[error("interrupted; files already written are complete, nothing was half-written")]
    Interrupted,
}

impl From<crate::progress::Cancelled> for Error {
    fn from(_: crate::progress::Cancelled) -> Self {
        Error::Interrupted
    }
}

impl Error {
    /// The exit code this error maps to.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Engagement(e) | Error::Checklist(crate::checklist::Error::Engagement(e)) => {
                e.exit_code()
            }
            Error::Yaml(_) | Error::Input(_) | Error::Secret(_) | Error::Checklist(_) => {
                exit::INPUT
            }
            Error::Ata(e) => e.exit_code(),
            Error::Directory(e) => e.exit_code(),
            Error::Hosts(e) => e.exit_code(),
            Error::Report(e) => e.exit_code(),
            Error::Source(_) => exit::SOURCE,
            Error::Interrupted => exit::INTERRUPTED,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
