//! The words for the model's enums, as every output shows them.

use std::fmt;

use crate::model::{AccountKind, EntityType, ExclusionKind, GatewayKind, SourceKind, TagSource};

impl fmt::Display for GatewayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GatewayKind::Gateway => "ATA Gateway",
            GatewayKind::LightweightGateway => "Lightweight Gateway",
            GatewayKind::Unknown => "unknown",
        })
    }
}

impl fmt::Display for ExclusionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExclusionKind::Account => "account",
            ExclusionKind::Computer => "computer",
            ExclusionKind::Subnet => "subnet",
        })
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EntityType::User => "user",
            EntityType::Computer => "computer",
            EntityType::Group => "group",
            EntityType::Domain => "domain",
            EntityType::Unknown => "unknown",
        })
    }
}

impl fmt::Display for TagSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for AccountKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AccountKind::User => "user",
            AccountKind::Gmsa => "group managed service account",
        })
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceKind::AtaMongo => "ATA MongoDB",
            SourceKind::AtaDump => "ATA dump",
            SourceKind::AtaJson => "ATA JSON",
            SourceKind::AtaCollector => "ATA collector",
            SourceKind::Ldap => "LDAP",
            SourceKind::Ldif => "LDIF",
            SourceKind::DcFacts => "DC facts",
            SourceKind::RegQuery => "reg query",
            SourceKind::CenterFacts => "Center facts",
            SourceKind::Auditpol => "auditpol",
            SourceKind::ServerFacts => "server facts",
            SourceKind::Demo => "demo",
        })
    }
}
