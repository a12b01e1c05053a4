//! The integrity record written beside every report, and `report verify`.
//!
//! `reports/<name>.integrity.yaml` holds the SHA-256 of each file the report run wrote
//! and of each engagement file it was made from (configuration, inventory, checks,
//! checklist state and change log, sign-off details, the engagement's own checklist,
//! the evidence files the steps name, the redaction key). Inputs that did not exist are
//! recorded as absent, so one appearing later is a change too.
//!
//! The record detects any change made since, by accident or by hand. It is not a
//! signature: whoever can edit the report can also rewrite the record. For proof against
//! that, the consultant sends the report's SHA-256 (printed by `ata2atp report`) with
//! the report to the approver.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Error;
use crate::engagement::read_yaml_file;

/// Suffix of the record: `<report base name>.integrity.yaml`.
pub const SUFFIX: &str = ".integrity.yaml";

/// The content of `<name>.integrity.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityRecord {
    pub schema_version: u32,
    pub tool_version: String,
    pub generated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_by: Option<String>,
    /// Host name of the machine that wrote the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The command line, credentials removed.
    #[serde(default)]
    pub arguments: Vec<String>,
    pub guide: String,
    pub format: String,
    pub redacted: bool,
    /// `built-in` or the template file's path.
    pub template: String,
    /// Files the run wrote, named relative to the record's folder.
    pub report: Vec<FileHash>,
    /// Engagement files the report was made from, relative to the engagement folder
    /// (absolute for a template outside it).
    pub inputs: Vec<InputHash>,
}

/// A file the report run wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHash {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// A file the report was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputHash {
    pub path: String,
    /// `null`: the file did not exist when the report was made.
    pub sha256: Option<String>,
    /// A template outside the engagement: checked when found, only noted when not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
}

/// Hashes `relative` inside `root` for the record.
pub fn input(root: &Path, relative: &str) -> Result<InputHash, Error> {
    let path = root.join(relative);
    let sha256 = crate::digest::hash_file(&path).map_err(|source| Error::Io {
        action: "read",
        path,
        source,
    })?;
    Ok(InputHash {
        path: relative.to_string(),
        sha256,
        external: false,
    })
}

/// Where the record of a report file is: `X.integrity.yaml` for `X.html`, and for
/// `X.exclusions.csv` too (the name is shortened one extension at a time). The record
/// itself may be given as well.
pub fn record_path_for(file: &Path) -> Option<PathBuf> {
    let name = file.file_name()?.to_str()?;
    if name.ends_with(SUFFIX) {
        return Some(file.to_path_buf());
    }
    let dir = file.parent().unwrap_or(Path::new(""));
    let mut stem = name;
    while let Some((shorter, _)) = stem.rsplit_once('.') {
        let candidate = dir.join(format!("{shorter}{SUFFIX}"));
        if candidate.is_file() {
            return Some(candidate);
        }
        stem = shorter;
    }
    None
}

/// What happened to one file since the report was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    Unchanged,
    Changed,
    /// It existed and is gone.
    Missing,
    /// It did not exist and now does.
    Appeared,
    /// A template outside the engagement that is not here: not checked.
    NotChecked,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileCheck {
    /// `report` or `input`.
    pub role: &'static str,
    pub path: String,
    pub status: FileStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
}

/// The outcome of `report verify`.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub record: PathBuf,
    /// The engagement the inputs were looked up in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engagement: Option<PathBuf>,
    pub unchanged: bool,
    pub generated_at: DateTime<Utc>,
    pub files: Vec<FileCheck>,
    /// Why the inputs could not be checked, when they could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Verification {
    /// The files that differ from the record.
    pub fn changed(&self) -> impl Iterator<Item = &FileCheck> {
        self.files
            .iter()
            .filter(|f| !matches!(f.status, FileStatus::Unchanged | FileStatus::NotChecked))
    }
}

/// Checks a report and its inputs against the record. `file` is the report, any file the
/// run wrote, or the record. `engagement` is used when the record is not inside an
/// engagement's `reports/` (a copy written with `--out`).
pub fn verify(file: &Path, engagement: Option<&Path>) -> Result<Verification, Error> {
    if !file.exists() {
        return Err(Error::Input(format!(
            "{} does not exist; give the report file (or its .integrity.yaml) written by \
             `ata2atp report`",
            file.display()
        )));
    }
    let record_path = record_path_for(file).ok_or_else(|| {
        Error::Input(format!(
            "no integrity record found for {}: expected <name>{SUFFIX} beside it. Was the \
             file written by `ata2atp report`, or renamed since?",
            file.display()
        ))
    })?;
    let record: IntegrityRecord = read_yaml_file(&record_path)?.ok_or_else(|| {
        Error::Input(format!(
            "{} disappeared while reading it",
            record_path.display()
        ))
    })?;
    let dir = record_path.parent().unwrap_or(Path::new("")).to_path_buf();

    let mut files = Vec::new();
    let compare = |role, path: String, expected: Option<String>, actual: Option<String>| {
        let status = match (&expected, &actual) {
            (Some(e), Some(a)) if e == a => FileStatus::Unchanged,
            (Some(_), Some(_)) => FileStatus::Changed,
            (Some(_), None) => FileStatus::Missing,
            (None, Some(_)) => FileStatus::Appeared,
            (None, None) => FileStatus::Unchanged,
        };
        FileCheck {
            role,
            path,
            status,
            expected,
            actual,
        }
    };
    let hash = |path: &Path| {
        crate::digest::hash_file(path).map_err(|source| Error::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        })
    };
    for f in &record.report {
        let actual = hash(&dir.join(&f.path))?;
        files.push(compare(
            "report",
            f.path.clone(),
            Some(f.sha256.clone()),
            actual,
        ));
    }

    // The record's own engagement when it sits in <engagement>/reports/, else the one given.
    let own = dir
        .parent()
        .filter(|_| {
            dir.file_name()
                .is_some_and(|n| n == crate::engagement::REPORTS_DIR)
        })
        .filter(|root| root.join(crate::engagement::CONFIG_FILE).is_file())
        .map(Path::to_path_buf);
    let root = own.or_else(|| {
        engagement
            .filter(|e| e.join(crate::engagement::CONFIG_FILE).is_file())
            .map(Path::to_path_buf)
    });
    let mut note = None;
    match &root {
        Some(root) => {
            for i in &record.inputs {
                let path = if i.external {
                    PathBuf::from(&i.path)
                } else {
                    root.join(&i.path)
                };
                let actual = hash(&path)?;
                if i.external && actual.is_none() {
                    files.push(FileCheck {
                        role: "input",
                        path: i.path.clone(),
                        status: FileStatus::NotChecked,
                        expected: i.sha256.clone(),
                        actual: None,
                    });
                    continue;
                }
                files.push(compare("input", i.path.clone(), i.sha256.clone(), actual));
            }
        }
        None => {
            note = Some(format!(
                "the inputs were not checked: {} is not in an engagement's reports/ folder; \
                 pass --engagement DIR to check them against that engagement",
                record_path.display()
            ));
        }
    }
    let unchanged = note.is_none()
        && files
            .iter()
            .all(|f| matches!(f.status, FileStatus::Unchanged | FileStatus::NotChecked));
    Ok(Verification {
        record: record_path,
        engagement: root,
        unchanged,
        generated_at: record.generated_at,
        files,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_is_found_from_any_file_of_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("report-g-20261116T103000Z.integrity.yaml");
        std::fs::write(&record, "x").unwrap();
        for name in [
            "report-g-20261116T103000Z.html",
            "report-g-20261116T103000Z.exclusions.csv",
            "report-g-20261116T103000Z.integrity.yaml",
        ] {
            assert_eq!(
                record_path_for(&dir.path().join(name)).as_deref(),
                Some(record.as_path()),
                "{name}"
            );
        }
        assert!(record_path_for(&dir.path().join("other.html")).is_none());
    }
}
