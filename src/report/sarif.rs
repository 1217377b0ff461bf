//! The SARIF 2.1.0 report, for CI code-scanning annotations: one rule per
//! policy, one result per failing finding. A finding about a runbook points
//! at the runbook's path in its repository, so the annotation lands on it;
//! any other at the plan, `vouch.toml`.

use serde_json::{Value, json};
use vouch_evidence::layout::PLAN;
use vouch_sdk::Severity;
use vouch_sdk::assessment::FindingStatus;

use super::view::View;

/// Renders `view` as SARIF 2.1.0 JSON.
pub fn render(view: &View<'_>) -> Result<String, String> {
    let a = view.assessment;
    let rules: Vec<Value> = view
        .policies
        .iter()
        .map(|group| {
            let mut rule = json!({
                "id": group.id,
                "shortDescription": { "text": group.title.unwrap_or(group.id) },
                "defaultConfiguration": { "level": level(group.severity) },
            });
            if let Some(description) = group.description.filter(|d| !d.is_empty()) {
                rule["fullDescription"] = json!({ "text": description });
            }
            if let Some(severity) = group.severity {
                rule["properties"] = json!({ "severity": severity.as_str() });
            }
            rule
        })
        .collect();
    let results: Vec<Value> = view
        .policies
        .iter()
        .enumerate()
        .flat_map(|(index, group)| {
            group
                .findings
                .iter()
                .filter(|row| row.finding.status == FindingStatus::Fail)
                .map(move |row| {
                    let f = row.finding;
                    let mut result = json!({
                        "ruleId": group.id,
                        "ruleIndex": index,
                        "level": level(group.severity),
                        "message": { "text": format!("{}: {}", f.subject, f.message) },
                        "logicalLocations": [{ "name": f.subject, "kind": "object" }],
                        "partialFingerprints": {
                            "vouchSubject/v1": format!(
                                "{}|{}|{}",
                                f.policy,
                                f.commitment.as_deref().unwrap_or(""),
                                f.subject
                            ),
                        },
                    });
                    // Code-scanning services place an annotation on a file:
                    // the runbooks the finding rests on, or else the plan.
                    let mut files: Vec<&str> = f
                        .evidence
                        .iter()
                        .filter_map(|r| r.strip_prefix("runbook:"))
                        .map(|r| r.rsplit_once('@').map_or(r, |(path, _)| path))
                        .collect();
                    if files.is_empty() {
                        files.push(PLAN);
                    }
                    result["locations"] = files
                        .iter()
                        .map(|uri| {
                            json!({ "physicalLocation": { "artifactLocation": { "uri": uri } } })
                        })
                        .collect();
                    if let Some(commitment) = &f.commitment {
                        result["properties"] = json!({ "commitment": commitment });
                    }
                    result
                })
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "vouch",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
            "properties": {
                "organisation": a.organisation,
                "now": a.now,
                "window": a.window,
            },
        }],
    });
    serde_json::to_string_pretty(&sarif)
        .map(|mut text| {
            text.push('\n');
            text
        })
        .map_err(|e| e.to_string())
}

/// SARIF's level for a policy of `severity` (unknown: `warning`).
fn level(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Critical | Severity::High) => "error",
        Some(Severity::Medium) | None => "warning",
        Some(Severity::Low | Severity::Info) => "note",
    }
}
