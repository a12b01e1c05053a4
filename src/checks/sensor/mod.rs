//! Per domain controller: what the sensor needs from the host it is installed on.
//!
//! The subjects are every DC the directory knows plus every host the DC facts describe
//! (a DC known to the directory without facts gets Unknown for each fact-based check, with
//! the reason, so a gate can never pass over a DC nobody looked at). The operating system
//! is judged by two profiles side by side, the 2019 guide's (`dc.os_2019`, for reference)
//! and today's (`dc.os`, the gating one).
//!
//! This file holds the per-DC check list, the dispatch over it and the checks of the DC
//! itself (facts collected, read-only); the rest by concept:
//!
//! | module | owns |
//! |---|---|
//! | [`subjects`] | which DCs there are: the directory's and the facts' hosts, matched by name |
//! | [`os`] | the operating system: both profiles, the build, KB4487044 |
//! | [`host`] | the hardware and settings: CPU, memory, disk, power plan, clock |
//! | [`install`] | what the install meets: the proxy, the Lightweight Gateway it replaces, the service after |

mod host;
mod install;
mod os;
mod subjects;
#[cfg(test)]
mod tests;

use super::Outcome;
use crate::model::{Action, Status};
use host::{cpu, disk, memory, power_plan, time_sync};
use install::{lightweight_gateway, proxy, sensor_service};
use os::{kb4487044, os_2019, os_today};

pub use os::{OsInfo, os_of, parse_version};
pub use subjects::{Dc, DcRef, domain_controller_refs, domain_controllers};

/// The per-DC checks, in catalog order.
pub const PER_DC_CHECKS: &[&str] = &[
    "dc.facts",
    "dc.os",
    "dc.os_2019",
    "dc.rodc",
    "dc.dotnet",
    "dc.cpu",
    "dc.memory",
    "dc.disk",
    "dc.power_plan",
    "dc.kb4487044",
    "dc.time_sync",
    "dc.lightweight_gateway",
    "dc.proxy",
    "dc.audit_policy",
    "dc.ntlm_auditing",
    "dc.packet_capture",
    "dc.sensor_v3",
    "dc.root_certificates",
    "dc.sensor_service",
];

/// What the per-DC checks need besides the DC.
#[derive(Debug, Clone, Copy, Default)]
pub struct DcContext<'a> {
    /// The inventory holds a directory source, so a DC missing from it is notable.
    pub directory_read: bool,
    /// The proxy recorded for the sensors (the engagement's `proxy.url`).
    pub sensor_proxy: Option<&'a str>,
    /// The cloud the sensors report to (which root certificates they need).
    pub cloud: crate::engagement::Cloud,
}

/// Runs every per-DC check for one DC: `(id, outcome)` in catalog order.
pub fn check_dc(dc: &Dc<'_>, ctx: &DcContext<'_>) -> Vec<(&'static str, Outcome)> {
    let directory_read = ctx.directory_read;
    let os = os_of(dc);
    PER_DC_CHECKS
        .iter()
        .map(|id| {
            let outcome = match *id {
                "dc.facts" => facts(dc, directory_read),
                "dc.os" => os_today(os.as_ref()),
                "dc.os_2019" => os_2019(os.as_ref()),
                "dc.rodc" => rodc(dc, directory_read),
                "dc.lightweight_gateway" => lightweight_gateway(dc),
                other => match dc.facts {
                    None => no_facts(dc),
                    Some(f) => match other {
                        "dc.dotnet" => super::dotnet::check(f),
                        "dc.cpu" => cpu(f),
                        "dc.memory" => memory(f),
                        "dc.disk" => disk(f),
                        "dc.power_plan" => power_plan(f),
                        "dc.kb4487044" => kb4487044(f, os.as_ref()),
                        "dc.time_sync" => time_sync(f),
                        "dc.proxy" => proxy(f, ctx.sensor_proxy),
                        "dc.audit_policy" => super::events::audit_policy(f),
                        "dc.ntlm_auditing" => super::events::ntlm_auditing(f),
                        "dc.packet_capture" => super::readiness::packet_capture(f),
                        "dc.sensor_v3" => super::readiness::sensor_v3(f, os.as_ref()),
                        "dc.root_certificates" => super::readiness::root_certificates(f, ctx.cloud),
                        "dc.sensor_service" => sensor_service(f),
                        _ => Outcome::unknown(format!("{other} has no implementation")),
                    },
                },
            };
            (*id, outcome)
        })
        .collect()
}

fn no_facts(dc: &Dc<'_>) -> Outcome {
    Outcome::unknown(format!(
        "no facts were collected from {}: it is known to the directory but not in any DC facts file",
        dc.label()
    ))
    .act(Action::DcFacts { console_urls: None })
}

fn facts(dc: &Dc<'_>, directory_read: bool) -> Outcome {
    match dc.facts {
        None => no_facts(dc),
        Some(f) => {
            let mut o = Outcome::pass(match f.collected_at {
                Some(t) => format!("facts collected {}", t.format("%Y-%m-%d %H:%M UTC")),
                None => "facts collected (time not recorded)".to_string(),
            });
            if !f.errors.is_empty() {
                o.reason
                    .push_str(&format!("; {} fact(s) could not be read", f.errors.len()));
                o = o.ev("collector_errors", f.errors.join(" | "));
            }
            if directory_read && dc.directory.is_none() {
                // Facts for a host the directory does not list as a DC: a typo in
                // -ComputerName, or a DC demoted since. Worth a look, not a blocker.
                o.status = Status::Warn;
                o.reason = format!(
                    "{} is in the DC facts but the directory does not list it as a domain controller",
                    f.name
                );
                o = o.remedy(
                    "check the name; remove the host from the facts if it is no longer a DC",
                );
            }
            o
        }
    }
}

fn rodc(dc: &Dc<'_>, directory_read: bool) -> Outcome {
    match dc.directory {
        Some(d) if d.read_only => Outcome::pass(
            "read-only domain controller: the sensor supports it, but it must not be a domain synchronizer candidate",
        )
        .ev("read_only", "true"),
        Some(_) => Outcome::pass("writable domain controller").ev("read_only", "false"),
        None if directory_read => Outcome::unknown(format!(
            "{} is not in the directory's list of domain controllers, so whether it is read-only is not known",
            dc.label()
        )),
        None => Outcome::unknown("no directory source in the inventory: whether this DC is read-only is not known")
            .act(Action::CollectDirectory { as_admin: false }),
    }
}
