//! Domain object auditing against the real Samba AD DC: the SACL read over LDAP with the SD
//! flags control, missing on a fresh domain, added with Samba's own tool (ldbmodify on the
//! DC's sam.ldb, as an admin would on a DC), then passing; a plain user's bind gives
//! Unknown with the reason.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::io::Write as _;

use ata2atp::checks::events;
use ata2atp::directory::{DirectorySources, LdapSource};
use ata2atp::model::{AuditedObject, Inventory, Status};
use ata2atp::progress::Silent;
use ata2atp::secrets::SecretString;
use chrono::Utc;

fn samba() -> &'static support::servers::Samba {
    &support::servers::servers().samba
}

fn source(user: &str, password: &str) -> DirectorySources {
    DirectorySources {
        ldap: Some(LdapSource {
            url: samba().ldaps_url.clone(),
            bind_user: Some(user.to_string()),
            password: Some(SecretString::from(password.to_string())),
            ca_file: Some(samba().ca_pem.clone()),
            insecure: false,
            gc_url: None,
            dsa_passwords: Default::default(),
        }),
        ldif: Vec::new(),
    }
}

async fn read_as(user: &str, password: &str) -> Inventory {
    let mut inv = Inventory::new(Utc::now());
    ata2atp::directory::collect_into(&source(user, password), &mut inv, &Silent)
        .await
        .unwrap_or_else(|e| panic!("directory read failed: {e}"));
    inv
}

/// Replaces the domain head's SACL with `sddl` through ldbmodify on the local sam.ldb
/// (SD flags 8: the owner, group and DACL are left alone).
fn set_domain_sacl(sddl: &str) {
    let s = samba();
    let mut child = std::process::Command::new("ldbmodify")
        .arg("-H")
        .arg(&s.sam_ldb)
        .arg("--controls=sd_flags:1:8")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ldbmodify (ldb-tools) runs");
    write!(
        child.stdin.take().unwrap(),
        "dn: {}\nchangetype: modify\nreplace: nTSecurityDescriptor\nnTSecurityDescriptor: {sddl}\n",
        s.base_dn
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "ldbmodify failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Puts the provisioned SACL back however the test ends.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        set_domain_sacl(&samba().domain_sacl_fresh);
    }
}

fn domain_result(inv: &Inventory) -> (Status, String, Option<String>) {
    let results = events::object_auditing(inv);
    let (subject, o) = results
        .iter()
        .find(|(s, _)| s.as_deref() == Some(samba().dns_domain.as_str()))
        .unwrap_or_else(|| panic!("no result for {}: {results:?}", samba().dns_domain));
    assert_eq!(subject.as_deref(), Some(samba().dns_domain.as_str()));
    (o.status, o.reason.clone(), o.remediation.clone())
}

/// The entries Microsoft asks for (the msDS-DelegatedManagedServiceAccount one only from
/// schema 90: Samba 4.17's is older), as Samba's ldbmodify takes them.
const MDI_ENTRIES: &str = "(OU;CIIOSA;0xd016b;;bf967aba-0de6-11d0-a285-00aa003049e2;WD)\
(OU;CIIOSA;0xd016b;;bf967a9c-0de6-11d0-a285-00aa003049e2;WD)\
(OU;CIIOSA;0xd016b;;bf967a86-0de6-11d0-a285-00aa003049e2;WD)\
(OU;CIIOSA;0xd016b;;ce206244-5827-4a86-ba1c-1c0c386c1b64;WD)\
(OU;CIIOSA;0xd006b;;7b8b558a-93a5-4af7-adca-c017e67f1057;WD)";

#[tokio::test]
async fn the_domain_sacl_is_read_missing_added_and_passes() {
    let s = samba();
    let _lock = support::servers::samba_sacl_lock();
    let _restore = Restore;
    set_domain_sacl(&s.domain_sacl_fresh);

    // Fresh domain: the SACL is read (as the administrator) and lacks every entry.
    let inv = read_as(&s.admin_upn, &s.admin_password).await;
    let dir = inv.directory.as_ref().unwrap();
    let head = dir
        .object_auditing
        .iter()
        .find(|o| o.object == AuditedObject::Domain)
        .expect("the domain head is described");
    let sacl = head
        .sacl
        .as_ref()
        .expect("the administrator reads the SACL");
    assert_eq!(sacl.len(), 5, "{sacl:?}");
    assert!(
        sacl.contains(&"(AU;SA;WDWOWP;;;WD)".to_string()),
        "{sacl:?}"
    );
    let (status, reason, remedy) = domain_result(&inv);
    assert_eq!(status, Status::Fail, "{reason}");
    for class in [
        "user",
        "group",
        "computer",
        "msDS-ManagedServiceAccount",
        "msDS-GroupManagedServiceAccount",
    ] {
        assert!(reason.contains(class), "{class} not named: {reason}");
    }
    let remedy = remedy.unwrap();
    assert!(
        remedy.contains("ActiveDirectoryAuditRule")
            && remedy.contains("bf967aba-0de6-11d0-a285-00aa003049e2"),
        "{remedy}"
    );
    // Samba has no Exchange container and no AD FS container: not applicable.
    assert_eq!(dir.exchange_present, Some(false));
    assert_eq!(events::configuration_auditing(&inv).status, Status::Pass);
    assert_eq!(
        events::adfs_container_auditing(&inv)[0].1.status,
        Status::Pass
    );
    // The remediation script for the domain carries one audit rule per missing class.
    let results: Vec<_> = events::object_auditing(&inv)
        .into_iter()
        .map(|(subject, o)| o.into_result("domain.object_auditing", subject))
        .collect();
    let script =
        ata2atp::checks::remediation::script(&inv, &results, &s.dns_domain, Default::default())
            .unwrap();
    assert_eq!(script.matches("$acl.AddAuditRule(").count(), 5, "{script}");

    // Add the entries with Samba's own tool: the check passes.
    set_domain_sacl(&format!("{}{MDI_ENTRIES}", s.domain_sacl_fresh));
    let inv = read_as(&s.admin_upn, &s.admin_password).await;
    let (status, reason, _) = domain_result(&inv);
    assert_eq!(status, Status::Pass, "{reason}");

    // A plain user may not read a SACL: Unknown, with the reason and what to do.
    let dsa = s.account(&s.dsa);
    let inv = read_as(&dsa.upn, &dsa.password).await;
    let (status, reason, remedy) = domain_result(&inv);
    assert_eq!(status, Status::Unknown, "{reason}");
    assert!(
        reason.contains("SeSecurityPrivilege") && reason.contains("domain admin"),
        "{reason}"
    );
    assert!(remedy.unwrap().contains("Domain Admins"));
    // Not a partial read: the missing SACL is an answer about rights, not a broken search.
    assert!(
        inv.sources
            .iter()
            .all(|src| src.status == ata2atp::model::SourceStatus::Ok),
        "{:?}",
        inv.sources
    );
}
