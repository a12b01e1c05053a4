//! The offline twin of the LDAP reader: LDIF files written by `ldifde` or `ldapsearch`.
//!
//! Both tools write RFC 2849 content records, with their own habits:
//! - `ldifde` puts `changetype: add` in every record, folds long lines, base64-encodes
//!   binary values (`objectSid:: AQUAAAAAAAUV…`) and, with `-u`, writes UTF-16.
//! - Samba's `ldbsearch` writes the rootDSE as `dn: @ROOTDSE` and SIDs and GUIDs as text
//!   (`objectSid: S-1-5-21-…`); both are read as LDAP would give them.
//! - `ldapsearch` starts with `version: 1` (or comments only with `-LLL`), writes a
//!   comment before each entry, prints search continuation references as `ref:` records
//!   without a DN, and ends with `search:`/`result:` lines; a non-zero `result` (size limit,
//!   admin limit) means the export is incomplete, which is recorded, not ignored.
//!
//! Anything else (a change record, a line without a colon, bad base64, a value given by
//! URL) is refused with the file and line, never skipped silently.

use std::path::{Path, PathBuf};

use base64::Engine;

use super::entry::Entry;
use crate::progress::{Progress, Silent};

/// An LDIF file that cannot be read as an export.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", path.display())]
pub struct LdifError {
    pub path: PathBuf,
    /// 1-based line (0 when the file itself could not be read).
    pub line: usize,
    pub message: String,
}

/// What one LDIF file held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LdifFile {
    pub entries: Vec<Entry>,
    /// Search continuation references skipped (`ref:` records).
    pub references: usize,
    /// Reasons the export is incomplete (a non-zero `result:` from ldapsearch).
    pub incomplete: Vec<String>,
    /// Search bases ldapsearch reported as not existing (`result: 32`, after a
    /// `# base <…>` comment): an answer ("no KDS container"), not a gap.
    pub absent: Vec<String>,
}

/// Reads an LDIF file from disk.
pub fn read_file(path: &Path) -> Result<LdifFile, LdifError> {
    read_file_until(path, &Silent)
}

/// Reads an LDIF file from disk, stopping early (with an error) once `progress` is
/// cancelled: the caller asks `progress` first, so a stop is reported as a stop.
pub fn read_file_until(path: &Path, progress: &dyn Progress) -> Result<LdifFile, LdifError> {
    let bytes = std::fs::read(path).map_err(|e| LdifError {
        path: path.to_path_buf(),
        line: 0,
        message: format!("cannot read the file ({e}); check the path given to --ldif"),
    })?;
    parse_owned(bytes, path, progress)
}

/// Parses LDIF content; `path` is only used in errors.
pub fn parse(bytes: &[u8], path: &Path) -> Result<LdifFile, LdifError> {
    parse_owned(bytes.to_vec(), path, &Silent)
}

/// Parses LDIF content it owns: the text is decoded in place and walked once, record by
/// record, so an export of a large domain is held once, not several times over.
fn parse_owned(
    bytes: Vec<u8>,
    path: &Path,
    progress: &dyn Progress,
) -> Result<LdifFile, LdifError> {
    let err = |(line, message): (usize, String)| LdifError {
        path: path.to_path_buf(),
        line,
        message,
    };
    let text = decode(bytes).map_err(err)?;
    let mut p = Parser::default();
    // The logical line being built (folded lines appended), with its first line number.
    let mut cur: Option<(usize, String)> = None;
    // Whether the last logical line was a comment: its continuations are comment too.
    let mut in_comment = false;
    for (i, raw) in text.split('\n').enumerate() {
        let n = i + 1;
        if n.is_multiple_of(4096) && progress.is_cancelled() {
            return Err(err((n, "interrupted".into())));
        }
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(cont) = line.strip_prefix(' ') {
            if in_comment {
                continue;
            }
            match cur.as_mut() {
                Some((_, l)) if !l.is_empty() => l.push_str(cont),
                _ => {
                    return Err(err((
                        n,
                        "a continuation line (starting with a space) follows no line to continue"
                            .into(),
                    )));
                }
            }
            continue;
        }
        if let Some((ln, l)) = cur.take() {
            p.line(ln, l).map_err(err)?;
        }
        if line.starts_with('#') {
            in_comment = true;
            // ldapsearch names the search base in a comment; a `result: 32` later refers
            // to it ("no such object": an answer, e.g. no KDS container).
            if let Some(base) = line
                .strip_prefix("# base <")
                .and_then(|r| r.rsplit_once('>'))
                .map(|(b, _)| b)
            {
                p.base = Some(base.to_string());
            }
            continue;
        }
        in_comment = false;
        cur = Some((n, line.to_string()));
    }
    if let Some((ln, l)) = cur.take() {
        p.line(ln, l).map_err(err)?;
    }
    p.flush().map_err(err)?;
    Ok(p.out)
}

/// Record-by-record state of the parser.
#[derive(Default)]
struct Parser {
    out: LdifFile,
    record: Vec<(usize, String)>,
    /// A record was already seen (`version:` may only open the file).
    started: bool,
    /// The base named by ldapsearch's last `# base <…>` comment.
    base: Option<String>,
}

impl Parser {
    fn line(&mut self, n: usize, line: String) -> Result<(), (usize, String)> {
        if line.is_empty() {
            return self.flush();
        }
        self.record.push((n, line));
        Ok(())
    }

    fn flush(&mut self) -> Result<(), (usize, String)> {
        if self.record.is_empty() {
            return Ok(());
        }
        let mut lines = std::mem::take(&mut self.record);
        // `version: 1` may open the first record or stand alone before it.
        if !self.started
            && let Some((n, l)) = lines.first()
            && let Some(v) = l.strip_prefix("version:")
        {
            if v.trim() != "1" {
                return Err((
                    *n,
                    format!(
                        "LDIF version {} is not supported (only version 1)",
                        v.trim()
                    ),
                ));
            }
            lines.remove(0);
        }
        self.started = true;
        if lines.is_empty() {
            return Ok(());
        }
        let refs: Vec<(usize, &str)> = lines.iter().map(|(n, l)| (*n, l.as_str())).collect();
        record_into(&refs, &mut self.out, &mut self.base)
    }
}

/// Bytes to text: UTF-8 (with or without BOM) or UTF-16 with BOM (`ldifde -u`); errors
/// with the line to look at.
fn decode(bytes: Vec<u8>) -> Result<String, (usize, String)> {
    use crate::text::TextError;
    crate::text::decode_text(bytes).map_err(|e| match e {
        TextError::OddUtf16 => (
            1,
            "the file starts with a UTF-16 byte-order mark but has an odd length".into(),
        ),
        TextError::InvalidUtf16(_) => (1, "the file is not valid UTF-16".to_string()),
        TextError::InvalidUtf8AfterBom(e) | TextError::NotUtf8(e) => not_utf8(&e),
    })
}

fn not_utf8(e: &std::string::FromUtf8Error) -> (usize, String) {
    let bytes = e.as_bytes();
    let at = e.utf8_error().valid_up_to();
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    (
        line,
        "this line is not UTF-8 (an LDIF export is UTF-8, or UTF-16 from `ldifde -u`); \
         re-export it with the commands from `ata2atp collector ldif`"
            .to_string(),
    )
}

/// One `attr: value` line split into its description and decoded value.
fn attr_value(n: usize, line: &str) -> Result<(String, Vec<u8>), (usize, String)> {
    let Some(colon) = line.find(':') else {
        return Err((
            n,
            format!("expected `attribute: value`, found `{}`", shorten(line)),
        ));
    };
    let name = line[..colon].trim().to_string();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ';' | '.' | '=' | '_'))
    {
        return Err((n, format!("`{}` is not an attribute name", shorten(&name))));
    }
    let rest = &line[colon + 1..];
    let value = if let Some(b64) = rest.strip_prefix(':') {
        let b64: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_bytes())
            .map_err(|e| (n, format!("the base64 value of {name} is invalid ({e})")))?
    } else if rest.starts_with('<') {
        return Err((
            n,
            format!(
                "{name} is given by URL (`:<`), which is not read; export without `ldapsearch -t`"
            ),
        ));
    } else {
        rest.trim_start_matches(' ').as_bytes().to_vec()
    };
    Ok((name, value))
}

fn record_into(
    lines: &[(usize, &str)],
    out: &mut LdifFile,
    base: &mut Option<String>,
) -> Result<(), (usize, String)> {
    let (n0, first) = lines[0];
    let (key, value) = attr_value(n0, first)?;
    match key.to_ascii_lowercase().as_str() {
        "dn" => {}
        // ldapsearch: a search continuation reference (Samba returns them for the
        // configuration partition under the domain). Not an entry.
        "ref" => {
            out.references += 1;
            return Ok(());
        }
        // ldapsearch's trailer: `search: 2` then `result: 0 Success`.
        "search" | "result" => {
            for (n, l) in lines {
                let (k, v) = attr_value(*n, l)?;
                if k.eq_ignore_ascii_case("result") {
                    let v = String::from_utf8_lossy(&v).trim().to_string();
                    if v.starts_with("32 ") && base.is_some() {
                        out.absent.extend(base.take());
                    } else if !v.starts_with("0 ") && v != "0" {
                        out.incomplete
                            .push(format!("the export ended with `result: {v}` (line {n})"));
                    }
                }
            }
            return Ok(());
        }
        "version" => return Err((n0, "`version:` may only open the file".into())),
        other => {
            return Err((
                n0,
                format!("a record must start with `dn:`, found `{other}:`"),
            ));
        }
    }
    let dn = String::from_utf8(value).map_err(|_| (n0, "the DN is not UTF-8".to_string()))?;
    // Samba's ldbsearch names the rootDSE `@ROOTDSE`; LDAP gives it the empty DN.
    let dn = if dn.trim().eq_ignore_ascii_case("@ROOTDSE") {
        ""
    } else {
        dn.trim()
    };
    let mut entry = Entry::new(dn);
    for (i, (n, line)) in lines.iter().enumerate().skip(1) {
        if *line == "-" {
            return Err((
                *n,
                "`-` belongs to a change record; an export has none".into(),
            ));
        }
        let (name, value) = attr_value(*n, line)?;
        match name.to_ascii_lowercase().as_str() {
            "changetype" => {
                let ct = String::from_utf8_lossy(&value).trim().to_ascii_lowercase();
                if ct != "add" {
                    return Err((
                        *n,
                        format!(
                            "`changetype: {ct}` is a change record, not an export; give the file ldifde or ldapsearch wrote"
                        ),
                    ));
                }
                if i != 1 {
                    return Err((*n, "`changetype:` must follow the `dn:` line".into()));
                }
            }
            "control" if i == 1 => {
                return Err((
                    *n,
                    "`control:` belongs to a change record; an export has none".into(),
                ));
            }
            "dn" => {
                return Err((
                    *n,
                    "a second `dn:` in one record (is a blank line missing?)".into(),
                ));
            }
            _ => entry.push(&name, value),
        }
    }
    out.entries.push(entry);
    Ok(())
}

fn shorten(s: &str) -> String {
    let mut t: String = s.chars().take(60).collect();
    if t.len() < s.len() {
        t.push('…');
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<LdifFile, LdifError> {
        parse(text.as_bytes(), Path::new("test.ldif"))
    }

    #[test]
    fn ldifde_output_with_changetype_folding_and_base64() {
        let f = p("dn: CN=Domain Admins,CN=Users,DC=fabrikam,DC=test\r\n\
changetype: add\r\n\
objectClass: top\r\n\
objectClass: group\r\n\
member: CN=alice.admin,OU=Admins,DC=fabrikam,DC=tes\r\n t\r\n\
objectSid:: AQUAAAAAAAUVAAAAAQAAAAIAAAADAAAAAAIAAA==\r\n\
\r\n\
dn: CN=bob,CN=Users,DC=fabrikam,DC=test\r\n\
changetype: add\r\n\
description: spaces  inside stay\r\n")
        .unwrap();
        assert_eq!(f.entries.len(), 2);
        let g = &f.entries[0];
        assert_eq!(
            g.texts("member"),
            vec!["CN=alice.admin,OU=Admins,DC=fabrikam,DC=test"]
        );
        assert_eq!(g.sid().unwrap().to_string(), "S-1-5-21-1-2-3-512");
        assert!(g.is_a("group"));
        assert_eq!(
            f.entries[1].text("description").unwrap(),
            "spaces  inside stay"
        );
    }

    #[test]
    fn ldapsearch_output_with_comments_references_and_trailer() {
        let f = p("# extended LDIF\n#\n# LDAPv3\n# base <DC=example,DC=test> with scope subtree\n\
# filter: (objectClass=group)\n# requesting: cn\n#\n\nversion: 1\n\n\
# Domain Admins, Users, example.test\ndn: CN=Domain Admins,CN=Users,DC=example,DC=test\ncn: Domain Admins\n\n\
# search reference\nref: ldap://example.test/CN=Configuration,DC=example,DC=test\n\n\
# search result\nsearch: 2\nresult: 0 Success\n\n# numResponses: 3\n# numEntries: 1\n# numReferences: 1\n")
        .unwrap();
        assert_eq!(f.entries.len(), 1);
        assert_eq!(f.references, 1);
        assert!(f.incomplete.is_empty());
    }

    #[test]
    fn version_line_then_records_and_root_dse() {
        let f = p("version: 1\ndn:\nnamingContexts: DC=example,DC=test\n\ndn: DC=example,DC=test\nobjectClass: domain\n").unwrap();
        assert_eq!(f.entries.len(), 2);
        assert_eq!(f.entries[0].dn, "");
        let f = p("version: 1\n\ndn: DC=x\n").unwrap();
        assert_eq!(f.entries.len(), 1);
    }

    #[test]
    fn a_size_limit_in_the_trailer_marks_the_export_incomplete() {
        let f = p(
            "dn: CN=a,DC=x\ncn: a\n\n# search result\nsearch: 3\nresult: 4 Size limit exceeded\n",
        )
        .unwrap();
        assert_eq!(f.entries.len(), 1);
        assert_eq!(f.incomplete.len(), 1);
        assert!(
            f.incomplete[0].contains("Size limit exceeded"),
            "{:?}",
            f.incomplete
        );
    }

    #[test]
    fn utf16_from_ldifde_u_and_a_utf8_bom_are_read() {
        let text = "dn: CN=Jürgen,DC=x\ncn: Jürgen\n";
        let mut utf16 = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let f = parse(&utf16, Path::new("u.ldf")).unwrap();
        assert_eq!(f.entries[0].text("cn").unwrap(), "Jürgen");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(parse(&bom, Path::new("b.ldf")).unwrap().entries.len(), 1);
    }

    #[test]
    fn malformed_files_name_the_file_and_line() {
        let cases = [
            ("dn: CN=a,DC=x\nno colon here\n", 2, "attribute: value"),
            ("dn: CN=a,DC=x\nobjectSid:: !!!notbase64\n", 2, "base64"),
            ("cn: a\n", 1, "must start with `dn:`"),
            (" continued\n", 1, "continuation"),
            (
                "dn: CN=a,DC=x\nchangetype: modify\nreplace: cn\ncn: b\n-\n",
                2,
                "change record",
            ),
            ("dn: CN=a,DC=x\njpegPhoto:< file:///etc/passwd\n", 2, "URL"),
            ("dn: CN=a,DC=x\ncn: a\ndn: CN=b,DC=x\n", 3, "second `dn:`"),
            ("version: 2\ndn: CN=a,DC=x\n", 1, "version 2"),
            ("dn: CN=a,DC=x\n\ncn: a\n\n\n", 3, "must start with `dn:`"),
        ];
        for (text, line, needle) in cases {
            let e = p(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.to_string().contains(needle), "{text:?}: {e}");
            assert!(e.to_string().starts_with("test.ldif:"), "{e}");
        }
        let e = parse(b"dn: CN=a\ncn: \xff\xfe\x00\n", Path::new("bin.ldf")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("bin.ldf:2: this line is not UTF-8"),
            "{e}"
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A cheap fuzz: every prefix of a valid file, and some noise.
        let text = "version: 1\ndn: CN=a,DC=x\nobjectSid:: AQUAAAAAAAUVAAAA\n fold\n# c\n  more\n\ndn:: Q049Yg==\ncn:b\n";
        for i in 0..text.len() {
            let _ = parse(&text.as_bytes()[..i], Path::new("x"));
        }
        for seed in 0u32..200 {
            let noise: Vec<u8> = (0..64)
                .map(|i| (seed.wrapping_mul(2654435761).wrapping_add(i * 7919) >> 13) as u8)
                .collect();
            let _ = parse(&noise, Path::new("x"));
        }
    }
}
