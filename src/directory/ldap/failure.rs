//! What a failed connection or bind means, in AD's terms and with the next step.

use super::*;

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
pub(super) fn tls_words(e: &rustls::Error, server: &Server, tls: &TlsOptions) -> (String, String) {
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
        for (code, expected) in [
            ("52e", BindFailure::WrongPassword),
            ("525", BindFailure::NoSuchUser),
            ("530", BindFailure::NotPermittedNow),
            ("531", BindFailure::NotPermittedHere),
            ("532", BindFailure::PasswordExpired),
            ("533", BindFailure::Disabled),
            ("701", BindFailure::AccountExpired),
            ("773", BindFailure::MustChangePassword),
            ("775", BindFailure::LockedOut),
        ] {
            assert_eq!(BindFailure::classify(49, &t(code)), expected, "data {code}");
        }
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
        assert_eq!(ad_data_code("…error, DATA 775, v2580"), Some("775".into()));
        assert_eq!(ad_data_code("no code"), None);
    }
}
