//! What the prerequisite checks mean, in one place: the readiness verdict the report,
//! `ata2atp check` and the TUI's overview print, and the pass/fail outcome of a run that
//! the binary's edge turns into an exit code.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::checks::action::RunChecks;
use crate::model::{Acceptance, CheckResult, ChecksFile, Status};

/// How ready the deployment is, from the checks: one word for the colour.
///
/// Serialized in snake_case (`ready`, `ready_with_risks`, …): the report's templates
/// use it as a CSS class and JSON readers match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictLevel {
    /// Every check passed.
    Ready,
    /// Nothing open, but some results are accepted as known risks.
    ReadyWithRisks,
    /// Warnings, undecided or manual checks, or checks older than the inventory.
    OpenPoints,
    /// At least one check fails and is not accepted as a risk.
    NotReady,
    /// The checks have not been run.
    Undecided,
}

impl VerdictLevel {
    /// The serialized word (`ready_with_risks`), for templates and matches.
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictLevel::Ready => "ready",
            VerdictLevel::ReadyWithRisks => "ready_with_risks",
            VerdictLevel::OpenPoints => "open_points",
            VerdictLevel::NotReady => "not_ready",
            VerdictLevel::Undecided => "undecided",
        }
    }
}

impl fmt::Display for VerdictLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The readiness verdict: a level for the colour, one line for the reader, and what
/// stands between the deployment and "ready".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub level: VerdictLevel,
    pub headline: String,
    pub details: Vec<String>,
    /// The checks must run (again) before the verdict holds: the last detail, worded by
    /// each front end ([`Verdict::worded`]), as the checklist's fixes are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_checks: Option<RunChecks>,
}

impl Verdict {
    /// The verdict with its [`RunChecks`] worded by a front end as the last detail, in
    /// the words that front end gives the checks' actions.
    pub fn worded(mut self, words: &dyn crate::checks::action::Words) -> Self {
        if let Some(run) = self.run_checks.take() {
            self.details.push(words.run_checks(run));
        }
        self
    }
}

/// What a run of checks means for the process: a failed check is not an error (the run
/// itself worked), but scripts branch on it (`cli::exit::for_verdict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunVerdict {
    /// No check failed (per `--fail-on`).
    Passed,
    /// At least one check failed (per `--fail-on`).
    ChecksFailed,
}

/// The acceptance that covers a result, if any: applied by the checks, or added to
/// `checks.yaml` by hand since. The report, the verdict and the checklist's gates all
/// use this rule.
pub fn acceptance_of<'a>(checks: &'a ChecksFile, r: &'a CheckResult) -> Option<&'a Acceptance> {
    r.accepted.as_ref().or_else(|| {
        checks
            .acceptances
            .iter()
            .find(|a| a.check == r.id || a.check.eq_ignore_ascii_case(&r.key()))
    })
}

/// The readiness verdict from the prerequisite checks (`stale`: they ran on an earlier
/// inventory).
pub fn verdict(checks: Option<&ChecksFile>, stale: bool) -> Verdict {
    let Some(c) = checks else {
        return Verdict {
            level: VerdictLevel::Undecided,
            headline: "Undecided: the prerequisite checks have not been run".into(),
            details: Vec::new(),
            run_checks: Some(RunChecks::NotRun),
        };
    };
    let open = |s: Status| {
        c.results
            .iter()
            .filter(|r| r.status == s && acceptance_of(c, r).is_none())
            .count()
    };
    let (fail, warn, unknown, manual) = (
        open(Status::Fail),
        open(Status::Warn),
        open(Status::Unknown),
        open(Status::Manual),
    );
    let accepted = c
        .results
        .iter()
        .filter(|r| r.status != Status::Pass && acceptance_of(c, r).is_some())
        .count();
    let mut details = Vec::new();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if fail > 0 {
        details.push(format!(
            "{} not accepted as a risk",
            plural(fail, "failing check", "failing checks")
        ));
    }
    if unknown > 0 {
        details.push(format!(
            "{} could not be decided",
            plural(unknown, "check", "checks")
        ));
    }
    if manual > 0 {
        details.push(format!(
            "{} to confirm by hand",
            plural(manual, "check", "checks")
        ));
    }
    if warn > 0 {
        details.push(plural(warn, "warning", "warnings"));
    }
    if accepted > 0 {
        details.push(format!(
            "{} accepted as known risks",
            plural(accepted, "result", "results")
        ));
    }
    let (level, headline) = if fail > 0 {
        (VerdictLevel::NotReady, "Not ready: prerequisites fail")
    } else if unknown + manual + warn > 0 || stale {
        (
            VerdictLevel::OpenPoints,
            "Ready once the open points are settled",
        )
    } else if accepted > 0 {
        (VerdictLevel::ReadyWithRisks, "Ready, with accepted risks")
    } else {
        (
            VerdictLevel::Ready,
            "Ready: every prerequisite check passed",
        )
    };
    Verdict {
        level,
        headline: headline.into(),
        details,
        run_checks: stale.then_some(RunChecks::Stale),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_the_checks_is_the_last_detail_worded_by_the_front_end() {
        let none = verdict(None, false);
        assert_eq!(none.run_checks, Some(RunChecks::NotRun));
        assert!(none.details.is_empty());
        assert_eq!(
            none.worded(&crate::checks::action::Cli).details,
            ["Run `ata2atp check`, then write the report again."]
        );
        let file = ChecksFile {
            schema_version: crate::model::SCHEMA_VERSION,
            tool_version: "test".into(),
            ran_at: chrono::Utc::now(),
            inventory_sha256: None,
            results: Vec::new(),
            acceptances: Vec::new(),
        };
        let stale = verdict(Some(&file), true);
        assert_eq!(stale.level, VerdictLevel::OpenPoints);
        let worded = stale.worded(&crate::checks::action::Cli);
        assert_eq!(
            (worded.details.last().map(String::as_str), worded.run_checks),
            (
                Some("the checks ran on an earlier inventory: run `ata2atp check` again"),
                None
            )
        );
        assert_eq!(verdict(Some(&file), false).run_checks, None);
    }

    #[test]
    fn the_level_serializes_as_the_word_templates_use() {
        for l in [
            VerdictLevel::Ready,
            VerdictLevel::ReadyWithRisks,
            VerdictLevel::OpenPoints,
            VerdictLevel::NotReady,
            VerdictLevel::Undecided,
        ] {
            assert_eq!(
                serde_json::to_value(l).unwrap(),
                serde_json::Value::String(l.to_string())
            );
        }
        assert_eq!(VerdictLevel::ReadyWithRisks.to_string(), "ready_with_risks");
    }

    #[test]
    fn no_checks_is_undecided() {
        assert_eq!(verdict(None, false).level, VerdictLevel::Undecided);
    }
}
