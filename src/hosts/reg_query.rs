//! `reg query` output pasted per domain controller: the .NET Framework `Release` value,
//! for when the collector script may not run.
//!
//! The consultant runs, on (or against) each DC, one of:
//!
//! ```text
//! reg query "HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full" /v Release
//! reg query "\\FAB-DC02\HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full"
//! Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full'
//! ```
//!
//! and saves the output in a file per DC (`FAB-DC02.txt`), or several in one file, each
//! after a header line `DC: FAB-DC02`. The DC is named, in this order, by the last header
//! line, by the `\\HOST\` of a remote key line (or `PSComputerName` of a remote
//! `Get-ItemProperty`), or by the file name. The parse is strict: a line that is none of
//! the forms below is an error naming the file, the line and what was expected, so a
//! pasted mistake is never read as a fact.
//!
//! Accepted lines: blank; a header (`DC: NAME`, `Host: NAME`, `Computer: NAME`, optionally
//! after `#`); the command itself as echoed by a prompt (`C:\> reg query …`,
//! `PS C:\> Get-ItemProperty …`); the key line; a value line (`Release    REG_DWORD
//! 0x80ff4`, other values of the key are allowed and ignored); a subkey line (`…\Full\1033`,
//! what `reg query` of the whole key lists after its values) or another key under `NDP`
//! (`reg query …\NDP /s`), whose values are skipped; `End of search: N match(es) found.`;
//! reg's `ERROR: The system was unable to find the specified registry key or value.`,
//! which means .NET Framework 4.5 or later is not installed (recorded as Release 0); and
//! PowerShell's list format (`Release       : 528372`, long values wrapped onto indented
//! lines), one block per key, whose `PSPath` must name the `Full` key.
//!
//! The parse is one pass over the lines with no recursion, whatever the input.

use std::path::Path;

use crate::model::DcFacts;

const NDP: &str = r"SOFTWARE\Microsoft\NET Framework Setup\NDP";
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

impl Section {
    fn new(name: impl Into<String>, line: usize) -> Self {
        Self {
            name: name.into(),
            line,
            release: None,
            missing: false,
            errors: Vec::new(),
        }
    }

    fn is_blank(&self) -> bool {
        self.release.is_none() && !self.missing && self.errors.is_empty()
    }
}

/// The DC named by a key line `\\HOST\HKEY_LOCAL_MACHINE\…` (or `\\HOST\HKLM\…`).
fn remote_host(key_line: &str) -> Option<&str> {
    let rest = key_line.strip_prefix(r"\\")?;
    let (host, _) = rest.split_once('\\')?;
    (!host.is_empty()).then_some(host)
}

/// What a key line names.
#[derive(Debug, PartialEq, Eq)]
enum Key {
    /// The .NET v4 `Full` key itself.
    Full,
    /// A subkey of it (`…\Full\1033`) or another key under `NDP` (`reg query …\NDP /s`):
    /// its values are not the `Release` wanted.
    Other,
}

/// What `line` names when it is a key line (local or remote, long or short hive, or
/// PowerShell's `HKLM:\` drive); `Err` for a key outside `NDP`.
fn key_line(line: &str) -> Option<Result<Key, String>> {
    let path = match remote_host(line) {
        Some(h) => &line[h.len() + 3..],
        None => line,
    };
    let upper = path.to_ascii_uppercase();
    let rest = upper
        .strip_prefix(r"HKEY_LOCAL_MACHINE\")
        .or_else(|| upper.strip_prefix(r"HKLM\"))
        .or_else(|| upper.strip_prefix(r"HKLM:\"))?;
    let rest = rest.trim_end_matches('\\');
    Some(if rest.eq_ignore_ascii_case(KEY) {
        Ok(Key::Full)
    } else if rest.len() > NDP.len() + 1
        // On bytes: the rest may hold any character, and NDP is ASCII.
        && rest.as_bytes()[..NDP.len()].eq_ignore_ascii_case(NDP.as_bytes())
        && rest.as_bytes()[NDP.len()] == b'\\'
    {
        Ok(Key::Other)
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
    host_name(value.trim())
}

fn host_name(value: &str) -> Option<&str> {
    let ok = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_');
    ok.then_some(value)
}

/// A property line of PowerShell's list format: `Name   : value` (the name padded to the
/// longest one of the block, the value possibly empty).
fn list_property(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(" :").or_else(|| line.split_once(':'))?;
    let name = name.trim_end();
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '(' | ')'));
    if !ok {
        return None;
    }
    // `Name : value` or `Name :` (empty value); `C:\…` after a name is not this form.
    match value.strip_prefix(' ') {
        Some(v) => Some((name, v.trim())),
        None if value.trim().is_empty() => Some((name, "")),
        None => None,
    }
}

/// The number PowerShell prints for a DWORD (decimal), or `reg`'s `0x…`.
fn number(v: &str) -> Option<u32> {
    match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

/// Parses one file's text. `file_stem` names the DC when nothing in the text does.
pub fn parse(text: &str, file: &str, file_stem: &str) -> Result<Vec<DcFacts>, ParseError> {
    let err = |line: usize, text: &str, message: &str| ParseError {
        file: file.to_string(),
        line,
        text: text.trim().chars().take(120).collect(),
        message: message.to_string(),
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut sections: Vec<Section> = Vec::new();
    let mut current: Option<Section> = None;
    // The key the value lines below belong to, once a key line was seen.
    let mut key: Option<Key> = None;
    // The first key line of another key, for the error when no `Full` key is found.
    let mut other: Option<(usize, &str)> = None;
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let n = i + 1;
        i += 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = header_name(line) {
            if let Some(s) = current.take() {
                sections.push(s);
            }
            current = Some(Section::new(name, n));
            key = None;
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
                    current = Some(Section::new(host, n));
                }
            }
            continue;
        }
        if lower.contains("get-itemproperty") {
            // `PS C:\> Get-ItemProperty 'HKLM:\…\Full'`: the block below says the key.
            continue;
        }
        if let Some(k) = key_line(line) {
            let k = k.map_err(|m| err(n, raw, &m))?;
            if k == Key::Other {
                // A subkey (`…\Full\1033`) or a sibling under NDP: not the DC's Release.
                key = Some(Key::Other);
                other.get_or_insert((n, raw));
                continue;
            }
            match (remote_host(line).map(str::to_string), &current) {
                (None, None) => current = Some(Section::new(file_stem, n)),
                (None, Some(_)) => {}
                (Some(h), Some(s)) if crate::model::same_host(&s.name, &h) => {}
                (Some(h), Some(s)) if s.is_blank() => {
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
                    current = Some(Section::new(h, n));
                }
            }
            key = Some(Key::Full);
            continue;
        }
        if lower.starts_with("end of search:") {
            continue;
        }
        if line == NOT_FOUND {
            let s = current.get_or_insert_with(|| Section::new(file_stem, n));
            s.missing = true;
            continue;
        }
        if line.starts_with("ERROR:") {
            // Access denied, network path not found…: the DC could not be read.
            let s = current.get_or_insert_with(|| Section::new(file_stem, n));
            s.errors
                .push(format!("dotnet_release: reg query said: {line}"));
            continue;
        }
        // A value line: NAME  REG_TYPE  DATA (DATA may hold spaces for REG_SZ).
        let mut parts = line.split_whitespace();
        let (name, kind) = (parts.next().unwrap_or_default(), parts.next());
        if let Some(kind) = kind.filter(|k| k.starts_with("REG_")) {
            match key {
                None => {
                    return Err(err(
                        n,
                        raw,
                        "a value line before the key line HKEY_LOCAL_MACHINE\\SOFTWARE\\…\\v4\\Full",
                    ));
                }
                Some(Key::Other) => continue,
                Some(Key::Full) => {}
            }
            if !name.eq_ignore_ascii_case("Release") {
                continue;
            }
            if kind != "REG_DWORD" {
                return Err(err(n, raw, "Release must be a REG_DWORD"));
            }
            let data: Vec<&str> = parts.collect();
            let value = match data.as_slice() {
                [v] => number(v).ok_or_else(|| {
                    err(
                        n,
                        raw,
                        "the Release value is not a number (expected 0x… as reg prints it)",
                    )
                })?,
                _ => return Err(err(n, raw, "expected exactly one value after REG_DWORD")),
            };
            let s = current
                .as_mut()
                .ok_or_else(|| err(n, raw, "a value line before the key line"))?;
            set_release(s, value).map_err(|m| err(n, raw, &m))?;
            continue;
        }
        if list_property(line).is_some() && key.is_none() {
            // PowerShell's list format: the whole block, up to the next blank line.
            let first = i - 1;
            let mut end = first;
            while end < lines.len() && !lines[end].trim().is_empty() {
                end += 1;
            }
            i = end;
            let block = list_block(&lines[first..end], first + 1)
                .map_err(|(at, m)| err(at, lines.get(at - 1).copied().unwrap_or_default(), &m))?;
            let Some(block) = block else {
                // Another key's properties (a subkey, v4\Client): not the DC's Release.
                continue;
            };
            let name = match (&block.computer, &current) {
                (Some(h), Some(s)) if !s.is_blank() && !crate::model::same_host(&s.name, h) => {
                    sections.extend(current.take());
                    h.clone()
                }
                (Some(h), None) => h.clone(),
                (_, Some(s)) => s.name.clone(),
                (None, None) => file_stem.to_string(),
            };
            let s = match current.as_mut() {
                Some(s) if crate::model::same_host(&s.name, &name) => s,
                _ => {
                    sections.extend(current.take());
                    current.insert(Section::new(name, first + 1))
                }
            };
            match block.release {
                Some((at, value)) => {
                    set_release(s, value).map_err(|m| err(at, lines[at - 1], &m))?;
                }
                None => s.missing = false,
            }
            continue;
        }
        return Err(err(
            n,
            raw,
            if kind.is_none() {
                "not understood; expected a value line like 'Release    REG_DWORD    0x80ff4'"
            } else {
                "not understood; expected a header 'DC: NAME', the key line, or a value line 'Release    REG_DWORD    0x…'"
            },
        ));
    }
    if let Some(s) = current.take() {
        sections.push(s);
    }
    if sections.is_empty() {
        return Err(match other {
            Some((n, raw)) => err(
                n,
                raw,
                &format!(
                    "this output shows other keys only; the Release value is under HKEY_LOCAL_MACHINE\\{KEY}"
                ),
            ),
            None => err(0, "", "no reg query output found (empty file?)"),
        });
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

fn set_release(s: &mut Section, value: u32) -> Result<(), String> {
    if let Some(prev) = s.release
        && prev != value
    {
        return Err(format!(
            "a second Release value for {} (the first was {prev})",
            s.name
        ));
    }
    s.release = Some(value);
    Ok(())
}

/// One block of `Get-ItemProperty` output.
struct ListBlock {
    /// The `Release` value and its line.
    release: Option<(usize, u32)>,
    /// `PSComputerName`, when the command ran remotely (`Invoke-Command`).
    computer: Option<String>,
}

/// Reads one list-format block (`lines`, the first at line `first`). `Ok(None)` when its
/// `PSPath` names another key under `NDP`.
fn list_block(lines: &[&str], first: usize) -> Result<Option<ListBlock>, (usize, String)> {
    let mut props: Vec<(usize, String, String)> = Vec::new();
    for (k, raw) in lines.iter().enumerate() {
        let n = first + k;
        if raw.starts_with([' ', '\t']) {
            // A long value wrapped by the console: PowerShell breaks at a space.
            match props.last_mut() {
                Some((_, _, v)) => {
                    v.push(' ');
                    v.push_str(raw.trim());
                }
                None => return Err((n, "a continuation line before any property".into())),
            }
            continue;
        }
        let Some((name, value)) = list_property(raw.trim()) else {
            return Err((
                n,
                "not understood; Get-ItemProperty output has lines like 'Release       : 528372'"
                    .into(),
            ));
        };
        props.push((n, name.to_string(), value.to_string()));
    }
    let get = |name: &str| props.iter().find(|(_, k, _)| k.eq_ignore_ascii_case(name));
    if let Some((n, _, path)) = get("PSPath") {
        let path = path.rsplit("::").next().unwrap_or(path);
        match key_line(path) {
            Some(Ok(Key::Full)) => {}
            Some(Ok(Key::Other)) => return Ok(None),
            Some(Err(m)) => return Err((*n, m)),
            None => {
                return Err((
                    *n,
                    format!(
                        "PSPath does not name a registry key (expected …HKEY_LOCAL_MACHINE\\{KEY})"
                    ),
                ));
            }
        }
    } else if let Some((n, _, child)) = get("PSChildName")
        && !child.eq_ignore_ascii_case("Full")
    {
        return Err((
            *n,
            "PSChildName is not Full: this is not the .NET v4 Full key".into(),
        ));
    }
    let release = match get("Release") {
        Some((n, _, v)) => Some((
            *n,
            number(v).ok_or((*n, "the Release value is not a number".to_string()))?,
        )),
        None => None,
    };
    let computer = match get("PSComputerName") {
        Some((n, _, v)) => Some(
            host_name(v)
                .ok_or((*n, "PSComputerName is not a host name".to_string()))?
                .to_string(),
        ),
        None => None,
    };
    if release.is_none() && get("PSPath").is_none() && get("PSChildName").is_none() {
        return Err((
            first,
            "not understood; expected Get-ItemProperty output of the .NET v4 Full key (with its PSPath)".into(),
        ));
    }
    Ok(Some(ListBlock { release, computer }))
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
        assert!(
            e.message.contains("other keys only") && e.message.contains(r"NDP\v4\Full"),
            "{e}"
        );
        let e = parse(
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\n",
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
