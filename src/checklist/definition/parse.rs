//! Loading: from the YAML text to a validated definition, every mistake reported with its file, line and column.

use super::*;

/// What validation checks paths and gates against.
pub struct Schema<'a> {
    pub shape: &'a Shape,
    /// Looks a check id up in the catalog.
    pub check: &'a dyn Fn(&str) -> Option<GuideRef>,
}

pub(super) fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

pub(super) fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s.starts_with(|c: char| c.is_ascii_lowercase())
}

/// Parses and validates a definition. `origin` names the file in every message.
pub fn parse(
    text: &str,
    origin: &str,
    schema: &Schema<'_>,
) -> Result<Definition, DefinitionErrors> {
    let raw: RawDefinition = crate::yaml::from_str(text, origin)?;
    let mut c = Collector {
        origin,
        errors: Vec::new(),
    };

    if raw.schema_version.value > DEFINITION_VERSION {
        c.at(
            &raw.schema_version,
            None,
            format!(
                "checklist format version {} is newer than this ata2atp reads ({DEFINITION_VERSION}); upgrade ata2atp",
                raw.schema_version.value
            ),
        );
    }
    if !is_id(&raw.guide.value) {
        c.at(
            &raw.guide,
            None,
            "a guide id uses letters, digits, '-' and '_' only, e.g. azure-atp-2019",
        );
    }
    let edition = raw.edition.as_ref().and_then(|e| match e.value.as_str() {
        "azure-atp-2019" => Some(GuideRef::AzureAtp2019),
        "mdi-current" => Some(GuideRef::MdiCurrent),
        other => {
            c.at(
                e,
                None,
                format!("unknown edition `{other}`: use azure-atp-2019 or mdi-current"),
            );
            None
        }
    });
    if let Some(s) = &raw.source {
        check_link(&mut c, s, None);
    }

    let mut phase_order: HashMap<String, usize> = HashMap::new();
    let mut phases = Vec::new();
    for p in &raw.phases {
        if !is_id(&p.id.value) {
            c.at(
                &p.id,
                None,
                "a phase id uses letters, digits, '-' and '_' only",
            );
        } else if phase_order.contains_key(&p.id.value) {
            c.at(
                &p.id,
                None,
                format!("phase `{}` is declared twice", p.id.value),
            );
        } else {
            phase_order.insert(p.id.value.clone(), phases.len());
            phases.push(Phase {
                id: p.id.value.clone(),
                title: p.title.clone(),
                detail: p.detail.clone(),
            });
        }
    }
    let maps: BTreeMap<String, ValueMap> = raw
        .maps
        .iter()
        .map(|(k, m)| {
            (
                k.clone(),
                ValueMap {
                    default: m.default.clone(),
                    entries: m.entries.clone(),
                },
            )
        })
        .collect();

    // First pass: ids, so `after` can point forwards.
    let mut first_seen: HashMap<String, u64> = HashMap::new();
    for s in &raw.steps {
        let id = &s.value.id;
        if !is_id(&id.value) {
            c.at(
                id,
                None,
                format!(
                    "step id `{}` must use letters, digits, '-' and '_' only",
                    id.value
                ),
            );
        } else if let Some(line) = first_seen.get(&id.value) {
            c.at(
                id,
                Some(&id.value),
                format!(
                    "duplicate step id `{}` (first declared at line {line})",
                    id.value
                ),
            );
        } else {
            first_seen.insert(id.value.clone(), id.referenced.line());
        }
    }
    let raw_by_id: HashMap<&str, &RawStep> = raw
        .steps
        .iter()
        .map(|s| (s.value.id.value.as_str(), &s.value))
        .collect();

    let mut steps = Vec::new();
    for spanned in &raw.steps {
        let s = &spanned.value;
        let id = s.id.value.as_str();
        let sid = Some(id);
        if !phase_order.contains_key(&s.phase.value) {
            let known: Vec<&str> = phases.iter().map(|p| p.id.as_str()).collect();
            c.at(
                &s.phase,
                sid,
                format!(
                    "unknown phase `{}`; the phases are {}",
                    s.phase.value,
                    known.join(", ")
                ),
            );
        }
        if let Some(link) = &s.link {
            check_link(&mut c, link, sid);
        }

        let mut shows = Vec::new();
        for show in &s.shows {
            let Some((path, shape)) = resolve(&mut c, &show.path, schema.shape, sid) else {
                continue;
            };
            let displayable = match &shape {
                Shape::Scalar => true,
                Shape::List(inner) => matches!(**inner, Shape::Scalar | Shape::Object(_)),
                Shape::Object(_) => true,
                Shape::Map(inner) => **inner == Shape::Scalar,
            };
            if !displayable {
                c.at(
                    &show.path,
                    sid,
                    format!("`{path}` cannot be shown as values, a list or a table"),
                );
                continue;
            }
            let element = match &shape {
                Shape::List(inner) => match &**inner {
                    Shape::Object(_) => Some((**inner).clone()),
                    _ => None,
                },
                Shape::Object(_) => Some(shape.clone()),
                _ => None,
            };
            if matches!(&shape, Shape::List(inner) if matches!(**inner, Shape::Object(_)))
                && show.columns.is_empty()
            {
                c.at(
                    &show.path,
                    sid,
                    format!("`{path}` is a list of records: choose the `columns` to show"),
                );
            }
            let mut columns = Vec::new();
            match &element {
                None if !show.columns.is_empty() => {
                    c.at(
                        &show.path,
                        sid,
                        format!(
                            "`{path}` holds single values: `columns` only apply to lists of records"
                        ),
                    );
                }
                None => {}
                Some(element) => {
                    for col in &show.columns {
                        let Some((cpath, cshape)) = resolve(&mut c, &col.path, element, sid) else {
                            continue;
                        };
                        let ok = match &cshape {
                            Shape::Scalar => true,
                            Shape::List(inner) => **inner == Shape::Scalar,
                            _ => false,
                        };
                        if !ok {
                            c.at(
                                &col.path,
                                sid,
                                format!("column `{cpath}` is a record; pick one of its fields"),
                            );
                        }
                        if let Some(m) = &col.map {
                            check_map(&mut c, m, &maps, sid);
                        }
                        columns.push(Column {
                            label: col.label.clone().unwrap_or_else(|| cpath.to_string()),
                            map: col.map.as_ref().map(|m| m.value.clone()),
                            format: col.format,
                            path: cpath,
                        });
                    }
                }
            }
            if let Some(m) = &show.map {
                check_map(&mut c, m, &maps, sid);
            }
            shows.push(Show {
                label: show.label.clone(),
                path,
                shape,
                columns,
                empty: show.empty.clone(),
                map: show.map.as_ref().map(|m| m.value.clone()),
                format: show.format,
                note: show.note.clone(),
            });
        }

        // Gates and recommendations as (text, dated rule, where it is written, gating).
        let written: Vec<(String, Option<RawDatedGate>, &Spanned<RawGate>)> = s
            .gates
            .iter()
            .filter_map(|g| {
                let dated = match &g.value {
                    RawGate::Checks(text) => return Some((text.clone(), None, g)),
                    RawGate::Dated(map) => RawDatedGate::from_map(map),
                    RawGate::Other(_) => None,
                };
                match dated {
                    Some(d) => Some((d.check.clone(), Some(d), g)),
                    None => {
                        c.at(
                            g,
                            sid,
                            "a gate is a check id (`dc.cpu`, `a | b`, `id[SUBJECT]`) or \
                             {check: ID, evidence: KEY, later_than: FIELD}",
                        );
                        None
                    }
                }
            })
            .collect();
        let mut gates = Vec::new();
        let mut recommends = Vec::new();
        let candidates = written
            .iter()
            .map(|(text, dated, at)| (text.clone(), dated.as_ref(), Location::of(*at), true))
            .chain(
                s.recommends
                    .iter()
                    .map(|g| (g.value.clone(), None, Location::of(g), false)),
            );
        for (text, dated, at, gating) in candidates {
            let mut any_of = Vec::new();
            for alt in text.split('|').map(str::trim) {
                let id_part = alt.split_once('[').map_or(alt, |(id, rest)| {
                    if !rest.ends_with(']') || rest.len() < 2 {
                        c.at_location(
                            at,
                            sid,
                            format!("gate `{alt}`: write one subject as `check.id[SUBJECT]`"),
                        );
                    }
                    id
                });
                match (schema.check)(id_part) {
                    None => c.at_location(
                        at,
                        sid,
                        format!("gate `{alt}` names no known check; `ata2atp check --help` lists the check ids"),
                    ),
                    Some(guide) => {
                        let other = match (edition, guide) {
                            (Some(GuideRef::AzureAtp2019), GuideRef::MdiCurrent) => Some("today's requirements"),
                            (Some(GuideRef::MdiCurrent), GuideRef::AzureAtp2019) => Some("the 2019 guide's requirements"),
                            _ => None,
                        };
                        if let (Some(other), true) = (other, gating) {
                            c.at_location(at, sid, format!("gate `{id_part}` checks {other}, not this guide's edition"));
                        }
                    }
                }
                any_of.push(alt.to_string());
            }
            let dated = dated.map(|d| {
                if any_of.len() != 1 {
                    c.at_location(at, sid, "a dated gate names one check, not alternatives");
                }
                match s.record.iter().find(|f| f.key.value == d.later_than) {
                    None => c.at_location(
                        at,
                        sid,
                        format!("`later_than: {}` names no record field of this step", d.later_than),
                    ),
                    Some(f) if !matches!(f.kind, FieldKind::Date | FieldKind::Datetime) || f.each.is_some() => {
                        c.at_location(
                            at,
                            sid,
                            format!(
                                "`later_than: {}` must name a date or datetime field recorded once (it is {})",
                                d.later_than,
                                f.kind.as_str()
                            ),
                        )
                    }
                    Some(_) => {}
                }
                if !is_key(&d.evidence) {
                    c.at_location(at, sid, format!("`evidence: {}` must be an evidence key (lower_snake_case)", d.evidence));
                }
                DatedRule {
                    evidence: d.evidence.clone(),
                    later_than: d.later_than.clone(),
                }
            });
            if gating {
                gates.push(Gate { any_of, dated });
            } else {
                recommends.push(Gate { any_of, dated });
            }
        }

        let mut record: Vec<RecordField> = Vec::new();
        for f in &s.record {
            if !is_key(&f.key.value) {
                c.at(
                    &f.key,
                    sid,
                    format!("record key `{}` must be lower_snake_case", f.key.value),
                );
            } else if record.iter().any(|r| r.key == f.key.value) {
                c.at(
                    &f.key,
                    sid,
                    format!("record key `{}` is declared twice", f.key.value),
                );
            }
            if (f.kind == FieldKind::Choice) == f.choices.is_empty() {
                c.at(
                    &f.key,
                    sid,
                    "a field has `choices` exactly when its kind is `choice`",
                );
            }
            let each = match &f.each {
                None => None,
                Some(e) => match resolve(&mut c, e, schema.shape, sid) {
                    Some((p, Shape::List(_))) => Some(p),
                    Some((p, _)) => {
                        c.at(e, sid, format!("`each: {p}` must name a list"));
                        None
                    }
                    None => None,
                },
            };
            record.push(RecordField {
                key: f.key.value.clone(),
                label: f.label.clone(),
                kind: f.kind,
                choices: f.choices.clone(),
                optional: f.optional,
                each,
                help: f.help.clone(),
            });
        }

        let mut after = Vec::new();
        for a in &s.after {
            let target = a.step.value.as_str();
            match raw_by_id.get(target) {
                None => c.at(
                    &a.step,
                    sid,
                    format!("`after: {target}` names no step of this checklist"),
                ),
                Some(_) if target == id => c.at(&a.step, sid, "a step cannot come after itself"),
                Some(other) => {
                    if let Some(field) = &a.field {
                        match other.record.iter().find(|r| r.key.value == field.value) {
                            None => c.at(field, sid, format!("step {target} records no field `{}`", field.value)),
                            Some(r) if a.wait_hours.is_some() && r.kind != FieldKind::Datetime => c.at(
                                field,
                                sid,
                                format!("`wait_hours` counts from a datetime field; `{}` of {target} is {}", field.value, r.kind.as_str()),
                            ),
                            Some(r) if r.each.is_some() => {
                                c.at(field, sid, format!("`{}` of {target} is recorded per item", field.value));
                            }
                            Some(_) => {}
                        }
                    } else if let Some(w) = &a.wait_hours {
                        c.at(
                            w,
                            sid,
                            "`wait_hours` needs the `field` holding the time to count from",
                        );
                    }
                }
            }
            after.push(After {
                step: target.to_string(),
                field: a.field.as_ref().map(|f| f.value.clone()),
                wait_hours: a.wait_hours.as_ref().map(|w| w.value),
                why: a.why.clone(),
            });
        }

        steps.push(Step {
            id: id.to_string(),
            number: s.number.clone(),
            phase: s.phase.value.clone(),
            title: s.title.clone(),
            link: s.link.as_ref().map(|l| l.value.clone()),
            detail: s.detail.clone(),
            shows,
            gates,
            recommends,
            after,
            record,
            evidence: s.evidence,
            line: spanned.referenced.line(),
        });
    }

    find_cycles(&mut c, &raw.steps);

    if raw.steps.is_empty() {
        c.errors.push(DefinitionError {
            origin: origin.to_string(),
            line: None,
            column: None,
            step: None,
            message: "the checklist has no steps".into(),
        });
    }
    if !c.errors.is_empty() {
        return Err(DefinitionErrors(c.errors));
    }
    steps.sort_by_key(|s| phase_order.get(&s.phase).copied().unwrap_or(usize::MAX));
    Ok(Definition {
        guide: raw.guide.value,
        edition,
        title: raw.title,
        source: raw.source.map(|s| s.value),
        description: raw.description,
        origin: origin.to_string(),
        phases,
        maps,
        steps,
        text: text.to_string(),
    })
}
