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
use rustls::pki_types::CertificateDer;
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

mod judge;
mod probe;
mod proxy;
mod target;
mod tls;

pub use judge::judge;
pub use probe::probe;
pub use tls::describe_chain;
