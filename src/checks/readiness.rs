//! The rest of Microsoft's readiness list: the sensor's packet capture driver and its v3.x
//! prerequisites, the root certificates its cloud endpoints chain to, and whether the
//! directory services accounts may make remote calls to SAM (lateral movement paths).
//!
//! | id | judged from |
//! |---|---|
//! | `dc.packet_capture` | the Npcap/WinPcap entries of the DC's Uninstall keys |
//! | `dc.sensor_v3` | the DC's Defender for Endpoint onboarding and Windows build |
//! | `dc.root_certificates` | the thumbprints of the DC's LocalMachine Root store |
//! | `dsa.remote_sam` | `RestrictRemoteSAM` on each host a collector read, against each directory services account |

use std::str::FromStr;

use super::sensor::{OsInfo, parse_version};
use super::thresholds::{
    NPCAP_MIN_VERSION, REMOTE_SAM_RESTRICTED_BUILD, ROOT_CERTIFICATES_COMMERCIAL,
    ROOT_CERTIFICATES_US_GOV, SENSOR_V3_MIN_BUILD,
};
use super::{Outcome, fact_missing};
use crate::directory::security_descriptor::{SecurityDescriptor, rights};
use crate::directory::sid::Sid;
use crate::engagement::Cloud;
use crate::model::{DcFacts, DirectoryServicesAccountFacts, Inventory};

/// `dc.packet_capture`: the sensor v2.x captures with Npcap; WinPcap is not supported.
pub fn packet_capture(f: &DcFacts) -> Outcome {
    let Some(found) = &f.packet_capture else {
        return Outcome::unknown(fact_missing(
            f,
            "packet_capture",
            "The list of packet capture drivers",
        ))
        .remedy("run the dc-facts collector again on this DC");
    };
    let winpcap: Vec<&String> = found
        .iter()
        .filter(|p| p.to_ascii_lowercase().contains("winpcap"))
        .collect();
    let npcap: Vec<&String> = found
        .iter()
        .filter(|p| p.to_ascii_lowercase().contains("npcap"))
        .collect();
    let old_npcap: Vec<&String> = npcap
        .iter()
        .copied()
        .filter(|p| {
            p.split_whitespace()
                .filter_map(parse_version)
                .next()
                .is_some_and(|v| v.as_slice() < NPCAP_MIN_VERSION.as_slice())
        })
        .collect();
    let o = if !winpcap.is_empty() {
        Outcome::fail(format!(
            "{} is installed: the sensor v2.x needs Npcap and does not support WinPcap",
            winpcap.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        ))
        .remedy("uninstall WinPcap (Apps and Features, or its uninstaller) before installing the sensor; the sensor setup then installs Npcap 1.0 OEM")
    } else if !old_npcap.is_empty() {
        Outcome::fail(format!(
            "{} is older than Npcap 1.0, which the sensor needs",
            old_npcap.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        ))
        .remedy("uninstall the old Npcap before installing the sensor (its setup installs Npcap 1.0 OEM), or upgrade it with loopback support and WinPcap API-compatible mode")
    } else if !npcap.is_empty() {
        Outcome::pass(format!(
            "{} installed (the sensor uses it; installed by hand it needs loopback support and WinPcap API-compatible mode)",
            npcap
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    } else {
        Outcome::pass("no packet capture driver installed: the sensor setup installs Npcap")
    };
    o.ev(
        "packet_capture",
        if found.is_empty() {
            "none".to_string()
        } else {
            found.join(", ")
        },
    )
}

/// `dc.sensor_v3`: the sensor v3.x is activated on DCs onboarded to Defender for Endpoint,
/// Windows Server 2019 or later. Not a blocker: the classic sensor v2.x remains.
pub fn sensor_v3(f: &DcFacts, os: Option<&OsInfo>) -> Outcome {
    let build = os.and_then(|o| o.build);
    let (Some(build), Some(onboarded)) = (build, f.mde_onboarded) else {
        let missing = if build.is_none() {
            "The OS build"
        } else {
            "The Defender for Endpoint onboarding state"
        };
        return Outcome::unknown(fact_missing(f, "mde_onboarded", missing));
    };
    let release = os.and_then(OsInfo::release).unwrap_or("this release");
    let o = match (build >= SENSOR_V3_MIN_BUILD, onboarded) {
        (true, true) => Outcome::pass(format!(
            "{release}, onboarded to Defender for Endpoint: the sensor v3.x can be activated here"
        )),
        (true, false) => Outcome::warn(format!(
            "{release} but not onboarded to Defender for Endpoint: only the classic sensor v2.x can go here until it is"
        ))
        .remedy("onboard the DC to Defender for Endpoint (Microsoft Defender portal > Settings > Endpoints > Onboarding) to use the sensor v3.x, or install the sensor v2.x"),
        (false, _) => Outcome::warn(format!(
            "{release} is older than Windows Server 2019: the sensor v3.x does not run here, install the sensor v2.x"
        ))
        .remedy("install the classic sensor v2.x on this DC, or upgrade it to Windows Server 2019 or later for v3.x"),
    };
    o.ev("mde_onboarded", onboarded.to_string())
        .ev("os_build", build.to_string())
        .ev(
            "required",
            "Windows Server 2019 or later, onboarded to Defender for Endpoint",
        )
}

/// The roots the sensor's endpoints chain to in `cloud`.
pub fn required_roots(cloud: Cloud) -> &'static [(&'static str, &'static str)] {
    match cloud {
        Cloud::Commercial | Cloud::Gcc => ROOT_CERTIFICATES_COMMERCIAL,
        Cloud::GccHigh => ROOT_CERTIFICATES_US_GOV,
    }
}

fn normalise(t: &str) -> String {
    t.chars()
        .filter(char::is_ascii_hexdigit)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The required roots missing from a Root store listing.
pub fn missing_roots(store: &[String], cloud: Cloud) -> Vec<(&'static str, &'static str)> {
    let have: Vec<String> = store.iter().map(|t| normalise(t)).collect();
    required_roots(cloud)
        .iter()
        .filter(|(tp, _)| !have.contains(&tp.to_string()))
        .copied()
        .collect()
}

/// `dc.root_certificates`.
pub fn root_certificates(f: &DcFacts, cloud: Cloud) -> Outcome {
    let Some(store) = &f.root_certificates else {
        return Outcome::unknown(fact_missing(
            f,
            "root_certificates",
            "The LocalMachine Root store",
        ))
        .remedy(
            "run the dc-facts collector again on this DC (Get-ChildItem Cert:\\LocalMachine\\Root)",
        );
    };
    let missing = missing_roots(store, cloud);
    let names = |l: &[(&str, &str)]| {
        l.iter()
            .map(|(t, n)| format!("{n} ({t})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let o = if missing.is_empty() {
        Outcome::pass(format!(
            "the Root store holds {}",
            names(required_roots(cloud))
        ))
    } else {
        Outcome::fail(format!(
            "{} lacks {} in its LocalMachine Root store: the sensor cannot trust its cloud endpoints",
            f.name,
            names(&missing)
        ))
        .remedy(format!(
            "let Windows Update fetch it (automatic root certificate update), or import it by GPO (Computer Configuration > \
             Policies > Windows Settings > Security Settings > Public Key Policies > Trusted Root Certification Authorities) \
             or on the DC: certutil -addstore Root <file>.crt (download {} from DigiCert)",
            missing.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", ")
        ))
    };
    o.ev("root_store_count", store.len().to_string())
        .ev("required", names(required_roots(cloud)))
}

/// One host a collector read `RestrictRemoteSAM` on.
struct SamCapture<'a> {
    name: &'a str,
    dc: bool,
    build: Option<u32>,
    sddl: &'a str,
}

/// The verdict for one account under one policy.
enum Verdict {
    Allowed(String),
    Refused(String),
    Undecided(String),
}

fn well_known(sid: &str) -> Option<&'static str> {
    Some(match sid {
        "S-1-1-0" => "Everyone",
        "S-1-5-11" => "Authenticated Users",
        "S-1-5-32-545" => "Users",
        "S-1-5-32-544" => "Administrators",
        _ => return None,
    })
}

/// `accounts`: the SIDs of every directory services account, which are users, not groups
/// another account could be a member of.
fn judge_account(
    sd: &SecurityDescriptor,
    dsa: &DirectoryServicesAccountFacts,
    accounts: &[&str],
) -> Verdict {
    let Some(sid) = dsa.sid.as_deref().and_then(|s| Sid::from_str(s).ok()) else {
        return Verdict::Undecided(format!(
            "{}: its SID is not known (no directory source found it)",
            dsa.name
        ));
    };
    let domain = sid.parent();
    let domain_users = domain.as_ref().map(|d| d.with_rid(513).to_string());
    let admin = dsa.sensitive_groups.iter().any(|g| {
        g.eq_ignore_ascii_case("Administrators") || g.eq_ignore_ascii_case("Domain Admins")
    });
    let names_account = |t: &str| {
        t == sid.to_string()
            || matches!(t, "S-1-1-0" | "S-1-5-11" | "S-1-5-32-545")
            || domain_users.as_deref() == Some(t)
            || (admin && t == "S-1-5-32-544")
    };
    let Some(dacl) = &sd.dacl else {
        return Verdict::Undecided(format!("{}: the policy has no DACL", dsa.name));
    };
    let mut others = Vec::new();
    for ace in dacl
        .iter()
        .filter(|a| a.mask & rights::READ_CONTROL != 0 || a.mask & rights::GENERIC_ALL != 0)
    {
        let trustee = ace
            .trustee_sid(domain.as_ref())
            .map(|s| s.to_string())
            .unwrap_or_else(|| ace.trustee.clone());
        if ace.kind.is_deny() && names_account(&trustee) {
            return Verdict::Refused(format!("{}: denied by {}", dsa.name, ace.to_sddl()));
        }
        if ace.kind.is_allow() {
            if names_account(&trustee) {
                let whom = match well_known(&trustee) {
                    Some("Administrators") => {
                        "as a member of Administrators, which it should not be (see dsa.privileges)"
                            .to_string()
                    }
                    Some(w) => format!("as {w}"),
                    None => "by its SID".to_string(),
                };
                return Verdict::Allowed(format!(
                    "{}: allowed {whom} ({})",
                    dsa.name,
                    ace.to_sddl()
                ));
            }
            if trustee != "S-1-5-32-544" && !accounts.contains(&trustee.as_str()) {
                others.push(trustee);
            }
        }
    }
    if others.is_empty() {
        Verdict::Refused(format!("{}: not in the allowed list", dsa.name))
    } else {
        Verdict::Undecided(format!(
            "{}: allowed only if it is a member of {} (group membership is not read for this)",
            dsa.name,
            others.join(", ")
        ))
    }
}

/// The directory services accounts to judge: every one ATA names, as the directory found
/// them.
fn accounts(inv: &Inventory) -> Vec<&DirectoryServicesAccountFacts> {
    inv.directory
        .iter()
        .flat_map(|d| {
            d.directory_services_account
                .iter()
                .chain(&d.additional_directory_services_accounts)
        })
        .collect()
}

/// The SDDL that allows `sids` besides the local Administrators.
pub fn remote_sam_sddl(sids: &[&str]) -> String {
    let mut s = "O:BAG:BAD:(A;;RC;;;BA)".to_string();
    for sid in sids {
        s.push_str(&format!("(A;;RC;;;{sid})"));
    }
    s
}

/// `dsa.remote_sam`, one result per host a collector read.
pub fn remote_sam(inv: &Inventory) -> Vec<(Option<String>, Outcome)> {
    let mut captures: Vec<SamCapture<'_>> = inv
        .hosts
        .iter()
        .filter_map(|h| {
            Some(SamCapture {
                name: &h.name,
                dc: true,
                build: h.os_build,
                sddl: h.restrict_remote_sam.as_deref()?,
            })
        })
        .collect();
    captures.extend(inv.servers.iter().filter_map(|s| {
        Some(SamCapture {
            name: &s.name,
            dc: false,
            build: s.os_build,
            sddl: s.restrict_remote_sam.as_deref()?,
        })
    }));
    let dsas = accounts(inv);
    let sids: Vec<&str> = dsas.iter().filter_map(|d| d.sid.as_deref()).collect();
    let fix = format!(
        "in a GPO applied to every computer except the domain controllers: Computer Configuration > Policies > Windows \
         Settings > Security Settings > Local Policies > Security Options > Network access: Restrict clients allowed to make \
         remote calls to SAM: add the directory services account(s) to the accounts already allowed (try audit mode first). \
         SDDL: {}",
        remote_sam_sddl(if sids.is_empty() {
            &["<DSA SID>"]
        } else {
            &sids
        })
    );
    if captures.is_empty() {
        return vec![(
            None,
            Outcome::unknown("no collector read RestrictRemoteSAM: whether the directory services accounts may query local administrators over SAM-R is not known")
                .remedy("run the dc-facts, center-facts or server-facts collector (they read HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\RestrictRemoteSAM)"),
        )];
    }
    if dsas.is_empty() {
        return vec![(
            None,
            Outcome::unknown("no directory services account is described (ATA names none, or no directory source found it)")
                .remedy("read ATA and the directory, so the accounts and their SIDs are known"),
        )];
    }
    captures
        .into_iter()
        .map(|c| {
            let o = if c.sddl.trim().is_empty() {
                match (c.dc, c.build) {
                    (true, _) => Outcome::pass(format!(
                        "{}: the policy is not set; domain controllers answer remote SAM calls by default (Microsoft asks not to set it on DCs)",
                        c.name
                    )),
                    (false, Some(b)) if b >= REMOTE_SAM_RESTRICTED_BUILD => Outcome::fail(format!(
                        "{}: the policy is not set, so this Windows build ({b}) allows remote SAM calls to local Administrators only: \
                         {} cannot read local administrators here (no lateral movement paths)",
                        c.name,
                        dsas.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ")
                    ))
                    .remedy(fix.clone()),
                    (false, Some(b)) => Outcome::pass(format!(
                        "{}: the policy is not set and build {b} does not restrict remote SAM calls by default",
                        c.name
                    )),
                    (false, None) => Outcome::unknown(format!(
                        "{}: the policy is not set, and without the Windows build the default cannot be told",
                        c.name
                    )),
                }
            } else {
                match SecurityDescriptor::from_sddl(c.sddl) {
                    Err(e) => Outcome::unknown(format!("{}: RestrictRemoteSAM is not an SDDL this build reads: {e}", c.name)),
                    Ok(sd) => {
                        let verdicts: Vec<Verdict> = dsas.iter().map(|d| judge_account(&sd, d, &sids)).collect();
                        let text = |v: &Verdict| match v {
                            Verdict::Allowed(s) | Verdict::Refused(s) | Verdict::Undecided(s) => s.clone(),
                        };
                        let all = verdicts.iter().map(text).collect::<Vec<_>>().join("; ");
                        if verdicts.iter().any(|v| matches!(v, Verdict::Refused(_))) {
                            Outcome::fail(format!("{}: not every directory services account may make remote calls to SAM: {all}", c.name))
                                .remedy(fix.clone())
                        } else if verdicts.iter().any(|v| matches!(v, Verdict::Undecided(_))) {
                            Outcome::unknown(format!("{}: {all}", c.name)).remedy(
                                "confirm the account's group membership, or add the account itself to the policy",
                            )
                        } else {
                            Outcome::pass(format!("{}: {all}", c.name))
                        }
                    }
                }
            };
            let o = o
                .ev("restrict_remote_sam", if c.sddl.is_empty() { "not set".to_string() } else { c.sddl.to_string() })
                .ev("host_role", if c.dc { "domain controller" } else { "member server" });
            (Some(c.name.to_string()), o)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccountKind, DirectoryInventory, ServerFacts, Status};

    fn dsa(sid: &str) -> DirectoryServicesAccountFacts {
        DirectoryServicesAccountFacts {
            domain: Some("fabrikam.test".into()),
            sid: Some(sid.into()),
            found: true,
            enabled: Some(true),
            ..DirectoryServicesAccountFacts::named("svc-ata", AccountKind::User)
        }
    }

    fn inv_with(sddl: &str, build: u32) -> Inventory {
        let mut inv = Inventory::new(chrono::Utc::now());
        inv.directory = Some(DirectoryInventory {
            directory_services_account: Some(dsa("S-1-5-21-1-2-3-1110")),
            ..Default::default()
        });
        let mut s = ServerFacts::new("FAB-ATA01");
        s.os_build = Some(build);
        s.restrict_remote_sam = Some(sddl.into());
        inv.servers.push(s);
        inv
    }

    fn status(inv: &Inventory) -> Status {
        let r = remote_sam(inv);
        assert_eq!(r.len(), 1);
        r[0].1.status
    }

    #[test]
    fn remote_sam_by_policy_and_default() {
        assert_eq!(status(&inv_with("", 14393)), Status::Fail);
        assert_eq!(status(&inv_with("", 9600)), Status::Pass);
        assert_eq!(
            status(&inv_with("O:BAG:BAD:(A;;RC;;;BA)", 17763)),
            Status::Fail
        );
        assert_eq!(
            status(&inv_with(
                "O:BAG:BAD:(A;;RC;;;BA)(A;;RC;;;S-1-5-21-1-2-3-1110)",
                17763
            )),
            Status::Pass
        );
        assert_eq!(
            status(&inv_with("O:BAG:BAD:(A;;RC;;;BA)(A;;RC;;;DU)", 17763)),
            Status::Pass
        );
        assert_eq!(
            status(&inv_with(
                "O:BAG:BAD:(D;;RC;;;S-1-5-21-1-2-3-1110)(A;;RC;;;WD)",
                17763
            )),
            Status::Fail
        );
        assert_eq!(
            status(&inv_with(
                "O:BAG:BAD:(A;;RC;;;BA)(A;;RC;;;S-1-5-21-1-2-3-4444)",
                17763
            )),
            Status::Unknown
        );
        assert_eq!(status(&inv_with("garbage", 17763)), Status::Unknown);
        let mut none = inv_with("", 14393);
        none.servers.clear();
        assert_eq!(status(&none), Status::Unknown);
        let r = remote_sam(&inv_with("", 14393));
        assert!(
            r[0].1
                .remediation
                .as_deref()
                .unwrap()
                .contains("(A;;RC;;;S-1-5-21-1-2-3-1110)")
        );
    }

    #[test]
    fn root_certificates_by_cloud() {
        let mut f = DcFacts::new("DC1");
        assert_eq!(
            root_certificates(&f, Cloud::Commercial).status,
            Status::Unknown
        );
        f.root_certificates = Some(vec!["df3c24f9bfd666761b268073fe06d1cc8d4f82a4".into()]);
        assert_eq!(
            root_certificates(&f, Cloud::Commercial).status,
            Status::Pass
        );
        let o = root_certificates(&f, Cloud::GccHigh);
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.reason
                .contains("DigiCert Global Root CA (A8985D3A65E5E5C4B2D7D66D40C6DD2FB19C5436)"),
            "{}",
            o.reason
        );
    }

    #[test]
    fn winpcap_fails_npcap_passes() {
        let mut f = DcFacts::new("DC1");
        f.packet_capture = Some(vec!["WinPcap 4.1.3 4.1.0.2980".into()]);
        assert_eq!(packet_capture(&f).status, Status::Fail);
        f.packet_capture = Some(vec!["Npcap 0.9986".into()]);
        assert_eq!(packet_capture(&f).status, Status::Fail);
        f.packet_capture = Some(vec!["Npcap OEM 1.00".into()]);
        assert_eq!(packet_capture(&f).status, Status::Pass);
        f.packet_capture = Some(vec![]);
        assert_eq!(packet_capture(&f).status, Status::Pass);
    }
}
