//! The assessment as OSCAL 1.2.1 assessment results: one result, one finding
//! per control, one observation per policy finding linking to the evidence
//! files it rests on. UUIDs are derived from the assessment's digest, so the
//! same assessment always gives the same document.

use std::collections::{BTreeMap, BTreeSet};

use chrono::SecondsFormat;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use vouch_sdk::EvidenceSet;
use vouch_sdk::assessment::{Assessment, ControlStatus};

use crate::layout;

pub mod component;

/// The OSCAL version the document conforms to.
pub const OSCAL_VERSION: &str = "1.2.1";
/// Namespace of Vouch's OSCAL properties.
const NS: &str = "https://vouch.dev/ns/oscal";

/// The OSCAL assessment-results document for `assessment`, whose canonical
/// bytes have the sha256 `seed`.
pub fn assessment_results(assessment: &Assessment, evidence: &EvidenceSet, seed: &str) -> Value {
    let uuid = |label: &str| derived_uuid(seed, label);
    let now = assessment.now.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    let artifacts = artifacts_by_capability(evidence);

    let mut observations = Vec::new();
    let mut by_policy: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (i, finding) in assessment.findings.iter().enumerate() {
        let id = uuid(&format!("observation/{i}"));
        by_policy
            .entry(finding.policy.as_str())
            .or_default()
            .push(id.clone());
        let mut evidence = vec![json!({
            "href": format!("../{}", layout::ASSESSMENT),
            "description": format!("finding {} of the assessment", i + 1),
        })];
        for origin in artifacts
            .get(finding.subject.as_str())
            .into_iter()
            .flatten()
        {
            evidence.push(json!({
                "href": format!("../{}/{}/{}", layout::EVIDENCE_DIR, layout::RAW_DIR, origin.path),
                "description": format!("raw artifact from source `{}`", origin.source),
                "props": [prop("sha256", origin.sha256)],
            }));
        }
        observations.push(json!({
            "uuid": id,
            "title": line(&format!("{} on {}", finding.policy, finding.subject)),
            "description": non_empty(&finding.message),
            "props": [
                prop("policy", &finding.policy),
                prop("subject", &finding.subject),
                prop("status", &status_name(&finding.status)),
            ],
            "methods": ["TEST"],
            "types": ["finding"],
            "collected": now,
            "relevant-evidence": evidence,
        }));
    }

    let findings: Vec<Value> = assessment
        .controls
        .iter()
        .map(|control| {
            let (state, reason) = match control.status {
                ControlStatus::Satisfied => ("satisfied", "pass"),
                ControlStatus::NotSatisfied => ("not-satisfied", "fail"),
                ControlStatus::NoEvidence | ControlStatus::Error => ("not-satisfied", "other"),
            };
            let related: Vec<Value> = control
                .policies
                .iter()
                .flat_map(|p| by_policy.get(p.as_str()).into_iter().flatten())
                .map(|id| json!({ "observation-uuid": id }))
                .collect();
            let mut finding = json!({
                "uuid": uuid(&format!("finding/{}/{}", control.framework, control.control)),
                "title": line(&format!("{} {}: {}", control.framework, control.control, control.title)),
                "description": format!(
                    "Vouch status `{}`, from policies: {}.",
                    status_name(&control.status),
                    if control.policies.is_empty() { "none".to_owned() } else { control.policies.join(", ") },
                ),
                "props": [
                    prop("framework", &control.framework),
                    prop("control", &control.control),
                    prop("status", &status_name(&control.status)),
                    prop("waived", &control.waived.to_string()),
                ],
                "target": {
                    "type": "objective-id",
                    "target-id": token(&format!("{}-{}", control.framework, control.control)),
                    "status": { "state": state, "reason": reason },
                },
            });
            if !related.is_empty() {
                finding["related-observations"] = Value::Array(related);
            }
            finding
        })
        .collect();

    let mut result = json!({
        "uuid": uuid("result"),
        "title": line(&format!("Continuity assessment of {}", assessment.organisation)),
        "description": format!(
            "Vouch policies judged the continuity evidence of {} for the audit window {} to {}, as of {}.",
            assessment.organisation, assessment.window.start, assessment.window.end, now
        ),
        "start": now,
        "reviewed-controls": { "control-selections": [{ "include-all": {} }] },
    });
    if !observations.is_empty() {
        result["observations"] = Value::Array(observations);
    }
    if !findings.is_empty() {
        result["findings"] = Value::Array(findings);
    }
    json!({
        "assessment-results": {
            "uuid": uuid("document"),
            "metadata": {
                "title": line(&format!("Continuity assessment of {}", assessment.organisation)),
                "last-modified": now,
                "version": format!("{}..{}", assessment.window.start, assessment.window.end),
                "oscal-version": OSCAL_VERSION,
                "props": [
                    prop("window-start", &assessment.window.start.to_string()),
                    prop("window-end", &assessment.window.end.to_string()),
                ],
            },
            "import-ap": {
                "href": format!("../{}", layout::PLAN),
                "remarks": "The Vouch continuity plan the assessment was made against; Vouch has no OSCAL assessment plan.",
            },
            "results": [result],
        }
    })
}

/// A raw artifact, ordered by path.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Artifact<'a> {
    path: &'a str,
    source: &'a str,
    sha256: &'a str,
}

/// The distinct raw artifacts behind each capability's records.
fn artifacts_by_capability(evidence: &EvidenceSet) -> BTreeMap<&str, BTreeSet<Artifact<'_>>> {
    let mut out: BTreeMap<&str, BTreeSet<Artifact<'_>>> = BTreeMap::new();
    let records = evidence
        .runbooks
        .iter()
        .map(|r| (Some(r.capability.as_str()), &r.origin))
        .chain(
            evidence
                .code
                .iter()
                .map(|c| (Some(c.capability.as_str()), &c.origin)),
        )
        .chain(
            evidence
                .drills
                .iter()
                .map(|d| (d.capability.as_deref(), &d.origin)),
        )
        .chain(
            evidence
                .incidents
                .iter()
                .map(|i| (i.capability.as_deref(), &i.origin)),
        );
    for (capability, origin) in records {
        if let Some(capability) = capability {
            out.entry(capability).or_default().insert(Artifact {
                path: &origin.artifact,
                source: &origin.source,
                sha256: &origin.sha256,
            });
        }
    }
    out
}

/// A name-based UUID (version 5 layout, sha256 in place of SHA-1).
fn derived_uuid(seed: &str, label: &str) -> String {
    let digest = Sha256::digest(format!("{seed}/{label}"));
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn prop(name: &str, value: &str) -> Value {
    json!({ "name": name, "ns": NS, "value": non_empty(value) })
}

/// OSCAL strings may not be empty nor start or end with whitespace.
fn non_empty(text: &str) -> String {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        "(none)".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// A markup line: no line breaks.
fn line(text: &str) -> String {
    non_empty(&text.replace(['\n', '\r'], " "))
}

/// An XML NCName, as OSCAL tokens must be: letters, digits, `.`, `-`, `_`,
/// starting with a letter or `_`.
fn token(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

fn status_name(status: &impl serde::Serialize) -> String {
    match serde_json::to_value(status) {
        Ok(Value::String(s)) => s,
        _ => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuids_fit_the_oscal_pattern() {
        let id = super::derived_uuid("seed", "x");
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "5");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn tokens_are_ncnames() {
        assert_eq!(super::token("soc2-A1.2"), "soc2-A1.2");
        assert_eq!(super::token("9.1 x"), "_9.1_x");
    }
}
