//! The LDAP connection: URL, TLS, simple bind, paged search, and what each failure means.
//!
//! - `ldaps://host[:636]` speaks TLS from the first byte; `ldap://host[:389]` always
//!   upgrades with StartTLS before the bind. A password never crosses the wire in clear,
//!   so there is no plain-text mode.
//! - TLS is rustls with the aws-lc provider. Trust is the system store, or exactly the
//!   `--ca-file` given (the customer's enterprise CA), or nothing at all with
//!   `--insecure` (signatures are still checked, the chain is not).
//! - A simple bind takes a UPN, `DOMAIN\user` or a DN. AD's `invalidCredentials` (49)
//!   carries a sub-code in its text (`… AcceptSecurityContext error, data 52e, v1db1`);
//!   [`BindFailure::classify`] puts it into words.
//! - Searches are paged (RFC 2696) at 1000, AD's default `MaxPageSize`. Entries are
//!   decoded from the protocol message into [`Entry`] (raw bytes), never through
//!   ldap3's `SearchEntry`, which panics on a malformed message and splits values
//!   between two maps by whether they happen to be UTF-8. Continuation references
//!   (Samba returns one for the configuration partition under a domain search) are
//!   counted and skipped: they are not entries.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ldap3::asn1::{PL, StructureTag};
use ldap3::controls::RawControl;
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, LdapError, Scope};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use super::Error;
use super::entry::Entry;
use crate::secrets::{ExposeSecret, SecretString};

/// AD's default `MaxPageSize`; a server allowing less answers with a short page or an
/// admin-limit error, and the search is retried with a smaller page.
pub const PAGE_SIZE: i32 = 1000;
/// Smaller pages tried, in order, when a server refuses ours (common administrative
/// limits first); below the last one the refusal is reported.
const PAGE_LADDER: &[i32] = &[500, 200, 100, 50];
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Per reply: the timer restarts with every entry received.
const OP_TIMEOUT: Duration = Duration::from_secs(120);

/// OIDs of the controls the reader sends.
pub mod oid {
    pub const PAGED_RESULTS: &str = "1.2.840.113556.1.4.319";
    /// LDAP_SERVER_SHOW_DELETED_OID: deleted objects become visible.
    pub const SHOW_DELETED: &str = "1.2.840.113556.1.4.417";
    /// LDAP_SERVER_SHOW_RECYCLED_OID: recycled objects too (Recycle Bin forests).
    pub const SHOW_RECYCLED: &str = "1.2.840.113556.1.4.2064";
    /// LDAP_MATCHING_RULE_IN_CHAIN.
    pub const IN_CHAIN: &str = "1.2.840.113556.1.4.1941";
}

/// A parsed `ldap://` or `ldaps://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// `ldaps://host:port` without path or credentials, for messages.
    pub url: String,
    pub host: String,
    pub port: u16,
    pub ldaps: bool,
}

impl Server {
    pub fn parse(url: &str) -> Result<Server, Error> {
        let bad = |why: &str| {
            Error::Usage(format!(
                "LDAP URL `{url}` {why}; give ldaps://dc01.fabrikam.test or ldap://dc01.fabrikam.test (StartTLS)"
            ))
        };
        let parsed =
            url::Url::parse(url.trim()).map_err(|e| bad(&format!("is not a URL ({e})")))?;
        let ldaps = match parsed.scheme() {
            "ldaps" => true,
            "ldap" => false,
            other => return Err(bad(&format!("has scheme `{other}`"))),
        };
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(bad(
                "carries credentials; pass the user with --bind-user and the password by file or variable",
            ));
        }
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("has no host"))?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = parsed.port().unwrap_or(if ldaps { 636 } else { 389 });
        Ok(Server {
            url: format!(
                "{}://{}:{port}",
                if ldaps { "ldaps" } else { "ldap" },
                fmt_host(&host)
            ),
            host,
            port,
            ldaps,
        })
    }

    /// The same host on another port and scheme (the global catalog: 3268/3269).
    pub fn connection_url(&self) -> String {
        format!(
            "{}://{}:{}",
            if self.ldaps { "ldaps" } else { "ldap" },
            fmt_host(&self.host),
            self.port
        )
    }
}

fn fmt_host(h: &str) -> String {
    if h.contains(':') {
        format!("[{h}]")
    } else {
        h.to_string()
    }
}

/// How the server's certificate is checked.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    pub ca_file: Option<std::path::PathBuf>,
    pub insecure: bool,
}

/// The rustls configuration for `opts`.
pub fn tls_config(opts: &TlsOptions) -> Result<Arc<ClientConfig>, Error> {
    let builder = ClientConfig::builder_with_provider(crate::tls::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Usage(format!("TLS set-up failed: {e}")))?;
    if opts.insecure {
        let config = builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoChainCheck(crate::tls::provider())))
            .with_no_client_auth();
        return Ok(Arc::new(config));
    }
    let mut roots = RootCertStore::empty();
    match &opts.ca_file {
        Some(path) => {
            let ca_err = |reason: String| Error::CaFile {
                path: path.clone(),
                reason,
            };
            let certs =
                crate::tls::load_certificates(path).map_err(|e| ca_err(e.problem.to_string()))?;
            for c in certs {
                roots.add(c).map_err(|e| {
                    ca_err(format!("a certificate in it is not usable as a CA ({e})"))
                })?;
            }
        }
        None => {
            let native = rustls_native_certs::load_native_certs();
            for c in native.certs {
                let _ = roots.add(c);
            }
        }
    }
    Ok(Arc::new(
        builder.with_root_certificates(roots).with_no_client_auth(),
    ))
}

/// `--insecure`: any certificate chain is accepted; the handshake signatures are still
/// verified, so the session is at least bound to the key the server presented.
#[derive(Debug)]
struct NoChainCheck(Arc<CryptoProvider>);

impl ServerCertVerifier for NoChainCheck {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Why a bind was refused, in AD's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindFailure {
    /// 52e
    WrongPassword,
    /// 525
    NoSuchUser,
    /// 530
    NotPermittedNow,
    /// 531
    NotPermittedHere,
    /// 532
    PasswordExpired,
    /// 533
    Disabled,
    /// 701
    AccountExpired,
    /// 773
    MustChangePassword,
    /// 775
    LockedOut,
    /// invalidCredentials without an AD sub-code (OpenLDAP, or a code not listed).
    Rejected {
        code: Option<String>,
    },
    /// invalidDNSyntax: the server wants a DN (OpenLDAP does not take UPNs).
    NotADn,
    /// strongerAuthRequired / confidentialityRequired.
    NeedsStrongerAuth,
    Other,
}

impl BindFailure {
    /// Classifies a bind result by its code and AD's `data <hex>` sub-code.
    pub fn classify(rc: u32, text: &str) -> BindFailure {
        match rc {
            49 => match ad_data_code(text).as_deref() {
                Some("52e") => BindFailure::WrongPassword,
                Some("525") => BindFailure::NoSuchUser,
                Some("530") => BindFailure::NotPermittedNow,
                Some("531") => BindFailure::NotPermittedHere,
                Some("532") => BindFailure::PasswordExpired,
                Some("533") => BindFailure::Disabled,
                Some("701") => BindFailure::AccountExpired,
                Some("773") => BindFailure::MustChangePassword,
                Some("775") => BindFailure::LockedOut,
                code => BindFailure::Rejected {
                    code: code.map(str::to_string),
                },
            },
            34 => BindFailure::NotADn,
            8 | 13 => BindFailure::NeedsStrongerAuth,
            _ => BindFailure::Other,
        }
    }

    /// The stable word `check dsa` prints and scripts match.
    pub fn outcome(&self) -> super::dsa::CredentialOutcome {
        use super::dsa::CredentialOutcome as O;
        match self {
            BindFailure::WrongPassword => O::WrongPassword,
            BindFailure::NoSuchUser => O::NoSuchUser,
            BindFailure::NotPermittedNow | BindFailure::NotPermittedHere => O::NotPermitted,
            BindFailure::PasswordExpired => O::PasswordExpired,
            BindFailure::Disabled => O::Disabled,
            BindFailure::AccountExpired => O::AccountExpired,
            BindFailure::MustChangePassword => O::MustChangePassword,
            BindFailure::LockedOut => O::LockedOut,
            BindFailure::Rejected { .. }
            | BindFailure::NotADn
            | BindFailure::NeedsStrongerAuth
            | BindFailure::Other => O::Rejected,
        }
    }

    /// What happened, and the next step.
    pub fn explain(&self) -> String {
        match self {
            BindFailure::WrongPassword => {
                "wrong password (AD code 52e; Samba also answers 52e for an unknown user); check the password, and the user name's spelling".into()
            }
            BindFailure::NoSuchUser => "no such user (AD code 525); check the user name and its domain".into(),
            BindFailure::NotPermittedNow => {
                "the account may not log on at this time (AD code 530, logon hours); ask the customer to widen the account's logon hours".into()
            }
            BindFailure::NotPermittedHere => {
                "the account may not log on from this workstation (AD code 531, userWorkstations); ask the customer to allow it".into()
            }
            BindFailure::PasswordExpired => "the password has expired (AD code 532); set a new one in AD, then enter it again".into(),
            BindFailure::Disabled => "the account is disabled (AD code 533); ask the customer to enable it".into(),
            BindFailure::AccountExpired => "the account has expired (AD code 701, accountExpires); ask the customer to extend it".into(),
            BindFailure::MustChangePassword => {
                "the password must be changed before the account can log on (AD code 773); set a new password in AD".into()
            }
            BindFailure::LockedOut => {
                "the account is locked out (AD code 775); wait for the lockout to end or have it unlocked, and check what keeps sending a wrong password".into()
            }
            BindFailure::Rejected { code: Some(c) } => format!("credentials rejected (AD code {c}); check user and password"),
            BindFailure::Rejected { code: None } => {
                "credentials rejected (invalidCredentials, no AD sub-code: is this an AD domain controller?); check user and password".into()
            }
            BindFailure::NotADn => {
                "the server accepts only a DN as bind name (not a UPN or DOMAIN\\user; OpenLDAP does this); give the full DN".into()
            }
            BindFailure::NeedsStrongerAuth => {
                "the server requires a stronger authentication than a simple bind over this connection".into()
            }
            BindFailure::Other => "the bind was refused".into(),
        }
    }
}

/// The hex code after `data ` in AD's diagnostic text, lower case.
pub fn ad_data_code(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find("data ")?;
    let code: String = lower[at + 5..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (!code.is_empty()).then_some(code)
}

/// A connection or TLS failure before any bind, with the next step.
pub fn connect_error(server: &Server, tls: &TlsOptions, e: &LdapError) -> Error {
    let unreachable = |reason: String, hint: &str| Error::Unreachable {
        server: server.url.clone(),
        reason,
        hint: hint.to_string(),
    };
    let tls_error = |reason: String, hint: String| Error::Tls {
        server: server.url.clone(),
        reason,
        hint,
    };
    match e {
        LdapError::Io { source } => {
            if let Some(r) = source
                .get_ref()
                .and_then(|i| i.downcast_ref::<rustls::Error>())
            {
                let (reason, hint) = tls_words(r, server, tls);
                return tls_error(reason, hint);
            }
            use std::io::ErrorKind::*;
            match source.kind() {
                ConnectionRefused => unreachable(
                    "connection refused".into(),
                    "check host and port (LDAP 389, LDAPS 636, global catalog 3268/3269) and that the DC is up",
                ),
                TimedOut => unreachable(
                    "timed out".into(),
                    "check the host name, routing and firewalls",
                ),
                ConnectionReset | UnexpectedEof | BrokenPipe if !server.ldaps => tls_error(
                    format!("the connection closed during StartTLS ({source})"),
                    "the server may not offer StartTLS; try ldaps:// on port 636".into(),
                ),
                ConnectionReset | UnexpectedEof | BrokenPipe => tls_error(
                    format!("the connection closed during the TLS handshake ({source})"),
                    format!(
                        "is port {} an LDAPS port (636, or 3269 for a global catalog)?",
                        server.port
                    ),
                ),
                _ => {
                    let text = source.to_string();
                    if text.contains("lookup")
                        || text.contains("resolve")
                        || text.contains("Name or service")
                    {
                        unreachable(
                            format!("the name {} does not resolve ({text})", server.host),
                            "check the DC's DNS name",
                        )
                    } else {
                        unreachable(text, "check host, port and the network path")
                    }
                }
            }
        }
        LdapError::Rustls { source } => {
            let (reason, hint) = tls_words(source, server, tls);
            tls_error(reason, hint)
        }
        LdapError::DNSName { source } => tls_error(
            format!(
                "`{}` cannot be checked against a certificate ({source})",
                server.host
            ),
            "use the DC's DNS name as it appears in its certificate".into(),
        ),
        LdapError::Timeout { .. } => unreachable(
            format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
            "check the host name, routing and firewalls",
        ),
        LdapError::LdapResult { result } => tls_error(
            format!(
                "StartTLS was refused (rc={} {})",
                result.rc,
                result.text.trim()
            ),
            "the server does not offer StartTLS on this port; use ldaps:// (port 636)".into(),
        ),
        other => unreachable(other.to_string(), "check host, port and the network path"),
    }
}

/// A rustls error as a reason and a next step.
fn tls_words(e: &rustls::Error, server: &Server, tls: &TlsOptions) -> (String, String) {
    let ca_hint = match &tls.ca_file {
        Some(p) => format!(
            "the CA in {} did not issue the DC's certificate; pass the CA that did (the domain's enterprise CA) with --ca-file",
            p.display()
        ),
        None => "pass --ca-file with the domain CA (PEM)".to_string(),
    };
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer => ("certificate not trusted".into(), ca_hint),
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                (
                    format!("the certificate is not valid for `{}`", server.host),
                    "connect with the DC's DNS name as written in its certificate".into(),
                )
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => (
                "the DC's certificate has expired".into(),
                "ask the customer to renew it (or check this machine's clock)".into(),
            ),
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => (
                "the DC's certificate is not valid yet".into(),
                "check this machine's clock".into(),
            ),
            other => (format!("certificate rejected ({other:?})"), ca_hint),
        },
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => (
            format!("the server did not answer in TLS ({e})"),
            if server.ldaps {
                format!(
                    "is port {} an LDAPS port (636, or 3269 for a global catalog)?",
                    server.port
                )
            } else {
                "check the port".to_string()
            },
        ),
        rustls::Error::AlertReceived(a) => (
            format!("the server refused the TLS handshake (alert {a:?})"),
            "the DC may have no usable certificate or no common protocol version".into(),
        ),
        other => (
            format!("TLS handshake failed ({other})"),
            "check the DC's certificate".into(),
        ),
    }
}

/// How a search ended, when not with success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchFailure {
    /// The server answered with a result code other than success.
    Server { rc: u32, text: String },
    /// The connection broke or timed out; nothing more can be read on it.
    Lost(String),
}

impl SearchFailure {
    pub fn describe(&self) -> String {
        match self {
            SearchFailure::Server { rc, text } => {
                let name = match rc {
                    3 => "time limit exceeded",
                    4 => "size limit exceeded",
                    10 => "referral (the base is outside this server's naming contexts)",
                    11 => "administrative limit exceeded",
                    12 => "a control is not supported",
                    32 => "no such object",
                    50 => "insufficient access rights",
                    51 => "server busy",
                    52 => "server unavailable",
                    53 => "unwilling to perform",
                    _ => "error",
                };
                if text.trim().is_empty() {
                    format!("{name} (rc={rc})")
                } else {
                    format!("{name} (rc={rc}: {})", text.trim())
                }
            }
            SearchFailure::Lost(why) => format!("connection lost ({why})"),
        }
    }
}

/// What a search returned.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub entries: Vec<Entry>,
    pub references: usize,
    /// Entries the server sent in a shape that could not be decoded (skipped).
    pub malformed: usize,
    pub failure: Option<SearchFailure>,
}

/// One search: base, scope, filter, attributes and extra controls.
#[derive(Debug, Clone)]
pub struct Search<'a> {
    pub base: &'a str,
    pub scope: Scope,
    pub filter: &'a str,
    pub attrs: &'a [&'a str],
    pub controls: Vec<RawControl>,
    /// Ask for pages (RFC 2696). On by default for subtree and one-level searches.
    pub paged: bool,
    /// Stop after this many entries (the server answers sizeLimitExceeded, which is then
    /// not a failure). Unpaged.
    pub size_limit: Option<i32>,
}

impl<'a> Search<'a> {
    pub fn new(base: &'a str, scope: Scope, filter: &'a str, attrs: &'a [&'a str]) -> Self {
        Self {
            base,
            scope,
            filter,
            attrs,
            controls: Vec::new(),
            paged: scope != Scope::Base,
            size_limit: None,
        }
    }
}

/// One search as sent, for the benchmark's replay with ldapsearch and for debugging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRecord {
    pub base: String,
    /// `base`, `one` or `sub`, as ldapsearch's `-s` names them.
    pub scope: &'static str,
    pub filter: String,
    pub attrs: Vec<String>,
    /// OIDs of the extra controls (the paged-results control is implied by `paged`).
    pub controls: Vec<String>,
    pub paged: bool,
    pub size_limit: Option<i32>,
}

/// A bound connection to one server.
pub struct Conn {
    ldap: Ldap,
    pub server: Server,
    /// Search requests sent (each page counts): the benchmark's measure.
    pub searches: Arc<AtomicU64>,
    /// Set when the connection broke: later searches fail at once with this reason.
    lost: Option<String>,
    page_size: i32,
    /// Every search sent, in order.
    pub log: Vec<SearchRecord>,
}

impl Conn {
    /// Opens a TLS connection (LDAPS, or StartTLS on ldap://). No bind yet.
    pub async fn open(server: &Server, tls: &TlsOptions) -> Result<Conn, Error> {
        let config = tls_config(tls)?;
        let settings = LdapConnSettings::new()
            .set_conn_timeout(CONNECT_TIMEOUT)
            .set_starttls(!server.ldaps)
            .set_config(config);
        let (conn, ldap) = LdapConnAsync::with_settings(settings, &server.connection_url())
            .await
            .map_err(|e| connect_error(server, tls, &e))?;
        tokio::spawn(async move {
            if let Err(e) = conn.drive().await {
                tracing::debug!("LDAP connection ended: {e}");
            }
        });
        Ok(Conn {
            ldap,
            server: server.clone(),
            searches: Arc::new(AtomicU64::new(0)),
            lost: None,
            page_size: PAGE_SIZE,
            log: Vec::new(),
        })
    }

    /// Simple bind. An empty password is refused here too: AD treats a DN with an
    /// empty password as an anonymous bind that may succeed, which would prove nothing.
    pub async fn bind(&mut self, user: &str, password: &SecretString) -> Result<(), Error> {
        if password.expose_secret().is_empty() {
            return Err(Error::Usage(format!(
                "the password for {user} is empty; an empty password would bind anonymously, so it is refused"
            )));
        }
        if user.trim().is_empty() {
            return Err(Error::Usage(
                "the bind user is empty; pass --bind-user".into(),
            ));
        }
        let res = self
            .ldap
            .with_timeout(OP_TIMEOUT)
            .simple_bind(user, password.expose_secret())
            .await
            .map_err(|e| Error::Unreachable {
                server: self.server.url.clone(),
                reason: format!("the connection failed during the bind ({e})"),
                hint: "check the network path and retry".into(),
            })?;
        if res.rc == 0 {
            return Ok(());
        }
        Err(Error::Bind {
            server: self.server.url.clone(),
            user: user.to_string(),
            failure: BindFailure::classify(res.rc, &res.text),
            server_said: format!("rc={} {}", res.rc, res.text.trim()),
        })
    }

    /// The reason the connection broke, if it did.
    pub fn lost(&self) -> Option<&str> {
        self.lost.as_deref()
    }

    /// Runs a search to the end, paging subtree and one-level searches. Never fails:
    /// what was read is returned with the reason it stopped.
    pub async fn search(&mut self, s: &Search<'_>) -> Outcome {
        self.log.push(SearchRecord {
            base: s.base.to_string(),
            scope: match s.scope {
                Scope::Base => "base",
                Scope::OneLevel => "one",
                Scope::Subtree => "sub",
            },
            filter: s.filter.to_string(),
            attrs: s.attrs.iter().map(|a| a.to_string()).collect(),
            controls: s.controls.iter().map(|c| c.ctype.clone()).collect(),
            paged: s.paged && s.size_limit.is_none(),
            size_limit: s.size_limit,
        });
        let mut out = Outcome::default();
        if let Some(why) = &self.lost {
            out.failure = Some(SearchFailure::Lost(why.clone()));
            return out;
        }
        let paged = s.paged && s.size_limit.is_none();
        let mut cookie: Vec<u8> = Vec::new();
        loop {
            let page = self.page_size;
            let mut controls = s.controls.clone();
            if paged {
                controls.push(
                    ldap3::controls::PagedResults {
                        size: page,
                        cookie: cookie.clone(),
                    }
                    .into(),
                );
            }
            let before = out.entries.len();
            let (result, lost) = self.one_request(s, controls, &mut out).await;
            if let Some(why) = lost {
                self.lost = Some(why.clone());
                out.failure = Some(SearchFailure::Lost(why));
                return out;
            }
            let Some((rc, text, next_cookie)) = result else {
                return out;
            };
            if rc == 4 && s.size_limit.is_some() {
                // The limit we asked for was reached.
                return out;
            }
            if rc != 0 {
                // A server allowing smaller pages than ours (slapd `limits size.pr`, or an
                // AD with a lowered MaxPageSize) refuses the first page: retry smaller.
                let refused_page = paged
                    && cookie.is_empty()
                    && out.entries.len() == before
                    && matches!(rc, 4 | 11);
                if let (true, Some(&smaller)) =
                    (refused_page, PAGE_LADDER.iter().find(|&&p| p < page))
                {
                    self.page_size = smaller;
                    tracing::info!(
                        "{}: page size {page} refused ({text}); retrying with {}",
                        self.server.url,
                        self.page_size
                    );
                    continue;
                }
                out.failure = Some(SearchFailure::Server { rc, text });
                return out;
            }
            match next_cookie {
                Some(c) if paged && !c.is_empty() => cookie = c,
                _ => return out,
            }
        }
    }

    /// One search request; entries go into `out`. Returns the result code, text and
    /// paging cookie, or the reason the connection was lost.
    async fn one_request(
        &mut self,
        s: &Search<'_>,
        controls: Vec<RawControl>,
        out: &mut Outcome,
    ) -> (Option<(u32, String, Option<Vec<u8>>)>, Option<String>) {
        self.searches.fetch_add(1, Ordering::Relaxed);
        let attrs: Vec<String> = s.attrs.iter().map(|a| a.to_string()).collect();
        let mut ldap = self.ldap.clone();
        ldap.with_timeout(OP_TIMEOUT);
        if !controls.is_empty() {
            ldap.with_controls(controls);
        }
        if let Some(n) = s.size_limit {
            ldap.with_search_options(ldap3::SearchOptions::new().sizelimit(n));
        }
        let mut stream = match ldap
            .streaming_search(s.base, s.scope, s.filter, attrs)
            .await
        {
            Ok(st) => st,
            Err(LdapError::FilterParsing) => {
                return (
                    Some((87, format!("filter not understood: {}", s.filter), None)),
                    None,
                );
            }
            Err(e) => return (None, Some(e.to_string())),
        };
        loop {
            match stream.next().await {
                Ok(Some(re)) => {
                    if re.is_ref() {
                        out.references += 1;
                    } else if re.is_intermediate() {
                        // Not used by any search we send.
                    } else {
                        match decode_entry(re.0) {
                            Some(e) => out.entries.push(e),
                            None => out.malformed += 1,
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => return (None, Some(e.to_string())),
            }
        }
        let res = stream.finish().await;
        // ldap3 reports a connection that died under the stream as rc 80 with its own
        // text; treat any rc 80 with no server text as a lost connection.
        if ldap.is_closed() {
            return (
                None,
                Some(format!(
                    "the server closed the connection (rc={} {})",
                    res.rc, res.text
                )),
            );
        }
        let cookie = res
            .ctrls
            .iter()
            .find(|c| c.1.ctype == oid::PAGED_RESULTS)
            .and_then(|c| c.1.val.as_deref())
            .and_then(paged_cookie);
        (Some((res.rc, res.text, cookie)), None)
    }

    /// Closes the connection politely.
    pub async fn close(mut self) {
        let _ = self.ldap.unbind().await;
    }
}

/// The cookie of a paged-results response control (`SEQUENCE { size, cookie }`).
fn paged_cookie(val: &[u8]) -> Option<Vec<u8>> {
    let (_, tag) = ldap3::asn1::parse_tag(val).ok()?;
    let mut parts = tag.expect_constructed()?.into_iter();
    let _size = parts.next()?;
    parts.next()?.expect_primitive()
}

/// A SearchResultEntry (`[APPLICATION 4] SEQUENCE { objectName, attributes }`) as an
/// [`Entry`]; `None` for anything that does not have that shape.
pub fn decode_entry(tag: StructureTag) -> Option<Entry> {
    if tag.id != 4 {
        return None;
    }
    let mut parts = tag.expect_constructed()?.into_iter();
    let dn = String::from_utf8(parts.next()?.expect_primitive()?).ok()?;
    let mut entry = Entry::new(dn);
    let attrs = parts.next()?.expect_constructed()?;
    for attr in attrs {
        let mut pa = attr.expect_constructed()?.into_iter();
        let name = String::from_utf8(pa.next()?.expect_primitive()?).ok()?;
        let id = Entry::attr_id(&name);
        let PL::C(vals) = pa.next()?.payload else {
            return None;
        };
        if vals.is_empty() {
            entry.touch(&name);
        }
        for v in vals {
            let PL::P(bytes) = v.payload else {
                return None;
            };
            entry.push_id(id, &bytes);
        }
    }
    Some(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ad_sub_codes_are_put_into_words() {
        // Texts as AD and Samba write them.
        let t = |code: &str| {
            format!(
                "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data {code}, v4563"
            )
        };
        assert_eq!(
            BindFailure::classify(49, &t("52e")),
            BindFailure::WrongPassword
        );
        assert_eq!(
            BindFailure::classify(49, &t("525")),
            BindFailure::NoSuchUser
        );
        assert_eq!(
            BindFailure::classify(49, &t("530")),
            BindFailure::NotPermittedNow
        );
        assert_eq!(
            BindFailure::classify(49, &t("531")),
            BindFailure::NotPermittedHere
        );
        assert_eq!(
            BindFailure::classify(49, &t("532")),
            BindFailure::PasswordExpired
        );
        assert_eq!(BindFailure::classify(49, &t("533")), BindFailure::Disabled);
        assert_eq!(
            BindFailure::classify(49, &t("701")),
            BindFailure::AccountExpired
        );
        assert_eq!(
            BindFailure::classify(49, &t("773")),
            BindFailure::MustChangePassword
        );
        assert_eq!(BindFailure::classify(49, &t("775")), BindFailure::LockedOut);
        assert_eq!(
            BindFailure::classify(
                49,
                "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1"
            ),
            BindFailure::WrongPassword
        );
        assert_eq!(
            BindFailure::classify(49, &t("569")),
            BindFailure::Rejected {
                code: Some("569".into())
            }
        );
        // OpenLDAP: no sub-code.
        assert_eq!(
            BindFailure::classify(49, ""),
            BindFailure::Rejected { code: None }
        );
        assert_eq!(BindFailure::classify(34, "invalid DN"), BindFailure::NotADn);
        assert_eq!(
            BindFailure::classify(8, "BindSimple: Transport encryption required."),
            BindFailure::NeedsStrongerAuth
        );
        assert!(BindFailure::LockedOut.explain().contains("775"));
        assert_eq!(BindFailure::Disabled.outcome().as_str(), "disabled");
        assert_eq!(ad_data_code("…error, DATA 775, v2580"), Some("775".into()));
        assert_eq!(ad_data_code("no code"), None);
    }

    #[test]
    fn urls_are_checked_and_default_ports_filled_in() {
        let s = Server::parse("ldaps://dc01.fabrikam.test").unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.ldaps),
            ("dc01.fabrikam.test", 636, true)
        );
        assert_eq!(s.url, "ldaps://dc01.fabrikam.test:636");
        let s = Server::parse("ldap://127.0.0.1").unwrap();
        assert_eq!((s.port, s.ldaps), (389, false));
        assert_eq!(Server::parse("ldap://dc:3268").unwrap().port, 3268);
        for bad in [
            "http://dc01",
            "dc01.fabrikam.test",
            "ldaps://user:pw@dc01",
            "ldap://",
        ] {
            let e = Server::parse(bad).unwrap_err();
            assert!(matches!(e, Error::Usage(_)), "{bad}: {e}");
            assert_eq!(e.kind(), crate::kind::ErrorKind::Input);
        }
    }

    #[test]
    fn a_missing_or_empty_ca_file_is_an_input_error() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        for path in [dir.path().join("missing.pem"), empty] {
            let e = tls_config(&TlsOptions {
                ca_file: Some(path.clone()),
                insecure: false,
            })
            .unwrap_err();
            assert_eq!(e.kind(), crate::kind::ErrorKind::Input, "{e}");
            assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        }
        assert!(
            tls_config(&TlsOptions {
                ca_file: None,
                insecure: true
            })
            .is_ok()
        );
    }

    #[test]
    fn malformed_entries_are_skipped_not_panicked_on() {
        use ldap3::asn1::TagClass;
        let prim = |id: u64, b: &[u8]| StructureTag {
            class: TagClass::Universal,
            id,
            payload: PL::P(b.to_vec()),
        };
        let cons = |class, id: u64, inner: Vec<StructureTag>| StructureTag {
            class,
            id,
            payload: PL::C(inner),
        };
        let good = cons(
            TagClass::Application,
            4,
            vec![
                prim(4, b"CN=x,DC=test"),
                cons(
                    TagClass::Universal,
                    16,
                    vec![cons(
                        TagClass::Universal,
                        16,
                        vec![
                            prim(4, b"objectSid"),
                            cons(
                                TagClass::Universal,
                                17,
                                vec![prim(4, &[1, 1, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0])],
                            ),
                        ],
                    )],
                ),
            ],
        );
        let e = decode_entry(good).unwrap();
        assert_eq!(e.sid().unwrap().to_string(), "S-1-5-32");
        assert!(decode_entry(prim(4, b"x")).is_none());
        assert!(decode_entry(cons(TagClass::Application, 4, vec![])).is_none());
        assert!(
            decode_entry(cons(TagClass::Application, 4, vec![prim(4, &[0xff, 0xfe])])).is_none()
        );
    }
}
