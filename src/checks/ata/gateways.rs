//! The gateways: registered, running, and which may be domain synchronizer.

use super::{ADD_ATA, NO_ATA, ata_read};
use crate::checks::Outcome;
use crate::checks::logs::Scanned;
use crate::model::{Action, Gateway, Inventory, same_host};

/// Gateways still registered: a Warn, because the move itself uninstalls them; the
/// danger is the order (uninstalling the Center first leaves gateways running unmanaged,
/// and the customer unprotected).
pub fn gateways_registered(inv: &Inventory) -> Outcome {
    if !ata_read(inv) {
        return Outcome::unknown(format!("{NO_ATA}: the registered gateways are not known"))
            .act(ADD_ATA);
    }
    let gws = &inv.ata.gateways;
    if gws.is_empty() {
        return Outcome::pass("no ATA gateway is registered with the Center");
    }
    let mut o = Outcome::warn(format!(
        "{} ATA gateway(s) still registered: uninstall every one before the ATA Center",
        gws.len()
    ))
    .remedy(
        "uninstall each Lightweight Gateway (right before that DC's sensor) and each ATA Gateway; \
         only then uninstall the Center",
    );
    for g in gws {
        let mut line = format!("{:?}", g.kind).to_lowercase();
        if let Some(v) = &g.version {
            line.push_str(&format!(" {v}"));
        }
        if let Some(s) = &g.status {
            line.push_str(&format!(" ({s})"));
        }
        o = o.ev(&format!("gateway {}", g.name), line);
    }
    o
}

/// Whether a gateway runs, as the Center last saw it: `Some(false)` when its state or its
/// service's says otherwise, `None` when the profile holds neither.
pub(super) fn gateway_running(g: &Gateway) -> Option<bool> {
    let ok = |s: &str| {
        ["running", "started"]
            .iter()
            .any(|w| s.eq_ignore_ascii_case(w))
    };
    match (g.status.as_deref(), g.service_status.as_deref()) {
        (None, None) => None,
        (s, svc) => Some(s.is_none_or(ok) && svc.is_none_or(ok)),
    }
}

/// A gateway's state in words: `StartFailure (service Stopped), last seen 2026-11-12 07:53 UTC`.
pub(super) fn gateway_state(g: &Gateway) -> String {
    let mut line = g
        .status
        .clone()
        .unwrap_or_else(|| "state not recorded".into());
    if let Some(svc) = &g.service_status {
        line.push_str(&format!(" (service {svc})"));
    }
    if let Some(t) = g.last_activity {
        line.push_str(&format!(", last seen {}", t.format("%Y-%m-%d %H:%M UTC")));
    }
    line
}

/// What a pending change needs from one gateway.
pub(super) fn sync_line(g: &Gateway) -> String {
    let what = match gateway_running(g) {
        Some(true) => "wait until it has synced the change, then activate",
        Some(false) => {
            "offline: it will not get the change; after the activation update its configuration JSON by hand"
        }
        None => "its state is not known: confirm in the ATA console that it has synced",
    };
    format!("{}: {what}", gateway_state(g))
}

/// An RODC as synchronizer candidate is a Fail: the 2019 guide and ATA both forbid it
/// (an RODC cannot be trusted with the synchronizer's replication reads).
pub fn synchronizer_rodc(inv: &Inventory) -> Outcome {
    if !ata_read(inv) {
        return Outcome::unknown(format!(
            "{NO_ATA}: the synchronizer candidates are not known"
        ))
        .act(ADD_ATA);
    }
    let gws = &inv.ata.gateways;
    if gws.is_empty() {
        return Outcome::pass("no ATA gateway registered, so no synchronizer candidate");
    }
    let candidates: Vec<_> = gws
        .iter()
        .filter(|g| g.domain_synchronizer_candidate == Some(true))
        .collect();
    let undetermined = gws
        .iter()
        .filter(|g| g.domain_synchronizer_candidate.is_none())
        .count();
    let Some(dir) = &inv.directory else {
        return Outcome::unknown(
            "no directory source in the inventory: which gateways run on RODCs is not known",
        )
        .ev(
            "candidates",
            candidates
                .iter()
                .map(|g| g.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
        );
    };
    let on_rodc: Vec<_> = candidates
        .iter()
        .filter(|g| {
            dir.domain_controller(&g.name)
                .is_some_and(|dc| dc.read_only)
                || g.domain_controllers.iter().any(|n| {
                    dir.domain_controller(n).is_some_and(|dc| dc.read_only) && same_host(n, &g.name)
                })
        })
        .map(|g| g.name.clone())
        .collect();
    let mut o = if !on_rodc.is_empty() {
        super::Outcome::fail(format!(
            "{} is a domain synchronizer candidate on a read-only DC",
            on_rodc.join(", ")
        ))
        .remedy(
            "clear the synchronizer candidate flag on RODC gateways in ATA now; in the cloud, do not choose an RODC \
             sensor as synchronizer candidate",
        )
    } else if undetermined == gws.len() {
        Outcome::unknown(
            "ATA's database does not say which gateways are synchronizer candidates (the field is not documented)",
        )
        .remedy("check each gateway's \"Domain synchronizer candidate\" setting in the ATA console")
    } else if undetermined > 0 {
        Outcome::unknown(format!(
            "no candidate among the gateways known runs on an RODC, but {undetermined} gateway(s) do not say"
        ))
        .remedy("check each gateway's \"Domain synchronizer candidate\" setting in the ATA console")
    } else {
        Outcome::pass("no read-only DC is a domain synchronizer candidate")
    };
    o = o.ev(
        "candidates",
        if candidates.is_empty() {
            "none".into()
        } else {
            candidates
                .iter()
                .map(|g| g.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    o
}

/// `ata.gateway_service`, one result per gateway: a stopped gateway is a Fail, because the
/// domain controllers it watches are unprotected until their sensor runs, and it misses
/// any Center change activated meanwhile. When its log says "The supplied credential is
/// invalid." the cause is the directory services account's password (seed 002), which
/// the sensors would be given too.
pub fn gateway_service(inv: &Inventory, logs: &Scanned) -> Vec<(Option<String>, Outcome)> {
    if !ata_read(inv) {
        return vec![(
            None,
            Outcome::unknown(format!("{NO_ATA}: the gateways are not known")).act(ADD_ATA),
        )];
    }
    if inv.ata.gateways.is_empty() {
        return vec![(
            None,
            Outcome::pass("no ATA gateway is registered with the Center"),
        )];
    }
    inv.ata
        .gateways
        .iter()
        .map(|g| (Some(g.name.clone()), one_gateway_service(inv, g, logs)))
        .collect()
}

pub(super) fn one_gateway_service(inv: &Inventory, g: &Gateway, logs: &Scanned) -> Outcome {
    let profile = gateway_running(g);
    // The DC facts collector saw the Lightweight Gateway's service itself, later than or
    // independently of the Center's last sight.
    let facts = inv.host(&g.name);
    let host_state = facts.and_then(|f| f.ata_gateway_service.as_deref());
    let host_running = host_state.map(|s| s.eq_ignore_ascii_case("running"));
    let credential = logs
        .as_ref()
        .ok()
        .and_then(|scan| scan.gateway(&g.name))
        .and_then(|t| t.hits.get("credential_invalid").cloned());
    let running = match (profile, host_running) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), _) | (_, Some(true)) => Some(true),
        (None, None) => None,
    };
    let watched = if g.domain_controllers.is_empty() {
        String::new()
    } else {
        format!(
            "; the DCs it watches ({}) are unprotected until it runs",
            g.domain_controllers.join(", ")
        )
    };
    let mut o = match running {
        Some(true) => Outcome::pass(format!("{} runs: {}", g.name, gateway_state(g))),
        None => Outcome::unknown(format!(
            "the Center's profile of {} holds no state (Status, ServiceStatus) and no DC facts name its service",
            g.name
        ))
        .remedy(format!(
            "check in the ATA console (Gateways) that {} is Running, or run the DC facts collector on it",
            g.name
        )),
        Some(false) => {
            let mut reason = format!("{} is not running: {}", g.name, gateway_state(g));
            if let (Some(state), Some(f)) = (host_state, facts) {
                reason.push_str(&format!(
                    "; on {} the ATAGateway service is {state}",
                    f.name
                ));
            }
            match &credential {
                Some((count, last)) => {
                    reason.push_str(&format!(
                        "; its log has {count} × \"The supplied credential is invalid.\" (last {}): the directory \
                         services account's password in ATA is wrong",
                        last.as_deref().unwrap_or("time not recorded")
                    ));
                    Outcome::fail(reason + &watched).remedy(format!(
                        "in the ATA console: Configuration → Directory services → enter the correct password, Test \
                         connection, Save; then check that the gateway service runs on {} (start it if it stays \
                         stopped), and give the sensors the same correct credentials",
                        g.name
                    ))
                }
                None => Outcome::fail(reason + &watched)
                    .remedy(format!(
                        "start the ATA Gateway service on {} and read its Microsoft.Tri.Gateway-Errors.log for why it \
                         stopped (with the gateway's logs given, this check names a wrong password)",
                        g.name
                    ))
                    .act(Action::GatewayLogs),
            }
        }
    };
    if let Some(s) = &g.status {
        o = o.ev("status", s.clone());
    }
    if let Some(s) = &g.service_status {
        o = o.ev("service_status", s.clone());
    }
    if let Some(t) = g.last_activity {
        o = o.ev("last_activity", t.to_rfc3339());
    }
    if let (Some(state), Some(f)) = (host_state, facts) {
        o = o.ev("dc_facts_service", format!("{state} ({})", f.name));
    }
    if let Some((count, last)) = credential {
        o = o.ev(
            "log_credential_invalid",
            format!(
                "{count} line(s), last seen {}",
                last.as_deref().unwrap_or("time not recorded")
            ),
        );
    }
    o
}
