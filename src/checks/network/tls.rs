//! TLS of a probe: the platform's verifier wrapped to capture the chain presented, and
//! what a failed handshake means.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use sha2::Digest as _;

use super::{Presented, ProbeConfig, ProbeOutcome, TlsProblem};

pub(super) fn platform_verifier(
    config: &ProbeConfig,
) -> Result<Arc<dyn ServerCertVerifier>, String> {
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
pub(super) struct Capturing {
    pub(super) inner: Arc<dyn ServerCertVerifier>,
    pub(super) seen: Mutex<Option<Vec<CertificateDer<'static>>>>,
}

impl Capturing {
    pub(super) fn presented(&self) -> Option<Presented> {
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

pub(super) fn tls_failure(e: std::io::Error, presented: Option<Presented>) -> ProbeOutcome {
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
