//! `--redact` on the demo: no identifier of the unredacted inventory is left in the
//! redacted HTML or Markdown report, wherever it stood (a check's evidence, a table, a
//! step's values, a note). The identifiers are harvested from the inventory's own fields
//! here, independently of what the redactor learns.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use support::report::*;

/// Fields whose values name a host, an account, a domain, a SID or an address.
const IDENTIFYING: &[&str] = &[
    "name",
    "sid",
    "dn",
    "dns_host_name",
    "dns_name",
    "netbios_name",
    "root_domain",
    "domain",
    "user",
    "members",
    "value",
    "entities",
    "recipients",
    "from",
    "auth_user",
    "server",
    "host",
    "collected_by",
    "domain_controllers",
    "console_urls",
    "listen_endpoint",
];

/// Subtrees that hold ATA's or Windows' own vocabulary, not the customer's.
const VOCABULARY: &[&str] = &[
    "detectors",
    "collections",
    "sensitive_groups",
    "os",
    "os_caption",
    // Windows' audit subcategory names (in the DC's language) and the objects audited.
    "audit_policy",
    "object_auditing",
];

/// Fields naming a service (`smtp.fabrikam.test`, `ata.fabrikam.test`): the name and its
/// domain are identifiers, its first label alone (`smtp`) is a word, as the redactor says.
const SERVICES: &[&str] = &[
    "server",
    "console_urls",
    "listen_endpoint",
    "recipients",
    "from",
    "auth_user",
];

/// Names every Active Directory has, kept by design (the redactor's list).
const WELL_KNOWN: &[&str] = &[
    "administrators",
    "domain admins",
    "enterprise admins",
    "schema admins",
    "account operators",
    "backup operators",
    "server operators",
    "print operators",
    "replicator",
    "domain controllers",
    "read-only domain controllers",
    "enterprise read-only domain controllers",
    "group policy creator owners",
    "remote desktop users",
    "dnsadmins",
    "cert publishers",
    "key admins",
    "enterprise key admins",
    "protected users",
    "domain users",
    "domain computers",
    "users",
    "microsoft advanced threat analytics administrators",
    "microsoft advanced threat analytics users",
    "microsoft advanced threat analytics viewers",
    // Built-in accounts every domain has.
    "administrator",
    "guest",
    "krbtgt",
];

/// An ATA object id or an AD objectGUID: unique, but it names nothing to a reader outside
/// the customer (the redactor does not promise to replace them).
fn is_guid(v: &str) -> bool {
    v.len() == 36
        && v.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        && v.matches('-').count() == 4
}

fn add(out: &mut BTreeSet<String>, value: &str) {
    add_as(out, value, true);
}

/// `short_too`: the first label of a DNS name is itself an identifier (a host's short
/// name), not a word like `smtp`.
fn add_as(out: &mut BTreeSet<String>, value: &str, short_too: bool) {
    let v = value.trim().trim_end_matches('$');
    if v.is_empty() || v.chars().all(|c| c.is_ascii_digit()) || v.len() < 3 || is_guid(v) {
        return;
    }
    if WELL_KNOWN.contains(&v.to_lowercase().as_str()) {
        return;
    }
    // URL: its host.
    if let Some((_, rest)) = v.split_once("://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        return add_as(out, host, false);
    }
    // A DN: the entry's own name and its domain.
    if v.contains('=') && v.contains(',') {
        let mut labels = Vec::new();
        for (i, rdn) in v.split(',').enumerate() {
            if let Some((k, val)) = rdn.split_once('=') {
                if i == 0 && k.trim().eq_ignore_ascii_case("CN") {
                    add(out, val);
                }
                if k.trim().eq_ignore_ascii_case("DC") {
                    labels.push(val.trim().to_string());
                }
            }
        }
        if labels.len() > 1 {
            out.insert(labels.join("."));
        }
        return;
    }
    if let Some((domain, user)) = v.split_once('\\') {
        add(out, domain);
        return add(out, user);
    }
    // host:port
    if let Some((host, port)) = v.rsplit_once(':')
        && port.chars().all(|c| c.is_ascii_digit())
        && !host.contains(':')
    {
        return add_as(out, host, short_too);
    }
    out.insert(v.to_string());
    if let Some((_, domain)) = v.split_once('@') {
        // An address: `soc@…` is an identifier, the word "soc" is not.
        add(out, domain);
    } else if let Some((short, domain)) = v.split_once('.')
        && domain.contains('.')
        && !v.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        // host.domain.tld: the short name (of a host) and the domain too.
        if short_too {
            add(out, short);
        }
        add(out, domain);
    }
}

fn harvest(value: &Value, key: Option<&str>, out: &mut BTreeSet<String>) {
    match value {
        Value::String(s) if key.is_some_and(|k| IDENTIFYING.contains(&k)) => {
            add_as(out, s, !key.is_some_and(|k| SERVICES.contains(&k)))
        }
        Value::Array(items) => items.iter().for_each(|v| harvest(v, key, out)),
        Value::Object(map) => {
            for (k, v) in map {
                if VOCABULARY.contains(&k.as_str()) {
                    continue;
                }
                if k == "console_resolution" {
                    // Each lookup's `name` is the console URL's host: a service name
                    // (its first label, `ata`, is a word), as in `console_urls`.
                    for item in v.as_array().into_iter().flatten() {
                        harvest(&item["name"], Some("console_urls"), out);
                    }
                    continue;
                }
                if k == "report_schedules" || k == "role_groups" {
                    // Their names are ATA's (report kinds, role groups); the people in
                    // them are identifiers.
                    for item in v.as_array().into_iter().flatten() {
                        for f in ["recipients", "members"] {
                            harvest(&item[f], Some(f), out);
                        }
                    }
                    continue;
                }
                harvest(v, Some(k), out);
            }
        }
        _ => {}
    }
}

/// The report's text as a reader sees it (entities and Markdown escapes undone).
fn text_of(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        // A place a long value may break, not text.
        .replace("<wbr>", "")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("\\_", "_")
        .replace("\\-", "-")
        .replace("\\.", ".")
        .replace("\\\\", "\\")
        .to_lowercase()
}

/// Whether `id` stands in `text` as a word of its own (not inside a longer name).
fn stands_in(text: &str, id: &str) -> bool {
    let id = id.to_lowercase();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
    text.match_indices(&id).any(|(i, _)| {
        !word(text[..i].chars().next_back()) && !word(text[i + id.len()..].chars().next())
    })
}

#[test]
fn the_redacted_demo_report_holds_no_identifier_of_its_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    let status = support::commands::ata2atp_std()
        .arg("demo")
        .arg(&root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(status.status.success());
    let inventory: Value = ata2atp::yaml::from_str(
        &std::fs::read_to_string(root.join("inventory.yaml")).unwrap(),
        "inventory.yaml",
    )
    .unwrap();
    let mut ids = BTreeSet::new();
    harvest(&inventory, None, &mut ids);
    let config: Value = ata2atp::yaml::from_str(
        &std::fs::read_to_string(root.join("ata2atp.yaml")).unwrap(),
        "ata2atp.yaml",
    )
    .unwrap();
    for key in ["customer", "consultant", "workspace"] {
        if let Some(v) = config[key].as_str() {
            ids.insert(v.to_string());
        }
    }
    // The six gateway hosts the issue found in the evidence of ata.gateways_registered.
    for gw in [
        "EMEA-DC01",
        "EMEA-RODC01",
        "FAB-ATAGW01",
        "FAB-DC01",
        "FAB-DC02",
        "FAB-DC03",
    ] {
        assert!(ids.contains(gw), "{gw} not harvested: {ids:?}");
    }
    assert!(ids.len() > 40, "{ids:?}");

    let mut leaks = Vec::new();
    for format in ["html", "md"] {
        let files = report(&root, &["--redact", "--format", format]);
        let text = text_of(&files[0]);
        assert!(text.contains("host-"), "{format}: no pseudonym at all");
        for id in &ids {
            if stands_in(&text, id) {
                let at = text.find(&id.to_lowercase()).unwrap();
                let around = &text[at.saturating_sub(60)..(at + id.len() + 40).min(text.len())];
                leaks.push(format!("{format}: {id} in …{around}…"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} identifiers left:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}
