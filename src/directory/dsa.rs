//! The directory services account (DSA): who it is, what AD says about it, and whether
//! its credentials work.
//!
//! - [`identity`] picks the account: the one ATA's configuration names, else the LDAP
//!   bind account (and says which).
//! - [`facts`] describes it from a snapshot: user or gMSA, enabled, locked out,
//!   password age and expiry (from the domain's `maxPwdAge`, as AD computes it, so an LDIF
//!   export gives the same answer as a live read), and membership of sensitive groups —
//!   a DSA needs read access only, so any such membership is over-privilege.
//! - [`test_credentials`] is `ata2atp check dsa`: one bind, one answer.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::BindFailure;
use super::entry::{Entry, filetime, normalize_dn, uac};
use super::read::View;
use crate::model::{AccountKind, AtaInventory, DirectoryServicesAccountFacts, PrivilegedGroup};

/// The account to describe, as named by ATA or the bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsaIdentity {
    /// The name as given (`svc-ata`, `FABRIKAM\svc-ata`, `svc-ata@fabrikam.test`, a DN).
    pub given: String,
    /// `sAMAccountName` to look for, when the name is not a DN.
    pub sam: Option<String>,
    pub upn: Option<String>,
    pub dn: Option<String>,
    /// Domain as DNS or NetBIOS name, when known.
    pub domain: Option<String>,
    pub identified_by: String,
    /// The account as checks name it ([`crate::model::DirectoryServicesAccount::label`]).
    pub label: String,
}

impl DsaIdentity {
    /// Splits a user name in any of the forms AD accepts for a simple bind.
    pub fn parse(user: &str, domain: Option<&str>, identified_by: &str) -> Self {
        let user = user.trim();
        let mut id = DsaIdentity {
            given: user.to_string(),
            sam: None,
            upn: None,
            dn: None,
            domain: domain.map(str::to_string).filter(|d| !d.is_empty()),
            identified_by: identified_by.to_string(),
            label: crate::model::DirectoryServicesAccount {
                user: user.to_string(),
                domain: domain.map(str::to_string),
                secret_present: false,
                found_at: None,
            }
            .label(),
        };
        if user.contains('=') && user.contains(',') {
            id.dn = Some(user.to_string());
        } else if let Some((dom, sam)) = user.split_once('\\') {
            id.sam = Some(sam.to_string());
            id.domain = id.domain.or(Some(dom.to_string()));
        } else if let Some((sam, dom)) = user.split_once('@') {
            id.sam = Some(sam.to_string());
            id.upn = Some(user.to_string());
            id.domain = id.domain.or(Some(dom.to_string()));
        } else {
            id.sam = Some(user.to_string());
        }
        id
    }

    /// The name to bind with: the UPN-style `user@domain` when the domain is known (AD
    /// accepts `sAMAccountName@dnsDomain` even without a UPN set), else as given.
    pub fn bind_name(&self) -> String {
        if self.dn.is_some() || self.upn.is_some() || self.given.contains('\\') {
            return self.given.clone();
        }
        match (&self.sam, &self.domain) {
            (Some(sam), Some(d)) if d.contains('.') => format!("{sam}@{d}"),
            (Some(sam), Some(d)) => format!("{d}\\{sam}"),
            _ => self.given.clone(),
        }
    }

    /// The name shown in the inventory.
    pub fn display(&self) -> String {
        self.sam.clone().unwrap_or_else(|| self.given.clone())
    }

    /// Whether `name` (as a consultant types it on the command line: `svc-ata`,
    /// `EMEA\svc-ata-emea`, `svc-ata@fabrikam.test`, a DN, or the label) means this
    /// account. A domain given on both sides must agree (DNS or NetBIOS name: the first
    /// label of a DNS name stands for its NetBIOS name here).
    pub fn is_named(&self, name: &str) -> bool {
        let other = DsaIdentity::parse(name, None, "");
        if self.label.eq_ignore_ascii_case(name.trim()) {
            return true;
        }
        if let (Some(a), Some(b)) = (&self.dn, &other.dn) {
            return normalize_dn(a) == normalize_dn(b);
        }
        let sam = |i: &DsaIdentity| {
            i.sam
                .as_deref()
                .map(|s| s.trim_end_matches('$').to_ascii_lowercase())
        };
        if sam(self).is_none() || sam(self) != sam(&other) {
            return false;
        }
        let first = |d: &str| d.split('.').next().unwrap_or(d).to_ascii_lowercase();
        match (&self.domain, &other.domain) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b) || first(a) == first(b),
            _ => true,
        }
    }
}

/// The directory services accounts' passwords, as given on the command line: each for a
/// named account, or one without a name, which is the first account's (the one ATA lists
/// first, as before there could be several).
#[derive(Debug, Clone, Default)]
pub struct DsaPasswords {
    entries: Vec<(Option<String>, crate::secrets::SecretString)>,
}

impl DsaPasswords {
    pub fn push(&mut self, account: Option<String>, password: crate::secrets::SecretString) {
        self.entries.push((account, password));
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The password for the account at `index` of `ids`.
    pub fn for_account(
        &self,
        ids: &[DsaIdentity],
        index: usize,
    ) -> Option<&crate::secrets::SecretString> {
        let id = ids.get(index)?;
        self.entries
            .iter()
            .find(|(name, _)| name.as_deref().is_some_and(|n| id.is_named(n)))
            .or_else(|| {
                (index == 0)
                    .then(|| self.entries.iter().find(|(name, _)| name.is_none()))
                    .flatten()
            })
            .map(|(_, pw)| pw)
    }

    /// Account names given with a password that name none of `ids` (a typo), and whether
    /// more than one password was given without a name.
    pub fn problems(&self, ids: &[DsaIdentity]) -> Vec<String> {
        let mut out: Vec<String> = self
            .entries
            .iter()
            .filter_map(|(name, _)| name.as_deref())
            .filter(|n| !ids.iter().any(|id| id.is_named(n)))
            .map(|n| {
                format!(
                    "a password was given for {n}, which is not one of the directory services accounts ({})",
                    if ids.is_empty() {
                        "none known".to_string()
                    } else {
                        ids.iter().map(|i| i.label.clone()).collect::<Vec<_>>().join(", ")
                    }
                )
            })
            .collect();
        if self.entries.iter().filter(|(n, _)| n.is_none()).count() > 1 {
            out.push(
                "more than one password without an account name: give the others as ACCOUNT=VAR (or ACCOUNT=FILE)"
                    .into(),
            );
        }
        out
    }
}

/// The DSA to describe: the first one ATA's configuration names, else the bind account.
pub fn identity(ata: &AtaInventory, bind_user: Option<&str>) -> Option<DsaIdentity> {
    identities(ata, bind_user).into_iter().next()
}

/// Every DSA ATA's configuration names (ATA keeps one per domain), else the bind account.
pub fn identities(ata: &AtaInventory, bind_user: Option<&str>) -> Vec<DsaIdentity> {
    if !ata.directory_services_accounts.is_empty() {
        return ata
            .directory_services_accounts
            .iter()
            .map(|a| {
                let by = match &a.found_at {
                    Some(path) => format!("ATA directory services account ({path})"),
                    None => "ATA directory services account".to_string(),
                };
                DsaIdentity::parse(&a.user, a.domain.as_deref(), &by)
            })
            .collect();
    }
    bind_user
        .map(|u| {
            DsaIdentity::parse(
                u,
                None,
                "the LDAP bind account (ATA's configuration named no directory services account)",
            )
        })
        .into_iter()
        .collect()
}

/// Finds the account's entry in the snapshot.
pub fn find<'a>(view: &View<'a>, id: &DsaIdentity) -> Option<&'a Entry> {
    if let Some(dn) = &id.dn {
        return view.snap.get(dn);
    }
    let domain = id.domain.as_deref().and_then(|d| view.domain_named(d));
    let mut candidates: Vec<&Entry> = Vec::new();
    if let Some(sam) = &id.sam {
        candidates.extend(view.by_sam(sam));
        // A gMSA's sAMAccountName ends with `$`; ATA shows it with or without.
        if !sam.ends_with('$') {
            candidates.extend(view.by_sam(&format!("{sam}$")));
        }
    }
    if let Some(upn) = &id.upn {
        candidates.extend(view.by_upn(upn));
    }
    candidates.sort_by_key(|e| normalize_dn(&e.dn));
    candidates.dedup_by_key(|e| normalize_dn(&e.dn));
    candidates
        .into_iter()
        .find(|e| domain.is_none_or(|d| view.in_domain(&e.dn, d)))
}

/// Default note when Deleted Objects access could not be tested. How to test it is the
/// `dsa.deleted_objects` check's action, worded by each front end.
pub const DELETED_OBJECTS_UNTESTED: &str =
    "not tested: listing CN=Deleted Objects needs a live bind as the directory services account";

/// What the directory says about the account.
pub fn facts(
    view: &View<'_>,
    id: &DsaIdentity,
    groups: &[PrivilegedGroup],
    now: DateTime<Utc>,
) -> DirectoryServicesAccountFacts {
    let (readable, note) = match view.snap.deleted_objects.get(&id.label) {
        Some(t) => (t.readable, t.note.clone()),
        None => (None, Some(DELETED_OBJECTS_UNTESTED.to_string())),
    };
    let Some(e) = find(view, id) else {
        let kind = if id.sam.as_deref().is_some_and(|s| s.ends_with('$')) {
            AccountKind::Gmsa
        } else {
            AccountKind::User
        };
        return DirectoryServicesAccountFacts {
            named_as: Some(id.label.clone()),
            identified_by: Some(id.identified_by.clone()),
            domain: id.domain.clone(),
            dn: id.dn.clone(),
            deleted_objects_readable: readable,
            deleted_objects_note: note,
            ..DirectoryServicesAccountFacts::named(id.display(), kind)
        };
    };
    let domain = view.domain_of(&e.dn);
    let head = domain.and_then(|d| view.snap.get(&d.dn));
    let gmsa = e.is_a("msDS-GroupManagedServiceAccount");
    let u = e.uac().unwrap_or(0);
    let pwd_raw = e.int("pwdLastSet");
    let pwd_last_set = pwd_raw.and_then(filetime);
    let never_expires = u & uac::DONT_EXPIRE_PASSWORD != 0;
    // maxPwdAge is a negative interval in 100 ns units; 0 or i64::MIN mean "never".
    let max_age = head
        .and_then(|h| h.int("maxPwdAge"))
        .filter(|&v| v != 0 && v != i64::MIN)
        .map(|v| v.unsigned_abs());
    let expires_at = if gmsa || never_expires {
        None
    } else {
        match (pwd_last_set, max_age) {
            (Some(set), Some(age)) => Some(set + Duration::seconds((age / 10_000_000) as i64)),
            _ => None,
        }
    };
    let lockout_time = e.int("lockoutTime").and_then(filetime);
    let lockout_duration = head.and_then(|h| h.int("lockoutDuration"));
    let locked_out = u & uac::LOCKOUT != 0
        || match (lockout_time, lockout_duration) {
            (None, _) => false,
            // Locked until an administrator unlocks it.
            (Some(_), None | Some(0) | Some(i64::MIN)) => true,
            (Some(t), Some(d)) => {
                now < t + Duration::seconds((d.unsigned_abs() / 10_000_000) as i64)
            }
        };
    let dn = normalize_dn(&e.dn);
    let mut sensitive: Vec<String> = Vec::new();
    for g in groups {
        if g.members.iter().any(|m| normalize_dn(&m.dn) == dn) && !sensitive.contains(&g.name) {
            sensitive.push(g.name.clone());
        }
    }
    // "never" only where AD says so; no expiry date for want of the domain's policy is
    // not known, not "never".
    let password_expires = if gmsa || never_expires {
        Some("never".to_string())
    } else {
        expires_at.map(|x| x.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    };
    DirectoryServicesAccountFacts {
        name: e.text("sAMAccountName").unwrap_or_else(|| id.display()),
        named_as: Some(id.label.clone()),
        identified_by: Some(id.identified_by.clone()),
        domain: domain.map(|d| d.dns.clone()).or_else(|| id.domain.clone()),
        dn: Some(e.dn.clone()),
        sid: e.sid().map(|s| s.to_string()),
        kind: if gmsa {
            AccountKind::Gmsa
        } else {
            AccountKind::User
        },
        found: true,
        enabled: e.enabled(),
        locked_out: Some(locked_out),
        pwd_last_set,
        password_never_expires: (!gmsa).then_some(never_expires),
        password_expires_at: expires_at,
        password_expires,
        password_expired: expires_at
            .map(|x| x <= now)
            .or((!gmsa && u & uac::PASSWORD_EXPIRED != 0).then_some(true)),
        must_change_password: (!gmsa).then_some(pwd_raw == Some(0)),
        account_expires_at: e.int("accountExpires").and_then(filetime),
        sensitive_groups: sensitive,
        deleted_objects_readable: readable,
        deleted_objects_note: note,
    }
}

/// The stable word `ata2atp check dsa` prints and scripts match (serialised as today's
/// words: `ok`, `wrong_password`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialOutcome {
    Ok,
    WrongPassword,
    NoSuchUser,
    Disabled,
    LockedOut,
    PasswordExpired,
    AccountExpired,
    MustChangePassword,
    NotPermitted,
    Rejected,
    Unreachable,
    TlsFailure,
}

impl CredentialOutcome {
    /// The outcome of a refused bind: the stable word `check dsa` prints and scripts
    /// match. Here rather than beside [`BindFailure`] so the LDAP client does not depend
    /// on the account check that uses it.
    pub fn of_failure(failure: &BindFailure) -> Self {
        use CredentialOutcome as O;
        match failure {
            BindFailure::WrongPassword => O::WrongPassword,
            BindFailure::NoSuchUser => O::NoSuchUser,
            BindFailure::NotPermittedNow | BindFailure::NotPermittedHere => O::NotPermitted,
            BindFailure::PasswordExpired => O::PasswordExpired,
            BindFailure::Disabled => O::Disabled,
            BindFailure::AccountExpired => O::AccountExpired,
            BindFailure::MustChangePassword => O::MustChangePassword,
            BindFailure::LockedOut => O::LockedOut,
            BindFailure::Rejected { .. }
            | BindFailure::NotADn
            | BindFailure::NeedsStrongerAuth
            | BindFailure::Other => O::Rejected,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CredentialOutcome::Ok => "ok",
            CredentialOutcome::WrongPassword => "wrong_password",
            CredentialOutcome::NoSuchUser => "no_such_user",
            CredentialOutcome::Disabled => "disabled",
            CredentialOutcome::LockedOut => "locked_out",
            CredentialOutcome::PasswordExpired => "password_expired",
            CredentialOutcome::AccountExpired => "account_expired",
            CredentialOutcome::MustChangePassword => "must_change_password",
            CredentialOutcome::NotPermitted => "not_permitted",
            CredentialOutcome::Rejected => "rejected",
            CredentialOutcome::Unreachable => "unreachable",
            CredentialOutcome::TlsFailure => "tls_failure",
        }
    }

    /// The server could not be reached or TLS failed: nothing was learnt about the
    /// credentials.
    pub fn taught_nothing(self) -> bool {
        matches!(
            self,
            CredentialOutcome::Unreachable | CredentialOutcome::TlsFailure
        )
    }
}

impl std::fmt::Display for CredentialOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of `ata2atp check dsa`, one line for a person, stable words for scripts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialTest {
    pub outcome: CredentialOutcome,
    pub user: String,
    pub server: String,
    /// The sentence for the consultant.
    pub message: String,
    /// What the server said, verbatim (LDAP result code and diagnostic text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_said: Option<String>,
}

/// `ata2atp check dsa`: binds as the account and says what happened. Bad input (URL,
/// CA file, empty password) is an `Err`; everything the server answers is a result.
pub async fn test_credentials(
    url: &str,
    tls: &super::ldap::TlsOptions,
    user: &str,
    password: &crate::secrets::SecretString,
) -> Result<CredentialTest, super::Error> {
    use super::Error;
    let server = super::ldap::Server::parse(url)?;
    let result = match super::ldap::Conn::open(&server, tls).await {
        Ok(mut conn) => {
            let r = conn.bind(user, password).await;
            if r.is_ok() {
                conn.close().await;
            }
            r
        }
        Err(e) => Err(e),
    };
    let (outcome, headline, detail, server_said) = match result {
        Ok(()) => (
            CredentialOutcome::Ok,
            "ok".to_string(),
            format!("{user} binds to {}", server.url),
            None,
        ),
        Err(Error::Bind {
            failure,
            server_said,
            ..
        }) => {
            let outcome = CredentialOutcome::of_failure(&failure);
            (
                outcome,
                outcome.as_str().replace('_', " "),
                format!("{user} on {}: {}", server.url, failure.explain()),
                Some(server_said),
            )
        }
        Err(e @ Error::Unreachable { .. }) => (
            CredentialOutcome::Unreachable,
            "server unreachable".into(),
            e.to_string(),
            None,
        ),
        Err(e @ Error::Tls { .. }) => (
            CredentialOutcome::TlsFailure,
            "TLS failure".into(),
            e.to_string(),
            None,
        ),
        Err(e) => return Err(e),
    };
    Ok(CredentialTest {
        outcome,
        user: user.to_string(),
        server: server.url,
        message: format!("{headline}: {detail}"),
        server_said,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_bind_has_its_stable_word() {
        assert_eq!(
            CredentialOutcome::of_failure(&BindFailure::Disabled).as_str(),
            "disabled"
        );
        assert_eq!(
            CredentialOutcome::of_failure(&BindFailure::NotPermittedHere),
            CredentialOutcome::NotPermitted
        );
    }

    #[test]
    fn user_names_in_every_bind_form() {
        let a = DsaIdentity::parse("svc-ata", Some("fabrikam.test"), "x");
        assert_eq!(a.sam.as_deref(), Some("svc-ata"));
        assert_eq!(a.bind_name(), "svc-ata@fabrikam.test");
        let b = DsaIdentity::parse("FABRIKAM\\svc-ata", None, "x");
        assert_eq!(
            (b.sam.as_deref(), b.domain.as_deref()),
            (Some("svc-ata"), Some("FABRIKAM"))
        );
        assert_eq!(b.bind_name(), "FABRIKAM\\svc-ata");
        let c = DsaIdentity::parse("svc-ata@fabrikam.test", None, "x");
        assert_eq!(
            (c.sam.as_deref(), c.upn.as_deref()),
            (Some("svc-ata"), Some("svc-ata@fabrikam.test"))
        );
        let d = DsaIdentity::parse("CN=svc-ata,CN=Users,DC=fabrikam,DC=test", None, "x");
        assert_eq!(
            d.dn.as_deref(),
            Some("CN=svc-ata,CN=Users,DC=fabrikam,DC=test")
        );
        assert_eq!(d.bind_name(), "CN=svc-ata,CN=Users,DC=fabrikam,DC=test");
        assert_eq!(
            DsaIdentity::parse("svc-ata", Some("FABRIKAM"), "x").bind_name(),
            "FABRIKAM\\svc-ata"
        );
        assert_eq!(
            DsaIdentity::parse("svc-ata", None, "x").bind_name(),
            "svc-ata"
        );
    }
}
