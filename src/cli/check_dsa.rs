//! `ata2atp check dsa`: bind as the directory services account and say in one line
//! whether its credentials work — what ATA's "Test connection" button does, to run after
//! changing the domain connectivity password and before saving it (a wrong password
//! stops the gateways).

use std::path::PathBuf;

use super::Context;
use super::output::{emit, print_stderr, style};
use crate::checks::directory::DsaTestOutcome;
use crate::directory::dsa::{DsaIdentity, test_credentials};
use crate::directory::ldap::TlsOptions;
use crate::engagement::{Engagement, LdapSourceConfig};
use crate::error::Error;
use crate::model::Inventory;
use crate::secrets::SecretString;

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Answers in one line: ok, wrong password, no such user, disabled, locked out, password
expired, account expired, must change password, server unreachable or TLS failure.

Exit codes: 0 the credentials work; 1 the directory rejected them (the line says why);
2 bad input (flag, URL, CA file, empty password); 3 the server could not be reached or TLS
failed, so nothing was learnt about the credentials.

Without --ldap/--user, the engagement's recorded LDAP source and the directory services
account from its inventory are used.

Examples:
  ata2atp check dsa --ldap ldaps://dc01.fabrikam.test --user svc-ata@fabrikam.test --ca-file ca.pem
  ATA_DSA_PW=… ata2atp check dsa --password-env ATA_DSA_PW -o json")]
pub struct Args {
    /// LDAP URL of a domain controller: ldap:// (StartTLS) or ldaps://.
    #[arg(long, value_name = "URL")]
    pub ldap: Option<String>,
    /// The account: UPN, DOMAIN\user or DN. Default: the inventory's directory services
    /// account.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Environment variable holding the password.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// File whose first line is the password.
    #[arg(long, value_name = "FILE", conflicts_with = "password_env")]
    pub password_file: Option<PathBuf>,
    /// The domain CA certificate (PEM).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Do not verify the DC's certificate. Lab use only.
    #[arg(long)]
    pub insecure: bool,
}

pub async fn run(args: Args, ctx: &Context) -> Result<u8, Error> {
    let engagement = Engagement::open(&ctx.engagement).ok();
    let config = engagement.as_ref().and_then(|e| e.config().ok());
    let recorded = config.as_ref().and_then(|c| c.sources.ldap.clone());
    let url = args.ldap.clone().or_else(|| recorded.as_ref().map(|l| l.url.clone())).ok_or_else(|| {
        Error::Input("no server to test against: pass --ldap ldaps://dc01.fabrikam.test, or record sources.ldap in the engagement".into())
    })?;
    let ca_file = args
        .ca_file
        .clone()
        .or_else(|| recorded_ca_file(engagement.as_ref(), recorded.as_ref()));
    let user = match args.user.clone() {
        Some(u) => u,
        None => engagement
            .as_ref()
            .and_then(|e| e.inventory().ok().flatten())
            .and_then(|inv| inventory_user(&inv))
            .ok_or_else(|| {
            Error::Input(
                "no directory services account named: pass --user, or collect an inventory that holds one first".into(),
            )
        })?,
    };
    if args.insecure {
        print_stderr(
            "warning: --insecure: the DC's certificate is NOT verified; the password can be read on the way. Lab use only",
        );
    }
    let password = super::inventory::secret(
        args.password_env.as_deref(),
        args.password_file.as_ref(),
        "the directory services account's password",
        true,
    )?
    .ok_or_else(|| Error::Input("the directory services account's password is needed".into()))?;
    let tls = TlsOptions {
        ca_file,
        insecure: args.insecure,
    };
    let result = test_credentials(&url, &tls, &user, &password).await?;
    let code = result.exit_code();
    emit(ctx.output, &result, || {
        let st = if code == 0 { style::OK } else { style::FAIL };
        let (head, rest) = result
            .message
            .split_once(": ")
            .unwrap_or((&result.message, ""));
        format!("{}: {rest}\n", style::paint(st, head))
    })?;
    Ok(code)
}

/// The account recorded in an inventory: ATA's, else the directory's.
fn inventory_user(inv: &Inventory) -> Option<String> {
    if let Some(a) = inv.ata.directory_services_accounts.first() {
        return Some(DsaIdentity::parse(&a.user, a.domain.as_deref(), "").bind_name());
    }
    let d = inv
        .directory
        .as_ref()?
        .directory_services_account
        .as_ref()?;
    Some(DsaIdentity::parse(&d.name, d.domain.as_deref(), "").bind_name())
}

/// A recorded CA file is relative to the engagement folder.
fn recorded_ca_file(
    engagement: Option<&Engagement>,
    recorded: Option<&LdapSourceConfig>,
) -> Option<PathBuf> {
    let rel = recorded?.ca_file.clone()?;
    Some(match engagement {
        Some(e) if rel.is_relative() => e.root().join(rel),
        _ => rel,
    })
}

/// The DSA test `ata2atp check` runs when given the account's password: a bind to the
/// engagement's recorded LDAP source as the inventory's account, judged by the
/// `dsa.credentials` check. `Err` carries why no test was attempted.
pub(super) async fn for_checks(
    engagement: Option<&Engagement>,
    recorded: Option<&LdapSourceConfig>,
    inventory: &Inventory,
    password: &SecretString,
) -> Result<DsaTestOutcome, String> {
    let recorded = recorded.ok_or(
        "the credentials were not tested: the engagement has no LDAP source to bind against \
         (record one with `ata2atp init --ldap` or in ata2atp.yaml)",
    )?;
    let user = inventory_user(inventory).ok_or(
        "the credentials were not tested: the inventory names no directory services account",
    )?;
    let tls = TlsOptions {
        ca_file: recorded_ca_file(engagement, Some(recorded)),
        insecure: false,
    };
    match test_credentials(&recorded.url, &tls, &user, password).await {
        Ok(t) => Ok(DsaTestOutcome::from(&t)),
        Err(e) => Err(format!("the credentials were not tested: {e}")),
    }
}
