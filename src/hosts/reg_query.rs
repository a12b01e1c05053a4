//! `reg query` output pasted per domain controller: the .NET Framework `Release` value,
//! for when the collector script may not run.
//!
//! The consultant runs, on (or against) each DC:
//!
//! ```text
//! reg query "HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full" /v Release
//! reg query "\\FAB-DC02\HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full" /v Release
//! ```
//!
//! and saves the output in a file per DC (`FAB-DC02.txt`), or several in one file, each
//! after a header line `DC: FAB-DC02`. The DC is named, in this order, by the last header
//! line, by the `\\HOST\` of a remote key line, or by the file name. The parse is strict:
//! a line that is none of the forms below is an error naming the file, the line and what
//! was expected, so a pasted mistake is never read as a fact.
//!
//! Accepted lines: blank; a header (`DC: NAME`, `Host: NAME`, `Computer: NAME`, optionally
//! after `#`); the command itself as echoed by a prompt (`C:\> reg query …`); the key line;
//! a value line (`Release    REG_DWORD    0x80ff4`, other values of the key are allowed and
//! ignored); `End of search: N match(es) found.`; and reg's
//! `ERROR: The system was unable to find the specified registry key or value.`, which
//! means .NET Framework 4.5 or later is not installed (recorded as Release 0).

use std::path::Path;

use crate::model::DcFacts;

const KEY: &str = r"SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full";
const NOT_FOUND: &str = "ERROR: The system was unable to find the specified registry key or value.";

/// A line that is not one of the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}: '{text}'")]
pub struct ParseError {
    pub file: String,
    pub line: usize,
    pub text: String,
    pub message: String,
}

struct Section {
    name: String,
    /// Line of the header or key line that named it, for errors.
    line: usize,
    release: Option<u32>,
    missing: bool,
    errors: Vec<String>,
}

/// The DC named by a key line `\\HOST\HKEY_LOCAL_MACHINE\…` (or `\\HOST\HKLM\…`).
fn remote_host(key_line: &str) -> Option<&str> {
    let rest = key_line.strip_prefix(r"\\")?;
    let (host, _) = rest.split_once('\\')?;
    (!host.is_empty()).then_some(host)
}

/// True when `line` names the .NET v4 Full key (local or remote, long or short hive).
fn is_key_line(line: &str) -> Option<Result<(), String>> {
    let path = match remote_host(line) {
        Some(h) => &line[h.len() + 3..],
        None => line,
    };
    let upper = path.to_ascii_uppercase();
    let rest = upper
        .strip_prefix(r"HKEY_LOCAL_MACHINE\")
        .or_else(|| upper.strip_prefix(r"HKLM\"))?;
    Some(if rest.eq_ignore_ascii_case(KEY) {
        Ok(())
    } else {
        Err(format!(
            "this is not the .NET key (expected HKEY_LOCAL_MACHINE\\{KEY})"
        ))
    })
}

fn header_name(line: &str) -> Option<&str> {
    let l = line.trim_start_matches('#').trim();
    let (label, value) = l.split_once(':')?;
    let label = label.trim().to_ascii_lowercase();
    if !["dc", "host", "computer", "computername", "server"].contains(&label.as_str()) {
        return None;
    }
    let value = value.trim();
    let ok = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_');
    ok.then_some(value)
}

/// Parses one file's text. `file_stem` names the DC when nothing in the text does.
pub fn parse(text: &str, file: &str, file_stem: &str) -> Result<Vec<DcFacts>, ParseError> {
    let err = |line: usize, text: &str, message: &str| ParseError {
        file: file.to_string(),
        line,
        text: text.trim().chars().take(120).collect(),
        message: message.to_string(),
    };
    let mut sections: Vec<Section> = Vec::new();
    let mut current: Option<Section> = None;
    let mut saw_key = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = header_name(line) {
            if let Some(s) = current.take() {
                sections.push(s);
            }
            current = Some(Section {
                name: name.to_string(),
                line: n,
                release: None,
                missing: false,
                errors: Vec::new(),
            });
            saw_key = false;
            continue;
        }
        let lower = line.to_ascii_lowercase();
        if lower.contains("reg query") || lower.contains("reg.exe query") {
            // The command echoed by a prompt; `reg query "\\HOST\HKLM\…"` names the DC.
            if let Some(start) = line.find(r"\\") {
                let candidate = line[start..].trim_start_matches('"');
                if let Some(host) = remote_host(candidate)
                    && current.is_none()
                {
                    current = Some(Section {
                        name: host.to_string(),
                        line: n,
                        release: None,
                        missing: false,
                        errors: Vec::new(),
                    });
                }
            }
            continue;
        }
        if let Some(key) = is_key_line(line) {
            key.map_err(|m| err(n, raw, &m))?;
            let new_section = |name: String| Section {
                name,
                line: n,
                release: None,
                missing: false,
                errors: Vec::new(),
            };
            match (remote_host(line).map(str::to_string), &current) {
                (None, None) => current = Some(new_section(file_stem.to_string())),
                (None, Some(_)) => {}
                (Some(h), Some(s)) if crate::model::same_host(&s.name, &h) => {}
                (Some(h), Some(s)) if s.release.is_none() && !s.missing && s.errors.is_empty() => {
                    return Err(err(
                        n,
                        raw,
                        &format!(
                            "this key line names {h} but the section is for {} (line {})",
                            s.name, s.line
                        ),
                    ));
                }
                (Some(h), _) => {
                    if let Some(done) = current.take() {
                        sections.push(done);
                    }
                    current = Some(new_section(h));
                }
            }
            saw_key = true;
            continue;
        }
        if lower.starts_with("end of search:") {
            continue;
        }
        if line == NOT_FOUND {
            let s = current.get_or_insert_with(|| Section {
                name: file_stem.to_string(),
                line: n,
                release: None,
                missing: false,
                errors: Vec::new(),
            });
            s.missing = true;
            continue;
        }
        if line.starts_with("ERROR:") {
            // Access denied, network path not found…: the DC could not be read.
            let s = current.get_or_insert_with(|| Section {
                name: file_stem.to_string(),
                line: n,
                release: None,
                missing: false,
                errors: Vec::new(),
            });
            s.errors
                .push(format!("dotnet_release: reg query said: {line}"));
            continue;
        }
        // A value line: NAME  REG_TYPE  DATA (DATA may hold spaces for REG_SZ).
        let mut parts = line.split_whitespace();
        let (Some(name), Some(kind)) = (parts.next(), parts.next()) else {
            return Err(err(
                n,
                raw,
                "not understood; expected a value line like 'Release    REG_DWORD    0x80ff4'",
            ));
        };
        if !kind.starts_with("REG_") {
            return Err(err(
                n,
                raw,
                "not understood; expected a header 'DC: NAME', the key line, or a value line 'Release    REG_DWORD    0x…'",
            ));
        }
        if !saw_key {
            return Err(err(
                n,
                raw,
                "a value line before the key line HKEY_LOCAL_MACHINE\\SOFTWARE\\…\\v4\\Full",
            ));
        }
        if !name.eq_ignore_ascii_case("Release") {
            continue;
        }
        if kind != "REG_DWORD" {
            return Err(err(n, raw, "Release must be a REG_DWORD"));
        }
        let data: Vec<&str> = parts.collect();
        let value = match data.as_slice() {
            [v] => {
                let parsed = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => v.parse().ok(),
                };
                parsed.ok_or_else(|| {
                    err(
                        n,
                        raw,
                        "the Release value is not a number (expected 0x… as reg prints it)",
                    )
                })?
            }
            _ => return Err(err(n, raw, "expected exactly one value after REG_DWORD")),
        };
        let s = current
            .as_mut()
            .ok_or_else(|| err(n, raw, "a value line before the key line"))?;
        if let Some(prev) = s.release
            && prev != value
        {
            return Err(err(
                n,
                raw,
                &format!(
                    "a second Release value for {} (the first was {prev})",
                    s.name
                ),
            ));
        }
        s.release = Some(value);
    }
    if let Some(s) = current.take() {
        sections.push(s);
    }
    if sections.is_empty() {
        return Err(err(0, "", "no reg query output found (empty file?)"));
    }
    let mut out = Vec::new();
    for s in sections {
        let mut f = DcFacts::new(s.name.clone());
        f.errors = s.errors;
        match (s.release, s.missing) {
            (Some(r), _) => f.dotnet_release = Some(r),
            (None, true) => f.dotnet_release = Some(0),
            (None, false) if !f.errors.is_empty() => {}
            (None, false) => {
                return Err(err(
                    s.line,
                    &s.name,
                    "no Release value for this DC (run reg query with /v Release and paste the whole output)",
                ));
            }
        }
        out.push(f);
    }
    Ok(out)
}

/// The DC name a file stands for when it does not say: its name without the extension.
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full\r\n    Release    REG_DWORD    0x80ff4\r\n\r\n";

    #[test]
    fn one_dc_named_by_the_file() {
        let r = parse(ONE, "FAB-DC02.txt", "FAB-DC02").unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].name, "FAB-DC02");
        assert_eq!(r[0].dotnet_release, Some(0x80ff4));
    }

    #[test]
    fn several_dcs_by_header_and_remote_key() {
        let text = "\
# DC: FAB-DC01
C:\\> reg query \"HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full\" /v Release

HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full
    Release    REG_DWORD    0x80ea8

DC: FAB-DC02
ERROR: The system was unable to find the specified registry key or value.

\\\\EMEA-DC01\\HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full
    Version    REG_SZ    4.8.04161
    Release    REG_DWORD    0x80ff4
End of search: 1 match(es) found.
";
        let r = parse(text, "all.txt", "all").unwrap();
        let names: Vec<_> = r
            .iter()
            .map(|f| (f.name.as_str(), f.dotnet_release))
            .collect();
        assert_eq!(
            names,
            vec![
                ("FAB-DC01", Some(0x80ea8)),
                ("FAB-DC02", Some(0)),
                ("EMEA-DC01", Some(0x80ff4))
            ]
        );
        // A header and a remote key line that contradict each other are refused, rather
        // than giving one DC the other's value.
        let e = parse("DC: FAB-DC05\n\\\\EMEA-DC01\\HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full\n", "m.txt", "m")
            .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(
            e.message.contains("EMEA-DC01") && e.message.contains("FAB-DC05"),
            "{e}"
        );
    }

    #[test]
    fn the_line_not_understood_is_named() {
        let text = format!("{ONE}    Release    REG_SZ    x\n");
        let e = parse(&text, "x.txt", "x").unwrap_err();
        assert_eq!(e.line, 5);
        let e = parse("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full\nRelease is 528040\n", "y.txt", "y")
            .unwrap_err();
        assert_eq!((e.line, e.text.as_str()), (2, "Release is 528040"));
        assert!(e.to_string().starts_with("y.txt:2: not understood"), "{e}");
        let e = parse(
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Client\n",
            "z.txt",
            "z",
        )
        .unwrap_err();
        assert!(e.message.contains("not the .NET key"), "{e}");
        let e = parse(
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full\n",
            "w.txt",
            "w",
        )
        .unwrap_err();
        assert!(e.message.contains("no Release value"), "{e}");
        assert!(parse("", "e.txt", "e").is_err());
        let e = parse("    Release    REG_DWORD    0x80ff4\n", "v.txt", "v").unwrap_err();
        assert!(e.message.contains("before the key line"), "{e}");
    }

    #[test]
    fn access_denied_is_kept_as_the_dc_s_error() {
        let r = parse("DC: FAB-DC04\nERROR: Access is denied.\n", "x.txt", "x").unwrap();
        assert_eq!(r[0].name, "FAB-DC04");
        assert_eq!(r[0].dotnet_release, None);
        assert!(
            r[0].errors[0].starts_with("dotnet_release: reg query said: ERROR: Access is denied.")
        );
    }
}
