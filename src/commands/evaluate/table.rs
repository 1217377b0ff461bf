//! The assessment as a person reads it in a terminal: findings per policy
//! run, then the control table of each framework, then the totals.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use vouch_engine::controls::Catalogs;
use vouch_sdk::Plan;
use vouch_sdk::assessment::{Assessment, ControlStatus, FindingStatus};

/// Renders `assessment`; `plan` and `catalogs` give the frameworks' titles.
pub fn render(assessment: &Assessment, plan: &Plan, catalogs: &Catalogs) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} · as of {} · audit window {} to {}",
        assessment.organisation,
        assessment
            .now
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        assessment.window.start,
        assessment.window.end,
    );
    findings(&mut out, assessment);
    controls(&mut out, assessment, plan, catalogs);
    totals(&mut out, assessment);
    out.truncate(out.trim_end().len());
    out
}

fn findings(out: &mut String, assessment: &Assessment) {
    let _ = writeln!(out, "\nFindings");
    if assessment.policies.is_empty() {
        let _ = writeln!(out, "  no policy ran");
    }
    for run in &assessment.policies {
        let _ = match &run.commitment {
            Some(commitment) => writeln!(out, "  {} {} for {commitment}", run.id, run.version),
            None => writeln!(out, "  {} {}", run.id, run.version),
        };
        if let Some(error) = &run.error {
            let _ = writeln!(out, "    {:<14}  {error}", "error");
            continue;
        }
        let mine: Vec<_> = assessment
            .findings
            .iter()
            .filter(|f| f.policy == run.id && f.commitment == run.commitment)
            .collect();
        if mine.is_empty() {
            let _ = writeln!(out, "    no findings");
        }
        let width = mine.iter().map(|f| f.subject.len()).max().unwrap_or(0);
        for finding in mine {
            let _ = writeln!(
                out,
                "    {:<14}  {:<width$}  {}",
                finding.status.as_str(),
                finding.subject,
                finding.message,
            );
            if let Some(waiver) = &finding.waiver {
                let _ = writeln!(
                    out,
                    "    {:<14}  {:<width$}  waived by {} until {}: {}",
                    "", "", waiver.approver, waiver.expires, waiver.justification,
                );
            }
        }
    }
}

fn controls(out: &mut String, assessment: &Assessment, plan: &Plan, catalogs: &Catalogs) {
    let titles: BTreeMap<&str, &str> = catalogs
        .frameworks()
        .iter()
        .map(|f| (f.id.as_str(), f.title.as_str()))
        .chain(
            plan.frameworks
                .custom
                .iter()
                .map(|f| (f.id.as_str(), f.title.as_str())),
        )
        .collect();
    let _ = writeln!(out, "\nControls");
    if assessment.controls.is_empty() {
        let _ = writeln!(out, "  no framework is enabled in the plan");
    }
    // Frameworks in the order the assessment lists them.
    let mut order: Vec<&str> = Vec::new();
    for control in &assessment.controls {
        if !order.contains(&control.framework.as_str()) {
            order.push(&control.framework);
        }
    }
    for framework in order {
        let rows: Vec<_> = assessment
            .controls
            .iter()
            .filter(|c| c.framework == framework)
            .collect();
        let title = titles.get(framework).copied().unwrap_or(framework);
        let _ = writeln!(out, "  {framework} — {title}");
        let id_width = rows.iter().map(|c| c.control.len()).max().unwrap_or(0);
        let title_width = rows.iter().map(|c| c.title.len()).max().unwrap_or(0);
        for control in rows {
            let mut evidence = if control.policies.is_empty() {
                "no policy".to_owned()
            } else {
                control.policies.join(", ")
            };
            if control.waived > 0 {
                let _ = write!(evidence, " ({} waived)", control.waived);
            }
            let _ = writeln!(
                out,
                "    {:<id_width$}  {:<title_width$}  {:<13}  {evidence}",
                control.control,
                control.title,
                control.status.as_str(),
            );
        }
    }
}

fn totals(out: &mut String, assessment: &Assessment) {
    let count = |status| {
        assessment
            .findings
            .iter()
            .filter(|f| f.status == status)
            .count()
    };
    let controls = |status| {
        assessment
            .controls
            .iter()
            .filter(|c| c.status == status)
            .count()
    };
    let failed_runs = assessment
        .policies
        .iter()
        .filter(|p| p.error.is_some())
        .count();
    let _ = writeln!(
        out,
        "\n{} findings: {} pass, {} fail, {} warn, {} not-applicable, {} error, {} waived; {} of {} runs failed",
        assessment.findings.len(),
        count(FindingStatus::Pass),
        count(FindingStatus::Fail),
        count(FindingStatus::Warn),
        count(FindingStatus::NotApplicable),
        count(FindingStatus::Error),
        count(FindingStatus::Waived),
        failed_runs,
        assessment.policies.len(),
    );
    let _ = writeln!(
        out,
        "{} controls: {} satisfied, {} not-satisfied, {} no-evidence, {} error",
        assessment.controls.len(),
        controls(ControlStatus::Satisfied),
        controls(ControlStatus::NotSatisfied),
        controls(ControlStatus::NoEvidence),
        controls(ControlStatus::Error),
    );
}

#[cfg(test)]
mod tests {
    use vouch_engine::assess::{Run, assemble};
    use vouch_sdk::Finding;
    use vouch_sdk::plan::Waiver;

    use super::*;

    #[test]
    fn the_table_shows_runs_findings_waivers_and_controls() {
        let mut plan = vouch_sdk::plan::load::parse(
            "vouch.toml",
            r#"
            [organisation]
            name = "Test Org"
            [audit]
            start = "2026-01-01"
            end = "2026-12-31"
            [tiers.t1]
            level = 1
            max_runbook_age = "90d"
            [[capabilities]]
            id = "api"
            name = "API"
            tier = "t1"
            rto = "1h"
            rpo = "5m"
            owner = "team"
            [frameworks]
            enabled = ["soc2", "pci-dss"]
            [[frameworks.custom]]
            id = "msa"
            title = "Enterprise MSA"
            [[frameworks.custom.commitments]]
            id = "MSA-1"
            title = "Recovery within 4 hours"
            policy = "rto"
            "#,
        )
        .unwrap();
        plan.waivers.push(Waiver {
            policy: "freshness".into(),
            subject: "runbooks/api.md".into(),
            justification: "being rewritten".into(),
            approver: "cto@example.com".into(),
            expires: "2026-12-31".parse().unwrap(),
        });
        let run = |policy: &str, controls: &[&str], commitment: Option<&str>, outcome| Run {
            policy: policy.into(),
            version: "1.0.0".into(),
            sha256: "ab".into(),
            controls: controls.iter().map(|c| (*c).to_owned()).collect(),
            commitment: commitment.map(str::to_owned),
            fuel_used: 1,
            outcome,
        };
        let runs = vec![
            run(
                "freshness",
                &["soc2:A1.2", "pci-dss:12.10.2"],
                None,
                Ok(vec![
                    Finding::pass("runbooks/db.md", "changed 12 days ago"),
                    Finding::fail("runbooks/api.md", "changed 400 days ago"),
                ]),
            ),
            run(
                "drills",
                &["soc2:A1.3"],
                None,
                Err("policy `drills` ran out of fuel".into()),
            ),
            run(
                "rto",
                &[],
                Some("msa:MSA-1"),
                Ok(vec![Finding::fail(
                    "api",
                    "recovered in 5h, over the 4h promised",
                )]),
            ),
        ];
        let catalogs = Catalogs::standard().unwrap();
        let now = "2026-07-01T09:30:00Z".parse().unwrap();
        let assessment = assemble(&plan, &catalogs, runs, now);
        insta::assert_snapshot!(render(&assessment, &plan, &catalogs));
    }
}
