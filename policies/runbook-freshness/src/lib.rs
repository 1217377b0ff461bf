//! `runbook-freshness`: every runbook of the plan's capabilities was changed,
//! or reviewed (front matter `last_reviewed`), within its tier's
//! `max_runbook_age`. One finding per runbook, its subject the path, so a
//! waiver can name one runbook.

use serde::Deserialize;
use vouch_sdk::evidence::EvidenceSet;
use vouch_sdk::judge;
use vouch_sdk::plan::Plan;
use vouch_sdk::{Duration, Finding, Measurement, Metadata, Policy, Request, Severity};

struct RunbookFreshness;

/// The policy's parameters (see `params_schema`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    max_age: Option<Duration>,
}

impl Policy for RunbookFreshness {
    fn metadata() -> Metadata {
        Metadata {
            id: "runbook-freshness".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Runbooks are kept current".into(),
            description: "Every runbook of a capability was changed or reviewed (front matter \
                          `last_reviewed`) within its tier's `max_runbook_age`; a runbook no one \
                          has looked at for longer may no longer describe the system it recovers. \
                          A runbook serving several capabilities is held to the strictest tier. \
                          A gap in the runbook evidence fails; a plan whose runbooks were not \
                          collected at all cannot be judged."
                .into(),
            severity: Severity::Medium,
            evidence: vec!["runbooks".into()],
            params_schema: serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "max_age": judge::duration_schema(
                        "Maximum age of every runbook, e.g. `60d`, instead of each tier's \
                         `max_runbook_age`."
                    )
                }
            }),
            partition: vouch_sdk::Partition::Whole,
            controls: vec![
                "soc2:CC9.1".into(),
                "iso27001:5.24".into(),
                "iso22301:8.4".into(),
                "nist-800-53:CP-2".into(),
                "nist-800-53:IR-8".into(),
                "dora:Art.11".into(),
                "hipaa:164.308(a)(7)(ii)(D)".into(),
                "pci-dss:12.10.2".into(),
            ],
        }
    }

    fn evaluate(request: &Request) -> Result<Vec<Finding>, String> {
        judge_freshness(
            &request.plan()?,
            &request.evidence()?,
            &request.params()?,
            request.now,
        )
    }
}

vouch_sdk::export_policy!(RunbookFreshness);

fn judge_freshness(
    plan: &Plan,
    evidence: &EvidenceSet,
    params: &Params,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Finding>, String> {
    let runbooks = judge::runbooks_by_path(plan, evidence);
    let mut findings = Vec::with_capacity(runbooks.len());
    for (runbook, capabilities) in &runbooks {
        let (limit, allowed_by) = match params.max_age {
            Some(max_age) => (max_age, "the parameters allow".to_owned()),
            None => {
                let mut strictest: Option<(Duration, &str)> = None;
                for capability in capabilities {
                    let tier = judge::tier(plan, capability)?;
                    if strictest.is_none_or(|(limit, _)| tier.max_runbook_age < limit) {
                        strictest = Some((tier.max_runbook_age, capability.tier.as_str()));
                    }
                }
                let (limit, tier) = strictest.ok_or("a runbook serves no capability")?;
                (limit, format!("{tier} allows"))
            }
        };
        let (touched, how) = judge::runbook_touched(runbook, now);
        let age = judge::days_between(touched, now);
        let mut text = format!(
            "`{}` was last {how} {} days ago ({}); {allowed_by} {} days",
            runbook.path,
            judge::days_text(age, limit.as_days()),
            touched.date_naive(),
            judge::limit_days_text(limit),
        );
        if let Some(reviewed) = runbook.last_reviewed.filter(|reviewed| *reviewed > now) {
            text.push_str(&format!(
                " (its `last_reviewed`, {}, is after the evaluation and does not count)",
                reviewed.date_naive()
            ));
        }
        let finding = if age <= limit.as_days() {
            Finding::pass(&runbook.path, text)
        } else {
            Finding::fail(
                &runbook.path,
                format!("{text}: review it against the system and record `last_reviewed`"),
            )
        };
        let finding = capabilities.iter().fold(
            finding.with_evidence(judge::runbook_ref(runbook)),
            |f, c| f.with_evidence(judge::capability_ref(&c.id)),
        );
        findings.push(
            finding
                .with_measurement(Measurement::new("age", age).in_unit("days"))
                .with_measurement(Measurement::new("max_age", limit.as_days()).in_unit("days")),
        );
    }
    findings.extend(judge::capabilities_without_runbooks(
        plan,
        &runbooks,
        "freshness",
    ));
    findings.extend(judge::gap_findings(
        evidence,
        &["runbooks"],
        "runbooks it holds are missing from this check and may be stale",
    ));
    Ok(findings)
}
