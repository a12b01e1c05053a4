//! The gateways: one profile each, and whether each is an ATA Gateway or a Lightweight
//! Gateway, with the evidence.

use mongodb::bson::Bson;

use super::Note;
use super::doc::{Located, Profiles, describe};
use crate::ata::Error;
use crate::ata::mapping::{Mapping, Paths};
use crate::model::{Gateway, GatewayKind};

pub(super) fn gateways(
    mapping: &Mapping,
    profiles: &Profiles,
    note: &mut Note<'_>,
) -> Result<Vec<Gateway>, Error> {
    let m = &mapping.gateways;
    let mut out = Vec::new();
    let mut missing_sync: Vec<String> = Vec::new();
    for (d, types) in profiles.gateways(mapping) {
        let id = d.id_text();
        let name = match d.first_str(&m.name) {
            Some(n) => n,
            None => {
                note(
                    &format!("ata.gateways[{id}].name"),
                    m.name.iter().cloned().collect(),
                );
                id.clone()
            }
        };
        let mut dcs = Vec::new();
        for p in m.domain_controllers.iter() {
            if let Some(list) = d.strings_at(p) {
                dcs = list;
                break;
            }
        }
        let capture = m
            .capture_adapters
            .iter()
            .find_map(|p| d.strings_at(p).map(|l| (p, l)))
            .filter(|(_, l)| !l.is_empty());
        let (kind, kind_evidence) = gateway_kind(d, types, &m.lightweight, &name, &dcs, capture);
        let candidate = d.first_bool(&m.domain_synchronizer_candidate);
        if candidate.is_none() {
            missing_sync.push(name.clone());
        }
        out.push(Gateway {
            id,
            name,
            kind,
            kind_evidence,
            version: d.first_str(&m.version),
            status: d.first_str(&m.status),
            service_status: d.first_str(&m.service_status),
            last_activity: m.last_activity.iter().find_map(|p| d.date_at(p)),
            domain_synchronizer_candidate: candidate,
            syslog_listener: d.first_bool(&m.syslog_listener),
            domain_controllers: dcs,
        });
    }
    out.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    missing_sync.sort();
    if !missing_sync.is_empty() {
        let item = if missing_sync.len() == out.len() {
            "ata.gateways[*].domain_synchronizer_candidate (confirm in the ATA console)".to_string()
        } else {
            format!(
                "ata.gateways[{}].domain_synchronizer_candidate (confirm in the ATA console)",
                missing_sync.join(", ")
            )
        };
        note(
            &item,
            m.domain_synchronizer_candidate.iter().cloned().collect(),
        );
    }
    Ok(out)
}

/// ATA Gateway or Lightweight Gateway, from the evidence in the profile, and what the
/// evidence was. In order: a field that says so (`IsLightweight`, a type naming
/// Lightweight); port-mirrored capture adapters (only a full ATA Gateway has them); the
/// domain controllers it watches naming a host other than its own (a Lightweight Gateway
/// watches only the DC it runs on). Nothing decides: `Unknown`, and the directory pass
/// may still decide from its list of domain controllers
/// ([`crate::directory::resolve::classify_gateways`]).
fn gateway_kind(
    d: &Located,
    types: &[String],
    lightweight: &Paths,
    name: &str,
    dcs: &[String],
    capture: Option<(&String, Vec<String>)>,
) -> (GatewayKind, Option<String>) {
    let lightweight_type = types
        .iter()
        .find(|t| t.to_ascii_lowercase().contains("lightweight"));
    for p in lightweight.iter() {
        let decided = match d.at(p) {
            Some(Bson::Boolean(true)) => Some(GatewayKind::LightweightGateway),
            Some(Bson::Boolean(false)) => Some(GatewayKind::Gateway),
            // A type discriminator (`_t`, or `Type` in REST-style exports) only ever says
            // "lightweight" positively; a plain GatewaySystemProfile proves nothing.
            Some(_) if p == "_t" => {
                if let Some(t) = lightweight_type {
                    return (
                        GatewayKind::LightweightGateway,
                        Some(format!("_t names {t}")),
                    );
                }
                None
            }
            Some(Bson::String(s)) if !s.to_ascii_lowercase().ends_with("systemprofile") => {
                let s = s.to_ascii_lowercase();
                if s.contains("lightweight") {
                    Some(GatewayKind::LightweightGateway)
                } else if s.contains("gateway") {
                    Some(GatewayKind::Gateway)
                } else {
                    None
                }
            }
            Some(Bson::String(_)) | Some(Bson::Array(_)) | None => None,
            Some(other) => {
                d.wrong(p, "true/false or a gateway kind", other);
                None
            }
        };
        if let Some(k) = decided {
            let shown = d.at(p).map(describe).unwrap_or_default();
            return (k, Some(format!("{p} is {shown}")));
        }
    }
    if let Some((path, adapters)) = capture {
        return (
            GatewayKind::Gateway,
            Some(format!(
                "captures port-mirrored traffic ({path}: {})",
                adapters.join(", ")
            )),
        );
    }
    let others: Vec<&String> = dcs
        .iter()
        .filter(|dc| !crate::model::same_host(dc, name))
        .collect();
    if !others.is_empty() {
        let list: Vec<&str> = others.iter().map(|s| s.as_str()).collect();
        return (
            GatewayKind::Gateway,
            Some(format!(
                "watches domain controllers other than its own host ({})",
                list.join(", ")
            )),
        );
    }
    if !dcs.is_empty() {
        return (
            GatewayKind::LightweightGateway,
            Some(format!("watches only its own host ({})", dcs.join(", "))),
        );
    }
    (GatewayKind::Unknown, None)
}
