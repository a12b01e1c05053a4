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
//!
//! | module | owns |
//! |---|---|
//! | [`ace`] | one entry: its kind, flags, rights and trustee |
//! | [`binary`] | the self-relative binary form (`nTSecurityDescriptor`) |
//! | [`sddl`] | the SDDL text form, both ways, with its tokens and SID aliases |

mod ace;
mod binary;
mod sddl;
#[cfg(test)]
mod tests;

pub use ace::{Ace, AceKind, flags, rights};
pub use sddl::{parse_ace, rights_sddl};

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
