//! The self-relative binary form of a security descriptor (MS-DTYP 2.4.6), as AD returns
//! it in `nTSecurityDescriptor`: offsets, ACLs and their entries, each read with bounds
//! checked.

use super::ace::{Ace, AceKind};
use super::{DACL_PRESENT, SACL_PRESENT, SdError, SecurityDescriptor};
use crate::directory::sid::{Sid, guid_to_string};

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
}
