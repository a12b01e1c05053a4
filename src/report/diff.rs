//! `ata2atp diff`: what changed between two inventories, per section: items added,
//! removed, and changed field by field. For "what changed since the last visit", and,
//! after the cut-over, for proving that nothing was forgotten.
//!
//! Items are matched by what identifies them in ATA or the directory (an exclusion by
//! detector, kind and value; an entity by its ATA id; a DC by its name, …), never by
//! their position, so a reordered list is no change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::Error;
use crate::engagement::{Engagement, INVENTORY_FILE, read_yaml_file};
use crate::model::{Alert, Inventory};

/// The two inventories compared.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub path: PathBuf,
    pub collected_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InventoryDiff {
    pub old: Side,
    pub new: Side,
    /// Sections with at least one difference, in report order.
    pub sections: Vec<SectionDiff>,
    /// Sections compared and found equal.
    pub unchanged: Vec<String>,
    /// Items added, removed or changed, over all sections.
    pub total: usize,
}

impl InventoryDiff {
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionDiff {
    /// Stable id, e.g. `exclusions`.
    pub section: String,
    pub title: String,
    pub added: Vec<Item>,
    pub removed: Vec<Item>,
    pub changed: Vec<Changed>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub key: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    pub key: String,
    pub label: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    /// Path inside the item, e.g. `ad.found` or `members[2]`.
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
}

/// One section's items: key, label, value.
type Items = Vec<(String, String, Value)>;

fn items<T: Serialize>(
    list: &[T],
    key: impl Fn(&T) -> String,
    label: impl Fn(&T) -> String,
) -> Items {
    list.iter()
        .map(|x| {
            (
                key(x),
                label(x),
                serde_json::to_value(x).unwrap_or(Value::Null),
            )
        })
        .collect()
}

/// Alerts keyed by id, labelled by kind and id.
fn alert_items(list: &[Alert]) -> Items {
    items(list, |a| a.id.clone(), |a| format!("{} {}", a.kind, a.id))
}

fn single<T: Serialize>(key: &str, value: Option<&T>) -> Items {
    value
        .map(|v| {
            vec![(
                key.to_string(),
                key.to_string(),
                serde_json::to_value(v).unwrap_or(Value::Null),
            )]
        })
        .unwrap_or_default()
}

/// Every section compared: id, title, items.
fn sections(inv: &Inventory) -> Vec<(&'static str, &'static str, Items)> {
    let ata = &inv.ata;
    let dir = inv.directory.as_ref();
    let lower = |s: &str| s.to_lowercase();
    let entity_label = |e: &crate::model::Entity| e.label().to_string();
    vec![
        ("center", "ATA Center", single("center", Some(&ata.center))),
        (
            "directory_services_accounts",
            "Directory services accounts",
            items(
                &ata.directory_services_accounts,
                |d| {
                    lower(&format!(
                        "{}\\{}",
                        d.domain.as_deref().unwrap_or(""),
                        d.user
                    ))
                },
                |d| d.user.clone(),
            ),
        ),
        (
            "syslog",
            "Syslog notifications",
            single("syslog", ata.syslog.as_ref()),
        ),
        (
            "email",
            "E-mail notifications",
            single("email", ata.email.as_ref()),
        ),
        ("vpn", "VPN (RADIUS)", single("vpn", ata.vpn.as_ref())),
        (
            "exclusions",
            "Exclusions",
            items(
                &ata.exclusions,
                |x| format!("{}/{:?}/{}", x.detector, x.kind, lower(&x.value)),
                |x| {
                    let what = x.entity.as_ref().map_or(x.value.as_str(), |e| e.label());
                    format!("{}: {}", x.detector, what)
                },
            ),
        ),
        (
            "honeytokens",
            "Honeytoken accounts",
            items(&ata.honeytokens, |e| e.id.clone(), entity_label),
        ),
        (
            "sensitive",
            "Sensitive entities",
            items(&ata.sensitive, |e| e.id.clone(), entity_label),
        ),
        (
            "report_schedules",
            "Scheduled reports",
            items(
                &ata.report_schedules,
                |r| r.name.clone(),
                |r| r.name.clone(),
            ),
        ),
        (
            "gateways",
            "Gateways",
            items(&ata.gateways, |g| g.id.clone(), |g| g.name.clone()),
        ),
        (
            "alert_counts",
            "Alerts by status",
            single("by_status", Some(&ata.alerts.by_status)),
        ),
        ("open_alerts", "Open alerts", alert_items(&ata.alerts.open)),
        (
            "suppressed_alerts",
            "Suppressed alerts",
            alert_items(&ata.alerts.suppressed),
        ),
        (
            "detectors",
            "Detectors",
            items(&ata.detectors, |d| d.name.clone(), |d| d.name.clone()),
        ),
        (
            "role_groups",
            "ATA role groups",
            items(&ata.role_groups, |g| lower(&g.name), |g| g.name.clone()),
        ),
        ("forest", "Forest", single("forest", dir.map(|d| &d.forest))),
        (
            "domains",
            "Domains",
            dir.map(|d| items(&d.domains, |x| lower(&x.dns_name), |x| x.dns_name.clone()))
                .unwrap_or_default(),
        ),
        (
            "domain_controllers",
            "Domain controllers (directory)",
            dir.map(|d| {
                items(
                    &d.domain_controllers,
                    |x| lower(&x.name),
                    |x| x.name.clone(),
                )
            })
            .unwrap_or_default(),
        ),
        (
            "privileged_groups",
            "Sensitive groups",
            dir.map(|d| items(&d.privileged_groups, |g| lower(&g.sid), |g| g.name.clone()))
                .unwrap_or_default(),
        ),
        (
            "directory_services_account",
            "Directory services accounts in AD",
            dir.map(|d| {
                let all: Vec<&crate::model::DirectoryServicesAccountFacts> =
                    d.directory_services_accounts().collect();
                items(
                    &all,
                    |f| match &f.domain {
                        Some(dom) => lower(&format!("{dom}\\{}", f.name)),
                        None => lower(&f.name),
                    },
                    |f| f.named_as.clone().unwrap_or_else(|| f.name.clone()),
                )
            })
            .unwrap_or_default(),
        ),
        (
            "hosts",
            "Domain controller facts",
            items(&inv.hosts, |h| lower(&h.name), |h| h.name.clone()),
        ),
        (
            "not_found",
            "Not found",
            items(&inv.not_found, |n| n.item.clone(), |n| n.item.clone()),
        ),
    ]
}

/// Fields that change on every collection and say nothing about the deployment.
fn is_noise(field: &str) -> bool {
    field == "collected_at" || field.ends_with(".collected_at") || field == "read_at"
}

fn flatten(value: &Value, at: &str, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                flatten(v, &path, out);
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            // A list of plain values reads best whole: `a, b, c`.
            let text = items.iter().map(scalar).collect::<Vec<_>>().join(", ");
            out.insert(at.to_string(), format!("[{text}]"));
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(v, &format!("{at}[{}]", i + 1), out);
            }
        }
        Value::Null => {}
        v => {
            out.insert(at.to_string(), scalar(v));
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn field_changes(old: &Value, new: &Value) -> Vec<FieldChange> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    flatten(old, "", &mut a);
    flatten(new, "", &mut b);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !is_noise(k))
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| FieldChange {
            field: if k.is_empty() {
                "value".into()
            } else {
                k.clone()
            },
            old: a.get(k).cloned(),
            new: b.get(k).cloned(),
        })
        .collect()
}

/// Compares two inventories.
pub fn diff(old: &Inventory, old_path: &Path, new: &Inventory, new_path: &Path) -> InventoryDiff {
    let mut out = InventoryDiff {
        old: Side {
            path: old_path.to_path_buf(),
            collected_at: old.collected_at,
        },
        new: Side {
            path: new_path.to_path_buf(),
            collected_at: new.collected_at,
        },
        sections: Vec::new(),
        unchanged: Vec::new(),
        total: 0,
    };
    for ((id, title, a), (_, _, b)) in sections(old).into_iter().zip(sections(new)) {
        let index = |items: &Items| -> BTreeMap<String, (String, Value)> {
            items
                .iter()
                .map(|(k, l, v)| (k.clone(), (l.clone(), v.clone())))
                .collect()
        };
        let (ia, ib) = (index(&a), index(&b));
        let mut s = SectionDiff {
            section: id.to_string(),
            title: title.to_string(),
            added: Vec::new(),
            removed: Vec::new(),
            changed: Vec::new(),
        };
        for (k, (label, v)) in &ib {
            match ia.get(k) {
                None => s.added.push(Item {
                    key: k.clone(),
                    label: label.clone(),
                }),
                Some((_, old_v)) => {
                    let fields = field_changes(old_v, v);
                    if !fields.is_empty() {
                        s.changed.push(Changed {
                            key: k.clone(),
                            label: label.clone(),
                            fields,
                        });
                    }
                }
            }
        }
        for (k, (label, _)) in &ia {
            if !ib.contains_key(k) {
                s.removed.push(Item {
                    key: k.clone(),
                    label: label.clone(),
                });
            }
        }
        let n = s.added.len() + s.removed.len() + s.changed.len();
        if n == 0 {
            out.unchanged.push(title.to_string());
        } else {
            out.total += n;
            out.sections.push(s);
        }
    }
    out
}

/// Which inventories `diff` compares: both given; one given (against the current
/// `inventory.yaml`); or none (the latest two in `history/`).
pub fn resolve_paths(
    engagement: &Engagement,
    old: Option<&Path>,
    new: Option<&Path>,
) -> Result<(PathBuf, PathBuf), Error> {
    match (old, new) {
        (Some(a), Some(b)) => Ok((a.to_path_buf(), b.to_path_buf())),
        (Some(a), None) => Ok((a.to_path_buf(), engagement.path(INVENTORY_FILE))),
        _ => {
            let history = engagement.inventory_history()?;
            match history.as_slice() {
                [.., a, b] => Ok((a.clone(), b.clone())),
                _ => Err(Error::Input(format!(
                    "{} holds {} inventor{} in history/; diff needs two: collect again with \
                     `ata2atp inventory`, or name two files: `ata2atp diff OLD NEW`",
                    engagement.root().display(),
                    history.len(),
                    if history.len() == 1 { "y" } else { "ies" }
                ))),
            }
        }
    }
}

/// Reads an inventory file for `diff`.
pub fn load(path: &Path) -> Result<Inventory, Error> {
    read_yaml_file::<Inventory>(path)?.ok_or_else(|| {
        Error::Input(format!(
            "{} does not exist; give an inventory file",
            path.display()
        ))
    })
}

/// The difference as text for a person.
pub fn to_text(d: &InventoryDiff) -> String {
    render(d, &TEXT)
}

/// The difference as Markdown, for a ticket or a wiki page.
pub fn to_markdown(d: &InventoryDiff) -> String {
    render(d, &MARKDOWN)
}

/// What differs between the text and the Markdown of a difference: how a value is
/// written and the marks of each line; the structure is [`render`]'s alone.
struct Syntax {
    /// A value from the inventories, made safe for the format.
    value: fn(&str) -> String,
    /// The heading: the two files and when each was collected.
    head: fn(&InventoryDiff) -> String,
    /// What stands before a section's title, between it and its counts, and after them.
    section: (&'static str, &'static str, &'static str),
    added: &'static str,
    removed: &'static str,
    changed: &'static str,
    /// The indent of a changed field's line.
    field: &'static str,
}

const TEXT: Syntax = Syntax {
    // One item, one line: a line break inside a name is shown, not obeyed.
    value: |s| s.replace('\r', "").replace('\n', "⏎"),
    head: |d| {
        format!(
            "{} ({})\n  → {} ({})\n",
            d.old.path.display(),
            super::context::when(d.old.collected_at),
            d.new.path.display(),
            super::context::when(d.new.collected_at)
        )
    },
    section: ("\n", " (", ")\n"),
    added: "  + ",
    removed: "  - ",
    changed: "  ~ ",
    field: "      ",
};

const MARKDOWN: Syntax = Syntax {
    value: super::render::escape_markdown,
    head: |d| {
        let path = |p: &Path| p.display().to_string().replace('`', "'");
        format!(
            "# Inventory changes\n\n- Old: `{}` ({})\n- New: `{}` ({})\n",
            path(&d.old.path),
            super::context::when(d.old.collected_at),
            path(&d.new.path),
            super::context::when(d.new.collected_at)
        )
    },
    section: ("\n## ", "\n\n", ".\n\n"),
    added: "- **added** ",
    removed: "- **removed** ",
    changed: "- **changed** ",
    field: "  - ",
};

fn render(d: &InventoryDiff, syntax: &Syntax) -> String {
    let v = syntax.value;
    let mut s = (syntax.head)(d);
    if d.is_empty() {
        s.push_str("\nNo difference.\n");
        return s;
    }
    for sec in &d.sections {
        let (before, between, after) = syntax.section;
        let counts = format!(
            "{} added, {} removed, {} changed",
            sec.added.len(),
            sec.removed.len(),
            sec.changed.len()
        );
        s.push_str(&format!(
            "{before}{}{between}{counts}{after}",
            v(&sec.title)
        ));
        for i in &sec.added {
            s.push_str(&format!("{}{}\n", syntax.added, v(&i.label)));
        }
        for i in &sec.removed {
            s.push_str(&format!("{}{}\n", syntax.removed, v(&i.label)));
        }
        for c in &sec.changed {
            s.push_str(&format!("{}{}\n", syntax.changed, v(&c.label)));
            for f in &c.fields {
                s.push_str(&format!(
                    "{}{}: {} → {}\n",
                    syntax.field,
                    v(&f.field),
                    v(f.old.as_deref().unwrap_or("(none)")),
                    v(f.new.as_deref().unwrap_or("(none)"))
                ));
            }
        }
    }
    s.push_str(&format!("\nUnchanged: {}\n", v(&d.unchanged.join(", "))));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::schema::example;

    #[test]
    fn added_removed_and_changed_items_per_section() {
        let old = example::inventory();
        let mut new = old.clone();
        new.collected_at = old.collected_at + chrono::Duration::days(7);
        let gone = new.ata.exclusions.remove(0);
        new.ata.honeytokens[0].ad.as_mut().unwrap().found = false;
        let mut extra = new.ata.gateways[0].clone();
        extra.id = "new-gateway".into();
        extra.name = "FAB-DC09".into();
        new.ata.gateways.push(extra);
        let d = diff(&old, Path::new("old.yaml"), &new, Path::new("new.yaml"));
        let section = |id: &str| d.sections.iter().find(|s| s.section == id).unwrap();
        assert_eq!(section("exclusions").removed.len(), 1, "{gone:?}");
        assert_eq!(section("gateways").added[0].label, "FAB-DC09");
        let changed = &section("honeytokens").changed[0];
        assert_eq!(changed.fields[0].field, "ad.found");
        assert_eq!(
            (
                changed.fields[0].old.as_deref(),
                changed.fields[0].new.as_deref()
            ),
            (Some("true"), Some("false"))
        );
        assert_eq!(d.total, 3, "{}", to_text(&d));
        assert!(to_markdown(&d).contains("**removed**"));
    }

    #[test]
    fn the_same_inventory_reordered_is_no_change() {
        let old = example::inventory();
        let mut new = old.clone();
        new.ata.exclusions.reverse();
        new.collected_at = old.collected_at + chrono::Duration::hours(1);
        let d = diff(&old, Path::new("a"), &new, Path::new("b"));
        assert!(d.is_empty(), "{}", to_text(&d));
    }
}
