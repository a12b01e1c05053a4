use super::*;
use crate::checks::thresholds::DC_AUDIT_POLICY;
use crate::model::{AuditSubcategory, DcFacts, Status};

fn sub(guid: &str, setting: &str) -> AuditSubcategory {
    AuditSubcategory {
        guid: guid.into(),
        name: "x".into(),
        setting: setting.into(),
    }
}

fn all(setting: &str) -> Vec<AuditSubcategory> {
    DC_AUDIT_POLICY
        .iter()
        .map(|r| sub(r.guid, setting))
        .collect()
}

#[test]
fn audit_policy_needs_success_and_the_failures_that_exist() {
    let mut f = DcFacts::new("DC1");
    assert_eq!(audit_policy(&f).status, Status::Unknown);
    f.audit_policy = Some(all("Success and Failure"));
    assert_eq!(audit_policy(&f).status, Status::Pass);
    f.audit_policy = Some(all("Erfolg und Fehler"));
    assert_eq!(audit_policy(&f).status, Status::Pass);
    // Success only: Credential Validation loses its failures (4776 failures).
    f.audit_policy = Some(all("Success"));
    let o = audit_policy(&f);
    assert_eq!(o.status, Status::Fail);
    assert!(o.reason.contains("Credential Validation"), "{}", o.reason);
    assert!(
        o.remediation
            .unwrap()
            .contains("auditpol /set /subcategory:\"{0CCE923F-69AE-11D9-BED3-505054503030}\"")
    );
    // Failure missing only where no failure events exist: a warning.
    let mut p = all("Success and Failure");
    p[1].setting = "Success".into(); // Computer Account Management
    f.audit_policy = Some(p.clone());
    assert_eq!(audit_policy(&f).status, Status::Warn);
    // A subcategory missing from the capture fails; an unreadable one is unknown.
    p.remove(0);
    f.audit_policy = Some(p);
    assert_eq!(audit_policy(&f).status, Status::Fail);
    let mut p = all("Success and Failure");
    p[0].setting = "Operazione riuscita".into();
    f.audit_policy = Some(p);
    assert_eq!(audit_policy(&f).status, Status::Unknown);
}

#[test]
fn ntlm_auditing_wants_2_1_7() {
    let mut f = DcFacts::new("DC1");
    assert_eq!(ntlm_auditing(&f).status, Status::Unknown);
    f.ntlm_audit_incoming = Some(2);
    f.ntlm_restrict_outgoing = Some(2);
    f.ntlm_audit_domain = Some(7);
    assert_eq!(ntlm_auditing(&f).status, Status::Pass);
    f.ntlm_audit_domain = Some(0);
    let o = ntlm_auditing(&f);
    assert_eq!(o.status, Status::Fail);
    assert!(o.remediation.unwrap().contains(
        "reg add \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\Parameters\" /v AuditNTLMInDomain /t REG_DWORD /d 7 /f"
    ));
}

#[test]
fn object_auditing_entries_cover_their_classes() {
    let user =
        "(OU;CIIOSA;SDWDWOWPCCDCSWDTCR;;bf967aba-0de6-11d0-a285-00aa003049e2;WD)".to_string();
    let missing = missing_object_audit(std::slice::from_ref(&user), Some(88));
    assert_eq!(
        missing.iter().map(|m| m.0).collect::<Vec<_>>(),
        vec![
            "group",
            "computer",
            "msDS-ManagedServiceAccount",
            "msDS-GroupManagedServiceAccount"
        ]
    );
    // "All descendant objects" with Full Control covers every class, dMSA included.
    let all = "(AU;CIIOSA;GA;;;WD)".to_string();
    assert!(missing_object_audit(std::slice::from_ref(&all), Some(91)).is_empty());
    // Not for a property set, not for another trustee, not without inheritance.
    for bad in [
        "(OU;CIIOSA;SDWDWOWPCCDCSWDTCR;bf967950-0de6-11d0-a285-00aa003049e2;bf967aba-0de6-11d0-a285-00aa003049e2;WD)",
        "(OU;CIIOSA;SDWDWOWPCCDCSWDTCR;;bf967aba-0de6-11d0-a285-00aa003049e2;AU)",
        "(OU;SA;SDWDWOWPCCDCSWDTCR;;bf967aba-0de6-11d0-a285-00aa003049e2;WD)",
        "(OU;CIIOFA;SDWDWOWPCCDCSWDTCR;;bf967aba-0de6-11d0-a285-00aa003049e2;WD)",
        "(OU;CIIOSA;WP;;bf967aba-0de6-11d0-a285-00aa003049e2;WD)",
    ] {
        let m = missing_object_audit(&[bad.to_string()], Some(88));
        assert!(m.iter().any(|c| c.0 == "user"), "{bad}");
    }
}
