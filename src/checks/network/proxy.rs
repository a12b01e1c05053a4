//! The proxy's side of a probe: CONNECT, its answer (403, 407 and the schemes it
//! offers), and reading an HTTP head.

use super::target::{Target, authority, connect_tcp};
use super::*;

pub(super) async fn connect_via_proxy(
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

pub(super) struct Head {
    pub(super) status: u16,
    pub(super) reason: String,
    pub(super) headers: Vec<(String, String)>,
    /// Body bytes that arrived with the head.
    pub(super) body: Vec<u8>,
}

impl Head {
    pub(super) fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

/// Reads an HTTP response head (at most 16 KiB).
pub(super) async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> Result<Head, String> {
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
pub(super) fn snippet(bytes: &[u8]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
