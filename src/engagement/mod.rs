//! The engagement folder: one customer's migration, like a git repository.
//!
//! ```text
//! <engagement>/
//!   ata2atp.yaml      who, which cloud and workspace, where the sources are (no secrets)
//!   inventory.yaml    the latest inventory
//!   checks.yaml       the latest check results and the accepted risks
//!   checklist.yaml    progress through the guide
//!   reports/          generated reports and their integrity records
//!   history/          every inventory ever collected, the checklist change log and the
//!                     checklist's last good state
//!   evidence/         files a consultant attaches to checklist steps
//!   .ata2atp.lock     held by whoever is writing
//! ```
//!
//! Every write goes through [`WriteLock`]: the file is written to a temporary file in the
//! same folder, flushed to disk and renamed over the old one, so a reader sees either the
//! old or the new file, never half of one. The lock is an OS file lock on `.ata2atp.lock`,
//! released by the OS if the process dies, so a crash never leaves a stale lock behind; a
//! writer that ends normally also removes the file.
//!
//! Nothing is written through a symbolic link inside the engagement: a link planted at
//! any path the tool writes (`history` → `/etc`, `.ata2atp.lock` → a file elsewhere) is
//! refused with its name, so the tool never writes outside the folder. The engagement
//! folder itself may be a link: that is the consultant's choice.
//!
//! On Ctrl-C the command line calls [`stop_writes`]: a write in progress finishes, later
//! ones are refused, so an interrupted run leaves every file as it was or completely
//! replaced.

mod config;
mod files;
mod lock;
#[cfg(test)]
mod tests;

use std::fs::{self, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::model::{ChecklistState, ChecksFile, Inventory, SCHEMA_VERSION};
use crate::yaml::{self, YamlError};

pub use config::*;
use files::*;
pub use files::{write_atomic, wrote_any};
use lock::*;
pub use lock::{WriteLock, remove_held_locks, stop_writes};

pub const CONFIG_FILE: &str = "ata2atp.yaml";
pub const INVENTORY_FILE: &str = "inventory.yaml";
pub const CHECKS_FILE: &str = "checks.yaml";
pub const CHECKLIST_FILE: &str = "checklist.yaml";
pub const REPORTS_DIR: &str = "reports";
pub const HISTORY_DIR: &str = "history";
pub const EVIDENCE_DIR: &str = "evidence";
pub const LOCK_FILE: &str = ".ata2atp.lock";
/// Append-only audit log of checklist changes, one JSON object per line.
pub const CHECKLIST_LOG: &str = "history/checklist-changes.jsonl";
/// Copy of `checklist.yaml` as of the last successful save. When the live file is edited
/// by hand into something unreadable, nothing overwrites it and this copy is the way back.
pub const CHECKLIST_LAST_GOOD: &str = "history/checklist.last-good.yaml";

/// What went wrong with an engagement folder or one of its files.
#[derive(Debug, thiserror::Error)]
pub enum EngagementError {
    #[error(
        "{} is already an ata2atp engagement ({CONFIG_FILE} exists); nothing was changed. \
         Open it with --engagement {}, or choose another folder",
        path.display(), path.display()
    )]
    AlreadyExists { path: PathBuf },

    #[error(
        "{} is not an ata2atp engagement (no {CONFIG_FILE}); create one with \
         `ata2atp init {} --customer \"CUSTOMER NAME\"` (or try `ata2atp demo DIR`), or \
         point --engagement at an existing one",
        path.display(), path.display()
    )]
    NotAnEngagement { path: PathBuf },

    #[error(
        "engagement {} is in use by another ata2atp ({holder}); nothing was changed. \
         Close the other session or wait for it to finish, then try again",
        path.display()
    )]
    Locked { path: PathBuf, holder: String },

    #[error("could not {action} {}: {source}{}", path.display(), io_hint(source))]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },

    #[error(
        "{0}; fix the file by hand, or restore it from a copy (history/ keeps every \
         inventory and the checklist's last good state)"
    )]
    Parse(#[from] YamlError),

    #[error(
        "{} was written by a newer ata2atp (schema version {found}; this build reads up to \
         {SCHEMA_VERSION}); upgrade ata2atp to read it",
        path.display()
    )]
    SchemaTooNew { path: PathBuf, found: u32 },

    #[error("{field} in {}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        field: &'static str,
        message: String,
    },

    #[error(
        "{} is a symbolic link; ata2atp writes nothing through a link inside an engagement \
         (it could point outside the folder). Nothing was changed: remove the link (or \
         replace it with the file or folder it points to) and try again",
        path.display()
    )]
    Symlink { path: PathBuf },

    #[error("interrupted; nothing more was written")]
    Interrupted,
}

impl EngagementError {
    /// Busy when another writer holds the engagement, interrupted after Ctrl-C, else
    /// bad input.
    pub fn kind(&self) -> crate::kind::ErrorKind {
        use crate::kind::ErrorKind;
        match self {
            EngagementError::Locked { .. } => ErrorKind::Busy,
            EngagementError::Interrupted => ErrorKind::Interrupted,
            _ => ErrorKind::Input,
        }
    }
}

/// The next step for the common I/O failures.
fn io_hint(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            "; choose a folder you can write to, or fix its permissions"
        }
        io::ErrorKind::NotFound => "; check the path",
        _ => "",
    }
}

impl EngagementError {
    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// An engagement folder on disk.
#[derive(Debug, Clone)]
pub struct Engagement {
    root: PathBuf,
}

impl Engagement {
    /// Opens an existing engagement.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, EngagementError> {
        let root = root.into();
        if !root.join(CONFIG_FILE).is_file() {
            return Err(EngagementError::NotAnEngagement { path: root });
        }
        Ok(Self { root })
    }

    /// Creates a new engagement in `root` (created if missing) with `config`. Refuses a
    /// folder that already is an engagement, and writes nothing unless it can write it all.
    pub fn init(
        root: impl Into<PathBuf>,
        config: &EngagementConfig,
    ) -> Result<(Self, WriteLock), EngagementError> {
        let root = root.into();
        config.validate(&root.join(CONFIG_FILE))?;
        if root.join(CONFIG_FILE).exists() {
            return Err(EngagementError::AlreadyExists { path: root });
        }
        if root.exists() && !root.is_dir() {
            return Err(EngagementError::io(
                "create the engagement folder",
                &root,
                io::Error::new(io::ErrorKind::AlreadyExists, "a file with that name exists"),
            ));
        }
        fs::create_dir_all(&root)
            .map_err(|e| EngagementError::io("create the engagement folder", &root, e))?;
        let engagement = Self { root };
        let lock = engagement.lock()?;
        // Checked again under the lock: another init may have finished in between.
        if engagement.root.join(CONFIG_FILE).exists() {
            return Err(EngagementError::AlreadyExists {
                path: engagement.root,
            });
        }
        for dir in [REPORTS_DIR, HISTORY_DIR, EVIDENCE_DIR] {
            lock.create_dir(dir)?;
        }
        // The configuration is written last: until it exists the folder is not an
        // engagement, so an interrupted init can simply be run again.
        lock.write_yaml(CONFIG_FILE, config)?;
        Ok((engagement, lock))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Path of a file inside the engagement.
    pub fn path(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.root.join(relative)
    }

    /// Takes the writer's lock, or says who holds it.
    pub fn lock(&self) -> Result<WriteLock, EngagementError> {
        let path = self.root.join(LOCK_FILE);
        // A writer that just finished removes the file it locked; the file this process
        // opened may be that one, no longer at `path`. Then lock again, on the new file.
        for _ in 0..100 {
            refuse_links(&self.root, Path::new(LOCK_FILE))?;
            // No truncate: a refused writer must not touch the holder's description.
            let mut file = open_no_follow(
                OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(false),
                &path,
            )
            .map_err(|e| link_or_io("create the lock file", &path, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = file.read_to_string(&mut holder);
                    let holder = holder.trim();
                    return Err(EngagementError::Locked {
                        path: self.root.clone(),
                        holder: if holder.is_empty() {
                            "holder unknown".to_string()
                        } else {
                            holder.to_string()
                        },
                    });
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(EngagementError::io("lock", &path, e));
                }
            }
            if !still_at(&file, &path) {
                continue;
            }
            let description = format!(
                "pid {} on {} since {}",
                std::process::id(),
                gethostname::gethostname().to_string_lossy(),
                Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
            );
            // Best effort: the description only improves the message another writer sees.
            let _ = file.set_len(0);
            let _ = file.seek(io::SeekFrom::Start(0));
            let _ = file.write_all(description.as_bytes());
            let _ = file.sync_all();
            if let Ok(copy) = file.try_clone() {
                held_locks().push((path.clone(), copy));
            }
            return Ok(WriteLock {
                root: self.root.clone(),
                file,
            });
        }
        Err(EngagementError::io(
            "lock",
            &path,
            io::Error::other("the lock file kept being replaced by other writers"),
        ))
    }

    /// Reads `ata2atp.yaml`.
    pub fn config(&self) -> Result<EngagementConfig, EngagementError> {
        let path = self.path(CONFIG_FILE);
        let config: EngagementConfig =
            read_yaml_file(&path)?.ok_or_else(|| EngagementError::NotAnEngagement {
                path: self.root.clone(),
            })?;
        config.validate(&path)?;
        Ok(config)
    }

    /// The latest inventory, if one was collected.
    pub fn inventory(&self) -> Result<Option<Inventory>, EngagementError> {
        read_yaml_file(&self.path(INVENTORY_FILE))
    }

    /// The latest check results, if checks ran.
    pub fn checks(&self) -> Result<Option<ChecksFile>, EngagementError> {
        read_yaml_file(&self.path(CHECKS_FILE))
    }

    /// The checklist state, if any step was touched. A step marked done must say by whom
    /// and when (what the sign-off rests on): a file edited into one that does not is
    /// refused, with the step's line.
    pub fn checklist(&self) -> Result<Option<ChecklistState>, EngagementError> {
        let path = self.path(CHECKLIST_FILE);
        let Some(state) = read_yaml_file::<ChecklistState>(&path)? else {
            return Ok(None);
        };
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|v| v.trim().is_empty());
        let unsigned = state.steps.iter().find(|(_, s)| {
            s.status == crate::model::StepStatus::Done && (blank(&s.by) || s.at.is_none())
        });
        if let Some((id, _)) = unsigned {
            let text = fs::read_to_string(&path).unwrap_or_default();
            let line = text
                .lines()
                .position(|l| {
                    l.trim_start()
                        .trim_start_matches(['"', '\''])
                        .starts_with(id.as_str())
                        && l.contains(':')
                })
                .map(|i| i as u64 + 1);
            return Err(EngagementError::Parse(YamlError {
                origin: path.display().to_string(),
                line,
                column: None,
                message: format!(
                    "step {id} is marked done but does not say by whom and when (`by:` and \
                     `at:`); record it with `ata2atp checklist set {id} --status done --by NAME`"
                ),
            }));
        }
        Ok(Some(state))
    }

    /// Inventories kept in `history/`, oldest first.
    pub fn inventory_history(&self) -> Result<Vec<PathBuf>, EngagementError> {
        let dir = self.path(HISTORY_DIR);
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(EngagementError::io("list", &dir, e)),
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("inventory-") && n.ends_with(".yaml"))
            })
            .collect();
        // Names embed a sortable UTC timestamp.
        files.sort();
        Ok(files)
    }
}

/// Reads and parses a YAML file of ata2atp's; `Ok(None)` when it does not exist. A file
/// from a newer schema is refused before it is parsed in full.
pub fn read_yaml_file<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, EngagementError> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(EngagementError::io("read", path, e)),
    };
    let origin = path.display().to_string();
    #[derive(Deserialize)]
    struct Versioned {
        schema_version: Option<u32>,
    }
    if let Ok(Versioned {
        schema_version: Some(found),
    }) = yaml::from_str::<Versioned>(&text, &origin)
        && found > SCHEMA_VERSION
    {
        return Err(EngagementError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
        });
    }
    Ok(Some(yaml::from_str(&text, &origin)?))
}
