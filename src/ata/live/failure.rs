//! What the server and the driver said, as the reader's errors: a URI without its
//! password, the version refusal (older than 3.6), and the driver's errors sorted into
//! unreachable, timeout, credentials, TLS and server failures, in words.

use super::{Error, MIN_VERSION, SERVER_SELECTION_TIMEOUT};

/// The URI with any password removed, for messages and `sources[].location`.
pub fn redact_uri(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return uri.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{user}@{hosts}")
        }
        None => authority.to_string(),
    };
    // Query options that carry secrets.
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|kv| {
                    let k = kv.split('=').next().unwrap_or("").to_ascii_lowercase();
                    !k.contains("password") && !k.contains("secret")
                })
                .collect();
            if kept.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", kept.join("&"))
            }
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// `host:port` list of a URI, for messages.
pub(super) fn server_of(uri: &str) -> String {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .to_string()
}

/// Refuses a server older than 3.6, from the version `buildInfo` reports.
pub fn check_version(server: &str, version: &str) -> Result<(), Error> {
    let mut parts = version.split('.').map(|p| {
        p.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
    });
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    if (major, minor) < MIN_VERSION {
        return Err(Error::ServerTooOld {
            server: server.to_string(),
            version: version.to_string(),
        });
    }
    Ok(())
}

/// The MongoDB release a maximum wire version belongs to.
fn version_of_wire(wire: u32) -> &'static str {
    match wire {
        0 | 1 => "2.4 or older",
        2 => "2.6",
        3 => "3.0",
        4 => "3.2",
        5 => "3.4",
        _ => "3.6 or newer",
    }
}

/// The driver refuses servers below wire version 6 during server selection, with a
/// message naming the wire version the server reported.
pub fn too_old_from_message(server: &str, message: &str) -> Option<Error> {
    let lower = message.to_ascii_lowercase();
    let i = lower.find("reports wire version ")?;
    let wire: u32 = lower[i + 21..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()?;
    (wire < 6).then(|| Error::ServerTooOld {
        server: server.to_string(),
        version: format!("{} (wire version {wire})", version_of_wire(wire)),
    })
}

/// The driver's server-selection message is a dump of its topology ("Kind: Server
/// selection timeout: No available servers. Topology: { … Error: Kind: I/O error:
/// Connection refused (os error 111), labels: {} … }"); a person needs only the innermost
/// cause, in words.
pub fn driver_cause(message: &str) -> String {
    const INNER: &str = "Error: Kind: ";
    let cause = match message.rfind(INNER) {
        Some(i) => {
            let rest = &message[i + INNER.len()..];
            let end = [", labels", " }"]
                .iter()
                .filter_map(|m| rest.find(m))
                .min()
                .unwrap_or(rest.len());
            rest[..end].trim_start_matches("I/O error: ").to_string()
        }
        None if message.contains("No available servers") => "no server answered".to_string(),
        None => message
            .trim_start_matches("Kind: ")
            .trim_end_matches(", labels: {}")
            .to_string(),
    };
    let cause = cause.trim();
    if cause.is_empty() {
        "no server answered".to_string()
    } else {
        cause.to_string()
    }
}

/// Turns a driver error into the consultant's error: unreachable, timeout, credentials,
/// TLS, server too old, or a server-side failure.
pub fn classify(server: &str, e: &mongodb::error::Error) -> Error {
    use mongodb::error::ErrorKind;
    let message = e.to_string();
    let lower = message.to_ascii_lowercase();
    let server = server.to_string();
    if let Some(too_old) = too_old_from_message(&server, &message) {
        return too_old;
    }
    match e.kind.as_ref() {
        ErrorKind::Authentication { message, .. } => {
            return Error::Auth {
                server,
                message: message.clone(),
            };
        }
        ErrorKind::Command(c) if c.code == 18 || c.code == 13 => {
            return Error::Auth {
                server,
                message: c.message.clone(),
            };
        }
        ErrorKind::InvalidTlsConfig { message, .. } => {
            return Error::Tls {
                server,
                message: message.clone(),
            };
        }
        ErrorKind::InvalidArgument { message, .. } => {
            return Error::BadUri {
                uri: server,
                message: message.clone(),
            };
        }
        _ => {}
    }
    if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake") && lower.contains("ssl")
    {
        return Error::Tls { server, message };
    }
    if lower.contains("authentication") || lower.contains("auth failed") || lower.contains("scram")
    {
        return Error::Auth { server, message };
    }
    if lower.contains("connection refused")
        || lower.contains("dns")
        || lower.contains("no such host")
        || lower.contains("failed to lookup")
    {
        return Error::Unreachable {
            server,
            message: driver_cause(&message),
        };
    }
    if lower.contains("timed out")
        || lower.contains("timeout")
        || matches!(e.kind.as_ref(), ErrorKind::ServerSelection { .. })
    {
        return Error::Timeout {
            server,
            seconds: SERVER_SELECTION_TIMEOUT.as_secs(),
            message: driver_cause(&message),
        };
    }
    if matches!(e.kind.as_ref(), ErrorKind::Io(_)) {
        return Error::Unreachable {
            server,
            message: driver_cause(&message),
        };
    }
    Error::Server { server, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drivers_topology_dump_becomes_its_cause_in_words() {
        let refused = "Kind: Server selection timeout: No available servers. Topology: { Type: \
            Unknown, Servers: [ { Address: 127.0.0.1:1, Type: Unknown, Error: Kind: I/O error: \
            Connection refused (os error 111), labels: {} } ] }, labels: {}";
        assert_eq!(driver_cause(refused), "Connection refused (os error 111)");
        let none = "Kind: Server selection timeout: No available servers. Topology: { Type: \
            Unknown, Servers: [ { Address: 10.0.0.9:27017, Type: Unknown } ] }, labels: {}";
        assert_eq!(driver_cause(none), "no server answered");
        assert_eq!(
            driver_cause("Kind: I/O error: timed out, labels: {}"),
            "I/O error: timed out"
        );
        let e = Error::Unreachable {
            server: "127.0.0.1:1".into(),
            message: driver_cause(refused),
        };
        let text = e.to_string();
        assert!(
            text.starts_with(
                "no MongoDB answered at 127.0.0.1:1 (Connection refused (os error 111)): \
                is the Center's MongoDB reachable from here?"
            ),
            "{text}"
        );
        assert!(!text.contains("Topology"), "{text}");
    }

    #[test]
    fn servers_older_than_3_6_are_refused_with_the_version() {
        for v in ["3.4.24", "3.2.22", "2.6.12", "3.0.15"] {
            let e = check_version("fab-ata01:27017", v).unwrap_err();
            let text = e.to_string();
            assert!(
                text.contains(v) && text.contains("--ata-dump") && text.contains("collector"),
                "{text}"
            );
            assert_eq!(e.kind(), crate::kind::ErrorKind::Source);
        }
        for v in ["3.6.18", "3.6.0", "4.0.1", "8.2.11"] {
            check_version("x", v).unwrap();
        }
    }

    #[test]
    fn the_drivers_wire_version_refusal_becomes_server_too_old() {
        let msg = "Server selection timeout: Server at 127.0.0.1:27017 reports wire version 5, but this \
                   version of the MongoDB Rust driver requires at least 6 (MongoDB 3.6).";
        let e = too_old_from_message("127.0.0.1:27017", msg).unwrap();
        let text = e.to_string();
        assert!(
            text.contains("3.4 (wire version 5)") && text.contains("--ata-json"),
            "{text}"
        );
        assert_eq!(e.kind(), crate::kind::ErrorKind::Source);
        assert!(too_old_from_message("x", "reports wire version 6").is_none());
    }

    #[test]
    fn uris_lose_their_passwords() {
        assert_eq!(
            redact_uri("mongodb://ata:S3cret@fab-ata01:27017/ATA?tls=true"),
            "mongodb://ata@fab-ata01:27017/ATA?tls=true"
        );
        assert_eq!(
            redact_uri("mongodb://h/?tlsCertificateKeyFilePassword=x&tls=true"),
            "mongodb://h/?tls=true"
        );
        assert_eq!(server_of("mongodb://ata:pw@h1:1,h2:2/ATA"), "h1:1,h2:2");
    }
}
