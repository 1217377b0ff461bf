//! `vouch init` and `vouch plan check` as a user runs them: a starter plan that
//! passes, the demo plan that passes, and broken plans that each get an error
//! naming `line:col` and what would fix it.

#![allow(clippy::unwrap_used)] // test helpers outside `#[test]` fns

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// A small valid plan the broken cases mutate one thing at a time.
const BASE: &str = r#"[organisation]
name = "Test Org"

[audit]
start = "2026-01-01"
end = "2026-06-30"

[tiers.gold]
level = 1
max_runbook_age = "90d"
drill_pass_rate_floor = 0.9

[tiers.silver]
level = 2
max_runbook_age = "180d"

[[capabilities]]
id = "payments"
name = "Payments"
tier = "gold"
rto = "1h"
rpo = "5m"
owner = "team-payments"
runbooks = ["runbooks/payments/**/*.md"]
depends_on = ["ledger"]

[[capabilities]]
id = "ledger"
name = "Ledger"
tier = "silver"
rto = "4h"
rpo = "1m"
owner = "team-data"

[[sources.git]]
id = "runbooks"
path = "runbooks"

[[sources.incidents]]
id = "pd"
kind = "pagerduty"
url = "https://api.pagerduty.com"
token_env = "PD_TOKEN"

[frameworks]
enabled = ["soc2", "dora"]
"#;

fn vouch() -> Command {
    let mut cmd = Command::cargo_bin("vouch").unwrap();
    cmd.env("NO_COLOR", "1").env("COLUMNS", "100");
    cmd
}

/// Runs `plan check` on `text` as `vouch.toml`; returns (exit code, JSON, stderr).
fn check(text: &str) -> (i32, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vouch.toml"), text).unwrap();
    let json = vouch()
        .current_dir(dir.path())
        .args(["plan", "check", "--json"])
        .output()
        .unwrap();
    let human = vouch()
        .current_dir(dir.path())
        .args(["plan", "check"])
        .output()
        .unwrap();
    assert_eq!(json.status.code(), human.status.code());
    let value = serde_json::from_slice(&json.stdout).unwrap();
    (
        human.status.code().unwrap(),
        value,
        String::from_utf8(human.stderr).unwrap(),
    )
}

fn replace(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "base plan has no `{from}`");
    BASE.replacen(from, to, 1)
}

#[test]
fn base_plan_is_valid() {
    let (code, json, stderr) = check(BASE);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["valid"], true);
    assert_eq!(json["capabilities"], 2);
}

#[test]
fn demo_plan_is_valid() {
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme/vouch.toml");
    vouch()
        .args(["plan", "check", "-p"])
        .arg(plan)
        .assert()
        .success()
        .stdout(predicates::str::contains("7 capabilities over 3 tiers"));
}

#[test]
fn init_then_check_passes_and_init_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("new");
    vouch().arg("init").arg(&target).assert().success();
    vouch()
        .args(["plan", "check", "-p"])
        .arg(target.join("vouch.toml"))
        .assert()
        .success();
    vouch()
        .arg("init")
        .arg(&target)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("already exists"));
}

#[test]
fn missing_plan_says_how_to_get_one() {
    let dir = tempfile::tempdir().unwrap();
    vouch()
        .current_dir(dir.path())
        .args(["plan", "check"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot read plan `vouch.toml`"))
        .stderr(predicates::str::contains("vouch init"));
}

/// Each broken plan: its name, the plan text, and the `line:col` and help of
/// the error it must get.
fn broken_plans() -> Vec<(&'static str, String, (u64, u64), &'static str)> {
    vec![
        (
            "unknown_key",
            replace("tier = \"gold\"", "tierr = \"gold\""),
            (20, 1),
            "did you mean `tier`?",
        ),
        (
            "unknown_tier",
            replace("tier = \"gold\"", "tier = \"golld\""),
            (20, 8),
            "did you mean `gold`?",
        ),
        (
            "duplicate_capability",
            replace("id = \"ledger\"", "id = \"payments\""),
            (28, 6),
            "distinct `id`",
        ),
        (
            "unknown_dependency",
            replace("[\"ledger\"]", "[\"ledgr\"]"),
            (25, 15),
            "did you mean `ledger`?",
        ),
        (
            "bad_rto",
            replace("rto = \"1h\"", "rto = \"1 hour\""),
            (21, 7),
            "e.g. `15m`",
        ),
        (
            "rpo_not_a_string",
            replace("rpo = \"5m\"", "rpo = 5"),
            (22, 7),
            "a duration string",
        ),
        (
            "missing_owner",
            replace("owner = \"team-data\"\n", ""),
            (27, 1),
            "add `owner = ...`",
        ),
        (
            "bad_date",
            replace("2026-06-30", "2026-13-30"),
            (6, 7),
            "2026-01-31",
        ),
        (
            "unknown_framework",
            replace("\"soc2\"", "\"soc-2\""),
            (46, 12),
            "did you mean `soc2`?",
        ),
        (
            "toml_syntax",
            replace("name = \"Test Org\"", "name = \"Test Org"),
            (2, 17),
            "expected `\"`",
        ),
        (
            "pass_rate_out_of_range",
            replace("0.9", "1.5"),
            (11, 25),
            "0.9",
        ),
        (
            "dependency_cycle",
            replace(
                "owner = \"team-data\"",
                "owner = \"team-data\"\ndepends_on = [\"payments\"]",
            ),
            (25, 14),
            "loop",
        ),
        (
            "git_path_and_url",
            replace(
                "path = \"runbooks\"",
                "path = \"runbooks\"\nurl = \"https://git.example.com/r.git\"",
            ),
            (35, 1),
            "`path` for a local repository",
        ),
        ("bad_glob", replace("**/*.md", "[a"), (24, 13), "globs use"),
        (
            "unknown_incident_kind",
            replace("\"pagerduty\"", "\"pagerdutty\""),
            (41, 8),
            "did you mean `pagerduty`?",
        ),
        (
            "window_backwards",
            replace("2026-06-30", "2025-06-30"),
            (6, 7),
            "on or after `start`",
        ),
        (
            "misspelt_table",
            replace("[[capabilities]]", "[[capabilites]]"),
            (17, 3),
            "did you mean `capabilities`?",
        ),
    ]
}

#[test]
fn broken_plans_name_line_col_and_the_fix() {
    let mut rendered = String::new();
    for (name, text, (line, column), help) in broken_plans() {
        let (code, json, stderr) = check(&text);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert_eq!(json["valid"], false, "{name}");
        let errors = json["errors"].as_array().unwrap();
        let at = errors
            .iter()
            .find(|e| (e["line"].as_u64(), e["column"].as_u64()) == (Some(line), Some(column)))
            .unwrap_or_else(|| panic!("{name}: no error at {line}:{column} in {errors:?}"));
        assert_eq!(at["file"], "vouch.toml", "{name}");
        assert!(
            at["help"].as_str().unwrap_or_default().contains(help),
            "{name}: {at}"
        );
        assert!(
            stderr.contains(&format!("vouch.toml:{line}:{column}")),
            "{name}: {stderr}"
        );
        rendered.push_str(&format!("── {name}\n{stderr}\n"));
    }
    insta::assert_snapshot!(rendered);
}

#[test]
fn every_problem_is_reported_at_once() {
    let text =
        replace("tier = \"gold\"", "tier = \"golld\"").replacen("[\"ledger\"]", "[\"ledgr\"]", 1);
    let (code, json, _) = check(&text);
    assert_eq!(code, 2);
    let lines: Vec<_> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [20, 25]);
}
