//! The write lock: one writer per engagement, and no write once Ctrl-C was pressed.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::Serialize;

use crate::model::{ChecklistState, ChecksFile, Inventory};
use crate::yaml;

use super::*;

/// Proof that this process is the engagement's only writer; every write goes through it.
#[derive(Debug)]
pub struct WriteLock {
    pub(super) root: PathBuf,
    // Holding the open file holds the OS lock; dropping it releases the lock.
    pub(super) file: File,
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
pub(super) fn held_locks() -> MutexGuard<'static, Vec<(PathBuf, File)>> {
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
pub(super) static WRITE_GATE: Mutex<()> = Mutex::new(());
pub(super) static WRITES_STOPPED: AtomicBool = AtomicBool::new(false);

/// Enters the write section, or refuses once writes were stopped.
pub(super) fn write_gate() -> Result<MutexGuard<'static, ()>, EngagementError> {
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
