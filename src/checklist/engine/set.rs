//! Applying a `set`: the request, how it changes the state or is refused with its reasons, and the values it records (dates, evidence paths).

use super::*;

/// One `set`: what to change on a step.
#[derive(Debug, Clone, Default)]
pub struct SetRequest {
    pub step: String,
    pub status: Option<StepStatus>,
    pub by: String,
    pub note: Option<String>,
    /// Why the step is skipped or blocked.
    pub reason: Option<String>,
    /// `key=value` pairs; an empty value removes the field.
    pub fields: Vec<(String, String)>,
    /// Files to attach: relative to the engagement folder (or, failing that, to the
    /// current folder), or absolute; they must exist inside the engagement.
    pub evidence: Vec<PathBuf>,
    /// Values of the step's lists and tables ticked (`true`) or unticked as entered in
    /// the portal, by row id.
    pub entered: Vec<(String, bool)>,
}

/// The step `id` names (ignoring case), or an error saying where the ids are listed.
pub fn find<'d>(def: &'d Definition, id: &str) -> Result<&'d Step, Error> {
    def.steps
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| Error::UnknownStep {
            step: id.to_string(),
            guide: def.guide.clone(),
        })
}

/// Applies `req` to `state`, or refuses it with every reason and changes nothing.
pub fn apply(
    def: &Definition,
    state: &mut ChecklistState,
    facts: &Facts<'_>,
    req: &SetRequest,
) -> Result<ChecklistChange, Error> {
    let step = find(def, &req.step)?;
    let input = |m: String| Error::Input(format!("step {}: {m}", step.id));
    if req.by.trim().is_empty() {
        return Err(input("--by must name who made the change".into()));
    }
    if req.status.is_none()
        && req.fields.is_empty()
        && req.note.is_none()
        && req.evidence.is_empty()
        && req.reason.is_none()
        && req.entered.is_empty()
    {
        return Err(input(
            "nothing to change: give --status, --field, --note, --reason or --evidence".into(),
        ));
    }
    let before = state.step(&step.id);
    let mut after = before.clone();
    let to = req.status.unwrap_or(before.status);

    let mut changed_fields = BTreeSet::new();
    for (key, value) in &req.fields {
        let field = field_for(step, key, facts).map_err(input)?;
        let value = value.trim();
        if value.is_empty() {
            after.fields.remove(key);
        } else {
            let normalised = normalise(field, value, facts.now)
                .map_err(|e| input(format!("field `{key}`: {e}")))?;
            after.fields.insert(key.clone(), normalised);
        }
        changed_fields.insert(key.clone());
    }

    let mut added = Vec::new();
    for path in &req.evidence {
        let rel = evidence_path(facts.root, path).map_err(input)?;
        if !after.evidence.contains(&rel) {
            after.evidence.push(rel.clone());
            added.push(rel);
        }
    }

    let (mut ticked, mut unticked) = (Vec::new(), Vec::new());
    for (id, on) in &req.entered {
        if *on {
            if after.entered.insert(id.clone()) {
                ticked.push(id.clone());
            }
        } else if after.entered.remove(id) {
            unticked.push(id.clone());
        }
    }

    if let Some(note) = &req.note {
        after.note = Some(note.clone()).filter(|n| !n.trim().is_empty());
    }
    match to {
        StepStatus::Skipped | StepStatus::Blocked => {
            let reason = req.reason.clone().or_else(|| {
                // Keep the reason when only fields or the note change.
                (before.status == to)
                    .then(|| before.reason.clone())
                    .flatten()
            });
            match reason.filter(|r| !r.trim().is_empty()) {
                Some(r) => after.reason = Some(r),
                None => {
                    return Err(Error::NeedsReason {
                        step: step.id.clone(),
                        status: to,
                    });
                }
            }
        }
        _ => {
            if req.reason.is_some() {
                return Err(input(format!(
                    "--reason is for skipped or blocked steps, not {to}; use --note"
                )));
            }
            after.reason = None;
        }
    }
    after.status = to;
    after.by = Some(req.by.trim().to_string());
    after.at = Some(facts.now);

    let mut candidate = state.clone();
    candidate.steps.insert(step.id.clone(), after);
    if to == StepStatus::Done {
        let problems = done_problems(def, step, &candidate, facts);
        if !problems.is_empty() {
            return Err(Error::Refused {
                step: step.id.clone(),
                title: step.title.clone(),
                reasons: problems,
            });
        }
    }
    *state = candidate;
    Ok(ChecklistChange {
        at: facts.now,
        guide: def.guide.clone(),
        step: step.id.clone(),
        by: Some(req.by.trim().to_string()),
        from: before.status,
        to,
        reason: state
            .step(&step.id)
            .reason
            .filter(|_| matches!(to, StepStatus::Skipped | StepStatus::Blocked)),
        note: req.note.clone(),
        fields: changed_fields.into_iter().collect(),
        evidence: added,
        entered: ticked,
        unentered: unticked,
    })
}

/// The record field a `key` or `key[n]` names, or why it names none.
pub(super) fn field_for<'s>(
    step: &'s Step,
    key: &str,
    facts: &Facts<'_>,
) -> Result<&'s RecordField, String> {
    let (base, index) = match key.split_once('[') {
        Some((base, rest)) => {
            let n: usize = rest
                .strip_suffix(']')
                .and_then(|n| n.parse().ok())
                .filter(|&n| n >= 1)
                .ok_or_else(|| format!("`{key}`: write an item as {base}[N], N from 1"))?;
            (base, Some(n))
        }
        None => (key, None),
    };
    let Some(field) = step.field(base) else {
        let known: Vec<String> = step
            .record
            .iter()
            .map(|f| {
                if f.each.is_some() {
                    format!("{}[N]", f.key)
                } else {
                    f.key.clone()
                }
            })
            .collect();
        let known = if known.is_empty() {
            "none".into()
        } else {
            known.join(", ")
        };
        return Err(format!("unknown field `{key}`; this step records: {known}"));
    };
    match (&field.each, index) {
        (None, None) => Ok(field),
        (None, Some(_)) => Err(format!(
            "`{base}` is one value, not one per item: use --field {base}=…"
        )),
        (Some(list), None) => Err(format!(
            "`{base}` is recorded per item of {list}: use --field {base}[N]=…"
        )),
        (Some(list), Some(n)) => {
            let count = count_items(&facts.document, list);
            if n > count {
                Err(format!(
                    "`{key}`: {list} has {count} item(s) in the inventory"
                ))
            } else {
                Ok(field)
            }
        }
    }
}

/// Checks and normalises a value for its field's kind.
pub(super) fn normalise(
    field: &RecordField,
    value: &str,
    now: DateTime<Utc>,
) -> Result<String, String> {
    match field.kind {
        FieldKind::Text => Ok(value.to_string()),
        FieldKind::YesNo => match value.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" => Ok("yes".into()),
            "no" | "n" | "false" => Ok("no".into()),
            _ => Err(format!("`{value}` is not yes or no")),
        },
        FieldKind::Choice => field
            .choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(value))
            .cloned()
            .ok_or_else(|| format!("`{value}` is not one of: {}", field.choices.join(", "))),
        FieldKind::Date => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map(|d| d.format("%Y-%m-%d").to_string())
            .map_err(|_| format!("`{value}` is not a date like 2026-11-18")),
        FieldKind::Datetime => parse_datetime(value, now)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .ok_or_else(|| {
                format!("`{value}` is not a date and time: use `now`, 2026-11-18T14:30:00Z, or 2026-11-18 14:30 (local time)")
            }),
    }
}

pub(super) fn parse_datetime(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if value.eq_ignore_ascii_case("now") {
        return Some(now);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.with_timezone(&Utc));
    }
    // A time without a zone is the consultant's wall clock: the machine's local time.
    for format in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(value, format) {
            return Local
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.with_timezone(&Utc));
        }
    }
    None
}

/// The engagement-relative path of an evidence file, or why it cannot be one.
pub(super) fn evidence_path(root: Option<&Path>, path: &Path) -> Result<String, String> {
    let root = root.ok_or("evidence needs an engagement folder")?;
    let root = root.canonicalize().map_err(|e| {
        format!(
            "cannot resolve the engagement folder {}: {e}",
            root.display()
        )
    })?;
    let candidate = if path.is_absolute() {
        path.to_path_buf()
    } else if root.join(path).exists() {
        root.join(path)
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let resolved = candidate.canonicalize().map_err(|_| {
        format!(
            "evidence file {} does not exist; put it in the engagement (e.g. evidence/) and give its path",
            path.display()
        )
    })?;
    if !resolved.is_file() {
        return Err(format!("evidence {} is not a file", path.display()));
    }
    // Canonical paths on both sides: a symlink or `..` cannot smuggle a file in.
    let rel = resolved.strip_prefix(&root).map_err(|_| {
        format!(
            "evidence file {} is outside the engagement {}; copy it into {}/evidence/ first",
            path.display(),
            root.display(),
            root.display()
        )
    })?;
    Ok(rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/"))
}
