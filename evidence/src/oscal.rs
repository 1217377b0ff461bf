//! The assessment as OSCAL 1.2.1 assessment results: one result, one finding
//! per control, one observation per policy finding linking to the evidence
//! files it rests on. UUIDs are derived from the assessment's digest, so the
//! same assessment always gives the same document.

use std::collections::{BTreeMap, BTreeSet};
use std::io;

use chrono::SecondsFormat;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use vouch_sdk::assessment::{AssessedFinding, Assessment, ControlResult, ControlStatus};
use vouch_sdk::evidence::Origin;

use crate::canonical::{Part, Sink};
use crate::layout;

pub mod component;

/// The OSCAL version the document conforms to.
pub const OSCAL_VERSION: &str = "1.2.1";
/// Namespace of Vouch's OSCAL properties.
const NS: &str = "https://vouch.dev/ns/oscal";

/// Hands each of the assessment's findings, in order, to the handler.
pub type Findings<'a> =
    Box<dyn FnOnce(&mut dyn FnMut(AssessedFinding) -> io::Result<()>) -> io::Result<()> + 'a>;

/// The OSCAL assessment-results document for `assessment`, whose canonical
/// bytes have the sha256 `seed`, written as it is made: its findings are
/// not read from `assessment` but from `findings`, which `index` lists.
pub fn assessment_results<'a>(
    assessment: &'a Assessment,
    index: &'a Index,
    artifacts: &'a Artifacts,
    seed: &'a str,
    findings: Findings<'a>,
) -> Part<'a> {
    let uuid = move |label: &str| derived_uuid(seed, label);
    let now = assessment.now.to_rfc3339_opts(SecondsFormat::AutoSi, true);

    let mut result = BTreeMap::from([
        ("uuid".to_owned(), json!(uuid("result")).into()),
        (
            "title".to_owned(),
            json!(line(&format!("Continuity assessment of {}", assessment.organisation))).into(),
        ),
        (
            "description".to_owned(),
            json!(format!(
                "Vouch policies judged the continuity evidence of {} for the audit window {} to {}, as of {}.",
                assessment.organisation, assessment.window.start, assessment.window.end, now
            ))
            .into(),
        ),
        ("start".to_owned(), json!(now).into()),
        (
            "reviewed-controls".to_owned(),
            json!({ "control-selections": [{ "include-all": {} }] }).into(),
        ),
    ]);
    if index.len > 0 {
        let now = now.clone();
        let observations = Part::array(move |sink| {
            let mut i = 0;
            findings(&mut |finding| {
                let observation = observation(seed, &now, artifacts, i, &finding);
                i += 1;
                sink(observation.into())
            })
        });
        result.insert("observations".to_owned(), observations);
    }
    if !assessment.controls.is_empty() {
        let controls = Part::array(move |sink| {
            assessment
                .controls
                .iter()
                .try_for_each(|control| sink(control_finding(seed, index, control)))
        });
        result.insert("findings".to_owned(), controls);
    }
    Part::object([(
        "assessment-results",
        Part::object([
            ("uuid", json!(uuid("document")).into()),
            (
                "metadata",
                json!({
                    "title": line(&format!("Continuity assessment of {}", assessment.organisation)),
                    "last-modified": now,
                    "version": format!("{}..{}", assessment.window.start, assessment.window.end),
                    "oscal-version": OSCAL_VERSION,
                    "props": [
                        prop("window-start", &assessment.window.start.to_string()),
                        prop("window-end", &assessment.window.end.to_string()),
                    ],
                })
                .into(),
            ),
            (
                "import-ap",
                json!({
                    "href": format!("../{}", layout::PLAN),
                    "remarks": "The Vouch continuity plan the assessment was made against; Vouch has no OSCAL assessment plan.",
                })
                .into(),
            ),
            ("results", Part::array(move |sink| sink(Part::Object(result)))),
        ]),
    )])
}

/// The observation of finding `i`.
fn observation(
    seed: &str,
    now: &str,
    artifacts: &Artifacts,
    i: usize,
    finding: &AssessedFinding,
) -> Value {
    let mut evidence = vec![json!({
        "href": format!("../{}", layout::ASSESSMENT),
        "description": format!("finding {} of the assessment", i + 1),
    })];
    for origin in artifacts
        .0
        .get(finding.subject.as_str())
        .into_iter()
        .flatten()
    {
        evidence.push(json!({
            "href": format!("../{}/{}/{}", layout::EVIDENCE_DIR, layout::RAW_DIR, origin.path),
            "description": format!("raw artifact from source `{}`", origin.source),
            "props": [prop("sha256", &origin.sha256)],
        }));
    }
    json!({
        "uuid": observation_uuid(seed, i),
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
    })
}

/// The OSCAL finding of one control, linking the observations of its policies.
fn control_finding<'a>(seed: &'a str, index: &'a Index, control: &'a ControlResult) -> Part<'a> {
    let (state, reason) = match control.status {
        ControlStatus::Satisfied => ("satisfied", "pass"),
        ControlStatus::NotSatisfied => ("not-satisfied", "fail"),
        ControlStatus::NoEvidence | ControlStatus::Error => ("not-satisfied", "other"),
    };
    let related = move || {
        control
            .policies
            .iter()
            .flat_map(|p| index.by_policy.get(p.as_str()).into_iter().flatten())
    };
    let mut finding = BTreeMap::from([
        (
            "uuid".to_owned(),
            json!(derived_uuid(
                seed,
                &format!("finding/{}/{}", control.framework, control.control)
            ))
            .into(),
        ),
        (
            "title".to_owned(),
            json!(line(&format!(
                "{} {}: {}",
                control.framework, control.control, control.title
            )))
            .into(),
        ),
        (
            "description".to_owned(),
            json!(format!(
                "Vouch status `{}`, from policies: {}.",
                status_name(&control.status),
                if control.policies.is_empty() {
                    "none".to_owned()
                } else {
                    control.policies.join(", ")
                },
            ))
            .into(),
        ),
        (
            "props".to_owned(),
            json!([
                prop("framework", &control.framework),
                prop("control", &control.control),
                prop("status", &status_name(&control.status)),
                prop("waived", &control.waived.to_string()),
            ])
            .into(),
        ),
        (
            "target".to_owned(),
            json!({
                "type": "objective-id",
                "target-id": token(&format!("{}-{}", control.framework, control.control)),
                "status": { "state": state, "reason": reason },
            })
            .into(),
        ),
    ]);
    if related().next().is_some() {
        let observations = Part::array(move |sink: &mut Sink<'_, 'a>| {
            related().try_for_each(|&i| {
                sink(json!({ "observation-uuid": observation_uuid(seed, i) }).into())
            })
        });
        finding.insert("related-observations".to_owned(), observations);
    }
    Part::Object(finding)
}

/// Which findings each policy made, gathered before the document is written:
/// a control's finding links the observations of its policies, and comes
/// before them.
#[derive(Debug, Default)]
pub struct Index {
    /// Finding positions, by policy.
    by_policy: BTreeMap<String, Vec<usize>>,
    /// Findings so far.
    len: usize,
}

impl Index {
    /// Notes the next finding.
    pub fn add(&mut self, finding: &AssessedFinding) {
        match self.by_policy.get_mut(finding.policy.as_str()) {
            Some(positions) => positions.push(self.len),
            None => {
                self.by_policy
                    .insert(finding.policy.clone(), vec![self.len]);
            }
        }
        self.len += 1;
    }
}

/// A raw artifact, ordered by path.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Artifact {
    path: String,
    source: String,
    sha256: String,
}

/// The distinct raw artifacts behind each capability's records.
#[derive(Debug, Default)]
pub struct Artifacts(BTreeMap<String, BTreeSet<Artifact>>);

impl Artifacts {
    /// Notes a record of `capability` (none: it is linked to no finding)
    /// from `origin`.
    pub fn add(&mut self, capability: Option<&str>, origin: &Origin) {
        let Some(capability) = capability else { return };
        let artifact = Artifact {
            path: origin.artifact.clone(),
            source: origin.source.clone(),
            sha256: origin.sha256.clone(),
        };
        match self.0.get_mut(capability) {
            Some(set) => {
                set.insert(artifact);
            }
            None => {
                self.0
                    .insert(capability.to_owned(), BTreeSet::from([artifact]));
            }
        }
    }
}

/// A name-based UUID (version 5 layout, sha256 in place of SHA-1) of
/// `seed/label`.
fn derived_uuid(seed: &str, label: &str) -> String {
    uuid_of(
        Sha256::new()
            .chain_update(seed)
            .chain_update("/")
            .chain_update(label),
    )
}

/// [`derived_uuid`] of `observation/{i}`, without formatting the label:
/// there is one per finding, and each is linked from several controls.
fn observation_uuid(seed: &str, i: usize) -> String {
    uuid_of(
        Sha256::new()
            .chain_update(seed)
            .chain_update("/observation/")
            .chain_update(i.to_string()),
    )
}

fn uuid_of(hasher: Sha256) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = hasher.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, byte) in b.into_iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
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
    fn observation_uuids_are_derived_uuids() {
        assert_eq!(
            super::observation_uuid("seed", 12),
            super::derived_uuid("seed", "observation/12")
        );
        // What the first version, which formatted the hex digest, gave.
        assert_eq!(
            super::derived_uuid("seed", "x"),
            "d2cef835-73f3-5816-82f8-7b8406a92656"
        );
    }

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
