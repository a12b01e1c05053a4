//! What the migration needs to know about the Active Directory forest.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The directory side of the inventory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryInventory {
    /// What the domain controller read answered in its rootDSE (absent for an LDIF export
    /// without the rootDSE, e.g. from ldifde).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_dse: Option<RootDse>,
    pub forest: Forest,
    #[serde(default)]
    pub domains: Vec<Domain>,
    #[serde(default)]
    pub sites: Vec<String>,
    #[serde(default)]
    pub domain_controllers: Vec<DomainController>,
    #[serde(default)]
    pub privileged_groups: Vec<PrivilegedGroup>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_services_account: Option<DirectoryServicesAccountFacts>,
    /// ATA's other directory services accounts (it keeps one per domain), described alike.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub additional_directory_services_accounts: Vec<DirectoryServicesAccountFacts>,
    /// A KDS root key exists in the forest (needed for a gMSA directory services account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kds_root_key_present: Option<bool>,
    /// The auditing entries (SACL) of the objects Defender for Identity needs audited:
    /// each domain head, the Configuration container, each AD FS container.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub object_auditing: Vec<ObjectAuditing>,
    /// `CN=Microsoft Exchange,CN=Services,<configuration>` exists: the forest has (or had)
    /// Exchange, so the Configuration container must be audited too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_present: Option<bool>,
    /// The forest's AD Recycle Bin optional feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recycle_bin: Option<RecycleBin>,
    /// Some of what was asked for could not be read (connection lost, size limit, an
    /// incomplete export): what is here is true, but lists may be short. `notes` says what.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// What could not be read or decided, and why, in words for the consultant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Whether the forest's AD Recycle Bin is enabled, and what said so.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecycleBin {
    /// `None` when it could not be decided: `evidence` says why.
    pub enabled: Option<bool>,
    /// The objects and attributes that decided it (or why nothing could).
    pub evidence: String,
}

/// The rootDSE of the domain controller that was read (MS-ADTS 3.1.1.3.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootDse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_host_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_naming_context: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_naming_context: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_naming_context: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_domain_naming_context: Option<String>,
    #[serde(default)]
    pub naming_contexts: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forest_functionality: Option<Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_functionality: Option<Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_controller_functionality: Option<Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_catalog_ready: Option<bool>,
}

/// A functional level as a number and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub level: u32,
    pub name: String,
}

impl DirectoryInventory {
    /// Every directory services account described: the first, then the others.
    pub fn directory_services_accounts(
        &self,
    ) -> impl Iterator<Item = &DirectoryServicesAccountFacts> {
        self.directory_services_account
            .iter()
            .chain(&self.additional_directory_services_accounts)
    }

    /// The facts about the account ATA names `label` ([`super::DirectoryServicesAccount::label`]).
    /// An inventory written before `named_as` existed matches by account name.
    pub fn directory_services_account_named(
        &self,
        label: &str,
    ) -> Option<&DirectoryServicesAccountFacts> {
        let short = |n: &str| {
            let n = n.rsplit('\\').next().unwrap_or(n);
            n.split('@')
                .next()
                .unwrap_or(n)
                .trim_end_matches('$')
                .to_ascii_lowercase()
        };
        self.directory_services_accounts()
            .find(|f| {
                f.named_as
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(label))
            })
            .or_else(|| {
                self.directory_services_accounts()
                    .find(|f| f.named_as.is_none() && short(&f.name) == short(label))
            })
    }

    /// The domain controller with this short or DNS name.
    pub fn domain_controller(&self, name: &str) -> Option<&DomainController> {
        self.domain_controllers.iter().find(|dc| {
            super::same_host(&dc.name, name)
                || dc
                    .dns_host_name
                    .as_deref()
                    .is_some_and(|d| super::same_host(d, name))
        })
    }
}

/// The forest and its functional level (`msDS-Behavior-Version` on `CN=Partitions`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forest {
    pub root_domain: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functional_level: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functional_level_name: Option<String>,
    /// `objectVersion` of the schema naming context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<u32>,
}

/// A domain of the forest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    pub dns_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netbios_name: Option<String>,
    pub dn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functional_level: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functional_level_name: Option<String>,
}

/// A domain controller, as the directory describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainController {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_host_name: Option<String>,
    pub domain: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    pub read_only: bool,
    /// `null` when the DC's nTDSDSA object could not be read.
    pub global_catalog: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dn: Option<String>,
    /// `msDS-Behavior-Version` of the DC's nTDSDSA object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functional_level: Option<u32>,
}

/// A group whose members are sensitive by default, with its transitive members.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivilegedGroup {
    pub name: String,
    pub sid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dn: Option<String>,
    #[serde(default)]
    pub members: Vec<DirectoryObject>,
}

/// An object found in the directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryObject {
    pub name: String,
    pub dn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `user`, `computer`, `group`, `gmsa`, …
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// Kind of account the directory services account is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    User,
    Gmsa,
}

/// The directory services account as Active Directory sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryServicesAccountFacts {
    pub name: String,
    /// The account as ATA's configuration (or the LDAP bind) names it, in the form checks
    /// use as their subject ([`super::DirectoryServicesAccount::label`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named_as: Option<String>,
    /// Where the account's name came from: ATA's configuration or the LDAP bind account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identified_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub kind: AccountKind,
    /// False when the account was looked for and not found in the directory.
    pub found: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_out: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pwd_last_set: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_never_expires: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_expires_at: Option<DateTime<Utc>>,
    /// When the password expires, as a person reads it: `never` (it is set never to
    /// expire, or a gMSA's, which AD changes itself), else `password_expires_at`; absent
    /// when not known (the account was not found, or the domain's policy not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_expires: Option<String>,
    /// The password is past `password_expires_at` at collection time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_expired: Option<bool>,
    /// `pwdLastSet` is 0: the password must be changed before the account can bind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub must_change_password: Option<bool>,
    /// `accountExpires`, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_expires_at: Option<DateTime<Utc>>,
    /// Sensitive groups the account belongs to, directly or nested (over-privileged).
    #[serde(default)]
    pub sensitive_groups: Vec<String>,
    /// Whether the account could list `CN=Deleted Objects` (only known after a bind as it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_objects_readable: Option<bool>,
    /// Why `deleted_objects_readable` could not be decided, when it is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_objects_note: Option<String>,
}

impl DirectoryServicesAccountFacts {
    /// An account known only by its name and kind: not found (yet), nothing else known.
    /// The readers and the tests fill in what they learnt on top of it.
    pub fn named(name: impl Into<String>, kind: AccountKind) -> Self {
        Self {
            name: name.into(),
            named_as: None,
            identified_by: None,
            domain: None,
            dn: None,
            sid: None,
            kind,
            found: false,
            enabled: None,
            locked_out: None,
            pwd_last_set: None,
            password_never_expires: None,
            password_expires_at: None,
            password_expires: None,
            password_expired: None,
            must_change_password: None,
            account_expires_at: None,
            sensitive_groups: Vec::new(),
            deleted_objects_readable: None,
            deleted_objects_note: None,
        }
    }
}

/// Which object's auditing entries an [`ObjectAuditing`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditedObject {
    /// A domain naming context's head (`DC=fabrikam,DC=test`).
    Domain,
    /// `CN=Configuration,<forest root>`.
    Configuration,
    /// `CN=ADFS,CN=Microsoft,CN=Program Data,<domain>`.
    Adfs,
}

/// The SACL of one object, as read with the SD flags control (SACL only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectAuditing {
    pub object: AuditedObject,
    pub dn: String,
    /// The DNS name of the domain the object belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The audit entries in SDDL, one per entry (`(OU;CISA;WP;;bf967aba-…;WD)`); empty when
    /// the object has no SACL; `None` when it could not be read (`note` says why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sacl: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
