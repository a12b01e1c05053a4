//! The Center's own settings: console, certificates, listen endpoint, automatic updates,
//! the directory services accounts and the VPN (RADIUS) integration.

use mongodb::bson::{Bson, Document};

use super::Note;
use super::doc::{Located, Profiles, endpoint_text, find_first, id_text, secret_flag, tried};
use crate::ata::Error;
use crate::ata::mapping::{Mapping, Paths};
use crate::model::{AutoUpdate, Center, DirectoryServicesAccount, ThumbprintSource, Vpn};

pub(super) fn center(
    mapping: &Mapping,
    profiles: &Profiles,
    wide: &[&Located],
    types_of: &dyn Fn(&Located) -> String,
    note: &mut Note<'_>,
) -> Result<Center, Error> {
    let m = &mapping.center;
    let mut c = Center::default();
    match find_first(&m.console_urls, wide) {
        Some((d, p)) => c.console_urls = d.strings_at(&p).unwrap_or_default(),
        None => note(
            "ata.center.console_urls",
            tried(&m.console_urls, wide, types_of),
        ),
    }
    for d in wide {
        for p in m.certificate_thumbprints.iter() {
            for t in d.strings_at(p).unwrap_or_default() {
                if !c
                    .certificate_thumbprints
                    .iter()
                    .any(|x: &String| x.eq_ignore_ascii_case(&t))
                {
                    c.certificate_thumbprints.push(t.clone());
                }
                let mut profile = types_of(d);
                if !profiles
                    .center(mapping)
                    .iter()
                    .any(|x| std::ptr::eq(*x, *d))
                {
                    profile = format!("{profile} {}", d.id_text());
                }
                c.thumbprint_sources.push(ThumbprintSource {
                    profile,
                    path: p.clone(),
                    thumbprint: t,
                });
            }
        }
    }
    if c.certificate_thumbprints.is_empty() {
        note(
            "ata.center.certificate_thumbprints",
            tried(&m.certificate_thumbprints, wide, types_of),
        );
    }
    for d in profiles.center(mapping) {
        for p in m.pending_change_lists.iter() {
            if let Some(list) = d.strings_at(p)
                && list.len() > 1
            {
                c.pending_change = true;
            }
        }
    }
    c.service_profile_id = find_first(&m.service_profile_id, wide).and_then(|(d, p)| {
        d.at(&p).map(|v| match v {
            Bson::String(s) => s.clone(),
            other => id_text(other),
        })
    });
    match find_first(&m.listen_endpoint, wide) {
        Some((d, p)) => c.listen_endpoint = endpoint_text(d, &p),
        None => note(
            "ata.center.listen_endpoint",
            tried(&m.listen_endpoint, wide, types_of),
        ),
    }
    let au = &m.auto_update;
    let first = |paths: &Paths| find_first(paths, wide).and_then(|(d, p)| d.bool_at(&p));
    let auto = AutoUpdate {
        enabled: first(&au.enabled),
        gateways_update_automatically: first(&au.gateways),
        lightweight_gateways_restart_automatically: first(&au.lightweight_restart),
    };
    if auto != AutoUpdate::default() {
        c.auto_update = Some(auto);
    }
    Ok(c)
}

pub(super) fn dsa(
    mapping: &Mapping,
    wide: &[&Located],
    types_of: &dyn Fn(&Located) -> String,
    note: &mut Note<'_>,
) -> Result<Vec<DirectoryServicesAccount>, Error> {
    let m = &mapping.directory_services_accounts;
    for p in m.lists.iter() {
        for d in wide {
            let items: Vec<(String, &Document)> = match d.at(p) {
                None => continue,
                // An entry that is no account document costs only itself.
                Some(Bson::Array(a)) => a
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| match v {
                        Bson::Document(doc) => Some((format!("{p}.{i}"), doc)),
                        other => {
                            d.wrong(&format!("{p}.{i}"), "an account document", other);
                            None
                        }
                    })
                    .collect(),
                Some(Bson::Document(doc)) => vec![(p.clone(), doc)],
                Some(other) => {
                    d.wrong(p, "a list of accounts or an account document", other);
                    continue;
                }
            };
            let mut accounts = Vec::new();
            for (base, item) in items {
                let sub = d.sub(item.clone(), &base);
                let Some(user) = sub.first_str(&m.user) else {
                    continue;
                };
                let domain = sub.first_str(&m.domain);
                let mut secret_present = false;
                for s in m.secret.iter() {
                    secret_present |= secret_flag(&sub, s);
                }
                accounts.push(DirectoryServicesAccount {
                    user,
                    domain,
                    secret_present,
                    found_at: Some(format!("{} {p}", types_of(d))),
                });
            }
            if !accounts.is_empty() {
                return Ok(accounts);
            }
        }
    }
    let fields = format!(
        "with {} and {}",
        m.user.iter().cloned().collect::<Vec<_>>().join("/"),
        m.domain.iter().cloned().collect::<Vec<_>>().join("/")
    );
    note(
        "ata.directory_services_accounts",
        tried(&m.lists, wide, types_of)
            .into_iter()
            .map(|t| format!("{t} {fields}"))
            .collect(),
    );
    Ok(Vec::new())
}

/// The VPN integration: present when either of its settings is found.
pub(super) fn vpn(
    mapping: &Mapping,
    wide: &[&Located],
    types_of: &dyn Fn(&Located) -> String,
    note: &mut Note<'_>,
) -> Option<Vpn> {
    let radius = find_first(&mapping.vpn.radius_enabled, wide);
    let secret = find_first(&mapping.vpn.secret, wide);
    if radius.is_none() && secret.is_none() {
        note(
            "ata.vpn",
            tried(&mapping.vpn.radius_enabled, wide, types_of),
        );
        return None;
    }
    let radius_enabled = match &radius {
        Some((d, p)) => d.bool_at(p).unwrap_or(false),
        None => {
            note(
                "ata.vpn.radius_enabled",
                tried(&mapping.vpn.radius_enabled, wide, types_of),
            );
            false
        }
    };
    let secret_present = secret.is_some_and(|(d, p)| secret_flag(d, &p));
    Some(Vpn {
        radius_enabled,
        secret_present,
    })
}
