//! What a run is asked to do: its options, the network plan, and which checks `--only`
//! selects.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::checks::directory::DsaTestOutcome;
use crate::checks::network::{ProbeConfig, ProbeSpec, ProxySpec};
use crate::checks::{CATALOG, Outcome};

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
        url: Result<String, NoPingUrl>,
        proxy: Option<ProxySpec>,
        config: ProbeConfig,
    ) -> Self {
        let url = match url {
            Ok(u) => u,
            Err(why) => {
                let mut plan = Self::not_run(&why.to_string());
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

/// Why a run has no sensor ping URL to probe; said in the network checks' Unknown reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NoPingUrl {
    /// The engagement names no workspace (the TUI's and the report's runs).
    #[error("the engagement names no workspace (ata2atp.yaml: workspace)")]
    NoWorkspace,
    /// `check` without `--ping-url` on an engagement that names no workspace.
    #[error(
        "the engagement names no workspace (ata2atp.yaml: workspace), and no --ping-url was given"
    )]
    NoWorkspaceNorFlag,
    /// `check` outside an engagement and without `--ping-url`.
    #[error("no engagement and no --ping-url: there is no URL to probe")]
    NoEngagementNorFlag,
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
        .ok_or(NoPingUrl::NoWorkspace);
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
    /// Why an account has no test, shown as its `dsa.credentials` reason (the result
    /// names testing it as its action).
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
            dsa_test_absent: "the credentials were not tested".into(),
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
