//! Shared helpers for the integration tests that talk to real servers.
//!
//! The servers are started by `scripts/test-env.sh start` (or `scripts/test.sh`, which
//! also runs the tests and stops them). It writes every connection detail to
//! `target/test-env/servers.json`; [`servers()`] loads it. When the file is missing the
//! tests fail loudly: a test that needs a server is never skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use serde::Deserialize;

/// Environment variable that points the tests at another servers.json.
pub const SERVERS_ENV: &str = "ATA2ATP_TEST_SERVERS";

#[derive(Debug, Deserialize)]
pub struct Servers {
    pub tls: Tls,
    pub mongo: Mongo,
    pub samba: Samba,
    pub slapd: Slapd,
    pub proxy: Proxy,
    pub tools: Tools,
}

/// Tools of the test environment's Python venv.
#[derive(Debug, Deserialize)]
pub struct Tools {
    pub python: PathBuf,
    /// `scripts/ps-syntax.py`: parses PowerShell (tree-sitter's grammar), exit 1 on an error.
    pub ps_syntax: PathBuf,
}

/// What tree-sitter's PowerShell grammar says of `script`: `Err` with its lines
/// (`file:line:column: what`) when it does not parse. `name` names the file it is written to.
pub fn powershell_syntax(name: &str, script: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, script).unwrap();
    let tools = &servers().tools;
    let out = std::process::Command::new(&tools.python)
        .arg(&tools.ps_syntax)
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tools.python.display()));
    match out.status.code() {
        Some(0) => Ok(()),
        Some(1) => Err(String::from_utf8_lossy(&out.stdout).into_owned()),
        _ => panic!(
            "{} failed ({}): {}",
            tools.ps_syntax.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// Fails the test when `script` does not parse as PowerShell, with the parser's lines.
pub fn assert_parses_as_powershell(name: &str, script: &str) {
    if let Err(errors) = powershell_syntax(name, script) {
        panic!("{name} does not parse as PowerShell:\n{errors}");
    }
}

/// The throwaway lab CA (trusted by the tests) and the unrelated "inspection" CA.
#[derive(Debug, Deserialize)]
pub struct Tls {
    pub ca_pem: PathBuf,
    pub server_cert_pem: PathBuf,
    pub server_key_pem: PathBuf,
    pub untrusted_ca_pem: PathBuf,
    pub untrusted_cert_pem: PathBuf,
    pub untrusted_key_pem: PathBuf,
}

/// Three SecantusDB (MongoDB wire) instances; connect with `directConnection=true`.
#[derive(Debug, Deserialize)]
pub struct Mongo {
    /// In-memory, no auth, no TLS.
    pub plain_uri: String,
    /// SCRAM-SHA-256 only; the URI carries no credentials.
    pub auth_uri: String,
    /// Read-only user (role `read` on database `auth_seeded_database`).
    pub auth_user: String,
    pub auth_password: String,
    pub auth_admin_user: String,
    pub auth_admin_password: String,
    pub auth_source: String,
    pub auth_mechanism: String,
    /// Holds one `SystemProfile` document with `_t: "CenterSystemProfile"`.
    pub auth_seeded_database: String,
    /// TLS with the lab CA; the URI names no CA file.
    pub tls_uri: String,
    pub tls_ca_pem: PathBuf,
}

#[derive(Debug, Deserialize)]
pub struct Account {
    pub dn: String,
    pub upn: String,
    pub password: String,
    pub note: String,
}

#[derive(Debug, Deserialize)]
pub struct BindFailures {
    pub disabled: String,
    pub must_change_password: String,
    pub expired: String,
    pub locked_out: String,
}

#[derive(Debug, Deserialize)]
pub struct FakeDcs {
    pub writable: String,
    pub rodc: String,
}

/// Samba AD DC (real AD semantics) on the fixed ports 389/636.
#[derive(Debug, Deserialize)]
pub struct Samba {
    pub ldap_url: String,
    pub ldaps_url: String,
    pub realm: String,
    pub netbios_domain: String,
    pub dns_domain: String,
    pub base_dn: String,
    pub domain_sid: String,
    pub dc_dns_hostname: String,
    pub admin_upn: String,
    pub admin_password: String,
    pub ca_pem: PathBuf,
    pub functional_level: u32,
    /// Keyed by sAMAccountName.
    pub accounts: BTreeMap<String, Account>,
    pub dsa: String,
    pub dsa_privileged: String,
    pub dsa_without_deleted_objects: String,
    pub honeytoken: String,
    pub bind_failures: BindFailures,
    pub deleted_objects_dn: String,
    pub deleted_user: String,
    /// The forest's Recycle Bin state as provisioned (not enabled), exported with
    /// ldapsearch before test-env.sh enabled it.
    pub recycle_bin_disabled_ldif: PathBuf,
    pub gmsa_dn: String,
    pub fake_dcs: FakeDcs,
    pub computers: Vec<String>,
    /// The DC's local sam.ldb, for Samba's own tools (ldbmodify) in a test's setup.
    pub sam_ldb: PathBuf,
    /// The domain head's SACL as provisioned, in SDDL (`S:AI(…)`).
    pub domain_sacl_fresh: String,
}

/// Held by tests that change the Samba domain head's SACL, and by tests that compare two
/// reads of it: tests run in parallel processes, so a file lock (released when dropped).
pub fn samba_sacl_lock() -> std::fs::File {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-env/samba-sacl.lock");
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    f.lock()
        .unwrap_or_else(|e| panic!("cannot lock {}: {e}", path.display()));
    f
}

impl Samba {
    pub fn account(&self, sam: &str) -> &Account {
        self.accounts
            .get(sam)
            .unwrap_or_else(|| panic!("servers.json has no Samba account {sam:?}"))
    }
}

/// OpenLDAP slapd with an AD-like schema and a large synthetic directory.
#[derive(Debug, Deserialize)]
pub struct Slapd {
    pub ldap_url: String,
    pub ldaps_url: String,
    pub ca_pem: PathBuf,
    pub base_dn: String,
    pub domain_sid: String,
    pub bind_dn: String,
    pub bind_password: String,
    /// Bound with this DN, pages larger than `limited_page_size` are refused.
    pub limited_bind_dn: String,
    pub limited_bind_password: String,
    pub limited_page_size: i32,
    pub functional_level: u32,
    /// Staff users (the generator's --users).
    pub users: u64,
    /// Every object with sAMAccountType 805306368 (staff + bind users).
    pub user_objects: u64,
    pub computers: u64,
    pub dc_objects: u64,
    pub writable_dcs: u64,
    pub rodcs: u64,
    pub groups: u64,
    pub entries: u64,
}

/// The HTTPS targets reachable through the proxy.
#[derive(Debug, Deserialize)]
pub struct ProxyTargets {
    /// `/tri/sensor/api/ping` on the trusted-CA server: 200 "Ok".
    pub ok: String,
    pub status_503: String,
    pub status_500: String,
    pub not_found: String,
    /// Presents a cert from the untrusted "inspection" CA.
    pub untrusted: String,
    /// Accepts TCP, never answers.
    pub blackhole: String,
    /// A working target whose port is not in the proxy's ConnectPort list.
    pub denied_port: String,
}

/// tinyproxy with basic auth.
#[derive(Debug, Deserialize)]
pub struct Proxy {
    /// Without credentials.
    pub url: String,
    pub url_with_credentials: String,
    pub user: String,
    pub password: String,
    /// A proxy URL on a closed port ("proxy down").
    pub down_url: String,
    pub ca_pem: PathBuf,
    pub untrusted_ca_pem: PathBuf,
    pub connect_ports: Vec<u16>,
    pub targets: ProxyTargets,
}

fn servers_path() -> PathBuf {
    match std::env::var_os(SERVERS_ENV) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-env/servers.json"),
    }
}

/// The running test servers. Panics with instructions when they are not running.
pub fn servers() -> &'static Servers {
    static SERVERS: OnceLock<Servers> = OnceLock::new();
    SERVERS.get_or_init(|| {
        let path = servers_path();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "test servers are not running: run scripts/test-env.sh start, or scripts/test.sh \
                 (could not read {}: {e}; set {SERVERS_ENV} to use another file)",
                path.display()
            )
        });
        serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "{} does not match tests/common/mod.rs ({e}): restart the servers with \
                 scripts/test-env.sh start",
                path.display()
            )
        })
    })
}

/// A name no other test (or earlier run) uses: for databases, collections, entries.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .subsec_nanos();
    format!(
        "{prefix}_{}_{nanos}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A rustls client configuration that trusts only the CA certificates in `ca_pem`
/// (what the product does with a customer's `--ca-file`). For ldap3's
/// `LdapConnSettings::set_config`.
pub fn rustls_config(ca_pem: &Path) -> Arc<rustls::ClientConfig> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_pem)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", ca_pem.display()))
    {
        roots
            .add(cert.expect("a PEM certificate"))
            .expect("a valid CA certificate");
    }
    // Name the provider instead of relying on a process-wide default.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS 1.2/1.3 supported")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

/// A certificate file as reqwest wants it.
pub fn reqwest_cert(pem: &Path) -> reqwest::Certificate {
    let bytes = std::fs::read(pem).unwrap_or_else(|e| panic!("cannot read {}: {e}", pem.display()));
    reqwest::Certificate::from_pem(&bytes).expect("a PEM certificate")
}

/// The string form (S-1-5-21-…) of a binary SID.
pub fn sid_to_string(b: &[u8]) -> String {
    assert!(
        b.len() >= 8 && b.len() == 8 + 4 * b[1] as usize,
        "not a SID: {b:02x?}"
    );
    let authority = b[2..8]
        .iter()
        .fold(0u64, |acc, x| (acc << 8) | u64::from(*x));
    let mut s = format!("S-{}-{authority}", b[0]);
    for chunk in b[8..].chunks_exact(4) {
        let sub = u32::from_le_bytes(chunk.try_into().expect("4 bytes"));
        s.push_str(&format!("-{sub}"));
    }
    s
}

/// Values of an attribute, looked up without regard to case (servers differ in how
/// they spell attribute names back).
fn values<'a, T>(
    map: &'a std::collections::HashMap<String, Vec<T>>,
    attr: &str,
) -> Option<&'a Vec<T>> {
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(attr))
        .map(|(_, v)| v)
}

/// First value of an attribute that may be binary. ldap3 files a value under `bin_attrs`
/// only when it is not valid UTF-8, so a SID can land in either map.
pub fn first_bytes(entry: &ldap3::SearchEntry, attr: &str) -> Option<Vec<u8>> {
    if let Some(v) = values(&entry.bin_attrs, attr).and_then(|v| v.first()) {
        return Some(v.clone());
    }
    values(&entry.attrs, attr)
        .and_then(|v| v.first())
        .map(|s| s.clone().into_bytes())
}

/// First value of a text attribute, or "" when absent.
pub fn first_str<'a>(entry: &'a ldap3::SearchEntry, attr: &str) -> &'a str {
    values(&entry.attrs, attr)
        .and_then(|v| v.first())
        .map(String::as_str)
        .unwrap_or("")
}
