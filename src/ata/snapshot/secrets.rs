//! Secrets never leave a reader: a field named like a secret, or shaped like ATA's
//! encrypted blobs, is replaced by its presence flag.

use mongodb::bson::{Bson, Document};

/// True when a key names a password or shared secret slot: keys *ending* in
/// Encrypted, Password, Secret or Passwd. A substring is not enough: every ATA 1.8/1.9
/// Center has `EncryptedTimestampEncryptionDowngradeDetectorConfiguration` (a detector),
/// and `PasswordExposedInCleartext` is a report type.
pub fn is_secret_key(key: &str) -> bool {
    // Compared in place: redaction asks this of every key of every document kept.
    let k = key.as_bytes();
    ["encrypted", "password", "secret", "passwd"]
        .iter()
        .any(|suffix| {
            k.len() >= suffix.len()
                && k[k.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
        })
}

/// ATA's encrypted value: a document holding `EncryptedBytes` (typically
/// `{CertificateThumbprint, EncryptedBytes}`), whatever the key it sits under.
fn is_encrypted_shape(v: &Bson) -> bool {
    matches!(v, Bson::Document(d) if d.contains_key("EncryptedBytes"))
}

/// Whether `value` under `key` is a secret, recognised by its shape: the encrypted
/// document anywhere, or under a secret-named key a value that can hold one (binary,
/// text, a list, an empty slot). A boolean, a number or an ordinary sub-document under
/// such a key is data (an `IsPasswordEncrypted` flag, a settings block) and is kept.
pub fn is_secret(key: &str, value: &Bson) -> bool {
    is_encrypted_shape(value)
        || (is_secret_key(key)
            && matches!(
                value,
                Bson::Binary(_) | Bson::String(_) | Bson::Array(_) | Bson::Null | Bson::Undefined
            ))
}

/// Replaces every secret value in `doc` (at any depth, see [`is_secret`]) by `true` when
/// a secret is stored and `false` when the slot is empty. The value itself is gone before
/// the document leaves the reader, so nothing downstream can print it. The documents it
/// walks passed the readers' depth limit.
pub fn redact(doc: &mut Document) {
    for (key, value) in doc.iter_mut() {
        if is_secret(key, value) {
            *value = Bson::Boolean(secret_present(value));
        } else {
            redact_value(value);
        }
    }
}

fn redact_value(value: &mut Bson) {
    match value {
        Bson::Document(d) => redact(d),
        Bson::Array(a) => a.iter_mut().for_each(|v| {
            if is_encrypted_shape(v) {
                *v = Bson::Boolean(secret_present(v));
            } else {
                redact_value(v);
            }
        }),
        _ => {}
    }
}

/// Whether a secret slot holds something: ATA stores `{CertificateThumbprint,
/// EncryptedBytes}`, where only the bytes matter.
fn secret_present(v: &Bson) -> bool {
    match v {
        Bson::Null | Bson::Undefined => false,
        Bson::Boolean(b) => *b,
        Bson::String(s) => !s.is_empty(),
        Bson::Binary(b) => !b.bytes.is_empty(),
        Bson::Array(a) => a.iter().any(secret_present),
        Bson::Document(d) => match d.get("EncryptedBytes") {
            Some(bytes) => secret_present(bytes),
            None => d.values().any(secret_present),
        },
        _ => true,
    }
}
