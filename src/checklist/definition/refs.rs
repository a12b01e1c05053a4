//! The checks every reference in a definition passes, shared by the steps and the phases:
//! links, value maps, inventory paths, and the order between steps (no cycle).

use super::*;

pub(super) fn check_link(c: &mut Collector<'_>, link: &Spanned<String>, step: Option<&str>) {
    if !link.value.starts_with("https://") {
        c.at(
            link,
            step,
            format!("link `{}` must be an https:// address", link.value),
        );
    }
}

pub(super) fn check_map(
    c: &mut Collector<'_>,
    m: &Spanned<String>,
    maps: &BTreeMap<String, ValueMap>,
    step: Option<&str>,
) {
    if !maps.contains_key(&m.value) {
        let known: Vec<&str> = maps.keys().map(String::as_str).collect();
        let known = if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        };
        c.at(
            m,
            step,
            format!(
                "unknown map `{}`; the checklist's `maps` are: {known}",
                m.value
            ),
        );
    }
}

/// Parses a path and resolves it in `shape`; reports an unresolved reference otherwise.
pub(super) fn resolve(
    c: &mut Collector<'_>,
    text: &Spanned<String>,
    shape: &Shape,
    step: Option<&str>,
) -> Option<(PathExpr, Shape)> {
    let path = match PathExpr::parse(&text.value) {
        Ok(p) => p,
        Err(e) => {
            c.at(text, step, format!("bad path: {e}"));
            return None;
        }
    };
    match shape.resolve(&path) {
        Ok(s) => Some((path, s)),
        Err(e) => {
            c.at(text, step, format!("unresolved reference: {e}"));
            None
        }
    }
}

/// Reports each cycle in `after` once, at the entry that closes it.
pub(super) fn find_cycles(c: &mut Collector<'_>, steps: &[Spanned<RawStep>]) {
    let index: HashMap<&str, usize> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.value.id.value.as_str(), i))
        .collect();
    // 0 = unvisited, 1 = on the current path, 2 = finished.
    let mut state = vec![0u8; steps.len()];
    let mut path: Vec<usize> = Vec::new();
    let mut seen: Vec<Vec<usize>> = Vec::new();

    fn visit(
        i: usize,
        steps: &[Spanned<RawStep>],
        index: &HashMap<&str, usize>,
        state: &mut [u8],
        path: &mut Vec<usize>,
        seen: &mut Vec<Vec<usize>>,
        c: &mut Collector<'_>,
    ) {
        state[i] = 1;
        path.push(i);
        for a in &steps[i].value.after {
            let Some(&j) = index.get(a.step.value.as_str()) else {
                continue;
            };
            if j == i {
                continue; // reported as "after itself"
            }
            match state[j] {
                0 => visit(j, steps, index, state, path, seen, c),
                1 => {
                    let start = path.iter().position(|&p| p == j).unwrap_or(0);
                    // The same cycle can close through several entries (a step may
                    // wait for another twice, with different fields): report it once.
                    let mut members = path[start..].to_vec();
                    members.sort_unstable();
                    if seen.contains(&members) {
                        continue;
                    }
                    seen.push(members);
                    let mut names: Vec<&str> = path[start..]
                        .iter()
                        .map(|&p| steps[p].value.id.value.as_str())
                        .collect();
                    names.push(steps[j].value.id.value.as_str());
                    let id = steps[i].value.id.value.clone();
                    c.at(
                        &a.step,
                        Some(&id),
                        format!("`after` makes a cycle: {}", names.join(" waits for ")),
                    );
                }
                _ => {}
            }
        }
        path.pop();
        state[i] = 2;
    }

    for i in 0..steps.len() {
        if state[i] == 0 {
            visit(i, steps, &index, &mut state, &mut path, &mut seen, c);
        }
    }
}
