//! The sample deployment built into the binary, and `demo`: a ready engagement from it.
//!
//! The sample is fictional (Fabrikam, two domains, six domain controllers, one ATA Center
//! with gateways) and deliberately not ready: some DCs miss .NET 4.7, one lacks RAM, one
//! runs a Server 2019 build without KB4487044. Its files live in `demo/` in the repository
//! (`demo/README.md` tells the story) and are written into the engagement's `samples/`
//! folder, then read back through the same readers a real engagement uses, and checked by
//! the same checks (the network probes are reported as not run, never attempted).

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use serde::Serialize;

use crate::checks::engine::{NetworkPlan, RunOptions};
use crate::engagement::{
    Cloud, Engagement, EngagementConfig, EngagementError, ProxyConfig, SourceLocations,
};
use crate::error::{Error, Result};
use crate::inventory::CollectRequest;
use crate::model::SCHEMA_VERSION;
use crate::progress::Silent;

/// One file of the sample: its path inside the engagement and its content.
pub struct SampleFile {
    pub path: &'static str,
    pub content: &'static str,
}

macro_rules! sample {
    ($path:literal) => {
        SampleFile {
            path: concat!("samples/", $path),
            content: include_str!(concat!("../demo/", $path)),
        }
    };
}

/// Every file of the sample deployment.
pub const SAMPLE_FILES: &[SampleFile] = &[
    sample!("ata/SystemProfile_20261115040000.json"),
    sample!("ata/UniqueEntity.json"),
    sample!("ata/SuspiciousActivity.json"),
    sample!("directory/fabrikam.ldif"),
    sample!("directory/fabrikam-auditing.ldif"),
    sample!("hosts/dc-facts.json"),
    sample!("hosts/EMEA-DC01-auditpol.csv"),
    sample!("hosts/server-facts.json"),
    sample!("hosts/center-facts.json"),
    sample!("logs/FAB-ATAGW01/Microsoft.Tri.Gateway-Errors.log"),
];

/// Folder name of the demo engagement when none is given.
pub const DEFAULT_DIR: &str = "ata2atp-demo";

/// What `demo` built.
#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    pub engagement: PathBuf,
    pub customer: String,
    pub samples: Vec<PathBuf>,
    pub inventory: PathBuf,
    /// `checks.yaml`, from the checks run on the sample (network probes not attempted).
    pub checks: PathBuf,
    /// Number of check results per status.
    pub check_counts: std::collections::BTreeMap<crate::model::Status, usize>,
    /// The checklist steps the demo walked, e.g. `P01 done`.
    pub checklist: Vec<String>,
    /// The HTML report of the sample, in `reports/`.
    pub report: PathBuf,
}

/// The demo's engagement configuration, pointing at the sample files.
pub fn config() -> EngagementConfig {
    let files = |prefix: &str| -> Vec<PathBuf> {
        SAMPLE_FILES
            .iter()
            .filter(|f| f.path.starts_with(prefix))
            .map(|f| PathBuf::from(f.path))
            .collect()
    };
    EngagementConfig {
        schema_version: SCHEMA_VERSION,
        customer: "Fabrikam (demo)".to_string(),
        consultant: "Demo Consultant".to_string(),
        cloud: Cloud::Commercial,
        workspace: Some("fabrikamdemo".to_string()),
        proxy: Some(ProxyConfig {
            url: "http://proxy.fabrikam.test:8080".to_string(),
            user: Some("FABRIKAM\\svc-proxy".to_string()),
        }),
        guide: "azure-atp-2019".to_string(),
        sources: SourceLocations {
            ata_json: files("samples/ata/"),
            ldif: files("samples/directory/"),
            dc_facts: vec![PathBuf::from("samples/hosts/dc-facts.json")],
            auditpol: vec![PathBuf::from("samples/hosts/EMEA-DC01-auditpol.csv")],
            server_facts: vec![PathBuf::from("samples/hosts/server-facts.json")],
            center_facts: Some(PathBuf::from("samples/hosts/center-facts.json")),
            gateway_logs: Some(PathBuf::from("samples/logs")),
            ..SourceLocations::default()
        },
        demo: true,
        // Fixed, so that two demo runs produce the same engagement.
        created_at: Utc.with_ymd_and_hms(2026, 11, 16, 9, 0, 0).unwrap(),
    }
}

/// Builds (or rebuilds) the demo engagement in `root`. A folder holding a real engagement
/// is refused untouched.
pub async fn build(root: &Path) -> Result<DemoSummary> {
    let config = config();
    let (engagement, lock) = match Engagement::open(root) {
        Ok(existing) => {
            let found = existing.config()?;
            if !found.demo {
                return Err(Error::Input(format!(
                    "{} holds a real engagement ({}), not a demo; nothing was changed. \
                     Give demo another folder, e.g. `ata2atp demo {DEFAULT_DIR}`",
                    root.display(),
                    found.customer
                )));
            }
            let lock = existing.lock()?;
            (existing, lock)
        }
        Err(EngagementError::NotAnEngagement { .. }) => Engagement::init(root, &config)?,
        Err(e) => return Err(e.into()),
    };
    let mut samples = Vec::new();
    for file in SAMPLE_FILES {
        let path = Path::new(file.path);
        if let Some(parent) = path.parent() {
            lock.create_dir(parent)?;
        }
        samples.push(lock.write_atomic(path, file.content.as_bytes())?);
    }
    lock.write_yaml(crate::engagement::CONFIG_FILE, &config)?;

    // The stages, each through the same library calls a real engagement uses.
    let request = CollectRequest::from_config(&config, engagement.root());
    let inventory = crate::inventory::collect(request, &Silent).await?;
    let inventory_path = lock.save_inventory(&inventory)?;

    // The checks, as `ata2atp check` runs them, except that the network is never probed:
    // the sample's workspace and proxy do not exist.
    let inventory_sha256 = std::fs::read(&inventory_path)
        .ok()
        .map(|b| crate::digest::sha256_hex(&b));
    let now = Utc::now();
    let options = RunOptions::from_engagement(
        now,
        NetworkPlan::not_run(
            "demo engagement: the sample's workspace and proxy do not exist, so no probe is attempted",
        ),
        &config,
        engagement.root(),
    );
    let results = crate::checks::run(std::sync::Arc::new(inventory), options, &Silent).await;
    let previous = engagement.checks()?;
    let checks = crate::checks::engine::checks_file(results, previous, &[], inventory_sha256, now);
    let checks_path = lock.save_checks(&checks)?;
    // After the checks: the checklist's gates read checks.yaml.
    let checklist = crate::checklist::demo_walk::walk(&engagement, &lock, &config)?;
    // Last: the report, made from everything the stages before wrote.
    let report = crate::report::demo_stage(&engagement, &lock).await?;

    Ok(DemoSummary {
        engagement: engagement.root().to_path_buf(),
        customer: config.customer,
        samples,
        inventory: inventory_path,
        checks: checks_path,
        check_counts: checks.counts(),
        checklist,
        report: report.files.into_iter().next().unwrap_or(report.integrity),
    })
}
