//! Facts about the hosts: the DC facts and Center facts the collector scripts write, and
//! `reg query` output pasted per domain controller; and the two scripts themselves.
//!
//! | source | reader | lands in |
//! |---|---|---|
//! | `Get-DcFacts.ps1` JSON ([`DcFactsFile`]) | [`read_dc_facts`] | `inventory.hosts`, merged per DC by name |
//! | `reg query …\v4\Full` or `Get-ItemProperty` text | [`reg_query::parse`] | `inventory.hosts[].dotnet_release` |
//! | `Get-CenterFacts.ps1` JSON ([`CenterFactsFile`]) | [`read_center_facts`] | `ata.role_groups`, `ata.center.certificates`, `ata.center.mongo_version`, `ata.center.host`, `.host_addresses`, `.console_resolution`; the Center's `RestrictRemoteSAM` in `inventory.servers` |
//! | `auditpol /get /category:* /r` text | [`auditpol::parse`] | `inventory.hosts[].audit_policy` |
//! | `Get-ServerFacts.ps1` JSON ([`ServerFactsFile`]) | [`read_server_facts`] | `inventory.servers` (AD CS, AD FS, Entra Connect) |
//!
//! Facts about one DC from several sources are merged with [`DcFacts::merge`]: the first
//! source to know a value keeps it. Files written by Windows PowerShell are often UTF-16
//! (`>` redirection) or carry a byte-order mark; both are accepted. A collector's value
//! that does not fit the model costs that value only (`hosts/json.rs`): the source is partial and
//! the value named in `not_found` and in its host's errors.

pub mod auditpol;
mod json;
pub use json::{LeftOut, Read};
pub mod reg_query;

use std::path::{Path, PathBuf};

use json::Hosts;

use crate::model::{
    CenterFactsFile, DcFacts, DcFactsFile, Inventory, NotFound, SCHEMA_VERSION, ServerFacts,
    ServerFactsFile, ServerRole, Source, SourceKind, SourceStatus,
};
use crate::progress::Progress;

/// Where host facts come from.
#[derive(Debug, Clone, Default)]
pub struct HostSources {
    /// JSON written by `ata2atp collector dc-facts`.
    pub dc_facts: Vec<PathBuf>,
    /// `reg query` output for the .NET `Release` value, one file per DC (named after it).
    pub reg_query: Vec<PathBuf>,
    /// JSON written by `ata2atp collector center-facts`.
    pub center_facts: Option<PathBuf>,
    /// `auditpol /get /category:* /r` output, one file per DC (or named inside).
    pub auditpol: Vec<PathBuf>,
    /// JSON written by `ata2atp collector server-facts` (AD CS, AD FS, Entra Connect).
    pub server_facts: Vec<PathBuf>,
}

impl HostSources {
    pub fn is_empty(&self) -> bool {
        self.dc_facts.is_empty()
            && self.reg_query.is_empty()
            && self.center_facts.is_none()
            && self.auditpol.is_empty()
            && self.server_facts.is_empty()
    }
}

/// A host facts file could not be read. Every message names the file (and line) and the
/// next step.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("could not read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {message}; {expected}", path.display())]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
        expected: Expected,
    },
    #[error(
        "{} was written for a newer ata2atp (schema version {found}; this build reads up to {SCHEMA_VERSION}); \
         upgrade ata2atp, or collect again with the script this build prints",
        path.display()
    )]
    SchemaTooNew { path: PathBuf, found: u32 },
    #[error("{0}; {next}", next = Expected::RegQuery)]
    RegQuery(#[from] reg_query::ParseError),
    #[error("{0}")]
    Auditpol(#[from] auditpol::ParseError),
    /// Not text, empty, or a host without a name.
    #[error("{}: {message}; {expected}", path.display())]
    Invalid {
        path: PathBuf,
        message: String,
        expected: Expected,
    },
}

/// What a host file was expected to be: every message about a bad one ends with it, as the
/// consultant's next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// The JSON a collector script writes.
    Collector {
        script: &'static str,
        collector: &'static str,
    },
    RegQuery,
    Auditpol,
}

const DC_FACTS: Expected = Expected::Collector {
    script: "Get-DcFacts.ps1",
    collector: "dc-facts",
};
const CENTER_FACTS: Expected = Expected::Collector {
    script: "Get-CenterFacts.ps1",
    collector: "center-facts",
};
const SERVER_FACTS: Expected = Expected::Collector {
    script: "Get-ServerFacts.ps1",
    collector: "server-facts",
};

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Collector { script, collector } => write!(
                f,
                "the file must be the JSON {script} writes (`ata2atp collector {collector}`)"
            ),
            Self::RegQuery => f.write_str(
                "paste the output of reg query \"HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full\" \
                 /v Release (or of Get-ItemProperty of that key) unchanged",
            ),
            Self::Auditpol => f.write_str(
                "paste the output of `auditpol /get /category:* /r` (or the file \
                 `auditpol /backup /file:FILE` writes) unchanged",
            ),
        }
    }
}

impl Error {
    /// Host facts are always files the consultant gave: a bad one is bad input.
    pub fn kind(&self) -> crate::kind::ErrorKind {
        crate::kind::ErrorKind::Input
    }
}

/// The file as text; bytes that are not text (a BSON dump given by mistake) are refused
/// with what the file should have been.
fn read_text(path: &Path, expected: Expected) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    decode(bytes, path, expected)
}

fn decode(bytes: Vec<u8>, path: &Path, expected: Expected) -> Result<String, Error> {
    // Pasted console output may be in a code page; the collectors write UTF-8 and say so.
    let text = match expected {
        Expected::Collector { .. } => crate::text::decode_text(bytes),
        Expected::RegQuery | Expected::Auditpol => crate::text::decode_console_text(bytes),
    };
    text.map_err(|e| Error::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
        expected,
    })
}

/// Reads one DC facts file and checks what serde cannot: every DC has a name.
pub fn read_dc_facts(path: &Path) -> Result<Read<DcFactsFile>, Error> {
    let text = read_text(path, DC_FACTS)?;
    let read: Read<DcFactsFile> =
        json::parse(path, &text, DC_FACTS, Hosts::In("domain_controllers"))?;
    for (i, dc) in read.file.domain_controllers.iter().enumerate() {
        if dc.name.trim().is_empty() {
            return Err(Error::Invalid {
                path: path.to_path_buf(),
                message: format!("domain_controllers[{i}] has an empty name"),
                expected: DC_FACTS,
            });
        }
    }
    Ok(read)
}

/// Reads one Center facts file.
pub fn read_center_facts(path: &Path) -> Result<Read<CenterFactsFile>, Error> {
    let text = read_text(path, CENTER_FACTS)?;
    json::parse(path, &text, CENTER_FACTS, Hosts::Root)
}

/// Reads one server facts file and checks that every server has a name.
pub fn read_server_facts(path: &Path) -> Result<Read<ServerFactsFile>, Error> {
    let text = read_text(path, SERVER_FACTS)?;
    let read: Read<ServerFactsFile> = json::parse(path, &text, SERVER_FACTS, Hosts::In("servers"))?;
    for (i, s) in read.file.servers.iter().enumerate() {
        if s.name.trim().is_empty() {
            return Err(Error::Invalid {
                path: path.to_path_buf(),
                message: format!("servers[{i}] has an empty name"),
                expected: SERVER_FACTS,
            });
        }
    }
    Ok(read)
}

/// Adds facts about one server to `servers`: merged into the entry of the same host
/// (roles joined, known values kept), else added.
pub fn merge_server(servers: &mut Vec<ServerFacts>, facts: ServerFacts) {
    match servers
        .iter_mut()
        .find(|s| crate::model::same_host(&s.name, &facts.name))
    {
        Some(existing) => {
            for r in facts.roles {
                if !existing.roles.contains(&r) {
                    existing.roles.push(r);
                }
            }
            existing.roles.sort();
            macro_rules! fill {
                ($($f:ident),*) => { $( if existing.$f.is_none() { existing.$f = facts.$f; } )* };
            }
            fill!(
                collected_at,
                os_build,
                audit_policy,
                ca_name,
                ca_audit_filter,
                adfs_audit_level,
                restrict_remote_sam
            );
            existing.errors.extend(facts.errors);
        }
        None => servers.push(facts),
    }
}

/// Reads `reg query` (or `Get-ItemProperty`) output: one or more DCs' `Release` values.
pub fn read_reg_query(path: &Path) -> Result<Vec<DcFacts>, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    reg_query_from_bytes(&bytes, path, &reg_query::stem(path))
}

/// [`read_reg_query`] on bytes already read: `path` names the file in errors, `dc` is the
/// DC the file stands for when its text does not name one.
pub fn reg_query_from_bytes(bytes: &[u8], path: &Path, dc: &str) -> Result<Vec<DcFacts>, Error> {
    let text = decode(bytes.to_vec(), path, Expected::RegQuery)?;
    Ok(reg_query::parse(&text, &path.display().to_string(), dc)?)
}

/// Adds facts about one DC to `hosts`: merged into the entry of the same host, else added.
pub fn merge_host(hosts: &mut Vec<DcFacts>, facts: DcFacts) {
    match hosts.iter_mut().find(|h| h.matches_name(&facts.name)) {
        Some(existing) => {
            // Keep the fuller name (the DNS name over the short one).
            if facts.name.len() > existing.name.len() && facts.name.contains('.') {
                existing.name = facts.name.clone();
            }
            existing.merge(facts);
        }
        None => hosts.push(facts),
    }
}

fn normalise_thumbprint(t: &str) -> String {
    t.chars()
        .filter(|c| c.is_ascii_hexdigit())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Puts the Center facts where the inventory keeps them: role groups (replaced: the file
/// is the only source), certificates (merged by thumbprint), mongod's version (only when
/// no live database already said).
pub fn apply_center_facts(inventory: &mut Inventory, facts: CenterFactsFile) {
    if !facts.role_groups.is_empty() {
        inventory.ata.role_groups = facts.role_groups;
    }
    let center = &mut inventory.ata.center;
    for cert in facts.certificates {
        let key = normalise_thumbprint(&cert.thumbprint);
        match center
            .certificates
            .iter_mut()
            .find(|c| normalise_thumbprint(&c.thumbprint) == key)
        {
            Some(existing) => *existing = cert,
            None => center.certificates.push(cert),
        }
    }
    if center.mongo_version.is_none() {
        center.mongo_version = facts.mongo_version;
    }
    // The file is the only source of these: replaced, like the role groups.
    if !facts.ip_addresses.is_empty() {
        center.host_addresses = facts.ip_addresses;
    }
    if !facts.console_resolution.is_empty() {
        center.console_resolution = facts.console_resolution;
    }
    if facts.host.is_some() {
        center.host = facts.host.clone();
    }
    // The Center is a member server: its RestrictRemoteSAM is a sample of what the
    // computers the sensors query over SAM-R say.
    if let (Some(host), Some(sddl)) = (facts.host, facts.restrict_remote_sam) {
        let mut server = ServerFacts::new(host);
        server.roles = vec![ServerRole::AtaCenter];
        server.collected_at = facts.collected_at;
        server.os_build = facts.os_build;
        server.restrict_remote_sam = Some(sddl);
        merge_server(&mut inventory.servers, server);
    }
}

/// Reads every host facts source into `inventory.hosts` and the Center's facts, and
/// records each source read.
pub fn collect_into(
    sources: &HostSources,
    inventory: &mut Inventory,
    progress: &dyn Progress,
) -> Result<(), Error> {
    let mut read =
        |kind, path: &Path, add: &mut Add<'_>| read_source(inventory, progress, kind, path, add);
    for path in &sources.dc_facts {
        read(SourceKind::DcFacts, path, &mut |inv, source| {
            let Read { file, left_out } = read_dc_facts(path)?;
            source.read_at = file.collected_at;
            let done = add_dcs(inv, file.domain_controllers, source);
            record_left_out(inv, source, left_out);
            Ok(done)
        })?;
    }
    for path in &sources.reg_query {
        read(SourceKind::RegQuery, path, &mut |inv, source| {
            Ok(add_dcs(inv, read_reg_query(path)?, source))
        })?;
    }
    for path in &sources.auditpol {
        read(SourceKind::Auditpol, path, &mut |inv, source| {
            Ok(add_dcs(inv, auditpol::read(path)?, source))
        })?;
    }
    for path in &sources.server_facts {
        read(SourceKind::ServerFacts, path, &mut |inv, source| {
            let Read { file, left_out } = read_server_facts(path)?;
            source.read_at = file.collected_at;
            let done = add_servers(inv, file.servers, source);
            record_left_out(inv, source, left_out);
            Ok(done)
        })?;
    }
    if let Some(path) = &sources.center_facts {
        read(SourceKind::CenterFacts, path, &mut |inv, source| {
            let Read {
                file: facts,
                left_out,
            } = read_center_facts(path)?;
            source.read_at = facts.collected_at;
            source.server_version = facts.mongo_version.clone();
            source.records = Some((facts.role_groups.len() + facts.certificates.len()) as u64);
            // What the script could not read (a certificate missing from the store…) is
            // worth seeing; what the reader left out is said once, by record_left_out.
            let notes: Vec<String> = left_out.iter().map(LeftOut::note).collect();
            let reported: Vec<&str> = facts
                .errors
                .iter()
                .filter(|e| !notes.contains(e))
                .map(String::as_str)
                .collect();
            if !reported.is_empty() {
                source.error = Some(format!("the script reported: {}", reported.join("; ")));
            }
            apply_center_facts(inv, facts);
            record_left_out(inv, source, left_out);
            Ok("read".to_string())
        })?;
    }
    Ok(())
}

/// Reads one file into the inventory, fills in its source record and says what it read.
type Add<'a> = dyn FnMut(&mut Inventory, &mut Source) -> Result<String, Error> + 'a;

/// One facts file: its progress task, and its record in `inventory.sources` once `add`
/// has read it into the inventory, filled the record and said what it read.
fn read_source(
    inventory: &mut Inventory,
    progress: &dyn Progress,
    kind: SourceKind,
    path: &Path,
    add: &mut Add<'_>,
) -> Result<(), Error> {
    let task = format!("{kind} {}", path.display());
    progress.start(&task, None);
    let mut source = Source::ok(kind, path.display().to_string());
    let done = add(inventory, &mut source)?;
    inventory.sources.push(source);
    progress.finish(&task, &done);
    Ok(())
}

/// Servers from one file merged into `inventory.servers`.
fn add_servers(
    inventory: &mut Inventory,
    servers: Vec<ServerFacts>,
    source: &mut Source,
) -> String {
    let n = servers.len();
    let with_errors = servers.iter().filter(|s| !s.errors.is_empty()).count();
    record_hosts(source, n, with_errors, "server(s)");
    for s in servers {
        merge_server(&mut inventory.servers, s);
    }
    format!("{n} server(s)")
}

/// Domain controllers from one file merged into `inventory.hosts`.
fn add_dcs(inventory: &mut Inventory, dcs: Vec<DcFacts>, source: &mut Source) -> String {
    let n = dcs.len();
    let with_errors = dcs.iter().filter(|d| !d.errors.is_empty()).count();
    record_hosts(source, n, with_errors, "DC(s)");
    for dc in dcs {
        merge_host(&mut inventory.hosts, dc);
    }
    format!("{n} domain controller(s)")
}

/// Values of a file that did not fit: the source is partial, and each is in `not_found`
/// with serde's reason.
fn record_left_out(inventory: &mut Inventory, source: &mut Source, left_out: Vec<LeftOut>) {
    if left_out.is_empty() {
        return;
    }
    let said = format!(
        "{} value(s) of an unexpected type or name left out (each in not_found and in its host's errors)",
        left_out.len()
    );
    source.status = SourceStatus::Partial;
    source.error = Some(match source.error.take() {
        Some(before) => format!("{before}; {said}"),
        None => said,
    });
    for one in left_out {
        inventory.not_found.push(NotFound {
            item: format!("hosts: {} {}", one.host, one.value),
            tried: vec![source.location.clone()],
            reason: Some(one.reason),
        });
    }
}

/// A file's host count on its source record. A host's own read errors stay with the
/// host (the checks name them); the source only says that there are some.
fn record_hosts(source: &mut Source, n: usize, with_errors: usize, hosts: &str) {
    source.records = Some(n as u64);
    if with_errors > 0 {
        source.error = Some(format!(
            "{with_errors} of {n} {hosts} report facts that could not be read"
        ));
    }
}

const DC_FACTS_SCRIPT: &str = include_str!("Get-DcFacts.ps1");
const CENTER_FACTS_SCRIPT: &str = include_str!("Get-CenterFacts.ps1");
const SERVER_FACTS_SCRIPT: &str = include_str!("Get-ServerFacts.ps1");

/// Blocks two scripts share, written once. Each script is handed to the customer alone, so
/// a script's line `{{include NAME}}` is replaced by the block, indented as that line is.
/// `audit-policy` runs auditpol into `$facts['audit_policy']` (failures into `$errors`);
/// `name-resolution` resolves the host `$h` into `$lookup`, a NameResolution;
/// `fact-entry` copies the keys of `$FactKeys` but `errors` from a host's `$r` into
/// `$entry`; `write-json` writes `$doc` to `$OutFile` and leaves its full path in `$path`.
const PARTS: [(&str, &str); 4] = [
    ("audit-policy", include_str!("parts/audit-policy.ps1")),
    ("name-resolution", include_str!("parts/name-resolution.ps1")),
    ("fact-entry", include_str!("parts/fact-entry.ps1")),
    ("write-json", include_str!("parts/write-json.ps1")),
];

/// The script as printed: shared blocks spliced in, the version stamped, CRLF line ends.
/// Windows PowerShell 5.1 reads a script without a byte-order mark in the system's ANSI
/// code page; the scripts are kept ASCII so that never matters.
fn stamp(script: &str) -> String {
    let mut out = String::with_capacity(script.len() * 2);
    for line in script.lines() {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        let part = body
            .strip_prefix("{{include ")
            .and_then(|rest| rest.strip_suffix("}}"))
            .and_then(|name| PARTS.iter().find(|(n, _)| *n == name));
        match part {
            Some((_, block)) => {
                for l in block.lines() {
                    if !l.is_empty() {
                        out.push_str(indent);
                        out.push_str(l);
                    }
                    out.push_str("\r\n");
                }
            }
            // An unknown name stays as it is; the tests refuse a script with `{{` left.
            None => {
                out.push_str(line);
                out.push_str("\r\n");
            }
        }
    }
    out.replace("{{VERSION}}", crate::model::TOOL_VERSION)
}

/// The PowerShell script printed by `ata2atp collector dc-facts` (CRLF line ends).
pub fn dc_facts_script() -> String {
    stamp(DC_FACTS_SCRIPT)
}

/// The PowerShell script printed by `ata2atp collector center-facts` (CRLF line ends).
pub fn center_facts_script() -> String {
    stamp(CENTER_FACTS_SCRIPT)
}

/// The PowerShell script printed by `ata2atp collector server-facts` (CRLF line ends).
pub fn server_facts_script() -> String {
    stamp(SERVER_FACTS_SCRIPT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_center_s_source_says_a_left_out_value_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("center.json");
        std::fs::write(
            &path,
            r#"{"schema_version": 1, "host": "LAB-ATA", "mongo_version": 3.6,
                "errors": ["certificates: access denied"]}"#,
        )
        .unwrap();
        let sources = HostSources {
            center_facts: Some(path),
            ..HostSources::default()
        };
        let mut inv = Inventory::new(chrono::Utc::now());
        collect_into(&sources, &mut inv, &crate::progress::Silent).unwrap();
        assert_eq!(
            inv.sources[0].error.as_deref(),
            Some(
                "the script reported: certificates: access denied; 1 value(s) of an unexpected \
                 type or name left out (each in not_found and in its host's errors)"
            )
        );
    }

    #[test]
    fn a_pasted_auditpol_file_says_on_its_source_that_a_dc_has_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("DC1-auditpol.csv");
        // One subcategory in a language this build does not read: that DC has an error.
        std::fs::write(
            &path,
            "A,B,C,D,E,F\nDC1,Sistema,Convalida credenziali,{0CCE923F-69AE-11D9-BED3-505054503030},Operazione riuscita,\n",
        )
        .unwrap();
        let sources = HostSources {
            auditpol: vec![path],
            ..HostSources::default()
        };
        let mut inv = Inventory::new(chrono::Utc::now());
        collect_into(&sources, &mut inv, &crate::progress::Silent).unwrap();
        let source = &inv.sources[0];
        assert_eq!(
            (source.kind, source.records),
            (SourceKind::Auditpol, Some(1))
        );
        assert_eq!(
            source.error.as_deref(),
            Some("1 of 1 DC(s) report facts that could not be read")
        );
        assert_eq!(inv.hosts[0].errors.len(), 1);
    }

    #[test]
    fn the_scripts_are_ascii_and_stamped() {
        for s in [
            dc_facts_script(),
            center_facts_script(),
            server_facts_script(),
        ] {
            assert!(s.is_ascii(), "non-ASCII character in a script");
            assert!(s.contains(crate::model::TOOL_VERSION) && !s.contains("{{"));
            assert!(!s.contains("\r\r"));
        }
    }

    #[test]
    fn a_binary_or_empty_host_file_says_what_it_should_have_been() {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("SystemProfile.bson");
        std::fs::write(&binary, b"\x10\x00\x00\x00\xc3(\x02name\x00").unwrap();
        let empty = dir.path().join("empty.json");
        std::fs::write(&empty, " \r\n").unwrap();
        type Read = fn(&Path) -> Result<(), Error>;
        let readers: [(Read, &str); 5] = [
            (|p| read_dc_facts(p).map(drop), "Get-DcFacts.ps1 writes"),
            (
                |p| read_center_facts(p).map(drop),
                "Get-CenterFacts.ps1 writes",
            ),
            (
                |p| read_server_facts(p).map(drop),
                "Get-ServerFacts.ps1 writes",
            ),
            (
                |p| read_reg_query(p).map(drop),
                "paste the output of reg query",
            ),
            (
                |p| auditpol::read(p).map(drop),
                "paste the output of `auditpol",
            ),
        ];
        for (read, next) in readers {
            let e = read(&binary).unwrap_err().to_string();
            assert!(e.starts_with(&binary.display().to_string()), "{e}");
            assert!(e.contains("not text: neither UTF-8 (byte 4 is not)"), "{e}");
            assert!(e.contains(next), "{e}");
        }
        for (read, next) in &readers[..3] {
            let e = read(&empty).unwrap_err().to_string();
            assert!(
                e.contains("it is empty; the file must be the JSON") && e.contains(next),
                "{e}"
            );
        }
    }

    #[test]
    fn each_shared_block_is_spliced_whole_where_a_script_names_it() {
        let sources = [DC_FACTS_SCRIPT, CENTER_FACTS_SCRIPT, SERVER_FACTS_SCRIPT];
        for (name, block) in PARTS {
            let placeholder = format!("{{{{include {name}}}}}");
            let mut naming = 0;
            for source in sources {
                let Some(line) = source.lines().find(|l| l.trim() == placeholder) else {
                    continue;
                };
                naming += 1;
                let indent = &line[..line.len() - line.trim_start().len()];
                let expected: String = block
                    .lines()
                    .map(|l| match l {
                        "" => "\r\n".to_string(),
                        l => format!("{indent}{l}\r\n"),
                    })
                    .collect();
                assert!(
                    stamp(source).contains(&expected),
                    "{name} not spliced whole"
                );
            }
            assert!(naming >= 2, "{name} is shared by fewer than two scripts");
        }
    }

    #[test]
    fn merging_keeps_the_first_value_and_the_dns_name() {
        let mut hosts = vec![];
        let mut a = DcFacts::new("FAB-DC02");
        a.dotnet_release = Some(394_806);
        merge_host(&mut hosts, a);
        let mut b = DcFacts::new("fab-dc02.fabrikam.test");
        b.dotnet_release = Some(528_049);
        b.logical_processors = Some(2);
        merge_host(&mut hosts, b);
        assert_eq!(hosts.len(), 1);
        assert_eq!(hosts[0].name, "fab-dc02.fabrikam.test");
        assert_eq!(hosts[0].dotnet_release, Some(394_806));
        assert_eq!(hosts[0].logical_processors, Some(2));
    }
}
