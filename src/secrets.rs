//! Passwords and shared secrets: where they may come from and how they are held.
//!
//! A secret is never a command-line value (it would land in shell history and process
//! lists) and never written anywhere. It comes from an environment variable, a file, or a
//! masked prompt (the front end's job), and lives in a [`SecretString`] that is wiped on
//! drop and prints as `[REDACTED]`.

use std::path::{Path, PathBuf};

pub use secrecy::{ExposeSecret, SecretString};

/// Where to read one secret from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// The value of an environment variable.
    Env(String),
    /// The first line of a file (a trailing newline is not part of the secret).
    File(PathBuf),
}

/// A secret that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "environment variable {name} (given for {purpose}) is not set; export it or use the file option"
    )]
    EnvMissing { name: String, purpose: String },
    #[error("could not read {purpose} from {}: {source}", path.display())]
    File {
        path: PathBuf,
        purpose: String,
        source: std::io::Error,
    },
    #[error("{purpose} is empty; an empty password would bind anonymously, so it is refused")]
    Empty { purpose: String },
}

impl SecretSource {
    /// Reads the secret. `purpose` names it in errors, e.g. "the LDAP bind password".
    /// Empty secrets are refused: for LDAP an empty password is an anonymous bind that
    /// Active Directory may accept, which would make every check meaningless.
    pub fn read(&self, purpose: &str) -> Result<SecretString, SecretError> {
        let value = match self {
            SecretSource::Env(name) => {
                std::env::var(name).map_err(|_| SecretError::EnvMissing {
                    name: name.clone(),
                    purpose: purpose.to_string(),
                })?
            }
            SecretSource::File(path) => {
                read_first_line(path).map_err(|source| SecretError::File {
                    path: path.clone(),
                    purpose: purpose.to_string(),
                    source,
                })?
            }
        };
        secret_from(value, purpose)
    }
}

/// Wraps a value typed at a prompt, refusing an empty one.
pub fn secret_from(value: String, purpose: &str) -> Result<SecretString, SecretError> {
    if value.is_empty() {
        return Err(SecretError::Empty {
            purpose: purpose.to_string(),
        });
    }
    Ok(SecretString::from(value))
}

fn read_first_line(path: &Path) -> std::io::Result<String> {
    let text = std::fs::read_to_string(path)?;
    Ok(text.lines().next().unwrap_or("").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_secrets_lose_the_newline_and_empty_ones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pw");
        std::fs::write(&f, "S3cret!\n").unwrap();
        let s = SecretSource::File(f.clone())
            .read("the test password")
            .unwrap();
        assert_eq!(s.expose_secret(), "S3cret!");
        assert!(!format!("{s:?}").contains("S3cret"));
        std::fs::write(&f, "\n").unwrap();
        let err = SecretSource::File(f).read("the test password").unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }

    #[test]
    fn a_missing_variable_is_named() {
        let err = SecretSource::Env("ATA2ATP_TEST_NOT_SET_XYZ".into())
            .read("the MongoDB password")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("ATA2ATP_TEST_NOT_SET_XYZ") && err.contains("MongoDB"),
            "{err}"
        );
    }
}
