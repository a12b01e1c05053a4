//! The sample deployment built into the binary, and `demo`: a ready engagement from it.
//!
//! The sample is fictional (Fabrikam, two domains, six domain controllers, one ATA Center
//! with gateways) and deliberately not ready: some DCs miss .NET 4.7, one lacks RAM, one
//! runs a Server 2019 build without KB4487044. Its files live in `demo/` in the repository
//! (`demo/README.md` tells the story) and are written into the engagement's `samples/`
//! folder, then read back through the same readers a real engagement uses.

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use serde::Serialize;

use crate::engagement::{
    Cloud, Engagement, EngagementConfig, EngagementError, ProxyConfig, SourceLocations, WriteLock,
};
use crate::error::{Error, Result};
use crate::inventory::CollectRequest;
use crate::progress::Silent;
use crate::model::SCHEMA_VERSION;

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
    sample!("hosts/dc-facts.json"),
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
    /// The checklist steps the demo walked, e.g. `P01 done`.
    pub checklist: Vec<String>,
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
    let checklist = walk_checklist(&engagement, &lock, &config)?;

    Ok(DemoSummary {
        engagement: engagement.root().to_path_buf(),
        customer: config.customer,
        samples,
        inventory: inventory_path,
        checklist,
    })
}

/// Walks the first steps of the checklist on the sample, through the same rules as
/// `ata2atp checklist set` (a step the rules refuse fails the demo), so the list and the
/// report show progress: the plan items a consultant fills in on the first day. Values
/// come from the sample's inventory where it has them. Times are fixed, after the demo's
/// creation, so two runs record the same state.
fn walk_checklist(engagement: &Engagement, lock: &WriteLock, config: &EngagementConfig) -> Result<Vec<String>> {
    use crate::checklist::{self, Loaded, SetRequest};
    use crate::model::StepStatus;

    let def = checklist::resolve(Some(engagement.root()), &config.guide)?;
    checklist::state::reset(lock, &def.guide)?;
    let loaded = Loaded::open(engagement)?;
    let ata = loaded.inventory.as_ref().map(|i| &i.ata);

    let dsa = ata
        .and_then(|a| a.directory_services_accounts.first())
        .map(|d| match &d.domain {
            // A DNS domain reads best as a UPN, a NetBIOS one as DOMAIN\user.
            Some(domain) if domain.contains('.') => format!("{}@{domain}", d.user),
            Some(domain) => format!("{domain}\\{}", d.user),
            None => d.user.clone(),
        })
        .unwrap_or_else(|| "FABRIKAM\\svc-ata".into());
    let syslog_used = ata.and_then(|a| a.syslog.as_ref()).is_some_and(|s| s.enabled);
    let recipients = ata
        .and_then(|a| a.email.as_ref())
        .filter(|e| !e.recipients.is_empty())
        .map(|e| e.recipients.join(", "))
        .unwrap_or_else(|| "soc@fabrikam.test".into());
    let radius = ata.and_then(|a| a.vpn.as_ref()).is_some_and(|v| v.radius_enabled);
    let full_gateways: Vec<String> = ata
        .map(|a| {
            a.gateways
                .iter()
                .filter(|g| g.kind == crate::model::GatewayKind::Gateway)
                .map(|g| g.name.clone())
                .collect()
        })
        .unwrap_or_default();

    let fields = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let gateways_plan = if full_gateways.is_empty() {
        "none: Lightweight Gateways only".to_string()
    } else {
        format!("{}: sensors on the domain controllers they watched", full_gateways.join(", "))
    };
    let steps: Vec<(&str, StepStatus, Vec<(String, String)>, Option<&str>)> = vec![
        ("R06", StepStatus::Done, fields(&[("gateways_plan", &gateways_plan)]), None),
        (
            "P01",
            StepStatus::Done,
            fields(&[("dsa_account", &dsa), ("password_holder", "Fabrikam identity team")]),
            None,
        ),
        (
            "P02",
            StepStatus::Done,
            fields(&[("syslog_used", if syslog_used { "yes" } else { "no" })]),
            None,
        ),
        ("P03", StepStatus::Done, fields(&[("recipients", &recipients)]), None),
        ("P04", StepStatus::Done, fields(&[("members_confirmed", "yes")]), None),
        (
            "P05",
            StepStatus::Done,
            fields(&[("vpn_vendor", if radius { "Fabrikam VPN appliance" } else { "none" })]),
            None,
        ),
        (
            "P06",
            StepStatus::InProgress,
            Vec::new(),
            Some("Reviewing each exclusion with the customer's SOC"),
        ),
    ];
    let base = config.created_at + chrono::Duration::hours(1);
    let mut walked = Vec::new();
    for (i, (id, status, fields, note)) in steps.into_iter().enumerate() {
        if !def.steps.iter().any(|s| s.id == id) {
            continue; // a customised guide without this step
        }
        let facts = loaded.facts(base + chrono::Duration::minutes(10 * i as i64));
        let request = SetRequest {
            step: id.to_string(),
            status: Some(status),
            by: config.consultant.clone(),
            note: note.map(str::to_string),
            fields,
            ..SetRequest::default()
        };
        checklist::state::set(engagement, lock, &def, &facts, &request)?;
        walked.push(format!("{id} {status}"));
    }
    Ok(walked)
}
