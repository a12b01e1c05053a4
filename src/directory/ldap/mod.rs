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

mod conn;
mod failure;
mod search;
mod tls;

pub use conn::{Conn, decode_entry};
pub use failure::{BindFailure, ad_data_code, connect_error};
pub use search::{Outcome, Search, SearchFailure, SearchRecord};
pub use tls::{TlsOptions, tls_config};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
