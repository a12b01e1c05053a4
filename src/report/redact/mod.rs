//! `--redact`: host names, account names, UPNs, SIDs, IP addresses, domain names, the
//! customer's name and people's names replaced by stable pseudonyms, for a report shared
//! outside the customer.
//!
//! Two passes, both before anything is rendered:
//!
//! 1. **Learn** every identifier the engagement's data holds, from the fields that hold
//!    them (a DC's name is a host, a DSA's `user` an account, `dns_name` a domain, …), so
//!    each gets the pseudonym of its kind.
//! 2. **Scrub** every string of the report's data model (values, notes, reasons, errors,
//!    free text of any kind): a learned identifier is replaced wherever it stands as a
//!    word or part of one (`FAB-DC01-syslog.png`); SIDs and IPv4 addresses are replaced
//!    by pattern; an e-mail address or UPN, and any name under one of the customer's
//!    domains (`x.fabrikam.test`), are replaced even when never learned.
//!
//! A pseudonym is the kind and the first hex digits of HMAC-SHA-256, keyed with a
//! per-engagement random key, over the lower-cased identifier (`host-3f2a9c`; keys made
//! before HMAC keep their plain keyed SHA-256, see [`RedactionKey`]): the same input always gets
//! the same pseudonym, in every report of the engagement, and nobody without the key can
//! confirm a guess by hashing it. A host's DNS name is its short name's pseudonym plus its
//! domain's (`host-3f2a9c.domain-81b0de`), and `DOMAIN\user` keeps its shape, so the
//! redacted report still reads. Well-known group names (Domain Admins, …) are kept: they
//! say nothing about the customer and the report needs them.
//!
//! What cannot be caught: a name that appears only in free text, under no known domain
//! and in no field. The report says so on its first page.

use std::collections::HashMap;

use regex::Regex;

mod key;
mod learn;
mod scrub;

#[cfg(test)]
mod tests;

pub use key::{RedactionKey, load_or_create_key};

/// Where the engagement's redaction key is kept (created by the first `--redact`).
pub const KEY_FILE: &str = "history/redaction.key";

/// Hex digits in a pseudonym; more when two identifiers of a kind would collide.
const DIGITS: usize = 6;

/// Group names every Active Directory has: kept as they are.
const WELL_KNOWN_GROUPS: &[&str] = &[
    "Administrators",
    "Domain Admins",
    "Enterprise Admins",
    "Schema Admins",
    "Account Operators",
    "Backup Operators",
    "Server Operators",
    "Print Operators",
    "Replicator",
    "Domain Controllers",
    "Read-only Domain Controllers",
    "Enterprise Read-only Domain Controllers",
    "Group Policy Creator Owners",
    "Remote Desktop Users",
    "DnsAdmins",
    "Cert Publishers",
    "Key Admins",
    "Enterprise Key Admins",
    "Protected Users",
    "Domain Users",
    "Domain Computers",
    "Users",
    "Microsoft Advanced Threat Analytics Administrators",
    "Microsoft Advanced Threat Analytics Users",
    "Microsoft Advanced Threat Analytics Viewers",
];

/// What an identifier is; decides the pseudonym's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Host,
    Account,
    Domain,
    Sid,
    Ip,
    Person,
    Customer,
    /// A name from an alert whose kind the inventory does not say.
    Entity,
    Workspace,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Host => "host",
            Kind::Account => "account",
            Kind::Domain => "domain",
            Kind::Sid => "sid",
            Kind::Ip => "ip",
            Kind::Person => "person",
            Kind::Customer => "customer",
            Kind::Entity => "entity",
            Kind::Workspace => "workspace",
        }
    }
}

/// Learns identifiers, then replaces them in text.
pub struct Redactor {
    key: RedactionKey,
    /// Lower-cased identifier → its pseudonym.
    known: HashMap<String, String>,
    /// Pseudonym → the identifier it stands for (to detect collisions).
    taken: HashMap<String, String>,
    /// Lower-cased DNS names of the customer's domains.
    domains: Vec<String>,
    /// Learned identifiers that contain spaces or punctuation (people, groups, the
    /// customer), replaced as phrases before the word pass; built by `seal`.
    phrases: Option<Regex>,
    sid: Regex,
    ipv4: Regex,
    dn_domain: Regex,
}

/// Characters that make up a word of an identifier: `FAB-DC01.fabrikam.test`,
/// `svc_ata$`, `jo@fabrikam.test`.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '$' | '@')
}

/// Separators inside a word, where a learned identifier may start or end.
fn is_inner_separator(c: char) -> bool {
    matches!(c, '-' | '_' | '.' | '$' | '@')
}

impl Redactor {
    /// A redactor with `key` (the engagement's key, see [`load_or_create_key`]).
    pub fn new(key: RedactionKey) -> Self {
        // The patterns are constants; they compile.
        let re = |p: &str| Regex::new(p).unwrap_or_else(|e| unreachable!("pattern {p}: {e}"));
        Self {
            key,
            known: HashMap::new(),
            taken: HashMap::new(),
            domains: Vec::new(),
            phrases: None,
            sid: re(r"(?i)^S-1-\d+(-\d+)+$"),
            ipv4: re(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$"),
            dn_domain: re(r"(?i)\bDC=([A-Za-z0-9-]+)((?:,\s*DC=[A-Za-z0-9-]+)+)"),
        }
    }

    /// The pseudonym of `value` as a `kind`, created on first use, and learned: `value`
    /// alone is replaced wherever it stands.
    fn pseudonym(&mut self, kind: Kind, value: &str) -> String {
        let canonical = value.trim().to_lowercase();
        if let Some(p) = self.known.get(&canonical) {
            return p.clone();
        }
        let p = self.make(kind, &canonical);
        self.known.insert(canonical, p.clone());
        p
    }

    /// The pseudonym `value` has or would have, without learning `value` alone: the
    /// first label of `ata.fabrikam.test` gets its pseudonym, but the word "ata" in a
    /// sentence is not a host name.
    fn make(&mut self, kind: Kind, value: &str) -> String {
        let canonical = value.trim().to_lowercase();
        if let Some(p) = self.known.get(&canonical) {
            return p.clone();
        }
        let digest = self.key.digest(kind.prefix(), &canonical);
        let mut digits = DIGITS;
        loop {
            let candidate = format!("{}-{}", kind.prefix(), &digest[..digits]);
            match self.taken.get(&candidate) {
                Some(owner) if owner != &canonical && digits < digest.len() => digits += 2,
                _ => {
                    self.taken.insert(candidate.clone(), canonical);
                    return candidate;
                }
            }
        }
    }

    fn register(&mut self, original: &str, pseudonym: String) {
        let canonical = original.trim().to_lowercase();
        if !canonical.is_empty() {
            self.known.entry(canonical).or_insert(pseudonym);
        }
    }

    fn is_kept(value: &str) -> bool {
        let v = value.trim();
        v.is_empty()
            || v == crate::checklist::bind::NO_VALUE
            || v.chars().all(|c| c.is_ascii_digit())
            || WELL_KNOWN_GROUPS.iter().any(|g| g.eq_ignore_ascii_case(v))
    }
}
