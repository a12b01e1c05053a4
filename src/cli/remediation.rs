//! `ata2atp remediation`: the PowerShell script per domain that fixes what the
//! event-collection and readiness checks found (read-only unless run with `-Apply`).

use super::Context;
use super::exit;
use super::output::print_stdout;
use crate::checks::remediation;
use crate::engagement::Engagement;
use crate::error::Error;

const AFTER_HELP: &str = "\
Reads the engagement's inventory.yaml and checks.yaml (run `ata2atp check` first) and writes
reports/remediation-<domain>.ps1 for each domain with something to fix: audit policy, NTLM
auditing, object auditing (SACLs), AD CS / AD FS / Entra Connect auditing, remote SAM, root
certificates, packet capture driver. Accepted risks are left out.

The script changes nothing unless run with -Apply by a domain admin, who reviews it first;
ata2atp itself never changes the customer's systems.

Examples:
  ata2atp remediation
  ata2atp remediation --domain fabrikam.test --stdout > fix-fabrikam.ps1

Exit codes: 0 written (or nothing to fix); 2 no checks.yaml, or a domain with nothing known.";

#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// Only this domain (DNS name); repeatable. Default: every domain with something to fix.
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Vec<String>,
    /// Print the script(s) instead of writing them to the engagement's reports/.
    #[arg(long)]
    pub stdout: bool,
}

pub fn run(args: Args, ctx: &Context) -> Result<u8, Error> {
    let engagement = Engagement::open(&ctx.engagement)?;
    let config = engagement.config()?;
    let inventory = engagement.inventory()?.ok_or_else(|| {
        Error::Input("no inventory.yaml in the engagement: run `ata2atp inventory` first".into())
    })?;
    let checks = engagement.checks()?.ok_or_else(|| {
        Error::Input("no checks.yaml in the engagement: run `ata2atp check` first".into())
    })?;
    let known = remediation::domains(&inventory, &checks.results);
    let wanted: Vec<String> = if args.domain.is_empty() {
        known.clone()
    } else {
        for d in &args.domain {
            if !known.iter().any(|k| k.eq_ignore_ascii_case(d)) {
                return Err(Error::Input(format!(
                    "no domain {d} in the inventory or the checks; the domains are: {}",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        }
        args.domain.iter().map(|d| d.to_ascii_lowercase()).collect()
    };
    let scripts: Vec<(String, String)> = wanted
        .iter()
        .filter_map(|d| {
            remediation::script(&inventory, &checks.results, d, config.cloud)
                .map(|s| (d.clone(), s))
        })
        .collect();
    if scripts.is_empty() {
        eprintln!(
            "nothing to fix: no failing event-collection or readiness check outside the accepted risks"
        );
        return Ok(exit::OK);
    }
    if args.stdout {
        for (_, s) in &scripts {
            print_stdout(s)?;
        }
        return Ok(exit::OK);
    }
    let lock = engagement.lock()?;
    lock.create_dir("reports")?;
    for (domain, text) in &scripts {
        let path =
            lock.write_atomic(format!("reports/remediation-{domain}.ps1"), text.as_bytes())?;
        println!("{}", path.display());
    }
    Ok(exit::OK)
}
