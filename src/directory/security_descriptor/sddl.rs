//! The SDDL text form (MS-DTYP 2.5.1): its right, flag and SID alias tokens, writing an
//! entry, and reading a whole descriptor or one entry back.

use std::fmt;
use std::str::FromStr;

use super::ace::{Ace, AceKind, DOMAIN_ALIASES, flags, rights};
use super::{DACL_PRESENT, SACL_PRESENT, SdError, SecurityDescriptor};
use crate::directory::sid::{self, Sid};

impl AceKind {
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

impl Ace {
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

impl SecurityDescriptor {
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
        sid::guid_from_string(g)
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
