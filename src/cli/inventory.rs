//! `ata2atp inventory`: read ATA, Active Directory and host facts into `inventory.yaml`.

use std::path::PathBuf;

use super::Context;
use super::exit;
use super::output::{Ask, emit, print_stderr, secret, style};
use super::progress::CliProgress;
use crate::ata::MongoSource;
use crate::directory::LdapSource;
use crate::engagement::Engagement;
use crate::error::Error;
use crate::inventory::{self, CollectRequest};
use crate::model::{Inventory, SourceStatus};

#[derive(Debug, clap::Args)]
// The account passwords are tested against the --ldap server (`check` takes the recorded one).
#[command(mut_group("DsaPasswordArgs", |g| g.requires("ldap")))]
#[command(after_long_help = "\
Without source flags, the sources recorded in the engagement's ata2atp.yaml are read.
Flags for one system (ATA, directory, hosts) replace that system's recorded sources.

Examples:
  ata2atp inventory --ata-dump D:\\dump\\ATA --ldif fabrikam.ldif --dc-facts dc-facts.json
  ata2atp inventory --ata-mongo mongodb://fab-ata01:27017 --ldap ldaps://dc01.fabrikam.test \\
      --bind-user svc-ata@fabrikam.test --password-env ATA2ATP_LDAP_PASSWORD --ca-file ca.pem
  ata2atp inventory --ata-json SystemProfile_20261115040000.json -o yaml --stdout

The previous inventory.yaml is kept in history/. Passwords are read from a prompt, a file
or an environment variable, never from a flag value.")]
pub struct Args {
    // First: a flattened group leaves its heading on the fields after it.
    /// Print the inventory (with -o json|yaml) instead of writing it to the engagement.
    #[arg(long)]
    pub stdout: bool,

    #[command(flatten, next_help_heading = "ATA sources")]
    pub ata: AtaArgs,
    #[command(flatten, next_help_heading = "Directory sources")]
    pub directory: DirectoryArgs,
    #[command(flatten, next_help_heading = "Host sources")]
    pub hosts: HostArgs,
}

#[derive(Debug, clap::Args)]
pub struct AtaArgs {
    /// MongoDB URI of ATA's database (no password in it), e.g. mongodb://fab-ata01:27017.
    #[arg(long, value_name = "URI")]
    pub ata_mongo: Option<String>,
    #[command(flatten)]
    pub mongo: MongoOptions,
    /// Database name.
    #[arg(long, value_name = "NAME", default_value = "ATA")]
    pub ata_database: String,
    /// mongodump folder of ATA's database (<collection>.bson or .bson.gz files).
    #[arg(long, value_name = "DIR")]
    pub ata_dump: Option<PathBuf>,
    /// JSON export: a SystemProfile_*.json backup, mongoexport output or the collector
    /// script's export (repeatable).
    #[arg(long, value_name = "FILE")]
    pub ata_json: Vec<PathBuf>,
    /// Field-path mapping to use instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
}

/// How to reach a MongoDB server: meaningless without --ata-mongo.
#[derive(Debug, clap::Args)]
#[group(requires = "ata_mongo")]
pub struct MongoOptions {
    /// Environment variable holding the MongoDB password (user in the URI).
    #[arg(long, value_name = "VAR")]
    pub ata_mongo_password_env: Option<String>,
    /// File whose first line is the MongoDB password.
    #[arg(long, value_name = "FILE", conflicts_with = "ata_mongo_password_env")]
    pub ata_mongo_password_file: Option<PathBuf>,
    /// CA certificate (PEM) for a MongoDB with TLS.
    #[arg(long, value_name = "FILE")]
    pub ata_mongo_ca_file: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
// The account passwords are tested against the --ldap server (`check` takes the recorded one).
#[command(mut_group("DsaPasswordArgs", |g| g.requires("ldap")))]
pub struct DirectoryArgs {
    /// LDAP URL of a domain controller: ldap:// (StartTLS) or ldaps://.
    #[arg(long, value_name = "URL")]
    pub ldap: Option<String>,
    #[command(flatten)]
    pub bind: LdapOptions,
    #[command(flatten)]
    pub dsa: super::check_dsa::DsaPasswordArgs,
    /// LDIF export of the directory (repeatable).
    #[arg(long, value_name = "FILE")]
    pub ldif: Vec<PathBuf>,
}

/// How to bind to the LDAP server: meaningless without --ldap.
#[derive(Debug, clap::Args)]
#[group(requires = "ldap")]
pub struct LdapOptions {
    /// User to bind as: UPN, DOMAIN\user or DN.
    #[arg(long, value_name = "USER", visible_alias = "user")]
    pub bind_user: Option<String>,
    /// Environment variable holding the bind password.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// File whose first line is the bind password.
    #[arg(long, value_name = "FILE", conflicts_with = "password_env")]
    pub password_file: Option<PathBuf>,
    /// The customer's enterprise CA certificate (PEM).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Do not verify the DC's certificate. Lab use only: anyone on the path can read the
    /// bind password.
    #[arg(long)]
    pub insecure: bool,
    /// Global catalog URL for SIDs from other domains of the forest.
    #[arg(long, value_name = "URL")]
    pub gc: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct HostArgs {
    /// DC facts JSON from `ata2atp collector dc-facts` (repeatable).
    #[arg(long, value_name = "FILE")]
    pub dc_facts: Vec<PathBuf>,
    /// `reg query` output of the .NET Release value, one file per DC named after it
    /// (e.g. FAB-DC02.txt) (repeatable).
    #[arg(long, value_name = "FILE")]
    pub reg_query: Vec<PathBuf>,
    /// Center facts JSON from `ata2atp collector center-facts`.
    #[arg(long, value_name = "FILE")]
    pub center_facts: Option<PathBuf>,
    /// `auditpol /get /category:* /r` output (or an `auditpol /backup` file) of a DC,
    /// named after it or by its Machine Name column (repeatable).
    #[arg(long, value_name = "FILE")]
    pub auditpol: Vec<PathBuf>,
    /// Server facts JSON from `ata2atp collector server-facts` (AD CS, AD FS, Microsoft
    /// Entra Connect servers) (repeatable).
    #[arg(long, value_name = "FILE")]
    pub server_facts: Vec<PathBuf>,
}

pub async fn run(args: Args, ctx: &Context) -> Result<u8, Error> {
    let engagement = if args.stdout {
        Engagement::open(&ctx.engagement).ok()
    } else {
        Some(Engagement::open(&ctx.engagement)?)
    };
    // Take the lock before reading anything: a long collection must not end in "locked".
    let lock = match (&engagement, args.stdout) {
        (Some(e), false) => Some(e.lock()?),
        _ => None,
    };
    let request = build_request(&args, engagement.as_ref(), ctx)?;
    if request.is_empty() {
        return Err(Error::Input(
            "no source to read: pass --ata-mongo, --ata-dump, --ata-json, --ldap, --ldif or \
             --dc-facts, or record sources in the engagement's ata2atp.yaml"
                .into(),
        ));
    }
    let progress = CliProgress::new(ctx);
    let inventory = inventory::collect(request, &progress).await?;
    let partial: Vec<_> = inventory
        .sources
        .iter()
        .filter(|s| s.status != SourceStatus::Ok)
        .collect();

    match lock {
        Some(lock) => {
            let path = lock.save_inventory(&inventory)?;
            emit(ctx.output, &inventory, || {
                summary(&inventory, &path.display().to_string())
            })?;
        }
        None => emit(ctx.output, &inventory, || {
            summary(&inventory, "stdout (not saved)")
        })?,
    }
    if !partial.is_empty() {
        // Each source with its reason: with `-o json|yaml` the summary that names them is
        // not printed, and "partial" alone does not say what to do.
        for src in &partial {
            let how = match src.status {
                SourceStatus::Failed => "could not be read",
                _ => "was read only in part",
            };
            let why = src.error.as_deref().unwrap_or("no reason recorded");
            print_stderr(&format!(
                "warning: {} {} {how}: {why}",
                src.kind, src.location
            ));
        }
        print_stderr(
            "warning: some sources were read only in part (status partial/failed in the \
             inventory's sources); the inventory was kept: fix or re-collect them, then run \
             `ata2atp inventory` again",
        );
        return Ok(exit::SOURCE);
    }
    Ok(exit::OK)
}

/// Flags for a system replace the engagement's recorded sources for that system.
fn build_request(
    args: &Args,
    engagement: Option<&Engagement>,
    ctx: &Context,
) -> Result<CollectRequest, Error> {
    let mut request = match engagement {
        Some(e) => CollectRequest::from_config(&e.config()?, e.root()),
        None => CollectRequest::default(),
    };
    request.provenance.arguments = ctx.arguments.clone();

    let (ata, dir, hosts) = (&args.ata, &args.directory, &args.hosts);
    if ata.ata_mongo.is_some() || ata.ata_dump.is_some() || !ata.ata_json.is_empty() {
        request.ata.mongo = ata.ata_mongo.clone().map(MongoSource::new);
        request.ata.dump = ata.ata_dump.clone();
        request.ata.json = ata.ata_json.clone();
    }
    if let Some(mongo) = request.ata.mongo.as_mut() {
        mongo.database = ata.ata_database.clone();
        mongo.ca_file = ata.mongo.ata_mongo_ca_file.clone().or(mongo.ca_file.take());
        mongo.password = secret(
            ata.mongo.ata_mongo_password_env.as_deref(),
            ata.mongo.ata_mongo_password_file.as_ref(),
            "the MongoDB password",
            // ATA's database usually runs without authentication: only ask when the URI
            // names a user.
            if uri_names_user(&mongo.uri) {
                Ask::Required
            } else {
                Ask::No
            },
        )?;
    }
    request.ata.mapping = ata.mapping.clone();

    if dir.ldap.is_some() || !dir.ldif.is_empty() {
        request.directory.ldap = dir.ldap.clone().map(|url| LdapSource {
            url,
            bind_user: None,
            password: None,
            ca_file: None,
            insecure: false,
            gc_url: None,
            dsa_passwords: Default::default(),
        });
        request.directory.ldif = dir.ldif.clone();
    }
    if let Some(ldap) = request.directory.ldap.as_mut() {
        if dir.bind.bind_user.is_some() {
            ldap.bind_user = dir.bind.bind_user.clone();
        }
        if dir.bind.ca_file.is_some() {
            ldap.ca_file = dir.bind.ca_file.clone();
        }
        ldap.insecure = dir.bind.insecure;
        ldap.gc_url = dir.bind.gc.clone();
        if ldap.bind_user.is_some() {
            ldap.password = secret(
                dir.bind.password_env.as_deref(),
                dir.bind.password_file.as_ref(),
                "the LDAP bind password",
                Ask::Required,
            )?;
        }
        ldap.dsa_passwords = dir.dsa.read()?;
    }

    if !hosts.dc_facts.is_empty()
        || !hosts.reg_query.is_empty()
        || hosts.center_facts.is_some()
        || !hosts.auditpol.is_empty()
        || !hosts.server_facts.is_empty()
    {
        request.hosts.dc_facts = hosts.dc_facts.clone();
        request.hosts.reg_query = hosts.reg_query.clone();
        request.hosts.center_facts = hosts.center_facts.clone();
        request.hosts.auditpol = hosts.auditpol.clone();
        request.hosts.server_facts = hosts.server_facts.clone();
    }
    Ok(request)
}

fn uri_names_user(uri: &str) -> bool {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    rest.split(['/', '?'])
        .next()
        .is_some_and(|a| a.contains('@'))
}

fn summary(inv: &Inventory, saved_to: &str) -> String {
    let mut s = String::new();
    s.push_str(&format!("{}\n", style::paint(style::HEADER, "Sources")));
    for src in &inv.sources {
        let status = match src.status {
            SourceStatus::Ok => style::paint(style::OK, "ok"),
            SourceStatus::Partial => style::paint(style::WARN, "partial"),
            SourceStatus::Failed => style::paint(style::FAIL, "failed"),
        };
        s.push_str(&format!("  {status:8} {} {}", src.kind, src.location));
        if let Some(e) = &src.error {
            s.push_str(&format!(" ({e})"));
        }
        s.push('\n');
    }
    let a = &inv.ata;
    s.push_str(&format!(
        "{}\n  {} gateways, {} exclusions, {} honeytokens, {} sensitive entities, {} open and {} suppressed alerts\n",
        style::paint(style::HEADER, "ATA"),
        a.gateways.len(),
        a.exclusions.len(),
        a.honeytokens.len(),
        a.sensitive.len(),
        a.alerts.open.len(),
        a.alerts.suppressed.len()
    ));
    if let Some(d) = &inv.directory {
        s.push_str(&format!(
            "{}\n  forest {} ({}), {} domains, {} domain controllers ({} read-only)\n",
            style::paint(style::HEADER, "Directory"),
            crate::present::opt(Some(&d.forest.root_domain).filter(|r| !r.is_empty())),
            d.forest
                .functional_level_name
                .as_deref()
                .unwrap_or("level unknown"),
            d.domains.len(),
            d.domain_controllers.len(),
            d.domain_controllers
                .iter()
                .filter(|dc| dc.read_only)
                .count()
        ));
        for a in d
            .directory_services_account
            .iter()
            .chain(&d.additional_directory_services_accounts)
        {
            let state = if !a.found {
                style::paint(style::FAIL, "not found in AD")
            } else if a.sensitive_groups.is_empty() {
                style::paint(style::OK, "found")
            } else {
                style::paint(
                    style::WARN,
                    format!("over-privileged ({})", a.sensitive_groups.join(", ")),
                )
            };
            let deleted = match a.deleted_objects_readable {
                Some(true) => "can list Deleted Objects",
                Some(false) => "cannot list Deleted Objects",
                None => "Deleted Objects not tested",
            };
            s.push_str(&format!(
                "  directory services account {}: {state}; {deleted}\n",
                a.name
            ));
        }
        for note in &d.notes {
            s.push_str(&format!(
                "  {} {note}\n",
                style::paint(style::WARN, "note:")
            ));
        }
    }
    if !inv.hosts.is_empty() {
        s.push_str(&format!(
            "{}\n  facts for {} domain controllers\n",
            style::paint(style::HEADER, "Hosts"),
            inv.hosts.len()
        ));
    }
    if !inv.not_found.is_empty() {
        s.push_str(&format!(
            "{}\n",
            style::paint(style::WARN, "Not found (confirm in the ATA console)")
        ));
        for nf in &inv.not_found {
            s.push_str(&format!("  {} (tried {})\n", nf.item, nf.tried.join(", ")));
        }
    }
    s.push_str(&format!("\nInventory written to {saved_to}\n"));
    s
}
