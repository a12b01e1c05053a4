//! The crate's error type.
//!
//! Each module has its own error enum whose messages name what failed (file, field,
//! server, flag) and the next step, and says what [`ErrorKind`] it is; this type only
//! gathers them. The command line (`cli::exit`) turns the kind into the exit code.

use crate::engagement::EngagementError;
use crate::kind::ErrorKind;
use crate::yaml::YamlError;

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

    /// A risk acceptance that cannot be recorded or withdrawn.
    #[error(transparent)]
    Acceptance(#[from] crate::checks::engine::AcceptanceError),

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
    /// What kind of failure this is (the command line maps it to the exit code).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Engagement(e) | Error::Checklist(crate::checklist::Error::Engagement(e)) => {
                e.kind()
            }
            Error::Yaml(_)
            | Error::Input(_)
            | Error::Secret(_)
            | Error::Checklist(_)
            | Error::Acceptance(_) => ErrorKind::Input,
            Error::Ata(e) => e.kind(),
            Error::Directory(e) => e.kind(),
            Error::Hosts(e) => e.kind(),
            Error::Report(e) => e.kind(),
            Error::Source(_) => ErrorKind::Source,
            Error::Interrupted => ErrorKind::Interrupted,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
