//! The scrubbing pass: every string of the report's data with each identifier replaced.

use super::{Kind, Redactor, is_inner_separator, is_word_char};

impl Redactor {
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
pub(super) fn path_matches(pattern: &str, path: &[&str]) -> bool {
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
