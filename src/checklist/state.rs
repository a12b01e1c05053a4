//! The checklist state on disk: `checklist.yaml`, its last good copy and the audit log.
//!
//! Every change is saved through the engagement's [`WriteLock`] (atomic rename, one
//! writer), which also refreshes `history/checklist.last-good.yaml`; then one JSON line is
//! appended to `history/checklist-changes.jsonl`. A `checklist.yaml` that no longer
//! parses (edited by hand) is never overwritten: every command stops with the line and
//! column of the problem and points at the last good copy. Steps the guide does not
//! know (from another version of a checklist, or typed by hand) are kept as they are and
//! reported, never dropped.

use std::path::PathBuf;

use super::Error;
use super::definition::Definition;
use super::engine::{self, Facts, SetRequest};
use crate::engagement::{
    CHECKLIST_FILE, CHECKLIST_LAST_GOOD, CHECKLIST_LOG, Engagement, EngagementError, WriteLock,
};
use crate::model::{ChecklistChange, ChecklistState};

/// Reads `checklist.yaml`; `None` when no step was ever touched.
pub fn load(engagement: &Engagement) -> Result<Option<ChecklistState>, Error> {
    match engagement.checklist() {
        Ok(state) => Ok(state),
        Err(EngagementError::Parse(error)) => {
            let last_good = engagement.path(CHECKLIST_LAST_GOOD);
            Err(Error::StateBroken {
                error,
                last_good: last_good.is_file().then_some(last_good),
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// The state for `def`'s guide: the saved one, or a fresh one. A saved state of another
/// guide is refused for writing (`for_writing`) and replaced by a fresh one for reading.
pub fn for_guide(
    engagement: &Engagement,
    def: &Definition,
    for_writing: bool,
) -> Result<ChecklistState, Error> {
    match load(engagement)? {
        Some(state) if state.guide == def.guide => Ok(state),
        Some(state) if for_writing => Err(Error::GuideMismatch {
            state: state.guide,
            guide: def.guide.clone(),
        }),
        _ => Ok(ChecklistState::new(def.guide.clone())),
    }
}

/// Step ids in the state that the guide does not define (kept, and reported).
pub fn unknown_steps(def: &Definition, state: &ChecklistState) -> Vec<String> {
    state
        .steps
        .keys()
        .filter(|id| !def.steps.iter().any(|s| &s.id == *id))
        .cloned()
        .collect()
}

/// Applies one change under the lock: loads the current state (refusing a broken file),
/// applies the rules, saves the state and its last good copy, and logs the change.
pub fn set(
    engagement: &Engagement,
    lock: &WriteLock,
    def: &Definition,
    facts: &Facts<'_>,
    request: &SetRequest,
) -> Result<(ChecklistState, ChecklistChange), Error> {
    let mut state = for_guide(engagement, def, true)?;
    let change = engine::apply(def, &mut state, facts, request)?;
    save(lock, &state, &change)?;
    Ok((state, change))
}

/// Saves a state and appends its change to the audit log.
pub fn save(
    lock: &WriteLock,
    state: &ChecklistState,
    change: &ChecklistChange,
) -> Result<PathBuf, Error> {
    let path = lock.save_checklist(state)?;
    let line = serde_json::to_string(change)
        .map_err(|e| Error::Input(format!("could not log the change: {e}")))?;
    lock.append_line(CHECKLIST_LOG, &line)?;
    Ok(path)
}

/// Starts the checklist over (used by `demo` when it rebuilds its engagement): an empty
/// state, and an empty log, since the engagement is rebuilt from scratch.
pub fn reset(lock: &WriteLock, guide: &str) -> Result<(), Error> {
    lock.save_checklist(&ChecklistState::new(guide))?;
    lock.write_atomic(CHECKLIST_LOG, b"")?;
    Ok(())
}

/// Text for messages about the state file.
pub fn describe_broken(error: &crate::yaml::YamlError, last_good: Option<&PathBuf>) -> String {
    let restore = match last_good {
        Some(p) => format!(
            "the last good state is kept in {}: fix {CHECKLIST_FILE} by hand, or copy that file over it",
            p.display()
        ),
        None => format!("fix {CHECKLIST_FILE} by hand (no last good copy exists yet)"),
    };
    format!("{error}; nothing was changed. {restore}")
}
