//! What a report is made from: the engagement's files, read once, with their hashes.

use std::fs;
use std::path::{Path, PathBuf};

use super::Error;
use super::integrity::{self, InputHash};
use super::signoff::{SIGNOFF_FILE, SignOff, SignOffOverrides};
use crate::checklist::{self, Definition};
use crate::engagement::{
    CHECKLIST_FILE, CHECKLIST_LOG, CHECKS_FILE, CONFIG_FILE, Engagement, EngagementConfig,
    INVENTORY_FILE, read_yaml_file,
};
use crate::model::{ChecklistChange, ChecklistState, ChecksFile, Inventory};

/// Everything the report shows, as read from the engagement.
pub struct Inputs {
    pub root: PathBuf,
    pub config: EngagementConfig,
    pub inventory: Option<Inventory>,
    pub checks: Option<ChecksFile>,
    pub def: Definition,
    /// The guide's state (empty when `checklist.yaml` follows another guide or is absent).
    pub state: ChecklistState,
    /// The change log's entries for the guide, oldest first.
    pub changes: Vec<ChecklistChange>,
    pub signoff: SignOff,
    /// The files read, for the integrity record.
    pub files: Vec<InputHash>,
}

impl Inputs {
    /// Reads the engagement for a report on `guide` (default: the engagement's).
    pub fn load(
        engagement: &Engagement,
        guide: Option<&str>,
        overrides: &SignOffOverrides,
    ) -> Result<Self, Error> {
        let root = engagement.root().to_path_buf();
        let config = engagement.config()?;
        let inventory = engagement.inventory()?;
        let checks = engagement.checks()?;
        let guide = guide.unwrap_or(&config.guide).to_string();
        let def = checklist::resolve(Some(&root), &guide)?;
        let state = checklist::state::for_guide(engagement, &def, false)?;
        let changes = read_changes(&root.join(CHECKLIST_LOG))?
            .into_iter()
            .filter(|c| c.guide == def.guide)
            .collect();
        let signoff = read_yaml_file::<SignOff>(&root.join(SIGNOFF_FILE))?
            .unwrap_or_default()
            .resolve(overrides, &config);

        let mut names: Vec<String> = [
            CONFIG_FILE,
            INVENTORY_FILE,
            CHECKS_FILE,
            CHECKLIST_FILE,
            CHECKLIST_LOG,
            SIGNOFF_FILE,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // The engagement's own definition of the guide, when it has one.
        let custom = format!("{}/{}.yaml", checklist::CUSTOM_DIR, def.guide);
        if root.join(&custom).is_file() {
            names.push(custom);
        }
        // Evidence proves steps: a file replaced after the report is a change.
        let mut evidence: Vec<String> = state
            .steps
            .values()
            .flat_map(|s| s.evidence.iter().cloned())
            .collect();
        evidence.sort();
        evidence.dedup();
        names.extend(evidence);
        let files = names
            .iter()
            .map(|n| integrity::input(&root, n))
            .collect::<Result<Vec<_>, _>>()?;

        Ok(Self {
            root,
            config,
            inventory,
            checks,
            def,
            state,
            changes,
            signoff,
            files,
        })
    }
}

/// The checklist change log; a line that does not parse is named with its number.
fn read_changes(path: &Path) -> Result<Vec<ChecklistChange>, Error> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(Error::Io {
                action: "read",
                path: path.to_path_buf(),
                source,
            });
        }
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| {
                Error::Input(format!(
                    "{}:{}: not a checklist change ({e}); the log is append-only: restore the \
                     line from a backup or remove it, knowing the report then lacks that change",
                    path.display(),
                    i + 1
                ))
            })
        })
        .collect()
}
