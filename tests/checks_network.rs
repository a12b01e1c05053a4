//! Every outcome of the reachability check against real servers on loopback: tinyproxy
//! (basic auth, a CONNECT port allow-list) in front of HTTPS targets answering 200, 503
//! and 500, one whose certificate comes from an "inspection" CA the probe does not trust,
//! one that never answers; a name that does not resolve; a proxy that is down. The one
//! case tinyproxy cannot play, a proxy offering only NTLM/Negotiate, is a few lines of
//! in-process server.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;
use support::commands::ata2atp;

use std::time::{Duration, Instant};

use ata2atp::checks::Outcome;
use ata2atp::checks::network::{self, ProbeConfig, ProbeOutcome, ProbeSpec, ProxySpec, TlsProblem};
use ata2atp::model::{ChecksFile, Status};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TIMEOUT: Duration = Duration::from_millis(1500);

fn config() -> ProbeConfig {
    ProbeConfig {
        timeout: TIMEOUT,
        extra_roots: ata2atp::tls::load_certificates(&support::servers::servers().proxy.ca_pem)
            .unwrap(),
    }
}

/// `http://host:port` without the user-info some servers.json URLs carry.
fn bare(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!(
            "{scheme}://{}",
            rest.rsplit_once('@').map_or(rest, |(_, h)| h)
        ),
        None => url.to_string(),
    }
}

fn proxy(user: Option<&str>, password: Option<&str>) -> ProxySpec {
    ProxySpec {
        url: support::servers::servers().proxy.url.clone(),
        user: user.map(str::to_string),
        password: password.map(|p| p.to_string().into()),
    }
}

fn good_proxy() -> ProxySpec {
    let p = &support::servers::servers().proxy;
    proxy(Some(&p.user), Some(&p.password))
}

/// Probes `url` (through `via`) and judges it as the check does.
async fn check(url: &str, via: Option<ProxySpec>) -> (ProbeOutcome, Outcome) {
    let spec = ProbeSpec {
        check_id: if via.is_some() {
            "network.sensor_api_proxy"
        } else {
            "network.sensor_api"
        },
        subject: None,
        url: url.to_string(),
        proxy: via.clone(),
        proxy_configured: via.is_some(),
    };
    let report = network::probe(url, via.as_ref(), &config()).await;
    let outcome = network::judge(&spec, &report);
    (report.outcome, outcome)
}

#[tokio::test]
async fn direct_200_503_500() {
    let t = &support::servers::servers().proxy.targets;
    let (raw, o) = check(&t.ok, None).await;
    assert!(
        matches!(raw, ProbeOutcome::Http { status: 200, .. }),
        "{raw:?}"
    );
    assert_eq!(o.status, Status::Pass);
    assert!(
        o.evidence["presented_issuer"].contains("CN="),
        "{:?}",
        o.evidence
    );
    let (_, o) = check(&t.status_503, None).await;
    assert_eq!(o.status, Status::Pass, "{}", o.reason);
    assert!(o.reason.contains("503"), "{}", o.reason);
    let (_, o) = check(&t.status_500, None).await;
    assert_eq!(o.status, Status::Fail);
    assert!(o.reason.contains("500"), "{}", o.reason);
}

#[tokio::test]
async fn untrusted_issuer_is_named_directly_and_through_the_proxy() {
    let t = &support::servers::servers().proxy.targets;
    for via in [None, Some(good_proxy())] {
        let (raw, o) = check(&t.untrusted, via.clone()).await;
        let ProbeOutcome::TlsCertificate {
            kind, presented, ..
        } = &raw
        else {
            panic!("{raw:?}")
        };
        assert_eq!(*kind, TlsProblem::Untrusted);
        let issuer = &presented.as_ref().expect("the chain was captured").issuer;
        assert!(issuer.contains("Inspection"), "issuer {issuer}");
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.reason.contains(issuer.as_str()) && o.reason.contains("interception"),
            "{}",
            o.reason
        );
        assert_eq!(o.evidence["presented_issuer"], *issuer);
    }
}

#[tokio::test]
async fn a_name_that_does_not_resolve() {
    let ok_port = support::servers::servers()
        .proxy
        .targets
        .ok
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let url = format!("https://ata2atp-test.invalid:{ok_port}/tri/sensor/api/ping");
    let (raw, o) = check(&url, None).await;
    assert!(matches!(raw, ProbeOutcome::Dns { .. }), "{raw:?}");
    assert_eq!(o.status, Status::Fail);
    assert!(o.reason.contains("does not resolve"), "{}", o.reason);
    // Through the proxy the proxy resolves, and says it could not connect.
    let (raw, o) = check(&url, Some(good_proxy())).await;
    assert!(matches!(raw, ProbeOutcome::ProxyUpstream { .. }), "{raw:?}");
    assert_eq!(o.status, Status::Fail);
    assert!(o.reason.contains("could not reach"), "{}", o.reason);
}

#[tokio::test]
async fn a_target_that_never_answers_times_out_on_time() {
    let t = &support::servers::servers().proxy.targets;
    let timed = |via: Option<ProxySpec>| async move {
        let started = Instant::now();
        let r = check(&t.blackhole, via).await;
        (r, started.elapsed())
    };
    // Both at once: the probes are independent, and the test takes one timeout.
    let (direct, proxied) = tokio::join!(timed(None), timed(Some(good_proxy())));
    for ((raw, o), took) in [direct, proxied] {
        assert!(matches!(raw, ProbeOutcome::Timeout { .. }), "{raw:?}");
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.reason.contains("no answer") && o.reason.contains("TLS handshake"),
            "{}",
            o.reason
        );
        assert!(
            took >= TIMEOUT && took < TIMEOUT + Duration::from_millis(500),
            "took {took:?}"
        );
    }
}

#[tokio::test]
async fn proxy_with_good_credentials_reaches_the_service() {
    let t = &support::servers::servers().proxy.targets;
    let (raw, o) = check(&t.ok, Some(good_proxy())).await;
    assert!(
        matches!(raw, ProbeOutcome::Http { status: 200, .. }),
        "{raw:?}"
    );
    assert_eq!(o.status, Status::Pass);
    assert!(
        o.evidence["connect_status"].starts_with("200"),
        "{:?}",
        o.evidence
    );
    assert!(
        !o.evidence
            .values()
            .any(|v| v.contains(&support::servers::servers().proxy.password))
    );
    let (_, o) = check(&t.status_503, Some(good_proxy())).await;
    assert_eq!(o.status, Status::Pass);
    let (_, o) = check(&t.status_500, Some(good_proxy())).await;
    assert_eq!(o.status, Status::Fail);
}

#[tokio::test]
async fn proxy_without_credentials_or_with_wrong_ones() {
    let p = &support::servers::servers().proxy;
    // No user configured at all: the proxy demands one.
    let (raw, o) = check(&p.targets.ok, Some(proxy(None, None))).await;
    assert!(
        matches!(
            raw,
            ProbeOutcome::ProxyAuth {
                status: 407,
                sent_credentials: false,
                ..
            }
        ),
        "{raw:?}"
    );
    assert_eq!(o.status, Status::Fail);
    assert!(o.reason.contains("requires authentication"), "{}", o.reason);
    // A user but no password given: cannot be decided.
    let (_, o) = check(&p.targets.ok, Some(proxy(Some(&p.user), None))).await;
    assert_eq!(o.status, Status::Unknown);
    assert!(o.reason.contains("no password was given"), "{}", o.reason);
    // A wrong password (tinyproxy answers 401 to it).
    let (raw, o) = check(
        &p.targets.ok,
        Some(proxy(Some(&p.user), Some("not-the-password"))),
    )
    .await;
    assert!(
        matches!(
            raw,
            ProbeOutcome::ProxyAuth {
                sent_credentials: true,
                ..
            }
        ),
        "{raw:?}"
    );
    assert_eq!(o.status, Status::Fail);
    assert!(
        o.reason.contains("rejected the credentials"),
        "{}",
        o.reason
    );
}

#[tokio::test]
async fn proxy_refusing_the_port_and_proxy_down() {
    let p = &support::servers::servers().proxy;
    let (raw, o) = check(&p.targets.denied_port, Some(good_proxy())).await;
    assert!(
        matches!(raw, ProbeOutcome::ProxyRefused { status: 403, .. }),
        "{raw:?}"
    );
    assert_eq!(o.status, Status::Fail);
    assert!(o.reason.contains("refused to CONNECT"), "{}", o.reason);
    // The same target directly works: it is the proxy that refuses.
    assert_eq!(
        check(&p.targets.denied_port, None).await.1.status,
        Status::Pass
    );

    let down = ProxySpec {
        url: bare(&p.down_url),
        ..good_proxy()
    };
    let (raw, o) = check(&p.targets.ok, Some(down)).await;
    assert!(matches!(raw, ProbeOutcome::ProxyConnect { .. }), "{raw:?}");
    assert_eq!(o.status, Status::Fail);
    assert!(
        o.reason.contains("could not be reached") && o.reason.contains("refused"),
        "{}",
        o.reason
    );
}

/// A proxy that only offers Windows authentication: 407 with NTLM and Negotiate.
#[tokio::test]
async fn a_proxy_offering_only_ntlm_is_unknown_not_fail() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 2048];
        let _ = s.read(&mut buf).await;
        let _ = s
            .write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\n\
                  Proxy-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n",
            )
            .await;
    });
    let via = ProxySpec {
        url: format!("http://{addr}"),
        user: Some("LAB\\svc-proxy".into()),
        password: Some("x".to_string().into()),
    };
    let (raw, o) = check(&support::servers::servers().proxy.targets.ok, Some(via)).await;
    server.await.unwrap();
    assert!(
        matches!(raw, ProbeOutcome::ProxyAuthUnsupported { .. }),
        "{raw:?}"
    );
    assert_eq!(o.status, Status::Unknown);
    assert!(o.reason.contains("NTLM, Negotiate"), "{}", o.reason);
}

/// The command line, with the engagement's proxy and a password from the environment.
#[test]
fn check_probes_directly_and_through_the_engagement_s_proxy() {
    let p = &support::servers::servers().proxy;
    let dir = tempfile::tempdir().unwrap();
    let eng = dir.path().join("eng");
    ata2atp()
        .args([
            "init",
            eng.to_str().unwrap(),
            "--customer",
            "Proxy Test",
            "--workspace",
            "lab",
        ])
        .args(["--proxy", &p.url, "--proxy-user", &p.user])
        .assert()
        .success();
    std::fs::write(
        eng.join("inventory.yaml"),
        "schema_version: 1\ntool_version: 0.1.0\ncollected_at: 2026-11-20T10:00:00Z\n",
    )
    .unwrap();
    let run = |url: &str, password_env: Option<&str>| {
        let mut cmd = ata2atp();
        cmd.args([
            "--engagement",
            eng.to_str().unwrap(),
            "check",
            "--only",
            "network.*",
            "-o",
            "json",
        ])
        .args([
            "--ping-url",
            url,
            "--ca-file",
            p.ca_pem.to_str().unwrap(),
            "--timeout",
            "2",
        ])
        .env("LAB_PROXY_PASSWORD", &p.password);
        if let Some(var) = password_env {
            cmd.args(["--proxy-password-env", var]);
        }
        let out = cmd.output().unwrap();
        let file: ChecksFile = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code().unwrap(), file)
    };
    let status = |f: &ChecksFile, id: &str| f.results.iter().find(|r| r.id == id).unwrap().status;

    let (code, file) = run(&p.targets.ok, Some("LAB_PROXY_PASSWORD"));
    assert_eq!(code, 0, "{file:?}");
    assert_eq!(status(&file, "network.sensor_api"), Status::Pass);
    assert_eq!(status(&file, "network.sensor_api_proxy"), Status::Pass);
    let saved = std::fs::read_to_string(eng.join("checks.yaml")).unwrap();
    assert!(
        !saved.contains(&p.password),
        "the proxy password reached checks.yaml"
    );

    // No password (and no terminal to ask on): the proxy's 407 cannot be judged.
    let (code, file) = run(&p.targets.ok, None);
    assert_eq!(status(&file, "network.sensor_api_proxy"), Status::Unknown);
    assert_eq!(code, 0, "Unknown never fails the exit code");

    // With a proxy configured, a direct failure is expected: Warn, and the proxy decides.
    let (code, file) = run(&p.targets.denied_port, Some("LAB_PROXY_PASSWORD"));
    assert_eq!(status(&file, "network.sensor_api"), Status::Pass);
    assert_eq!(status(&file, "network.sensor_api_proxy"), Status::Fail);
    assert_eq!(code, 1);
    let (_, file) = run(&p.targets.untrusted, Some("LAB_PROXY_PASSWORD"));
    assert_eq!(status(&file, "network.sensor_api"), Status::Warn);
    assert_eq!(status(&file, "network.sensor_api_proxy"), Status::Fail);
}
