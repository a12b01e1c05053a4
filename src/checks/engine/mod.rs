//! Running the checks: every family at once, with progress; then accepted risks applied,
//! results ordered as the catalog lists them, and the rule that turns them into an exit
//! code.
//!
//! Fact-based checks are pure and take microseconds; the network probes and the log scan
//! are what take time, so every check is a job and the jobs run concurrently (probes on
//! the runtime, the log scan on a blocking thread). A whole run therefore takes about one
//! probe timeout at worst, however many DCs the inventory holds.

use std::sync::Arc;

use futures::StreamExt;
use futures::future::BoxFuture;

use super::directory;
use super::network;
use super::{CATALOG, Outcome, ata, events, logs, readiness, sensor};
use crate::model::{CheckResult, Inventory, Status};
use crate::progress::Progress;

mod acceptance;
mod options;
mod results;

#[cfg(test)]
mod tests;

pub use acceptance::{
    AcceptanceError, Accepted, accept, apply_acceptances, parse_key, revoke, unmatched_acceptances,
};
pub use options::{
    DEMO_NOT_PROBED, FailOn, NetworkPlan, NoPingUrl, RunOptions, engagement_plan, selected,
    unknown_patterns,
};
pub use results::{checks_file, verdict};

type JobOutput = Vec<(&'static str, Option<String>, Outcome)>;
/// One check's results, by subject.
type Subjects = Vec<(Option<String>, Outcome)>;

/// Runs the selected checks on `inventory`; results in catalog order, subjects in the
/// order the inventory lists them. Acceptances are not applied here (see
/// [`apply_acceptances`]).
pub async fn run(
    inventory: Arc<Inventory>,
    options: RunOptions,
    progress: &dyn Progress,
) -> Vec<CheckResult> {
    let opts = Arc::new(options);
    let want = |id: &str| selected(&opts.only, id);
    let mut jobs: Vec<(String, BoxFuture<'static, JobOutput>)> = Vec::new();

    // Pure checks over the inventory: one job each (one per DC for the per-DC family).
    macro_rules! pure {
        ($name:expr, $ids:expr, |$inv:ident, $o:ident| $body:expr) => {{
            let ids: &[&str] = $ids;
            if ids.iter().any(|i| want(i)) {
                let $inv = inventory.clone();
                let $o = opts.clone();
                jobs.push((
                    $name.to_string(),
                    Box::pin(async move {
                        let _ = (&$inv, &$o);
                        let out: JobOutput = $body;
                        out
                    }),
                ));
            }
        }};
    }

    pure!("tenant", &["tenant.admin"], |inv, o| vec![(
        "tenant.admin",
        None,
        ata::tenant_admin()
    )]);
    pure!(
        "forest",
        &["forest.functional_level", "forest.recycle_bin"],
        |inv, o| vec![
            (
                "forest.functional_level",
                None,
                directory::forest_level(&inv)
            ),
            ("forest.recycle_bin", None, directory::recycle_bin(&inv)),
        ]
    );
    pure!("domains", &["domain.functional_level"], |inv, o| {
        directory::domain_levels(&inv)
            .into_iter()
            .map(|(s, out)| ("domain.functional_level", s, out))
            .collect()
    });

    if sensor::PER_DC_CHECKS.iter().any(|i| want(i)) {
        for dc_ref in sensor::domain_controller_refs(&inventory) {
            let inv = inventory.clone();
            let o = opts.clone();
            jobs.push((
                format!("dc {dc_ref:?}"),
                Box::pin(async move {
                    let dc = dc_ref.resolve(&inv);
                    let subject = dc.label();
                    let ctx = sensor::DcContext {
                        directory_read: inv.directory.is_some(),
                        sensor_proxy: o.sensor_proxy.as_deref(),
                        cloud: o.cloud,
                    };
                    sensor::check_dc(&dc, &ctx)
                        .into_iter()
                        .filter(|(id, _)| selected(&o.only, id))
                        .map(|(id, out)| (id, Some(subject.clone()), out))
                        .collect()
                }),
            ));
        }
    }

    pure!(
        "event collection",
        &[
            "domain.object_auditing",
            "forest.configuration_auditing",
            "domain.adfs_auditing",
            "server.adcs_auditing",
            "server.adfs_auditing",
            "server.entra_connect_auditing",
            "dsa.remote_sam"
        ],
        |inv, o| {
            let mut out: JobOutput = events::object_auditing(&inv)
                .into_iter()
                .map(|(s, r)| ("domain.object_auditing", s, r))
                .collect();
            out.push((
                "forest.configuration_auditing",
                None,
                events::configuration_auditing(&inv),
            ));
            out.extend(
                events::adfs_container_auditing(&inv)
                    .into_iter()
                    .map(|(s, r)| ("domain.adfs_auditing", s, r)),
            );
            out.extend(events::server_auditing(&inv));
            out.extend(
                readiness::remote_sam(&inv)
                    .into_iter()
                    .map(|(s, r)| ("dsa.remote_sam", s, r)),
            );
            out.retain(|(id, _, _)| selected(&o.only, id));
            out
        }
    );

    pure!(
        "dsa",
        &[
            "dsa.credentials",
            "dsa.deleted_objects",
            "dsa.privileges",
            "dsa.gmsa_kds",
            "dsa.matches_ata"
        ],
        |inv, o| {
            // One result per directory services account for each check.
            let per_account: [(&'static str, Subjects); 5] = [
                (
                    "dsa.credentials",
                    directory::credentials(&inv, &o.dsa_tests, &o.dsa_test_absent, o.now),
                ),
                ("dsa.deleted_objects", directory::deleted_objects(&inv)),
                ("dsa.privileges", directory::privileges(&inv)),
                ("dsa.gmsa_kds", directory::gmsa_kds(&inv)),
                ("dsa.matches_ata", directory::matches_ata(&inv)),
            ];
            per_account
                .into_iter()
                .flat_map(|(id, results)| results.into_iter().map(move |(s, r)| (id, s, r)))
                .collect()
        }
    );

    for (id, subject, outcome) in &opts.network.decided {
        let (id, subject, outcome) = (*id, subject.clone(), outcome.clone());
        if want(id) {
            jobs.push((
                format!("{id} decided"),
                Box::pin(async move { vec![(id, subject, outcome)] }),
            ));
        }
    }
    for spec in &opts.network.probes {
        if !want(spec.check_id) {
            continue;
        }
        let spec = spec.clone();
        let config = opts.network.config.clone();
        let name = match &spec.proxy {
            Some(p) => format!("probe {} via {}", spec.url, p.url),
            None => format!("probe {}", spec.url),
        };
        jobs.push((
            name,
            Box::pin(async move {
                let report = network::probe(&spec.url, spec.proxy.as_ref(), &config).await;
                vec![(
                    spec.check_id,
                    spec.subject.clone(),
                    network::judge(&spec, &report),
                )]
            }),
        ));
    }

    pure!(
        "ata",
        &[
            "ata.open_alerts",
            "ata.gateways_registered",
            "ata.console_url",
            "ata.pending_change",
            "ata.certificate_thumbprints",
            "ata.center_certificate",
            "ata.synchronizer_rodc",
            "ata.role_groups",
            "ata.console_certificate_name",
            "ata.center_addresses"
        ],
        |inv, o| vec![
            (
                "ata.console_certificate_name",
                None,
                ata::console_certificate_name(&inv)
            ),
            ("ata.center_addresses", None, ata::center_addresses(&inv)),
            ("ata.open_alerts", None, ata::open_alerts(&inv)),
            (
                "ata.gateways_registered",
                None,
                ata::gateways_registered(&inv)
            ),
            ("ata.console_url", None, ata::console_url(&inv)),
            ("ata.pending_change", None, ata::pending_change(&inv)),
            (
                "ata.certificate_thumbprints",
                None,
                ata::certificate_thumbprints(&inv)
            ),
            (
                "ata.center_certificate",
                None,
                ata::center_certificate(&inv, o.now)
            ),
            ("ata.synchronizer_rodc", None, ata::synchronizer_rodc(&inv)),
            (
                "ata.role_groups",
                None,
                ata::role_groups(&inv, o.workspace.as_deref())
            ),
        ]
    );

    // The logs folder is read once for the three checks that look at it: the gateways'
    // logs, each gateway's service (tied to a wrong password in its log), the sensors'.
    const LOG_CHECKS: [&str; 3] = ["ata.gateway_logs", "ata.gateway_service", "dc.sensor_logs"];
    if LOG_CHECKS.iter().any(|id| want(id)) {
        let dir = opts.gateway_logs.clone();
        let inv = inventory.clone();
        let o = opts.clone();
        jobs.push((
            "logs".into(),
            Box::pin(async move {
                let scanned = tokio::task::spawn_blocking(move || logs::scan(dir.as_deref()))
                    .await
                    .unwrap_or_else(|e| {
                        Err(Outcome::unknown(format!(
                            "the log scan stopped unexpectedly: {e}"
                        )))
                    });
                let mut out: JobOutput = Vec::new();
                out.extend(
                    logs::gateway_results(&scanned)
                        .into_iter()
                        .map(|(s, r)| ("ata.gateway_logs", s, r)),
                );
                out.extend(
                    ata::gateway_service(&inv, &scanned)
                        .into_iter()
                        .map(|(s, r)| ("ata.gateway_service", s, r)),
                );
                out.extend(
                    logs::sensor_results(&scanned, &inv)
                        .into_iter()
                        .map(|(s, r)| ("dc.sensor_logs", s, r)),
                );
                out.retain(|(id, _, _)| selected(&o.only, id));
                out
            }),
        ));
    }

    if want("ata.console_url_resolves") {
        let inv = inventory.clone();
        let o = opts.clone();
        jobs.push((
            "console lookup".into(),
            Box::pin(async move {
                let local = if o.network.resolve_names {
                    ata::LocalLookup::Done(
                        resolve_all(&ata::console_names(&inv), o.network.config.timeout).await,
                    )
                } else {
                    ata::LocalLookup::NotRun(
                        o.network
                            .decided
                            .first()
                            .map(|(_, _, d)| d.reason.trim_start_matches("not run: ").to_string())
                            .unwrap_or_else(|| "the network is not used in this run".into()),
                    )
                };
                ata::console_url_resolves(&inv, &local)
                    .into_iter()
                    .map(|(s, r)| ("ata.console_url_resolves", s, r))
                    .collect()
            }),
        ));
    }

    let total = jobs.len() as u64;
    const TASK: &str = "Running checks";
    progress.start(TASK, Some(total));
    // The probes are the slow part: each gets its own line while it runs.
    for (name, _) in jobs.iter().filter(|(n, _)| n.starts_with("probe ")) {
        progress.start(name, None);
    }
    let mut collected: Vec<(usize, JobOutput)> = Vec::new();
    let mut stream = futures::stream::iter(
        jobs.into_iter()
            .enumerate()
            .map(|(seq, (name, fut))| async move { (seq, name, fut.await) }),
    )
    .buffer_unordered(opts.concurrency.max(1));
    let mut failures = 0usize;
    while let Some((seq, name, out)) = stream.next().await {
        // Cancelled: what ran is returned; the caller asks `progress` and saves nothing.
        if progress.is_cancelled() {
            break;
        }
        if name.starts_with("probe ") {
            let verdict = out
                .first()
                .map(|(_, _, o)| o.status.as_str())
                .unwrap_or("done");
            progress.finish(&name, verdict);
        }
        failures += out
            .iter()
            .filter(|(_, _, o)| o.status == Status::Fail)
            .count();
        progress.advance(TASK, 1);
        collected.push((seq, out));
    }
    progress.finish(TASK, &format!("{total} jobs, {failures} failed result(s)"));

    let catalog_index = |id: &str| {
        CATALOG
            .iter()
            .position(|c| c.id == id)
            .unwrap_or(usize::MAX)
    };
    let mut flat: Vec<(usize, usize, usize, CheckResult)> = collected
        .into_iter()
        .flat_map(|(seq, out)| {
            out.into_iter()
                .enumerate()
                .map(move |(pos, (id, subject, outcome))| {
                    (
                        catalog_index(id),
                        seq,
                        pos,
                        outcome.into_result(id, subject),
                    )
                })
        })
        .collect();
    flat.sort_by_key(|(c, seq, pos, _)| (*c, *seq, *pos));
    flat.into_iter().map(|(_, _, _, r)| r).collect()
}

/// Looks each name up with the system's resolver, as a browser or a gateway on this machine
/// would; a lookup that takes longer than `timeout` counts as failed.
async fn resolve_all(
    names: &[String],
    timeout: std::time::Duration,
) -> Vec<crate::model::NameResolution> {
    let mut out = Vec::new();
    for name in names {
        let lookup = tokio::net::lookup_host((name.as_str(), 443));
        let (addresses, error) = match tokio::time::timeout(timeout, lookup).await {
            Err(_) => (
                Vec::new(),
                Some(format!("no answer within {} s", timeout.as_secs_f64())),
            ),
            Ok(Err(e)) => (Vec::new(), Some(e.to_string())),
            Ok(Ok(addrs)) => {
                let mut ips: Vec<String> = Vec::new();
                for a in addrs {
                    let ip = a.ip().to_string();
                    if !ips.contains(&ip) {
                        ips.push(ip);
                    }
                }
                (ips, None)
            }
        };
        out.push(crate::model::NameResolution {
            name: name.clone(),
            addresses,
            error,
        });
    }
    out
}
