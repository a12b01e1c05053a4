//! What the tool itself can do to decide or fix a check's result, and how each front end
//! words it. The checks name an [`Action`] beside their free remediation text (what a
//! person does on the customer's side, e.g. "install .NET 4.8"); the command line words
//! the action with its commands and flags ([`Cli`], also what the report shows), the TUI
//! with its screens and keys (`tui::strings`). `checks.yaml` and `check -o json` hold the
//! action itself (`action: {kind: …}`) beside the free `remediation`.

use serde::{Deserialize, Serialize};

pub use crate::model::Action;
use crate::model::CheckResult;

/// Why the checks must run (again) before the readiness verdict holds: the verdict's
/// own action, worded by each front end with [`Words::run_checks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunChecks {
    /// They have never run.
    NotRun,
    /// They ran on an earlier inventory than the engagement's.
    Stale,
}

/// How a front end words an action: the whole clause, without a leading separator.
pub trait Words {
    fn action(&self, action: &Action) -> String;
    /// The readiness verdict's last detail when the checks must run (again).
    fn run_checks(&self, run: RunChecks) -> String;
}

/// The command line's words: commands and flags.
pub struct Cli;

const DC_FACTS: &str = "run `ata2atp collector dc-facts > Get-DcFacts.ps1` and the script on a DC (or with \
     -ComputerName for this one), then `ata2atp inventory --dc-facts dc-facts.json`";

impl Words for Cli {
    fn action(&self, action: &Action) -> String {
        match action {
            Action::CollectAta => "collect ATA: `ata2atp inventory --ata-mongo …`, `--ata-dump DIR` or \
                                   `--ata-json SystemProfile_….json`"
                .into(),
            Action::CollectDirectory { as_admin: false } => {
                "collect the directory: `ata2atp inventory --ldap ldaps://dc… ` or `--ldif export.ldif`".into()
            }
            Action::CollectDirectory { as_admin: true } => {
                "add --ldap (bound as a domain admin) or --ldif to the inventory".into()
            }
            Action::ExportLdif { what, as_admin } => format!(
                "read the directory over LDAP{}, or export {what} (`ata2atp collector ldif`)",
                if *as_admin { " as a domain admin" } else { "" }
            ),
            Action::AccountDomain => "read a DC of the account's domain (or pass --gc, or an LDIF export of that \
                                      domain) in the same inventory run as ATA"
                .into(),
            Action::DcFacts { console_urls: None } => DC_FACTS.into(),
            Action::DcFacts {
                console_urls: Some(urls),
            } => format!(
                "run `ata2atp collector dc-facts > Get-DcFacts.ps1`, then `.\\Get-DcFacts.ps1 -ConsoleUrl {urls}` \
                 (add -ComputerName for a gateway that is not a DC)"
            ),
            Action::RegQuery => "run Get-DcFacts.ps1 again on this DC, or paste `reg query \"HKLM\\SOFTWARE\\Microsoft\\NET \
                                 Framework Setup\\NDP\\v4\\Full\" /v Release` output with --reg-query"
                .into(),
            Action::Auditpol => "run the dc-facts collector again, or paste `auditpol /get /category:* /r` from the DC and \
                                 read it with `ata2atp inventory --auditpol FILE`"
                .into(),
            Action::ServerFacts { role } => format!(
                "run `ata2atp collector server-facts > Get-ServerFacts.ps1` and the script on each {role} server, then \
                 `ata2atp inventory --server-facts server-facts.json`"
            ),
            Action::CenterFacts => "run `ata2atp collector center-facts > Get-CenterFacts.ps1` on the ATA Center, then \
                                    `ata2atp inventory --center-facts center-facts.json`"
                .into(),
            Action::LookUpOnSite { urls } => {
                format!("run `ata2atp check` on the customer's network (it resolves {urls})")
            }
            Action::DsaTest => "pass --dsa-password-env ACCOUNT=VAR or --dsa-password-file ACCOUNT=FILE (with an LDAP \
                                source in the engagement) to test the account, or run `ata2atp check dsa`"
                .into(),
            Action::DsaInventory => {
                "run the inventory with --dsa-password-env 'ACCOUNT=VAR' so the account itself lists the container"
                    .into()
            }
            Action::ProxyPassword => {
                "pass --proxy-password-env VAR or --proxy-password-file FILE (or answer the prompt)".into()
            }
            Action::ProbeSettings => "fix --ping-url, the workspace, or proxy.url in ata2atp.yaml".into(),
            Action::GatewayLogs => {
                "pass the logs folder with --gateway-logs DIR (or sources.gateway_logs)".into()
            }
            Action::GatewayLogsPath => "check the path given with --gateway-logs (or sources.gateway_logs)".into(),
        }
    }

    fn run_checks(&self, run: RunChecks) -> String {
        match run {
            RunChecks::NotRun => "Run `ata2atp check`, then write the report again.".into(),
            RunChecks::Stale => {
                "the checks ran on an earlier inventory: run `ata2atp check` again".into()
            }
        }
    }
}

/// The whole of what to do about a result in `words`: its free remediation, then the
/// tool's action; `None` when it has neither.
pub fn worded(
    remediation: Option<&str>,
    action: Option<&Action>,
    words: &dyn Words,
) -> Option<String> {
    match (remediation, action) {
        (None, None) => None,
        (Some(r), None) => Some(r.to_string()),
        (None, Some(a)) => Some(words.action(a)),
        (Some(r), Some(a)) => Some(format!("{r}; {}", words.action(a))),
    }
}

/// A result's whole remediation in `words`.
pub fn of(r: &CheckResult, words: &dyn Words) -> Option<String> {
    worded(r.remediation.as_deref(), r.action.as_ref(), words)
}

/// A result's whole remediation in the command line's words (the `check` output, the
/// report, the action lists).
pub fn cli(r: &CheckResult) -> Option<String> {
    of(r, &Cli)
}

/// One of each action, for the front ends' tests that every variant is worded.
#[cfg(test)]
pub(crate) fn every_action() -> Vec<Action> {
    vec![
        Action::CollectAta,
        Action::CollectDirectory { as_admin: false },
        Action::CollectDirectory { as_admin: true },
        Action::ExportLdif {
            what: "CN=Partitions".into(),
            as_admin: false,
        },
        Action::ExportLdif {
            what: "the domain heads' nTSecurityDescriptor".into(),
            as_admin: true,
        },
        Action::AccountDomain,
        Action::DcFacts { console_urls: None },
        Action::DcFacts {
            console_urls: Some("https://ata.contoso.test".into()),
        },
        Action::RegQuery,
        Action::Auditpol,
        Action::ServerFacts {
            role: "AD CS".into(),
        },
        Action::CenterFacts,
        Action::LookUpOnSite {
            urls: "https://ata.contoso.test".into(),
        },
        Action::DsaTest,
        Action::DsaInventory,
        Action::ProxyPassword,
        Action::ProbeSettings,
        Action::GatewayLogs,
        Action::GatewayLogsPath,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new variant must be added to `every_action` (the match fails to compile
    /// otherwise), so the front ends' tests word it too.
    #[test]
    fn every_action_lists_every_variant() {
        for a in every_action() {
            match a {
                Action::CollectAta
                | Action::CollectDirectory { .. }
                | Action::ExportLdif { .. }
                | Action::AccountDomain
                | Action::DcFacts { .. }
                | Action::RegQuery
                | Action::Auditpol
                | Action::ServerFacts { .. }
                | Action::CenterFacts
                | Action::LookUpOnSite { .. }
                | Action::DsaTest
                | Action::DsaInventory
                | Action::ProxyPassword
                | Action::ProbeSettings
                | Action::GatewayLogs
                | Action::GatewayLogsPath => {}
            }
        }
        assert_eq!(every_action().len(), 19);
    }

    #[test]
    fn the_cli_words_every_action_with_its_commands_or_flags() {
        for a in every_action() {
            let text = Cli.action(&a);
            assert!(
                text.contains("ata2atp") || text.contains("--") || text.contains("Get-DcFacts.ps1"),
                "{a:?}: {text}"
            );
        }
    }

    #[test]
    fn free_text_comes_first_then_the_action() {
        let a = Action::GatewayLogsPath;
        assert_eq!(worded(None, None, &Cli), None);
        assert_eq!(
            worded(Some("fix it"), None, &Cli).as_deref(),
            Some("fix it")
        );
        assert_eq!(
            worded(Some("fix it"), Some(&a), &Cli).unwrap(),
            format!("fix it; {}", Cli.action(&a))
        );
    }

    #[test]
    fn actions_round_trip_through_yaml_and_old_results_still_load() {
        for a in every_action() {
            let text = crate::yaml::to_string(&a, "t").unwrap();
            let back: Action = crate::yaml::from_str(&text, "t").unwrap();
            assert_eq!(back, a, "{text}");
        }
        let old =
            "id: dc.dotnet\ntitle: t\nguide: both\nstatus: fail\nremediation: install .NET 4.8\n";
        let r: CheckResult = crate::yaml::from_str(old, "checks.yaml").unwrap();
        assert_eq!(r.action, None);
        let again = crate::yaml::to_string(&r, "checks.yaml").unwrap();
        assert!(!again.contains("action"), "{again}");
    }
}
