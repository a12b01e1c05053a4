//! TLS pieces the live readers share (LDAP to the directory, the reachability probe):
//! the crypto provider, named explicitly, and PEM certificate files such as a customer's
//! or a lab's CA.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// aws-lc-rs. Named explicitly because another crate in the process (reqwest) may bring
/// its own provider, and rustls refuses to guess between two.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A certificate file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("CA file {}: {problem}", path.display())]
pub struct CertFileError {
    pub path: PathBuf,
    pub problem: CertFileProblem,
}

#[derive(Debug, thiserror::Error)]
pub enum CertFileProblem {
    #[error("cannot read it ({0})")]
    Unreadable(String),
    #[error("it is not PEM ({0})")]
    NotPem(String),
    #[error(
        "it holds no certificate (expected -----BEGIN CERTIFICATE-----; export the CA as Base-64 X.509)"
    )]
    Empty,
}

/// Every certificate in a PEM file; a file without one is an error (an empty trust list
/// would make every server look untrusted for a reason the consultant cannot see).
pub fn load_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, CertFileError> {
    let fail = |problem| CertFileError {
        path: path.to_path_buf(),
        problem,
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| fail(CertFileProblem::Unreadable(e.to_string())))?
        .collect::<Result<_, _>>()
        .map_err(|e| fail(CertFileProblem::NotPem(e.to_string())))?;
    if certs.is_empty() {
        return Err(fail(CertFileProblem::Empty));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_empty_files_are_named_with_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let e = load_certificates(&missing).unwrap_err();
        assert!(matches!(e.problem, CertFileProblem::Unreadable(_)), "{e}");
        assert!(e.to_string().contains("missing.pem"), "{e}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let e = load_certificates(&empty).unwrap_err();
        assert!(matches!(e.problem, CertFileProblem::Empty), "{e}");
    }
}
