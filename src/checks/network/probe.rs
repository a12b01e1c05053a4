//! One probe: the target's name, TCP, the proxy when one is given, TLS, the HTTP
//! answer, all under one timeout.

use super::proxy::{connect_via_proxy, read_head, snippet};
use super::target::{authority, connect_tcp, parse_target};
use super::tls::{Capturing, platform_verifier, tls_failure};
use super::*;

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

pub(super) async fn run_probe(
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
