//! Known errors in ATA gateway logs: each counted, with the last time it was seen.
//!
//! A consultant copies `C:\Program Files\Microsoft Advanced Threat Analytics\Gateway\Logs`
//! from each gateway into a folder per gateway (`logs/FAB-ATAGW01/…`) and passes the parent
//! with `--gateway-logs` (or records it as the engagement's `sources.gateway_logs`). Every
//! `*.log` file below is read line by line (they roll at 50 MB, ten kept); the subject is
//! the folder directly under the given one, i.e. the gateway. Only the line that starts an
//! entry is matched, not the stack trace lines under it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::Outcome;
use crate::model::Status;

/// One known error: what to look for, how bad it is, and what to do.
#[derive(Debug, Clone, Copy)]
pub struct KnownError {
    pub key: &'static str,
    /// Matched case-sensitively against the line, as ATA writes it.
    pub pattern: &'static str,
    pub status: Status,
    pub meaning: &'static str,
    pub remediation: &'static str,
}

/// The known errors, the most important first.
pub const KNOWN_ERRORS: &[KnownError] = &[
    // The gateway stops when the domain connectivity password is wrong; the sensors would
    // get the same credentials, so this must be fixed before the move (a Fail).
    KnownError {
        key: "credential_invalid",
        pattern: "The supplied credential is invalid.",
        status: Status::Fail,
        meaning: "the directory services account's password is wrong (the gateway stops)",
        remediation: "fix the password in ATA (Configuration → Directory services → Test connection → Save), \
                      check the gateway service runs, and give the sensors the correct credentials",
    },
    KnownError {
        key: "proxy_auth_407",
        pattern: "(407) Proxy Authentication Required",
        status: Status::Warn,
        meaning: "a proxy asked the gateway for credentials",
        remediation: "check the proxy path to the ATA Center; the sensors need their own proxy settings to the cloud",
    },
    KnownError {
        key: "ldap_unavailable",
        pattern: "The LDAP server is unavailable",
        status: Status::Warn,
        meaning: "a domain controller did not answer LDAP",
        remediation: "check the named DC and the network path from the gateway (the sensor needs LDAP to its DC too)",
    },
    KnownError {
        key: "certificate_chain",
        pattern: "Failed to validate certificate chain",
        status: Status::Warn,
        meaning: "the Center's certificate chain could not be validated (trust or revocation)",
        remediation: "check the CA chain and CRL reachability; TLS inspection between sensor and cloud is not supported",
    },
];

/// Counts per known error for one gateway.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub files: Vec<PathBuf>,
    pub lines: u64,
    /// key → (count, last timestamp seen, as written in the log).
    pub hits: BTreeMap<&'static str, (u64, Option<String>)>,
    /// Files that could not be read, with the error.
    pub unreadable: Vec<String>,
}

/// The `YYYY-MM-DD HH:MM:SS.ffff` at the start of an entry line, if any.
fn timestamp(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    if b.len() < 19 || !b[0].is_ascii_digit() || b[4] != b'-' || b[7] != b'-' || b[13] != b':' {
        return None;
    }
    let end = line.find(|c: char| c.is_whitespace()).map(|i| {
        // date, space, time: the timestamp ends at the second whitespace.
        line[i + 1..]
            .find(char::is_whitespace)
            .map_or(line.len(), |j| i + 1 + j)
    })?;
    Some(&line[..end])
}

/// Scans one file into `tally`.
pub fn scan_file(path: &Path, tally: &mut Tally) {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            tally.unreadable.push(format!("{}: {e}", path.display()));
            return;
        }
    };
    tally.files.push(path.to_path_buf());
    let mut reader = BufReader::new(file);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                tally.unreadable.push(format!("{}: {e}", path.display()));
                break;
            }
        }
        tally.lines += 1;
        // Logs are UTF-8 (NLog's default); a stray byte must not stop the scan.
        let line = String::from_utf8_lossy(&buf);
        // Stack trace lines start with whitespace; only entry lines count.
        if line.starts_with(char::is_whitespace) {
            continue;
        }
        for k in KNOWN_ERRORS {
            if line.contains(k.pattern) {
                let entry = tally.hits.entry(k.key).or_insert((0, None));
                entry.0 += 1;
                if let Some(ts) = timestamp(&line)
                    && entry.1.as_deref().is_none_or(|last| ts > last)
                {
                    entry.1 = Some(ts.to_string());
                }
            }
        }
    }
}

/// Every `*.log` under `dir`, grouped by gateway (the first folder level below `dir`; files
/// directly in `dir` are grouped under `dir`'s own name).
pub fn find_logs(dir: &Path) -> std::io::Result<BTreeMap<String, Vec<PathBuf>>> {
    let own_name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string());
    let mut groups: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("log"))
            {
                let rel = path.strip_prefix(dir).unwrap_or(&path);
                let mut parts = rel.components();
                let first = parts
                    .next()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned());
                let group = match (first, parts.next()) {
                    (Some(folder), Some(_)) => folder,
                    _ => own_name.clone(),
                };
                groups.entry(group).or_default().push(path);
            }
        }
    }
    for files in groups.values_mut() {
        files.sort();
    }
    Ok(groups)
}

/// Judges one gateway's tally.
pub fn judge(tally: &Tally) -> Outcome {
    let mut worst = Status::Pass;
    let mut found = Vec::new();
    let mut remedies = Vec::new();
    let mut o = Outcome::pass("");
    for k in KNOWN_ERRORS {
        if let Some((count, last)) = tally.hits.get(k.key) {
            if k.status == Status::Fail || (k.status == Status::Warn && worst == Status::Pass) {
                worst = k.status;
            }
            let last = last.as_deref().unwrap_or("time not recorded");
            found.push(format!(
                "{count} × \"{}\" (last {last}): {}",
                k.pattern, k.meaning
            ));
            remedies.push(k.remediation);
            o = o.ev(k.key, format!("{count} line(s), last seen {last}"));
        }
    }
    o = o
        .ev("files", tally.files.len().to_string())
        .ev("lines_read", tally.lines.to_string());
    if !tally.unreadable.is_empty() {
        o = o.ev("unreadable", tally.unreadable.join(" | "));
    }
    if found.is_empty() {
        if tally.files.is_empty() {
            o.status = Status::Unknown;
            o.reason = format!("no log file could be read: {}", tally.unreadable.join("; "));
        } else {
            o.reason = format!(
                "no known error in {} line(s) of {} file(s)",
                tally.lines,
                tally.files.len()
            );
        }
        return o;
    }
    o.status = worst;
    o.reason = found.join("; ");
    o.remedy(remedies.join("; "))
}

/// `ata.gateway_logs`: one result per gateway, or a single Unknown when no logs were given.
pub fn check(dir: Option<&Path>) -> Vec<(Option<String>, Outcome)> {
    let Some(dir) = dir else {
        return vec![(
            None,
            Outcome::unknown("no ATA gateway logs were given (optional)").remedy(
                "copy each gateway's Logs folder (…\\Microsoft Advanced Threat Analytics\\Gateway\\Logs) into one \
                 folder per gateway and pass the parent with --gateway-logs DIR",
            ),
        )];
    };
    let groups = match find_logs(dir) {
        Ok(g) => g,
        Err(e) => {
            return vec![(
                None,
                Outcome::unknown(format!(
                    "the gateway logs folder {} could not be read: {e}",
                    dir.display()
                ))
                .remedy("check the path given with --gateway-logs (or sources.gateway_logs)"),
            )];
        }
    };
    if groups.is_empty() {
        return vec![(
            None,
            Outcome::unknown(format!("no *.log file under {}", dir.display()))
                .remedy("copy the gateways' Logs folders there (Microsoft.Tri.Gateway*.log)"),
        )];
    }
    groups
        .into_iter()
        .map(|(gateway, files)| {
            let mut tally = Tally::default();
            for f in &files {
                scan_file(f, &mut tally);
            }
            (Some(gateway), judge(&tally))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
2026-11-03 08:14:22.5310 Error [CenterWebClient] System.Net.WebException: The remote server returned an error: (407) Proxy Authentication Required.
   at System.Net.HttpWebRequest.EndGetResponse(IAsyncResult asyncResult)
2026-11-12 07:45:12.4480 Error [DirectoryServicesClient] System.DirectoryServices.Protocols.LdapException: The supplied credential is invalid. [UserName=svc-ata]
   at X The supplied credential is invalid.
2026-11-12 07:51:12.6062 Error [DirectoryServicesClient] LdapException: The supplied credential is invalid. [DomainController=DC2]
2026-11-09 03:02:41.2260 Error [DirectoryServicesClient] LdapException: The LDAP server is unavailable. [DomainController=DC4]
";

    #[test]
    fn known_errors_are_counted_with_the_last_time_seen() {
        let dir = tempfile::tempdir().unwrap();
        let gw = dir.path().join("GW01");
        std::fs::create_dir(&gw).unwrap();
        std::fs::write(gw.join("Microsoft.Tri.Gateway-Errors.log"), LOG).unwrap();
        std::fs::write(
            gw.join("Microsoft.Tri.Gateway.log"),
            b"2026-11-13 01:00:00.0000 Info \xff fine\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("GW02")).unwrap();
        std::fs::write(
            dir.path().join("GW02").join("Microsoft.Tri.Gateway.log"),
            "2026-11-13 Info ok\n",
        )
        .unwrap();
        let r = check(Some(dir.path()));
        assert_eq!(r.len(), 2);
        let (s, o) = &r[0];
        assert_eq!(s.as_deref(), Some("GW01"));
        assert_eq!(o.status, Status::Fail);
        assert_eq!(
            o.evidence["credential_invalid"],
            "2 line(s), last seen 2026-11-12 07:51:12.6062"
        );
        assert_eq!(
            o.evidence["proxy_auth_407"],
            "1 line(s), last seen 2026-11-03 08:14:22.5310"
        );
        assert!(o.evidence.contains_key("ldap_unavailable"));
        assert!(
            o.reason
                .starts_with("2 × \"The supplied credential is invalid.\""),
            "{}",
            o.reason
        );
        assert_eq!(r[1].1.status, Status::Pass);
        assert_eq!(check(None)[0].1.status, Status::Unknown);
        assert_eq!(
            check(Some(&dir.path().join("missing")))[0].1.status,
            Status::Unknown
        );
    }

    #[test]
    fn timestamps_are_taken_from_entry_lines_only() {
        assert_eq!(
            timestamp("2026-11-12 07:45:12.4480 Error x"),
            Some("2026-11-12 07:45:12.4480")
        );
        assert_eq!(timestamp("   at X"), None);
        assert_eq!(timestamp("short"), None);
    }
}
