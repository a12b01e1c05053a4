//! One access control entry (MS-DTYP 2.4.4): its kind, the ACE flags, the access rights
//! of directory objects, and the trustee.

use std::str::FromStr;

use crate::directory::sid::Sid;

/// SDDL aliases relative to a domain SID: alias → RID.
pub(super) const DOMAIN_ALIASES: &[(&str, u32)] = &[
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
    pub(super) fn from_type(t: u8) -> AceKind {
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

    pub(super) fn is_object(self) -> bool {
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
}
