//! Accepted risks: recording, withdrawing and applying a consultant's acceptances.

use chrono::{DateTime, Utc};

use crate::checks::CATALOG;
use crate::model::{Acceptance, CheckResult, ChecksFile, Status, same_host};

/// An acceptance (or its withdrawal) that cannot be recorded; bad input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcceptanceError {
    #[error("'{key}': a subject must be closed with ']', e.g. dc.dotnet[FAB-DC02]")]
    UnclosedSubject { key: String },
    #[error("'{key}': the subject between [ and ] is empty")]
    EmptySubject { key: String },
    #[error("'{id}' is not a check id; the ids are: {}", CATALOG.iter().map(|c| c.id).collect::<Vec<_>>().join(", "))]
    UnknownCheck { id: String },
    #[error("the reason must say why the risk is acceptable (it goes in the report)")]
    NoReason,
    #[error("name the person accepting the risk")]
    NoName,
    #[error("'{key}' is not an accepted risk; accepted: {}", if accepted.is_empty() { "none".to_string() } else { accepted.join(", ") })]
    NotAccepted { key: String, accepted: Vec<String> },
}

/// Splits an acceptance key `id` or `id[subject]`.
pub fn parse_key(key: &str) -> Result<(String, Option<String>), AcceptanceError> {
    let key = key.trim();
    let (id, subject) = match key.split_once('[') {
        Some((id, rest)) => {
            let subject =
                rest.strip_suffix(']')
                    .ok_or_else(|| AcceptanceError::UnclosedSubject {
                        key: key.to_string(),
                    })?;
            if subject.trim().is_empty() {
                return Err(AcceptanceError::EmptySubject {
                    key: key.to_string(),
                });
            }
            (id.trim(), Some(subject.trim().to_string()))
        }
        None => (key, None),
    };
    if crate::checks::info(id).is_none() {
        return Err(AcceptanceError::UnknownCheck { id: id.to_string() });
    }
    Ok((id.to_string(), subject))
}

fn subject_matches(id: &str, wanted: &str, actual: Option<&str>) -> bool {
    let Some(actual) = actual else { return false };
    wanted.eq_ignore_ascii_case(actual) || (id.starts_with("dc.") && same_host(wanted, actual))
}

/// Marks results a consultant accepted. An acceptance names `id` (every subject) or
/// `id[subject]`; the subject-specific one wins, then the latest. A Pass is never marked:
/// there is nothing to accept, and the acceptance stays for the day it fails again.
pub fn apply_acceptances(results: &mut [CheckResult], acceptances: &[Acceptance]) {
    for r in results.iter_mut() {
        r.accepted = None;
        if r.status == Status::Pass {
            continue;
        }
        let mut best: Option<(bool, &Acceptance)> = None;
        for a in acceptances {
            let Ok((id, subject)) = parse_key(&a.check) else {
                continue;
            };
            if id != r.id {
                continue;
            }
            let specific = match &subject {
                Some(s) if subject_matches(&id, s, r.subject.as_deref()) => true,
                Some(_) => continue,
                None => false,
            };
            let better = match best {
                None => true,
                Some((bs, ba)) => (specific, a.at) > (bs, ba.at),
            };
            if better {
                best = Some((specific, a));
            }
        }
        r.accepted = best.map(|(_, a)| a.clone());
    }
}

/// What [`accept`] recorded, and what it applies to now.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub acceptance: Acceptance,
    /// Keys of the current results the acceptance marks.
    pub matched: Vec<String>,
    /// Results of the same check that pass (nothing to accept there).
    pub passing: usize,
}

/// Accepts `key` (`id` or `id[subject]`) as a known risk in `file`: replaces an earlier
/// acceptance of the same key, and marks the results it applies to. An acceptance that
/// matches nothing yet is kept: it applies the day the check stops passing. The front
/// ends check their own flags first; this refuses only what no front end may record.
pub fn accept(
    file: &mut ChecksFile,
    key: &str,
    by: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<Accepted, AcceptanceError> {
    let (id, subject) = parse_key(key)?;
    let (by, reason) = (by.trim(), reason.trim());
    if reason.is_empty() {
        return Err(AcceptanceError::NoReason);
    }
    if by.is_empty() {
        return Err(AcceptanceError::NoName);
    }
    let key = match &subject {
        Some(s) => format!("{id}[{s}]"),
        None => id.clone(),
    };
    let acceptance = Acceptance {
        check: key.clone(),
        by: by.to_string(),
        reason: reason.to_string(),
        at,
    };
    file.acceptances
        .retain(|a| !a.check.eq_ignore_ascii_case(&key));
    file.acceptances.push(acceptance.clone());
    apply_acceptances(&mut file.results, &file.acceptances);
    let matched = file
        .results
        .iter()
        .filter(|r| r.accepted.as_ref().is_some_and(|a| a.check == key))
        .map(CheckResult::key)
        .collect();
    let passing = file
        .results
        .iter()
        .filter(|r| r.id == id && r.status == Status::Pass)
        .count();
    Ok(Accepted {
        acceptance,
        matched,
        passing,
    })
}

/// Withdraws the acceptance of `key` (as accepted, ignoring case) and unmarks its results.
pub fn revoke(file: &mut ChecksFile, key: &str) -> Result<(), AcceptanceError> {
    let key = key.trim();
    let before = file.acceptances.len();
    file.acceptances
        .retain(|a| !a.check.eq_ignore_ascii_case(key));
    if file.acceptances.len() == before {
        return Err(AcceptanceError::NotAccepted {
            key: key.to_string(),
            accepted: file.acceptances.iter().map(|a| a.check.clone()).collect(),
        });
    }
    apply_acceptances(&mut file.results, &file.acceptances);
    Ok(())
}

/// Keys of acceptances that match no current result (shown so a typo is noticed).
pub fn unmatched_acceptances<'a>(
    results: &[CheckResult],
    acceptances: &'a [Acceptance],
) -> Vec<&'a Acceptance> {
    acceptances
        .iter()
        .filter(|a| match parse_key(&a.check) {
            Ok((id, subject)) => !results.iter().any(|r| {
                r.id == id
                    && subject
                        .as_deref()
                        .is_none_or(|s| subject_matches(&id, s, r.subject.as_deref()))
            }),
            Err(_) => true,
        })
        .collect()
}
