//! What the sensor's install meets on a DC: the proxy it will be given (`dc.proxy`), the
//! ATA Lightweight Gateway it replaces (`dc.lightweight_gateway`), and after the install
//! its running service (`dc.sensor_service`).

use super::{Dc, no_facts};
use crate::checks::{Outcome, fact_missing};
use crate::model::{DcFacts, GatewayKind};

/// `host:port` of a proxy URL (`http://proxy:8080/` gives `proxy:8080`).
fn proxy_authority(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .to_ascii_lowercase()
}

/// The sensor takes its proxy at install time (`ProxyUrl=`), not from WinHTTP or WinINet,
/// so a DC whose settings differ from the customer's proxy is a Warn: a sign that this DC
/// reaches the internet another way, to be confirmed or given the proxy at install.
pub(super) fn proxy(f: &DcFacts, sensor_proxy: Option<&str>) -> Outcome {
    if f.winhttp_proxy.is_none() && f.wininet_proxy.is_none() {
        return Outcome::unknown(fact_missing(f, "winhttp_proxy", "The proxy settings"));
    }
    let winhttp = f.winhttp_proxy.as_deref().unwrap_or("not read");
    let wininet = f.wininet_proxy.as_deref().unwrap_or("none");
    let direct = winhttp.eq_ignore_ascii_case("direct") && f.wininet_proxy.is_none();
    let seen = format!("WinHTTP {winhttp}, WinINet {wininet}");
    let mut o = match sensor_proxy {
        Some(url) => {
            let want = proxy_authority(url);
            let uses = [winhttp, wininet]
                .iter()
                .any(|s| s.to_ascii_lowercase().contains(&want));
            if uses {
                Outcome::pass(format!("uses the customer's proxy {want} ({seen})"))
            } else if direct {
                Outcome::warn(format!(
                    "this DC goes direct ({seen}) while the customer's proxy is {want}"
                ))
                .remedy(format!(
                    "install the sensor here with ProxyUrl=http://{want} (and its credentials), or confirm this DC \
                     may reach the sensor API directly"
                ))
            } else {
                Outcome::warn(format!("this DC uses another proxy than the customer's {want} ({seen})"))
                    .remedy("confirm which proxy this DC's sensor must use and give it at install (ProxyUrl=)")
            }
            .ev("customer_proxy", want)
        }
        None if direct => Outcome::pass("no proxy: the sensor would go direct, as the engagement records no proxy"),
        None => Outcome::warn(format!("this DC uses a proxy ({seen}) but the engagement records none"))
            .remedy("record the proxy in ata2atp.yaml (proxy.url, proxy.user) so the reachability check tests it"),
    };
    o = o.ev("winhttp_proxy", winhttp).ev("wininet_proxy", wininet);
    o
}

/// After the install (validation): the sensor service runs. Before it, there is nothing
/// to judge yet, which is an Unknown with that reason, never a Pass.
pub(super) fn sensor_service(f: &DcFacts) -> Outcome {
    let o = match (f.atp_sensor_installed, f.atp_sensor_service.as_deref()) {
        (_, Some(state)) if state.eq_ignore_ascii_case("running") => {
            Outcome::pass(format!("the sensor service AATPSensor runs on {}", f.name))
        }
        (_, Some(state)) => Outcome::fail(format!(
            "the sensor service AATPSensor is {state} on {}: the DC is not protected",
            f.name
        ))
        .remedy(
            "start it (Start-Service AATPSensor), then read the sensor's Microsoft.Tri.Sensor-Errors.log and the \
             health issues in the portal for why it stopped",
        ),
        (Some(false), None) => Outcome::unknown(format!(
            "the sensor is not installed on {} yet: this validation applies after the install",
            f.name
        ))
        .remedy("after installing the sensor, run the DC facts collector again"),
        (Some(true), None) => Outcome::unknown(format!(
            "the sensor is installed on {}, but the facts do not say whether its service runs (an older collector)",
            f.name
        ))
        .remedy("run this version's DC facts collector again"),
        (None, None) => Outcome::unknown(fact_missing(f, "atp_sensor_installed", "The AATPSensor service")),
    };
    match &f.collected_at {
        Some(t) => o.ev("collected_at", t.to_rfc3339()),
        None => o,
    }
}

pub(super) fn lightweight_gateway(dc: &Dc<'_>) -> Outcome {
    let installed = dc.facts.and_then(|f| f.ata_lightweight_gateway_installed);
    let sensor = dc.facts.and_then(|f| f.atp_sensor_installed);
    let registered = dc
        .gateway
        .filter(|g| g.kind == GatewayKind::LightweightGateway)
        .map(|g| g.name.clone());
    let mut o = match (installed, sensor) {
        (Some(true), Some(true)) => Outcome::fail(
            "the ATA Lightweight Gateway and the sensor are both installed: the Lightweight Gateway must be \
             uninstalled before the sensor",
        )
        .remedy("uninstall the ATA Lightweight Gateway from this DC now"),
        // Before the move every ATA DC still has it: a step of the move, not a defect.
        (Some(true), _) => Outcome::warn(
            "the ATA Lightweight Gateway is still installed: uninstall it before installing the sensor (move step 2)",
        )
        .remedy("uninstall the ATA Lightweight Gateway on this DC right before installing the sensor"),
        (Some(false), Some(true)) => Outcome::pass("the Lightweight Gateway is gone and the sensor is installed"),
        (Some(false), _) => Outcome::pass("no ATA Lightweight Gateway installed"),
        (None, _) => match &registered {
            Some(name) => Outcome::warn(format!(
                "ATA lists a Lightweight Gateway on {name}: uninstall it before installing the sensor"
            ))
            .remedy("uninstall the ATA Lightweight Gateway on this DC right before installing the sensor"),
            None if dc.facts.is_none() => no_facts(dc),
            None => Outcome::unknown(
                dc.facts
                    .map(|f| fact_missing(f, "ata_lightweight_gateway_installed", "The ATAGateway service"))
                    .unwrap_or_default(),
            ),
        },
    };
    if let Some(name) = registered {
        o = o.ev("registered_in_ata", name);
    }
    if let Some(s) = sensor {
        o = o.ev("sensor_installed", s.to_string());
    }
    o
}
