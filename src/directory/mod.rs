//! Reading Active Directory: LDAP live or an LDIF export, the same snapshot either way;
//! then the AD object behind every ATA entity.
//!
//! | module | owns |
//! |---|---|
//! | [`ldap`] | URL, TLS (CA file, `--insecure`), simple bind, paged search, failure words |
//! | [`live`] | the searches of a live read, into a snapshot |
//! | [`ldif`] | the LDIF reader (ldifde and ldapsearch output) |
//! | [`snapshot`] | the entries read, before any meaning is given to them |
//! | [`entry`] | one entry with raw values; DN and FILETIME helpers |
//! | [`read`] | snapshot → forest, domains, sites, DCs, sensitive groups (pure) |
//! | [`dsa`] | the directory services account: facts, and the credential test |
//! | [`resolve`] | ATA's ids and SIDs → AD objects; gateways on DCs (pure) |
//! | [`sensitive`] | which sensitive entities the cloud tags by itself, decided on evidence (pure) |
//! | [`queries`] | attribute lists and filters shared by the live read and the export commands |
//! | [`sid`] | SID/GUID binary ↔ text, filter escaping |
//! | [`security_descriptor`] | security descriptors: binary `nTSecurityDescriptor` and SDDL text |
//! | [`audit`] | the SACLs Defender for Identity needs (domain heads, Configuration, AD FS): read with the SD flags control, described |
//! | [`levels`] | functional-level and schema names, the sensitive-group table |
//!
//! Nothing in here writes to the directory: the only operations sent are bind, search
//! and unbind.

pub mod audit;
pub mod dsa;
pub mod entry;
pub mod ldap;
pub mod ldif;
pub mod levels;
pub mod live;
pub mod queries;
pub mod read;
pub mod resolve;
pub mod security_descriptor;
pub mod sensitive;
pub mod sid;
pub mod snapshot;

use std::path::PathBuf;

use chrono::Utc;

use crate::model::{Inventory, Source, SourceKind, SourceStatus};
use crate::progress::Progress;
use crate::secrets::SecretString;

pub use ldap::BindFailure;
pub use snapshot::DirectorySnapshot;

/// A domain controller (or GC) to read over LDAP.
#[derive(Debug, Clone)]
pub struct LdapSource {
    /// `ldap://dc:389` (StartTLS is used) or `ldaps://dc:636`.
    pub url: String,
    /// UPN, `DOMAIN\user` or DN.
    pub bind_user: Option<String>,
    pub password: Option<SecretString>,
    /// The customer's enterprise CA (PEM).
    pub ca_file: Option<PathBuf>,
    /// Skip certificate verification (lab use only; loudly reported).
    pub insecure: bool,
    /// A global catalog for SIDs of other domains of the forest.
    pub gc_url: Option<String>,
    /// The directory services accounts' passwords, to test them (Deleted Objects access).
    pub dsa_passwords: dsa::DsaPasswords,
}

/// Where to read the directory from.
#[derive(Debug, Clone, Default)]
pub struct DirectorySources {
    pub ldap: Option<LdapSource>,
    pub ldif: Vec<PathBuf>,
}

impl DirectorySources {
    pub fn is_empty(&self) -> bool {
        self.ldap.is_none() && self.ldif.is_empty()
    }
}

/// The directory could not be read. Bad input (a flag, a CA file, an LDIF file) is an
/// input error; a server that cannot be reached, a TLS failure or a refused bind a
/// source error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Usage(String),

    #[error("CA file {}: {reason}; pass --ca-file with the domain CA certificate (PEM)", path.display())]
    CaFile { path: PathBuf, reason: String },

    #[error(
        "LDIF {0}; fix the file or export it again (`ata2atp collector ldif` prints the commands)"
    )]
    Ldif(#[from] ldif::LdifError),

    /// The run was stopped (Ctrl-C, Esc in the TUI); nothing was written.
    #[error("interrupted")]
    Interrupted(#[from] crate::progress::Cancelled),

    #[error("LDAP to {server} failed: {reason}; {hint}")]
    Unreachable {
        server: String,
        reason: String,
        hint: String,
    },

    #[error("TLS to {server} failed: {reason}; {hint}")]
    Tls {
        server: String,
        reason: String,
        hint: String,
    },

    #[error("bind to {server} as {user} refused: {} [server said: {server_said}]", failure.explain())]
    Bind {
        server: String,
        user: String,
        failure: BindFailure,
        server_said: String,
    },
}

impl Error {
    pub fn kind(&self) -> crate::kind::ErrorKind {
        use crate::kind::ErrorKind;
        match self {
            Error::Usage(_) | Error::CaFile { .. } | Error::Ldif(_) => ErrorKind::Input,
            Error::Unreachable { .. } | Error::Tls { .. } | Error::Bind { .. } => ErrorKind::Source,
            Error::Interrupted(_) => ErrorKind::Interrupted,
        }
    }
}

/// Reads the LDIF files into one snapshot, with a source record per file.
pub fn read_ldif(
    paths: &[PathBuf],
    inventory: &mut Inventory,
    progress: &dyn Progress,
) -> Result<DirectorySnapshot, Error> {
    let mut snap = DirectorySnapshot::default();
    // Whether any file holds Active Directory; each file's source and entry count.
    let mut any_ad = false;
    let mut files: Vec<(usize, usize)> = Vec::new();
    for path in paths {
        let task = format!("LDIF {}", path.display());
        progress.start(&task, None);
        let file = ldif::read_file_until(path, progress);
        // The parser stops early when the run is cancelled: say so, not "bad LDIF".
        progress.checkpoint()?;
        let file = file?;
        let mut source = Source::ok(SourceKind::Ldif, path.display().to_string());
        source.records = Some(file.entries.len() as u64);
        source.read_at = Some(Utc::now());
        if !file.incomplete.is_empty() {
            source.status = SourceStatus::Partial;
            source.error = Some(file.incomplete.join("; "));
            for why in &file.incomplete {
                snap.incomplete.push(format!("{}: {why}", path.display()));
            }
        }
        // Once one file held Active Directory, no other file's entries need looking at.
        any_ad = any_ad || file.entries.iter().any(is_active_directory);
        files.push((inventory.sources.len(), file.entries.len()));
        progress.finish(&task, &format!("{} entries", file.entries.len()));
        snap.references += file.references;
        for base in &file.absent {
            snap.mark_absent(base);
        }
        for (i, e) in file.entries.into_iter().enumerate() {
            if i.is_multiple_of(4096) {
                progress.checkpoint()?;
            }
            snap.insert(e);
        }
        inventory.sources.push(source);
    }
    // Files read whole that together hold nothing of Active Directory: the wrong files,
    // most often (an OpenLDAP export, an empty file). "ok" would hide that the directory
    // is unknown. One file of a set may well be empty (no KDS root key, no AD FS).
    if !any_ad {
        for (at, entries) in files {
            let source = &mut inventory.sources[at];
            if source.status != SourceStatus::Ok {
                continue;
            }
            let why = nothing_to_read(entries);
            snap.notes.push(format!("{}: {why}", source.location));
            source.status = SourceStatus::Partial;
            source.error = Some(why);
        }
    }
    // A domain counts as exported when accounts under its naming context are present:
    // only there can "not in AD" be said of an ATA entity.
    let exported: Vec<String> = {
        let view = read::View::new(&snap);
        view.domains
            .iter()
            .filter(|d| {
                snap.entries().any(|e| {
                    (e.is_a("user") || e.is_a("group") || e.is_a("computer"))
                        && view.in_domain(&e.dn, d)
                })
            })
            .map(|d| d.dn.clone())
            .collect()
    };
    for nc in exported {
        snap.mark_searched(&nc);
        snap.mark_dsa_searched(&nc);
    }
    Ok(snap)
}

/// An entry only Active Directory writes and the readers use: the rootDSE of a DC, an
/// object with a SID, a domain head, crossRef, DC, account, group or site.
fn is_active_directory(e: &entry::Entry) -> bool {
    const CLASSES: [&str; 7] = [
        "domainDNS",
        "crossRef",
        "nTDSDSA",
        "user",
        "group",
        "computer",
        "site",
    ];
    (e.dn.is_empty() && e.has("defaultNamingContext"))
        || e.has("objectSid")
        || CLASSES.iter().any(|c| e.is_a(c))
}

/// Why an LDIF file of a set without Active Directory in it tells nothing.
fn nothing_to_read(entries: usize) -> String {
    let what = match entries {
        0 => "the file holds no entry".to_string(),
        n => format!(
            "none of its {n} entries is Active Directory's (no domain head, crossRef, DC, \
             account, group, site or rootDSE in this or the other LDIF files)"
        ),
    };
    format!(
        "{what}; give an export of the customer's Active Directory (`ata2atp collector ldif` \
         prints the commands)"
    )
}

/// Reads the directory into `inventory.directory` and matches ATA's entities against it.
pub async fn collect_into(
    sources: &DirectorySources,
    inventory: &mut Inventory,
    progress: &dyn Progress,
) -> Result<(), Error> {
    let mut snap = read_ldif(&sources.ldif, inventory, progress)?;
    if let Some(src) = &sources.ldap {
        let wanted = resolve::wanted(inventory);
        let started = Utc::now();
        let live = live::read(src, inventory, &wanted, progress).await?;
        let mut location = live.server.clone();
        if src.insecure {
            location.push_str(" (--insecure: certificate not verified)");
        }
        let mut source = Source::ok(SourceKind::Ldap, location);
        source.server_version = live.server_version.clone();
        source.read_at = Some(started);
        source.records = Some(live.snapshot.len() as u64);
        if !live.snapshot.incomplete.is_empty() {
            source.status = SourceStatus::Partial;
            source.error = Some(live.snapshot.incomplete.join("; "));
        }
        inventory.sources.push(source);
        snap.absorb(live.snapshot);
    }
    describe(
        &snap,
        sources.ldap.as_ref().and_then(|l| l.bind_user.as_deref()),
        inventory,
    );
    Ok(())
}

/// Fills `inventory.directory` from a snapshot and resolves ATA's entities against it.
pub fn describe(snap: &DirectorySnapshot, bind_user: Option<&str>, inventory: &mut Inventory) {
    let view = read::View::new(snap);
    let mut dir = read::derive_with(&view);
    // ATA may hold one directory services account per domain: the first is
    // `directory_services_account`, the others follow in
    // `additional_directory_services_accounts`; each is described alike.
    for (i, id) in dsa::identities(&inventory.ata, bind_user)
        .into_iter()
        .enumerate()
    {
        let facts = dsa::facts(&view, &id, &dir.privileged_groups, inventory.collected_at);
        // "Not found" only where it was looked for: a read that broke off, or a domain
        // that was not read, leaves the account undescribed, with the reason.
        let domain_nc = match (&id.dn, &id.domain) {
            (Some(dn), _) => view.domain_of(dn).map(|d| d.dn.clone()),
            (None, Some(d)) => view.domain_named(d).map(|d| d.dn.clone()),
            (None, None) => None,
        };
        if !facts.found && !snap.dsa_searched_in(domain_nc.as_deref()) {
            let why = format!(
                "the directory services account {} was not looked up: {}",
                id.given,
                if snap.incomplete.is_empty() {
                    "its domain was not read (pass --gc, or read a DC or an LDIF export of its domain)"
                } else {
                    "the read broke off before (see the notes)"
                }
            );
            dir.notes.push(why.clone());
            inventory.note_not_found(format!("directory: {why}"), vec![id.given.clone()]);
            continue;
        }
        if facts.kind == crate::model::AccountKind::Gmsa && dir.kds_root_key_present == Some(false)
        {
            dir.notes.push(format!(
                "the directory services account {} is a gMSA but no KDS root key was seen; if the bind account may not \
                 read the Master Root Keys container this can be wrong: confirm with Get-KdsRootKey",
                facts.name
            ));
        }
        if i == 0 {
            dir.directory_services_account = Some(facts);
        } else {
            dir.additional_directory_services_accounts.push(facts);
        }
    }
    (dir.object_auditing, dir.exchange_present) = audit::describe(snap, &dir);
    inventory.directory = Some(dir);
    resolve::apply(&view, inventory);
}

/// The export command lines printed by `ata2atp collector ldif`.
pub fn collector_commands() -> String {
    use queries::*;
    let join = |a: &[&str]| a.join(",");
    let gattrs = group_attrs();
    let kds_rel = "CN=Master Root Keys,CN=Group Key Distribution Service,CN=Services";
    let features_rel = "CN=Optional Features,CN=Directory Service,CN=Windows NT,CN=Services";
    let mut s = String::new();
    s.push_str(&format!(
        "# Export what `ata2atp inventory --ldif` needs, when ata2atp may not connect itself.\n\
# Read-only: these commands only search. Nothing secret is exported (no password hashes,\n\
# no KDS key material). Give every file written to inventory, e.g.\n\
#   ata2atp inventory --ldif ata2atp-*.ldf\n\
# Run the domain part once per domain of the forest, against one of its DCs (-s DC).\n\
# Deleted Objects access cannot be exported: test it live (inventory --ldap with\n\
# --dsa-password-env) or with `ata2atp check dsa`.\n\
\n\
## Windows (PowerShell on a domain-joined host, as a domain user; ldifde ships with RSAT AD DS)\n\
\n\
$dse    = [ADSI]\"LDAP://RootDSE\"\n\
$config = \"$($dse.configurationNamingContext)\"\n\
$schema = \"$($dse.schemaNamingContext)\"\n\
$domain = \"$($dse.defaultNamingContext)\"\n\
ldifde -f ata2atp-1-partitions.ldf -d \"CN=Partitions,$config\" -p subtree -r \"(objectClass=*)\" -l \"{}\"\n\
ldifde -f ata2atp-2-schema.ldf -d \"$schema\" -p base -r \"(objectClass=*)\" -l \"{}\"\n\
ldifde -f ata2atp-3-sites.ldf -d \"CN=Sites,$config\" -p subtree -r \"{}\" -l \"{}\"\n\
# May report \"No such object\" when the forest has no KDS container: that is an answer too.\n\
ldifde -f ata2atp-4-kds.ldf -d \"{kds_rel},$config\" -p subtree -r \"(objectClass=*)\" -l \"{}\"\n\
# The optional features (the AD Recycle Bin); \"No such object\" on a schema older than 2008 R2.\n\
ldifde -f ata2atp-7-features.ldf -d \"{features_rel},$config\" -p subtree -r \"(objectClass=*)\" -l \"{}\"\n\
ldifde -f ata2atp-5-domain.ldf -d \"$domain\" -p base -r \"(objectClass=*)\" -l \"{}\"\n\
ldifde -f ata2atp-6-accounts.ldf -d \"$domain\" -p subtree -r \"{}\" -l \"{}\"\n\
\n\
## Linux/macOS (OpenLDAP's ldapsearch). Put the password in a file without a newline:\n\
##   printf '%s' 'the password' > pw && chmod 600 pw   (delete it afterwards)\n\
## For LDAPS with the customer's CA: export LDAPTLS_CACERT=ca.pem\n\
\n\
H=ldaps://dc01.fabrikam.test   # a DC of the domain to export\n\
U=user@fabrikam.test           # bind user (UPN, DOMAIN\\user or DN)\n\
q() {{ ldapsearch -H \"$H\" -x -D \"$U\" -y pw -o ldif-wrap=no \"$@\"; }}\n\
q -s base -b \"\" \"(objectClass=*)\" {} > ata2atp-0-rootdse.ldif\n\
CONFIG=$(sed -n 's/^configurationNamingContext: //p' ata2atp-0-rootdse.ldif)\n\
SCHEMA=$(sed -n 's/^schemaNamingContext: //p' ata2atp-0-rootdse.ldif)\n\
DOMAIN=$(sed -n 's/^defaultNamingContext: //p' ata2atp-0-rootdse.ldif)\n\
q -E pr=1000/noprompt -s sub -b \"CN=Partitions,$CONFIG\" \"(objectClass=*)\" {} > ata2atp-1-partitions.ldif\n\
q -s base -b \"$SCHEMA\" \"(objectClass=*)\" {} > ata2atp-2-schema.ldif\n\
q -E pr=1000/noprompt -s sub -b \"CN=Sites,$CONFIG\" \"{}\" {} > ata2atp-3-sites.ldif\n\
q -E pr=1000/noprompt -s sub -b \"{kds_rel},$CONFIG\" \"(objectClass=*)\" {} > ata2atp-4-kds.ldif\n\
q -s sub -b \"{features_rel},$CONFIG\" \"(objectClass=*)\" {} > ata2atp-7-features.ldif\n\
q -s base -b \"$DOMAIN\" \"(objectClass=*)\" {} > ata2atp-5-domain.ldif\n\
q -E pr=1000/noprompt -s sub -b \"$DOMAIN\" \"{}\" {} > ata2atp-6-accounts.ldif\n",
        join(PARTITIONS_ATTRS),
        join(SCHEMA_ATTRS),
        SITES_FILTER,
        join(SITES_ATTRS),
        join(KDS_ATTRS),
        join(OPTIONAL_FEATURES_ATTRS),
        join(DOMAIN_HEAD_ATTRS),
        ACCOUNTS_FILTER,
        join(&gattrs),
        ROOT_DSE_ATTRS.join(" "),
        PARTITIONS_ATTRS.join(" "),
        SCHEMA_ATTRS.join(" "),
        SITES_FILTER,
        SITES_ATTRS.join(" "),
        KDS_ATTRS.join(" "),
        OPTIONAL_FEATURES_ATTRS.join(" "),
        DOMAIN_HEAD_ATTRS.join(" "),
        ACCOUNTS_FILTER,
        gattrs.join(" "),
    ));
    // The auditing entries' lines close each part.
    let linux_at = s.find("\n## Linux/macOS").unwrap_or(s.len());
    s.insert_str(linux_at, audit::windows_commands());
    s.push_str(audit::linux_commands());
    s
}
