//! The reachability probe: HTTPS GET of the sensor API's ping URL, directly and through
//! the customer's proxy, as the sensor would make it, and what each way of failing means.
//!
//! The probe walks the steps itself (name resolution, TCP, the proxy's CONNECT, TLS,
//! the HTTP answer) instead of handing the URL to an HTTP client, because the outcome a
//! consultant needs differs per step: a proxy that refuses the CONNECT (403), one that
//! wants credentials (407) and which schemes it offers, one that only speaks NTLM, and the
//! issuer of the certificate actually presented when TLS fails (an intercepting proxy's
//! CA, which the sensor does not support) all look alike behind an HTTP client's "tunnel
//! error". The certificate chain is captured by a verifier that wraps the real one (the
//! platform's trust store, plus `--ca-file` for labs), so one handshake tells both whether
//! it is trusted and who issued it.
//!
//! Every probe runs under one overall timeout; on expiry the result names the step that
//! did not finish.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use sha2::Digest as _;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::Outcome;
use crate::model::Status;
use crate::secrets::{ExposeSecret, SecretString};

/// The customer's proxy as the probe uses it.
#[derive(Debug, Clone)]
pub struct ProxySpec {
    /// `http://host:port` (no credentials in it).
    pub url: String,
    pub user: Option<String>,
    pub password: Option<SecretString>,
}

/// Settings shared by every probe of a run.
#[derive(Clone)]
pub struct ProbeConfig {
    pub timeout: Duration,
    /// Extra trust anchors (labs and tests), on top of the platform's store.
    pub extra_roots: Vec<CertificateDer<'static>>,
}

impl fmt::Debug for ProbeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProbeConfig")
            .field("timeout", &self.timeout)
            .field("extra_roots", &self.extra_roots.len())
            .finish()
    }
}

impl Default for ProbeConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs_f64(super::thresholds::DEFAULT_PROBE_TIMEOUT_SECS),
            extra_roots: Vec::new(),
        }
    }
}

/// One probe to run.
#[derive(Debug, Clone)]
pub struct ProbeSpec {
    /// `network.sensor_api` (direct) or `network.sensor_api_proxy`.
    pub check_id: &'static str,
    pub subject: Option<String>,
    pub url: String,
    pub proxy: Option<ProxySpec>,
    /// A proxy is configured for the sensors, so a failed direct probe is expected.
    pub proxy_configured: bool,
}

/// The certificate presented by the server (or whoever answered in its place).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub subject: String,
    pub issuer: String,
    pub not_after: Option<String>,
    pub sha256: String,
    /// Issuers of the intermediates sent along, in order.
    pub chain_issuers: Vec<String>,
}

/// How one probe ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// The service answered; 200 and 503 count as reachable.
    Http {
        status: u16,
        reason: String,
    },
    InvalidUrl {
        detail: String,
    },
    /// The target's name does not resolve (direct).
    Dns {
        host: String,
        detail: String,
    },
    /// TCP to the target failed (direct).
    Connect {
        target: String,
        detail: String,
    },
    ProxyDns {
        host: String,
        detail: String,
    },
    ProxyConnect {
        target: String,
        detail: String,
    },
    /// 407 (or tinyproxy's 401 for wrong credentials).
    ProxyAuth {
        status: u16,
        schemes: Vec<String>,
        sent_credentials: bool,
    },
    /// 407 offering only schemes the probe does not speak (NTLM, Negotiate, Kerberos).
    ProxyAuthUnsupported {
        schemes: Vec<String>,
    },
    /// The proxy refused the CONNECT (403 and the like).
    ProxyRefused {
        status: u16,
        reason: String,
        detail: Option<String>,
    },
    /// The proxy could not reach the target (5xx to CONNECT).
    ProxyUpstream {
        status: u16,
        reason: String,
        detail: Option<String>,
    },
    /// The certificate presented was not accepted.
    TlsCertificate {
        kind: TlsProblem,
        detail: String,
        presented: Option<Presented>,
    },
    /// The TLS handshake failed for another reason (reset, alert, protocol).
    Tls {
        detail: String,
        presented: Option<Presented>,
    },
    /// Something answered, but not HTTP.
    Protocol {
        detail: String,
    },
    Timeout {
        stage: Stage,
    },
    /// The probe could not be set up (trust store).
    Setup {
        detail: String,
    },
}

/// What was wrong with the certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsProblem {
    /// Not issued by a trusted root: interception or a missing root.
    Untrusted,
    WrongName,
    Expired,
    Other,
}

/// The step a probe was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stage {
    #[default]
    Resolving,
    Connecting,
    ProxyResolving,
    ProxyConnecting,
    ProxyConnect,
    TlsHandshake,
    HttpRequest,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Resolving => "resolving the service's name",
            Stage::Connecting => "connecting to the service",
            Stage::ProxyResolving => "resolving the proxy's name",
            Stage::ProxyConnecting => "connecting to the proxy",
            Stage::ProxyConnect => "waiting for the proxy's answer to CONNECT",
            Stage::TlsHandshake => "the TLS handshake",
            Stage::HttpRequest => "waiting for the HTTP answer",
        })
    }
}

/// A probe's outcome with what was seen on the way.
#[derive(Debug, Clone)]
pub struct ProbeReport {
    pub outcome: ProbeOutcome,
    pub evidence: BTreeMap<String, String>,
    pub elapsed: Duration,
}

#[derive(Default)]
struct Trace {
    stage: Stage,
    evidence: BTreeMap<String, String>,
}

impl Trace {
    fn at(trace: &Mutex<Trace>, stage: Stage) {
        if let Ok(mut t) = trace.lock() {
            t.stage = stage;
        }
    }
    fn note(trace: &Mutex<Trace>, key: &str, value: impl Into<String>) {
        if let Ok(mut t) = trace.lock() {
            t.evidence.insert(key.to_string(), value.into());
        }
    }
}

/// Runs one probe of `url`, through `proxy` when given. Never panics, never outlives
/// `config.timeout` (plus scheduling).
pub async fn probe(url: &str, proxy: Option<&ProxySpec>, config: &ProbeConfig) -> ProbeReport {
    let started = Instant::now();
    let trace = Arc::new(Mutex::new(Trace::default()));
    let outcome =
        match tokio::time::timeout(config.timeout, run_probe(url, proxy, config, trace.clone()))
            .await
        {
            Ok(o) => o,
            Err(_) => ProbeOutcome::Timeout {
                stage: trace.lock().map(|t| t.stage).unwrap_or_default(),
            },
        };
    let elapsed = started.elapsed();
    let mut evidence = trace.lock().map(|t| t.evidence.clone()).unwrap_or_default();
    evidence.insert("url".into(), url.to_string());
    evidence.insert("elapsed_ms".into(), elapsed.as_millis().to_string());
    evidence.insert(
        "timeout_s".into(),
        format!("{}", config.timeout.as_secs_f64()),
    );
    evidence.insert(
        "probed_from".into(),
        gethostname::gethostname().to_string_lossy().into_owned(),
    );
    if let Some(p) = proxy {
        evidence.insert("proxy".into(), p.url.clone());
        if let Some(u) = &p.user {
            evidence.insert("proxy_user".into(), u.clone());
        }
    }
    ProbeReport {
        outcome,
        evidence,
        elapsed,
    }
}

struct Target {
    host: String,
    port: u16,
    path: String,
    server_name: ServerName<'static>,
}

fn parse_target(url: &str) -> Result<Target, String> {
    let u = reqwest::Url::parse(url).map_err(|e| format!("'{url}' is not a URL: {e}"))?;
    if u.scheme() != "https" {
        return Err(format!(
            "'{url}' is not https: the sensor API is only reached over TLS"
        ));
    }
    let host = match u.host_str() {
        Some(h) if !h.is_empty() => h.trim_matches(['[', ']']).to_string(),
        _ => return Err(format!("'{url}' has no host")),
    };
    let server_name = ServerName::try_from(host.clone())
        .map_err(|e| format!("'{host}' is not a valid TLS server name: {e}"))?;
    let mut path = u.path().to_string();
    if let Some(q) = u.query() {
        path.push('?');
        path.push_str(q);
    }
    Ok(Target {
        host,
        port: u.port_or_known_default().unwrap_or(443),
        path,
        server_name,
    })
}

/// `host:port`, with brackets for IPv6.
fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Connects to the first address that accepts; the error names the last refusal.
async fn connect_tcp(addrs: &[std::net::SocketAddr]) -> Result<TcpStream, String> {
    let mut last = "the name resolved to no address".to_string();
    for a in addrs {
        match TcpStream::connect(a).await {
            Ok(s) => return Ok(s),
            Err(e) => last = format!("{a}: {e}"),
        }
    }
    Err(last)
}

async fn run_probe(
    url: &str,
    proxy: Option<&ProxySpec>,
    config: &ProbeConfig,
    trace: Arc<Mutex<Trace>>,
) -> ProbeOutcome {
    let target = match parse_target(url) {
        Ok(t) => t,
        Err(detail) => return ProbeOutcome::InvalidUrl { detail },
    };
    let target_authority = authority(&target.host, target.port);

    let stream = match proxy {
        None => {
            Trace::at(&trace, Stage::Resolving);
            let addrs: Vec<std::net::SocketAddr> =
                match tokio::net::lookup_host((target.host.as_str(), target.port)).await {
                    Err(e) => {
                        return ProbeOutcome::Dns {
                            host: target.host.clone(),
                            detail: e.to_string(),
                        };
                    }
                    Ok(addrs) => addrs.collect(),
                };
            let shown: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
            Trace::note(&trace, "resolved", shown.join(", "));
            Trace::at(&trace, Stage::Connecting);
            match connect_tcp(&addrs).await {
                Ok(s) => s,
                Err(detail) => {
                    return ProbeOutcome::Connect {
                        target: target_authority,
                        detail,
                    };
                }
            }
        }
        Some(p) => match connect_via_proxy(p, &target, &trace).await {
            Ok(s) => s,
            Err(o) => return o,
        },
    };

    Trace::at(&trace, Stage::TlsHandshake);
    let inner = match platform_verifier(config) {
        Ok(v) => v,
        Err(detail) => return ProbeOutcome::Setup { detail },
    };
    let capture = Arc::new(Capturing {
        inner,
        seen: Mutex::new(None),
    });
    let provider = crate::tls::provider();
    let tls_config = match rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
    {
        Ok(b) => {
            let mut c = b
                .dangerous() // the verifier is the platform's, wrapped only to see the chain
                .with_custom_certificate_verifier(capture.clone())
                .with_no_client_auth();
            c.alpn_protocols = vec![b"http/1.1".to_vec()];
            c
        }
        Err(e) => {
            return ProbeOutcome::Setup {
                detail: e.to_string(),
            };
        }
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(tls_config));
    let tls = connector.connect(target.server_name.clone(), stream).await;
    let presented = capture.presented();
    if let Some(p) = &presented {
        Trace::note(&trace, "presented_subject", p.subject.clone());
        Trace::note(&trace, "presented_issuer", p.issuer.clone());
        Trace::note(&trace, "presented_sha256", p.sha256.clone());
        if let Some(n) = &p.not_after {
            Trace::note(&trace, "presented_not_after", n.clone());
        }
    }
    let mut tls = match tls {
        Ok(t) => t,
        Err(e) => return tls_failure(e, presented),
    };
    {
        let (_, conn) = tls.get_ref();
        if let Some(v) = conn.protocol_version() {
            Trace::note(&trace, "tls_version", format!("{v:?}"));
        }
    }

    Trace::at(&trace, Stage::HttpRequest);
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: ata2atp/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        target.path,
        if target.port == 443 {
            target.host.clone()
        } else {
            target_authority.clone()
        },
        crate::model::TOOL_VERSION
    );
    if let Err(e) = tls.write_all(request.as_bytes()).await {
        return ProbeOutcome::Tls {
            detail: format!("sending the request failed: {e}"),
            presented,
        };
    }
    match read_head(&mut tls).await {
        Err(detail) => ProbeOutcome::Protocol { detail },
        Ok(head) => {
            if let Some(loc) = head.header("location") {
                Trace::note(&trace, "location", loc);
            }
            if !head.body.is_empty() {
                Trace::note(&trace, "body", snippet(&head.body));
            }
            ProbeOutcome::Http {
                status: head.status,
                reason: head.reason,
            }
        }
    }
}

async fn connect_via_proxy(
    p: &ProxySpec,
    target: &Target,
    trace: &Mutex<Trace>,
) -> Result<TcpStream, ProbeOutcome> {
    let pu = reqwest::Url::parse(&p.url).map_err(|e| ProbeOutcome::InvalidUrl {
        detail: format!("proxy '{}' is not a URL: {e}", p.url),
    })?;
    if pu.scheme() != "http" {
        return Err(ProbeOutcome::InvalidUrl {
            detail: format!(
                "proxy '{}': only http:// proxies (CONNECT) are supported",
                p.url
            ),
        });
    }
    let phost = pu
        .host_str()
        .unwrap_or_default()
        .trim_matches(['[', ']'])
        .to_string();
    let pport = pu.port_or_known_default().unwrap_or(8080);
    Trace::at(trace, Stage::ProxyResolving);
    let addrs = match tokio::net::lookup_host((phost.as_str(), pport)).await {
        Ok(a) => a.collect::<Vec<_>>(),
        Err(e) => {
            return Err(ProbeOutcome::ProxyDns {
                host: phost.clone(),
                detail: e.to_string(),
            });
        }
    };
    Trace::note(
        trace,
        "proxy_resolved",
        addrs
            .iter()
            .map(|a| a.ip().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    );
    Trace::at(trace, Stage::ProxyConnecting);
    let mut stream = match connect_tcp(&addrs).await {
        Ok(s) => s,
        Err(detail) => {
            return Err(ProbeOutcome::ProxyConnect {
                target: authority(&phost, pport),
                detail,
            });
        }
    };
    Trace::at(trace, Stage::ProxyConnect);
    let auth = authority(&target.host, target.port);
    let mut req = format!(
        "CONNECT {auth} HTTP/1.1\r\nHost: {auth}\r\nUser-Agent: ata2atp/{}\r\nProxy-Connection: Keep-Alive\r\n",
        crate::model::TOOL_VERSION
    );
    let sent_credentials = match (&p.user, &p.password) {
        (Some(u), Some(pw)) => {
            let token = base64::engine::general_purpose::STANDARD
                .encode(format!("{u}:{}", pw.expose_secret()));
            req.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
            true
        }
        _ => false,
    };
    req.push_str("\r\n");
    stream
        .write_all(req.as_bytes())
        .await
        .map_err(|e| ProbeOutcome::ProxyConnect {
            target: authority(&phost, pport),
            detail: format!("sending CONNECT failed: {e}"),
        })?;
    let head = read_head(&mut stream)
        .await
        .map_err(|detail| ProbeOutcome::ProxyConnect {
            target: authority(&phost, pport),
            detail: format!("no valid answer to CONNECT: {detail}"),
        })?;
    Trace::note(
        trace,
        "connect_status",
        format!("{} {}", head.status, head.reason),
    );
    // The error page's title, unless it only repeats the status line (tinyproxy's does).
    let status_line = format!("{} {}", head.status, head.reason);
    let body = (!head.body.is_empty())
        .then(|| snippet(&head.body))
        .filter(|b| !b.is_empty() && *b != status_line && *b != head.reason);
    match head.status {
        200..=299 => Ok(stream),
        401 | 407 => {
            let schemes: Vec<String> = head
                .headers
                .iter()
                .filter(|(k, _)| k == "proxy-authenticate" || k == "www-authenticate")
                .filter_map(|(_, v)| v.split_whitespace().next().map(str::to_string))
                .collect();
            Trace::note(
                trace,
                "proxy_auth_schemes",
                if schemes.is_empty() {
                    "none offered".into()
                } else {
                    schemes.join(", ")
                },
            );
            let basic = schemes.iter().any(|s| s.eq_ignore_ascii_case("basic"));
            let windows_only = !schemes.is_empty()
                && !basic
                && schemes.iter().all(|s| {
                    ["ntlm", "negotiate", "kerberos"].contains(&s.to_ascii_lowercase().as_str())
                });
            if windows_only {
                Err(ProbeOutcome::ProxyAuthUnsupported { schemes })
            } else {
                Err(ProbeOutcome::ProxyAuth {
                    status: head.status,
                    schemes,
                    sent_credentials,
                })
            }
        }
        500..=599 => Err(ProbeOutcome::ProxyUpstream {
            status: head.status,
            reason: head.reason,
            detail: body,
        }),
        _ => Err(ProbeOutcome::ProxyRefused {
            status: head.status,
            reason: head.reason,
            detail: body,
        }),
    }
}

struct Head {
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
    /// Body bytes that arrived with the head.
    body: Vec<u8>,
}

impl Head {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

/// Reads an HTTP response head (at most 16 KiB).
async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> Result<Head, String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 16 * 1024 {
            return Err("the answer's header is larger than 16 KiB".into());
        }
        let n = stream.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err(if buf.is_empty() {
                "the connection was closed without an answer".into()
            } else {
                format!("the connection was closed mid-answer: {}", snippet(&buf))
            });
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let text = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/") {
        return Err(format!(
            "not an HTTP answer: {}",
            snippet(status_line.as_bytes())
        ));
    }
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status code in '{status_line}'"))?;
    let reason = parts.next().unwrap_or_default().to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok(Head {
        status,
        reason,
        headers,
        body: buf[end + 4..].to_vec(),
    })
}

/// A short, single-line, printable excerpt of a body (an HTML page's title when it has one).
fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lower = text.to_ascii_lowercase();
    let picked = match (lower.find("<title>"), lower.find("</title>")) {
        (Some(a), Some(b)) if b > a + 7 => text[a + 7..b].to_string(),
        _ => text.to_string(),
    };
    let flat: String = picked
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    flat.chars().take(160).collect()
}

fn platform_verifier(config: &ProbeConfig) -> Result<Arc<dyn ServerCertVerifier>, String> {
    let provider = crate::tls::provider();
    rustls_platform_verifier::Verifier::new_with_extra_roots(
        config.extra_roots.iter().cloned(),
        provider,
    )
    .map(|v| Arc::new(v) as Arc<dyn ServerCertVerifier>)
    .map_err(|e| format!("could not load the trust store: {e}"))
}

/// Delegates every decision to the real verifier and keeps the chain it was shown.
#[derive(Debug)]
struct Capturing {
    inner: Arc<dyn ServerCertVerifier>,
    seen: Mutex<Option<Vec<CertificateDer<'static>>>>,
}

impl Capturing {
    fn presented(&self) -> Option<Presented> {
        let chain = self.seen.lock().ok()?.clone()?;
        describe_chain(&chain)
    }
}

/// Subject, issuer and fingerprint of the first certificate, issuers of the rest.
pub fn describe_chain(chain: &[CertificateDer<'_>]) -> Option<Presented> {
    let first = chain.first()?;
    let sha256 = hex::encode_upper(sha2::Sha256::digest(first.as_ref()));
    let parsed = x509_parser::parse_x509_certificate(first.as_ref())
        .ok()
        .map(|(_, c)| c);
    let chain_issuers = chain
        .iter()
        .skip(1)
        .filter_map(|c| x509_parser::parse_x509_certificate(c.as_ref()).ok())
        .map(|(_, c)| c.issuer().to_string())
        .collect();
    Some(match parsed {
        Some(c) => Presented {
            subject: c.subject().to_string(),
            issuer: c.issuer().to_string(),
            not_after: chrono::DateTime::from_timestamp(c.validity().not_after.timestamp(), 0)
                .map(|t| t.to_rfc3339()),
            sha256,
            chain_issuers,
        },
        None => Presented {
            subject: "(certificate not parseable)".into(),
            issuer: "(certificate not parseable)".into(),
            not_after: None,
            sha256,
            chain_issuers,
        },
    })
}

impl ServerCertVerifier for Capturing {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            let mut chain = vec![end_entity.clone().into_owned()];
            chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
            *seen = Some(chain);
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.inner.requires_raw_public_keys()
    }

    fn root_hint_subjects(&self) -> Option<&[rustls::DistinguishedName]> {
        self.inner.root_hint_subjects()
    }
}

fn tls_failure(e: std::io::Error, presented: Option<Presented>) -> ProbeOutcome {
    let rustls_error = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match rustls_error {
        Some(rustls::Error::InvalidCertificate(ce)) => {
            let kind = match ce {
                CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                    TlsProblem::Untrusted
                }
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => TlsProblem::WrongName,
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                    TlsProblem::Expired
                }
                // The platform verifier reports some chain errors as `Other`; its text says which.
                CertificateError::Other(o)
                    if o.to_string().to_ascii_lowercase().contains("issuer") =>
                {
                    TlsProblem::Untrusted
                }
                _ => TlsProblem::Other,
            };
            ProbeOutcome::TlsCertificate {
                kind,
                detail: ce.to_string(),
                presented,
            }
        }
        Some(other) => ProbeOutcome::Tls {
            detail: other.to_string(),
            presented,
        },
        None => ProbeOutcome::Tls {
            detail: e.to_string(),
            presented,
        },
    }
}

/// Turns a probe's report into the check's verdict. `spec` says which check and whether a
/// proxy is configured for the sensors.
pub fn judge(spec: &ProbeSpec, report: &ProbeReport) -> Outcome {
    use ProbeOutcome as P;
    let via = if spec.proxy.is_some() {
        " through the proxy"
    } else {
        " directly"
    };
    let mut o = match &report.outcome {
        P::Http { status: 200, .. } => Outcome::pass(format!(
            "the sensor API answered 200{via} in {} ms",
            report.elapsed.as_millis()
        )),
        // Documented: some older workspaces answer 503 to the ping; it still proves the path.
        P::Http { status: 503, reason } => Outcome::pass(format!(
            "the sensor API answered 503 {reason}{via}: reachable (some workspaces answer the ping with 503, which \
             the docs count as success)"
        )),
        P::Http { status, reason } => Outcome::fail(format!(
            "the sensor API answered {status} {reason}{via}, not 200 or 503",
        ))
        .remedy(match status {
            300..=399 => "something on the path redirects the request (a captive portal or web filter): exempt the \
                          sensor API host",
            _ => "check the workspace name and cloud in the engagement, and that nothing on the path answers in the \
                  service's place",
        }),
        P::InvalidUrl { detail } => Outcome::unknown(format!("the probe could not start: {detail}"))
            .remedy("fix --ping-url, the workspace, or proxy.url in ata2atp.yaml"),
        P::Setup { detail } => Outcome::unknown(format!("the probe could not start: {detail}")),
        P::Dns { host, detail } => Outcome::fail(format!("{host} does not resolve: {detail}")).remedy(
            "check the workspace name (the host is <workspace>sensorapi.atp.azure.com) and that the DCs' DNS resolves \
             public names, or that the sensors use the proxy",
        ),
        P::Connect { target, detail } => Outcome::fail(format!("no TCP connection to {target}: {detail}"))
            .remedy("open outbound TCP 443 to the sensor API (service tag AzureAdvancedThreatProtection), or use the proxy"),
        P::ProxyDns { host, detail } => Outcome::fail(format!("the proxy's name {host} does not resolve: {detail}"))
            .remedy("check proxy.url in ata2atp.yaml"),
        P::ProxyConnect { target, detail } => {
            Outcome::fail(format!("the proxy {target} could not be reached: {detail}"))
                .remedy("check that the proxy runs and proxy.url (host and port) is right")
        }
        P::ProxyAuth {
            status,
            schemes,
            sent_credentials: true,
        } => Outcome::fail(format!(
            "the proxy rejected the credentials of {} ({status}; offers {})",
            spec.proxy.as_ref().and_then(|p| p.user.clone()).unwrap_or_default(),
            list_or_none(schemes)
        ))
        .remedy("check the proxy user and password; the sensor takes them as ProxyUserName/ProxyUserPassword"),
        P::ProxyAuth { status, schemes, .. } => match spec.proxy.as_ref().and_then(|p| p.user.as_ref()) {
            Some(user) => Outcome::unknown(format!(
                "the proxy asks for credentials ({status}; offers {}) and no password was given for {user}",
                list_or_none(schemes)
            ))
            .remedy("pass --proxy-password-env VAR or --proxy-password-file FILE (or answer the prompt)"),
            None => Outcome::fail(format!(
                "the proxy requires authentication ({status}; offers {}) and no proxy user is configured",
                list_or_none(schemes)
            ))
            .remedy("set proxy.user in ata2atp.yaml and give its password; the sensor needs the same credentials"),
        },
        P::ProxyAuthUnsupported { schemes } => Outcome::unknown(format!(
            "the proxy only offers {} authentication, which this probe does not speak",
            schemes.join(", ")
        ))
        .remedy(
            "test from a DC with Test-MDISensorApiConnection, or have the proxy accept the sensor's basic \
             credentials (or exempt the sensor API host)",
        ),
        P::ProxyRefused { status, reason, detail } => Outcome::fail(format!(
            "the proxy refused to CONNECT to the sensor API ({status} {reason}{})",
            detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
        ))
        .remedy("allow CONNECT to <workspace>sensorapi.atp.azure.com:443 on the proxy"),
        P::ProxyUpstream { status, reason, detail } => Outcome::fail(format!(
            "the proxy could not reach the sensor API ({status} {reason}{})",
            detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
        ))
        .remedy("check the proxy's own DNS and outbound access to the sensor API host on 443"),
        P::TlsCertificate { kind, detail, presented } => {
            let who = presented
                .as_ref()
                .map(|p| format!("issued by \"{}\" (subject \"{}\")", p.issuer, p.subject))
                .unwrap_or_else(|| "(no certificate seen)".into());
            match kind {
                TlsProblem::Untrusted => Outcome::fail(format!(
                    "the certificate presented{via} is not trusted: {who}; TLS inspection (interception) is not \
                     supported by the sensor"
                ))
                .remedy(
                    "exempt the sensor API host from TLS inspection on the proxy or firewall; if the issuer is \
                     Microsoft's, the DCs miss a trusted root (DigiCert Global Root G2)",
                ),
                TlsProblem::WrongName => Outcome::fail(format!(
                    "the certificate presented{via} is not for this host: {who}"
                ))
                .remedy("something answers in the service's place (interception or a wrong DNS record): exempt the host"),
                TlsProblem::Expired => Outcome::fail(format!("the certificate presented{via} has expired: {who}"))
                    .remedy("check the time on this machine; an expired certificate from a proxy means interception"),
                TlsProblem::Other => Outcome::fail(format!("the certificate presented{via} was refused ({detail}): {who}")),
            }
            .ev("tls_error", detail.clone())
        }
        P::Tls { detail, presented } => {
            let who = presented
                .as_ref()
                .map(|p| format!(" (certificate issued by \"{}\")", p.issuer))
                .unwrap_or_default();
            Outcome::fail(format!("the TLS handshake{via} failed: {detail}{who}"))
                .remedy("something on the path ends the TLS connection: check firewall and proxy TLS policies")
        }
        P::Protocol { detail } => Outcome::fail(format!("the answer{via} was not HTTP: {detail}")),
        P::Timeout { stage } => Outcome::fail(format!(
            "no answer{via} within {} s (stopped at {stage})",
            report.evidence.get("timeout_s").cloned().unwrap_or_default()
        ))
        .remedy("a firewall probably drops the traffic: open outbound 443 to the sensor API, or use the proxy"),
    };
    // With a proxy configured the sensors go through it: a direct path that fails is
    // expected (many customers allow the cloud only through the proxy).
    if spec.proxy.is_none() && spec.proxy_configured && o.status == Status::Fail {
        o.status = Status::Warn;
        o.reason = format!(
            "{} (expected if only the proxy may reach the cloud)",
            o.reason
        );
    }
    o.with(report.evidence.clone())
}

fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "no scheme".into()
    } else {
        v.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(proxy: bool, configured: bool) -> ProbeSpec {
        ProbeSpec {
            check_id: if proxy {
                "network.sensor_api_proxy"
            } else {
                "network.sensor_api"
            },
            subject: None,
            url: "https://x/tri/sensor/api/ping".into(),
            proxy: proxy.then(|| ProxySpec {
                url: "http://proxy:8080".into(),
                user: Some("atp".into()),
                password: None,
            }),
            proxy_configured: configured,
        }
    }

    fn report(outcome: ProbeOutcome) -> ProbeReport {
        ProbeReport {
            outcome,
            evidence: BTreeMap::new(),
            elapsed: Duration::from_millis(5),
        }
    }

    #[test]
    fn outcomes_map_to_statuses() {
        use ProbeOutcome as P;
        let cases = [
            (
                P::Http {
                    status: 200,
                    reason: "OK".into(),
                },
                Status::Pass,
            ),
            (
                P::Http {
                    status: 503,
                    reason: "Service Unavailable".into(),
                },
                Status::Pass,
            ),
            (
                P::Http {
                    status: 500,
                    reason: "Internal Server Error".into(),
                },
                Status::Fail,
            ),
            (
                P::ProxyAuthUnsupported {
                    schemes: vec!["NTLM".into(), "Negotiate".into()],
                },
                Status::Unknown,
            ),
            (
                P::ProxyAuth {
                    status: 407,
                    schemes: vec!["Basic".into()],
                    sent_credentials: false,
                },
                Status::Unknown,
            ),
            (
                P::ProxyAuth {
                    status: 401,
                    schemes: vec![],
                    sent_credentials: true,
                },
                Status::Fail,
            ),
            (
                P::Timeout {
                    stage: Stage::TlsHandshake,
                },
                Status::Fail,
            ),
        ];
        for (outcome, want) in cases {
            assert_eq!(
                judge(&spec(true, true), &report(outcome.clone())).status,
                want,
                "{outcome:?}"
            );
        }
        let dns = report(P::Dns {
            host: "x.invalid".into(),
            detail: "no".into(),
        });
        assert_eq!(judge(&spec(false, false), &dns).status, Status::Fail);
        assert_eq!(judge(&spec(false, true), &dns).status, Status::Warn);
    }

    #[test]
    fn bodies_are_cut_to_one_short_line() {
        assert_eq!(
            snippet(b"<html><head><title>Unable to connect</title></head>"),
            "Unable to connect"
        );
        assert_eq!(snippet(b"a\r\n b\tc"), "a b c");
        assert_eq!(snippet(&[b'x'; 500]).len(), 160);
    }
}
