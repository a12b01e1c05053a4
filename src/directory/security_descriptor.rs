//! Windows security descriptors: the self-relative binary form AD returns in
//! `nTSecurityDescriptor` (MS-DTYP 2.4.6), and the SDDL text form (MS-DTYP 2.5.1) that
//! registry policies such as `RestrictRemoteSAM` hold and that the inventory uses to show
//! an entry.
//!
//! Written here rather than taken from a crate: `windows-sddl` decodes owner, group and
//! DACL only (audit entries are kept undecoded) and has no SDDL text parser; `sddl` parses
//! both but is GPL-3.0 (this crate is MIT/Apache-2.0), pulls in a parser generator and
//! `derivative` (unmaintained, RUSTSEC-2024-0388) and panics (`unimplemented!`) on some
//! entry types a hostile blob can carry. What the checks need is small: the entries of a
//! DACL or SACL with their trustee, rights, flags and object types.
//!
//! Both readers are total: a malformed descriptor is an error naming the offset or the
//! token, never a panic; an entry of a type the checks have no use for (callback,
//! mandatory label, resource attribute…) is kept with its type number and not decoded.

use std::fmt;
use std::str::FromStr;

use super::sid::{Sid, guid_to_string};

/// What kind of entry an [`Ace`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AceKind {
    Allow,
    Deny,
    Audit,
    Alarm,
    AllowObject,
    DenyObject,
    AuditObject,
    AlarmObject,
    /// Any other ACE type (MS-DTYP 2.4.4.1), by number; not decoded.
    Other(u8),
}

impl AceKind {
    fn from_type(t: u8) -> AceKind {
        match t {
            0 => AceKind::Allow,
            1 => AceKind::Deny,
            2 => AceKind::Audit,
            3 => AceKind::Alarm,
            5 => AceKind::AllowObject,
            6 => AceKind::DenyObject,
            7 => AceKind::AuditObject,
            8 => AceKind::AlarmObject,
            other => AceKind::Other(other),
        }
    }

    fn is_object(self) -> bool {
        matches!(
            self,
            AceKind::AllowObject
                | AceKind::DenyObject
                | AceKind::AuditObject
                | AceKind::AlarmObject
        )
    }

    pub fn is_allow(self) -> bool {
        matches!(self, AceKind::Allow | AceKind::AllowObject)
    }

    pub fn is_deny(self) -> bool {
        matches!(self, AceKind::Deny | AceKind::DenyObject)
    }

    pub fn is_audit(self) -> bool {
        matches!(self, AceKind::Audit | AceKind::AuditObject)
    }

    fn sddl(self) -> Option<&'static str> {
        Some(match self {
            AceKind::Allow => "A",
            AceKind::Deny => "D",
            AceKind::Audit => "AU",
            AceKind::Alarm => "AL",
            AceKind::AllowObject => "OA",
            AceKind::DenyObject => "OD",
            AceKind::AuditObject => "OU",
            AceKind::AlarmObject => "OL",
            AceKind::Other(_) => return None,
        })
    }
}

/// ACE flags (MS-DTYP 2.4.4.1).
pub mod flags {
    pub const OBJECT_INHERIT: u8 = 0x01;
    pub const CONTAINER_INHERIT: u8 = 0x02;
    pub const NO_PROPAGATE_INHERIT: u8 = 0x04;
    pub const INHERIT_ONLY: u8 = 0x08;
    pub const INHERITED: u8 = 0x10;
    pub const CRITICAL: u8 = 0x20;
    pub const SUCCESSFUL_ACCESS: u8 = 0x40;
    pub const FAILED_ACCESS: u8 = 0x80;
}

/// Access rights of directory objects and the generic ones (MS-ADTS 5.1.3.2, MS-DTYP 2.4.3).
pub mod rights {
    pub const CREATE_CHILD: u32 = 0x1;
    pub const DELETE_CHILD: u32 = 0x2;
    pub const LIST_CHILDREN: u32 = 0x4;
    pub const SELF_WRITE: u32 = 0x8;
    pub const READ_PROPERTY: u32 = 0x10;
    pub const WRITE_PROPERTY: u32 = 0x20;
    pub const DELETE_TREE: u32 = 0x40;
    pub const LIST_OBJECT: u32 = 0x80;
    pub const CONTROL_ACCESS: u32 = 0x100;
    pub const DELETE: u32 = 0x1_0000;
    pub const READ_CONTROL: u32 = 0x2_0000;
    pub const WRITE_DAC: u32 = 0x4_0000;
    pub const WRITE_OWNER: u32 = 0x8_0000;
    pub const GENERIC_ALL: u32 = 0x1000_0000;
    pub const GENERIC_EXECUTE: u32 = 0x2000_0000;
    pub const GENERIC_WRITE: u32 = 0x4000_0000;
    pub const GENERIC_READ: u32 = 0x8000_0000;
}

/// SDDL right tokens, in the order Windows writes them.
const RIGHT_TOKENS: &[(&str, u32)] = &[
    ("GA", rights::GENERIC_ALL),
    ("GR", rights::GENERIC_READ),
    ("GW", rights::GENERIC_WRITE),
    ("GX", rights::GENERIC_EXECUTE),
    ("RC", rights::READ_CONTROL),
    ("SD", rights::DELETE),
    ("WD", rights::WRITE_DAC),
    ("WO", rights::WRITE_OWNER),
    ("RP", rights::READ_PROPERTY),
    ("WP", rights::WRITE_PROPERTY),
    ("CC", rights::CREATE_CHILD),
    ("DC", rights::DELETE_CHILD),
    ("LC", rights::LIST_CHILDREN),
    ("SW", rights::SELF_WRITE),
    ("LO", rights::LIST_OBJECT),
    ("DT", rights::DELETE_TREE),
    ("CR", rights::CONTROL_ACCESS),
    // File and registry rights: parsed (a policy SDDL may use them), never written.
    ("FA", 0x1F_01FF),
    ("FR", 0x12_0089),
    ("FW", 0x12_0116),
    ("FX", 0x12_00A0),
    ("KA", 0xF_003F),
    ("KR", 0x2_0019),
    ("KW", 0x2_0006),
    ("KX", 0x2_0019),
];

/// The written tokens: the directory-object ones (the first 17).
const WRITTEN_RIGHTS: usize = 17;

const FLAG_TOKENS: &[(&str, u8)] = &[
    ("OI", flags::OBJECT_INHERIT),
    ("CI", flags::CONTAINER_INHERIT),
    ("NP", flags::NO_PROPAGATE_INHERIT),
    ("IO", flags::INHERIT_ONLY),
    ("ID", flags::INHERITED),
    ("CR", flags::CRITICAL),
    ("SA", flags::SUCCESSFUL_ACCESS),
    ("FA", flags::FAILED_ACCESS),
];

/// SDDL SID aliases with a fixed SID (MS-DTYP 2.5.1.1).
const FIXED_ALIASES: &[(&str, &str)] = &[
    ("WD", "S-1-1-0"),
    ("CO", "S-1-3-0"),
    ("CG", "S-1-3-1"),
    ("OW", "S-1-3-4"),
    ("NU", "S-1-5-2"),
    ("IU", "S-1-5-4"),
    ("SU", "S-1-5-6"),
    ("AN", "S-1-5-7"),
    ("ED", "S-1-5-9"),
    ("PS", "S-1-5-10"),
    ("AU", "S-1-5-11"),
    ("RC", "S-1-5-12"),
    ("SY", "S-1-5-18"),
    ("LS", "S-1-5-19"),
    ("NS", "S-1-5-20"),
    ("WR", "S-1-5-33"),
    ("BA", "S-1-5-32-544"),
    ("BU", "S-1-5-32-545"),
    ("BG", "S-1-5-32-546"),
    ("PU", "S-1-5-32-547"),
    ("AO", "S-1-5-32-548"),
    ("SO", "S-1-5-32-549"),
    ("PO", "S-1-5-32-550"),
    ("BO", "S-1-5-32-551"),
    ("RE", "S-1-5-32-552"),
    ("RU", "S-1-5-32-554"),
    ("RD", "S-1-5-32-555"),
    ("NO", "S-1-5-32-556"),
    ("MU", "S-1-5-32-558"),
    ("LU", "S-1-5-32-559"),
    ("IS", "S-1-5-32-568"),
    ("CY", "S-1-5-32-569"),
    ("ER", "S-1-5-32-573"),
    ("HA", "S-1-5-32-578"),
    ("AA", "S-1-5-32-579"),
    ("RM", "S-1-5-32-580"),
    ("AC", "S-1-15-2-1"),
    ("LW", "S-1-16-4096"),
    ("ME", "S-1-16-8192"),
    ("HI", "S-1-16-12288"),
    ("SI", "S-1-16-16384"),
];

/// SDDL aliases relative to a domain SID: alias → RID.
const DOMAIN_ALIASES: &[(&str, u32)] = &[
    ("RO", 498),
    ("LA", 500),
    ("LG", 501),
    ("DA", 512),
    ("DU", 513),
    ("DG", 514),
    ("DC", 515),
    ("DD", 516),
    ("CA", 517),
    ("SA", 518),
    ("EA", 519),
    ("PA", 520),
    ("CN", 522),
    ("AP", 525),
    ("KA", 526),
    ("EK", 527),
    ("RS", 553),
];

/// One access control entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ace {
    pub kind: AceKind,
    pub flags: u8,
    pub mask: u32,
    /// Lower-case GUID without braces.
    pub object_type: Option<String>,
    pub inherited_object_type: Option<String>,
    /// `S-1-…`, or an SDDL alias relative to a domain (`DU`) that was not resolved.
    pub trustee: String,
}

impl Ace {
    pub fn has_flag(&self, flag: u8) -> bool {
        self.flags & flag == flag
    }

    /// The trustee as a SID, resolving domain-relative aliases with `domain` when given.
    pub fn trustee_sid(&self, domain: Option<&Sid>) -> Option<Sid> {
        if let Ok(sid) = Sid::from_str(&self.trustee) {
            return Some(sid);
        }
        let rid = DOMAIN_ALIASES
            .iter()
            .find(|(a, _)| *a == self.trustee)
            .map(|(_, r)| *r)?;
        domain.map(|d| d.with_rid(rid))
    }

    /// The entry in SDDL: `(OU;CISA;WP;;bf967aba-…;WD)`. Rights with no token are written
    /// in hex, as Windows does. An entry of an undecoded type is `(?type)`.
    pub fn to_sddl(&self) -> String {
        let Some(kind) = self.kind.sddl() else {
            let n = match self.kind {
                AceKind::Other(n) => n,
                _ => 0,
            };
            return format!(
                "(0x{n:02X};{};0x{:X};;;{})",
                self.flags_sddl(),
                self.mask,
                self.trustee
            );
        };
        format!(
            "({kind};{};{};{};{};{})",
            self.flags_sddl(),
            rights_sddl(self.mask),
            self.object_type.as_deref().unwrap_or(""),
            self.inherited_object_type.as_deref().unwrap_or(""),
            sid_sddl(&self.trustee)
        )
    }

    fn flags_sddl(&self) -> String {
        FLAG_TOKENS
            .iter()
            .filter(|(_, f)| self.flags & f != 0)
            .map(|(t, _)| *t)
            .collect()
    }
}

impl fmt::Display for Ace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_sddl())
    }
}

/// A mask in SDDL tokens when every bit has one, else `0x…`.
pub fn rights_sddl(mask: u32) -> String {
    let mut rest = mask;
    let mut out = String::new();
    for (t, bits) in &RIGHT_TOKENS[..WRITTEN_RIGHTS] {
        if rest & bits == *bits {
            out.push_str(t);
            rest &= !bits;
        }
    }
    if rest != 0 || out.is_empty() && mask != 0 {
        return format!("0x{mask:X}");
    }
    out
}

/// A SID as SDDL writes it: its alias when it has a fixed one.
fn sid_sddl(sid: &str) -> String {
    FIXED_ALIASES
        .iter()
        .find(|(_, s)| s.eq_ignore_ascii_case(sid))
        .map_or_else(|| sid.to_string(), |(a, _)| a.to_string())
}

/// A decoded security descriptor. `dacl`/`sacl` are `None` when the descriptor does not
/// carry one (its control flags say not present).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityDescriptor {
    pub control: u16,
    pub owner: Option<String>,
    pub group: Option<String>,
    pub dacl: Option<Vec<Ace>>,
    pub sacl: Option<Vec<Ace>>,
}

/// SE_DACL_PRESENT and SE_SACL_PRESENT (MS-DTYP 2.4.6).
pub const DACL_PRESENT: u16 = 0x0004;
pub const SACL_PRESENT: u16 = 0x0010;

/// Why a descriptor could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SdError(pub String);

fn u16_at(b: &[u8], at: usize) -> Result<u16, SdError> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or_else(|| SdError(format!("truncated at byte {at} ({} bytes)", b.len())))
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, SdError> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| SdError(format!("truncated at byte {at} ({} bytes)", b.len())))
}

/// A SID starting at `at` inside `b` (its length comes from its sub-authority count).
fn sid_at(b: &[u8], at: usize) -> Result<(Sid, usize), SdError> {
    let n = *b
        .get(at + 1)
        .ok_or_else(|| SdError(format!("SID truncated at byte {at}")))? as usize;
    let len = 8 + 4 * n;
    let bytes = b
        .get(at..at + len)
        .ok_or_else(|| SdError(format!("SID at byte {at} runs past the end")))?;
    let sid = Sid::from_bytes(bytes).map_err(|e| SdError(format!("SID at byte {at}: {e}")))?;
    Ok((sid, len))
}

fn guid_at(b: &[u8], at: usize) -> Result<String, SdError> {
    b.get(at..at + 16)
        .and_then(guid_to_string)
        .ok_or_else(|| SdError(format!("GUID at byte {at} runs past the end")))
}

fn acl_at(b: &[u8], at: usize) -> Result<Vec<Ace>, SdError> {
    let size = u16_at(b, at + 2)? as usize;
    let count = u16_at(b, at + 4)? as usize;
    let end = at + size;
    if end > b.len() || size < 8 {
        return Err(SdError(format!(
            "the ACL at byte {at} claims {size} bytes, {} are there",
            b.len().saturating_sub(at)
        )));
    }
    let mut aces = Vec::with_capacity(count.min(256));
    let mut p = at + 8;
    for i in 0..count {
        let ace_type = *b
            .get(p)
            .ok_or_else(|| SdError(format!("ACE {i} of the ACL at byte {at} is missing")))?;
        let ace_flags = b.get(p + 1).copied().unwrap_or(0);
        let ace_size = u16_at(b, p + 2)? as usize;
        if ace_size < 8 || p + ace_size > end {
            return Err(SdError(format!(
                "ACE {i} at byte {p} claims {ace_size} bytes, past the end of its ACL"
            )));
        }
        let body = &b[..p + ace_size];
        let kind = AceKind::from_type(ace_type);
        let mask = u32_at(body, p + 4)?;
        let ace = match kind {
            AceKind::Other(_) => Ace {
                kind,
                flags: ace_flags,
                mask,
                object_type: None,
                inherited_object_type: None,
                trustee: String::new(),
            },
            k if k.is_object() => {
                let obj_flags = u32_at(body, p + 8)?;
                let mut q = p + 12;
                let mut object_type = None;
                let mut inherited_object_type = None;
                if obj_flags & 1 != 0 {
                    object_type = Some(guid_at(body, q)?);
                    q += 16;
                }
                if obj_flags & 2 != 0 {
                    inherited_object_type = Some(guid_at(body, q)?);
                    q += 16;
                }
                let (sid, _) = sid_at(body, q)?;
                Ace {
                    kind,
                    flags: ace_flags,
                    mask,
                    object_type,
                    inherited_object_type,
                    trustee: sid.to_string(),
                }
            }
            _ => {
                let (sid, _) = sid_at(body, p + 8)?;
                Ace {
                    kind,
                    flags: ace_flags,
                    mask,
                    object_type: None,
                    inherited_object_type: None,
                    trustee: sid.to_string(),
                }
            }
        };
        aces.push(ace);
        p += ace_size;
    }
    Ok(aces)
}

impl SecurityDescriptor {
    /// Decodes the self-relative binary form.
    pub fn from_bytes(b: &[u8]) -> Result<SecurityDescriptor, SdError> {
        if b.len() < 20 {
            return Err(SdError(format!(
                "{} bytes: a security descriptor has at least 20",
                b.len()
            )));
        }
        if b[0] != 1 {
            return Err(SdError(format!("revision {} (expected 1)", b[0])));
        }
        let control = u16_at(b, 2)?;
        let offset = |at| u32_at(b, at).map(|o| o as usize);
        let (o_owner, o_group, o_sacl, o_dacl) = (offset(4)?, offset(8)?, offset(12)?, offset(16)?);
        let sid = |o: usize| -> Result<Option<String>, SdError> {
            if o == 0 {
                Ok(None)
            } else {
                sid_at(b, o).map(|(s, _)| Some(s.to_string()))
            }
        };
        let acl = |o: usize, present: u16| -> Result<Option<Vec<Ace>>, SdError> {
            match (control & present != 0, o) {
                (false, _) => Ok(None),
                // Present with offset 0: a NULL ACL (no entries at all).
                (true, 0) => Ok(Some(Vec::new())),
                (true, o) => acl_at(b, o).map(Some),
            }
        };
        Ok(SecurityDescriptor {
            control,
            owner: sid(o_owner)?,
            group: sid(o_group)?,
            dacl: acl(o_dacl, DACL_PRESENT)?,
            sacl: acl(o_sacl, SACL_PRESENT)?,
        })
    }

    /// Parses SDDL text (`O:BAG:BAD:(A;;RC;;;BA)S:…`). Components may come in any order.
    pub fn from_sddl(text: &str) -> Result<SecurityDescriptor, SdError> {
        let s: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let mut sd = SecurityDescriptor::default();
        let mut rest = s.as_str();
        while !rest.is_empty() {
            let (tag, after) = rest.split_at(
                rest.find(':')
                    .ok_or_else(|| SdError(format!("'{rest}': expected O:, G:, D: or S:")))?,
            );
            let after = &after[1..];
            // The component runs to the next `X:` outside parentheses.
            let mut depth = 0usize;
            let mut end = after.len();
            let bytes = after.as_bytes();
            for (i, c) in after.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth = depth.saturating_sub(1),
                    'O' | 'G' | 'D' | 'S'
                        if depth == 0 && i > 0 && bytes.get(i + 1) == Some(&b':') =>
                    {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            let body = &after[..end];
            rest = &after[end..];
            match tag {
                "O" => sd.owner = Some(sddl_sid(body)?),
                "G" => sd.group = Some(sddl_sid(body)?),
                "D" => {
                    sd.control |= DACL_PRESENT;
                    sd.dacl = Some(sddl_acl(body)?);
                }
                "S" => {
                    sd.control |= SACL_PRESENT;
                    sd.sacl = Some(sddl_acl(body)?);
                }
                other => return Err(SdError(format!("'{other}:' is not an SDDL component"))),
            }
        }
        Ok(sd)
    }
}

/// A SID or alias from SDDL; domain-relative aliases stay as the alias.
fn sddl_sid(t: &str) -> Result<String, SdError> {
    if t.len() > 2 && t.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("S-")) {
        return Sid::from_str(t)
            .map(|s| s.to_string())
            .map_err(|_| SdError(format!("'{t}' is not a SID")));
    }
    if let Some((_, sid)) = FIXED_ALIASES.iter().find(|(a, _)| *a == t) {
        return Ok((*sid).to_string());
    }
    if DOMAIN_ALIASES.iter().any(|(a, _)| *a == t) {
        return Ok(t.to_string());
    }
    Err(SdError(format!("'{t}' is not a SID or an SDDL alias")))
}

fn sddl_acl(body: &str) -> Result<Vec<Ace>, SdError> {
    // ACL flags (P, AI, AR, NO_ACCESS_CONTROL) come before the first entry.
    let first = body.find('(').unwrap_or(body.len());
    let mut aces = Vec::new();
    let mut rest = &body[first..];
    while let Some(r) = rest.strip_prefix('(') {
        let mut depth = 1usize;
        let mut close = None;
        for (i, c) in r.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close.ok_or_else(|| SdError(format!("'({r}': entry not closed")))?;
        aces.push(sddl_ace(&r[..close])?);
        rest = &r[close + 1..];
    }
    if !rest.is_empty() {
        return Err(SdError(format!(
            "'{rest}': expected an entry in parentheses"
        )));
    }
    Ok(aces)
}

fn sddl_ace(t: &str) -> Result<Ace, SdError> {
    let parts: Vec<&str> = t.splitn(7, ';').collect();
    if parts.len() < 6 {
        return Err(SdError(format!(
            "'({t})': an entry has six fields (type;flags;rights;object;inherited object;SID)"
        )));
    }
    let kind = match parts[0] {
        "A" => AceKind::Allow,
        "D" => AceKind::Deny,
        "AU" => AceKind::Audit,
        "AL" => AceKind::Alarm,
        "OA" => AceKind::AllowObject,
        "OD" => AceKind::DenyObject,
        "OU" => AceKind::AuditObject,
        "OL" => AceKind::AlarmObject,
        "ML" => AceKind::Other(0x11),
        "XA" => AceKind::Other(0x09),
        "XD" => AceKind::Other(0x0A),
        "XU" => AceKind::Other(0x0D),
        "ZA" => AceKind::Other(0x0B),
        "RA" => AceKind::Other(0x12),
        "SP" => AceKind::Other(0x13),
        other => return Err(SdError(format!("'({t})': '{other}' is not an entry type"))),
    };
    let mut ace_flags = 0u8;
    let mut f = parts[1];
    while !f.is_empty() {
        let token = f.get(..2).unwrap_or(f);
        let (_, bit) = FLAG_TOKENS
            .iter()
            .find(|(n, _)| *n == token)
            .ok_or_else(|| SdError(format!("'({t})': '{token}' is not an entry flag")))?;
        ace_flags |= bit;
        f = &f[token.len()..];
    }
    let mask = parse_rights(parts[2])
        .ok_or_else(|| SdError(format!("'({t})': '{}' is not a set of rights", parts[2])))?;
    let guid = |g: &str| -> Result<Option<String>, SdError> {
        if g.is_empty() {
            return Ok(None);
        }
        super::sid::guid_from_string(g)
            .map(|_| Some(g.trim_matches(['{', '}']).to_ascii_lowercase()))
            .ok_or_else(|| SdError(format!("'({t})': '{g}' is not a GUID")))
    };
    Ok(Ace {
        kind,
        flags: ace_flags,
        mask,
        object_type: guid(parts[3])?,
        inherited_object_type: guid(parts[4])?,
        trustee: sddl_sid(parts[5])?,
    })
}

fn parse_rights(r: &str) -> Option<u32> {
    if let Some(hex) = r.strip_prefix("0x").or_else(|| r.strip_prefix("0X")) {
        return u32::from_str_radix(hex, 16).ok();
    }
    if !r.is_empty() && r.chars().all(|c| c.is_ascii_digit()) {
        return r.parse().ok();
    }
    let mut mask = 0u32;
    let mut rest = r;
    while !rest.is_empty() {
        let token = rest.get(..2)?;
        let (_, bits) = RIGHT_TOKENS.iter().find(|(n, _)| *n == token)?;
        mask |= bits;
        rest = &rest[2..];
    }
    Some(mask)
}

/// Parses one entry written by [`Ace::to_sddl`] (as the inventory stores them).
pub fn parse_ace(text: &str) -> Result<Ace, SdError> {
    let t = text.trim();
    let inner = t
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| SdError(format!("'{t}': an entry is written in parentheses")))?;
    sddl_ace(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SACL Samba 4.17 gives a new domain head, and an MDI entry, as bytes.
    fn domain_sd_bytes() -> Vec<u8> {
        // Built by hand from MS-DTYP: revision 1, control SACL_PRESENT | SELF_RELATIVE,
        // no owner/group/DACL, SACL at 20.
        let everyone = Sid::from_str("S-1-1-0").unwrap().to_bytes();
        let user_class =
            super::super::sid::guid_from_string("bf967aba-0de6-11d0-a285-00aa003049e2").unwrap();
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
}
