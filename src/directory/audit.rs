//! The auditing entries (SACLs) Defender for Identity needs in the directory, read and
//! described; the checks in `checks::events` judge them.
//!
//! Which objects (Microsoft's "Configure audit policies for Windows event logs"):
//!
//! - every domain head, for event 4662 on users, groups, computers and (group) managed
//!   service accounts;
//! - the Configuration container, where the forest has (or had) Exchange
//!   (`CN=Microsoft Exchange,CN=Services,<configuration>` exists);
//! - `CN=ADFS,CN=Microsoft,CN=Program Data,<domain>`, where AD FS keeps its configuration.
//!
//! A SACL is only returned to an account holding the "Manage auditing and security log"
//! right (SeSecurityPrivilege; Domain Admins have it on DCs), and only when asked for:
//! the live read sends the SD flags control (MS-ADTS 3.1.1.3.4.1.11) with
//! SACL_SECURITY_INFORMATION only. AD then omits `nTSecurityDescriptor` altogether for an
//! account without the right; Samba does the same. An absent attribute after such a
//! request is therefore "could not be read, and why", never "no auditing".

use ldap3::controls::RawControl;

use super::entry::{is_under, normalize_dn};
use super::security_descriptor::SecurityDescriptor;
use super::snapshot::DirectorySnapshot;
use crate::model::{AuditedObject, DirectoryInventory, ObjectAuditing};

/// LDAP_SERVER_SD_FLAGS_OID.
pub const SD_FLAGS_OID: &str = "1.2.840.113556.1.4.801";
/// SACL_SECURITY_INFORMATION: the SACL only.
pub const SACL_ONLY: u8 = 0x8;

/// The SD flags control asking for `flags` (BER `SEQUENCE { INTEGER flags }`). Not
/// critical: a server that does not know it (OpenLDAP) answers without the SACL, which
/// then reads as "not returned", with the rootDSE saying why.
pub fn sd_flags_control(flags: u8) -> RawControl {
    RawControl {
        ctype: SD_FLAGS_OID.to_string(),
        crit: false,
        val: Some(vec![0x30, 0x03, 0x02, 0x01, flags]),
    }
}

/// One base search of the live read: the object and whether its SACL is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSearch {
    pub dn: String,
    pub attrs: &'static [&'static str],
    /// Send [`sd_flags_control`] with [`SACL_ONLY`].
    pub sacl: bool,
    pub what: &'static str,
}

const SD_ATTRS: &[&str] = &["objectClass", "nTSecurityDescriptor"];
const EXISTS_ATTRS: &[&str] = &["objectClass"];

fn exchange_dn(config: &str) -> String {
    format!("CN=Microsoft Exchange,CN=Services,{config}")
}

fn adfs_dn(domain: &str) -> String {
    format!("CN=ADFS,CN=Microsoft,CN=Program Data,{domain}")
}

/// The searches the live read makes on the DC's own domain and the forest's
/// configuration partition. A missing base (no Exchange, no AD FS) is an answer.
pub fn searches(domain_nc: &str, config_nc: Option<&str>) -> Vec<AuditSearch> {
    let mut out = vec![AuditSearch {
        dn: domain_nc.to_string(),
        attrs: SD_ATTRS,
        sacl: true,
        what: "the domain head's auditing entries",
    }];
    if let Some(config) = config_nc {
        out.push(AuditSearch {
            dn: config.to_string(),
            attrs: SD_ATTRS,
            sacl: true,
            what: "the Configuration container's auditing entries",
        });
        out.push(AuditSearch {
            dn: exchange_dn(config),
            attrs: EXISTS_ATTRS,
            sacl: false,
            what: "the Exchange configuration container",
        });
    }
    out.push(AuditSearch {
        dn: adfs_dn(domain_nc),
        attrs: SD_ATTRS,
        sacl: true,
        what: "the AD FS container's auditing entries",
    });
    out
}

/// Why a SACL asked for over LDAP did not come back.
fn not_returned(snap: &DirectorySnapshot, dn: &str) -> String {
    let supported = snap
        .root_dse
        .as_ref()
        .filter(|r| r.has("supportedControl"))
        .map(|r| {
            r.texts("supportedControl")
                .iter()
                .any(|c| c == SD_FLAGS_OID)
        });
    match supported {
        Some(false) => format!(
            "the server does not support the SD flags control ({SD_FLAGS_OID}), so the SACL of {dn} cannot be read over LDAP \
             (not an Active Directory DC?)"
        ),
        _ => format!(
            "the server did not return the SACL of {dn} to the bind account: reading auditing entries needs the \
             'Manage auditing and security log' right (SeSecurityPrivilege), which Domain Admins hold on the DCs; \
             read again bound as a domain admin, or give an LDIF export made by one"
        ),
    }
}

/// The SACL of one object from the snapshot, described.
fn describe_one(
    snap: &DirectorySnapshot,
    object: AuditedObject,
    dn: &str,
    domain: Option<String>,
) -> ObjectAuditing {
    let mut out = ObjectAuditing {
        object,
        dn: dn.to_string(),
        domain,
        sacl: None,
        note: None,
    };
    let requested = snap.sacl_requested(dn);
    let bytes = snap.get(dn).and_then(|e| e.bytes("nTSecurityDescriptor"));
    match bytes {
        Some(b) => match SecurityDescriptor::from_bytes(b) {
            Err(e) => {
                out.note = Some(format!(
                    "the security descriptor of {dn} could not be decoded: {e}"
                ))
            }
            Ok(sd) => match (sd.sacl, requested || sd.dacl.is_none()) {
                // Read: the source record says from where, so an LDIF export and a
                // live read describe the object alike.
                (Some(aces), _) => out.sacl = Some(aces.iter().map(|a| a.to_sddl()).collect()),
                // Only the SACL was asked for, and there is none.
                (None, true) => {
                    out.sacl = Some(Vec::new());
                    out.note = Some("the object has no SACL".into());
                }
                (None, false) => {
                    out.note = Some(format!(
                        "the exported security descriptor of {dn} holds no SACL: it may have none, or the export was made \
                         without it (an export made as a domain admin holds it)"
                    ))
                }
            },
        },
        None if requested => out.note = Some(not_returned(snap, dn)),
        // The note says what is missing; what the tool can do about it is the check's
        // action, worded by each front end.
        None => {
            out.note = Some(format!(
                "the security descriptor of {dn} was not read (a DC of its domain read over LDAP as a domain \
                 admin, or an LDIF export, holds it)"
            ))
        }
    }
    out
}

/// The auditing entries of every object that needs them, and whether Exchange is in the
/// forest. An AD FS container is listed where it was read.
pub fn describe(
    snap: &DirectorySnapshot,
    dir: &DirectoryInventory,
) -> (Vec<ObjectAuditing>, Option<bool>) {
    let mut out = Vec::new();
    for d in &dir.domains {
        out.push(describe_one(
            snap,
            AuditedObject::Domain,
            &d.dn,
            Some(d.dns_name.clone()),
        ));
    }
    let config = dir
        .root_dse
        .as_ref()
        .and_then(|r| r.configuration_naming_context.clone())
        .or_else(|| {
            dir.domains
                .iter()
                .find(|d| d.dns_name.eq_ignore_ascii_case(&dir.forest.root_domain))
                .map(|d| format!("CN=Configuration,{}", d.dn))
        });
    let mut exchange = None;
    if let Some(config) = &config {
        let ex = exchange_dn(config);
        let services = format!("CN=Services,{config}");
        exchange = if snap.get(&ex).is_some() {
            Some(true)
        } else if snap.is_absent(&ex)
            || snap.entries().any(|e| {
                is_under(&e.dn, &services) && normalize_dn(&e.dn) != normalize_dn(&services)
            })
        {
            Some(false)
        } else {
            None
        };
        // The Configuration container matters only with Exchange; describe it whenever it
        // was read, so the report shows what is there.
        if exchange != Some(false) || snap.get(config).is_some() || snap.sacl_requested(config) {
            out.push(describe_one(
                snap,
                AuditedObject::Configuration,
                config,
                Some(dir.forest.root_domain.clone()),
            ));
        }
    }
    // AD FS keeps a container only where it is deployed; the check also looks at the
    // server facts, so a container that was not read is not listed as a gap here.
    for d in &dir.domains {
        let dn = adfs_dn(&d.dn);
        if snap.get(&dn).is_some() {
            out.push(describe_one(
                snap,
                AuditedObject::Adfs,
                &dn,
                Some(d.dns_name.clone()),
            ));
        }
    }
    (out, exchange)
}

/// The Windows export lines of `ata2atp collector ldif` for the auditing entries (they
/// use the Windows part's `$domain` and `$config`).
pub fn windows_commands() -> &'static str {
    "# Auditing entries (SACLs) for the event-collection checks: run these as a Domain Admin\n\
# (only an account with 'Manage auditing and security log' may read them).\n\
ldifde -f ata2atp-7-auditing.ldf -d \"$domain\" -p base -r \"(objectClass=*)\" -l \"objectClass,nTSecurityDescriptor\"\n\
ldifde -f ata2atp-8-config-auditing.ldf -d \"$config\" -p base -r \"(objectClass=*)\" -l \"objectClass,nTSecurityDescriptor\"\n\
ldifde -f ata2atp-9-services.ldf -d \"CN=Services,$config\" -p onelevel -r \"(objectClass=*)\" -l \"objectClass\"\n\
# May report \"No such object\" where AD FS is not deployed: that is an answer too.\n\
ldifde -f ata2atp-10-adfs.ldf -d \"CN=ADFS,CN=Microsoft,CN=Program Data,$domain\" -p base -r \"(objectClass=*)\" -l \"objectClass,nTSecurityDescriptor\"\n"
}

/// The ldapsearch lines for the same (the Linux part's `q`, `$DOMAIN` and `$CONFIG`):
/// the SD flags control asks for the SACL only (8).
pub fn linux_commands() -> &'static str {
    "# Auditing entries (SACLs): bind as a Domain Admin for these (see above).\n\
q -E '!1.2.840.113556.1.4.801=::MAMCAQg=' -s base -b \"$DOMAIN\" \"(objectClass=*)\" objectClass nTSecurityDescriptor > ata2atp-7-auditing.ldif\n\
q -E '!1.2.840.113556.1.4.801=::MAMCAQg=' -s base -b \"$CONFIG\" \"(objectClass=*)\" objectClass nTSecurityDescriptor > ata2atp-8-config-auditing.ldif\n\
q -E '!1.2.840.113556.1.4.801=::MAMCAQg=' -s base -b \"CN=ADFS,CN=Microsoft,CN=Program Data,$DOMAIN\" \"(objectClass=*)\" objectClass nTSecurityDescriptor > ata2atp-10-adfs.ldif\n\
q -s one -b \"CN=Services,$CONFIG\" \"(objectClass=*)\" objectClass > ata2atp-9-services.ldif\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::entry::Entry;
    use crate::model::Domain;

    fn dir() -> DirectoryInventory {
        DirectoryInventory {
            forest: crate::model::Forest {
                root_domain: "example.test".into(),
                ..Default::default()
            },
            domains: vec![Domain {
                dns_name: "example.test".into(),
                dn: "DC=example,DC=test".into(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn the_control_asks_for_the_sacl_only() {
        let c = sd_flags_control(SACL_ONLY);
        assert_eq!(c.val.unwrap(), vec![0x30, 3, 2, 1, 8]);
        assert!(!c.crit);
    }

    #[test]
    fn a_sacl_asked_for_and_not_returned_is_unreadable_not_empty() {
        let mut snap = DirectorySnapshot::default();
        snap.insert(Entry::new("DC=example,DC=test"));
        snap.mark_sacl_requested("DC=example,DC=test");
        let (objects, exchange) = describe(&snap, &dir());
        assert_eq!(exchange, None);
        let head = &objects[0];
        assert_eq!(head.object, AuditedObject::Domain);
        assert!(head.sacl.is_none());
        assert!(
            head.note
                .as_deref()
                .unwrap()
                .contains("SeSecurityPrivilege"),
            "{head:?}"
        );
        // Never looked for: not read, and says how to read it.
        let (objects, _) = describe(&DirectorySnapshot::default(), &dir());
        assert!(objects[0].note.as_deref().unwrap().contains("was not read"));
    }
}
