//! What stands in the way of a step, typed: a [`Problem`] with the [`Fix`] that clears
//! it, a gate's [`GateProblem`], and the [`Blocker`]s of a step. The library names the
//! fix; each front end words it through [`Words`] (the CLI with its commands and flags,
//! [`Cli`], which `Display` and `Serialize` use; the TUI with its keys).

use serde::Serialize;

/// What the consultant does to clear a problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Fill in the step's own record field `key`.
    Field { key: String },
    /// Attach a file of the engagement as evidence.
    Evidence,
    /// Run the prerequisite checks (again): a result the gate names is missing.
    RunChecks,
    /// Record the field `key` on the earlier step `step`.
    RecordOn { step: String, key: String },
    /// What the tool can do to decide or fix a result the gate names (the result's own
    /// action, worded as the Prerequisites screen and `check` word it).
    Action(crate::checks::action::Action),
}

/// How a front end words fixes. The structure of every message is here; a front end
/// only gives its phrases.
pub trait Words {
    /// The tail after a problem's `what` saying how to make `fix`, separator included.
    fn fix(&self, fix: &Fix) -> String;
    /// A gate's whole problem when the checks have never run.
    fn checks_not_run(&self) -> String;
    /// The tail of a gate's problems that fixing the cause and running the checks
    /// again, or accepting the risk, clears (separator included).
    fn rerun(&self) -> String;
}

/// The command line's words: commands and flags. What `Display` (and so the JSON and
/// YAML output, and the report) says.
pub struct Cli;

impl Words for Cli {
    fn fix(&self, fix: &Fix) -> String {
        match fix {
            Fix::Field { key } => format!(": pass --field {key}=…"),
            Fix::Evidence => ": attach a file of the engagement with --evidence FILE".into(),
            Fix::RunChecks => "; run `ata2atp check`".into(),
            Fix::RecordOn { step, key } => {
                format!("; record it with `ata2atp checklist set {step} --field {key}=…`")
            }
            Fix::Action(a) => format!(
                "; {}",
                crate::checks::action::Words::action(&crate::checks::action::Cli, a)
            ),
        }
    }

    fn checks_not_run(&self) -> String {
        "the checks have not run: run `ata2atp check`".into()
    }

    fn rerun(&self) -> String {
        "; fix it and run `ata2atp check` again, or accept the risk in checks.yaml".into()
    }
}

/// One thing that is wrong, or holds, and the `fix` when the consultant can make one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub what: String,
    pub fix: Option<Fix>,
}

impl Problem {
    pub fn new(what: String, fix: Fix) -> Self {
        Self {
            what,
            fix: Some(fix),
        }
    }

    pub fn worded(&self, words: &dyn Words) -> String {
        match &self.fix {
            None => self.what.clone(),
            Some(fix) => format!("{}{}", self.what, words.fix(fix)),
        }
    }
}

impl From<String> for Problem {
    fn from(what: String) -> Self {
        Self { what, fix: None }
    }
}

/// Why a gate does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateProblem {
    /// There is no `checks.yaml`.
    ChecksNotRun,
    /// The results (or the step's own record, for a dated gate) do not hold it.
    Unmet {
        problems: Vec<Problem>,
        /// Some problem is a result's: fixing its cause and running the checks again,
        /// or accepting the risk, clears it.
        rerun: bool,
    },
}

impl GateProblem {
    pub fn worded(&self, words: &dyn Words) -> String {
        match self {
            GateProblem::ChecksNotRun => words.checks_not_run(),
            GateProblem::Unmet { problems, rerun } => {
                let mut text = problems
                    .iter()
                    .map(|p| p.worded(words))
                    .collect::<Vec<_>>()
                    .join("; ");
                if *rerun {
                    text.push_str(&words.rerun());
                }
                text
            }
        }
    }
}

/// One thing that stands in the way of doing a step, or of marking it done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// A gate does not hold.
    Gate {
        gate: String,
        problem: Option<GateProblem>,
    },
    /// An ordering condition, or the step's own record or evidence.
    Problem(Problem),
    /// A person marked the step blocked.
    MarkedBlocked { reason: Option<String> },
}

impl Blocker {
    pub fn worded(&self, words: &dyn Words) -> String {
        match self {
            Blocker::Gate { gate, problem } => format!(
                "gate {gate}: {}",
                problem
                    .as_ref()
                    .map_or_else(|| "not satisfied".into(), |p| p.worded(words))
            ),
            Blocker::Problem(p) => p.worded(words),
            Blocker::MarkedBlocked { reason } => format!(
                "marked blocked: {}",
                reason.as_deref().unwrap_or("no reason given")
            ),
        }
    }
}

impl From<Problem> for Blocker {
    fn from(p: Problem) -> Self {
        Blocker::Problem(p)
    }
}

/// `Display` in the CLI's words and `Serialize` as that one string, for each type.
macro_rules! cli_words {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.worded(&Cli))
            }
        }

        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
    )*};
}

cli_words!(Problem, GateProblem, Blocker);
