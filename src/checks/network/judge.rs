//! From a probe's report to the check's verdict: what each way of failing means for the
//! sensor, and what to do.

use super::*;
use crate::model::Action;

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
            .act(Action::ProbeSettings),
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
            .act(Action::ProxyPassword),
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

pub(super) fn list_or_none(v: &[String]) -> String {
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
}
