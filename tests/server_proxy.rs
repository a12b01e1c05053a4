//! The HTTP client the product uses (`reqwest` 0.13, rustls) through a real HTTP proxy
//! (tinyproxy with basic auth and a CONNECT port allow-list) to local HTTPS stand-ins
//! for the cloud endpoints: the cases the readiness check must tell apart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::error::Error as _;
use std::time::Duration;

/// A client that trusts only `ca` and goes through `proxy` (None: direct).
fn client(proxy: Option<&str>, ca: &std::path::Path, timeout: Duration) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .tls_certs_only([support::servers::reqwest_cert(ca)])
        .connect_timeout(Duration::from_secs(5))
        .timeout(timeout);
    b = match proxy {
        // Credentials in the proxy URL become Proxy-Authorization on CONNECT.
        Some(url) => b.proxy(reqwest::Proxy::all(url).expect("a proxy URL")),
        None => b.no_proxy(),
    };
    b.build().expect("a client")
}

/// The whole error chain as one line (reqwest puts the cause in `source()`).
fn chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        text.push_str(" <- ");
        text.push_str(&c.to_string());
        cur = c.source();
    }
    text
}

async fn get(
    proxy: Option<&str>,
    ca: &std::path::Path,
    url: &str,
) -> Result<(u16, String), reqwest::Error> {
    let resp = client(proxy, ca, Duration::from_secs(10))
        .get(url)
        .send()
        .await?;
    let status = resp.status().as_u16();
    Ok((status, resp.text().await?))
}

#[tokio::test]
async fn proxy_with_credentials_reaches_the_trusted_target() {
    let p = &support::servers::servers().proxy;
    let (status, body) = get(Some(&p.url_with_credentials), &p.ca_pem, &p.targets.ok)
        .await
        .unwrap();
    assert_eq!((status, body.as_str()), (200, "Ok"));
    // And the same target answers directly, so the proxy is what the other cases test.
    let (status, _) = get(None, &p.ca_pem, &p.targets.ok).await.unwrap();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn proxy_without_credentials_is_refused_with_407() {
    let p = &support::servers::servers().proxy;
    let err = get(Some(&p.url), &p.ca_pem, &p.targets.ok)
        .await
        .expect_err("no credentials");
    let text = chain(&err);
    assert!(err.is_connect(), "{text}");
    assert!(text.contains("proxy authorization required"), "{text}");
}

#[tokio::test]
async fn proxy_with_a_wrong_password_is_refused() {
    let p = &support::servers::servers().proxy;
    let wrong = p
        .url_with_credentials
        .replace(&format!(":{}@", p.password), ":wrong-password@");
    assert_ne!(wrong, p.url_with_credentials);
    let err = get(Some(&wrong), &p.ca_pem, &p.targets.ok)
        .await
        .expect_err("wrong password");
    let text = chain(&err);
    // tinyproxy answers 401 here; reqwest reports it only as an unsuccessful tunnel.
    assert!(
        err.is_connect() && text.contains("tunnel error: unsuccessful"),
        "{text}"
    );
}

#[tokio::test]
async fn server_errors_come_back_as_status_codes() {
    let p = &support::servers::servers().proxy;
    let proxy = Some(p.url_with_credentials.as_str());
    for (url, code) in [
        (&p.targets.status_503, 503),
        (&p.targets.status_500, 500),
        (&p.targets.not_found, 404),
    ] {
        let (status, _) = get(proxy, &p.ca_pem, url).await.unwrap();
        assert_eq!(status, code, "{url}");
    }
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_through_the_proxy() {
    let p = &support::servers::servers().proxy;
    let err = get(
        Some(&p.url_with_credentials),
        &p.ca_pem,
        &p.targets.untrusted,
    )
    .await
    .expect_err("untrusted CA");
    let text = chain(&err);
    assert!(text.contains("UnknownIssuer"), "{text}");
    // Trusting the inspection CA instead makes the same target work: the cert itself is fine.
    let (status, _) = get(
        Some(&p.url_with_credentials),
        &p.untrusted_ca_pem,
        &p.targets.untrusted,
    )
    .await
    .unwrap();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_port_outside_connectport_is_denied() {
    let p = &support::servers::servers().proxy;
    let err = get(
        Some(&p.url_with_credentials),
        &p.ca_pem,
        &p.targets.denied_port,
    )
    .await
    .expect_err("denied port");
    let text = chain(&err);
    assert!(
        err.is_connect() && text.contains("tunnel error: unsuccessful"),
        "{text}"
    );
    // Direct, the target itself works.
    let (status, _) = get(None, &p.ca_pem, &p.targets.denied_port).await.unwrap();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_proxy_that_is_down_is_a_refused_connection() {
    let p = &support::servers::servers().proxy;
    let err = get(Some(&p.down_url), &p.ca_pem, &p.targets.ok)
        .await
        .expect_err("proxy down");
    let text = chain(&err);
    assert!(
        err.is_connect() && text.contains("Connection refused"),
        "{text}"
    );
}

#[tokio::test]
async fn a_silent_target_times_out() {
    let p = &support::servers::servers().proxy;
    let started = std::time::Instant::now();
    let err = client(
        Some(&p.url_with_credentials),
        &p.ca_pem,
        Duration::from_secs(2),
    )
    .get(&p.targets.blackhole)
    .send()
    .await
    .expect_err("the blackhole never answers");
    assert!(err.is_timeout(), "{}", chain(&err));
    assert!(started.elapsed() < Duration::from_secs(10));
}
