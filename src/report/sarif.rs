//! The SARIF 2.1.0 report, for CI code-scanning annotations: one rule per
//! policy, one result per failing finding. A finding about a runbook points
//! at the runbook's path in its repository, so the annotation lands on it;
//! any other at the plan, `vouch.toml`.

use serde::{Serialize, Serializer};
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
    let sarif = Document {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        runs: [SarifRun {
            properties: json!({
                "organisation": a.organisation,
                "now": a.now,
                "window": a.window,
            }),
            results: Results(view),
            tool: json!({
                "driver": {
                    "name": "vouch",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            }),
        }],
        version: "2.1.0",
    };
    serde_json::to_string_pretty(&sarif)
        .map(|mut text| {
            text.push('\n');
            text
        })
        .map_err(|e| e.to_string())
}

/// The SARIF document, its keys in the order serde_json writes an object's
/// (sorted), as when it was one `Value`.
#[derive(Serialize)]
struct Document<'v> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [SarifRun<'v>; 1],
    version: &'static str,
}

/// The one run, its keys sorted too.
#[derive(Serialize)]
struct SarifRun<'v> {
    properties: Value,
    results: Results<'v>,
    tool: Value,
}

/// The results, each made as it is written: a large assessment fails
/// hundreds of thousands of checks, too many to hold as JSON values at once.
struct Results<'v>(&'v View<'v>);

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(results(self.0))
    }
}

/// One result per `fail` finding, policy by policy.
fn results<'v>(view: &'v View<'_>) -> impl Iterator<Item = Value> + 'v {
    view.policies.iter().enumerate().flat_map(|(index, group)| {
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
                    .map(
                        |uri| json!({ "physicalLocation": { "artifactLocation": { "uri": uri } } }),
                    )
                    .collect();
                if let Some(commitment) = &f.commitment {
                    result["properties"] = json!({ "commitment": commitment });
                }
                result
            })
    })
}

/// SARIF's level for a policy of `severity` (unknown: `warning`).
fn level(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Critical | Severity::High) => "error",
        Some(Severity::Medium) | None => "warning",
        Some(Severity::Low | Severity::Info) => "note",
    }
}
