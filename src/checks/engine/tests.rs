use chrono::{DateTime, Utc};

use super::*;
use crate::checks::verdict::RunVerdict as Verdict;
use crate::model::{Acceptance, ChecksFile, DcFacts, GuideRef};
use crate::progress::Silent;

fn result(id: &str, subject: Option<&str>, status: Status) -> CheckResult {
    CheckResult {
        id: id.into(),
        title: "t".into(),
        guide: GuideRef::Both,
        subject: subject.map(str::to_string),
        status,
        reason: None,
        evidence: Default::default(),
        remediation: None,
        action: None,
        accepted: None,
    }
}

fn acceptance(key: &str, at: i64) -> Acceptance {
    Acceptance {
        check: key.into(),
        by: "Jo".into(),
        reason: "known".into(),
        at: DateTime::from_timestamp(at, 0).unwrap(),
    }
}

#[test]
fn keys_are_validated_against_the_catalog() {
    assert_eq!(
        parse_key("dc.dotnet[FAB-DC02]").unwrap(),
        ("dc.dotnet".into(), Some("FAB-DC02".into()))
    );
    assert_eq!(
        parse_key("tenant.admin").unwrap(),
        ("tenant.admin".into(), None)
    );
    assert!(
        parse_key("dc.dotnet[FAB")
            .unwrap_err()
            .to_string()
            .contains("closed")
    );
    assert!(
        parse_key("dc.nope")
            .unwrap_err()
            .to_string()
            .contains("not a check id")
    );
    assert_eq!(
        unknown_patterns(&["dc.*".into(), "ata.open_alerts".into(), "zz".into()]),
        vec!["zz".to_string()]
    );
}

#[test]
fn acceptances_match_subjects_and_never_mark_a_pass() {
    let mut rs = vec![
        result("dc.dotnet", Some("FAB-DC02.fabrikam.test"), Status::Fail),
        result("dc.dotnet", Some("FAB-DC01.fabrikam.test"), Status::Pass),
        result("dc.dotnet", Some("FAB-DC03.fabrikam.test"), Status::Fail),
    ];
    let acc = vec![
        acceptance("dc.dotnet", 10),
        acceptance("dc.dotnet[fab-dc02]", 5),
    ];
    apply_acceptances(&mut rs, &acc);
    assert_eq!(
        rs[0].accepted.as_ref().unwrap().check,
        "dc.dotnet[fab-dc02]"
    );
    assert!(rs[1].accepted.is_none());
    assert_eq!(rs[2].accepted.as_ref().unwrap().check, "dc.dotnet");
    assert_eq!(verdict(&rs, FailOn::Fail), Verdict::Passed);
    rs[2].accepted = None;
    assert_eq!(verdict(&rs, FailOn::Fail), Verdict::ChecksFailed);
    assert_eq!(verdict(&rs, FailOn::Never), Verdict::Passed);
    let typo = [acceptance("dc.cpu[X]", 1)];
    assert_eq!(unmatched_acceptances(&rs, &typo).len(), 1);
}

#[test]
fn accept_replaces_the_same_key_and_revoke_withdraws_it() {
    let mut file = ChecksFile {
        schema_version: 1,
        tool_version: "x".into(),
        ran_at: Utc::now(),
        inventory_sha256: None,
        results: vec![
            result("dc.dotnet", Some("DC2"), Status::Fail),
            result("dc.dotnet", Some("DC1"), Status::Pass),
        ],
        acceptances: Vec::new(),
    };
    let at = DateTime::from_timestamp(5, 0).unwrap();
    assert!(accept(&mut file, "dc.dotnet[DC2]", "Jo", " ", at).is_err());
    assert!(accept(&mut file, "dc.nope", "Jo", "r", at).is_err());
    let a = accept(&mut file, "dc.dotnet[DC2]", "Jo", "retired", at).unwrap();
    assert_eq!(
        (a.matched.clone(), a.passing),
        (vec!["dc.dotnet[DC2]".to_string()], 1)
    );
    accept(
        &mut file,
        "DC.DOTNET[dc2]".to_lowercase().as_str(),
        "Ann",
        "again",
        at,
    )
    .unwrap();
    assert_eq!(file.acceptances.len(), 1);
    assert_eq!(file.results[0].accepted.as_ref().unwrap().by, "Ann");
    assert!(
        revoke(&mut file, "nothing")
            .unwrap_err()
            .to_string()
            .contains("not an accepted risk")
    );
    revoke(&mut file, "dc.dotnet[DC2]").unwrap();
    assert!(file.acceptances.is_empty() && file.results[0].accepted.is_none());
}

#[test]
fn warnings_fail_only_with_fail_on_warn_and_unknown_never() {
    let rs = vec![
        result("dc.disk", Some("A"), Status::Warn),
        result("dc.cpu", Some("A"), Status::Unknown),
    ];
    assert_eq!(verdict(&rs, FailOn::Fail), Verdict::Passed);
    assert_eq!(verdict(&rs, FailOn::Warn), Verdict::ChecksFailed);
    let rs = vec![
        result("tenant.admin", None, Status::Manual),
        result("dc.cpu", Some("A"), Status::Unknown),
    ];
    assert_eq!(verdict(&rs, FailOn::Warn), Verdict::Passed);
}

#[test]
fn only_keeps_other_results_of_the_same_inventory() {
    let prev = ChecksFile {
        schema_version: 1,
        tool_version: "x".into(),
        ran_at: Utc::now(),
        inventory_sha256: Some("aa".into()),
        results: vec![
            result("dc.cpu", Some("A"), Status::Fail),
            result("dc.dotnet", Some("A"), Status::Fail),
        ],
        acceptances: vec![acceptance("dc.cpu", 1)],
    };
    let new = vec![result("dc.dotnet", Some("A"), Status::Pass)];
    let f = checks_file(
        new.clone(),
        Some(prev.clone()),
        &["dc.dotnet".into()],
        Some("aa".into()),
        Utc::now(),
    );
    assert_eq!(f.results.len(), 2);
    assert_eq!(f.results[0].id, "dc.dotnet");
    assert!(f.results[1].accepted.is_some());
    let f = checks_file(
        new,
        Some(prev),
        &["dc.dotnet".into()],
        Some("bb".into()),
        Utc::now(),
    );
    assert_eq!(f.results.len(), 1);
    assert_eq!(f.acceptances.len(), 1);
}

#[tokio::test]
async fn a_run_orders_results_by_catalog_and_runs_nothing_unselected() {
    let mut inv = Inventory::new(Utc::now());
    for n in ["DC1", "DC2"] {
        let mut f = DcFacts::new(n);
        f.logical_processors = Some(4);
        inv.hosts.push(f);
    }
    let mut opts = RunOptions::new(Utc::now(), NetworkPlan::not_run("test"));
    let all = run(Arc::new(inv.clone()), opts.clone(), &Silent).await;
    let ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_by_key(|id| CATALOG.iter().position(|c| c.id == *id));
    assert_eq!(ids, sorted);
    for c in CATALOG {
        assert!(all.iter().any(|r| r.id == c.id), "{} has no result", c.id);
    }
    let net = all.iter().find(|r| r.id == "network.sensor_api").unwrap();
    assert_eq!(net.status, Status::Unknown);
    assert!(net.reason.as_deref().unwrap().contains("not run: test"));
    opts.only = vec!["dc.cpu".into()];
    let some = run(Arc::new(inv), opts, &Silent).await;
    assert_eq!(some.len(), 2);
    assert_eq!(some[0].subject.as_deref(), Some("DC1"));
    assert_eq!(some[1].subject.as_deref(), Some("DC2"));
}

#[tokio::test]
async fn the_console_url_is_looked_up_from_this_machine_unless_the_network_is_off() {
    let mut inv = Inventory::new(Utc::now());
    // The system resolver answers localhost from the hosts file: no DNS server needed.
    inv.ata.center.console_urls = vec!["https://localhost".into()];
    inv.ata.center.listen_endpoint = Some("0.0.0.0:443".into());
    inv.ata.center.host_addresses = vec!["127.0.0.1".into(), "::1".into()];
    let mut plan = NetworkPlan::not_run("test");
    plan.resolve_names = true;
    let mut opts = RunOptions::new(Utc::now(), plan);
    opts.only = vec!["ata.console_url_resolves".into()];
    let inv = Arc::new(inv);
    let r = run(inv.clone(), opts.clone(), &Silent).await;
    let local = r
        .iter()
        .find(|r| r.subject.as_deref() == Some("consultant"))
        .unwrap();
    assert_eq!(local.status, Status::Pass, "{:?}", local.reason);
    assert!(
        local.evidence["localhost"].contains("127.0.0.1"),
        "{:?}",
        local.evidence
    );
    opts.network = NetworkPlan::not_run(DEMO_NOT_PROBED);
    let r = run(inv, opts, &Silent).await;
    let local = r
        .iter()
        .find(|r| r.subject.as_deref() == Some("consultant"))
        .unwrap();
    assert_eq!(local.status, Status::Unknown);
    assert!(
        local.reason.as_deref().unwrap().contains("demo engagement"),
        "{:?}",
        local.reason
    );
}

/// Without a ping URL both network checks say why in words, and the console lookup still
/// runs (it needs no workspace).
#[test]
fn a_plan_without_a_ping_url_says_why_and_still_resolves_names() {
    use super::{NetworkPlan, NoPingUrl};
    let plan = NetworkPlan::standard(Err(NoPingUrl::NoWorkspace), None, Default::default());
    assert!(plan.probes.is_empty());
    assert!(plan.resolve_names);
    let ids: Vec<_> = plan.decided.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(ids, ["network.sensor_api", "network.sensor_api_proxy"]);
    for (_, _, outcome) in &plan.decided {
        assert_eq!(outcome.status, crate::model::Status::Unknown);
        assert!(
            outcome
                .reason
                .contains("not run: the engagement names no workspace (ata2atp.yaml: workspace)"),
            "{}",
            outcome.reason
        );
    }
}
