//! The learning pass: every identifier the engagement's data holds, by the field that
//! holds it, so each gets the pseudonym of its kind.

use regex::Regex;

use super::{Kind, Redactor, is_word_char};
use crate::model::{Entity, EntityType};
use crate::report::inputs::Inputs;

impl Redactor {
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
}
