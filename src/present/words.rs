//! The words for the model's enums, as every output shows them.

use std::fmt;

use serde::de::DeserializeOwned;

use crate::engagement::Cloud;
use crate::model::{
    AccountKind, AuditedObject, EntityType, ExclusionKind, GatewayKind, ServerRole, SourceKind,
    SourceStatus, TagSource,
};

/// The word for a variant known only by its enum's type name and its spelling in
/// `inventory.yaml` (`GatewayKind`, `lightweight_gateway` → `Lightweight Gateway`): how
/// the checklist, which reads the inventory as a document, words an enum's value. `None`
/// for a type or spelling not known here (the caller shows the spelling); the
/// checklist's schema test makes sure every enum the inventory holds is known.
pub fn enum_word(type_name: &str, spelling: &str) -> Option<String> {
    fn word<T: DeserializeOwned + fmt::Display>(spelling: &str) -> Option<String> {
        serde_json::from_value::<T>(serde_json::Value::String(spelling.to_string()))
            .ok()
            .map(|v| v.to_string())
    }
    match type_name {
        "AccountKind" => word::<AccountKind>(spelling),
        "AuditedObject" => word::<AuditedObject>(spelling),
        "Cloud" => word::<Cloud>(spelling),
        "EntityType" => word::<EntityType>(spelling),
        "ExclusionKind" => word::<ExclusionKind>(spelling),
        "GatewayKind" => word::<GatewayKind>(spelling),
        "ServerRole" => word::<ServerRole>(spelling),
        "SourceKind" => word::<SourceKind>(spelling),
        "SourceStatus" => word::<SourceStatus>(spelling),
        "TagSource" => word::<TagSource>(spelling),
        _ => None,
    }
}

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

impl fmt::Display for SourceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceStatus::Ok => "ok",
            SourceStatus::Partial => "partial",
            SourceStatus::Failed => "failed",
        })
    }
}

impl fmt::Display for ServerRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl fmt::Display for AuditedObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuditedObject::Domain => "domain",
            AuditedObject::Configuration => "configuration partition",
            AuditedObject::Adfs => "AD FS container",
        })
    }
}

/// The configuration's own spelling (`gcc-high`), as `ata2atp init --cloud` takes it.
impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
