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

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::model::{ChecklistState, ChecksFile, Inventory, SCHEMA_VERSION};
use crate::yaml::{self, YamlError};

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
    fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The cloud the Defender for Identity workspace lives in; it decides the sensor API host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Cloud {
    #[default]
    Commercial,
    Gcc,
    GccHigh,
}

impl Cloud {
    /// Host the sensors talk to, e.g. `contososensorapi.atp.azure.com`.
    pub fn sensor_api_host(self, workspace: &str) -> String {
        let suffix = match self {
            Cloud::Commercial => "atp.azure.com",
            Cloud::Gcc => "gcc.atp.azure.com",
            Cloud::GccHigh => "atp.azure.us",
        };
        format!("{workspace}sensorapi.{suffix}")
    }

    /// The URL the connectivity test calls, as the sensor does.
    pub fn ping_url(self, workspace: &str) -> String {
        format!(
            "https://{}/tri/sensor/api/ping",
            self.sensor_api_host(workspace)
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Commercial => "commercial",
            Cloud::Gcc => "gcc",
            Cloud::GccHigh => "gcc-high",
        }
    }
}

/// The customer's proxy, as the sensors will use it. The password is never stored: it is
/// asked for, or read from a file or environment variable, when a probe needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProxyConfig {
    /// `http://host:port`, without credentials.
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// Where the LDAP source is and who binds. No password.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LdapSourceConfig {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
}

/// Where the engagement's inputs live, so later runs need no flags. No credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceLocations {
    /// MongoDB URI of ATA's database, without user or password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ata_mongo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ata_dump: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ata_json: Vec<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ldap: Option<LdapSourceConfig>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ldif: Vec<PathBuf>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dc_facts: Vec<PathBuf>,
    /// `auditpol /get /category:* /r` captures pasted per domain controller.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auditpol: Vec<PathBuf>,
    /// JSON of `ata2atp collector server-facts` (AD CS, AD FS, Entra Connect servers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub server_facts: Vec<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center_facts: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_logs: Option<PathBuf>,
}

/// The content of `ata2atp.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngagementConfig {
    pub schema_version: u32,
    pub customer: String,
    pub consultant: String,
    pub cloud: Cloud,
    /// Defender for Identity workspace (instance) name, e.g. `contoso`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<ProxyConfig>,
    /// The guide the checklist follows: `azure-atp-2019` or `mdi-current`.
    pub guide: String,
    #[serde(default)]
    pub sources: SourceLocations,
    /// Made by `ata2atp demo` from the built-in sample: may be rebuilt at will.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
    pub created_at: DateTime<Utc>,
}

impl EngagementConfig {
    /// Refuses values that would put a secret on disk or break later stages.
    pub fn validate(&self, path: &Path) -> Result<(), EngagementError> {
        let invalid = |field, message: &str| EngagementError::Invalid {
            path: path.to_path_buf(),
            field,
            message: message.to_string(),
        };
        if self.customer.trim().is_empty() {
            return Err(invalid("customer", "must not be empty"));
        }
        if let Some(proxy) = &self.proxy
            && url_has_password(&proxy.url)
        {
            return Err(invalid(
                "proxy.url",
                "contains a password; give the URL without credentials and pass the \
                     password with --proxy-password-env or --proxy-password-file when probing",
            ));
        }
        if let Some(uri) = &self.sources.ata_mongo
            && url_has_password(uri)
        {
            return Err(invalid(
                "sources.ata_mongo",
                "contains a password; give the URI without credentials",
            ));
        }
        if let Some(ws) = &self.workspace {
            let ok = !ws.is_empty() && ws.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !ok {
                return Err(invalid(
                    "workspace",
                    "must be the workspace name only (letters, digits and '-'), e.g. contoso",
                ));
            }
        }
        Ok(())
    }
}

/// True when a URL carries `user:password@`.
pub fn url_has_password(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
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

/// Proof that this process is the engagement's only writer; every write goes through it.
#[derive(Debug)]
pub struct WriteLock {
    root: PathBuf,
    // Holding the open file holds the OS lock; dropping it releases the lock.
    file: File,
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        // Removed while still locked, so no other writer can have locked this file in
        // between; one that opened it already notices it is gone (see `lock`).
        let path = self.root.join(LOCK_FILE);
        held_locks().retain(|(p, _)| p != &path);
        if still_at(&self.file, &path) {
            let _ = fs::remove_file(&path);
        }
    }
}

/// The lock files this process holds (a handle on each), so that a process ended
/// without unwinding (Ctrl-C's deadline) still removes them; see [`remove_held_locks`].
fn held_locks() -> MutexGuard<'static, Vec<(PathBuf, File)>> {
    static HELD: Mutex<Vec<(PathBuf, File)>> = Mutex::new(Vec::new());
    HELD.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes the lock files this process holds, for a process about to end without
/// dropping its [`WriteLock`]s (after [`stop_writes`]): the OS releases the locks when it
/// ends, and no file is left behind.
pub fn remove_held_locks() {
    for (path, file) in held_locks().iter() {
        if still_at(file, path) {
            let _ = fs::remove_file(path);
        }
    }
}

impl WriteLock {
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `bytes` to `relative` atomically: temp file, fsync, rename, fsync folder.
    pub fn write_atomic(
        &self,
        relative: impl AsRef<Path>,
        bytes: &[u8],
    ) -> Result<PathBuf, EngagementError> {
        let relative = relative.as_ref();
        let _gate = write_gate()?;
        refuse_links(&self.root, relative)?;
        let path = self.root.join(relative);
        replace_file(&path, bytes)?;
        Ok(path)
    }

    /// Serialises `value` as YAML into `relative`, atomically.
    pub fn write_yaml<T: Serialize>(
        &self,
        relative: impl AsRef<Path>,
        value: &T,
    ) -> Result<PathBuf, EngagementError> {
        let relative = relative.as_ref();
        let text = yaml::to_string(value, &relative.display().to_string())?;
        self.write_atomic(relative, text.as_bytes())
    }

    /// Appends one line to an append-only log (created if missing), flushed to disk.
    pub fn append_line(
        &self,
        relative: impl AsRef<Path>,
        line: &str,
    ) -> Result<(), EngagementError> {
        let relative = relative.as_ref();
        let _gate = write_gate()?;
        if let Some(parent) = relative.parent().filter(|p| !p.as_os_str().is_empty()) {
            self.create_dir_unlocked(parent)?;
        }
        refuse_links(&self.root, relative)?;
        let path = self.root.join(relative);
        let mut file = open_no_follow(OpenOptions::new().create(true).append(true), &path)
            .map_err(|e| link_or_io("open", &path, e))?;
        let mut buf = line.trim_end_matches('\n').to_string();
        buf.push('\n');
        file.write_all(buf.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| EngagementError::io("append to", &path, e))
    }

    /// Creates a folder inside the engagement if it is missing.
    pub fn create_dir(&self, relative: impl AsRef<Path>) -> Result<PathBuf, EngagementError> {
        let _gate = write_gate()?;
        self.create_dir_unlocked(relative.as_ref())
    }

    fn create_dir_unlocked(&self, relative: &Path) -> Result<PathBuf, EngagementError> {
        refuse_links(&self.root, relative)?;
        let path = self.root.join(relative);
        fs::create_dir_all(&path).map_err(|e| EngagementError::io("create", &path, e))?;
        // A link created between the check and here is caught before anything is
        // written into the folder (every write checks again).
        Ok(path)
    }

    /// Saves a new inventory as `inventory.yaml` and keeps a copy in `history/`, so the
    /// history holds every inventory ever collected (what `diff` compares).
    pub fn save_inventory(&self, inventory: &Inventory) -> Result<PathBuf, EngagementError> {
        let text = yaml::to_string(inventory, INVENTORY_FILE)?;
        // Both files or neither: a Ctrl-C waits for the pair.
        let _gate = write_gate()?;
        self.create_dir_unlocked(Path::new(HISTORY_DIR))?;
        let stamp = inventory.collected_at.format("%Y%m%dT%H%M%S%.3fZ");
        let mut name = format!("{HISTORY_DIR}/inventory-{stamp}.yaml");
        let mut n = 1;
        while fs::symlink_metadata(self.root.join(&name)).is_ok() {
            n += 1;
            name = format!("{HISTORY_DIR}/inventory-{stamp}-{n}.yaml");
        }
        self.write_unlocked(Path::new(&name), text.as_bytes())?;
        self.write_unlocked(Path::new(INVENTORY_FILE), text.as_bytes())
    }

    pub fn save_checks(&self, checks: &ChecksFile) -> Result<PathBuf, EngagementError> {
        self.write_yaml(CHECKS_FILE, checks)
    }

    /// Saves the checklist state, and the same bytes as the last good copy in `history/`.
    pub fn save_checklist(&self, state: &ChecklistState) -> Result<PathBuf, EngagementError> {
        let text = yaml::to_string(state, CHECKLIST_FILE)?;
        let _gate = write_gate()?;
        let path = self.write_unlocked(Path::new(CHECKLIST_FILE), text.as_bytes())?;
        self.create_dir_unlocked(Path::new(HISTORY_DIR))?;
        self.write_unlocked(Path::new(CHECKLIST_LAST_GOOD), text.as_bytes())?;
        Ok(path)
    }

    /// [`WriteLock::write_atomic`] for a caller that already holds the write gate.
    fn write_unlocked(&self, relative: &Path, bytes: &[u8]) -> Result<PathBuf, EngagementError> {
        refuse_links(&self.root, relative)?;
        let path = self.root.join(relative);
        replace_file(&path, bytes)?;
        Ok(path)
    }
}

/// Held by every write; taken for good by [`stop_writes`].
static WRITE_GATE: Mutex<()> = Mutex::new(());
static WRITES_STOPPED: AtomicBool = AtomicBool::new(false);

/// Enters the write section, or refuses once writes were stopped.
fn write_gate() -> Result<MutexGuard<'static, ()>, EngagementError> {
    // A panic in another write leaves nothing to protect: the files are still whole.
    let guard = WRITE_GATE.lock().unwrap_or_else(PoisonError::into_inner);
    if WRITES_STOPPED.load(Ordering::SeqCst) {
        return Err(EngagementError::Interrupted);
    }
    Ok(guard)
}

/// Refuses every later write of this process, after the one in progress (if any) is
/// complete. The command line calls it on Ctrl-C, before it cancels the run, so the
/// process can end at any moment after with every file whole and nothing new written.
pub fn stop_writes() {
    let _guard = WRITE_GATE.lock().unwrap_or_else(PoisonError::into_inner);
    WRITES_STOPPED.store(true, Ordering::SeqCst);
}

/// Refuses `relative` (inside `root`) when any part of it below `root` is a symbolic
/// link, or when it climbs out with `..`. Parts that do not exist yet are fine: they are
/// created as plain folders and files.
fn refuse_links(root: &Path, relative: &Path) -> Result<(), EngagementError> {
    let mut path = root.to_path_buf();
    for part in relative.components() {
        match part {
            Component::Normal(name) => path.push(name),
            Component::CurDir => continue,
            _ => {
                return Err(EngagementError::io(
                    "write",
                    &root.join(relative),
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "the path leaves the engagement folder",
                    ),
                ));
            }
        }
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(EngagementError::Symlink { path });
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(EngagementError::io("inspect", &path, e)),
        }
    }
    Ok(())
}

/// Opens `path` with `options`, refusing to follow a symbolic link at its last part
/// (`O_NOFOLLOW`), so a link planted after [`refuse_links`] looked is still not followed.
fn open_no_follow(options: &mut OpenOptions, path: &Path) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// An open that failed because of a link (`ELOOP` from `O_NOFOLLOW`) says so.
fn link_or_io(action: &'static str, path: &Path, e: io::Error) -> EngagementError {
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        EngagementError::Symlink {
            path: path.to_path_buf(),
        }
    } else {
        EngagementError::io(action, path, e)
    }
}

/// True when `file` is still the file at `path` (not removed or replaced since it was
/// opened). Windows has no inode numbers to compare, and needs none: a removed file
/// that is still open keeps its name reserved until closed, so no second lock file can
/// appear beside it.
fn still_at(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Atomic replacement of one file: nothing half-written is ever visible at `path`. For
/// files outside an engagement (`--out` copies); inside one, use [`WriteLock`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), EngagementError> {
    let _gate = write_gate()?;
    replace_file(path, bytes)
}

/// The atomic replacement itself, for callers holding the write gate.
fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), EngagementError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".ata2atp-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| EngagementError::io("write", path, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| EngagementError::io("write", path, e))?;
    tmp.persist(path)
        .map_err(|e| EngagementError::io("replace", path, e.error))?;
    // Make the rename itself durable.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> EngagementConfig {
        EngagementConfig {
            schema_version: SCHEMA_VERSION,
            customer: "Fabrikam Test".into(),
            consultant: "Jo Consultant".into(),
            cloud: Cloud::Commercial,
            workspace: Some("fabrikam".into()),
            proxy: Some(ProxyConfig {
                url: "http://proxy.fabrikam.test:8080".into(),
                user: Some("svc-proxy".into()),
            }),
            guide: "azure-atp-2019".into(),
            sources: SourceLocations::default(),
            demo: false,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn init_then_open_round_trips_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("eng");
        let cfg = config();
        let (eng, lock) = Engagement::init(&root, &cfg).unwrap();
        drop(lock);
        assert_eq!(eng.config().unwrap(), cfg);
        for d in [REPORTS_DIR, HISTORY_DIR, EVIDENCE_DIR] {
            assert!(root.join(d).is_dir(), "{d} missing");
        }
        let again = Engagement::init(&root, &cfg).unwrap_err();
        assert!(
            matches!(again, EngagementError::AlreadyExists { .. }),
            "{again}"
        );
    }

    #[test]
    fn a_second_writer_is_refused_and_told_who_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let (eng, lock) = Engagement::init(dir.path(), &config()).unwrap();
        let err = eng.lock().unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, EngagementError::Locked { .. }));
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        drop(lock);
        eng.lock().expect("lock is free again once dropped");
    }

    #[test]
    fn passwords_in_urls_are_refused() {
        assert!(url_has_password("http://user:pw@proxy:8080"));
        assert!(url_has_password("mongodb://ata:secret@center:27017/ATA"));
        assert!(!url_has_password("http://user@proxy:8080"));
        assert!(!url_has_password("http://proxy:8080/path?x=a:b@c"));
        let mut cfg = config();
        cfg.proxy = Some(ProxyConfig {
            url: "http://u:p@proxy:3128".into(),
            user: None,
        });
        let err = cfg
            .validate(Path::new("ata2atp.yaml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("proxy.url"), "{err}");
    }

    #[test]
    fn sensor_api_hosts_per_cloud() {
        assert_eq!(
            Cloud::Commercial.ping_url("contoso"),
            "https://contososensorapi.atp.azure.com/tri/sensor/api/ping"
        );
        assert_eq!(
            Cloud::Gcc.sensor_api_host("c"),
            "csensorapi.gcc.atp.azure.com"
        );
        assert_eq!(
            Cloud::GccHigh.sensor_api_host("c"),
            "csensorapi.atp.azure.us"
        );
    }

    #[test]
    fn a_newer_schema_is_refused_before_parsing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checks.yaml");
        fs::write(&path, "schema_version: 99\nsomething_new: [1, 2]\n").unwrap();
        let err = read_yaml_file::<ChecksFile>(&path).unwrap_err();
        assert!(
            matches!(err, EngagementError::SchemaTooNew { found: 99, .. }),
            "{err}"
        );
    }

    #[test]
    fn invalid_yaml_names_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checklist.yaml");
        fs::write(
            &path,
            "schema_version: 1\nguide: x\nsteps:\n  C01: [unclosed\n",
        )
        .unwrap();
        let err = read_yaml_file::<ChecklistState>(&path)
            .unwrap_err()
            .to_string();
        assert!(err.contains("checklist.yaml:"), "{err}");
        assert!(err.contains(":4:") || err.contains(":5:"), "{err}");
    }

    /// Files a person edits refuse a key they do not know, naming the file, the line and
    /// the keys allowed; files the tool writes refuse one too rather than drop it on the
    /// next save.
    #[test]
    fn unknown_keys_are_refused_with_the_line_and_the_valid_keys() {
        let dir = tempfile::tempdir().unwrap();
        let (eng, lock) = Engagement::init(dir.path().join("e"), &config()).unwrap();
        drop(lock);
        let cfg_path = eng.path(CONFIG_FILE);
        let text = fs::read_to_string(&cfg_path).unwrap();
        fs::write(&cfg_path, format!("{text}consultnat: Typo\n")).unwrap();
        let err = eng.config().unwrap_err().to_string();
        let line = text.lines().count() + 1;
        assert!(err.contains(&format!("ata2atp.yaml:{line}:")), "{err}");
        assert!(
            err.contains("consultnat") && err.contains("consultant"),
            "{err}"
        );
        fs::write(
            &cfg_path,
            text.replace("proxy:\n", "proxy:\n  passwrd: x\n"),
        )
        .unwrap();
        let err = eng.config().unwrap_err().to_string();
        assert!(
            err.contains("passwrd") && err.contains("url, user"),
            "{err}"
        );

        let cases: [(&str, &str, &str); 3] = [
            (
                CHECKLIST_FILE,
                "schema_version: 1\nguide: azure-atp-2019\nsteps:\n  P01:\n    status: todo\n    notes: kept?\n",
                "notes",
            ),
            (
                CHECKS_FILE,
                "schema_version: 1\nran_at: 2026-11-16T10:00:00Z\nresults: []\nextra: 1\n",
                "extra",
            ),
            (
                INVENTORY_FILE,
                "schema_version: 1\ncollected_at: 2026-11-16T10:00:00Z\ntool_version: 0.1.0\nata:\n  gatewyas: []\n",
                "gatewyas",
            ),
        ];
        for (file, content, key) in cases {
            fs::write(eng.path(file), content).unwrap();
            let err = match file {
                CHECKLIST_FILE => eng.checklist().map(|_| ()),
                CHECKS_FILE => eng.checks().map(|_| ()),
                _ => eng.inventory().map(|_| ()),
            }
            .unwrap_err()
            .to_string();
            assert!(err.contains(&format!("{file}:")), "{file}: {err}");
            assert!(
                err.contains(key) && err.contains("expected"),
                "{file}: {err}"
            );
        }
    }

    #[test]
    fn a_step_done_without_who_or_when_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (eng, lock) = Engagement::init(dir.path().join("e"), &config()).unwrap();
        drop(lock);
        let path = eng.path(CHECKLIST_FILE);
        for step in [
            "    status: done\n",
            "    status: done\n    by: Jo\n",
            "    status: done\n    at: 2026-11-16T10:00:00Z\n",
            "    status: done\n    by: ' '\n    at: 2026-11-16T10:00:00Z\n",
        ] {
            fs::write(
                &path,
                format!("schema_version: 1\nguide: azure-atp-2019\nsteps:\n  R01:\n    status: todo\n  P01:\n{step}"),
            )
            .unwrap();
            let err = eng.checklist().unwrap_err();
            assert!(matches!(err, EngagementError::Parse(_)), "{err}");
            let err = err.to_string();
            assert!(
                err.contains("checklist.yaml:6:") && err.contains("P01"),
                "{err}"
            );
        }
        fs::write(
            &path,
            "schema_version: 1\nguide: azure-atp-2019\nsteps:\n  P01:\n    status: done\n    by: Jo\n    at: 2026-11-16T10:00:00Z\n",
        )
        .unwrap();
        assert!(eng.checklist().unwrap().is_some());
    }
}
