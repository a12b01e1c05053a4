//! `ata2atp check dsa`: bind as each directory services account and say in one line per
//! account whether its credentials work — what ATA's "Test connection" button does, to run
//! after changing a domain connectivity password and before saving it (a wrong password
//! stops the gateways).
//!
//! The passwords of several accounts are given as `ACCOUNT=VAR` (or `ACCOUNT=FILE`); a
//! bare `VAR` is the first account's. The same rule serves `inventory` and `check`
//! ([`dsa_passwords`]).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use super::Context;
use super::exit;
use super::output::{emit, print_stderr, style};
use crate::checks::directory::DsaTestOutcome;
use crate::directory::dsa::{
    CredentialOutcome, CredentialTest, DsaIdentity, DsaPasswords, test_credentials,
};
use crate::directory::ldap::TlsOptions;
use crate::engagement::{Engagement, LdapSourceConfig};
use crate::error::Error;
use crate::model::Inventory;
use crate::secrets::{SecretSource, SecretString};

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Answers in one line per account: ok, wrong password, no such user, disabled, locked out,
password expired, account expired, must change password, server unreachable or TLS failure.

Without --user, every directory services account the engagement's inventory names is tested
(ATA keeps one per domain), each with its own password: --password-env ACCOUNT=VAR (repeat
it per account; a bare VAR is the first account's), or a prompt on a terminal. JSON output
is then a list, one object per account; with --user, one object.

Exit codes: 0 the credentials work; 1 the directory rejected them (the line says why);
2 bad input (flag, URL, CA file, empty or missing password); 3 the server could not be
reached or TLS failed, so nothing was learnt about the credentials.

Without --ldap, the engagement's recorded LDAP source is used.

Examples:
  ata2atp check dsa --ldap ldaps://dc01.fabrikam.test --user svc-ata@fabrikam.test --ca-file ca.pem
  ATA_DSA_PW=… EMEA_PW=… ata2atp check dsa --password-env ATA_DSA_PW --password-env 'EMEA\\svc-ata-emea=EMEA_PW'")]
pub struct Args {
    /// LDAP URL of a domain controller: ldap:// (StartTLS) or ldaps://.
    #[arg(long, value_name = "URL")]
    pub ldap: Option<String>,
    /// The account: UPN, DOMAIN\user or DN. Default: every directory services account of
    /// the inventory. (`--bind-user`, as `inventory` calls it, is the same flag.)
    #[arg(long, value_name = "USER", visible_alias = "bind-user")]
    pub user: Option<String>,
    /// Environment variable holding a password; `ACCOUNT=VAR` names its account
    /// (repeatable).
    #[arg(long, value_name = "[ACCOUNT=]VAR")]
    pub password_env: Vec<String>,
    /// File whose first line is a password; `ACCOUNT=FILE` names its account (repeatable).
    #[arg(long, value_name = "[ACCOUNT=]FILE")]
    pub password_file: Vec<PathBuf>,
    /// The domain CA certificate (PEM).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Do not verify the DC's certificate. Lab use only.
    #[arg(long)]
    pub insecure: bool,
}

/// The directory services accounts' password flags of `inventory` (which binds as each to
/// test its access to Deleted Objects) and `check` (which tests its credentials).
#[derive(Debug, clap::Args)]
pub struct DsaPasswordArgs {
    /// Environment variable holding a directory services account's password, to bind as
    /// the account (`inventory` tests its access to Deleted Objects, `check` its
    /// credentials). Repeatable: `ACCOUNT=VAR` names the account
    /// (`'EMEA\svc-ata-emea=EMEA_PW'`); a bare VAR is the first account's.
    #[arg(long, value_name = "[ACCOUNT=]VAR")]
    pub dsa_password_env: Vec<String>,
    /// File whose first line is a directory services account's password; `ACCOUNT=FILE`
    /// names the account (repeatable).
    #[arg(long, value_name = "[ACCOUNT=]FILE")]
    pub dsa_password_file: Vec<PathBuf>,
}

impl DsaPasswordArgs {
    pub fn read(&self) -> Result<DsaPasswords, Error> {
        dsa_passwords(&self.dsa_password_env, &self.dsa_password_file)
    }
}

/// Reads the password flags: `[ACCOUNT=]VAR` and `[ACCOUNT=]FILE`, each repeatable.
pub(super) fn dsa_passwords(envs: &[String], files: &[PathBuf]) -> Result<DsaPasswords, Error> {
    let mut out = DsaPasswords::default();
    let purpose = |account: Option<&str>| match account {
        Some(a) => format!("the password of {a}"),
        None => "the directory services account's password".to_string(),
    };
    for e in envs {
        // A variable name holds no `=`: the last one separates the account (which may be
        // a DN) from it.
        let (account, var) = match e.rsplit_once('=') {
            Some((a, v)) if !a.trim().is_empty() => (Some(a.trim().to_string()), v.trim()),
            _ => (None, e.trim()),
        };
        if var.is_empty() {
            return Err(Error::Input(format!(
                "--password-env '{e}': no variable name after the account"
            )));
        }
        let pw = SecretSource::Env(var.to_string()).read(&purpose(account.as_deref()))?;
        out.push(account, pw);
    }
    for f in files {
        // A path that exists as given is a bare file, even with `=` in its name.
        let text = f.to_string_lossy();
        let (account, path) = match text.split_once('=') {
            Some((a, p)) if !f.exists() && !a.trim().is_empty() => {
                (Some(a.trim().to_string()), PathBuf::from(p))
            }
            _ => (None, f.clone()),
        };
        let pw = SecretSource::File(path).read(&purpose(account.as_deref()))?;
        out.push(account, pw);
    }
    Ok(out)
}

/// The directory services accounts an inventory names: ATA's, else the one the directory
/// read described (the bind account).
fn inventory_accounts(inv: &Inventory) -> Vec<DsaIdentity> {
    let ids = crate::directory::dsa::identities(&inv.ata, None);
    if !ids.is_empty() {
        return ids;
    }
    inv.directory
        .iter()
        .flat_map(|d| d.directory_services_accounts())
        .map(|f| {
            let mut id = DsaIdentity::parse(&f.name, f.domain.as_deref(), "");
            if let Some(n) = &f.named_as {
                id.label = n.clone();
            }
            id
        })
        .collect()
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
    let passwords = dsa_passwords(&args.password_env, &args.password_file)?;
    let accounts: Vec<DsaIdentity> = match &args.user {
        Some(u) => vec![DsaIdentity::parse(u, None, "--user")],
        None => {
            let inv = engagement
                .as_ref()
                .and_then(|e| e.inventory().ok().flatten());
            let ids = inv.as_ref().map(inventory_accounts).unwrap_or_default();
            if ids.is_empty() {
                return Err(Error::Input(
                    "no directory services account named: pass --user, or collect an inventory that holds one first"
                        .into(),
                ));
            }
            ids
        }
    };
    if let Some(p) = passwords.problems(&accounts).into_iter().next() {
        return Err(Error::Input(p));
    }
    // Every password first (a missing one is bad input, found before any bind).
    let mut to_test: Vec<(String, SecretString)> = Vec::new();
    for (i, id) in accounts.iter().enumerate() {
        let pw = match passwords.for_account(&accounts, i) {
            Some(pw) => pw.clone(),
            None if std::io::stdin().is_terminal() => {
                let typed = rpassword::prompt_password(format!("Password of {}: ", id.label))
                    .map_err(|e| {
                        Error::Input(format!("could not read the password of {}: {e}", id.label))
                    })?;
                crate::secrets::secret_from(typed, &format!("the password of {}", id.label))?
            }
            None => {
                return Err(Error::Input(format!(
                    "no password for {0}: pass --password-env '{0}=VAR' (or --password-file '{0}=FILE'); \
                     a bare VAR is the first account's",
                    id.label
                )));
            }
        };
        to_test.push((id.bind_name(), pw));
    }
    if args.insecure {
        print_stderr(
            "warning: --insecure: the DC's certificate is NOT verified; the password can be read on the way. Lab use only",
        );
    }
    let tls = TlsOptions {
        ca_file,
        insecure: args.insecure,
    };
    let mut results: Vec<CredentialTest> = Vec::new();
    for (user, pw) in &to_test {
        results.push(test_credentials(&url, &tls, user, pw).await?);
    }
    let line = |r: &CredentialTest| {
        let st = if r.outcome == CredentialOutcome::Ok {
            style::OK
        } else {
            style::FAIL
        };
        let (head, rest) = r.message.split_once(": ").unwrap_or((&r.message, ""));
        format!("{}: {rest}\n", style::paint(st, head))
    };
    let code = worst_exit(&results);
    if args.user.is_some() {
        emit(ctx.output, &results[0], || line(&results[0]))?;
    } else {
        emit(ctx.output, &results, || results.iter().map(line).collect())?;
    }
    Ok(code)
}

/// A rejection (1) says more than an unreachable server (3): it wins.
fn worst_exit(results: &[CredentialTest]) -> u8 {
    let codes: Vec<u8> = results
        .iter()
        .map(|t| exit::for_credentials(t.outcome))
        .collect();
    if codes.contains(&exit::CHECKS_FAILED) {
        exit::CHECKS_FAILED
    } else {
        codes.into_iter().max().unwrap_or(exit::OK)
    }
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

/// The DSA tests `ata2atp check` runs when given passwords: a bind to the engagement's
/// recorded LDAP source as each account a password was given for, judged by the
/// `dsa.credentials` check. By account label: the outcome, or why no test was attempted.
/// Empty when no password was given (every account then gets the default reason).
pub(super) async fn for_checks(
    engagement: Option<&Engagement>,
    recorded: Option<&LdapSourceConfig>,
    inventory: &Inventory,
    passwords: &DsaPasswords,
) -> Result<BTreeMap<String, DsaTestOutcome>, Error> {
    let mut out = BTreeMap::new();
    if passwords.is_empty() {
        return Ok(out);
    }
    let accounts = inventory_accounts(inventory);
    if accounts.is_empty() {
        return Err(Error::Input(
            "a directory services account password was given, but the inventory names no directory services account"
                .into(),
        ));
    }
    if let Some(p) = passwords.problems(&accounts).into_iter().next() {
        return Err(Error::Input(p));
    }
    for (i, id) in accounts.iter().enumerate() {
        let result = match (passwords.for_account(&accounts, i), recorded) {
            (None, _) => DsaTestOutcome::NotAttempted {
                reason: format!(
                    "the credentials of {} were not tested: no password was given for it",
                    id.label
                ),
            },
            (Some(_), None) => DsaTestOutcome::NotAttempted {
                reason: "the credentials were not tested: the engagement has no LDAP source to bind against \
                         (sources: ldap in ata2atp.yaml)"
                    .to_string(),
            },
            (Some(pw), Some(rec)) => {
                let tls = TlsOptions {
                    ca_file: recorded_ca_file(engagement, Some(rec)),
                    insecure: false,
                };
                match test_credentials(&rec.url, &tls, &id.bind_name(), pw).await {
                    Ok(t) => DsaTestOutcome::from(&t),
                    Err(e) => DsaTestOutcome::NotAttempted {
                        reason: format!("the credentials were not tested: {e}"),
                    },
                }
            }
        };
        out.insert(id.label.clone(), result);
    }
    Ok(out)
}
