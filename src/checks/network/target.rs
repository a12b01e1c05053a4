//! Where a probe goes: the target read from the URL, `host:port`, and the first of the
//! name's addresses that accepts a TCP connection; used directly and through the proxy.

use super::*;
use rustls::pki_types::ServerName;

/// The target of a probe, from its URL.
pub(super) struct Target {
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) path: String,
    pub(super) server_name: ServerName<'static>,
}

pub(super) fn parse_target(url: &str) -> Result<Target, String> {
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
pub(super) fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Connects to the first address that accepts; the error names the last refusal.
pub(super) async fn connect_tcp(addrs: &[std::net::SocketAddr]) -> Result<TcpStream, String> {
    let mut last = "the name resolved to no address".to_string();
    for a in addrs {
        match TcpStream::connect(a).await {
            Ok(s) => return Ok(s),
            Err(e) => last = format!("{a}: {e}"),
        }
    }
    Err(last)
}
