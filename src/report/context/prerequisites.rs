//! The prerequisite checks in the report: every result and every accepted risk.

use super::*;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Prerequisites {
    pub present: bool,
    pub ran_at: Option<String>,
    /// The checks ran on another inventory than the current one.
    pub stale: bool,
    pub results: Vec<CheckLine>,
    pub acceptances: Vec<AcceptanceLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckLine {
    /// `id` or `id[subject]`.
    pub check: String,
    pub id: String,
    pub title: String,
    pub guide: String,
    pub subject: Option<String>,
    pub status: Status,
    pub reason: Option<String>,
    pub evidence: Vec<Pair>,
    pub remediation: Option<String>,
    pub accepted: Option<AcceptanceLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AcceptanceLine {
    pub check: String,
    pub by: String,
    pub reason: String,
    pub at: String,
}

pub(super) fn acceptance_line(a: &crate::model::Acceptance) -> AcceptanceLine {
    AcceptanceLine {
        check: a.check.clone(),
        by: a.by.clone(),
        reason: a.reason.clone(),
        at: when(a.at),
    }
}

pub(super) fn prerequisites(inputs: &Inputs) -> Prerequisites {
    let Some(c) = &inputs.checks else {
        return Prerequisites::default();
    };
    let inventory_hash = inputs
        .files
        .iter()
        .find(|f| f.path == crate::engagement::INVENTORY_FILE)
        .and_then(|f| f.sha256.as_deref());
    let stale = matches!(
        (c.inventory_sha256.as_deref(), inventory_hash),
        (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b)
    );
    Prerequisites {
        present: true,
        ran_at: Some(when(c.ran_at)),
        stale,
        results: c
            .results
            .iter()
            .map(|r| CheckLine {
                check: r.key(),
                id: r.id.clone(),
                title: r.title.clone(),
                guide: serde_json::to_value(r.guide)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                subject: r.subject.clone(),
                status: r.status,
                reason: r.reason.clone(),
                evidence: r.evidence.iter().map(|(k, v)| pair(k, v)).collect(),
                remediation: crate::checks::action::cli(r),
                accepted: (r.status != Status::Pass)
                    .then(|| acceptance_of(c, r).map(acceptance_line))
                    .flatten(),
            })
            .collect(),
        acceptances: c.acceptances.iter().map(acceptance_line).collect(),
    }
}
