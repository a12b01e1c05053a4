//! Per domain controller: what the sensor needs from the host it is installed on.
//!
//! The subjects are every DC the directory knows plus every host the DC facts describe
//! (a DC known to the directory without facts gets Unknown for each fact-based check, with
//! the reason, so a gate can never pass over a DC nobody looked at). The operating system
//! is judged by two profiles side by side, the 2019 guide's (`dc.os_2019`, for reference)
//! and today's (`dc.os`, the gating one).

use super::thresholds::{
    HIGH_PERFORMANCE_SCHEME, MAX_TIME_OFFSET_SECONDS, MIN_FREE_DISK_BYTES,
    MIN_FREE_DISK_BYTES_2019, MIN_LOGICAL_PROCESSORS, MIN_MEMORY_BYTES, NTDSAI_MIN_2019,
    RECOMMENDED_FREE_DISK_BYTES, SERVER_2019_BUILD, SERVER_BUILDS,
};
use super::{Outcome, fact_missing};
use crate::model::{DcFacts, DomainController, Gateway, GatewayKind, Inventory, Status};

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

/// One domain controller and everything known about it.
#[derive(Debug, Clone, Copy)]
pub struct Dc<'a> {
    pub facts: Option<&'a DcFacts>,
    pub directory: Option<&'a DomainController>,
    /// The ATA gateway registered under this DC's name, if any.
    pub gateway: Option<&'a Gateway>,
}

impl Dc<'_> {
    /// The subject: the DNS name when known, else the name given.
    pub fn label(&self) -> String {
        let from_facts = self.facts.map(|f| f.name.clone());
        let dns = self.directory.and_then(|d| d.dns_host_name.clone());
        match (from_facts, dns) {
            (Some(f), _) if f.contains('.') => f,
            (_, Some(d)) => d,
            (Some(f), None) => f,
            (None, None) => self.directory.map(|d| d.name.clone()).unwrap_or_default(),
        }
    }
}

/// Where one DC's data sits in the inventory, by index: cheap to copy into a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DcRef {
    pub directory: Option<usize>,
    pub facts: Option<usize>,
    pub gateway: Option<usize>,
}

impl DcRef {
    pub fn resolve<'a>(&self, inv: &'a Inventory) -> Dc<'a> {
        Dc {
            facts: self.facts.and_then(|i| inv.hosts.get(i)),
            directory: self.directory.and_then(|i| {
                inv.directory
                    .as_ref()
                    .and_then(|d| d.domain_controllers.get(i))
            }),
            gateway: self.gateway.and_then(|i| inv.ata.gateways.get(i)),
        }
    }
}

fn short(name: &str) -> String {
    name.split('.').next().unwrap_or(name).to_ascii_lowercase()
}

/// Every DC to check: the directory's, then hosts only the facts describe. Facts are
/// matched to a directory DC by full DNS name first, then by short name (Windows' rule),
/// each facts entry to one DC at most. Linear in the number of DCs.
pub fn domain_controller_refs(inv: &Inventory) -> Vec<DcRef> {
    use std::collections::HashMap;
    let mut by_full: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_short: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, h) in inv.hosts.iter().enumerate() {
        by_full
            .entry(h.name.to_ascii_lowercase())
            .or_default()
            .push(i);
        by_short.entry(short(&h.name)).or_default().push(i);
    }
    let mut gateways: HashMap<String, usize> = HashMap::new();
    for (i, g) in inv.ata.gateways.iter().enumerate() {
        gateways.entry(short(&g.name)).or_insert(i);
    }
    let mut used = vec![false; inv.hosts.len()];
    let take = |candidates: Option<&Vec<usize>>, used: &mut Vec<bool>| {
        let found = candidates?.iter().copied().find(|i| !used[*i])?;
        used[found] = true;
        Some(found)
    };
    let mut refs = Vec::new();
    if let Some(dir) = &inv.directory {
        for (d, dc) in dir.domain_controllers.iter().enumerate() {
            let full = dc.dns_host_name.as_deref().map(str::to_ascii_lowercase);
            let facts = full
                .as_ref()
                .and_then(|f| take(by_full.get(f), &mut used))
                .or_else(|| take(by_full.get(&dc.name.to_ascii_lowercase()), &mut used))
                .or_else(|| take(by_short.get(&short(&dc.name)), &mut used));
            refs.push(DcRef {
                directory: Some(d),
                facts,
                gateway: gateways.get(&short(&dc.name)).copied(),
            });
        }
    }
    for (i, h) in inv.hosts.iter().enumerate() {
        if !used[i] {
            refs.push(DcRef {
                directory: None,
                facts: Some(i),
                gateway: gateways.get(&short(&h.name)).copied(),
            });
        }
    }
    refs
}

/// Every DC to check (see [`domain_controller_refs`]).
pub fn domain_controllers(inv: &Inventory) -> Vec<Dc<'_>> {
    domain_controller_refs(inv)
        .iter()
        .map(|r| r.resolve(inv))
        .collect()
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
    .remedy(
        "run `ata2atp collector dc-facts > Get-DcFacts.ps1` and the script on a DC (or with -ComputerName \
         for this one), then `ata2atp inventory --dc-facts dc-facts.json`",
    )
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

/// What is known about a DC's operating system.
#[derive(Debug, Clone, PartialEq)]
pub struct OsInfo {
    pub caption: Option<String>,
    pub build: Option<u32>,
    pub server_core: Option<bool>,
    /// `facts` or `directory`.
    pub source: &'static str,
}

impl OsInfo {
    /// The Windows Server release the build belongs to.
    pub fn release(&self) -> Option<&'static str> {
        let build = self.build?;
        SERVER_BUILDS
            .iter()
            .rev()
            .find(|(first, _)| build >= *first)
            .map(|(_, name)| *name)
    }

    fn is_windows_server(&self) -> Option<bool> {
        let c = self.caption.as_deref()?;
        Some(c.contains("Windows") && c.contains("Server"))
    }

    fn describe(&self) -> String {
        let mut s = self
            .caption
            .clone()
            .unwrap_or_else(|| self.release().unwrap_or("unknown release").to_string());
        if let Some(b) = self.build {
            s.push_str(&format!(" (build {b})"));
        }
        if self.server_core == Some(true) {
            s.push_str(", Server Core");
        }
        s
    }

    fn evidence(&self, o: Outcome) -> Outcome {
        let mut o = o.ev("os", self.describe()).ev("os_source", self.source);
        if let Some(r) = self.release() {
            o = o.ev("release", r);
        }
        o
    }
}

/// First number in parentheses (`10.0 (17763)`) or the third dotted part (`10.0.17763`).
fn build_from_version(v: &str) -> Option<u32> {
    if let Some((_, rest)) = v.split_once('(') {
        return rest.split(')').next()?.trim().parse().ok();
    }
    v.split('.').nth(2)?.trim().parse().ok()
}

/// The OS from the facts, else from the directory's `operatingSystem*` attributes.
pub fn os_of(dc: &Dc<'_>) -> Option<OsInfo> {
    if let Some(f) = dc.facts {
        let build = f
            .os_build
            .or_else(|| f.os_version.as_deref().and_then(build_from_version));
        if f.os_caption.is_some() || build.is_some() {
            return Some(OsInfo {
                caption: f.os_caption.clone(),
                build,
                server_core: f.server_core,
                source: "facts",
            });
        }
    }
    let d = dc.directory?;
    let build = d.os_version.as_deref().and_then(build_from_version);
    if d.os.is_none() && build.is_none() {
        return None;
    }
    Some(OsInfo {
        caption: d.os.clone(),
        build,
        server_core: None,
        source: "directory",
    })
}

const OS_UNKNOWN: &str =
    "the operating system is not known: neither the DC facts nor the directory name it";

/// Today's requirements (gating): Windows Server 2016, 2019 (with KB4487044), 2022;
/// Server Core accepted. 2012 / 2012 R2 left support on 2023-10-10.
fn os_today(os: Option<&OsInfo>) -> Outcome {
    let Some(os) = os else {
        return Outcome::unknown(OS_UNKNOWN);
    };
    if os.is_windows_server() == Some(false) {
        return os.evidence(
            Outcome::fail(format!(
                "{} is not Windows Server: the sensor installs on Windows Server only",
                os.describe()
            ))
            .remedy("plan a Windows Server 2022 domain controller to carry the sensor"),
        );
    }
    let Some(build) = os.build else {
        return os.evidence(Outcome::unknown(format!(
            "the build of {} is not known, so the release cannot be told",
            os.describe()
        )));
    };
    let o = match build {
        14393 | 17763 | 20348 => {
            let mut o = Outcome::pass(format!("{} is supported", os.describe()));
            if build == SERVER_2019_BUILD {
                o.reason.push_str(" (with KB4487044, see dc.kb4487044)");
            }
            o
        }
        b if b < 14393 => Outcome::fail(format!(
            "{} is not supported by today's sensor (Windows Server 2012 and 2012 R2 left support on 2023-10-10; \
             a sensor there may still report but misses features)",
            os.describe()
        ))
        .remedy("upgrade or replace this DC with Windows Server 2022 before installing the sensor"),
        b if b > 20348 => Outcome::manual(format!(
            "{} is newer than the requirements this tool carries: confirm in today's Defender for Identity \
             prerequisites that it is supported",
            os.describe()
        )),
        _ => Outcome::manual(format!(
            "build {build} is not a long-term servicing release the requirements list: confirm support in \
             today's prerequisites"
        )),
    };
    os.evidence(o.ev(
        "supported_today",
        "Windows Server 2016, 2019 (KB4487044), 2022; Server Core yes, Nano no",
    ))
}

/// The 2019 guide's requirements, for reference only: today's profile gates, so an OS the
/// 2019 guide rejected is a Warn here, never a Fail.
fn os_2019(os: Option<&OsInfo>) -> Outcome {
    let Some(os) = os else {
        return Outcome::unknown(OS_UNKNOWN);
    };
    let Some(build) = os.build else {
        return os.evidence(Outcome::unknown(format!(
            "the build of {} is not known, so the release cannot be told",
            os.describe()
        )));
    };
    let core = os.server_core == Some(true);
    let o = match build {
        7601 if core => Outcome::warn(
            "the 2019 guide did not support Server Core on Windows Server 2008 R2 (today's requirements gate, see dc.os)",
        ),
        7601 => {
            Outcome::pass("Windows Server 2008 R2 SP1 was supported in 2019 (not today, see dc.os)")
        }
        b if b < 7601 => Outcome::warn(format!(
            "{} was not supported in 2019 either (2008 R2 SP1 was the oldest); today's requirements gate, see dc.os",
            os.describe()
        )),
        9200 | 9600 | 14393 | 17763 => {
            Outcome::pass(format!("{} was supported by the 2019 guide", os.describe()))
        }
        b if b > 17763 => Outcome::pass(format!(
            "{} was released after the 2019 guide; today's requirements apply (dc.os)",
            os.describe()
        )),
        _ => Outcome::warn(format!(
            "build {build} is not a release the 2019 guide listed; today's requirements gate"
        )),
    };
    os.evidence(o.ev(
        "supported_2019",
        "Windows Server 2008 R2 SP1 (no Core), 2012, 2012 R2, 2016, 2019 (KB4487044); Nano no",
    ))
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
            .remedy("add --ldap or --ldif to the inventory"),
    }
}

fn cpu(f: &DcFacts) -> Outcome {
    let Some(n) = f.logical_processors else {
        return Outcome::unknown(fact_missing(
            f,
            "logical_processors",
            "The number of logical processors",
        ));
    };
    let o = if n >= MIN_LOGICAL_PROCESSORS {
        Outcome::pass(format!("{n} logical processors"))
    } else {
        Outcome::fail(format!(
            "{n} logical processor(s); the sensor needs at least {MIN_LOGICAL_PROCESSORS}"
        ))
        .remedy("give the DC at least 2 cores (more on busy DCs: size with the sizing tool)")
    };
    o.ev("logical_processors", n.to_string())
}

fn gib(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / (1024.0 * 1024.0 * 1024.0))
}

fn memory(f: &DcFacts) -> Outcome {
    let Some(m) = f.memory_bytes else {
        return Outcome::unknown(fact_missing(f, "memory_bytes", "The installed memory"));
    };
    let o = if m >= MIN_MEMORY_BYTES {
        Outcome::pass(format!("{} of RAM", gib(m)))
    } else {
        Outcome::fail(format!("{} of RAM; the sensor needs at least 6 GB", gib(m))).remedy(
            "add memory (at least 6 GB; on a VM reserve it, no dynamic memory or ballooning)",
        )
    };
    o.ev("memory_bytes", m.to_string()).ev(
        "required_bytes",
        format!("{MIN_MEMORY_BYTES} (6 GB - 1 MB, as Test-MdiReadiness)"),
    )
}

fn disk(f: &DcFacts) -> Outcome {
    let Some(free) = f.system_drive_free_bytes else {
        return Outcome::unknown(fact_missing(
            f,
            "system_drive_free_bytes",
            "The free space on the system drive",
        ));
    };
    let drive = f.system_drive.as_deref().unwrap_or("the system drive");
    let o = if free < MIN_FREE_DISK_BYTES {
        let then = if free >= MIN_FREE_DISK_BYTES_2019 {
            " (the 2019 guide's 5 GB is met, today's 6 GB is not)"
        } else {
            ""
        };
        Outcome::fail(format!(
            "{} free on {drive}; the sensor needs at least 6 GB (10 GB recommended){then}",
            gib(free)
        ))
        .remedy("free or add space on the system drive: at least 6 GB, 10 GB recommended")
    } else if free < RECOMMENDED_FREE_DISK_BYTES {
        // Enough to install; the sensor's logs and updates grow, hence the recommendation.
        Outcome::warn(format!(
            "{} free on {drive}: enough to install, 10 GB recommended",
            gib(free)
        ))
        .remedy("free space on the system drive to reach the recommended 10 GB")
    } else {
        Outcome::pass(format!("{} free on {drive}", gib(free)))
    };
    o.ev("free_bytes", free.to_string())
        .ev("required", "6 GB, 10 GB recommended (the 2019 guide: 5 GB)")
        .ev("required_2019_bytes", MIN_FREE_DISK_BYTES_2019.to_string())
}

fn power_plan(f: &DcFacts) -> Outcome {
    let guid = f
        .power_scheme_guid
        .as_deref()
        .map(|g| g.trim().trim_matches(['{', '}']).to_ascii_lowercase());
    let name = f.power_scheme_name.as_deref();
    let is_high = match (&guid, name) {
        (Some(g), _) => g == HIGH_PERFORMANCE_SCHEME,
        // Names are localised; only trust the English one when there is no GUID.
        (None, Some(n)) if n.eq_ignore_ascii_case("High performance") => true,
        (None, Some(_)) => false,
        (None, None) => {
            return Outcome::unknown(fact_missing(
                f,
                "power_scheme_guid",
                "The active power scheme",
            ))
            .remedy("check with `powercfg /getactivescheme` on the DC");
        }
    };
    let label = match (name, &guid) {
        (Some(n), Some(g)) => format!("{n} ({g})"),
        (Some(n), None) => n.to_string(),
        (None, Some(g)) => g.clone(),
        (None, None) => String::new(),
    };
    let o = if is_high {
        Outcome::pass(format!("power plan {label}"))
    } else {
        // The sensor installs and runs on any plan; on a throttled CPU it drops traffic
        // under load and Defender for Identity raises a health issue. Worth fixing, not a
        // blocker for the cut-over.
        Outcome::warn(format!("power plan {label}, not High performance"))
            .remedy("set the High performance plan (`powercfg /setactive SCHEME_MIN`, or by GPO)")
    };
    o.ev("power_scheme", label)
}

/// Parses a dotted version into its numbers (`10.0.17763.316`); stops at the first part
/// that is not a number (`10.0.17763.1 (WinBuild.160101.0800)` gives 10.0.17763.1).
pub fn parse_version(v: &str) -> Option<Vec<u32>> {
    let head = v.split_whitespace().next()?;
    let parts: Option<Vec<u32>> = head.split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| !p.is_empty())
}

fn kb4487044(f: &DcFacts, os: Option<&OsInfo>) -> Outcome {
    let Some(build) = os.and_then(|o| o.build) else {
        return Outcome::unknown(
            "the OS build is not known, so whether KB4487044 applies cannot be told",
        );
    };
    if build != SERVER_2019_BUILD {
        let release = os.and_then(OsInfo::release).unwrap_or("this release");
        return Outcome::pass(format!(
            "not applicable: KB4487044 concerns Windows Server 2019, this is {release}"
        ));
    }
    let min = NTDSAI_MIN_2019.map(|n| n.to_string()).join(".");
    let Some(raw) = f.ntdsai_version.as_deref() else {
        return Outcome::unknown(fact_missing(
            f,
            "ntdsai_version",
            "The version of ntdsai.dll",
        ))
        .remedy(format!(
            "read the file version of %SystemRoot%\\System32\\ntdsai.dll (needs {min} or later)"
        ));
    };
    let Some(v) = parse_version(raw) else {
        return Outcome::unknown(format!(
            "ntdsai.dll version '{raw}' is not a dotted version number"
        ));
    };
    let o = if v.as_slice() >= NTDSAI_MIN_2019.as_slice() {
        Outcome::pass(format!("ntdsai.dll {raw}: KB4487044 or later is installed"))
    } else {
        Outcome::fail(format!(
            "ntdsai.dll {raw} is older than {min}: without KB4487044 the sensor stops itself on Windows Server 2019"
        ))
        .remedy("install KB4487044 or any later cumulative update for Windows Server 2019 (restart required)")
    };
    o.ev("ntdsai_version", raw).ev("required", min)
}

fn time_sync(f: &DcFacts) -> Outcome {
    let Some(off) = f.time_offset_seconds else {
        return Outcome::unknown(fact_missing(f, "time_offset_seconds", "The clock offset"));
    };
    let o = if !off.is_finite() {
        Outcome::unknown(format!("the recorded clock offset '{off}' is not a number"))
    } else if off.abs() <= MAX_TIME_OFFSET_SECONDS {
        Outcome::pass(format!("clock {off:+.1} s from the domain's time source"))
    } else {
        Outcome::fail(format!("clock {off:+.1} s from the domain's time source: more than 5 minutes"))
            .remedy("fix time synchronisation (w32tm /resync; check the domain hierarchy and the PDC's source)")
    };
    o.ev("time_offset_seconds", off.to_string())
        .ev("allowed_seconds", format!("{MAX_TIME_OFFSET_SECONDS}"))
}

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
fn proxy(f: &DcFacts, sensor_proxy: Option<&str>) -> Outcome {
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
fn sensor_service(f: &DcFacts) -> Outcome {
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

fn lightweight_gateway(dc: &Dc<'_>) -> Outcome {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn dc(f: DcFacts) -> Vec<(&'static str, Outcome)> {
        let d = Dc {
            facts: Some(&f),
            directory: None,
            gateway: None,
        };
        check_dc(&d, &DcContext::default())
    }

    fn status(results: &[(&str, Outcome)], id: &str) -> Status {
        results.iter().find(|(i, _)| *i == id).unwrap().1.status
    }

    #[test]
    fn versions_parse_like_windows_prints_them() {
        assert_eq!(
            parse_version("10.0.17763.316"),
            Some(vec![10, 0, 17763, 316])
        );
        assert_eq!(
            parse_version("10.0.17763.1 (WinBuild.160101.0800)"),
            Some(vec![10, 0, 17763, 1])
        );
        assert_eq!(parse_version("x"), None);
        assert_eq!(build_from_version("10.0 (17763)"), Some(17763));
        assert_eq!(build_from_version("6.3.9600"), Some(9600));
    }

    #[test]
    fn os_profiles_side_by_side() {
        let os = |build, caption: &str| OsInfo {
            caption: Some(caption.into()),
            build: Some(build),
            server_core: Some(false),
            source: "facts",
        };
        let r2 = os(9600, "Microsoft Windows Server 2012 R2 Standard");
        assert_eq!(os_today(Some(&r2)).status, Status::Fail);
        assert_eq!(os_2019(Some(&r2)).status, Status::Pass);
        let s22 = os(20348, "Microsoft Windows Server 2022 Datacenter");
        assert_eq!(os_today(Some(&s22)).status, Status::Pass);
        assert_eq!(os_2019(Some(&s22)).status, Status::Pass);
        let s25 = os(26100, "Microsoft Windows Server 2025 Datacenter");
        assert_eq!(os_today(Some(&s25)).status, Status::Manual);
        let mut r2core = os(7601, "Microsoft Windows Server 2008 R2 Enterprise");
        r2core.server_core = Some(true);
        assert_eq!(os_2019(Some(&r2core)).status, Status::Warn);
        assert_eq!(os_today(Some(&r2core)).status, Status::Fail);
        let samba = OsInfo {
            caption: Some("Samba".into()),
            build: None,
            server_core: None,
            source: "directory",
        };
        assert_eq!(os_today(Some(&samba)).status, Status::Fail);
        assert_eq!(os_today(None).status, Status::Unknown);
    }

    #[test]
    fn memory_edge_is_6_gb_less_1_mb() {
        let mut f = DcFacts::new("DC1");
        f.memory_bytes = Some(6 * 1024 * 1024 * 1024 - 1024 * 1024);
        assert_eq!(status(&dc(f.clone()), "dc.memory"), Status::Pass);
        f.memory_bytes = Some(6 * 1024 * 1024 * 1024 - 1024 * 1024 - 1);
        assert_eq!(status(&dc(f), "dc.memory"), Status::Fail);
    }

    #[test]
    fn disk_edges_6_and_10_gb() {
        const G: u64 = 1024 * 1024 * 1024;
        let mut f = DcFacts::new("DC1");
        for (free, want) in [
            (6 * G - 1, Status::Fail),
            (6 * G, Status::Warn),
            (10 * G - 1, Status::Warn),
            (10 * G, Status::Pass),
        ] {
            f.system_drive_free_bytes = Some(free);
            assert_eq!(status(&dc(f.clone()), "dc.disk"), want, "{free}");
        }
    }

    #[test]
    fn cpu_power_time_edges() {
        let mut f = DcFacts::new("DC1");
        f.logical_processors = Some(1);
        f.power_scheme_guid = Some("381b4222-f694-41f0-9685-ff5bb260df2e".into());
        f.time_offset_seconds = Some(300.0);
        let r = dc(f.clone());
        assert_eq!(status(&r, "dc.cpu"), Status::Fail);
        assert_eq!(status(&r, "dc.power_plan"), Status::Warn);
        assert_eq!(status(&r, "dc.time_sync"), Status::Pass);
        f.logical_processors = Some(2);
        f.power_scheme_guid = Some("{8C5E7FDA-E8BF-4A96-9A85-A6E23A8C635C}".into());
        f.time_offset_seconds = Some(-301.0);
        let r = dc(f.clone());
        assert_eq!(status(&r, "dc.cpu"), Status::Pass);
        assert_eq!(status(&r, "dc.power_plan"), Status::Pass);
        assert_eq!(status(&r, "dc.time_sync"), Status::Fail);
        f.time_offset_seconds = Some(301.0);
        assert_eq!(status(&dc(f), "dc.time_sync"), Status::Fail);
    }

    #[test]
    fn ntdsai_315_fails_316_passes_on_2019_only() {
        let mut f = DcFacts::new("DC1");
        f.os_caption = Some("Microsoft Windows Server 2019 Standard".into());
        f.os_build = Some(17763);
        f.ntdsai_version = Some("10.0.17763.315".into());
        assert_eq!(status(&dc(f.clone()), "dc.kb4487044"), Status::Fail);
        f.ntdsai_version = Some("10.0.17763.316".into());
        assert_eq!(status(&dc(f.clone()), "dc.kb4487044"), Status::Pass);
        f.ntdsai_version = None;
        assert_eq!(status(&dc(f.clone()), "dc.kb4487044"), Status::Unknown);
        f.os_build = Some(14393);
        f.os_caption = Some("Microsoft Windows Server 2016 Standard".into());
        assert_eq!(status(&dc(f), "dc.kb4487044"), Status::Pass);
    }

    #[test]
    fn lightweight_gateway_states() {
        let mut f = DcFacts::new("DC1");
        f.ata_lightweight_gateway_installed = Some(true);
        f.atp_sensor_installed = Some(false);
        assert_eq!(
            status(&dc(f.clone()), "dc.lightweight_gateway"),
            Status::Warn
        );
        f.atp_sensor_installed = Some(true);
        assert_eq!(
            status(&dc(f.clone()), "dc.lightweight_gateway"),
            Status::Fail
        );
        f.ata_lightweight_gateway_installed = Some(false);
        assert_eq!(status(&dc(f), "dc.lightweight_gateway"), Status::Pass);
    }

    #[test]
    fn a_dc_without_facts_is_unknown_everywhere_but_what_the_directory_says() {
        let d = DomainController {
            name: "DC4".into(),
            dns_host_name: Some("dc4.example.test".into()),
            domain: "example.test".into(),
            os: Some("Windows Server 2016 Standard".into()),
            os_version: Some("10.0 (14393)".into()),
            read_only: true,
            ..Default::default()
        };
        let r = check_dc(
            &Dc {
                facts: None,
                directory: Some(&d),
                gateway: None,
            },
            &DcContext {
                directory_read: true,
                sensor_proxy: None,
                ..DcContext::default()
            },
        );
        assert_eq!(status(&r, "dc.facts"), Status::Unknown);
        assert_eq!(status(&r, "dc.os"), Status::Pass);
        assert_eq!(status(&r, "dc.rodc"), Status::Pass);
        for id in [
            "dc.dotnet",
            "dc.cpu",
            "dc.memory",
            "dc.disk",
            "dc.power_plan",
            "dc.time_sync",
        ] {
            let o = &r.iter().find(|(i, _)| *i == id).unwrap().1;
            assert_eq!(o.status, Status::Unknown, "{id}");
            assert!(o.reason.contains("dc4.example.test"), "{id}: {}", o.reason);
        }
    }

    #[test]
    fn facts_match_the_right_dc_when_short_names_collide() {
        use crate::model::DirectoryInventory;
        let mut inv = Inventory::new(chrono::Utc::now());
        let dc = |name: &str, dns: &str| DomainController {
            name: name.into(),
            dns_host_name: Some(dns.into()),
            domain: dns.split_once('.').unwrap().1.into(),
            ..Default::default()
        };
        inv.directory = Some(DirectoryInventory {
            domain_controllers: vec![
                dc("DC01", "dc01.a.test"),
                dc("DC01", "dc01.b.test"),
                dc("DC02", "dc02.a.test"),
            ],
            ..Default::default()
        });
        let mut b = DcFacts::new("DC01.B.TEST");
        b.logical_processors = Some(8);
        let mut a = DcFacts::new("dc01.a.test");
        a.logical_processors = Some(4);
        inv.hosts = vec![b, a, DcFacts::new("DC02"), DcFacts::new("stray.c.test")];
        let refs = domain_controller_refs(&inv);
        assert_eq!(refs.len(), 4);
        let dcs: Vec<_> = refs.iter().map(|r| r.resolve(&inv)).collect();
        assert_eq!(dcs[0].facts.unwrap().logical_processors, Some(4));
        assert_eq!(dcs[1].facts.unwrap().logical_processors, Some(8));
        assert_eq!(dcs[2].facts.unwrap().name, "DC02");
        assert_eq!(dcs[2].label(), "dc02.a.test");
        assert!(dcs[3].directory.is_none());
        assert_eq!(dcs[3].label(), "stray.c.test");
    }

    #[test]
    fn proxy_settings_against_the_customer_s_proxy() {
        let mut f = DcFacts::new("DC1");
        assert_eq!(proxy(&f, None).status, Status::Unknown);
        f.winhttp_proxy = Some("direct".into());
        assert_eq!(proxy(&f, None).status, Status::Pass);
        let customer = Some("http://Proxy.Fabrikam.test:8080");
        let o = proxy(&f, customer);
        assert_eq!(o.status, Status::Warn);
        assert!(
            o.remediation
                .unwrap()
                .contains("ProxyUrl=http://proxy.fabrikam.test:8080")
        );
        f.winhttp_proxy = Some("proxy.fabrikam.test:8080 (bypass: <local>)".into());
        assert_eq!(proxy(&f, customer).status, Status::Pass);
        assert_eq!(proxy(&f, None).status, Status::Warn);
        f.winhttp_proxy = Some("direct".into());
        f.wininet_proxy = Some("LocalService: other.proxy:3128".into());
        assert_eq!(proxy(&f, customer).status, Status::Warn);
    }

    #[test]
    fn the_sensor_service_is_judged_after_the_install_only() {
        let mut f = DcFacts::new("DC1");
        f.atp_sensor_installed = Some(false);
        assert_eq!(status(&dc(f.clone()), "dc.sensor_service"), Status::Unknown);
        f.atp_sensor_installed = Some(true);
        assert_eq!(status(&dc(f.clone()), "dc.sensor_service"), Status::Unknown);
        f.atp_sensor_service = Some("Running".into());
        assert_eq!(status(&dc(f.clone()), "dc.sensor_service"), Status::Pass);
        f.atp_sensor_service = Some("Stopped".into());
        assert_eq!(status(&dc(f), "dc.sensor_service"), Status::Fail);
    }
}
