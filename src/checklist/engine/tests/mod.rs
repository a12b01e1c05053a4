//! The engine's tests on a small definition of their own; the helpers build results,
//! check files and requests.

use chrono::TimeZone;

use super::*;
use crate::checklist::{parse, schema::example as exemplar};
use crate::model::{Acceptance, CheckResult, GuideRef, SCHEMA_VERSION};

const DEF: &str = "\
schema_version: 1
guide: t
title: T
phases: [{id: p, title: P}]
steps:
  - id: A
    phase: p
    title: a
    record:
      - {key: who, label: Who}
      - {key: when, label: When, kind: datetime}
      - {key: pick, label: Pick, kind: choice, choices: [Direct, Proxy]}
      - {key: ok, label: OK, kind: yes_no, optional: true}
      - {key: day, label: Day, kind: date, optional: true}
  - id: B
    phase: p
    title: b
    gates: [dc.cpu, 'network.sensor_api | network.sensor_api_proxy']
    after: [{step: A}]
  - id: C
    phase: p
    title: c
    after: [{step: A, field: when, wait_hours: 2, why: initial sync}]
    record: [{key: t, label: Target, each: ata.exclusions}]
  - id: D
    phase: p
    title: d
    evidence: required
";

fn def() -> Definition {
    parse(DEF, "t.yaml").unwrap()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 18, 12, 0, 0).unwrap()
}

fn result(id: &str, subject: Option<&str>, status: Status) -> CheckResult {
    CheckResult {
        id: id.into(),
        title: id.into(),
        guide: GuideRef::Both,
        subject: subject.map(str::to_string),
        status,
        reason: Some(format!("{id} said {status}")),
        evidence: Default::default(),
        remediation: None,
        action: None,
        accepted: None,
    }
}

fn checks(results: Vec<CheckResult>) -> ChecksFile {
    ChecksFile {
        schema_version: SCHEMA_VERSION,
        tool_version: "t".into(),
        ran_at: t0(),
        inventory_sha256: None,
        results,
        acceptances: Vec::new(),
    }
}

fn req(step: &str, status: Option<StepStatus>, fields: &[(&str, &str)]) -> SetRequest {
    SetRequest {
        step: step.into(),
        status,
        by: "Jo".into(),
        fields: fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..SetRequest::default()
    }
}

fn refused(e: Error) -> Vec<String> {
    match e {
        Error::Refused { reasons, .. } => reasons.iter().map(ToString::to_string).collect(),
        other => panic!("expected a refusal, got {other}"),
    }
}

mod gates;
mod set;
