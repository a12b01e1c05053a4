//! Known errors in the logs of ATA gateways and, after the move, of the sensors: each
//! counted, with the last time it was seen.
//!
//! A consultant copies each host's Logs folder into one folder per host under one logs
//! folder (`logs/FAB-ATAGW01/…`, `logs/FAB-DC01/…`) and passes the parent with
//! `--gateway-logs` (or records it as the engagement's `sources.gateway_logs`):
//! `C:\Program Files\Microsoft Advanced Threat Analytics\Gateway\Logs` from each ATA
//! gateway, `C:\Program Files\Azure Advanced Threat Protection Sensor\<version>\Logs` from
//! each sensor. Files named `Microsoft.Tri.Sensor*` are the sensor's (its error log is
//! `Microsoft.Tri.Sensor-Errors.log`), every other `*.log` the gateway's. Each is read line
//! by line (they roll at 50 MB, ten kept); the subject is the folder directly under the
//! given one, i.e. the host. Only the line that starts an entry is matched, not the stack
//! trace lines under it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::Outcome;
use crate::model::{Action, Inventory, Status};

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

/// The known errors of the sensor's logs (Microsoft.Tri.Sensor-Errors.log and the
/// updater's), the most important first. The strings are those of Microsoft's known-issues
/// pages for the sensor (medium confidence that a given release writes them verbatim).
pub const SENSOR_KNOWN_ERRORS: &[KnownError] = &[
    // The same words as seed 002's gateway error: the account the sensors use is wrong.
    KnownError {
        key: "credential_invalid",
        pattern: "The supplied credential is invalid.",
        status: Status::Fail,
        meaning: "the directory services account's password is wrong",
        remediation: "correct the account's password in the portal's Directory services settings (the health issue \
                      \"Directory services user credentials are incorrect\" says the same)",
    },
    KnownError {
        key: "gmsa_password",
        pattern: "GMSA password could not be retrieved",
        status: Status::Fail,
        meaning: "the sensor could not retrieve the gMSA's password",
        remediation: "allow the sensor's computer to retrieve the gMSA's password (PrincipalsAllowedToRetrieveManagedPassword) \
                      and grant the gMSA \"Log on as a service\" if that right is restricted",
    },
    KnownError {
        key: "unable_to_connect",
        pattern: "Unable to connect to the remote server",
        status: Status::Warn,
        meaning: "the sensor could not open a connection (to its updater on localhost TCP 444, or to the cloud)",
        remediation: "make sure nothing blocks localhost TCP 444 and that the sensor reaches the cloud service \
                      (directly or through its proxy)",
    },
    KnownError {
        key: "proxy_auth_407",
        pattern: "(407) Proxy Authentication Required",
        status: Status::Warn,
        meaning: "a proxy asked the sensor for credentials",
        remediation: "let the sensor through the proxy without authentication, or set the proxy credentials of the sensor",
    },
    KnownError {
        key: "certificate_invalid",
        pattern: "The remote certificate is invalid",
        status: Status::Warn,
        meaning: "the cloud's certificate was not trusted (TLS inspection, or a missing root certificate)",
        remediation: "exclude the sensor's traffic from TLS inspection and install the root certificates (dc.root_certificates)",
    },
    KnownError {
        key: "ldap_unavailable",
        pattern: "The LDAP server is unavailable",
        status: Status::Warn,
        meaning: "a domain controller did not answer LDAP",
        remediation: "check the named DC and the network path from the sensor",
    },
];

/// Counts per known error for one host.
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

/// Scans one gateway log file into `tally`.
pub fn scan_file(path: &Path, tally: &mut Tally) {
    scan_file_for(path, KNOWN_ERRORS, tally);
}

/// Scans one file into `tally`, looking for `known`.
pub fn scan_file_for(path: &Path, known: &[KnownError], tally: &mut Tally) {
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
        for k in known {
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
    judge_for(tally, KNOWN_ERRORS)
}

/// Judges one host's tally against `known`.
pub fn judge_for(tally: &Tally, known: &[KnownError]) -> Outcome {
    let mut worst = Status::Pass;
    let mut found = Vec::new();
    let mut remedies = Vec::new();
    let mut o = Outcome::pass("");
    for k in known {
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

/// True for the sensor's own files (`Microsoft.Tri.Sensor.log`, `-Errors.log`, the
/// updater's); every other log in a host's folder is an ATA gateway's.
pub fn is_sensor_log(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|n| n.starts_with("microsoft.tri.sensor"))
}

/// The logs folder read once: per host, the tally of its gateway logs and of its sensor
/// logs (a host appears in a map only when it has files of that kind).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scan {
    pub dir: PathBuf,
    pub gateways: BTreeMap<String, Tally>,
    pub sensors: BTreeMap<String, Tally>,
}

impl Scan {
    /// The gateway-log tally of the folder named like `host` (short or DNS name).
    pub fn gateway(&self, host: &str) -> Option<&Tally> {
        self.gateways
            .iter()
            .find(|(k, _)| crate::model::same_host(k, host))
            .map(|(_, t)| t)
    }
}

/// What the logs folder gave: its scan, or why there is none (an Unknown for every log
/// check).
pub type Scanned = Result<Scan, Outcome>;

const COPY_LOGS: &str = "copy each ATA gateway's Logs folder (…\\Microsoft Advanced Threat Analytics\\Gateway\\Logs) and, \
     after the move, each sensor's (…\\Azure Advanced Threat Protection Sensor\\<version>\\Logs) into one folder per \
     host under one logs folder";

/// Reads every log under `dir` once.
pub fn scan(dir: Option<&Path>) -> Scanned {
    let Some(dir) = dir else {
        return Err(Outcome::unknown("no logs folder was given (optional)")
            .remedy(COPY_LOGS)
            .act(Action::GatewayLogs));
    };
    let groups = find_logs(dir).map_err(|e| {
        Outcome::unknown(format!(
            "the logs folder {} could not be read: {e}",
            dir.display()
        ))
        .act(Action::GatewayLogsPath)
    })?;
    let mut out = Scan {
        dir: dir.to_path_buf(),
        ..Scan::default()
    };
    for (host, files) in groups {
        for f in files {
            if is_sensor_log(&f) {
                scan_file_for(
                    &f,
                    SENSOR_KNOWN_ERRORS,
                    out.sensors.entry(host.clone()).or_default(),
                );
            } else {
                scan_file_for(
                    &f,
                    KNOWN_ERRORS,
                    out.gateways.entry(host.clone()).or_default(),
                );
            }
        }
    }
    Ok(out)
}

/// `ata.gateway_logs`: one result per gateway, or a single Unknown when there are none.
pub fn gateway_results(scanned: &Scanned) -> Vec<(Option<String>, Outcome)> {
    let scan = match scanned {
        Err(o) => return vec![(None, o.clone())],
        Ok(s) => s,
    };
    if scan.gateways.is_empty() {
        return vec![(
            None,
            Outcome::unknown(format!(
                "no ATA gateway log (Microsoft.Tri.Gateway*.log) under {}",
                scan.dir.display()
            ))
            .remedy("copy the gateways' Logs folders there, one folder per gateway"),
        )];
    }
    scan.gateways
        .iter()
        .map(|(gateway, tally)| (Some(gateway.clone()), judge(tally)))
        .collect()
}

/// `ata.gateway_logs` straight from a folder (the scan and the judgement in one).
pub fn check(dir: Option<&Path>) -> Vec<(Option<String>, Outcome)> {
    gateway_results(&scan(dir))
}

/// `dc.sensor_logs`: one result per host whose sensor logs were copied, and an Unknown for
/// each DC whose facts say a sensor is installed but whose logs are missing. Before the
/// sensors are installed there is nothing to read: a single Unknown says so.
pub fn sensor_results(scanned: &Scanned, inv: &Inventory) -> Vec<(Option<String>, Outcome)> {
    const AFTER_INSTALL: &str =
        "the sensors' error logs are read after they are installed (validation)";
    let scan = match scanned {
        Err(o) => {
            let mut o = o.clone();
            o.reason = format!("{}: {AFTER_INSTALL}", o.reason);
            return vec![(None, o)];
        }
        Ok(s) => s,
    };
    let installed: Vec<&str> = inv
        .hosts
        .iter()
        .filter(|h| h.atp_sensor_installed == Some(true))
        .map(|h| h.name.as_str())
        .collect();
    if scan.sensors.is_empty() && installed.is_empty() {
        return vec![(
            None,
            Outcome::unknown(format!(
                "no sensor log (Microsoft.Tri.Sensor-Errors.log) under {}, and no DC facts say a sensor is installed: \
                 {AFTER_INSTALL}",
                scan.dir.display()
            ))
            .remedy(COPY_LOGS).act(Action::GatewayLogs),
        )];
    }
    let mut out: Vec<(Option<String>, Outcome)> = scan
        .sensors
        .iter()
        .map(|(host, tally)| {
            let mut o = judge_for(tally, SENSOR_KNOWN_ERRORS);
            if o.status == Status::Pass {
                o.reason = format!(
                    "{}; review the rest of the error log for anything unusual",
                    o.reason
                );
            }
            (Some(host.clone()), o)
        })
        .collect();
    for name in installed {
        if !scan
            .sensors
            .keys()
            .any(|k| crate::model::same_host(k, name))
        {
            out.push((
                Some(name.to_string()),
                Outcome::unknown(format!(
                    "the sensor is installed on {name}, but its logs are not under {}",
                    scan.dir.display()
                ))
                .remedy(COPY_LOGS)
                .act(Action::GatewayLogs),
            ));
        }
    }
    out
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

    #[test]
    fn sensor_logs_are_told_from_gateway_logs_and_judged_per_dc() {
        let dir = tempfile::tempdir().unwrap();
        let dc1 = dir.path().join("DC1");
        std::fs::create_dir(&dc1).unwrap();
        // A DC that ran a Lightweight Gateway and now a sensor: both kinds in one folder.
        std::fs::write(
            dc1.join("Microsoft.Tri.Gateway-Errors.log"),
            "2026-11-01 10:00:00.0000 Info ok\n",
        )
        .unwrap();
        std::fs::write(
            dc1.join("Microsoft.Tri.Sensor-Errors.log"),
            "2026-11-20 10:00:00.1000 Error [SensorApi] System.Net.Http.HttpRequestException: An error occurred while \
             sending the request. ---> System.Net.WebException: Unable to connect to the remote server\n\
             2026-11-20 11:00:00.2000 Warn GroupManagedServiceAccountImpersonationHelper GetGroupManagedServiceAccountAccessTokenAsync \
             failed GMSA password could not be retrieved [errorCode=AccessDenied AccountName=gmsa-mdi]\n",
        )
        .unwrap();
        let dc2 = dir.path().join("DC2");
        std::fs::create_dir(&dc2).unwrap();
        std::fs::write(
            dc2.join("microsoft.tri.sensor-errors.log"),
            "2026-11-20 09:00:00.0000 Info started\n",
        )
        .unwrap();
        let scanned = scan(Some(dir.path()));
        let read = scanned.as_ref().unwrap();
        assert_eq!(read.gateways.keys().collect::<Vec<_>>(), ["DC1"]);
        assert_eq!(read.sensors.keys().collect::<Vec<_>>(), ["DC1", "DC2"]);

        let mut inv = Inventory::new(chrono::Utc::now());
        let mut f = crate::model::DcFacts::new("DC3.example.test");
        f.atp_sensor_installed = Some(true);
        inv.hosts.push(f);
        let r = sensor_results(&scanned, &inv);
        let get = |n: &str| {
            r.iter()
                .find(|(s, _)| s.as_deref() == Some(n))
                .unwrap()
                .1
                .clone()
        };
        let o = get("DC1");
        assert_eq!(o.status, Status::Fail, "{}", o.reason);
        assert!(
            o.evidence.contains_key("gmsa_password")
                && o.evidence.contains_key("unable_to_connect")
        );
        assert_eq!(get("DC2").status, Status::Pass);
        assert!(get("DC2").reason.contains("review the rest"));
        // Installed, but its logs were not copied.
        assert_eq!(get("DC3.example.test").status, Status::Unknown);
        // The gateway check ignores the sensor's files.
        assert_eq!(gateway_results(&scanned).len(), 1);

        // Before the move: no sensor log, no sensor installed: one Unknown saying so.
        let empty = tempfile::tempdir().unwrap();
        let r = sensor_results(&scan_dir(empty.path()), &Inventory::new(chrono::Utc::now()));
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].1.status, Status::Unknown);
        assert!(
            r[0].1.reason.contains("after they are installed"),
            "{}",
            r[0].1.reason
        );
        let r = sensor_results(&super::scan(None), &Inventory::new(chrono::Utc::now()));
        assert!(
            r[0].1.reason.contains("after they are installed"),
            "{}",
            r[0].1.reason
        );
    }

    fn scan_dir(p: &Path) -> Scanned {
        scan(Some(p))
    }
}
