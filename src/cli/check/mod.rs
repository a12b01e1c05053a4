//! `ata2atp check`: the prerequisite checks; `check accept` / `check revoke` for accepted
//! risks; and `check dsa`, the directory services account's connection test.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use super::Context;
use super::exit;
use super::output::{Ask, emit, print_stderr, print_stdout, secret};
use super::progress::CliProgress;
use crate::checks::engine::{self, FailOn, NetworkPlan, NoPingUrl, RunOptions};
use crate::checks::network::{ProbeConfig, ProxySpec};
use crate::checks::thresholds::DEFAULT_PROBE_TIMEOUT_SECS;
use crate::engagement::{Engagement, EngagementConfig, read_yaml_file};
use crate::error::Error;
use crate::model::{Inventory, Status};
use crate::progress::Progress as _;
use render::{Listing, render};

mod render;

#[derive(Debug, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_long_help = "\
Reads the engagement's inventory.yaml (or --inventory FILE), runs every check at once and
writes the results to checks.yaml, keeping the accepted risks. The exit code follows
--fail-on: 1 when a check failed (or warned, with --fail-on warn) and nobody accepted it.
Unknown and Manual results never set it: they ask a person, not a script.

Examples:
  ata2atp check
  ata2atp check --only dc.* --only network.sensor_api_proxy --proxy-password-env PROXY_PW
  ata2atp check --ping-url https://localhost:8443/tri/sensor/api/ping --ca-file lab-ca.pem --timeout 2
  ata2atp check accept 'dc.dotnet[FAB-DC02.fabrikam.test]' --by 'Jo Consultant' \\
      --reason 'DC is demoted in week 3, before the sensors go in'
  ata2atp check --status fail,unknown
  ata2atp check --all
  ata2atp check -o json > checks.json"
)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,

    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Test the directory services account's credentials, as ATA's "Test connection" does.
    Dsa(super::check_dsa::Args),
    /// Accept a result that is not a pass (a known risk, or a confirmed manual check).
    #[command(after_long_help = "\
Examples:
  ata2atp check accept 'dc.dotnet[FAB-DC02.fabrikam.test]' \\
      --reason 'DC is demoted in week 3, before the sensors go in'
  ata2atp check accept tenant.admin --by 'Jo Consultant' --reason 'confirmed with the customer'

The acceptance is recorded in checks.yaml with who and why, and shown in the report.")]
    Accept(AcceptArgs),
    /// Withdraw an accepted risk.
    #[command(after_long_help = "\
Examples:
  ata2atp check revoke 'dc.dotnet[FAB-DC02.fabrikam.test]'
  ata2atp check revoke tenant.admin")]
    Revoke(RevokeArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Inventory file to check instead of the engagement's inventory.yaml.
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,

    /// Run only these checks: ids, or families such as dc.* (repeatable, or comma-separated).
    #[arg(long, value_name = "ID", num_args = 1.., value_delimiter = ',')]
    pub only: Vec<String>,

    /// Which results make the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Fail)]
    pub fail_on: FailOn,

    /// Print the results without writing checks.yaml.
    #[arg(long)]
    pub no_save: bool,

    /// List every result, passes included (by default passes are one line of count).
    #[arg(long)]
    pub all: bool,

    /// List only results with these statuses, e.g. `--status fail,warn` (text output; the
    /// JSON and YAML output, the saved file and the exit code keep every result).
    #[arg(
        long,
        value_name = "STATUS",
        num_args = 1..,
        value_delimiter = ',',
        value_parser = status_parser()
    )]
    pub status: Vec<Status>,

    /// URL to probe instead of the workspace's sensor API ping URL (labs, tests).
    #[arg(long, value_name = "URL", help_heading = "Reachability")]
    pub ping_url: Option<String>,

    /// Extra root CA (PEM) to trust for the probe, on top of the system's (labs).
    #[arg(long, value_name = "FILE", help_heading = "Reachability")]
    pub ca_file: Option<PathBuf>,

    /// Seconds allowed for each probe (name, connection, proxy, TLS and answer).
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_PROBE_TIMEOUT_SECS, help_heading = "Reachability")]
    pub timeout: f64,

    /// Do not probe the network; the reachability checks are reported as not run.
    #[arg(long, help_heading = "Reachability")]
    pub no_network: bool,

    /// Proxy to probe through instead of the engagement's proxy.url.
    #[arg(long, value_name = "URL", help_heading = "Reachability")]
    pub proxy: Option<String>,

    /// Proxy user instead of the engagement's proxy.user.
    #[arg(long, value_name = "USER", help_heading = "Reachability")]
    pub proxy_user: Option<String>,

    /// Environment variable holding the proxy password (else: a prompt on a terminal).
    #[arg(long, value_name = "VAR", help_heading = "Reachability")]
    pub proxy_password_env: Option<String>,

    /// File whose first line is the proxy password.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "proxy_password_env",
        help_heading = "Reachability"
    )]
    pub proxy_password_file: Option<PathBuf>,

    /// Folder of ATA gateway logs, one sub-folder per gateway (default: the engagement's
    /// sources.gateway_logs).
    #[arg(long, value_name = "DIR", help_heading = "Inputs")]
    pub gateway_logs: Option<PathBuf>,

    #[command(flatten, next_help_heading = "Inputs")]
    pub dsa: super::check_dsa::DsaPasswordArgs,
}

/// `--status` accepts the status words as `checks.yaml` writes them; clap lists them in its
/// error and its help.
fn status_parser() -> impl clap::builder::TypedValueParser<Value = Status> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(Status::ALL.map(Status::as_str)).map(|s| {
        // The parser admits only these words, so the search always finds one.
        Status::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .unwrap_or(Status::Unknown)
    })
}

#[derive(Debug, clap::Args)]
pub struct AcceptArgs {
    /// The result to accept: a check id (every subject) or id[subject], as `check` prints it.
    #[arg(value_name = "ID[SUBJECT]")]
    pub key: String,
    /// Who accepts it (default: the engagement's consultant).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// Why it is acceptable, for the report.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

#[derive(Debug, clap::Args)]
pub struct RevokeArgs {
    /// The accepted key to withdraw, exactly as accepted.
    #[arg(value_name = "ID[SUBJECT]")]
    pub key: String,
}

pub async fn run(args: Args, ctx: &Context) -> Result<u8, Error> {
    match args.action {
        Some(Action::Dsa(a)) => super::check_dsa::run(a, ctx).await,
        Some(Action::Accept(a)) => accept(a, ctx),
        Some(Action::Revoke(a)) => revoke(a, ctx),
        None => run_checks(args.run, ctx).await,
    }
}

/// The network plan from flags and the engagement.
fn network_plan(
    args: &RunArgs,
    config: Option<&EngagementConfig>,
    wanted: bool,
) -> Result<NetworkPlan, Error> {
    if !wanted {
        return Ok(NetworkPlan::default());
    }
    if args.no_network {
        return Ok(NetworkPlan::not_run("--no-network was given"));
    }
    if config.is_some_and(|c| c.demo) && args.ping_url.is_none() {
        return Ok(NetworkPlan::not_run(
            "demo engagement: the sample's workspace and proxy do not exist, so no probe is attempted",
        ));
    }
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 600.0) {
        return Err(Error::Input(format!(
            "--timeout {}: give the seconds allowed per probe, more than 0 and at most 600",
            args.timeout
        )));
    }
    let extra_roots = match &args.ca_file {
        // Trusted in addition to the platform's store.
        Some(p) => {
            crate::tls::load_certificates(p).map_err(|e| Error::Input(format!("--ca-file: {e}")))?
        }
        None => Vec::new(),
    };
    let probe_config = ProbeConfig {
        timeout: Duration::from_secs_f64(args.timeout),
        extra_roots,
    };
    let url = match (&args.ping_url, config) {
        (Some(u), _) => Ok(u.clone()),
        (None, Some(c)) => match &c.workspace {
            Some(ws) => Ok(c.cloud.ping_url(ws)),
            None => Err(NoPingUrl::NoWorkspaceNorFlag),
        },
        (None, None) => Err(NoPingUrl::NoEngagementNorFlag),
    };
    let proxy_url = args
        .proxy
        .clone()
        .or_else(|| config.and_then(|c| c.proxy.as_ref()).map(|p| p.url.clone()));
    let proxy = match proxy_url {
        None => None,
        Some(url) => {
            if crate::engagement::url_has_password(&url) {
                return Err(Error::Input(
                    "--proxy: give the URL without credentials; the password goes in --proxy-password-env or \
                     --proxy-password-file"
                        .into(),
                ));
            }
            let user = args.proxy_user.clone().or_else(|| {
                config
                    .and_then(|c| c.proxy.as_ref())
                    .and_then(|p| p.user.clone())
            });
            let password = secret(
                args.proxy_password_env.as_deref(),
                args.proxy_password_file.as_ref(),
                "the proxy password",
                if user.is_some() {
                    Ask::Optional
                } else {
                    Ask::No
                },
            )?;
            Some(ProxySpec {
                url,
                user,
                password,
            })
        }
    };
    Ok(NetworkPlan::standard(url, proxy, probe_config))
}

async fn run_checks(args: RunArgs, ctx: &Context) -> Result<u8, Error> {
    let unknown = engine::unknown_patterns(&args.only);
    if !unknown.is_empty() {
        return Err(Error::Input(format!(
            "--only {}: no such check; the ids are: {}",
            unknown.join(", "),
            crate::checks::CATALOG
                .iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    // With --inventory, the engagement is optional (results are then only printed).
    let engagement = match (&args.inventory, Engagement::open(&ctx.engagement)) {
        (_, Ok(e)) => Some(e),
        (Some(_), Err(_)) => None,
        (None, Err(e)) => return Err(e.into()),
    };
    let config = engagement.as_ref().map(Engagement::config).transpose()?;
    // Take the lock before the probes: a run must not end in "locked".
    let lock = match (&engagement, args.no_save) {
        (Some(e), false) => Some(e.lock()?),
        _ => None,
    };

    let inventory_path = match (&args.inventory, &engagement) {
        (Some(p), _) => p.clone(),
        (None, Some(e)) => e.path(crate::engagement::INVENTORY_FILE),
        (None, None) => return Err(Error::Input("no engagement and no --inventory FILE".into())),
    };
    let bytes = std::fs::read(&inventory_path).map_err(|e| {
        Error::Input(if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "no inventory at {}: run `ata2atp inventory` first, or pass --inventory FILE",
                inventory_path.display()
            )
        } else {
            format!("could not read {}: {e}", inventory_path.display())
        })
    })?;
    let inventory: Inventory = read_yaml_file(&inventory_path)?.ok_or_else(|| {
        Error::Input(format!(
            "{} disappeared while it was read",
            inventory_path.display()
        ))
    })?;
    let sha = crate::digest::sha256_hex(&bytes);

    let root = engagement.as_ref().map(|e| e.root().to_path_buf());
    let wants_network = ["network.sensor_api", "network.sensor_api_proxy"]
        .iter()
        .any(|id| engine::selected(&args.only, id));
    let network = network_plan(&args, config.as_ref(), wants_network)?;

    let dsa_passwords = args.dsa.read()?;
    let recorded = config.as_ref().and_then(|c| c.sources.ldap.as_ref());
    let dsa_tests =
        super::check_dsa::for_checks(engagement.as_ref(), recorded, &inventory, &dsa_passwords)
            .await?;

    let mut options = match (&config, &root) {
        (Some(c), Some(r)) => RunOptions::from_engagement(Utc::now(), network, c, r),
        _ => RunOptions::new(Utc::now(), network),
    };
    options.only = args.only.clone();
    options.dsa_tests = dsa_tests;
    if let Some(p) = &args.proxy {
        options.sensor_proxy = Some(p.clone());
    }
    if let Some(d) = &args.gateway_logs {
        options.gateway_logs = Some(d.clone());
    }

    let progress = CliProgress::new(ctx);
    let results = crate::checks::run(Arc::new(inventory), options, &progress).await;
    progress.checkpoint()?;
    // The previous file brings the accepted risks (and, with --only, the other results).
    let previous = engagement
        .as_ref()
        .map(Engagement::checks)
        .transpose()?
        .flatten();
    let file = engine::checks_file(results, previous, &args.only, Some(sha), Utc::now());

    let saved = match &lock {
        Some(l) => Some(l.save_checks(&file)?),
        None => None,
    };
    for a in engine::unmatched_acceptances(&file.results, &file.acceptances) {
        if args.only.is_empty() {
            print_stderr(&format!(
                "note: the accepted risk '{}' matches no result (a subject renamed, or a typo); \
                 `ata2atp check revoke '{}'` removes it",
                a.check, a.check
            ));
        }
    }
    let customer = config.as_ref().map(|c| c.customer.clone());
    // What is printed is what ran; the saved file also keeps the other checks' results.
    let mut shown = file.clone();
    shown
        .results
        .retain(|r| engine::selected(&args.only, &r.id));
    let listing = Listing {
        all: args.all,
        statuses: args.status.clone(),
    };
    emit(ctx.output, &shown, || {
        render(&shown, customer.as_deref(), saved.as_deref(), &listing)
    })?;
    Ok(super::exit::for_verdict(engine::verdict(
        &shown.results,
        args.fail_on,
    )))
}

fn accept(args: AcceptArgs, ctx: &Context) -> Result<u8, Error> {
    let (id, subject) = engine::parse_key(&args.key)?;
    if args.reason.trim().is_empty() {
        return Err(Error::Input(
            "--reason must say why the risk is acceptable (it goes in the report)".into(),
        ));
    }
    let engagement = Engagement::open(&ctx.engagement)?;
    let config = engagement.config()?;
    let by = match &args.by {
        Some(b) if !b.trim().is_empty() => b.trim().to_string(),
        Some(_) => {
            return Err(Error::Input(
                "--by must name the person accepting the risk".into(),
            ));
        }
        None => config.consultant.clone(),
    };
    let lock = engagement.lock()?;
    let mut file = engagement.checks()?.ok_or_else(|| {
        Error::Input(
            "no checks.yaml yet: run `ata2atp check` first, then accept the results it prints"
                .into(),
        )
    })?;
    let key = match &subject {
        Some(s) => format!("{id}[{s}]"),
        None => id.clone(),
    };
    let engine::Accepted {
        acceptance,
        matched,
        passing,
    } = engine::accept(&mut file, &key, &by, &args.reason, Utc::now())?;
    let path = lock.save_checks(&file)?;
    emit(ctx.output, &acceptance, || {
        let mut s = format!(
            "Accepted {key} by {} ({})\n",
            acceptance.by, acceptance.reason
        );
        if matched.is_empty() {
            s.push_str(&format!(
                "It matches no current result that is not a pass ({passing} passing); it is kept and applies \
                 if the check stops passing.\n"
            ));
        } else {
            s.push_str(&format!("Applies to: {}\n", matched.join(", ")));
        }
        s.push_str(&format!("Saved to {}\n", path.display()));
        s
    })?;
    Ok(exit::OK)
}

fn revoke(args: RevokeArgs, ctx: &Context) -> Result<u8, Error> {
    let engagement = Engagement::open(&ctx.engagement)?;
    let lock = engagement.lock()?;
    let mut file = engagement
        .checks()?
        .ok_or_else(|| Error::Input("no checks.yaml: there is nothing to revoke".into()))?;
    let key = args.key.trim().to_string();
    engine::revoke(&mut file, &key)?;
    let path = lock.save_checks(&file)?;
    print_stdout(&format!("Revoked {key}; saved to {}\n", path.display()))?;
    Ok(exit::OK)
}
