//! ATA's own state before the move: what must be recorded (alerts, role groups), what
//! must happen in order (gateways before the Center), and what can break during the move
//! (a pending console URL or certificate change, thumbprints that disagree, a Center
//! certificate about to expire, an RODC as domain synchronizer candidate, a gateway that
//! stopped). The Center's URL and certificate follow the rules of "Modifying the ATA
//! Center configuration": the console URL's host is named by the certificate, resolves
//! to the address the Center listens on (from the consultant's machine, each gateway and
//! the Center), and a custom IP is installed on the Center before it is activated.

mod alerts;
mod center;
mod gateways;
mod resolution;
#[cfg(test)]
mod tests;

use super::Outcome;
use crate::model::{Action, Inventory, SourceKind, SourceStatus};

pub use alerts::open_alerts;
pub use center::{
    center_certificate, certificate_thumbprints, console_certificate_name, console_url,
    pending_change,
};
pub use gateways::{gateway_service, gateways_registered, synchronizer_rodc};
pub use resolution::{LocalLookup, center_addresses, console_names, console_url_resolves};

const NO_ATA: &str = "no ATA source in the inventory";
/// What to do when a check needs the Center's own facts (its certificate store, its
/// name lookups) and none were read.
const RUN_CENTER_FACTS: Action = Action::CenterFacts;
const ADD_ATA: Action = Action::CollectAta;

/// True when some ATA source was read (even in part).
pub(super) fn ata_read(inv: &Inventory) -> bool {
    inv.sources.iter().any(|s| {
        matches!(
            s.kind,
            SourceKind::AtaMongo
                | SourceKind::AtaDump
                | SourceKind::AtaJson
                | SourceKind::AtaCollector
                | SourceKind::Demo
        ) && s.status != SourceStatus::Failed
    }) || !inv.ata.gateways.is_empty()
        || !inv.ata.center.thumbprint_sources.is_empty()
}

/// Role groups are Manual: mapping people to the cloud's roles is a decision.
pub fn role_groups(inv: &Inventory, workspace: Option<&str>) -> Outcome {
    let groups = &inv.ata.role_groups;
    if groups.is_empty() {
        return Outcome::unknown(
            "ATA's role groups are local groups on the Center and no Center facts were read",
        )
        .act(RUN_CENTER_FACTS);
    }
    let ws = workspace.unwrap_or("<workspace>");
    let mut o = Outcome::manual(format!(
        "map the members of {} ATA group(s) to the cloud's roles: \"Azure ATP {ws} Administrators/Users/Viewers\" \
         or Defender XDR roles; local Administrators of the Center were ATA administrators too",
        groups.len()
    ))
    .remedy("record who gets which role in the checklist step \"Configure role-based permissions\"");
    for g in groups {
        o = o.ev(
            &g.name,
            if g.members.is_empty() {
                "(no members)".into()
            } else {
                g.members.join(", ")
            },
        );
    }
    o
}

/// Always Manual: only the customer can confirm who administers the Entra ID tenant.
pub fn tenant_admin() -> Outcome {
    Outcome::manual(
        "confirm that the customer's Azure AD (Entra ID) tenant has a Global or Security Administrator available \
         to create the workspace",
    )
    .remedy("record the administrator's name in the checklist")
}
