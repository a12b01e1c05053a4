use std::str::FromStr;

use super::*;
use crate::directory::sid::Sid;

/// The SACL Samba 4.17 gives a new domain head, and an MDI entry, as bytes.
fn domain_sd_bytes() -> Vec<u8> {
    // Built by hand from MS-DTYP: revision 1, control SACL_PRESENT | SELF_RELATIVE,
    // no owner/group/DACL, SACL at 20.
    let everyone = Sid::from_str("S-1-1-0").unwrap().to_bytes();
    let user_class =
        crate::directory::sid::guid_from_string("bf967aba-0de6-11d0-a285-00aa003049e2").unwrap();
    let mut aces = Vec::new();
    // SYSTEM_AUDIT_ACE: Everyone, success, WP|WD|WO
    let mut a = vec![2u8, flags::SUCCESSFUL_ACCESS, 0, 0];
    a.extend_from_slice(&(0x20u32 | 0x40000 | 0x80000).to_le_bytes());
    a.extend_from_slice(&everyone);
    let len = a.len() as u16;
    a[2..4].copy_from_slice(&len.to_le_bytes());
    aces.push(a);
    // SYSTEM_AUDIT_OBJECT_ACE: Everyone, CI|IO|SA, inherited object type user
    let mut o = vec![
        7u8,
        flags::CONTAINER_INHERIT | flags::INHERIT_ONLY | flags::SUCCESSFUL_ACCESS,
        0,
        0,
    ];
    o.extend_from_slice(&852_331u32.to_le_bytes());
    o.extend_from_slice(&2u32.to_le_bytes());
    o.extend_from_slice(&user_class);
    o.extend_from_slice(&everyone);
    let len = o.len() as u16;
    o[2..4].copy_from_slice(&len.to_le_bytes());
    aces.push(o);
    let body: Vec<u8> = aces.concat();
    let mut acl = vec![4u8, 0];
    acl.extend_from_slice(&((8 + body.len()) as u16).to_le_bytes());
    acl.extend_from_slice(&2u16.to_le_bytes());
    acl.extend_from_slice(&[0, 0]);
    acl.extend_from_slice(&body);
    let mut sd = vec![1u8, 0];
    sd.extend_from_slice(&(SACL_PRESENT | 0x8000).to_le_bytes());
    sd.extend_from_slice(&0u32.to_le_bytes());
    sd.extend_from_slice(&0u32.to_le_bytes());
    sd.extend_from_slice(&20u32.to_le_bytes());
    sd.extend_from_slice(&0u32.to_le_bytes());
    sd.extend_from_slice(&acl);
    sd
}

#[test]
fn a_binary_sacl_decodes_to_its_entries() {
    let sd = SecurityDescriptor::from_bytes(&domain_sd_bytes()).unwrap();
    assert!(sd.dacl.is_none() && sd.owner.is_none());
    let sacl = sd.sacl.unwrap();
    assert_eq!(sacl.len(), 2);
    assert_eq!(sacl[0].to_sddl(), "(AU;SA;WDWOWP;;;WD)");
    assert_eq!(
        sacl[1].to_sddl(),
        "(OU;CIIOSA;SDWDWOWPCCDCSWDTCR;;bf967aba-0de6-11d0-a285-00aa003049e2;WD)"
    );
    assert_eq!(sacl[1].mask, 852_331);
}

/// What Samba 4.17 returned for a fresh domain head, asked with the SD flags control
/// (SACL only) as the administrator.
const SAMBA_DOMAIN_SACL: &str = "AQAQiAAAAAAAAAAAFAAAAAAAAAAEAMgABQAAAAdCOAAgAAAAAwAAAL47DvPwn9ERtgMAAPgDZ8Glepa/5g3QEaKFAKoAMEniAQEAAAAAAAEAAAAAB0I4ACAAAAADAAAAvzsO8/Cf0RG2AwAA+ANnwaV6lr/mDdARooUAqgAwSeIBAQAAAAAAAQAAAAACQCQAAAEAAAEFAAAAAAAFFQAAAOB2kxnfvvUi7EDjHQECAAACQBgAAAEAAAECAAAAAAAFIAAAACACAAACQBQAIAAMAAEBAAAAAAABAAAAAA==";

#[test]
fn samba_s_answer_decodes_to_what_ldbsearch_prints() {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(SAMBA_DOMAIN_SACL)
        .unwrap();
    let sd = SecurityDescriptor::from_bytes(&bytes).unwrap();
    assert!(sd.owner.is_none() && sd.dacl.is_none());
    let sacl: Vec<String> = sd.sacl.unwrap().iter().map(Ace::to_sddl).collect();
    assert_eq!(sacl.len(), 5);
    assert_eq!(
        sacl[0],
        "(OU;CISA;WP;f30e3bbe-9ff0-11d1-b603-0000f80367c1;bf967aa5-0de6-11d0-a285-00aa003049e2;WD)"
    );
    // ldbsearch prints DU (Domain Users of the lab domain) and BA.
    assert!(
        sacl[2].starts_with("(AU;SA;CR;;;S-1-5-21-") && sacl[2].ends_with("-513)"),
        "{}",
        sacl[2]
    );
    assert_eq!(sacl[3], "(AU;SA;CR;;;BA)");
    assert_eq!(sacl[4], "(AU;SA;WDWOWP;;;WD)");
}

#[test]
fn truncated_or_bogus_blobs_are_errors_not_panics() {
    let good = domain_sd_bytes();
    for n in 0..good.len() {
        let _ = SecurityDescriptor::from_bytes(&good[..n]);
    }
    let mut bad = good.clone();
    bad[20 + 2] = 0xFF; // ACL size past the end
    assert!(SecurityDescriptor::from_bytes(&bad).is_err());
    let mut bad = good;
    bad[0] = 2;
    assert!(
        SecurityDescriptor::from_bytes(&bad)
            .unwrap_err()
            .0
            .contains("revision")
    );
}

#[test]
fn sddl_round_trips_what_windows_and_samba_write() {
    let sd = SecurityDescriptor::from_sddl(
        "O:BAG:BAD:(A;;RC;;;BA)(A;;RC;;;S-1-5-21-1-2-3-1110)(D;;RC;;;DU)",
    )
    .unwrap();
    assert_eq!(sd.owner.as_deref(), Some("S-1-5-32-544"));
    let dacl = sd.dacl.unwrap();
    assert_eq!(dacl.len(), 3);
    assert!(dacl[0].kind.is_allow() && dacl[0].mask == rights::READ_CONTROL);
    assert_eq!(dacl[2].trustee, "DU");
    let domain = Sid::from_str("S-1-5-21-1-2-3").unwrap();
    assert_eq!(
        dacl[2].trustee_sid(Some(&domain)).unwrap().to_string(),
        "S-1-5-21-1-2-3-513"
    );
    // Samba's fresh domain head SACL.
    let samba = "S:AI(OU;CISA;WP;f30e3bbe-9ff0-11d1-b603-0000f80367c1;bf967aa5-0de6-11d0-a285-00aa003049e2;WD)\
                 (OU;CISA;WP;f30e3bbf-9ff0-11d1-b603-0000f80367c1;bf967aa5-0de6-11d0-a285-00aa003049e2;WD)\
                 (AU;SA;CR;;;DU)(AU;SA;CR;;;BA)(AU;SA;WPWOWD;;;WD)";
    let sd = SecurityDescriptor::from_sddl(samba).unwrap();
    let sacl = sd.sacl.unwrap();
    assert_eq!(sacl.len(), 5);
    for ace in &sacl {
        assert_eq!(parse_ace(&ace.to_sddl()).unwrap(), *ace);
    }
    assert_eq!(sacl[4].to_sddl(), "(AU;SA;WDWOWP;;;WD)");
    for bad in [
        "O:",
        "D:(A;;RC;;;BA",
        "D:(Q;;RC;;;BA)",
        "D:(A;;ZZ;;;BA)",
        "X:(A;;RC;;;BA)",
        "D:(A;;RC;;;nobody)",
    ] {
        assert!(SecurityDescriptor::from_sddl(bad).is_err(), "{bad}");
    }
    assert_eq!(rights_sddl(0x0100_0000), "0x1000000");
    // A multi-byte character where a SID would start is an error, not a panic.
    assert!(SecurityDescriptor::from_sddl("O:Sé-1G:BA").is_err());
}
