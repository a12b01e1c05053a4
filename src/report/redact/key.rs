//! The engagement's redaction key: its file, its two schemes, and the keyed hash a
//! pseudonym is made of.

use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::KEY_FILE;
use crate::report::Error;

/// The engagement's redaction key and the keyed hash it is used with.
#[derive(Clone)]
pub struct RedactionKey {
    bytes: Vec<u8>,
    pub(super) scheme: KeyScheme,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyScheme {
    /// Key files written as `hmac-sha256:<hex>` (every key made now).
    HmacSha256,
    /// Key files of bare hex, made before HMAC: SHA-256 over key ‖ kind ‖ 0 ‖ value.
    /// Kept so an engagement's pseudonyms stay the same in all its redacted reports.
    LegacySha256,
}

/// How a key file marks the HMAC scheme.
const HMAC_PREFIX: &str = "hmac-sha256:";

impl RedactionKey {
    /// A key used with HMAC-SHA-256.
    pub fn hmac(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            scheme: KeyScheme::HmacSha256,
        }
    }

    /// The key file's text: `hmac-sha256:<hex>`, or bare hex for a key made before HMAC.
    pub(super) fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (scheme, hex_text) = match text.strip_prefix(HMAC_PREFIX) {
            Some(rest) => (KeyScheme::HmacSha256, rest),
            None => (KeyScheme::LegacySha256, text),
        };
        let bytes = hex::decode(hex_text).ok().filter(|b| !b.is_empty())?;
        Some(Self { bytes, scheme })
    }

    pub(super) fn file_text(&self) -> String {
        match self.scheme {
            KeyScheme::HmacSha256 => format!("{HMAC_PREFIX}{}\n", hex::encode(&self.bytes)),
            KeyScheme::LegacySha256 => format!("{}\n", hex::encode(&self.bytes)),
        }
    }

    /// The keyed hash of `kind` and `value`, hex.
    pub(super) fn digest(&self, kind: &str, value: &str) -> String {
        match self.scheme {
            KeyScheme::HmacSha256 => {
                // HMAC takes a key of any length.
                let mut mac = Hmac::<Sha256>::new_from_slice(&self.bytes)
                    .unwrap_or_else(|e| unreachable!("HMAC key: {e}"));
                mac.update(kind.as_bytes());
                mac.update(&[0]);
                mac.update(value.as_bytes());
                hex::encode(mac.finalize().into_bytes())
            }
            KeyScheme::LegacySha256 => {
                let mut hasher = Sha256::new();
                hasher.update(&self.bytes);
                hasher.update(kind.as_bytes());
                hasher.update([0]);
                hasher.update(value.as_bytes());
                hex::encode(hasher.finalize())
            }
        }
    }
}

/// The engagement's redaction key: read, or created (32 random bytes, hex) on first use.
/// Keeping it makes pseudonyms the same in every redacted report of the engagement.
pub fn load_or_create_key(
    lock: &crate::engagement::WriteLock,
    root: &Path,
) -> Result<RedactionKey, Error> {
    let path = root.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => RedactionKey::parse(&text).ok_or_else(|| {
            Error::Input(format!(
                "{} is not a redaction key (hex); delete it to make a new one (pseudonyms \
                 in new redacted reports will then differ from earlier ones)",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = vec![0u8; 32];
            getrandom::fill(&mut key).map_err(|e| {
                Error::Input(format!(
                    "could not make a redaction key: no random source ({e})"
                ))
            })?;
            lock.create_dir(crate::engagement::HISTORY_DIR)?;
            let key = RedactionKey::hmac(key);
            lock.write_atomic(KEY_FILE, key.file_text().as_bytes())?;
            Ok(key)
        }
        Err(source) => Err(Error::Io {
            action: "read",
            path,
            source,
        }),
    }
}
