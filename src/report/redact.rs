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
use std::path::Path;

use hmac::{Hmac, Mac};
use regex::Regex;
use sha2::{Digest, Sha256};

use super::Error;
use super::inputs::Inputs;
use crate::model::{Entity, EntityType};

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

/// The engagement's redaction key and the keyed hash it is used with.
#[derive(Clone)]
pub struct RedactionKey {
    bytes: Vec<u8>,
    scheme: KeyScheme,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyScheme {
    /// Key files written as `hmac-sha256:<hex>` (every key made now).
    HmacSha256,
    /// Key files of bare hex, made before HMAC: SHA-256 over key ‖ kind ‖ 0 ‖ value.
    /// Kept so an engagement's pseudonyms stay the same in all its redacted reports.
    LegacySha256,
}

/// How a key file marks the HMAC scheme.
const HMAC_PREFIX: &str = "hmac-sha256:";

impl RedactionKey {
    /// A key used with HMAC-SHA-256.
    pub fn hmac(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            scheme: KeyScheme::HmacSha256,
        }
    }

    /// The key file's text: `hmac-sha256:<hex>`, or bare hex for a key made before HMAC.
    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (scheme, hex_text) = match text.strip_prefix(HMAC_PREFIX) {
            Some(rest) => (KeyScheme::HmacSha256, rest),
            None => (KeyScheme::LegacySha256, text),
        };
        let bytes = hex::decode(hex_text).ok().filter(|b| !b.is_empty())?;
        Some(Self { bytes, scheme })
    }

    fn file_text(&self) -> String {
        match self.scheme {
            KeyScheme::HmacSha256 => format!("{HMAC_PREFIX}{}\n", hex::encode(&self.bytes)),
            KeyScheme::LegacySha256 => format!("{}\n", hex::encode(&self.bytes)),
        }
    }

    /// The keyed hash of `kind` and `value`, hex.
    fn digest(&self, kind: &str, value: &str) -> String {
        match self.scheme {
            KeyScheme::HmacSha256 => {
                // HMAC takes a key of any length.
                let mut mac = Hmac::<Sha256>::new_from_slice(&self.bytes)
                    .unwrap_or_else(|e| unreachable!("HMAC key: {e}"));
                mac.update(kind.as_bytes());
                mac.update(&[0]);
                mac.update(value.as_bytes());
                hex::encode(mac.finalize().into_bytes())
            }
            KeyScheme::LegacySha256 => {
                let mut hasher = Sha256::new();
                hasher.update(&self.bytes);
                hasher.update(kind.as_bytes());
                hasher.update([0]);
                hasher.update(value.as_bytes());
                hex::encode(hasher.finalize())
            }
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

    /// A DNS domain (`fabrikam.test`) or a NetBIOS one (`FABRIKAM`).
    pub fn learn_domain(&mut self, name: &str) -> Option<String> {
        let name = name.trim().trim_end_matches('.');
        if Self::is_kept(name) {
            return None;
        }
        let p = self.pseudonym(Kind::Domain, name);
        if name.contains('.') {
            let lower = name.to_lowercase();
            if !self.domains.contains(&lower) {
                self.domains.push(lower);
                // Longest first, so `child.fabrikam.test` wins over `fabrikam.test`.
                self.domains.sort_by_key(|d| std::cmp::Reverse(d.len()));
            }
        }
        Some(p)
    }

    /// A NetBIOS name that stands for a DNS domain: both get one pseudonym.
    pub fn alias_domain(&mut self, netbios: &str, dns: &str) {
        if let Some(p) = self.learn_domain(dns) {
            self.register(netbios, p);
        }
    }

    /// A machine: short name, DNS name (its domain and short name are learned too), or an
    /// IP address.
    pub fn learn_host(&mut self, name: &str) {
        self.learn_host_as(name, true);
    }

    /// A service's name (console URL, SMTP or syslog server, proxy): the DNS name is
    /// learned, its first label is not, since `ata`, `smtp` or `proxy` are also words.
    pub fn learn_service(&mut self, name: &str) {
        self.learn_host_as(name, false);
    }

    fn learn_host_as(&mut self, name: &str, short_too: bool) {
        let name = name.trim().trim_end_matches('$');
        if Self::is_kept(name) {
            return;
        }
        if self.ipv4.is_match(name) || name.contains(':') {
            self.learn_ip(name);
            return;
        }
        match name.split_once('.') {
            Some((short, domain)) if !short.is_empty() && domain.contains('.') => {
                let h = if short_too {
                    self.pseudonym(Kind::Host, short)
                } else {
                    self.make(Kind::Host, short)
                };
                let d = self
                    .learn_domain(domain)
                    .unwrap_or_else(|| domain.to_string());
                self.register(name, format!("{h}.{d}"));
            }
            _ => {
                self.pseudonym(Kind::Host, name);
            }
        }
    }

    /// An account: `user`, `DOMAIN\user`, `user@domain` (a UPN), `HOST$`.
    pub fn learn_account(&mut self, name: &str) {
        let name = name.trim();
        if Self::is_kept(name) {
            return;
        }
        if let Some((domain, user)) = name.split_once('\\') {
            self.learn_domain(domain);
            self.learn_account(user);
            return;
        }
        if let Some((user, domain)) = name.rsplit_once('@') {
            // `soc@fabrikam.test`: the address is an identifier, the word "soc" is not.
            let d = self
                .learn_domain(domain)
                .unwrap_or_else(|| domain.to_string());
            let u = self.make(Kind::Account, user);
            self.register(name, format!("{u}@{d}"));
            return;
        }
        if let Some(host) = name.strip_suffix('$') {
            self.learn_host(host);
            return;
        }
        self.pseudonym(Kind::Account, name);
    }

    pub fn learn_sid(&mut self, sid: &str) {
        if !Self::is_kept(sid) {
            self.pseudonym(Kind::Sid, sid);
        }
    }

    /// An address, with or without a port or prefix length.
    pub fn learn_ip(&mut self, value: &str) {
        let v = value.trim();
        let v = v.split('/').next().unwrap_or(v);
        // `10.0.0.1:443` loses its port; an IPv6 address keeps its colons.
        let v = match v.rsplit_once(':') {
            Some((addr, port))
                if addr.contains('.') && port.chars().all(|c| c.is_ascii_digit()) =>
            {
                addr
            }
            _ => v,
        };
        if !Self::is_kept(v) {
            self.pseudonym(Kind::Ip, v.trim_matches(['[', ']']));
        }
    }

    /// The host (and user) of a URL; a path is learned as nothing.
    pub fn learn_url(&mut self, url: &str) {
        let Some((_, rest)) = url.split_once("://") else {
            return;
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = match authority.rsplit_once('@') {
            Some((user, host)) => {
                self.learn_account(user.split(':').next().unwrap_or(user));
                host
            }
            None => authority,
        };
        let host = if host.starts_with('[') {
            host.split(']')
                .next()
                .unwrap_or(host)
                .trim_start_matches('[')
        } else {
            host.rsplit_once(':').map_or(host, |(h, _)| h)
        };
        self.learn_service(host);
    }

    /// A service's `host:port`, URL or bare name.
    pub fn learn_endpoint(&mut self, value: &str) {
        if value.contains("://") {
            self.learn_url(value);
        } else {
            let host = value.rsplit_once(':').map_or(value, |(h, p)| {
                if p.chars().all(|c| c.is_ascii_digit()) {
                    h
                } else {
                    value
                }
            });
            self.learn_service(host);
        }
    }

    pub fn learn(&mut self, kind: Kind, value: &str) {
        match kind {
            Kind::Host => self.learn_host(value),
            Kind::Account => self.learn_account(value),
            Kind::Domain => {
                self.learn_domain(value);
            }
            Kind::Sid => self.learn_sid(value),
            Kind::Ip => self.learn_ip(value),
            _ => {
                if !Self::is_kept(value) {
                    self.pseudonym(kind, value);
                }
            }
        }
    }

    /// An ATA entity: a computer is a host, a user or group an account.
    pub fn learn_entity(&mut self, e: &Entity) {
        let kind = match e.kind {
            Some(EntityType::Computer) => Kind::Host,
            Some(EntityType::Domain) => Kind::Domain,
            _ => Kind::Account,
        };
        for name in [
            e.name.as_deref(),
            e.ad.as_ref().and_then(|a| a.name.as_deref()),
        ]
        .into_iter()
        .flatten()
        {
            self.learn(kind, name);
        }
        for sid in [
            e.sid.as_deref(),
            e.ad.as_ref().and_then(|a| a.sid.as_deref()),
        ]
        .into_iter()
        .flatten()
        {
            self.learn_sid(sid);
        }
    }

    /// Every identifier of the engagement's data.
    pub fn learn_inputs(&mut self, inputs: &Inputs) {
        let c = &inputs.config;
        self.learn(Kind::Customer, &c.customer);
        self.learn(Kind::Person, &c.consultant);
        if let Some(w) = &c.workspace {
            self.learn(Kind::Workspace, w);
        }
        if let Some(p) = &c.proxy {
            self.learn_url(&p.url);
            if let Some(u) = &p.user {
                self.learn_account(u);
            }
        }
        if let Some(uri) = &c.sources.ata_mongo {
            self.learn_url(uri);
        }
        if let Some(l) = &c.sources.ldap {
            self.learn_url(&l.url);
            if let Some(u) = &l.bind_user {
                self.learn_account(u);
            }
        }
        if let Some(inv) = &inputs.inventory {
            // Domains first: host names under them are split against them.
            if let Some(dir) = &inv.directory {
                self.learn_domain(&dir.forest.root_domain);
                for d in &dir.domains {
                    match &d.netbios_name {
                        Some(nb) => self.alias_domain(nb, &d.dns_name),
                        None => {
                            self.learn_domain(&d.dns_name);
                        }
                    }
                    if let Some(sid) = &d.sid {
                        self.learn_sid(sid);
                    }
                }
                for dc in &dir.domain_controllers {
                    if let Some(dns) = &dc.dns_host_name {
                        self.learn_host(dns);
                    }
                    self.learn_host(&dc.name);
                    self.learn_domain(&dc.domain);
                }
                for g in &dir.privileged_groups {
                    self.learn_account(&g.name);
                    self.learn_sid(&g.sid);
                    for m in &g.members {
                        let kind = if m.kind.as_deref() == Some("computer") {
                            Kind::Host
                        } else {
                            Kind::Account
                        };
                        self.learn(kind, &m.name);
                        if let Some(sid) = &m.sid {
                            self.learn_sid(sid);
                        }
                    }
                }
                for dsa in dir.directory_services_accounts() {
                    if let Some(d) = &dsa.domain {
                        self.learn_domain(d);
                    }
                    self.learn_account(&dsa.name);
                    if let Some(sid) = &dsa.sid {
                        self.learn_sid(sid);
                    }
                }
            }
            let p = &inv.provenance;
            if let Some(by) = &p.collected_by {
                self.learn(Kind::Person, by);
            }
            if let Some(h) = &p.host {
                self.learn_host(h);
            }
            for s in &inv.sources {
                self.learn_url(&s.location);
            }
            let ata = &inv.ata;
            for url in &ata.center.console_urls {
                self.learn_url(url);
            }
            if let Some(e) = &ata.center.listen_endpoint {
                self.learn_endpoint(e);
            }
            for d in &ata.directory_services_accounts {
                if let Some(domain) = &d.domain {
                    self.learn_domain(domain);
                }
                self.learn_account(&d.user);
            }
            if let Some(s) = ata.syslog.as_ref().and_then(|s| s.server.as_deref()) {
                self.learn_endpoint(s);
            }
            if let Some(e) = &ata.email {
                if let Some(s) = &e.server {
                    self.learn_endpoint(s);
                }
                for a in e.from.iter().chain(&e.auth_user).chain(&e.recipients) {
                    self.learn_account(a);
                }
            }
            for x in &ata.exclusions {
                match &x.entity {
                    Some(e) => self.learn_entity(e),
                    None if x.kind == crate::model::ExclusionKind::Subnet => {
                        self.learn_ip(&x.value)
                    }
                    None => {}
                }
            }
            for e in ata.honeytokens.iter().chain(&ata.sensitive) {
                self.learn_entity(e);
            }
            for r in &ata.report_schedules {
                for a in &r.recipients {
                    self.learn_account(a);
                }
            }
            for g in &ata.gateways {
                self.learn_host(&g.name);
                for dc in &g.domain_controllers {
                    self.learn_host(dc);
                }
            }
            for g in &ata.role_groups {
                for m in &g.members {
                    self.learn_account(m);
                }
            }
            for h in &inv.hosts {
                self.learn_host(&h.name);
            }
            for srv in &inv.servers {
                self.learn_host(&srv.name);
            }
            // Alert entities last: most are known by now with their kind.
            for a in ata.alerts.open.iter().chain(&ata.alerts.suppressed) {
                for e in &a.entities {
                    if !self.known.contains_key(&e.trim().to_lowercase()) {
                        self.learn(Kind::Entity, e);
                    }
                }
            }
        }
        if let Some(checks) = &inputs.checks {
            for a in &checks.acceptances {
                self.learn(Kind::Person, &a.by);
            }
        }
        for s in inputs.state.steps.values() {
            if let Some(by) = &s.by {
                self.learn(Kind::Person, by);
            }
        }
        for ch in &inputs.changes {
            if let Some(by) = &ch.by {
                self.learn(Kind::Person, by);
            }
        }
        let so = &inputs.signoff;
        for p in [&so.approver, &so.consultant] {
            if let Some(n) = &p.name {
                self.learn(Kind::Person, n);
            }
            if let Some(o) = &p.organisation {
                self.learn(Kind::Customer, o);
            }
        }
        self.seal();
    }

    /// Builds the phrase pass from what was learned. Call after the last `learn`.
    pub fn seal(&mut self) {
        let mut phrases: Vec<&String> = self
            .known
            .keys()
            .filter(|k| !k.chars().all(is_word_char))
            .collect();
        phrases.sort_by_key(|k| std::cmp::Reverse(k.len()));
        self.phrases = if phrases.is_empty() {
            None
        } else {
            let alternation = phrases
                .iter()
                .map(|p| regex::escape(p))
                .collect::<Vec<_>>()
                .join("|");
            Regex::new(&format!("(?i)(?:{alternation})")).ok()
        };
    }

    /// `text` with every identifier replaced.
    pub fn scrub(&mut self, text: &str) -> String {
        if text.is_empty() {
            return String::new();
        }
        let text = self.scrub_phrases(text);
        let text = self.scrub_dn_domains(&text);
        self.scrub_words(&text)
    }

    fn scrub_phrases(&self, text: &str) -> String {
        let Some(re) = &self.phrases else {
            return text.to_string();
        };
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for m in re.find_iter(text) {
            // Only whole phrases: not inside a longer word.
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            let starts_word = m.as_str().chars().next().is_some_and(is_word_char);
            let ends_word = m.as_str().chars().next_back().is_some_and(is_word_char);
            if (starts_word && before.is_some_and(char::is_alphanumeric))
                || (ends_word && after.is_some_and(char::is_alphanumeric))
            {
                continue;
            }
            if let Some(p) = self.known.get(&m.as_str().to_lowercase()) {
                out.push_str(&text[last..m.start()]);
                out.push_str(p);
                last = m.end();
            }
        }
        out.push_str(&text[last..]);
        out
    }

    /// `DC=fabrikam,DC=test` → `DC=domain-81b0de`: a DN names its domain label by label.
    fn scrub_dn_domains(&mut self, text: &str) -> String {
        if !text.contains("DC=") && !text.contains("dc=") {
            return text.to_string();
        }
        let matches: Vec<(usize, usize, String)> = self
            .dn_domain
            .captures_iter(text)
            .filter_map(|c| {
                let whole = c.get(0)?;
                let mut labels = vec![c.get(1)?.as_str().trim().to_string()];
                for part in c
                    .get(2)?
                    .as_str()
                    .split(',')
                    .filter(|p| !p.trim().is_empty())
                {
                    labels.push(
                        part.split_once('=')
                            .map_or(part, |(_, l)| l)
                            .trim()
                            .to_string(),
                    );
                }
                Some((whole.start(), whole.end(), labels.join(".")))
            })
            .collect();
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (start, end, dns) in matches {
            out.push_str(&text[last..start]);
            let p = self.learn_domain(&dns).unwrap_or(dns);
            out.push_str(&format!("DC={p}"));
            last = end;
        }
        out.push_str(&text[last..]);
        out
    }

    fn scrub_words(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        for c in text.chars() {
            if is_word_char(c) {
                word.push(c);
            } else {
                if !word.is_empty() {
                    out.push_str(&self.scrub_word(&word));
                    word.clear();
                }
                out.push(c);
            }
        }
        if !word.is_empty() {
            out.push_str(&self.scrub_word(&word));
        }
        out
    }

    fn scrub_word(&mut self, word: &str) -> String {
        // Sentence punctuation and a computer account's `$` are not part of the name.
        let core = word.trim_end_matches(['.', '$']).trim_start_matches('.');
        if core.is_empty() {
            return word.to_string();
        }
        let start = word.find(core).unwrap_or(0);
        let (head, tail) = (&word[..start], &word[start + core.len()..]);
        format!("{head}{}{tail}", self.scrub_core(core))
    }

    fn scrub_core(&mut self, core: &str) -> String {
        let lower = core.to_lowercase();
        if let Some(p) = self.known.get(&lower) {
            return p.clone();
        }
        if self.sid.is_match(core) {
            return self.pseudonym(Kind::Sid, core);
        }
        if let Some(c) = self.ipv4.captures(core) {
            let octets_ok = (1..=4).all(|i| c[i].parse::<u16>().is_ok_and(|o| o <= 255));
            if octets_ok {
                return self.pseudonym(Kind::Ip, core);
            }
        }
        if let Some((user, domain)) = core.rsplit_once('@')
            && !user.is_empty()
            && domain.contains('.')
        {
            let u = match self.known.get(&user.to_lowercase()) {
                Some(p) => p.clone(),
                None => self.make(Kind::Account, user),
            };
            let d = match self.known.get(&domain.to_lowercase()) {
                Some(p) => p.clone(),
                None => self
                    .learn_domain(domain)
                    .unwrap_or_else(|| domain.to_string()),
            };
            return format!("{u}@{d}");
        }
        // A name under one of the customer's domains, learned or not.
        for (i, _) in core.match_indices('.') {
            let suffix = &lower[i + 1..];
            if self.domains.iter().any(|d| d == suffix) {
                let host = &core[..i];
                let h = match self.known.get(&host.to_lowercase()) {
                    Some(p) => p.clone(),
                    None => self.make(Kind::Host, host),
                };
                let d = self
                    .known
                    .get(suffix)
                    .cloned()
                    .unwrap_or_else(|| suffix.to_string());
                return format!("{h}.{d}");
            }
        }
        self.scrub_parts(core)
    }

    /// Learned identifiers inside a longer word: `FAB-DC01-syslog.png`.
    fn scrub_parts(&self, core: &str) -> String {
        // Segment boundaries: the start, each separator, the end.
        let mut cuts: Vec<usize> = vec![0];
        for (i, c) in core.char_indices() {
            if is_inner_separator(c) {
                cuts.push(i);
                cuts.push(i + c.len_utf8());
            }
        }
        cuts.push(core.len());
        let starts: Vec<usize> = cuts.iter().step_by(2).copied().collect();
        let ends: Vec<usize> = cuts.iter().skip(1).step_by(2).copied().collect();
        let mut out = String::with_capacity(core.len());
        let mut pos = 0;
        let mut si = 0;
        while si < starts.len() {
            let s = starts[si];
            if s < pos {
                si += 1;
                continue;
            }
            // The longest run of segments from here that is a learned identifier.
            let found = (si..ends.len()).rev().find_map(|ei| {
                let e = ends[ei];
                (e > s)
                    .then(|| self.known.get(&core[s..e].to_lowercase()))
                    .flatten()
                    .map(|p| (e, p))
            });
            if let Some((e, p)) = found {
                out.push_str(&core[pos..s]);
                out.push_str(p);
                pos = e;
            }
            si += 1;
        }
        out.push_str(&core[pos..]);
        out
    }

    /// Every string inside a JSON value scrubbed in place (object keys, which are field
    /// names, stay), except at the paths `keep` lists (text the tool or the guide wrote:
    /// titles, labels, links; see [`super::context::TOOL_TEXT`] for the path form). What
    /// is not listed is scrubbed, so new fields and data of any shape are covered.
    pub fn scrub_value(&mut self, value: &mut serde_json::Value, keep: &[&str]) {
        let mut path = Vec::new();
        self.scrub_at(value, keep, &mut path);
    }

    fn scrub_at<'a>(
        &mut self,
        value: &'a mut serde_json::Value,
        keep: &[&str],
        path: &mut Vec<&'a str>,
    ) {
        match value {
            serde_json::Value::String(s) if !keep.iter().any(|k| path_matches(k, path)) => {
                *s = self.scrub(s);
            }
            serde_json::Value::Array(items) => {
                for v in items {
                    self.scrub_at(v, keep, path);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    path.push(k.as_str());
                    self.scrub_at(v, keep, path);
                    path.pop();
                }
            }
            _ => {}
        }
    }
}

/// `meta.title` matches the path `[meta, title]`; `*` matches any one field.
fn path_matches(pattern: &str, path: &[&str]) -> bool {
    let mut parts = pattern.split('.');
    let mut at = path.iter();
    loop {
        match (parts.next(), at.next()) {
            (None, None) => return true,
            (Some(p), Some(f)) if p == "*" || p == *f => {}
            _ => return false,
        }
    }
}

/// The engagement's redaction key: read, or created (32 random bytes, hex) on first use.
/// Keeping it makes pseudonyms the same in every redacted report of the engagement.
pub fn load_or_create_key(
    lock: &crate::engagement::WriteLock,
    root: &Path,
) -> Result<RedactionKey, Error> {
    let path = root.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => RedactionKey::parse(&text).ok_or_else(|| {
            Error::Input(format!(
                "{} is not a redaction key (hex); delete it to make a new one (pseudonyms \
                 in new redacted reports will then differ from earlier ones)",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = vec![0u8; 32];
            getrandom::fill(&mut key).map_err(|e| {
                Error::Input(format!(
                    "could not make a redaction key: no random source ({e})"
                ))
            })?;
            lock.create_dir(crate::engagement::HISTORY_DIR)?;
            let key = RedactionKey::hmac(key);
            lock.write_atomic(KEY_FILE, key.file_text().as_bytes())?;
            Ok(key)
        }
        Err(source) => Err(Error::Io {
            action: "read",
            path,
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor() -> Redactor {
        let mut r = Redactor::new(RedactionKey::hmac(b"test key".to_vec()));
        r.alias_domain("FABRIKAM", "fabrikam.test");
        r.learn_host("FAB-DC01.fabrikam.test");
        r.learn_account("FABRIKAM\\svc-ata");
        r.learn_sid("S-1-5-21-1-2-3-1105");
        r.learn(Kind::Person, "Jo Consultant");
        r.learn_account("Domain Admins");
        r.seal();
        r
    }

    #[test]
    fn the_same_input_gets_the_same_pseudonym_in_every_form() {
        let mut r = redactor();
        let short = r.scrub("FAB-DC01");
        assert!(short.starts_with("host-") && short.len() == 11, "{short}");
        let domain = r.scrub("fabrikam.test");
        assert_eq!(
            r.scrub("fab-dc01.FABRIKAM.test"),
            format!("{short}.{domain}")
        );
        assert_eq!(r.scrub("FABRIKAM"), domain);
        let account = r.scrub("svc-ata");
        assert_eq!(r.scrub("FABRIKAM\\svc-ata"), format!("{domain}\\{account}"));
        assert_eq!(
            r.scrub("svc-ata@fabrikam.test"),
            format!("{account}@{domain}")
        );
        assert_eq!(r.scrub("FAB-DC01$"), format!("{short}$"));
    }

    #[test]
    fn free_text_is_scrubbed_by_word_phrase_and_pattern() {
        let mut r = redactor();
        let text = "Jo Consultant checked FAB-DC01-syslog.png on fab-dc09.fabrikam.test \
                    (10.20.0.15:443, 192.168.50.0/24) for S-1-5-21-9-9-9-500, mail \
                    bob@fabrikam.test; CN=x,DC=fabrikam,DC=test. Domain Admins stay. \
                    Version 1.9.7576.0 stays.";
        let out = r.scrub(text);
        for gone in [
            "Jo Consultant",
            "FAB-DC01",
            "fab-dc09",
            "fabrikam",
            "10.20.0.15",
            "192.168.50.0",
            "S-1-5-21",
            "bob",
        ] {
            assert!(
                !out.to_lowercase().contains(&gone.to_lowercase()),
                "{gone} left in {out}"
            );
        }
        for kept in [
            "Domain Admins",
            "1.9.7576.0",
            ":443",
            "/24",
            "-syslog.png",
            "checked",
        ] {
            assert!(out.contains(kept), "{kept} lost in {out}");
        }
    }

    #[test]
    fn a_word_merely_containing_a_name_is_left_alone() {
        let mut r = redactor();
        assert_eq!(r.scrub("FAB-DC010"), "FAB-DC010");
        assert_eq!(r.scrub("Jo Consultants"), "Jo Consultants");
    }

    #[test]
    fn only_the_listed_paths_are_kept() {
        let mut r = redactor();
        let mut v = serde_json::json!({
            "meta": { "title": "FAB-DC01 report", "customer": "FAB-DC01" },
            "prerequisites": { "results": [
                { "title": "FAB-DC01 check", "evidence": [{ "key": "gateway FAB-DC01", "value": "x" }] }
            ]},
            "inventory": { "gateways": { "title": "FAB-DC01 table", "rows": [["FAB-DC01"]] } },
        });
        r.scrub_value(
            &mut v,
            &[
                "meta.title",
                "prerequisites.results.title",
                "inventory.*.title",
            ],
        );
        let text = v.to_string();
        assert_eq!(text.matches("FAB-DC01").count(), 3, "{text}");
        assert!(
            !v["prerequisites"]["results"][0]["evidence"][0]["key"]
                .as_str()
                .unwrap()
                .contains("FAB-DC01")
        );
        assert!(path_matches(
            "inventory.*.title",
            &["inventory", "x", "title"]
        ));
        assert!(!path_matches("inventory.*.title", &["inventory", "title"]));
        assert!(!path_matches("meta.title", &["meta", "title", "x"]));
    }

    #[test]
    fn another_key_gives_other_pseudonyms() {
        let mut a = redactor();
        let mut b = Redactor::new(RedactionKey::hmac(b"other key".to_vec()));
        b.learn_host("FAB-DC01");
        b.seal();
        assert_ne!(a.scrub("FAB-DC01"), b.scrub("FAB-DC01"));
    }

    #[test]
    fn new_keys_are_hmac_and_keys_made_before_keep_their_pseudonyms() {
        let key = RedactionKey::parse(&RedactionKey::hmac(vec![7; 32]).file_text()).unwrap();
        assert_eq!(key.scheme, KeyScheme::HmacSha256);
        // HMAC-SHA-256 of "host" 0 "fab-dc01" under the key "Jefe" (Python's hmac).
        assert_eq!(
            RedactionKey::hmac(b"Jefe".to_vec()).digest("host", "fab-dc01"),
            "6a5e4dceadc0284634ee70488cc860ecd3a0760a0077a5c58694ec9edc7c071e"
        );
        // A bare-hex key file (written before HMAC): SHA-256 over key, kind, 0, value,
        // so the engagement's earlier redacted reports and the new ones agree.
        let legacy = RedactionKey::parse("74657374206b6579\n").unwrap();
        assert_eq!(legacy.scheme, KeyScheme::LegacySha256);
        assert_eq!(legacy.file_text(), "74657374206b6579\n");
        let mut old = Sha256::new();
        old.update(b"test key");
        old.update(b"host");
        old.update([0]);
        old.update(b"fab-dc01");
        assert_eq!(
            legacy.digest("host", "fab-dc01"),
            hex::encode(old.finalize())
        );
        assert_ne!(
            legacy.digest("host", "fab-dc01"),
            RedactionKey::hmac(b"test key".to_vec()).digest("host", "fab-dc01")
        );
        assert!(RedactionKey::parse("not hex").is_none());
        assert!(RedactionKey::parse("hmac-sha256:").is_none());
    }
}
