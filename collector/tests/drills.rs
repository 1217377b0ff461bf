//! Drill parsers on real Chaos Toolkit journals and on each format's shapes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/fixtures.rs"]
mod fixtures;

use vouch_collector::drills::{self, DrillFile, FileDrills, Parsed, Rules};
use vouch_sdk::evidence::{DrillKind, Outcome};
use vouch_sdk::plan::DrillFormat;

use fixtures::{origin, plan, read};

fn parse(format: DrillFormat, path: &str, bytes: &[u8]) -> Vec<Parsed> {
    let origin = origin();
    let file = DrillFile {
        path,
        bytes,
        origin: &origin,
    };
    match drills::parse(format, &file).unwrap_or_else(|e| panic!("{e:?}")) {
        FileDrills::Drills(d) => d,
        FileDrills::Nothing(why) => panic!("no drills: {why}"),
    }
}

fn parse_err(format: DrillFormat, path: &str, bytes: &[u8]) -> vouch_collector::Problem {
    let origin = origin();
    drills::parse(
        format,
        &DrillFile {
            path,
            bytes,
            origin: &origin,
        },
    )
    .unwrap_err()
}

#[test]
fn chaostoolkit_journal_with_offsets() {
    let bytes = read("drills/chaostoolkit/redis-outage-journal.json");
    let [parsed] = parse(
        DrillFormat::Auto,
        "chaostoolkit/redis-outage-journal.json",
        &bytes,
    )
    .try_into()
    .unwrap();
    let drill = &parsed.drill;
    assert_eq!(drill.id, "chaostoolkit/redis-outage-journal.json");
    assert_eq!(drill.title, "Teste simples de falha no Redis");
    assert_eq!(drill.kind, DrillKind::Technical);
    assert_eq!(drill.outcome, Outcome::Pass);
    assert_eq!(
        drill.started.to_rfc3339(),
        "2025-04-26T00:12:46.036684+00:00"
    );
    assert_eq!(drill.ended.to_rfc3339(), "2025-04-26T00:12:47.199491+00:00");
    assert!(drill.assumptions.is_empty());
    assert_eq!(drill.capability, None);
    assert_eq!(parsed.tags, ["redis", "chaos", "docker"]);
}

#[test]
fn chaostoolkit_journal_without_a_zone_is_read_as_utc_and_says_so() {
    let bytes = read("drills/chaostoolkit/k8s-pod-kill-journal.json");
    let [parsed] = parse(
        DrillFormat::Chaostoolkit,
        "k8s-pod-kill-journal.json",
        &bytes,
    )
    .try_into()
    .unwrap();
    let drill = &parsed.drill;
    assert_eq!(
        drill.started.to_rfc3339(),
        "2023-11-30T04:18:01.567673+00:00"
    );
    assert_eq!((drill.ended - drill.started).num_milliseconds(), 15_723);
    assert_eq!(drill.outcome, Outcome::Pass);
    assert_eq!(
        drill.assumptions,
        ["a timestamp without an offset was read as UTC"]
    );
    assert_eq!(parsed.tags, ["kubernetes"]);
}

#[test]
fn chaostoolkit_deviation_failed_status_and_failed_rollbacks_fail() {
    let base: serde_json::Value =
        serde_json::from_slice(&read("drills/chaostoolkit/redis-outage-journal.json")).unwrap();
    let cases: [(&str, serde_json::Value); 4] = [
        ("/deviated", true.into()),
        ("/status", "failed".into()),
        ("/steady_states/after", serde_json::Value::Null),
        ("/rollbacks", serde_json::json!([{"status": "failed"}])),
    ];
    for (pointer, value) in cases {
        let mut journal = base.clone();
        *journal.pointer_mut(pointer).unwrap() = value;
        let bytes = serde_json::to_vec(&journal).unwrap();
        let [parsed] = parse(DrillFormat::Auto, "j.json", &bytes)
            .try_into()
            .unwrap();
        assert_eq!(parsed.drill.outcome, Outcome::Fail, "{pointer}");
    }
}

#[test]
fn chaostoolkit_extension_names_capability_and_kind() {
    let mut journal: serde_json::Value =
        serde_json::from_slice(&read("drills/chaostoolkit/redis-outage-journal.json")).unwrap();
    journal["experiment"]["extensions"] =
        serde_json::json!([{"name": "vouch", "capability": "ledger-db", "kind": "failover"}]);
    let bytes = serde_json::to_vec(&journal).unwrap();
    let [parsed] = parse(DrillFormat::Auto, "j.json", &bytes)
        .try_into()
        .unwrap();
    assert_eq!(parsed.drill.capability.as_deref(), Some("ledger-db"));
    assert_eq!(parsed.drill.kind, DrillKind::Failover);
}

const RECORD: &str = r#"{
  "vouch_drill": 1,
  "id": "restore-2026-01-27-ledger",
  "capability": "ledger-db",
  "scenario": "Point-in-time restore of the ledger to a staging instance",
  "kind": "restore",
  "started": "2026-01-27T09:00:00-05:00",
  "ended": "2026-01-27T10:30:00-05:00",
  "outcome": "pass",
  "recovery_seconds": 5400,
  "data_loss_seconds": 30,
  "integrity_check": "passed",
  "dependency": null,
  "participants": ["dana@acme.example"],
  "findings": [{"title": "Script it", "owner": "dana@acme.example", "due": "2026-04-30", "closed": null}]
}"#;

#[test]
fn vouch_record_json() {
    let [parsed] = parse(DrillFormat::Auto, "restore/r.json", RECORD.as_bytes())
        .try_into()
        .unwrap();
    let d = parsed.drill;
    assert_eq!(d.id, "restore-2026-01-27-ledger");
    assert_eq!(d.capability.as_deref(), Some("ledger-db"));
    assert_eq!(d.kind, DrillKind::Restore);
    assert_eq!(d.started.to_rfc3339(), "2026-01-27T14:00:00+00:00");
    assert_eq!(
        (d.recovery_seconds, d.data_loss_seconds, d.integrity_check),
        (Some(5400), Some(30), Some(true))
    );
}

#[test]
fn vouch_record_yaml() {
    let yaml = "vouch_drill: 1\nid: tabletop-1\ncapability: checkout-web\nscenario: Peak season\n\
                kind: tabletop\nstarted: 2025-12-03T15:00:00+01:00\nended: 2025-12-03T17:00:00+01:00\n\
                outcome: fail\n";
    let [parsed] = parse(DrillFormat::Auto, "t.yaml", yaml.as_bytes())
        .try_into()
        .unwrap();
    assert_eq!(parsed.drill.kind, DrillKind::Tabletop);
    assert_eq!(parsed.drill.outcome, Outcome::Fail);
    assert_eq!(parsed.drill.recovery_seconds, None);
}

#[test]
fn vouch_record_errors_name_the_place() {
    let typo = RECORD.replace("\"outcome\"", "\"outcom\"");
    let err = parse_err(DrillFormat::Auto, "r.json", typo.as_bytes());
    assert!(err.at.starts_with("r.json:9:"), "{err}");
    assert!(err.message.contains("unknown field `outcom`"), "{err}");
    let bad_time = RECORD.replace("2026-01-27T10:30:00-05:00", "half past ten");
    let err = parse_err(DrillFormat::Auto, "r.json", bad_time.as_bytes());
    assert_eq!(err.at, "r.json");
    assert!(
        err.message
            .starts_with("`ended`: expected an RFC 3339 timestamp"),
        "{err}"
    );
    let backwards = RECORD.replace("10:30:00-05:00", "08:30:00-05:00");
    assert!(
        parse_err(DrillFormat::Auto, "r.json", backwards.as_bytes())
            .message
            .contains("before it starts")
    );
    let yaml_err = parse_err(DrillFormat::Vouch, "t.yaml", b"vouch_drill: 1\nid: [\n");
    assert!(yaml_err.at.starts_with("t.yaml:"), "{yaml_err}");
}

const JUNIT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="game-day">
  <testsuite name="payments-failover" timestamp="2026-03-03T10:00:00" tests="3" time="95.5">
    <properties>
      <property name="capability" value="payments-api"/>
      <property name="kind" value="failover"/>
    </properties>
    <testcase classname="payments.region" name="evacuate eu-west-1" time="61.25"/>
    <testcase classname="payments.region" name="fail back" time="34.25">
      <failure message="latency above objective">p99 1.2 s</failure>
    </testcase>
    <testcase classname="payments.region" name="dns cutover">
      <skipped/>
    </testcase>
  </testsuite>
  <testsuite name="ledger" timestamp="2026-03-04T09:00:00Z">
    <testcase classname="ledger" name="replica kill" time="12"/>
  </testsuite>
</testsuites>"#;

#[test]
fn junit_one_drill_per_case() {
    let drills = parse(DrillFormat::Auto, "gameday/results.xml", JUNIT.as_bytes());
    assert_eq!(drills.len(), 4);
    let first = &drills[0].drill;
    assert_eq!(
        first.id,
        "gameday/results.xml#payments-failover/evacuate eu-west-1"
    );
    assert_eq!(first.capability.as_deref(), Some("payments-api"));
    assert_eq!(first.kind, DrillKind::Failover);
    assert_eq!(first.outcome, Outcome::Pass);
    assert_eq!((first.ended - first.started).num_milliseconds(), 61_250);
    assert_eq!(first.assumptions.len(), 2, "{:?}", first.assumptions);
    assert_eq!(drills[1].drill.outcome, Outcome::Fail);
    assert_eq!(drills[2].drill.outcome, Outcome::Fail);
    assert!(
        drills[2]
            .drill
            .assumptions
            .iter()
            .any(|a| a.contains("skipped"))
    );
    let ledger = &drills[3];
    assert_eq!(ledger.drill.capability, None);
    assert_eq!(ledger.drill.kind, DrillKind::Technical);
    assert!(ledger.tags.contains(&"ledger".to_owned()));
    assert_eq!(ledger.drill.assumptions.len(), 1);
}

#[test]
fn junit_without_timestamp_or_well_formed_xml_is_a_problem() {
    let err = parse_err(
        DrillFormat::Junit,
        "r.xml",
        b"<testsuite name=\"s\">\n<testcase name=\"c\"/></testsuite>",
    );
    assert_eq!(err.at, "r.xml:2:1");
    assert!(err.message.contains("no suite `timestamp`"), "{err}");
    let err = parse_err(
        DrillFormat::Junit,
        "r.xml",
        b"<testsuite timestamp=\"2026-01-01T00:00:00Z\">\n<testcase></testsuite>",
    );
    assert!(err.message.starts_with("malformed XML"), "{err}");
}

const LITMUS: &str = r#"apiVersion: litmuschaos.io/v1alpha1
kind: ChaosResult
metadata:
  name: payments-chaos-pod-delete
  namespace: payments
  creationTimestamp: "2026-02-17T11:00:03Z"
  labels:
    app.kubernetes.io/part-of: litmus
    vouch/capability: payments-api
  managedFields:
  - manager: chaos-runner
    time: "2026-02-17T11:00:03Z"
  - manager: experiment
    time: "2026-02-17T11:02:41Z"
spec:
  engine: payments-chaos
  experiment: pod-delete
status:
  experimentStatus:
    phase: Completed
    verdict: Fail
    failStep: "Probe: check-payments-health"
    probeSuccessPercentage: "50"
  history:
    passedRuns: 3
    failedRuns: 1
    stoppedRuns: 0
---
apiVersion: litmuschaos.io/v1alpha1
kind: ChaosResult
metadata:
  name: ledger-chaos-network-loss
  namespace: data
  creationTimestamp: "2026-02-18T09:00:00Z"
  labels:
    team: ledger
spec:
  engine: ledger-chaos
  experiment: pod-network-loss
status:
  experimentStatus:
    phase: Running
    verdict: Awaited
"#;

#[test]
fn litmus_results_and_awaited_runs() {
    let drills = parse(DrillFormat::Auto, "litmus/results.yaml", LITMUS.as_bytes());
    assert_eq!(drills.len(), 1, "the awaited run is not a drill yet");
    let d = &drills[0].drill;
    assert_eq!(
        d.id,
        "litmus/results.yaml#payments/payments-chaos-pod-delete"
    );
    assert_eq!(d.capability.as_deref(), Some("payments-api"));
    assert_eq!(d.title, "pod-delete");
    assert_eq!(d.outcome, Outcome::Fail);
    assert_eq!((d.ended - d.started).num_seconds(), 158);
    assert!(d.assumptions[0].contains("creationTimestamp"));
    let awaited = LITMUS.split("---\n").nth(1).unwrap();
    let origin = origin();
    let file = DrillFile {
        path: "a.yaml",
        bytes: awaited.as_bytes(),
        origin: &origin,
    };
    match drills::parse(DrillFormat::Litmus, &file).unwrap() {
        FileDrills::Nothing(why) => assert!(
            why.contains("data/ledger-chaos-network-loss still running"),
            "{why}"
        ),
        other => panic!("{other:?}"),
    }
    let err = parse_err(
        DrillFormat::Litmus,
        "b.yaml",
        LITMUS.replace("verdict: Fail", "verdict: Maybe").as_bytes(),
    );
    assert!(
        err.help
            .unwrap()
            .contains("`Pass`, `Fail`, `Stopped` or `Awaited`")
    );
}

#[test]
fn rules_match_tags_titles_and_directories() {
    let plan = plan(
        r#"
[[sources.drills]]
id = "drills"
path = "drills"

[[sources.drills.rules]]
capability = "ledger-db"
tags = ["Redis"]

[[sources.drills.rules]]
capability = "checkout-web"
title = "*storefront*"

[[sources.drills.rules]]
capability = "payments-api"
directory = "./payments/"
"#,
    );
    let rules = Rules::new(&plan, &plan.sources.drills[0]).unwrap();
    let bytes = read("drills/chaostoolkit/redis-outage-journal.json");
    let mut by_tag = parse(DrillFormat::Auto, "x.json", &bytes).remove(0);
    rules.assign(&mut by_tag, "x.json").unwrap();
    assert_eq!(by_tag.drill.capability.as_deref(), Some("ledger-db"));
    let mut by_dir = parse(
        DrillFormat::Auto,
        "k.json",
        &read("drills/chaostoolkit/k8s-pod-kill-journal.json"),
    )
    .remove(0);
    let mut unmatched = by_dir.clone();
    rules.assign(&mut by_dir, "payments/k.json").unwrap();
    assert_eq!(by_dir.drill.capability.as_deref(), Some("payments-api"));
    rules.assign(&mut unmatched, "paymentsx/k.json").unwrap();
    assert_eq!(
        unmatched.drill.capability, None,
        "unmatched drills are kept without a capability"
    );
    let mut by_title = unmatched.clone();
    by_title.drill.title = "Storefront CDN outage".to_owned();
    rules.assign(&mut by_title, "k.json").unwrap();
    assert_eq!(by_title.drill.capability.as_deref(), Some("checkout-web"));
    let mut unknown = unmatched;
    unknown.drill.capability = Some("paymnts".to_owned());
    let err = rules.assign(&mut unknown, "k.json").unwrap_err();
    assert!(
        err.message
            .contains("names capability `paymnts`, which the plan does not define"),
        "{err}"
    );
}
