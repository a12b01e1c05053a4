//! The LDIF reader against LDIF nobody on this team wrote, read in place from
//! `../shared/corpus/`: RFC 2849's own examples (taken from the RFC text, with its line
//! numbers), OpenLDAP's test data, Samba's test and provisioning LDIF, an `ldapsearch`
//! dump of a Windows Server 2008 R2 DC, and the configuration partition of a 10-DC
//! Windows forest (Samba's multi-site KCC test data). Every file is either read, with
//! what it holds, or refused with its line; none panics.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

use std::path::{Path, PathBuf};

use ata2atp::directory::ldif::{self, LdifError, LdifFile};
use ata2atp::directory::{DirectorySnapshot, read};
use ata2atp::model::DirectoryInventory;

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(rel)
}

fn snapshot(file: LdifFile) -> DirectorySnapshot {
    let mut snap = DirectorySnapshot::default();
    for e in file.entries {
        snap.insert(e);
    }
    snap
}

/// One example of RFC 2849: its LDIF lines, each with its line number in the RFC.
struct Example {
    number: u32,
    lines: Vec<(usize, String)>,
}

impl Example {
    fn text(&self) -> String {
        self.lines.iter().map(|(_, l)| format!("{l}\n")).collect()
    }

    /// The RFC line of line `n` of [`Example::text`].
    fn rfc_line(&self, n: usize) -> usize {
        self.lines[n - 1].0
    }

    fn rfc_line_of(&self, text: &str) -> usize {
        self.lines
            .iter()
            .find(|(_, l)| l == text)
            .unwrap_or_else(|| panic!("example {}: no line {text:?}", self.number))
            .0
    }
}

/// The seven examples, page breaks taken out (the footer, the form feed, the header and
/// the blank lines around them: they are the RFC's typesetting, not LDIF).
fn rfc2849_examples() -> Vec<Example> {
    let text = std::fs::read_to_string(corpus("openldap/doc/rfc/rfc2849.txt"))
        .expect("../shared/corpus/openldap/doc/rfc/rfc2849.txt (the public corpus) is missing");
    let raw: Vec<&str> = text.lines().collect();
    let is_break = |l: &str| {
        l.starts_with("Good ") && l.contains("Standards Track")
            || l.starts_with('\u{c}')
            || l.starts_with("RFC 2849 ")
    };
    let mut kept: Vec<(usize, &str)> = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        if is_break(raw[i]) {
            while kept.last().is_some_and(|(_, l)| l.trim().is_empty()) {
                kept.pop();
            }
            while i < raw.len() && (is_break(raw[i]) || raw[i].trim().is_empty()) {
                i += 1;
            }
            continue;
        }
        kept.push((i + 1, raw[i]));
        i += 1;
    }
    let mut examples: Vec<Example> = Vec::new();
    let mut k = 0;
    while k < kept.len() {
        let (_, l) = kept[k];
        let Some(rest) = l.strip_prefix("Example ") else {
            k += 1;
            continue;
        };
        let number: u32 = rest.split(':').next().unwrap().parse().unwrap();
        // The title runs to the first blank line, or straight into `version:`.
        k += 1;
        while k < kept.len() && !kept[k].1.trim().is_empty() && !kept[k].1.starts_with("version:") {
            k += 1;
        }
        while k < kept.len() && kept[k].1.trim().is_empty() {
            k += 1;
        }
        let mut lines = Vec::new();
        while k < kept.len()
            && !kept[k].1.starts_with("Example ")
            && !kept[k].1.starts_with("Security Considerations")
        {
            lines.push((kept[k].0, kept[k].1.to_string()));
            k += 1;
        }
        while lines
            .last()
            .is_some_and(|(_, l): &(usize, String)| l.trim().is_empty())
        {
            lines.pop();
        }
        examples.push(Example { number, lines });
    }
    examples
}

#[test]
fn rfc2849_examples_are_read_or_refused_at_their_typo() {
    let examples = rfc2849_examples();
    assert_eq!(
        examples.iter().map(|e| e.number).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6, 7]
    );
    let parse = |e: &Example| ldif::parse(e.text().as_bytes(), Path::new("rfc2849.txt"));

    let one = parse(&examples[0]).unwrap();
    assert_eq!(one.entries.len(), 2);
    assert_eq!(
        one.entries[0].texts("cn"),
        vec!["Barbara Jensen", "Barbara J Jensen", "Babs Jensen"]
    );
    assert_eq!(
        one.entries[1].dn,
        "cn=Bjorn Jensen, ou=Accounting, dc=airius, dc=com"
    );
    let two = parse(&examples[1]).unwrap();
    assert_eq!(two.entries.len(), 1);
    assert_eq!(
        two.entries[0].text("description").unwrap(),
        "Babs is a big sailing fan, and travels extensively in search of perfect sailing conditions."
    );
    assert_eq!(
        two.entries[0].text("title").unwrap(),
        "Product Manager, Rod and Reel Division"
    );

    // 3-5: the RFC text lost the leading space of continuation lines (3: the base64
    // value, 4: a comment), and 5 has a stray blank line inside its record.
    let typos = [
        (
            2,
            "IGlzIGJhc2UtNjQtZW5jb2RlZCBiZWNhdXNlIGl0IGhhcyBhIGNvbnRyb2wgY2hhcmFjdG",
        ),
        (3, "<JapaneseGivenname_in_phonetic_representation_kana>"),
        (4, "cn: Horatio N Jensen"),
    ];
    for (i, line) in typos {
        let e: LdifError = parse(&examples[i]).unwrap_err();
        assert_eq!(
            examples[i].rfc_line(e.line),
            examples[i].rfc_line_of(line),
            "example {}: {e}",
            examples[i].number
        );
    }
    // 6 and 7 are change records (and 6 names a file by URL): an export has neither.
    let e = parse(&examples[5]).unwrap_err();
    assert_eq!(
        examples[5].rfc_line(e.line),
        examples[5].rfc_line_of("jpegphoto:< file:///usr/local/directory/photos/fiona.jpg"),
        "{e}"
    );
    assert!(e.message.contains("URL"), "{e}");
    let e = parse(&examples[6]).unwrap_err();
    assert_eq!(
        examples[6].rfc_line(e.line),
        examples[6].rfc_line_of("control: 1.2.840.113556.1.4.805 true"),
        "{e}"
    );
    assert!(e.message.contains("change record"), "{e}");
}

/// Records in a file by a count independent of the reader: unfolded lines starting
/// with `dn:` (the rootDSE's `dn:` included).
fn records(path: &Path) -> usize {
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    text.lines()
        .filter(|l| l.len() >= 3 && l[..3].eq_ignore_ascii_case("dn:"))
        .count()
}

#[test]
fn openldap_and_samba_test_data_is_read_or_refused_with_its_line() {
    // (file, what it must give): `read` = every record an entry; otherwise refused at the
    // line given, with words of the message.
    let refused = [
        ("openldap/tests/data/test-modify.ldif", 7, "change record"),
        ("openldap/tests/data/otp/hotp.ldif", 2, "change record"),
        (
            "openldap/tests/data/regressions/its4184/mods.ldif",
            2,
            "change record",
        ),
        // Samba's provisioning templates (`${DOMAINSID}` where values go) and a test's
        // expected output with ndrdump text inside: not LDIF an export would write.
        ("samba/source4/setup/provision_basedn.ldif", 9, "base64"),
        ("samba/source4/setup/provision_self_join.ldif", 19, "base64"),
        (
            "samba/source4/selftest/provisions/release-4-1-0rc3/expected-replpropertymetadata-before-dbcheck.ldif",
            111,
            "must start with `dn:`",
        ),
    ];
    let read_whole = [
        "openldap/tests/data/certificate.out",
        "openldap/tests/data/dn.out",
        "openldap/tests/data/lang-out.ldif",
        "openldap/tests/data/memberof.out",
        "openldap/tests/data/nis_sample.ldif",
        "openldap/tests/data/passwd.ldif",
        "openldap/tests/data/ppolicy.ldif",
        "openldap/tests/data/referrals.ldif",
        "openldap/tests/data/rootdse.ldif",
        "openldap/tests/data/search.out.xsearch",
        "openldap/tests/data/test-compmatch.ldif",
        "openldap/tests/data/test-dn.ldif",
        "openldap/tests/data/test-emptydn1.ldif",
        "openldap/tests/data/test-lang.ldif",
        "openldap/tests/data/test-ordered.ldif",
        "openldap/tests/data/test-unordered.ldif",
        "openldap/tests/data/test-valsort.ldif",
        "openldap/tests/data/test.ldif",
        "samba/source4/selftest/provisions/release-4-1-0rc3/expected-userParameters-after-dbcheck.ldif",
        "samba/source4/selftest/provisions/release-4-5-0-pre1/expected-links-after-dbcheck.ldif",
        "samba/testdata/ldif-utils-test-multisite.ldif",
        "samba/testdata/samba3/samba3.ldif",
        "samba/testdata/unconnected-intrasite.ldif",
        "ad-ldif/active-htb-ldapsearch-excerpt.ldif",
    ];
    for rel in read_whole {
        let path = corpus(rel);
        let f = ldif::read_file(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.entries.len(), records(&path), "{rel}");
        assert!(f.incomplete.is_empty(), "{rel}: {:?}", f.incomplete);
        // The meaning layer takes whatever the file holds without a panic.
        let _ = read::derive(&snapshot(f));
    }
    for (rel, line, words) in refused {
        let e = ldif::read_file(&corpus(rel)).unwrap_err();
        assert_eq!(e.line, line, "{rel}: {e}");
        assert!(e.message.contains(words), "{rel}: {e}");
    }
    // Referrals from ldapsearch: skipped, and the export is incomplete (`result: 10`).
    let f = ldif::read_file(&corpus("openldap/tests/data/referrals.out")).unwrap();
    assert_eq!((f.entries.len(), f.references), (8, 4));
    assert_eq!(f.incomplete.len(), 7, "{:?}", f.incomplete);
    assert!(
        f.incomplete[0].contains("result: 10 Referral"),
        "{:?}",
        f.incomplete
    );
    // Every file of the corpus is in one list or the other.
    let listed: Vec<&str> = read_whole
        .iter()
        .copied()
        .chain(refused.iter().map(|(r, _, _)| *r))
        .chain(["openldap/tests/data/referrals.out"])
        .collect();
    for dir in ["openldap/tests", "samba", "ad-ldif"] {
        for path in walk(&corpus(dir)) {
            let rel = path
                .strip_prefix(corpus(""))
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel.ends_with(".json") {
                continue;
            }
            assert!(
                listed.contains(&rel.as_str()),
                "{rel} is not in the test's lists"
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn an_ldapsearch_dump_of_a_2008_r2_dc_gives_its_domain_and_dc() {
    // ad-ldif/active-htb.case.json: "ok:active-htb".
    let f = ldif::read_file(&corpus("ad-ldif/active-htb-ldapsearch-excerpt.ldif")).unwrap();
    let dir: DirectoryInventory = read::derive(&snapshot(f));
    let d: Vec<(&str, Option<&str>, Option<u32>)> = dir
        .domains
        .iter()
        .map(|d| (d.dns_name.as_str(), d.sid.as_deref(), d.functional_level))
        .collect();
    assert_eq!(
        d,
        vec![(
            "active.htb",
            Some("S-1-5-21-405608879-3187717380-1996298813"),
            Some(4)
        )]
    );
    assert_eq!(dir.domain_controllers.len(), 1);
    let dc = &dir.domain_controllers[0];
    assert_eq!(
        (
            dc.name.as_str(),
            dc.dns_host_name.as_deref(),
            dc.os.as_deref(),
            dc.read_only
        ),
        (
            "DC",
            Some("DC.active.htb"),
            Some("Windows Server 2008 R2 Standard"),
            false
        )
    );
    let group = |n: &str| {
        dir.privileged_groups
            .iter()
            .find(|g| g.name == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    assert_eq!(group("Domain Controllers").members[0].name, "DC$");
    assert_eq!(group("Domain Admins").members[0].name, "Administrator");
}

/// Issue 12.8: the configuration partition of a 10-DC forest.
#[test]
fn a_configuration_partition_gives_the_domain_its_dcs_and_rodcs() {
    let f = ldif::read_file(&corpus("samba/testdata/ldif-utils-test-multisite.ldif")).unwrap();
    let dir = read::derive(&snapshot(f));
    // DomainDnsZones and ForestDnsZones are application partitions (crossRef systemFlags
    // 5: no FLAG_CR_NTDS_DOMAIN), though their heads are domainDNS objects.
    let domains: Vec<(&str, Option<&str>)> = dir
        .domains
        .iter()
        .map(|d| (d.dns_name.as_str(), d.sid.as_deref()))
        .collect();
    // The head's objectSid is in text form (`objectSid: S-1-5-21-…`), as ldbsearch writes it.
    assert_eq!(
        domains,
        vec![(
            "ad.samba.example.com",
            Some("S-1-5-21-2151428016-2346574099-1441878984")
        )]
    );
    assert_eq!(dir.forest.root_domain, "ad.samba.example.com");
    assert_eq!(
        dir.root_dse
            .as_ref()
            .and_then(|r| r.default_naming_context.as_deref()),
        Some("DC=ad,DC=samba,DC=example,DC=com"),
        "Samba's @ROOTDSE is the rootDSE"
    );
    assert_eq!(
        dir.sites,
        vec![
            "Default-First-Site-Name",
            "Site-2",
            "Site-3",
            "Site-4",
            "Site-5"
        ]
    );
    let names: Vec<&str> = dir
        .domain_controllers
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(
        names,
        vec![
            "WIN01", "WIN02", "WIN03", "WIN04", "WIN05", "WIN06", "WIN07", "WIN08", "WIN09",
            "WIN10"
        ]
    );
    // RODCs: their NTDS Settings say `msDS-isRODC: TRUE` (no nTDSDSARO class here).
    let rodcs: Vec<&str> = dir
        .domain_controllers
        .iter()
        .filter(|d| d.read_only)
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(rodcs, vec!["WIN06", "WIN08"]);
    for dc in &dir.domain_controllers {
        assert_eq!(dc.domain, "ad.samba.example.com", "{}", dc.name);
    }
    let dc = |n: &str| dir.domain_controller(n).unwrap();
    assert_eq!(dc("WIN01").global_catalog, Some(true));
    assert_eq!(dc("WIN01").functional_level, Some(6));
    // Every NTDS Settings object has `options` bit 1 (GC); the RODCs' is 37.
    assert!(
        dir.domain_controllers
            .iter()
            .all(|d| d.global_catalog == Some(true))
    );
}
