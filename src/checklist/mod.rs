//! The migration checklist: the guide's steps as data, bound to the inventory, gated on
//! the checks, with a resumable state and the fields a consultant records for sign-off.
//!
//! | module | owns |
//! |---|---|
//! | [`definition`] | the `checklists/*.yaml` format and its validation (errors at file:line:column) |
//! | [`path`] | the path language `shows` use to point into the inventory |
//! | [`demo_walk`] | the steps `ata2atp demo` walks on the sample |
//! | [`document`] | the document paths are evaluated against: the inventory and the engagement's configuration |
//! | [`schema`] | the shape every path must resolve in, derived from a fully populated example |
//! | [`bind`] | a step's `shows` laid out with one inventory's values |
//! | [`engine`] | gates, `after` ordering, record fields, "next", and the refusal rules of `set` |
//! | [`state`] | `checklist.yaml`, its last good copy and the audit log |
//! | [`view`] | what the front ends show: progress per phase, one step with its values |
//!
//! Two guides are built in (`checklists/` in the repository): `azure-atp-2019`, the 2019
//! guide as written, and `mdi-current`, today's Defender for Identity edition. An
//! engagement can carry its own definitions in `<engagement>/checklists/<guide>.yaml`; a
//! file named after a built-in guide replaces it for that engagement, and any other name
//! adds a guide. `--checklist FILE` uses one file for one command.

pub mod bind;
pub mod definition;
pub mod demo_walk;
pub mod document;
pub mod engine;
pub mod path;
pub mod schema;
pub mod state;
pub mod view;

use std::path::{Path, PathBuf};

use crate::engagement::{Engagement, EngagementConfig, EngagementError};
use crate::model::{ChecksFile, Inventory};
use crate::yaml::YamlError;

pub use definition::{Definition, DefinitionError, DefinitionErrors};
pub use engine::{Facts, SetRequest};

/// The guides built into the binary: id, origin shown in messages, YAML text.
pub const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "azure-atp-2019",
        "checklists/azure-atp-2019.yaml (built in)",
        include_str!("../../checklists/azure-atp-2019.yaml"),
    ),
    (
        "mdi-current",
        "checklists/mdi-current.yaml (built in)",
        include_str!("../../checklists/mdi-current.yaml"),
    ),
];

/// Folder of an engagement holding its own checklist definitions.
pub const CUSTOM_DIR: &str = "checklists";

/// What stops a checklist command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Definition(DefinitionErrors),

    #[error("unknown guide `{guide}`; available: {available}")]
    UnknownGuide { guide: String, available: String },

    #[error("unknown step `{step}` in guide {guide}; `ata2atp checklist list` shows the step ids")]
    UnknownStep { step: String, guide: String },

    #[error(
        "step {step} ({title}) cannot be marked done; nothing was changed:\n{}",
        reasons.iter().map(|r| format!("  - {r}")).collect::<Vec<_>>().join("\n")
    )]
    Refused {
        step: String,
        title: String,
        reasons: Vec<engine::Blocker>,
    },

    /// A skipped or blocked step given no reason (a front end words the fix its way).
    #[error("step {step}: a {status} step needs --reason saying why")]
    NeedsReason {
        step: String,
        status: crate::model::StepStatus,
    },

    #[error("{0}")]
    Input(String),

    #[error("{}", state::describe_broken(error, last_good.as_ref()))]
    StateBroken {
        error: YamlError,
        last_good: Option<PathBuf>,
    },

    #[error(
        "checklist.yaml follows the guide {state}, not {guide}; nothing was changed. Use \
         --guide {state}, or move checklist.yaml aside to start {guide} afresh"
    )]
    GuideMismatch { state: String, guide: String },

    #[error(transparent)]
    Engagement(#[from] EngagementError),
}

impl From<DefinitionErrors> for Error {
    fn from(e: DefinitionErrors) -> Self {
        Error::Definition(e)
    }
}

/// Parses and validates a definition against the inventory schema and check catalog.
pub fn parse(text: &str, origin: &str) -> Result<Definition, DefinitionErrors> {
    let check = |id: &str| crate::checks::info(id).map(|c| c.guide);
    definition::parse(
        text,
        origin,
        &definition::Schema {
            shape: schema::shape(),
            check: &check,
        },
    )
}

/// Loads and validates a definition file.
pub fn load_file(path: &Path) -> Result<Definition, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| EngagementError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    })?;
    Ok(parse(&text, &path.display().to_string())?)
}

/// Every guide id available: the engagement's own files, then the built-ins.
pub fn available(root: Option<&Path>) -> Vec<String> {
    let mut ids: Vec<String> = custom_files(root)
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    for (id, _, _) in BUILTIN {
        if !ids.iter().any(|i| i == id) {
            ids.push((*id).to_string());
        }
    }
    ids
}

/// `<root>/checklists/*.yaml`, sorted.
pub fn custom_files(root: Option<&Path>) -> Vec<PathBuf> {
    let Some(dir) = root.map(|r| r.join(CUSTOM_DIR)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The definition of `guide`: the engagement's `checklists/<guide>.yaml` when it has
/// one, else the built-in.
pub fn resolve(root: Option<&Path>, guide: &str) -> Result<Definition, Error> {
    if let Some(file) = custom_files(root)
        .into_iter()
        .find(|p| p.file_stem().is_some_and(|s| s.to_string_lossy() == guide))
    {
        return load_custom(&file);
    }
    match BUILTIN.iter().find(|(id, _, _)| *id == guide) {
        Some((_, origin, text)) => Ok(parse(text, origin)?),
        None => Err(Error::UnknownGuide {
            guide: guide.to_string(),
            available: available(root).join(", "),
        }),
    }
}

/// Loads one of the engagement's own definitions: a file named after the guide it
/// defines, since the name is how `--guide` and `ata2atp.yaml` find it.
pub fn load_custom(file: &Path) -> Result<Definition, Error> {
    let def = load_file(file)?;
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if def.guide != stem {
        return Err(Error::Input(format!(
            "{} defines the guide `{}`; a checklist in the engagement is named after its guide: \
             rename the file to {}.yaml or change `guide:`",
            file.display(),
            def.guide,
            def.guide
        )));
    }
    Ok(def)
}

/// What the checklist commands read from an engagement besides the state.
pub struct Loaded {
    pub root: PathBuf,
    pub config: EngagementConfig,
    pub inventory: Option<Inventory>,
    pub checks: Option<ChecksFile>,
}

impl Loaded {
    pub fn open(engagement: &Engagement) -> Result<Self, Error> {
        Ok(Self {
            root: engagement.root().to_path_buf(),
            config: engagement.config()?,
            inventory: engagement.inventory()?,
            checks: engagement.checks()?,
        })
    }

    pub fn facts(&self, now: chrono::DateTime<chrono::Utc>) -> Facts<'_> {
        Facts::new(
            self.inventory.as_ref(),
            Some(&self.config),
            self.checks.as_ref(),
            Some(&self.root),
            now,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_guides_are_valid() {
        for (id, origin, text) in BUILTIN {
            let def = parse(text, origin).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(&def.guide, id);
        }
    }
}
