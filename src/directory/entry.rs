//! One directory entry as both readers deliver it: a DN and raw attribute values.
//!
//! Values stay bytes until a caller asks for text or a number. That sidesteps the trap
//! in ldap3's `SearchEntry`, which files a value under `attrs` (text) or `bin_attrs`
//! (bytes) depending on whether the bytes happen to be valid UTF-8 — a builtin SID such as
//! S-1-5-32-544 is, so it would vanish from `bin_attrs`. The LDAP reader builds entries
//! straight from the protocol message instead, and the LDIF reader from decoded values.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use chrono::{DateTime, TimeZone, Utc};

use super::sid::{Sid, guid_from_string, guid_to_string};

/// Attribute names, interned: a directory of 50,000 accounts repeats the same twenty
/// names a million times.
struct Names {
    ids: HashMap<String, u16>,
    names: Vec<String>,
}

fn names() -> &'static RwLock<Names> {
    static NAMES: OnceLock<RwLock<Names>> = OnceLock::new();
    NAMES.get_or_init(|| {
        RwLock::new(Names {
            ids: HashMap::new(),
            names: Vec::new(),
        })
    })
}

/// The id of a (lower-cased) attribute name, if it was ever seen.
fn name_id(lower: &str) -> Option<u16> {
    names().read().ok()?.ids.get(lower).copied()
}

fn intern(attr: &str) -> u16 {
    // Servers repeat the same spelling for every entry: a per-thread cache of exact
    // spellings spares the lower-casing and the lock on the hot path.
    thread_local! {
        static SEEN: std::cell::RefCell<HashMap<String, u16>> = std::cell::RefCell::new(HashMap::new());
    }
    if let Some(id) = SEEN.with(|m| m.borrow().get(attr).copied()) {
        return id;
    }
    let id = intern_slow(attr);
    SEEN.with(|m| {
        let mut m = m.borrow_mut();
        // Bounded: hostile input with endless spellings falls back to the slow path.
        if m.len() < 4096 {
            m.insert(attr.to_string(), id);
        }
    });
    id
}

fn intern_slow(attr: &str) -> u16 {
    let lower = attr.to_ascii_lowercase();
    if let Some(id) = name_id(&lower) {
        return id;
    }
    let Ok(mut n) = names().write() else {
        return u16::MAX;
    };
    if let Some(&id) = n.ids.get(&lower) {
        return id;
    }
    // More than 65,000 distinct attribute names would be a hostile input: they all share
    // the last id rather than growing without bound.
    let id = u16::try_from(n.names.len()).unwrap_or(u16::MAX);
    if id < u16::MAX {
        n.names.push(lower.clone());
        n.ids.insert(lower, id);
    }
    id
}

fn name_of(id: u16) -> String {
    names()
        .read()
        .ok()
        .and_then(|n| n.names.get(usize::from(id)).cloned())
        .unwrap_or_default()
}

/// One value: attribute id and its bytes' place in the entry's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    attr: u16,
    start: u32,
    len: u32,
}

/// A directory entry. Attribute names are matched case-insensitively, as LDAP does.
/// Values are kept in one buffer per entry (large directories are read whole from LDIF).
///
/// Every operation that adds values is linear in what it adds: a group with 200,000
/// `member` values is built in one pass (issue 13.8: a scan of every slot per value made
/// it quadratic).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    pub dn: String,
    data: Vec<u8>,
    slots: Vec<Slot>,
    /// Attributes present without values (sorted ids), so "present but empty" is
    /// visible. An id may stay here after values arrive: every reader looks at `slots`
    /// first.
    empty: Vec<u16>,
}

impl Entry {
    pub fn new(dn: impl Into<String>) -> Self {
        Self {
            dn: dn.into(),
            data: Vec::new(),
            slots: Vec::new(),
            empty: Vec::new(),
        }
    }

    /// Adds a value (attribute names keep their options, e.g. `member;range=0-1499`).
    pub fn push(&mut self, attr: &str, value: Vec<u8>) {
        self.push_bytes(intern(attr), &value);
    }

    fn push_bytes(&mut self, attr: u16, value: &[u8]) {
        // Entries beyond 4 GiB are not AD's; such a value is dropped rather than wrapped.
        let (Ok(start), Ok(len)) = (u32::try_from(self.data.len()), u32::try_from(value.len()))
        else {
            return;
        };
        self.data.extend_from_slice(value);
        self.slots.push(Slot { attr, start, len });
    }

    /// Adds a value of an attribute already interned with [`Entry::attr_id`].
    pub fn push_id(&mut self, attr: u16, value: &[u8]) {
        self.push_bytes(attr, value);
    }

    /// The interned id of an attribute name, for [`Entry::push_id`].
    pub fn attr_id(attr: &str) -> u16 {
        intern(attr)
    }

    /// Records an attribute with no values (kept so "present but empty" is visible).
    pub fn touch(&mut self, attr: &str) {
        self.touch_id(intern(attr));
    }

    fn touch_id(&mut self, id: u16) {
        if let Err(at) = self.empty.binary_search(&id) {
            self.empty.insert(at, id);
        }
    }

    /// Merges another view of the same entry: values not yet present are added, once.
    pub fn merge(&mut self, other: Entry) {
        // Which of `other`'s values are new, decided against a set of what is here (and
        // of what `other` already added), so the merge stays linear.
        let new: Vec<usize> = {
            let mut seen: std::collections::HashSet<(u16, &[u8])> = self
                .slots
                .iter()
                .map(|s| (s.attr, self.slot_bytes(s)))
                .collect();
            other
                .slots
                .iter()
                .enumerate()
                .filter(|(_, s)| seen.insert((s.attr, other.slot_bytes(s))))
                .map(|(i, _)| i)
                .collect()
        };
        for i in new {
            let s = other.slots[i];
            self.push_bytes(s.attr, other.slot_bytes(&s));
        }
        for id in other.empty {
            self.touch_id(id);
        }
    }

    fn slot_bytes(&self, s: &Slot) -> &[u8] {
        let (a, b) = (s.start as usize, s.start as usize + s.len as usize);
        self.data.get(a..b).unwrap_or(&[])
    }

    fn values_of(&self, attr: u16) -> impl Iterator<Item = &[u8]> {
        self.slots
            .iter()
            .filter(move |s| s.attr == attr)
            .map(|s| self.slot_bytes(s))
    }

    /// Removes an attribute and returns its values.
    pub fn remove(&mut self, attr: &str) -> Option<Vec<Vec<u8>>> {
        let id = name_id(&attr.to_ascii_lowercase())?;
        let was_empty = self
            .empty
            .binary_search(&id)
            .map(|at| self.empty.remove(at));
        if !self.slots.iter().any(|s| s.attr == id) {
            return was_empty.ok().map(|_| Vec::new());
        }
        let vals: Vec<Vec<u8>> = self.values_of(id).map(<[u8]>::to_vec).collect();
        // The bytes stay in the buffer; only their slots go (a rare operation).
        self.slots.retain(|s| s.attr != id);
        Some(vals)
    }

    /// Attribute names present (lower case).
    pub fn names(&self) -> Vec<String> {
        let mut ids: Vec<u16> = self.slots.iter().map(|s| s.attr).collect();
        ids.extend(&self.empty);
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter().map(name_of).collect()
    }

    pub fn has(&self, attr: &str) -> bool {
        name_id(&attr.to_ascii_lowercase()).is_some_and(|id| {
            self.empty.binary_search(&id).is_ok() || self.slots.iter().any(|s| s.attr == id)
        })
    }

    /// Every value of an attribute.
    pub fn values(&self, attr: &str) -> Vec<&[u8]> {
        match name_id(&attr.to_ascii_lowercase()) {
            Some(id) => self.values_of(id).collect(),
            None => Vec::new(),
        }
    }

    pub fn bytes(&self, attr: &str) -> Option<&[u8]> {
        let id = name_id(&attr.to_ascii_lowercase())?;
        self.values_of(id).next()
    }

    /// First value as text (lossy for invalid UTF-8: these are names, not secrets).
    pub fn text(&self, attr: &str) -> Option<String> {
        self.bytes(attr)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    /// Every value as text.
    pub fn texts(&self, attr: &str) -> Vec<String> {
        self.values(attr)
            .iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect()
    }

    /// First value as a signed integer (AD's INTEGER and LargeInteger syntaxes).
    pub fn int(&self, attr: &str) -> Option<i64> {
        self.text(attr).and_then(|t| t.trim().parse::<i64>().ok())
    }

    /// First value as a boolean (`TRUE`/`FALSE`).
    pub fn boolean(&self, attr: &str) -> Option<bool> {
        match self.text(attr)?.trim().to_ascii_uppercase().as_str() {
            "TRUE" => Some(true),
            "FALSE" => Some(false),
            _ => None,
        }
    }

    /// `objectSid`, when it is a valid SID: binary as AD sends it, or in text form
    /// (`S-1-5-21-…`) as Samba's ldbsearch writes it. A binary SID starts with its
    /// revision byte 1, never with `S`, so the two cannot be confused.
    pub fn sid(&self) -> Option<Sid> {
        let b = self.bytes("objectSid")?;
        if b.starts_with(b"S-") || b.starts_with(b"s-") {
            return std::str::from_utf8(b).ok()?.parse().ok();
        }
        Sid::from_bytes(b).ok()
    }

    /// `objectGUID` in string form: from its 16 bytes, or as written when a tool
    /// exported it as text (36 characters; 16 raw bytes can never be that long).
    pub fn guid(&self) -> Option<String> {
        self.guid_of("objectGUID")
    }

    /// A GUID-valued attribute in string form, read as [`Entry::guid`] reads objectGUID.
    pub fn guid_of(&self, attr: &str) -> Option<String> {
        let b = self.bytes(attr)?;
        if b.len() == 36 {
            let text = std::str::from_utf8(b).ok()?;
            return guid_from_string(text).and_then(|g| guid_to_string(&g));
        }
        guid_to_string(b)
    }

    /// True when `objectClass` holds `class` (case-insensitive).
    pub fn is_a(&self, class: &str) -> bool {
        // Called for every entry in every scan: the attribute id is looked up once.
        static OBJECT_CLASS: OnceLock<u16> = OnceLock::new();
        let id = *OBJECT_CLASS.get_or_init(|| intern("objectClass"));
        self.values_of(id)
            .any(|v| v.eq_ignore_ascii_case(class.as_bytes()))
    }

    /// The value of the first RDN (`CN=alice,…` → `alice`), unescaped.
    pub fn rdn_value(&self) -> String {
        rdn_value(&self.dn)
    }

    /// The name to show: `sAMAccountName`, else `name`/`cn`, else the RDN value.
    pub fn display_name(&self) -> String {
        self.text("sAMAccountName")
            .or_else(|| self.text("name"))
            .or_else(|| self.text("cn"))
            .unwrap_or_else(|| self.rdn_value())
    }

    /// `userAccountControl` as a number.
    pub fn uac(&self) -> Option<u32> {
        self.int("userAccountControl").map(|v| v as u32)
    }

    /// Whether the account is enabled (UAC bit ACCOUNTDISABLE 0x2 clear); `None` for
    /// objects without `userAccountControl` (groups).
    pub fn enabled(&self) -> Option<bool> {
        self.uac().map(|u| u & uac::ACCOUNTDISABLE == 0)
    }

    /// The kind of object, as the inventory names it.
    pub fn kind(&self) -> Option<&'static str> {
        // Most specific first: a gMSA is also a computer and a user.
        [
            ("msDS-GroupManagedServiceAccount", "gmsa"),
            ("msDS-ManagedServiceAccount", "msa"),
            ("computer", "computer"),
            ("group", "group"),
            ("foreignSecurityPrincipal", "foreign_security_principal"),
            ("user", "user"),
            ("inetOrgPerson", "user"),
        ]
        .iter()
        .find(|(class, _)| self.is_a(class))
        .map(|(_, kind)| *kind)
    }
}

/// Bits of `userAccountControl` the inventory reads (MS-ADTS 2.2.16).
pub mod uac {
    pub const ACCOUNTDISABLE: u32 = 0x2;
    pub const LOCKOUT: u32 = 0x10;
    pub const WORKSTATION_TRUST_ACCOUNT: u32 = 0x1000;
    pub const SERVER_TRUST_ACCOUNT: u32 = 0x2000;
    pub const DONT_EXPIRE_PASSWORD: u32 = 0x1_0000;
    pub const PASSWORD_EXPIRED: u32 = 0x80_0000;
    pub const PARTIAL_SECRETS_ACCOUNT: u32 = 0x400_0000;
}

/// A Windows FILETIME (100 ns since 1601-01-01) as AD stores `pwdLastSet`,
/// `accountExpires` and `lockoutTime`. 0 and `0x7FFFFFFFFFFFFFFF` mean "never"/"not set".
pub fn filetime(v: i64) -> Option<DateTime<Utc>> {
    if v <= 0 || v == i64::MAX {
        return None;
    }
    // Seconds between 1601-01-01 and 1970-01-01.
    const EPOCH_DIFF: i64 = 11_644_473_600;
    let secs = v / 10_000_000 - EPOCH_DIFF;
    let nanos = (v % 10_000_000) * 100;
    Utc.timestamp_opt(secs, nanos as u32).single()
}

/// Normalises a DN for comparison: lower case, no spaces around separators. Escaped
/// characters (`\,`, `\2C`) are kept as they are.
pub fn normalize_dn(dn: &str) -> String {
    let mut out = String::with_capacity(dn.len());
    let mut chars = dn.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push('\\');
                if let Some(n) = chars.next() {
                    out.extend(n.to_lowercase());
                }
            }
            ',' | '=' | '+' => {
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push(c);
                while chars.peek() == Some(&' ') {
                    chars.next();
                }
            }
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The RDNs of a DN, split at unescaped commas (each still escaped).
pub fn split_dn(dn: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut chars = dn.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ',' => parts.push(std::mem::take(&mut cur).trim().to_string()),
            c => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        parts.push(cur.trim().to_string());
    }
    parts
}

/// The DN without its first RDN.
pub fn parent_dn(dn: &str) -> String {
    split_dn(dn)
        .into_iter()
        .skip(1)
        .collect::<Vec<_>>()
        .join(",")
}

/// The unescaped value of the first RDN.
pub fn rdn_value(dn: &str) -> String {
    let first = split_dn(dn).into_iter().next().unwrap_or_default();
    let value = first.split_once('=').map_or(first.as_str(), |(_, v)| v);
    unescape_dn_value(value)
}

/// RFC 4514 unescaping: `\,` → `,`, `\2C` → `,`.
pub fn unescape_dn_value(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            if i + 2 < b.len()
                && let Ok(byte) =
                    u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
            {
                out.push(byte);
                i += 3;
                continue;
            }
            out.push(b[i + 1]);
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `DC=emea,DC=fabrikam,DC=test` → `emea.fabrikam.test` (only the DC= components).
pub fn dns_from_dn(dn: &str) -> String {
    split_dn(dn)
        .iter()
        .filter_map(|r| {
            let (k, v) = r.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("DC")
                .then(|| unescape_dn_value(v.trim()))
        })
        .collect::<Vec<_>>()
        .join(".")
        .to_ascii_lowercase()
}

/// The naming context among `ncs` that holds `dn`: the longest one it lies under (a
/// child domain's NC lies under its parent's as text).
pub fn nc_of<'a>(dn: &str, ncs: &[&'a str]) -> Option<&'a str> {
    ncs.iter()
        .copied()
        .filter(|nc| is_under(dn, nc))
        .max_by_key(|nc| nc.len())
}

/// True when `dn` is `base` or lies under it.
pub fn is_under(dn: &str, base: &str) -> bool {
    let (d, b) = (normalize_dn(dn), normalize_dn(base));
    if b.is_empty() {
        return true;
    }
    d == b || d.ends_with(&format!(",{b}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_are_compared_and_split_like_ldap_does() {
        assert_eq!(
            normalize_dn("CN=Alice , OU=X,DC=Fabrikam, DC=test"),
            "cn=alice,ou=x,dc=fabrikam,dc=test"
        );
        assert_eq!(
            split_dn("CN=Smith\\, John,OU=Users,DC=x"),
            vec!["CN=Smith\\, John", "OU=Users", "DC=x"]
        );
        assert_eq!(rdn_value("CN=Smith\\, John,OU=Users,DC=x"), "Smith, John");
        assert_eq!(rdn_value("CN=a\\2Cb,DC=x"), "a,b");
        assert_eq!(parent_dn("CN=Smith\\, John,OU=Users,DC=x"), "OU=Users,DC=x");
        assert_eq!(
            dns_from_dn("DC=emea,DC=Fabrikam,DC=test"),
            "emea.fabrikam.test"
        );
        assert_eq!(
            dns_from_dn("CN=Configuration,DC=fabrikam,DC=test"),
            "fabrikam.test"
        );
        assert!(is_under(
            "CN=a,DC=emea,DC=fabrikam,DC=test",
            "dc=EMEA,dc=fabrikam,dc=test"
        ));
        assert!(!is_under(
            "CN=a,DC=emea,DC=fabrikam,DC=test",
            "DC=abrikam,DC=test"
        ));
        assert!(!is_under(
            "CN=a,DC=xfabrikam,DC=test",
            "DC=fabrikam,DC=test"
        ));
    }

    #[test]
    fn attribute_names_are_case_insensitive_and_values_stay_bytes() {
        let mut e = Entry::new("CN=x,DC=test");
        e.push(
            "objectSid",
            vec![1, 2, 0, 0, 0, 0, 0, 5, 0x20, 0, 0, 0, 0x20, 2, 0, 0],
        );
        e.push("objectClass", b"top".to_vec());
        e.push("OBJECTCLASS", b"Group".to_vec());
        e.push("userAccountControl", b"514".to_vec());
        assert_eq!(e.sid().unwrap().to_string(), "S-1-5-32-544");
        assert!(e.is_a("group"));
        assert_eq!(e.kind(), Some("group"));
        assert_eq!(e.enabled(), Some(false));
        assert_eq!(e.display_name(), "x");
    }

    #[test]
    fn present_without_values_merges_and_removes() {
        let mut e = Entry::new("CN=g,DC=test");
        e.touch("member");
        assert!(e.has("member") && e.values("member").is_empty());
        e.push("member", b"CN=a".to_vec());
        e.touch("member");
        assert_eq!(e.texts("member"), vec!["CN=a"]);
        assert_eq!(e.names(), vec!["member"]);
        let mut other = Entry::new("CN=g,DC=test");
        other.push("member", b"CN=a".to_vec());
        other.push("member", b"CN=b".to_vec());
        other.push("member", b"CN=b".to_vec());
        other.touch("description");
        e.merge(other);
        assert_eq!(e.texts("member"), vec!["CN=a", "CN=b"]);
        assert!(e.has("description"));
        assert_eq!(e.remove("description"), Some(Vec::new()));
        assert!(!e.has("description"));
        assert_eq!(e.remove("member").unwrap().len(), 2);
        assert_eq!(e.remove("member"), None);
    }

    #[test]
    fn filetimes_convert_and_never_means_none() {
        assert_eq!(filetime(0), None);
        assert_eq!(filetime(i64::MAX), None);
        // 2021-01-01T00:00:00Z
        assert_eq!(
            filetime(132_539_328_000_000_000).unwrap().to_rfc3339(),
            "2021-01-01T00:00:00+00:00"
        );
    }
}
