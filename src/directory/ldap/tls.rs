//! TLS for LDAP: the system store, exactly the `--ca-file` given, or (`--insecure`) no
//! chain check at all.

use super::*;

/// How the server's certificate is checked.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    pub ca_file: Option<std::path::PathBuf>,
    pub insecure: bool,
}

/// The rustls configuration for `opts`.
pub fn tls_config(opts: &TlsOptions) -> Result<Arc<ClientConfig>, Error> {
    let builder = ClientConfig::builder_with_provider(crate::tls::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Usage(format!("TLS set-up failed: {e}")))?;
    if opts.insecure {
        let config = builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoChainCheck(crate::tls::provider())))
            .with_no_client_auth();
        return Ok(Arc::new(config));
    }
    let mut roots = RootCertStore::empty();
    match &opts.ca_file {
        Some(path) => {
            let ca_err = |reason: String| Error::CaFile {
                path: path.clone(),
                reason,
            };
            let certs =
                crate::tls::load_certificates(path).map_err(|e| ca_err(e.problem.to_string()))?;
            for c in certs {
                roots.add(c).map_err(|e| {
                    ca_err(format!("a certificate in it is not usable as a CA ({e})"))
                })?;
            }
        }
        None => {
            let native = rustls_native_certs::load_native_certs();
            for c in native.certs {
                let _ = roots.add(c);
            }
        }
    }
    Ok(Arc::new(
        builder.with_root_certificates(roots).with_no_client_auth(),
    ))
}

/// `--insecure`: any certificate chain is accepted; the handshake signatures are still
/// verified, so the session is at least bound to the key the server presented.
#[derive(Debug)]
pub(super) struct NoChainCheck(Arc<CryptoProvider>);

impl ServerCertVerifier for NoChainCheck {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_ca_file_is_an_input_error() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        for path in [dir.path().join("missing.pem"), empty] {
            let e = tls_config(&TlsOptions {
                ca_file: Some(path.clone()),
                insecure: false,
            })
            .unwrap_err();
            assert_eq!(e.kind(), crate::kind::ErrorKind::Input, "{e}");
            assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        }
        assert!(
            tls_config(&TlsOptions {
                ca_file: None,
                insecure: true
            })
            .is_ok()
        );
    }
}
