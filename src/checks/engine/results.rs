//! The new `checks.yaml` of a run, and the rule that turns its results into an exit
//! code.

use chrono::{DateTime, Utc};

use super::{FailOn, apply_acceptances, selected};
use crate::checks::CATALOG;
use crate::checks::verdict::RunVerdict as Verdict;
use crate::model::{CheckResult, ChecksFile, SCHEMA_VERSION, Status, TOOL_VERSION};

/// The new `checks.yaml`: this run's results, the acceptances kept from the previous
/// file, and, when only some checks ran (`--only`) on the same inventory, the previous
/// results of the others. Results of another inventory are dropped, not mixed in.
pub fn checks_file(
    results: Vec<CheckResult>,
    previous: Option<ChecksFile>,
    only: &[String],
    inventory_sha256: Option<String>,
    ran_at: DateTime<Utc>,
) -> ChecksFile {
    let (mut kept, acceptances) = match previous {
        Some(p) => {
            let same_inventory =
                p.inventory_sha256.is_some() && p.inventory_sha256 == inventory_sha256;
            let kept: Vec<CheckResult> = if !only.is_empty() && same_inventory {
                p.results
                    .into_iter()
                    .filter(|r| !selected(only, &r.id))
                    .collect()
            } else {
                Vec::new()
            };
            (kept, p.acceptances)
        }
        None => (Vec::new(), Vec::new()),
    };
    kept.extend(results);
    let catalog_index = |id: &str| {
        CATALOG
            .iter()
            .position(|c| c.id == id)
            .unwrap_or(usize::MAX)
    };
    // Stable: within an id, subjects keep their order.
    kept.sort_by_key(|r| catalog_index(&r.id));
    apply_acceptances(&mut kept, &acceptances);
    ChecksFile {
        schema_version: SCHEMA_VERSION,
        tool_version: TOOL_VERSION.to_string(),
        ran_at,
        inventory_sha256,
        results: kept,
        acceptances,
    }
}

/// What `results` mean under `fail_on`: checks failed when an unaccepted result fails it.
pub fn verdict(results: &[CheckResult], fail_on: FailOn) -> Verdict {
    let blocking = |r: &&CheckResult| {
        r.accepted.is_none()
            && match fail_on {
                FailOn::Fail => r.status == Status::Fail,
                FailOn::Warn => matches!(r.status, Status::Fail | Status::Warn),
                FailOn::Never => false,
            }
    };
    if results.iter().any(|r| blocking(&r)) {
        Verdict::ChecksFailed
    } else {
        Verdict::Passed
    }
}
