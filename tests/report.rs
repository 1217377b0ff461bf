//! `vouch report` on the demo organisation: Markdown, JUnit and SARIF as
//! snapshots, SARIF's required structure, and an HTML page that is
//! self-contained, escapes what it is given and links only to files that are
//! in the bundle.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn vouch() -> Command {
    Command::cargo_bin("vouch").unwrap()
}

/// Writes the demo (collected, evaluated, sealed) into `dir`.
fn demo(dir: &Path) {
    vouch()
        .args(["demo", "-q", "--out"])
        .arg(dir)
        .assert()
        .success();
}

fn report(input: &Path, format: &str) -> String {
    let out = vouch()
        .arg("report")
        .arg(input)
        .args(["--format", format])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn markdown_junit_and_sarif_of_the_demo() {
    let tmp = tempfile::tempdir().unwrap();
    demo(tmp.path());
    let assessment = tmp.path().join(".vouch/assessment.json");
    insta::assert_snapshot!("demo_md", report(&assessment, "md"));
    insta::assert_snapshot!("demo_junit", report(&assessment, "junit"));
    let sarif = report(&assessment, "sarif");
    insta::assert_snapshot!("demo_sarif", sarif);
    check_sarif(&serde_json::from_str(&sarif).unwrap());
}

/// What SARIF 2.1.0's schema requires of the parts Vouch writes, and what
/// code-scanning services read.
fn check_sarif(sarif: &Value) {
    assert_eq!(sarif["version"], "2.1.0");
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "vouch");
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for rule in rules {
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(
            ["none", "note", "warning", "error"].contains(&level),
            "{rule}"
        );
    }
    for result in runs[0]["results"].as_array().unwrap() {
        let rule = result["ruleId"].as_str().unwrap();
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(ids[index], rule, "ruleIndex points at the rule");
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        for location in result["locations"].as_array().into_iter().flatten() {
            let uri = location["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert!(!uri.starts_with('/') && !uri.contains(' '), "{uri}");
        }
    }
}

#[test]
fn the_html_report_is_self_contained_and_links_into_the_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    demo(tmp.path());
    let bundle = tmp.path().join(".vouch/bundle");
    let html = report(&bundle, "html");
    for section in [
        "summary",
        "metrics",
        "controls",
        "capabilities",
        "runbooks",
        "drills",
        "recoveries",
        "findings",
        "waivers",
    ] {
        assert!(html.contains(&format!("id=\"{section}\"")), "{section}");
    }
    // The custom framework has its own table in the matrix.
    assert!(html.contains("id=\"framework-acme-enterprise-msa\""));
    assert!(html.contains("Acme Enterprise MSA"));
    // The waiver of the plan, with who approved it and until when.
    assert!(html.contains("2027-03-31"));
    // Nothing to fetch, nothing to run.
    assert!(!html.contains("<script"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    assert!(!html.contains("@import") && !html.contains("url("));
    // The header names the bundle and its signer.
    let statement = std::fs::read(bundle.join("statement.dsse.json")).unwrap();
    let envelope: Value = serde_json::from_slice(&statement).unwrap();
    let key = envelope["signatures"][0]["keyid"].as_str().unwrap();
    assert!(html.contains(key));
    // Every link into the bundle names a file that is there.
    let mut links = 0;
    for (i, _) in html.match_indices("href=\"") {
        let rest = &html[i + 6..];
        let href = &rest[..rest.find('"').unwrap()];
        if let Some(id) = href.strip_prefix('#') {
            assert!(
                html.contains(&format!("id=\"{id}\"")),
                "dangling anchor `{href}`"
            );
            continue;
        }
        assert!(bundle.join(href).is_file(), "dangling link `{href}`");
        links += 1;
    }
    // The archive gives the same report as the directory.
    let tar = tmp.path().join(".vouch/bundle.tar");
    assert_eq!(report(&tar, "html"), html);
    // The report sealed in the bundle is the same page but for the digest.
    let sealed = std::fs::read_to_string(bundle.join("report.html")).unwrap();
    assert!(sealed.contains(key) && sealed.contains("id=\"recoveries\""));
    assert!(links > 0 || !html.contains("class=\"evidence\""));
}

#[test]
fn an_assessment_alone_gives_a_report_without_the_evidence_charts() {
    let tmp = tempfile::tempdir().unwrap();
    demo(tmp.path());
    let html = report(&tmp.path().join(".vouch/assessment.json"), "html");
    assert!(html.contains("draw the report from the bundle"));
    assert!(html.contains("not sealed"));
}

/// An assessment whose text tries to break out of every format.
fn hostile_assessment(dir: &Path) -> std::path::PathBuf {
    let assessment = serde_json::json!({
        "organisation": "<script>alert(1)</script> & Co | Ltd",
        "window": { "start": "2026-01-01", "end": "2026-12-31" },
        "now": "2027-01-01T00:00:00Z",
        "policies": [
            { "id": "p", "version": "1.0.0", "sha256": "00", "fuel_used": 1 },
            { "id": "q", "version": "1.0.0", "sha256": "01", "fuel_used": 0, "error": "trapped <x>" }
        ],
        "findings": [{
            "policy": "p", "subject": "a|b", "status": "fail",
            "message": "<img src=x onerror=alert(2)> ]]> \"quoted\" | pipe\nnewline",
            "evidence": ["runbook:\"><script>x</script>@1"]
        }],
        "controls": [{
            "framework": "soc2", "control": "A1.2", "title": "T <b>", "status": "not-satisfied",
            "policies": ["p"], "waived": 0
        }, {
            "framework": "soc2", "control": "CC7.4", "title": "Incident response", "status": "error",
            "policies": ["q"], "waived": 0
        }]
    });
    let path = dir.join("assessment.json");
    std::fs::write(&path, serde_json::to_vec(&assessment).unwrap()).unwrap();
    path
}

#[test]
fn every_format_escapes_what_it_is_given() {
    let tmp = tempfile::tempdir().unwrap();
    let path = hostile_assessment(tmp.path());

    let html = report(&path, "html");
    assert!(
        !html.contains("<script>") && !html.contains("<img"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    let md = report(&path, "md");
    assert!(md.contains("a\\|b") && md.contains("\\<img"), "{md}");
    assert!(
        md.lines().all(|l| !l.starts_with('|') || l.ends_with('|')),
        "{md}"
    );

    let junit = report(&path, "junit");
    assert!(
        junit.contains("&lt;img src=x") && !junit.contains("<img"),
        "{junit}"
    );
    assert!(junit.contains("<failure"), "{junit}");
    // A control in error says which run failed, and why.
    assert!(
        junit.contains("<error") && junit.contains("q: trapped &lt;x&gt;"),
        "{junit}"
    );

    let sarif: Value = serde_json::from_str(&report(&path, "sarif")).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["message"]["text"],
        "a|b: <img src=x onerror=alert(2)> ]]> \"quoted\" | pipe\nnewline"
    );
}

#[test]
fn bad_input_is_named_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("nonsense.json");
    std::fs::write(&input, "{\"organisation\": 3}").unwrap();
    let out_file = tmp.path().join("report.html");
    let out = vouch()
        .arg("report")
        .arg(&input)
        .arg("-o")
        .arg(&out_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("nonsense.json") && stderr.contains("is not an assessment"),
        "{stderr}"
    );
    assert!(!out_file.exists());
}

/// An assessment with many passing findings for one policy: 250 that pass,
/// 3 that fail (one citing 30 records, one with a long message); a policy
/// with only 5 passing findings; and one with 250 failing findings.
fn crowded_assessment(dir: &Path) -> std::path::PathBuf {
    let finding = |policy: &str, subject: String, status: &str, message: String, refs: usize| {
        serde_json::json!({
            "policy": policy, "subject": subject, "status": status, "message": message,
            "evidence": (0..refs).map(|i| format!("incident:INC-{i}")).collect::<Vec<_>>(),
        })
    };
    let mut findings: Vec<Value> = (0..250)
        .map(|i| finding("p", format!("pass-{i:03}"), "pass", "fine".into(), 1))
        .collect();
    findings.push(finding("p", "fail-0".into(), "fail", "late".into(), 30));
    findings.push(finding("p", "fail-1".into(), "fail", "x".repeat(1500), 1));
    findings.push(finding("p", "fail-2".into(), "fail", "late".into(), 1));
    findings.extend((0..5).map(|i| finding("q", format!("q-{i}"), "pass", "fine".into(), 1)));
    findings.extend((0..250).map(|i| finding("r", format!("r-{i:03}"), "fail", "late".into(), 1)));
    let assessment = serde_json::json!({
        "organisation": "Crowded Ltd",
        "window": { "start": "2026-01-01", "end": "2026-12-31" },
        "now": "2027-01-01T00:00:00Z",
        "policies": [
            { "id": "p", "version": "1.0.0", "sha256": "00", "fuel_used": 1 },
            { "id": "q", "version": "1.0.0", "sha256": "01", "fuel_used": 1 },
            { "id": "r", "version": "1.0.0", "sha256": "02", "fuel_used": 1 }
        ],
        "findings": findings,
        "controls": [{
            "framework": "soc2", "control": "A1.2", "title": "Recovery", "status": "not-satisfied",
            "policies": ["p", "q", "r"], "waived": 0
        }]
    });
    let path = dir.join("assessment.json");
    std::fs::write(&path, serde_json::to_vec(&assessment).unwrap()).unwrap();
    path
}

#[test]
fn findings_are_listed_up_to_the_bounds_and_the_rest_counted() {
    // `view::LISTED_PASSING`, `LISTED_NOT_PASSING` and `LISTED_EVIDENCE`.
    const LISTED_PASSING: usize = 100;
    const LISTED_NOT_PASSING: usize = 200;
    const LISTED_EVIDENCE: usize = 20;
    let tmp = tempfile::tempdir().unwrap();
    let path = crowded_assessment(tmp.path());

    let html = report(&path, "html");
    let listed = (0..250)
        .filter(|i| html.contains(&format!("<code>pass-{i:03}</code>")))
        .count();
    assert_eq!(
        listed, LISTED_PASSING,
        "the first passing findings, in order"
    );
    assert!(html.contains("<code>pass-099</code>") && !html.contains("<code>pass-100</code>"));
    assert!(
        html.contains("150 more findings of <code>p</code>"),
        "the remainder is counted"
    );
    assert!(html.contains("assessment.json") && html.contains("oscal/assessment-results.json"));
    // A policy within the bounds is listed whole, with no such line.
    assert_eq!(html.matches("class=\"note unlisted\"").count(), 2);
    assert!((0..5).all(|i| html.contains(&format!("<code>q-{i}</code>"))));
    // Failing findings are listed up to their own bound, their evidence up
    // to another.
    assert!((0..3).all(|i| html.contains(&format!("<code>fail-{i}</code>"))));
    let failing = (0..250)
        .filter(|i| html.contains(&format!("<code>r-{i:03}</code>")))
        .count();
    assert_eq!(failing, LISTED_NOT_PASSING);
    assert!(html.contains(&format!(
        "{} more findings of <code>r</code>",
        250 - LISTED_NOT_PASSING
    )));
    assert!(html.contains(&format!("INC-{}", LISTED_EVIDENCE - 1)));
    assert!(!html.contains(&format!("INC-{LISTED_EVIDENCE}<")));
    assert!(html.contains(&format!(
        "and {} more, named in assessment.json",
        30 - LISTED_EVIDENCE
    )));
    assert!(html.contains("500 more characters, in assessment.json"));

    // Markdown lists the worst failing findings, never the passing ones.
    let md = report(&path, "md");
    assert!((0..3).all(|i| md.contains(&format!("| fail-{i} |"))));
    // All the listed ones but `fail-1` say "late".
    assert_eq!(md.matches("| late |").count(), LISTED_NOT_PASSING - 1);
    assert!(md.contains(&format!(
        "{} more failing or erroring findings are not listed here",
        253 - LISTED_NOT_PASSING
    )));
    assert!(!md.contains("pass-0"));
    assert!(md.contains("500 more characters, in assessment.json"));

    // The formats for machines keep everything.
    let sarif: Value = serde_json::from_str(&report(&path, "sarif")).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 253);
    assert!(report(&path, "junit").contains(&"x".repeat(1500)));
}
