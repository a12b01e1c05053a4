//! `ata2atp init [DIR]`: create an engagement folder.

use std::path::PathBuf;

use chrono::Utc;

use super::Context;
use super::exit;
use super::output::{emit, style};
use crate::engagement::{
    Cloud, Engagement, EngagementConfig, LdapSourceConfig, ProxyConfig, SourceLocations,
};
use crate::error::Error;
use crate::model::SCHEMA_VERSION;

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  ata2atp init fabrikam --customer \"Fabrikam Ltd\" --workspace fabrikam
  ata2atp init . --customer Fabrikam --cloud gcc --proxy http://proxy.fabrikam.test:8080 \\
      --proxy-user FABRIKAM\\\\svc-proxy --ata-dump D:\\\\ata-dump\\\\ATA

Nothing secret is stored: passwords are asked for, or read from a file or an environment
variable, each time a source is read.")]
pub struct Args {
    /// Folder to create (default: --engagement, i.e. the current folder).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Customer name, as it should appear on the report [asked for on a terminal].
    #[arg(long, env = "ATA2ATP_CUSTOMER")]
    pub customer: Option<String>,

    /// Consultant running the migration [default: your login name].
    #[arg(long, env = "ATA2ATP_CONSULTANT")]
    pub consultant: Option<String>,

    /// Cloud of the Defender for Identity workspace.
    #[arg(long, value_enum, default_value_t = Cloud::Commercial)]
    pub cloud: Cloud,

    /// Workspace (instance) name, e.g. `fabrikam` for fabrikamsensorapi.atp.azure.com.
    #[arg(long)]
    pub workspace: Option<String>,

    /// The customer's proxy for the sensors, e.g. http://proxy.fabrikam.test:8080 (no
    /// credentials in the URL).
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,

    /// User for proxy basic authentication (the password is never stored).
    #[arg(long, value_name = "USER", requires = "proxy")]
    pub proxy_user: Option<String>,

    /// Migration guide the checklist follows.
    #[arg(long, default_value = "azure-atp-2019", value_parser = ["azure-atp-2019", "mdi-current"])]
    pub guide: String,

    /// MongoDB URI of ATA's database, without credentials.
    #[arg(long, value_name = "URI", help_heading = "Sources")]
    pub ata_mongo: Option<String>,

    /// mongodump folder of ATA's database.
    #[arg(long, value_name = "DIR", help_heading = "Sources")]
    pub ata_dump: Option<PathBuf>,

    /// JSON export of an ATA collection (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Sources")]
    pub ata_json: Vec<PathBuf>,

    /// LDAP URL of a domain controller, e.g. ldaps://dc01.fabrikam.test.
    #[arg(long, value_name = "URL", help_heading = "Sources")]
    pub ldap: Option<String>,

    /// User to bind as (UPN, DOMAIN\user or DN).
    #[arg(long, value_name = "USER", requires = "ldap", help_heading = "Sources")]
    pub bind_user: Option<String>,

    /// CA certificate (PEM) of the customer's enterprise CA, for LDAPS/StartTLS.
    #[arg(long, value_name = "FILE", requires = "ldap", help_heading = "Sources")]
    pub ca_file: Option<PathBuf>,

    /// LDIF export of the directory (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Sources")]
    pub ldif: Vec<PathBuf>,

    /// DC facts JSON from the dc-facts collector script (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Sources")]
    pub dc_facts: Vec<PathBuf>,
}

pub fn run(args: Args, ctx: &Context) -> Result<u8, Error> {
    let dir = args.dir.clone().unwrap_or_else(|| ctx.engagement.clone());
    let customer = match args.customer {
        Some(customer) => customer,
        None => {
            super::output::ask_line("Customer name (as on the report): ")?.ok_or_else(|| {
                Error::Input(format!(
                    "init needs the customer's name, as it should appear on the report: \
                 ata2atp init {} --customer \"CUSTOMER NAME\" (or set ATA2ATP_CUSTOMER)",
                    dir.display()
                ))
            })?
        }
    };
    let consultant = args
        .consultant
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .unwrap_or_else(|| "unknown".to_string());
    let config = EngagementConfig {
        schema_version: SCHEMA_VERSION,
        customer,
        consultant,
        cloud: args.cloud,
        workspace: args.workspace,
        proxy: args.proxy.map(|url| ProxyConfig {
            url,
            user: args.proxy_user,
        }),
        guide: args.guide,
        sources: SourceLocations {
            ata_mongo: args.ata_mongo,
            ata_dump: args.ata_dump,
            ata_json: args.ata_json,
            ldap: args.ldap.map(|url| LdapSourceConfig {
                url,
                bind_user: args.bind_user,
                ca_file: args.ca_file,
            }),
            ldif: args.ldif,
            dc_facts: args.dc_facts,
            ..SourceLocations::default()
        },
        demo: false,
        created_at: Utc::now(),
    };
    let (engagement, _lock) = Engagement::init(&dir, &config)?;
    emit(ctx.output, &config, || {
        format!(
            "{} engagement {} for {} in {}\n\nNext: collect the inventory, e.g.\n  \
             ata2atp --engagement {} inventory --ata-dump DIR --ldif FILE\n",
            style::paint(style::OK, "Created"),
            style::paint(style::HEADER, &config.customer),
            config.consultant,
            engagement.root().display(),
            engagement.root().display(),
        )
    })?;
    Ok(exit::OK)
}
