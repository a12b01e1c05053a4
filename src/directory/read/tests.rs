use super::*;

fn entry(dn: &str, attrs: &[(&str, &str)]) -> Entry {
    let mut e = Entry::new(dn);
    for (k, v) in attrs {
        e.push(k, v.as_bytes().to_vec());
    }
    e
}

fn sid(e: &mut Entry, s: &str) {
    e.push("objectSid", s.parse::<Sid>().unwrap().to_bytes());
}

/// A forest root read live, with a child domain known only from the configuration
/// partition (its DC, an RODC, has a server object but no computer object here).
fn snapshot() -> DirectorySnapshot {
    let mut s = DirectorySnapshot::default();
    s.insert(entry(
        "",
        &[
            ("defaultNamingContext", "DC=corp,DC=test"),
            (
                "configurationNamingContext",
                "CN=Configuration,DC=corp,DC=test",
            ),
            ("forestFunctionality", "6"),
        ],
    ));
    let c = "CN=Configuration,DC=corp,DC=test";
    s.insert(entry(
        &format!("CN=Partitions,{c}"),
        &[
            ("objectClass", "crossRefContainer"),
            ("msDS-Behavior-Version", "7"),
        ],
    ));
    for (cn, nc, dns, nb) in [
        ("CORP", "DC=corp,DC=test", "corp.test", "CORP"),
        ("KIDS", "DC=kids,DC=corp,DC=test", "kids.corp.test", "KIDS"),
    ] {
        s.insert(entry(
            &format!("CN={cn},CN=Partitions,{c}"),
            &[
                ("objectClass", "crossRef"),
                ("nCName", nc),
                ("dnsRoot", dns),
                ("nETBIOSName", nb),
                ("systemFlags", "3"),
            ],
        ));
    }
    let mut head = entry(
        "DC=corp,DC=test",
        &[("objectClass", "domainDNS"), ("msDS-Behavior-Version", "6")],
    );
    sid(&mut head, "S-1-5-21-9-9-9");
    s.insert(head);
    s.insert(entry(
        &format!("CN=HQ,CN=Sites,{c}"),
        &[("objectClass", "site"), ("cn", "HQ")],
    ));
    s.insert(entry(
        &format!("CN=DC1,CN=Servers,CN=HQ,CN=Sites,{c}"),
        &[
            ("objectClass", "server"),
            ("dNSHostName", "dc1.corp.test"),
            (
                "serverReference",
                "CN=DC1,OU=Domain Controllers,DC=corp,DC=test",
            ),
        ],
    ));
    s.insert(entry(
        &format!("CN=NTDS Settings,CN=DC1,CN=Servers,CN=HQ,CN=Sites,{c}"),
        &[
            ("objectClass", "nTDSDSA"),
            ("options", "1"),
            ("msDS-Behavior-Version", "7"),
        ],
    ));
    s.insert(entry(
        &format!("CN=KRODC,CN=Servers,CN=HQ,CN=Sites,{c}"),
        &[
            ("objectClass", "server"),
            ("dNSHostName", "krodc.kids.corp.test"),
        ],
    ));
    s.insert(entry(
        &format!("CN=NTDS Settings,CN=KRODC,CN=Servers,CN=HQ,CN=Sites,{c}"),
        &[
            ("objectClass", "nTDSDSA"),
            ("objectClass", "nTDSDSARO"),
            ("options", "0"),
            ("msDS-HasDomainNCs", "DC=kids,DC=corp,DC=test"),
        ],
    ));
    let mut dc1 = entry(
        "CN=DC1,OU=Domain Controllers,DC=corp,DC=test",
        &[
            ("objectClass", "computer"),
            ("cn", "DC1"),
            ("sAMAccountName", "DC1$"),
            ("userAccountControl", "532480"),
            ("primaryGroupID", "516"),
        ],
    );
    sid(&mut dc1, "S-1-5-21-9-9-9-1000");
    s.insert(dc1);
    let mut da = entry(
        "CN=Domain Admins,CN=Users,DC=corp,DC=test",
        &[
            ("objectClass", "group"),
            ("sAMAccountName", "Domain Admins"),
            ("member", "CN=ann,CN=Users,DC=corp,DC=test"),
        ],
    );
    sid(&mut da, "S-1-5-21-9-9-9-512");
    s.insert(da);
    let mut ann = entry(
        "CN=ann,CN=Users,DC=corp,DC=test",
        &[
            ("objectClass", "user"),
            ("sAMAccountName", "ann"),
            ("userAccountControl", "512"),
        ],
    );
    sid(&mut ann, "S-1-5-21-9-9-9-1101");
    s.insert(ann);
    s
}

#[test]
fn dcs_from_computers_and_from_the_configuration_partition() {
    let d = derive(&snapshot());
    assert_eq!(
        d.forest.functional_level,
        Some(7),
        "CN=Partitions wins over the rootDSE"
    );
    assert_eq!(
        d.domains
            .iter()
            .map(|x| x.dns_name.as_str())
            .collect::<Vec<_>>(),
        vec!["corp.test", "kids.corp.test"]
    );
    assert_eq!(d.domains[1].sid, None);
    assert!(
        d.notes
            .iter()
            .any(|n| n.contains("kids.corp.test") && n.contains("not read")),
        "{:?}",
        d.notes
    );
    let dc1 = d.domain_controller("dc1").unwrap();
    assert_eq!(
        (
            dc1.global_catalog,
            dc1.site.as_deref(),
            dc1.functional_level
        ),
        (Some(true), Some("HQ"), Some(7))
    );
    // Known only from its server object: domain from msDS-HasDomainNCs, read-only from
    // the nTDSDSARO class, no OS.
    let k = d.domain_controller("KRODC").unwrap();
    assert_eq!(
        (
            k.domain.as_str(),
            k.read_only,
            k.global_catalog,
            k.os.as_deref()
        ),
        ("kids.corp.test", true, Some(false), None)
    );
    assert_eq!(
        d.kds_root_key_present, None,
        "the KDS container was not read"
    );
    assert!(!d.partial);
}

#[test]
fn ntds_settings_say_rodc_and_application_partitions_are_not_domains() {
    let mut s = snapshot();
    let c = "CN=Configuration,DC=corp,DC=test";
    // DC1's NTDS Settings say it is an RODC (Samba's way: msDS-isRODC, no nTDSDSARO).
    let ntds = format!("CN=NTDS Settings,CN=DC1,CN=Servers,CN=HQ,CN=Sites,{c}");
    s.insert(entry(&ntds, &[("msDS-isRODC", "TRUE")]));
    // A server whose NTDS Settings were exported without their classes.
    s.insert(entry(
        &format!("CN=DC3,CN=Servers,CN=HQ,CN=Sites,{c}"),
        &[("objectClass", "server"), ("dNSHostName", "dc3.corp.test")],
    ));
    s.insert(entry(
        &format!("CN=NTDS Settings,CN=DC3,CN=Servers,CN=HQ,CN=Sites,{c}"),
        &[("cn", "NTDS Settings")],
    ));
    // DomainDnsZones: a crossRef with systemFlags 5 and a domainDNS head; a
    // ForestDnsZones head with neither crossRef nor SID.
    s.insert(entry(
        &format!("CN=guid1,CN=Partitions,{c}"),
        &[
            ("objectClass", "crossRef"),
            ("nCName", "DC=DomainDnsZones,DC=corp,DC=test"),
            ("systemFlags", "5"),
        ],
    ));
    for h in [
        "DC=DomainDnsZones,DC=corp,DC=test",
        "DC=ForestDnsZones,DC=corp,DC=test",
    ] {
        s.insert(entry(h, &[("objectClass", "domainDNS")]));
    }
    // A domain head known without crossRef, SID in text form.
    s.insert(entry(
        "DC=other,DC=test",
        &[
            ("objectClass", "domainDNS"),
            ("objectSid", "S-1-5-21-7-7-7"),
        ],
    ));
    let d = derive(&s);
    let names: Vec<&str> = d.domains.iter().map(|x| x.dns_name.as_str()).collect();
    assert_eq!(names, vec!["corp.test", "kids.corp.test", "other.test"]);
    assert_eq!(d.domains[2].sid.as_deref(), Some("S-1-5-21-7-7-7"));
    assert!(d.domain_controller("DC1").unwrap().read_only);
    let dc3 = d.domain_controller("DC3").unwrap();
    assert_eq!(
        (dc3.global_catalog, dc3.domain.as_str()),
        (None, "corp.test")
    );
}

#[test]
fn the_recycle_bin_from_its_feature_object_or_the_partitions_container() {
    let c = "CN=Configuration,DC=corp,DC=test";
    let features =
        format!("CN=Optional Features,CN=Directory Service,CN=Windows NT,CN=Services,{c}");
    let feature = format!("CN=Recycle Bin Feature,{features}");
    let with = |bl: Option<&str>, attr: Option<&str>, partitions: bool| {
        let mut s = snapshot();
        if !partitions {
            s = DirectorySnapshot::default();
            s.insert(entry(
                "",
                &[(
                    "configurationNamingContext",
                    "CN=Configuration,DC=corp,DC=test",
                )],
            ));
        }
        let mut f = entry(
            &feature,
            &[
                ("objectClass", "msDS-OptionalFeature"),
                // Text form, as ldbsearch writes it; over LDAP it is 16 bytes.
                (
                    "msDS-OptionalFeatureGUID",
                    "766ddcd8-acd0-445e-f3b9-a7f9b6744f2a",
                ),
            ],
        );
        if let Some(b) = bl {
            f.push("msDS-EnabledFeatureBL", b.as_bytes().to_vec());
        }
        s.insert(f);
        if let Some(a) = attr {
            s.insert(entry(
                &format!("CN=Partitions,{c}"),
                &[("msDS-EnabledFeature", a)],
            ));
        }
        derive(&s).recycle_bin.unwrap()
    };
    let partitions = format!("CN=Partitions,{c}");
    let rb = with(Some(&partitions), None, true);
    assert_eq!(rb.enabled, Some(true));
    assert!(
        rb.evidence.contains("msDS-EnabledFeatureBL"),
        "{}",
        rb.evidence
    );
    let rb = with(None, Some(&feature), true);
    assert_eq!(rb.enabled, Some(true));
    assert!(
        rb.evidence.starts_with("msDS-EnabledFeature of"),
        "{}",
        rb.evidence
    );
    // The NTDS Settings of a DC in the back link, not the Partitions container: the
    // feature is enabled for that DC only, not the forest.
    let rb = with(
        Some(&format!(
            "CN=NTDS Settings,CN=DC1,CN=Servers,CN=HQ,CN=Sites,{c}"
        )),
        None,
        true,
    );
    assert_eq!(rb.enabled, Some(false), "{}", rb.evidence);
    // The feature without its scope, and the Partitions container not read: unknown.
    assert_eq!(with(None, None, false).enabled, None);
    // No Optional Features container at all: not read, unknown; absent, no feature.
    let s = snapshot();
    let rb = derive(&s).recycle_bin.unwrap();
    assert_eq!(rb.enabled, None, "{}", rb.evidence);
    let mut s = snapshot();
    s.mark_absent(&features);
    let rb = derive(&s).recycle_bin.unwrap();
    assert_eq!(rb.enabled, Some(false));
    assert!(rb.evidence.contains("predates"), "{}", rb.evidence);
}

#[test]
fn members_from_in_chain_replace_the_expansion_and_primary_groups_are_added() {
    let mut s = snapshot();
    let da = "CN=Domain Admins,CN=Users,DC=corp,DC=test";
    let expanded = derive(&s);
    let g = expanded
        .privileged_groups
        .iter()
        .find(|g| g.name == "Domain Admins")
        .unwrap();
    assert_eq!(
        g.members
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        vec!["ann"]
    );
    let dcs = expanded
        .privileged_groups
        .iter()
        .find(|g| g.name == "Domain Controllers");
    assert!(dcs.is_none(), "the group object itself was not read");
    // The server's IN_CHAIN answer is what counts when present (here: a member whose
    // entry was not read is still listed, by its DN).
    s.set_transitive(
        da,
        [
            "CN=ann,CN=Users,DC=corp,DC=test".to_string(),
            "CN=bob,CN=Users,DC=corp,DC=test".to_string(),
        ],
    );
    let chained = derive(&s);
    let g = chained
        .privileged_groups
        .iter()
        .find(|g| g.name == "Domain Admins")
        .unwrap();
    let names: Vec<&str> = g.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, vec!["ann", "bob"]);
    assert_eq!(g.members[1].sid, None);
    assert_eq!(g.members[0].enabled, Some(true));
}
