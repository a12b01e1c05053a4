//! Binary ↔ string forms of the identifiers AD stores as octet strings (`objectSid`,
//! `objectGUID`), and escaping of values put into LDAP filters.
//!
//! Everything that lands in a filter goes through `ldap3::ldap_escape` (text) or
//! [`escape_bytes`] (binary):
//! names and ids come from ATA's database or from the command line, and a `*`, `(` or
//! `)` in one must never widen or rewrite the search (RFC 4515 §3).

use std::fmt;
use std::str::FromStr;

/// A Windows security identifier.
///
/// Binary layout (MS-DTYP 2.4.2.2): revision (1 byte, always 1), sub-authority count
/// (1 byte, at most 15), identifier authority (6 bytes, **big-endian**), then each
/// sub-authority as 4 bytes **little-endian**. The last sub-authority of an account SID
/// is its RID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sid {
    authority: u64,
    subs: Vec<u32>,
}

/// A byte string or text that is not a SID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a SID: {0}")]
pub struct SidError(pub String);

impl Sid {
    /// Parses the binary form, as `objectSid` holds it.
    pub fn from_bytes(b: &[u8]) -> Result<Sid, SidError> {
        let bad = |why: &str| SidError(format!("{why} ({} bytes: {})", b.len(), hex::encode(b)));
        if b.len() < 8 {
            return Err(bad("shorter than 8 bytes"));
        }
        if b[0] != 1 {
            return Err(bad("revision is not 1"));
        }
        let n = b[1] as usize;
        if n > 15 {
            return Err(bad("more than 15 sub-authorities"));
        }
        if b.len() != 8 + 4 * n {
            return Err(bad("length does not match the sub-authority count"));
        }
        let authority = b[2..8]
            .iter()
            .fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
        let subs = b[8..]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(Sid { authority, subs })
    }

    /// The binary form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 4 * self.subs.len());
        out.push(1);
        out.push(self.subs.len() as u8);
        out.extend_from_slice(&self.authority.to_be_bytes()[2..8]);
        for s in &self.subs {
            out.extend_from_slice(&s.to_le_bytes());
        }
        out
    }

    /// The last sub-authority (the RID of an account or group SID).
    pub fn rid(&self) -> Option<u32> {
        self.subs.last().copied()
    }

    /// The SID without its last sub-authority: the domain SID of an account SID.
    pub fn parent(&self) -> Option<Sid> {
        (self.subs.len() > 1).then(|| Sid {
            authority: self.authority,
            subs: self.subs[..self.subs.len() - 1].to_vec(),
        })
    }

    /// `self` followed by `rid`: a domain SID plus a RID gives the account's SID.
    pub fn with_rid(&self, rid: u32) -> Sid {
        let mut subs = self.subs.clone();
        subs.push(rid);
        Sid {
            authority: self.authority,
            subs,
        }
    }

    /// True for a SID under this domain SID (one more sub-authority).
    pub fn is_in_domain(&self, domain: &Sid) -> bool {
        self.parent().as_ref() == Some(domain)
    }

    /// `(objectSid=\01\05…)`: the filter form every LDAP server understands. AD also
    /// accepts the string form in a filter, but OpenLDAP and older AD versions do not.
    pub fn filter(&self) -> String {
        format!("(objectSid={})", escape_bytes(&self.to_bytes()))
    }
}

impl fmt::Display for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // MS-DTYP: authorities of 2^32 and above are written in hex.
        if self.authority >= 1 << 32 {
            write!(f, "S-1-0x{:012X}", self.authority)?;
        } else {
            write!(f, "S-1-{}", self.authority)?;
        }
        for s in &self.subs {
            write!(f, "-{s}")?;
        }
        Ok(())
    }
}

impl FromStr for Sid {
    type Err = SidError;

    fn from_str(s: &str) -> Result<Sid, SidError> {
        let bad = || SidError(s.to_string());
        let t = s.trim();
        let mut parts = t.split('-');
        if !parts.next().is_some_and(|p| p.eq_ignore_ascii_case("S")) || parts.next() != Some("1") {
            return Err(bad());
        }
        let auth = parts.next().ok_or_else(bad)?;
        let authority = match auth.strip_prefix("0x").or_else(|| auth.strip_prefix("0X")) {
            Some(h) => u64::from_str_radix(h, 16).map_err(|_| bad())?,
            None => auth.parse::<u64>().map_err(|_| bad())?,
        };
        if authority >= 1 << 48 {
            return Err(bad());
        }
        let subs = parts
            .map(|p| p.parse::<u32>().map_err(|_| bad()))
            .collect::<Result<Vec<_>, _>>()?;
        if subs.len() > 15 {
            return Err(bad());
        }
        Ok(Sid { authority, subs })
    }
}

/// `objectGUID` bytes as AD writes the GUID: the first three fields are little-endian
/// (`{Data1}-{Data2}-{Data3}`), the last eight bytes are in order. Lower case, no braces.
pub fn guid_to_string(b: &[u8]) -> Option<String> {
    if b.len() != 16 {
        return None;
    }
    Some(format!(
        "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{}",
        b[3],
        b[2],
        b[1],
        b[0],
        b[5],
        b[4],
        b[7],
        b[6],
        b[8],
        b[9],
        hex::encode(&b[10..16])
    ))
}

/// The `objectGUID` bytes of a GUID written as text (`{…}` or bare, any case, dashes
/// optional). `None` when it is not a GUID.
pub fn guid_from_string(s: &str) -> Option<[u8; 16]> {
    let t = s.trim().trim_start_matches('{').trim_end_matches('}');
    let hexdigits: String = t.chars().filter(|&c| c != '-').collect();
    let dashes_ok = !t.contains('-') || {
        let lens: Vec<usize> = t.split('-').map(str::len).collect();
        lens == [8, 4, 4, 4, 12]
    };
    if hexdigits.len() != 32 || !dashes_ok {
        return None;
    }
    let raw = hex::decode(&hexdigits).ok()?;
    let mut out = [0u8; 16];
    // Data1, Data2, Data3 are stored little-endian.
    out[0..4].copy_from_slice(&[raw[3], raw[2], raw[1], raw[0]]);
    out[4..6].copy_from_slice(&[raw[5], raw[4]]);
    out[6..8].copy_from_slice(&[raw[7], raw[6]]);
    out[8..16].copy_from_slice(&raw[8..16]);
    Some(out)
}

/// Every byte as `\hh`: the filter form of a binary value.
pub fn escape_bytes(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 3);
    for byte in b {
        s.push_str(&format!("\\{byte:02x}"));
    }
    s
}

/// `(attr=value)` with the value escaped.
pub fn eq_filter(attr: &str, value: &str) -> String {
    format!("({attr}={})", ldap3::ldap_escape(value))
}

/// `(|a b c)` of the given filters; a single filter is returned as is.
pub fn or_filter(filters: &[String]) -> String {
    match filters {
        [one] => one.clone(),
        many => format!("(|{})", many.concat()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_sids_round_trip_between_bytes_and_text() {
        let text = "S-1-5-21-3623811015-3361044348-30300820-1013";
        let sid: Sid = text.parse().unwrap();
        let bytes = sid.to_bytes();
        assert_eq!(bytes.len(), 28);
        assert_eq!(&bytes[..8], &[1, 5, 0, 0, 0, 0, 0, 5]);
        // 1013 = 0x3F5, little-endian at the end.
        assert_eq!(&bytes[24..], &[0xf5, 0x03, 0, 0]);
        assert_eq!(Sid::from_bytes(&bytes).unwrap().to_string(), text);
        assert_eq!(sid.rid(), Some(1013));
        assert_eq!(
            sid.parent().unwrap().to_string(),
            "S-1-5-21-3623811015-3361044348-30300820"
        );
        assert!(sid.is_in_domain(&sid.parent().unwrap()));
        assert_eq!(sid.parent().unwrap().with_rid(1013), sid);
    }

    #[test]
    fn builtin_sids_are_valid_utf8_and_still_decode() {
        // The bytes of S-1-5-32-544 are all < 0x80: ldap3 would file them as text.
        let bytes = [1u8, 2, 0, 0, 0, 0, 0, 5, 0x20, 0, 0, 0, 0x20, 2, 0, 0];
        assert!(std::str::from_utf8(&bytes).is_ok());
        assert_eq!(Sid::from_bytes(&bytes).unwrap().to_string(), "S-1-5-32-544");
        assert_eq!(
            Sid::from_str("S-1-5-32-544").unwrap().filter(),
            "(objectSid=\\01\\02\\00\\00\\00\\00\\00\\05\\20\\00\\00\\00\\20\\02\\00\\00)"
        );
    }

    #[test]
    fn bad_sids_are_refused_not_guessed() {
        for bytes in [
            &[][..],
            &[1, 1, 0, 0, 0, 0, 0, 5][..],
            &[2, 0, 0, 0, 0, 0, 0, 5][..],
            &[1, 16, 0, 0, 0, 0, 0, 5][..],
        ] {
            assert!(Sid::from_bytes(bytes).is_err(), "{bytes:?}");
        }
        for text in [
            "",
            "S-1",
            "S-2-5-21",
            "S-1-5-x",
            "S-1-5-21-99999999999",
            "X-1-5",
        ] {
            assert!(text.parse::<Sid>().is_err(), "{text}");
        }
        // S-1-0 with no sub-authority is the Null authority: legal, 8 bytes.
        assert_eq!(
            Sid::from_bytes(&[1, 0, 0, 0, 0, 0, 0, 0])
                .unwrap()
                .to_string(),
            "S-1-0"
        );
        let big: Sid = "S-1-0x123456789ABC-1".parse().unwrap();
        assert_eq!(big.to_string(), "S-1-0x123456789ABC-1");
        assert_eq!(Sid::from_bytes(&big.to_bytes()).unwrap(), big);
    }

    #[test]
    fn guids_use_the_mixed_endian_text_form() {
        // objectGUID bytes as read over LDAP, and the form AD tools print.
        let bytes = hex::decode("0f6d1c3a5b2e4d4f9a8b7c6d5e4f3a2b").unwrap();
        let text = guid_to_string(&bytes).unwrap();
        assert_eq!(text, "3a1c6d0f-2e5b-4f4d-9a8b-7c6d5e4f3a2b");
        assert_eq!(guid_from_string(&text).unwrap().to_vec(), bytes);
        assert_eq!(
            guid_from_string("{3A1C6D0F-2E5B-4F4D-9A8B-7C6D5E4F3A2B}")
                .unwrap()
                .to_vec(),
            bytes
        );
        assert_eq!(
            guid_from_string("3a1c6d0f2e5b4f4d9a8b7c6d5e4f3a2b")
                .unwrap()
                .to_vec(),
            bytes
        );
        assert!(guid_from_string("3a1c6d0f-2e5b-4f4d-9a8b").is_none());
        assert!(guid_from_string("3a1c6d0f2e5b-4f4d-9a8b-7c6d-5e4f3a2b").is_none());
        assert!(
            guid_from_string("5f1c0a2b3c4d5e6f70819203").is_none(),
            "an ObjectId is not a GUID"
        );
        assert!(guid_to_string(&bytes[..15]).is_none());
    }

    #[test]
    fn filter_metacharacters_are_escaped() {
        // ldap3's escaping, as this module's filters use it.
        let escape_value = |v: &str| ldap3::ldap_escape(v).into_owned();
        assert_eq!(escape_value("a*b"), "a\\2ab");
        assert_eq!(
            escape_value("x)(objectClass=*"),
            "x\\29\\28objectClass=\\2a"
        );
        assert_eq!(escape_value("back\\slash"), "back\\5cslash");
        assert_eq!(escape_value("nul\0"), "nul\\00");
        assert_eq!(escape_value("Jürgen"), "Jürgen");
        assert_eq!(eq_filter("sAMAccountName", "*"), "(sAMAccountName=\\2a)");
        assert_eq!(or_filter(&["(a=1)".into()]), "(a=1)");
        assert_eq!(
            or_filter(&["(a=1)".into(), "(b=2)".into()]),
            "(|(a=1)(b=2))"
        );
    }

    #[test]
    fn escaped_values_parse_as_a_single_equality_filter() {
        use ldap3::asn1::{ASNTag, PL};
        // The escaped value must reach the server as one equality assertion carrying the
        // exact bytes: no wildcard (substring, tag 4), no OR (tag 1), nothing appended.
        for evil in [
            "*",
            "admin)(|(objectClass=*)",
            "a\\",
            "x)(cn=*",
            "\0",
            "(&)",
        ] {
            let f = eq_filter("sAMAccountName", evil);
            let tag = ldap3::parse_filter(&f)
                .expect("escaped filter parses")
                .into_structure();
            assert_eq!(tag.id, 3, "{evil} → {f} is not an equality match");
            let PL::C(parts) = tag.payload else {
                panic!("{f}: not constructed")
            };
            assert_eq!(parts.len(), 2, "{f}");
            assert_eq!(
                parts[0].clone().expect_primitive().unwrap(),
                b"sAMAccountName"
            );
            assert_eq!(
                parts[1].clone().expect_primitive().unwrap(),
                evil.as_bytes(),
                "{f}"
            );
        }
    }
}
