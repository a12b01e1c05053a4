//! Writing inside the engagement: atomic replacement, never through a symbolic link.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Component, Path};

use super::*;

/// Refuses `relative` (inside `root`) when any part of it below `root` is a symbolic
/// link, or when it climbs out with `..`. Parts that do not exist yet are fine: they are
/// created as plain folders and files.
pub(super) fn refuse_links(root: &Path, relative: &Path) -> Result<(), EngagementError> {
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
pub(super) fn open_no_follow(options: &mut OpenOptions, path: &Path) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

/// An open that failed because of a link (`ELOOP` from `O_NOFOLLOW`) says so.
pub(super) fn link_or_io(action: &'static str, path: &Path, e: io::Error) -> EngagementError {
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
pub(super) fn still_at(file: &File, path: &Path) -> bool {
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
pub(super) fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), EngagementError> {
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
    REPLACED_ANY.store(true, std::sync::atomic::Ordering::SeqCst);
    Ok(())
}

/// Set once this process has replaced a file for good.
static REPLACED_ANY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether this process has written a file already. A Ctrl-C that comes after a command
/// saved its files (while it prints or frees memory) still ends it with 130, but the
/// message must not let the consultant think nothing was saved.
pub fn wrote_any() -> bool {
    REPLACED_ANY.load(std::sync::atomic::Ordering::SeqCst)
}
