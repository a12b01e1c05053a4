//! Running the checks: every family at once, with progress; then accepted risks applied,
//! results ordered as the catalog lists them, and the rule that turns them into an exit
//! code.
//!
//! Fact-based checks are pure and take microseconds; the network probes and the log scan
//! are what take time, so every check is a job and the jobs run concurrently (probes on
//! the runtime, the log scan on a blocking thread). A whole run therefore takes about one
//! probe timeout at worst, however many DCs the inventory holds.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::future::BoxFuture;

use super::directory::{self, DsaTestOutcome};
use super::network::{self, ProbeConfig, ProbeSpec, ProxySpec};
use super::{CATALOG, Outcome, ata, events, logs, readiness, sensor};
use crate::checks::verdict::RunVerdict as Verdict;
use crate::model::{
    Acceptance, CheckResult, ChecksFile, Inventory, SCHEMA_VERSION, Status, TOOL_VERSION, same_host,
};
use crate::progress::Progress;

/// Which statuses make `check` exit with 1. Unknown and Manual never do: they ask for a
/// person, and a CI gate on them would fail every run before the site visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FailOn {
    /// Exit 1 when a check failed (not accepted).
    #[default]
    Fail,
    /// Exit 1 when a check failed or warned (not accepted).
    Warn,
    /// Always exit 0 once the checks ran.
    Never,
}

/// The network probes of a run, and the network verdicts decided without probing.
#[derive(Debug, Clone, Default)]
pub struct NetworkPlan {
    pub probes: Vec<ProbeSpec>,
    /// Verdicts known without a probe: not run (demo, `--no-network`), no workspace,
    /// no proxy configured.
    pub decided: Vec<(&'static str, Option<String>, Outcome)>,
    pub config: ProbeConfig,
    /// Look the ATA console URL's host up from this machine (`ata.console_url_resolves`);
    /// off when the network is not to be touched.
    pub resolve_names: bool,
}

impl NetworkPlan {
    /// Neither probe runs; both network checks are Unknown with `reason`.
    pub fn not_run(reason: &str) -> Self {
        let decided = ["network.sensor_api", "network.sensor_api_proxy"]
            .into_iter()
            .map(|id| (id, None, Outcome::unknown(format!("not run: {reason}"))))
            .collect();
        Self {
            probes: Vec::new(),
            decided,
            config: ProbeConfig::default(),
            resolve_names: false,
        }
    }

    /// The usual plan: the ping URL directly, and through the proxy when one is
    /// configured. `url` is `Err(why)` when there is no URL to probe (no workspace).
    pub fn standard(
        url: Result<String, String>,
        proxy: Option<ProxySpec>,
        config: ProbeConfig,
    ) -> Self {
        let url = match url {
            Ok(u) => u,
            Err(why) => {
                let mut plan = Self::not_run(&why);
                plan.config = config;
                // No workspace to probe, but the network may be used: the console
                // lookup needs none.
                plan.resolve_names = true;
                return plan;
            }
        };
        let proxy_configured = proxy.is_some();
        let mut probes = vec![ProbeSpec {
            check_id: "network.sensor_api",
            subject: None,
            url: url.clone(),
            proxy: None,
            proxy_configured,
        }];
        let mut decided = Vec::new();
        match proxy {
            Some(p) => probes.push(ProbeSpec {
                check_id: "network.sensor_api_proxy",
                subject: None,
                url,
                proxy: Some(p),
                proxy_configured,
            }),
            None => decided.push((
                "network.sensor_api_proxy",
                None,
                Outcome::pass("not applicable: no proxy is configured for the sensors (they go direct, see network.sensor_api)")
                    .remedy("if the customer has a proxy, record it in ata2atp.yaml (proxy.url, proxy.user)"),
            )),
        }
        Self {
            probes,
            decided,
            config,
            resolve_names: true,
        }
    }
}

/// Why a demo engagement is never probed: its workspace and proxy do not exist.
pub const DEMO_NOT_PROBED: &str =
    "demo engagement: the sample's workspace and proxy do not exist, so no probe is attempted";

/// The network plan an engagement's own settings give (no command-line overrides): no
/// probe for a demo; else the workspace's ping URL, directly and through the
/// engagement's proxy (`proxy_password` for its user, when one is configured).
pub fn engagement_plan(
    config: &crate::engagement::EngagementConfig,
    proxy_password: Option<crate::secrets::SecretString>,
    probe: ProbeConfig,
) -> NetworkPlan {
    if config.demo {
        return NetworkPlan::not_run(DEMO_NOT_PROBED);
    }
    let url = config
        .workspace
        .as_ref()
        .map(|ws| config.cloud.ping_url(ws))
        .ok_or_else(|| "the engagement names no workspace (ata2atp.yaml: workspace)".to_string());
    let proxy = config.proxy.as_ref().map(|p| ProxySpec {
        url: p.url.clone(),
        user: p.user.clone(),
        password: proxy_password,
    });
    NetworkPlan::standard(url, proxy, probe)
}

/// Everything a run needs besides the inventory.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// "Now" for expiry checks; fixed in tests.
    pub now: DateTime<Utc>,
    /// Ids to run: exact ids or `family.*`; empty runs all.
    pub only: Vec<String>,
    pub network: NetworkPlan,
    /// Folder of ATA gateway logs (one sub-folder per gateway).
    pub gateway_logs: Option<PathBuf>,
    /// The live bind test of each directory services account a password was given for,
    /// by the account's label: its outcome, or why it was not attempted.
    pub dsa_tests: BTreeMap<String, DsaTestOutcome>,
    /// Why an account has no test, shown as its `dsa.credentials` reason.
    pub dsa_test_absent: String,
    /// The Defender for Identity workspace, for the role group names.
    pub workspace: Option<String>,
    /// The proxy the sensors will use (the engagement's `proxy.url`), to compare with
    /// each DC's settings.
    pub sensor_proxy: Option<String>,
    /// The cloud the sensors report to (the engagement's `cloud`).
    pub cloud: crate::engagement::Cloud,
    /// Jobs in flight at once.
    pub concurrency: usize,
}

impl RunOptions {
    pub fn new(now: DateTime<Utc>, network: NetworkPlan) -> Self {
        Self {
            now,
            only: Vec::new(),
            network,
            gateway_logs: None,
            dsa_tests: BTreeMap::new(),
            dsa_test_absent: "the credentials were not tested: pass --dsa-password-env ACCOUNT=VAR or \
                              --dsa-password-file ACCOUNT=FILE (with an LDAP source in the engagement) to test the \
                              account, or run `ata2atp check dsa`"
                .into(),
            workspace: None,
            sensor_proxy: None,
            cloud: crate::engagement::Cloud::default(),
            concurrency: 64,
        }
    }

    /// The options an engagement's own settings give: its workspace, the sensors' proxy,
    /// the cloud, and the gateway logs folder (relative to the engagement's `root`).
    /// Every front end starts here, then applies its own flags.
    pub fn from_engagement(
        now: DateTime<Utc>,
        network: NetworkPlan,
        config: &crate::engagement::EngagementConfig,
        root: &std::path::Path,
    ) -> Self {
        let mut options = Self::new(now, network);
        options.workspace = config.workspace.clone();
        options.sensor_proxy = config.proxy.as_ref().map(|p| p.url.clone());
        options.cloud = config.cloud;
        // `join` keeps an absolute folder as it is.
        options.gateway_logs = config.sources.gateway_logs.as_ref().map(|d| root.join(d));
        options
    }
}

/// Checks `--only` patterns against the catalog: each must name an id or a family
/// (`dc.*`). Returns the patterns that match nothing.
pub fn unknown_patterns(patterns: &[String]) -> Vec<String> {
    patterns
        .iter()
        .filter(|p| !CATALOG.iter().any(|c| pattern_matches(p, c.id)))
        .cloned()
        .collect()
}

fn pattern_matches(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => pattern == id,
    }
}

/// True when `id` is selected by `only` (everything when empty).
pub fn selected(only: &[String], id: &str) -> bool {
    only.is_empty() || only.iter().any(|p| pattern_matches(p, id))
}

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
    if super::info(id).is_none() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DcFacts, GuideRef};
    use crate::progress::Silent;

    fn result(id: &str, subject: Option<&str>, status: Status) -> CheckResult {
        CheckResult {
            id: id.into(),
            title: "t".into(),
            guide: GuideRef::Both,
            subject: subject.map(str::to_string),
            status,
            reason: None,
            evidence: Default::default(),
            remediation: None,
            accepted: None,
        }
    }

    fn acceptance(key: &str, at: i64) -> Acceptance {
        Acceptance {
            check: key.into(),
            by: "Jo".into(),
            reason: "known".into(),
            at: DateTime::from_timestamp(at, 0).unwrap(),
        }
    }

    #[test]
    fn keys_are_validated_against_the_catalog() {
        assert_eq!(
            parse_key("dc.dotnet[FAB-DC02]").unwrap(),
            ("dc.dotnet".into(), Some("FAB-DC02".into()))
        );
        assert_eq!(
            parse_key("tenant.admin").unwrap(),
            ("tenant.admin".into(), None)
        );
        assert!(
            parse_key("dc.dotnet[FAB")
                .unwrap_err()
                .to_string()
                .contains("closed")
        );
        assert!(
            parse_key("dc.nope")
                .unwrap_err()
                .to_string()
                .contains("not a check id")
        );
        assert_eq!(
            unknown_patterns(&["dc.*".into(), "ata.open_alerts".into(), "zz".into()]),
            vec!["zz".to_string()]
        );
    }

    #[test]
    fn acceptances_match_subjects_and_never_mark_a_pass() {
        let mut rs = vec![
            result("dc.dotnet", Some("FAB-DC02.fabrikam.test"), Status::Fail),
            result("dc.dotnet", Some("FAB-DC01.fabrikam.test"), Status::Pass),
            result("dc.dotnet", Some("FAB-DC03.fabrikam.test"), Status::Fail),
        ];
        let acc = vec![
            acceptance("dc.dotnet", 10),
            acceptance("dc.dotnet[fab-dc02]", 5),
        ];
        apply_acceptances(&mut rs, &acc);
        assert_eq!(
            rs[0].accepted.as_ref().unwrap().check,
            "dc.dotnet[fab-dc02]"
        );
        assert!(rs[1].accepted.is_none());
        assert_eq!(rs[2].accepted.as_ref().unwrap().check, "dc.dotnet");
        assert_eq!(verdict(&rs, FailOn::Fail), Verdict::Passed);
        rs[2].accepted = None;
        assert_eq!(verdict(&rs, FailOn::Fail), Verdict::ChecksFailed);
        assert_eq!(verdict(&rs, FailOn::Never), Verdict::Passed);
        let typo = [acceptance("dc.cpu[X]", 1)];
        assert_eq!(unmatched_acceptances(&rs, &typo).len(), 1);
    }

    #[test]
    fn accept_replaces_the_same_key_and_revoke_withdraws_it() {
        let mut file = ChecksFile {
            schema_version: 1,
            tool_version: "x".into(),
            ran_at: Utc::now(),
            inventory_sha256: None,
            results: vec![
                result("dc.dotnet", Some("DC2"), Status::Fail),
                result("dc.dotnet", Some("DC1"), Status::Pass),
            ],
            acceptances: Vec::new(),
        };
        let at = DateTime::from_timestamp(5, 0).unwrap();
        assert!(accept(&mut file, "dc.dotnet[DC2]", "Jo", " ", at).is_err());
        assert!(accept(&mut file, "dc.nope", "Jo", "r", at).is_err());
        let a = accept(&mut file, "dc.dotnet[DC2]", "Jo", "retired", at).unwrap();
        assert_eq!(
            (a.matched.clone(), a.passing),
            (vec!["dc.dotnet[DC2]".to_string()], 1)
        );
        accept(
            &mut file,
            "DC.DOTNET[dc2]".to_lowercase().as_str(),
            "Ann",
            "again",
            at,
        )
        .unwrap();
        assert_eq!(file.acceptances.len(), 1);
        assert_eq!(file.results[0].accepted.as_ref().unwrap().by, "Ann");
        assert!(
            revoke(&mut file, "nothing")
                .unwrap_err()
                .to_string()
                .contains("not an accepted risk")
        );
        revoke(&mut file, "dc.dotnet[DC2]").unwrap();
        assert!(file.acceptances.is_empty() && file.results[0].accepted.is_none());
    }

    #[test]
    fn warnings_fail_only_with_fail_on_warn_and_unknown_never() {
        let rs = vec![
            result("dc.disk", Some("A"), Status::Warn),
            result("dc.cpu", Some("A"), Status::Unknown),
        ];
        assert_eq!(verdict(&rs, FailOn::Fail), Verdict::Passed);
        assert_eq!(verdict(&rs, FailOn::Warn), Verdict::ChecksFailed);
        let rs = vec![
            result("tenant.admin", None, Status::Manual),
            result("dc.cpu", Some("A"), Status::Unknown),
        ];
        assert_eq!(verdict(&rs, FailOn::Warn), Verdict::Passed);
    }

    #[test]
    fn only_keeps_other_results_of_the_same_inventory() {
        let prev = ChecksFile {
            schema_version: 1,
            tool_version: "x".into(),
            ran_at: Utc::now(),
            inventory_sha256: Some("aa".into()),
            results: vec![
                result("dc.cpu", Some("A"), Status::Fail),
                result("dc.dotnet", Some("A"), Status::Fail),
            ],
            acceptances: vec![acceptance("dc.cpu", 1)],
        };
        let new = vec![result("dc.dotnet", Some("A"), Status::Pass)];
        let f = checks_file(
            new.clone(),
            Some(prev.clone()),
            &["dc.dotnet".into()],
            Some("aa".into()),
            Utc::now(),
        );
        assert_eq!(f.results.len(), 2);
        assert_eq!(f.results[0].id, "dc.dotnet");
        assert!(f.results[1].accepted.is_some());
        let f = checks_file(
            new,
            Some(prev),
            &["dc.dotnet".into()],
            Some("bb".into()),
            Utc::now(),
        );
        assert_eq!(f.results.len(), 1);
        assert_eq!(f.acceptances.len(), 1);
    }

    #[tokio::test]
    async fn a_run_orders_results_by_catalog_and_runs_nothing_unselected() {
        let mut inv = Inventory::new(Utc::now());
        for n in ["DC1", "DC2"] {
            let mut f = DcFacts::new(n);
            f.logical_processors = Some(4);
            inv.hosts.push(f);
        }
        let mut opts = RunOptions::new(Utc::now(), NetworkPlan::not_run("test"));
        let all = run(Arc::new(inv.clone()), opts.clone(), &Silent).await;
        let ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort_by_key(|id| CATALOG.iter().position(|c| c.id == *id));
        assert_eq!(ids, sorted);
        for c in CATALOG {
            assert!(all.iter().any(|r| r.id == c.id), "{} has no result", c.id);
        }
        let net = all.iter().find(|r| r.id == "network.sensor_api").unwrap();
        assert_eq!(net.status, Status::Unknown);
        assert!(net.reason.as_deref().unwrap().contains("not run: test"));
        opts.only = vec!["dc.cpu".into()];
        let some = run(Arc::new(inv), opts, &Silent).await;
        assert_eq!(some.len(), 2);
        assert_eq!(some[0].subject.as_deref(), Some("DC1"));
        assert_eq!(some[1].subject.as_deref(), Some("DC2"));
    }

    #[tokio::test]
    async fn the_console_url_is_looked_up_from_this_machine_unless_the_network_is_off() {
        let mut inv = Inventory::new(Utc::now());
        // The system resolver answers localhost from the hosts file: no DNS server needed.
        inv.ata.center.console_urls = vec!["https://localhost".into()];
        inv.ata.center.listen_endpoint = Some("0.0.0.0:443".into());
        inv.ata.center.host_addresses = vec!["127.0.0.1".into(), "::1".into()];
        let mut plan = NetworkPlan::not_run("test");
        plan.resolve_names = true;
        let mut opts = RunOptions::new(Utc::now(), plan);
        opts.only = vec!["ata.console_url_resolves".into()];
        let inv = Arc::new(inv);
        let r = run(inv.clone(), opts.clone(), &Silent).await;
        let local = r
            .iter()
            .find(|r| r.subject.as_deref() == Some("consultant"))
            .unwrap();
        assert_eq!(local.status, Status::Pass, "{:?}", local.reason);
        assert!(
            local.evidence["localhost"].contains("127.0.0.1"),
            "{:?}",
            local.evidence
        );
        opts.network = NetworkPlan::not_run(DEMO_NOT_PROBED);
        let r = run(inv, opts, &Silent).await;
        let local = r
            .iter()
            .find(|r| r.subject.as_deref() == Some("consultant"))
            .unwrap();
        assert_eq!(local.status, Status::Unknown);
        assert!(
            local.reason.as_deref().unwrap().contains("demo engagement"),
            "{:?}",
            local.reason
        );
    }
}
