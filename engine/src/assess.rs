//! From loaded policies, a plan and an evidence set to an [`Assessment`]:
//! run every policy, run each custom framework commitment, apply the plan's
//! waivers and compute every control's status.
//!
//! The rules (also in docs/formats.md, "Assessment"):
//!
//! - **Runs.** Every loaded, enabled policy runs once with its `[policies.ID]`
//!   parameters; its findings evidence the standard controls its metadata
//!   names. Each commitment of a custom framework runs its policy again, with
//!   the commitment's parameters merged over the policy's own (top-level keys;
//!   the commitment wins) and the plan's `capabilities` narrowed to the
//!   commitment's scope, so the policy judges only what the commitment
//!   promises. Findings whose subject is a capability outside the scope are
//!   dropped as well, for policies that walk the evidence rather than the plan.
//! - **Waivers** ([`crate::waivers`]) turn matching `fail` findings into
//!   `waived`; they are counted apart in each control's `waived`.
//! - **Control status**, highest precedence first: any `fail` finding →
//!   `not-satisfied`; else a run that failed or an `error` finding → `error`;
//!   else any `pass`, `warn` or `waived` finding → `satisfied` (`warn` is met
//!   with a caveat); else → `no-evidence` (no policy evidences the control, or
//!   its policies found only `not-applicable` subjects or none at all).
//!   A failure outranks an error because it is already known that the control
//!   is not met; neither is ever reported as satisfied.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use vouch_sdk::assessment::{
    AssessedFinding, ControlResult, ControlStatus, FindingStatus, PolicyRun,
};
use vouch_sdk::plan::Commitment;
use vouch_sdk::{Assessment, EvidenceSet, Finding, Metadata, Plan};

use crate::controls::Catalogs;
use crate::request::{Chunk, Requests};
use crate::waivers::Waivers;
use crate::{Evaluation, Policy};

/// What one run of a policy produced, before waivers.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The policy's id.
    pub policy: String,
    /// The policy's version.
    pub version: String,
    /// sha256 of its component.
    pub sha256: String,
    /// The controls its metadata names (`framework:control`).
    pub controls: Vec<String>,
    /// The commitment this run evidences (`framework:commitment`), if any.
    pub commitment: Option<String>,
    /// Fuel burned (0 when the run failed before finishing).
    pub fuel_used: u64,
    /// Its findings, or why it produced none.
    pub outcome: Result<Vec<Finding>, String>,
}

/// Why an assessment could not be made: bad input, never a policy's own
/// failure (that becomes `error` for its controls).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AssessError {
    /// The plan or evidence could not be turned into a request.
    #[error("cannot encode the {what} as JSON for the policies")]
    #[diagnostic(code(vouch::assess::encode))]
    Encode {
        /// `plan and evidence` or `parameters`.
        what: &'static str,
        /// Why.
        #[source]
        source: serde_json::Error,
    },

    /// The plan's parameters for a policy break the policy's schema.
    #[error("the parameters of policy `{policy}` in {place} do not match its schema: {problems}")]
    #[diagnostic(
        code(vouch::assess::params),
        help(
            "fix `params` in the plan; `vouch policy inspect FILE.wasm` shows the parameter schema"
        )
    )]
    Params {
        /// The policy's id.
        policy: String,
        /// `[policies.ID]` or the commitment.
        place: String,
        /// Each problem, as `/pointer: message`.
        problems: String,
    },

    /// The policy's own parameter schema is not a JSON Schema.
    #[error(
        "policy `{policy}` declares a parameter schema that is not a valid JSON Schema: {reason}"
    )]
    #[diagnostic(
        code(vouch::assess::schema),
        help("this is a bug in the policy; its author must fix `params_schema`")
    )]
    Schema {
        /// The policy's id.
        policy: String,
        /// What the schema compiler said.
        reason: String,
    },
}

/// Checks `params` against `policy`'s parameter schema; `place` says where
/// in the plan they come from.
fn check_params(
    policy: &Policy,
    params: &serde_json::Value,
    place: impl FnOnce() -> String,
) -> Result<(), AssessError> {
    let id = &policy.metadata().id;
    let validator = jsonschema::validator_for(&policy.metadata().params_schema).map_err(|e| {
        AssessError::Schema {
            policy: id.clone(),
            reason: e.to_string(),
        }
    })?;
    let mut problems: Vec<String> = validator
        .iter_errors(params)
        .map(|e| {
            let at = e.instance_path.to_string();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("`{at}`: {e}")
            }
        })
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    // What the policy does take, since schema errors rarely say.
    let known: Vec<String> = policy.metadata().params_schema["properties"]
        .as_object()
        .map(|p| p.keys().map(|k| format!("`{k}`")).collect())
        .unwrap_or_default();
    problems.push(if known.is_empty() {
        "the policy takes no parameters".to_owned()
    } else {
        format!("the policy takes {}", known.join(", "))
    });
    Err(AssessError::Params {
        policy: id.clone(),
        place: place(),
        problems: problems.join("; "),
    })
}

/// Runs `policies` on `plan` and `evidence` as of `now`, all runs in
/// parallel, and assembles the assessment. A policy that fails to run makes
/// its controls `error`; the other policies still run. Each run's requests
/// come from [`Requests`]: only the evidence kinds the policy reads, in
/// chunks of capabilities where the policy allows it and its evidence is
/// large.
pub fn evaluate(
    plan: &Plan,
    evidence: &EvidenceSet,
    policies: &[Policy],
    catalogs: &Catalogs,
    now: DateTime<Utc>,
) -> Result<Assessment, AssessError> {
    let requests = Requests::new(plan, evidence, now).map_err(|source| AssessError::Encode {
        what: "plan and evidence",
        source,
    })?;
    let enabled = |p: &&Policy| {
        plan.policies
            .get(&p.metadata().id)
            .is_none_or(|c| c.enabled)
    };
    let own_params = |id: &str| {
        plan.policies
            .get(id)
            .map(|c| c.params.clone())
            .unwrap_or_default()
    };
    let everything: Vec<usize> = (0..plan.capabilities.len()).collect();

    // Every run is prepared first, then all their chunks are evaluated in
    // parallel.
    let mut specs: Vec<Spec<'_>> = Vec::new();
    let mut warnings = Vec::new();
    for policy in policies.iter().filter(enabled) {
        let id = &policy.metadata().id;
        let params = serde_json::Value::Object(own_params(id));
        check_params(policy, &params, || format!("`[policies.{id}]`"))?;
        specs.push(Spec::new(
            policy,
            None,
            &params,
            everything.clone(),
            BTreeSet::new(),
        )?);
    }
    for framework in &plan.frameworks.custom {
        for commitment in &framework.commitments {
            let reference = format!("{}:{}", framework.id, commitment.id);
            let Some(policy) = policies
                .iter()
                .filter(enabled)
                .find(|p| p.metadata().id == commitment.policy)
            else {
                warnings.push(format!(
                    "commitment `{reference}` names policy `{}`, which is not loaded or not \
                     enabled; the commitment has no evidence",
                    commitment.policy
                ));
                continue;
            };
            let scope = scope(plan, commitment);
            let mut params = own_params(&commitment.policy);
            params.extend(commitment.params.clone());
            let params = serde_json::Value::Object(params);
            check_params(policy, &params, || format!("commitment `{reference}`"))?;
            let (inside, outside): (Vec<usize>, BTreeSet<&str>) = {
                let ids = plan.capabilities.iter().map(|c| c.id.as_str());
                let inside = ids.clone().enumerate().filter(|(_, id)| scope.contains(id));
                let outside = ids.filter(|id| !scope.contains(id));
                (inside.map(|(i, _)| i).collect(), outside.collect())
            };
            specs.push(Spec::new(
                policy,
                Some(reference),
                &params,
                inside,
                outside,
            )?);
        }
    }
    // The chunks of every run, grouped: runs reading the same evidence of
    // the same chunk (the incident policies, say) share its encoding.
    let mut groups: Vec<Group<'_>> = Vec::new();
    for (run, spec) in specs.iter().enumerate() {
        let metadata = spec.policy.metadata();
        let carried = Requests::carried(metadata);
        let chunks = requests.chunks(metadata, spec.scope.clone(), spec.policy.chunk_bytes());
        for (n, chunk) in chunks.into_iter().enumerate() {
            match groups
                .iter_mut()
                .find(|g| g.carried == carried && g.chunk == chunk)
            {
                Some(group) => group.members.push((run, n)),
                None => groups.push(Group {
                    carried,
                    chunk,
                    metadata,
                    members: vec![(run, n)],
                }),
            }
        }
    }
    let mut done: Vec<(usize, usize, Result<Evaluation, String>)> = groups
        .into_par_iter()
        .flat_map_iter(|group| {
            let head = requests
                .head(group.metadata, &group.chunk)
                .map_err(|e| format!("cannot encode the request: {e}"));
            let (specs, requests) = (&specs, &requests);
            group.members.into_iter().map(move |(run, n)| {
                let spec = &specs[run];
                let outcome = match &head {
                    Ok(head) => spec.evaluate(&requests.finish(head, &spec.params)),
                    Err(error) => Err(error.clone()),
                };
                (run, n, outcome)
            })
        })
        .collect();
    done.sort_by_key(|(run, n, _)| (*run, *n));
    drop(requests);
    let mut runs = Vec::with_capacity(specs.len());
    for (index, spec) in specs.into_iter().enumerate() {
        let end = done
            .iter()
            .position(|(run, _, _)| *run != index)
            .unwrap_or(done.len());
        let chunks = done.drain(..end).map(|(_, _, outcome)| outcome).collect();
        runs.push(spec.merge(chunks));
    }
    let mut assessment = assemble(plan, catalogs, runs, now);
    warnings.append(&mut assessment.warnings);
    assessment.warnings = warnings;
    Ok(assessment)
}

/// The capabilities a commitment covers: those it names plus those of the
/// tiers it names; every capability when it names neither.
fn scope<'a>(plan: &'a Plan, commitment: &Commitment) -> BTreeSet<&'a str> {
    let everything = commitment.capabilities.is_empty() && commitment.tiers.is_empty();
    plan.capabilities
        .iter()
        .filter(|c| {
            everything
                || commitment.capabilities.contains(&c.id)
                || commitment.tiers.contains(&c.tier)
        })
        .map(|c| c.id.as_str())
        .collect()
}

/// Runs' chunks that carry the same evidence of the same chunk, so share
/// one encoding of it: `(run, chunk number)` each.
struct Group<'a> {
    carried: u8,
    chunk: Chunk,
    metadata: &'a Metadata,
    members: Vec<(usize, usize)>,
}

/// One run to make: a policy, its parameters as JSON, the capabilities it
/// judges (indices into the plan's), and those whose findings it must not
/// report (outside a commitment's scope).
struct Spec<'a> {
    policy: &'a Policy,
    commitment: Option<String>,
    params: String,
    scope: Vec<usize>,
    outside: BTreeSet<&'a str>,
}

impl<'a> Spec<'a> {
    fn new(
        policy: &'a Policy,
        commitment: Option<String>,
        params: &serde_json::Value,
        scope: Vec<usize>,
        outside: BTreeSet<&'a str>,
    ) -> Result<Self, AssessError> {
        let params = serde_json::to_string(params).map_err(|source| AssessError::Encode {
            what: "parameters",
            source,
        })?;
        Ok(Self {
            policy,
            commitment,
            params,
            scope,
            outside,
        })
    }

    /// Evaluates one chunk of the run, given its request.
    fn evaluate(&self, request: &str) -> Result<Evaluation, String> {
        self.policy
            .evaluate_json(request)
            .map_err(|error| error_chain(&error))
    }

    /// The run from its chunks' outcomes, in order: their findings, each
    /// distinct one once when there are several chunks (a finding about a
    /// source comes from every chunk), or the first error.
    fn merge(self, chunks: Vec<Result<Evaluation, String>>) -> Run {
        let metadata = self.policy.metadata();
        let chunked = chunks.len() > 1;
        let mut fuel_used = 0;
        let mut outcome: Result<Vec<Finding>, String> = Ok(Vec::new());
        let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
        for chunk in chunks {
            let Ok(findings) = &mut outcome else {
                break;
            };
            let evaluation = match chunk {
                Ok(evaluation) => evaluation,
                Err(error) => {
                    outcome = Err(error);
                    fuel_used = 0;
                    break;
                }
            };
            fuel_used += evaluation.fuel_consumed;
            for finding in evaluation.findings {
                if self.outside.contains(finding.subject.as_str()) {
                    continue;
                }
                if chunked {
                    let same = seen.entry(finding.subject.clone()).or_default();
                    if same.iter().any(|&i| findings[i] == finding) {
                        continue;
                    }
                    same.push(findings.len());
                }
                findings.push(finding);
            }
        }
        Run {
            policy: metadata.id.clone(),
            version: metadata.version.clone(),
            sha256: self.policy.sha256().to_owned(),
            controls: metadata.controls.clone(),
            commitment: self.commitment,
            fuel_used,
            outcome,
        }
    }
}

/// An error and its sources on one line, as the assessment records it.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Assembles the assessment from finished runs: waivers applied, findings
/// sorted, and every control of every enabled framework judged.
pub fn assemble(
    plan: &Plan,
    catalogs: &Catalogs,
    mut runs: Vec<Run>,
    now: DateTime<Utc>,
) -> Assessment {
    let waivers = Waivers::new(&plan.waivers, now.date_naive());
    let mut warnings = waivers.warnings();

    let mut policies = Vec::with_capacity(runs.len());
    let mut findings = Vec::new();
    for run in &mut runs {
        policies.push(PolicyRun {
            id: run.policy.clone(),
            version: run.version.clone(),
            sha256: run.sha256.clone(),
            commitment: run.commitment.clone(),
            fuel_used: run.fuel_used,
            error: run.outcome.as_ref().err().cloned(),
        });
        // Moved, not copied: a large assessment has a million findings.
        let found = run.outcome.as_mut().map(std::mem::take).unwrap_or_default();
        for finding in found {
            let mut assessed = AssessedFinding {
                policy: run.policy.clone(),
                commitment: run.commitment.clone(),
                subject: finding.subject,
                status: finding.status.into(),
                message: finding.message,
                evidence: finding.evidence,
                measurements: finding.measurements,
                waiver: None,
            };
            waivers.apply(&mut assessed);
            findings.push(assessed);
        }
    }
    // Stable: a policy's own order is kept among equal keys.
    findings.sort_by(|a, b| {
        (&a.policy, &a.commitment, &a.subject).cmp(&(&b.policy, &b.commitment, &b.subject))
    });
    policies.sort_by(|a, b| (&a.id, &a.commitment).cmp(&(&b.id, &b.commitment)));

    let mut controls = Vec::new();
    for id in &plan.frameworks.enabled {
        let Some(framework) = catalogs.framework(id) else {
            warnings.push(format!(
                "framework `{id}` has no catalog; it is not reported"
            ));
            continue;
        };
        for control in &framework.controls {
            let reference = format!("{}:{}", framework.id, control.id);
            let mapped: Vec<&Run> = runs
                .iter()
                .filter(|r| r.commitment.is_none() && r.controls.contains(&reference))
                .collect();
            controls.push(judge(
                &framework.id,
                &control.id,
                &control.title,
                &mapped,
                &findings,
            ));
        }
    }
    for framework in &plan.frameworks.custom {
        for commitment in &framework.commitments {
            let reference = format!("{}:{}", framework.id, commitment.id);
            let mapped: Vec<&Run> = runs
                .iter()
                .filter(|r| r.commitment.as_deref() == Some(reference.as_str()))
                .collect();
            let mut result = judge(
                &framework.id,
                &commitment.id,
                &commitment.title,
                &mapped,
                &findings,
            );
            // Named even when it did not run, so the reader sees what was expected.
            result.policies = vec![commitment.policy.clone()];
            controls.push(result);
        }
    }

    let metrics = crate::metrics::compute(&policies, &findings);
    Assessment {
        organisation: plan.organisation.name.clone(),
        window: plan.audit,
        now,
        policies,
        findings,
        controls,
        warnings,
        metrics,
    }
}

/// The status of one control from the runs that evidence it and their
/// findings (waivers applied).
fn judge(
    framework: &str,
    control: &str,
    title: &str,
    runs: &[&Run],
    findings: &[AssessedFinding],
) -> ControlResult {
    let mut failed = false;
    let mut errored = runs.iter().any(|r| r.outcome.is_err());
    let mut judged = false;
    let mut waived = 0;
    for finding in findings.iter().filter(|f| {
        runs.iter()
            .any(|r| r.policy == f.policy && r.commitment == f.commitment)
    }) {
        match finding.status {
            FindingStatus::Fail => failed = true,
            FindingStatus::Error => errored = true,
            FindingStatus::Pass | FindingStatus::Warn => judged = true,
            FindingStatus::Waived => {
                judged = true;
                waived += 1;
            }
            FindingStatus::NotApplicable => {}
        }
    }
    let status = if failed {
        ControlStatus::NotSatisfied
    } else if errored {
        ControlStatus::Error
    } else if judged {
        ControlStatus::Satisfied
    } else {
        ControlStatus::NoEvidence
    };
    let mut policies: Vec<String> = runs.iter().map(|r| r.policy.clone()).collect();
    policies.sort();
    policies.dedup();
    ControlResult {
        framework: framework.to_owned(),
        control: control.to_owned(),
        title: title.to_owned(),
        status,
        policies,
        waived,
    }
}

#[cfg(test)]
mod tests {
    use vouch_sdk::Status;
    use vouch_sdk::plan::{CustomFramework, Waiver};

    use super::*;

    const PLAN: &str = r#"
        [organisation]
        name = "Test Org"
        [audit]
        start = "2026-01-01"
        end = "2026-12-31"
        [tiers.t1]
        level = 1
        max_runbook_age = "90d"
        [tiers.t2]
        level = 2
        max_runbook_age = "180d"
        [[capabilities]]
        id = "api"
        name = "API"
        tier = "t1"
        rto = "1h"
        rpo = "5m"
        owner = "team"
        [[capabilities]]
        id = "web"
        name = "Web"
        tier = "t2"
        rto = "4h"
        rpo = "1h"
        owner = "team"
        [frameworks]
        enabled = ["soc2"]
    "#;

    fn plan() -> Plan {
        vouch_sdk::plan::load::parse("vouch.toml", PLAN).unwrap()
    }

    fn now() -> DateTime<Utc> {
        "2026-06-30T12:00:00Z".parse().unwrap()
    }

    fn run(policy: &str, controls: &[&str], outcome: Result<Vec<Finding>, String>) -> Run {
        Run {
            policy: policy.into(),
            version: "1.0.0".into(),
            sha256: "00".into(),
            controls: controls.iter().map(|c| (*c).to_owned()).collect(),
            commitment: None,
            fuel_used: 7,
            outcome,
        }
    }

    fn control<'a>(assessment: &'a Assessment, framework: &str, id: &str) -> &'a ControlResult {
        assessment
            .controls
            .iter()
            .find(|c| c.framework == framework && c.control == id)
            .unwrap()
    }

    fn assess(plan: &Plan, runs: Vec<Run>) -> Assessment {
        assemble(plan, &Catalogs::standard().unwrap(), runs, now())
    }

    #[test]
    fn every_control_of_an_enabled_framework_is_reported() {
        let assessment = assess(&plan(), Vec::new());
        let ids: Vec<&str> = assessment
            .controls
            .iter()
            .map(|c| c.control.as_str())
            .collect();
        assert_eq!(ids, ["A1.2", "A1.3", "CC7.4", "CC7.5", "CC9.1"]);
        assert!(
            assessment
                .controls
                .iter()
                .all(|c| c.status == ControlStatus::NoEvidence && c.policies.is_empty())
        );
    }

    #[test]
    fn control_status_follows_the_precedence() {
        let runs = vec![
            // A1.2: pass, warn and not-applicable → satisfied.
            run(
                "ok",
                &["soc2:A1.2"],
                Ok(vec![
                    Finding::pass("api", ""),
                    Finding::warn("web", ""),
                    Finding::not_applicable("db", ""),
                ]),
            ),
            // A1.3: one failure among passes → not-satisfied, even with an error.
            run("ok2", &["soc2:A1.3"], Ok(vec![Finding::pass("api", "")])),
            run(
                "bad",
                &["soc2:A1.3", "soc2:CC7.4"],
                Ok(vec![Finding::fail("web", "")]),
            ),
            run("broken", &["soc2:A1.3"], Err("trapped".into())),
            // CC7.5: a run error alone → error.
            run("broken2", &["soc2:CC7.5"], Err("out of fuel".into())),
            // CC9.1: only not-applicable → no-evidence.
            run(
                "na",
                &["soc2:CC9.1"],
                Ok(vec![Finding::not_applicable("api", "")]),
            ),
        ];
        let assessment = assess(&plan(), runs);
        let status = |id| control(&assessment, "soc2", id).status;
        assert_eq!(status("A1.2"), ControlStatus::Satisfied);
        assert_eq!(status("A1.3"), ControlStatus::NotSatisfied);
        assert_eq!(status("CC7.4"), ControlStatus::NotSatisfied);
        assert_eq!(status("CC7.5"), ControlStatus::Error);
        assert_eq!(status("CC9.1"), ControlStatus::NoEvidence);
        assert_eq!(
            control(&assessment, "soc2", "A1.3").policies,
            ["bad", "broken", "ok2"]
        );
        let broken = assessment
            .policies
            .iter()
            .find(|p| p.id == "broken")
            .unwrap();
        assert_eq!(broken.error.as_deref(), Some("trapped"));
    }

    #[test]
    fn an_error_finding_makes_the_control_error() {
        let runs = vec![run(
            "p",
            &["soc2:A1.2"],
            Ok(vec![
                Finding::pass("api", ""),
                Finding::error("web", "no drills collected"),
            ]),
        )];
        let assessment = assess(&plan(), runs);
        assert_eq!(
            control(&assessment, "soc2", "A1.2").status,
            ControlStatus::Error
        );
    }

    #[test]
    fn waived_failures_satisfy_the_control_and_are_counted_apart() {
        let mut plan = plan();
        plan.waivers = vec![
            Waiver {
                policy: "p".into(),
                subject: "web".into(),
                justification: "migrating".into(),
                approver: "cto".into(),
                expires: "2026-06-30".parse().unwrap(),
            },
            Waiver {
                policy: "p".into(),
                subject: "api".into(),
                justification: "old".into(),
                approver: "cto".into(),
                expires: "2026-01-31".parse().unwrap(),
            },
        ];
        let runs = vec![run(
            "p",
            &["soc2:A1.2", "soc2:A1.3"],
            Ok(vec![
                Finding::fail("web", "stale"),
                Finding::pass("api", ""),
            ]),
        )];
        let assessment = assess(&plan, runs);
        let a12 = control(&assessment, "soc2", "A1.2");
        assert_eq!(a12.status, ControlStatus::Satisfied);
        assert_eq!(a12.waived, 1);
        let web = assessment
            .findings
            .iter()
            .find(|f| f.subject == "web")
            .unwrap();
        assert_eq!(web.status, FindingStatus::Waived);
        assert_eq!(web.waiver.as_ref().unwrap().original_status, Status::Fail);
        assert_eq!(assessment.warnings.len(), 1, "{:?}", assessment.warnings);
        assert!(assessment.warnings[0].contains("expired on 2026-01-31"));
    }

    #[test]
    fn an_expired_waiver_leaves_the_control_not_satisfied() {
        let mut plan = plan();
        plan.waivers = vec![Waiver {
            policy: "p".into(),
            subject: "web".into(),
            justification: "migrating".into(),
            approver: "cto".into(),
            expires: "2026-06-29".parse().unwrap(),
        }];
        let runs = vec![run(
            "p",
            &["soc2:A1.2"],
            Ok(vec![Finding::fail("web", "stale")]),
        )];
        let assessment = assess(&plan, runs);
        let a12 = control(&assessment, "soc2", "A1.2");
        assert_eq!(a12.status, ControlStatus::NotSatisfied);
        assert_eq!(a12.waived, 0);
    }

    #[test]
    fn commitments_are_reported_like_controls_from_their_own_runs() {
        let mut plan = plan();
        plan.frameworks.custom = vec![CustomFramework {
            id: "msa".into(),
            title: "MSA".into(),
            commitments: vec![
                Commitment {
                    id: "3.1".into(),
                    title: "RTO".into(),
                    policy: "p".into(),
                    params: serde_json::Map::new(),
                    capabilities: Vec::new(),
                    tiers: vec!["t1".into()],
                },
                Commitment {
                    id: "3.2".into(),
                    title: "Missing".into(),
                    policy: "absent".into(),
                    params: serde_json::Map::new(),
                    capabilities: Vec::new(),
                    tiers: Vec::new(),
                },
            ],
        }];
        // The policy's own run fails `web`; the commitment's (tier t1 only) passes.
        let mut committed = run("p", &["soc2:A1.2"], Ok(vec![Finding::pass("api", "")]));
        committed.commitment = Some("msa:3.1".into());
        let runs = vec![
            run("p", &["soc2:A1.2"], Ok(vec![Finding::fail("web", "")])),
            committed,
        ];
        let assessment = assess(&plan, runs);
        assert_eq!(
            control(&assessment, "soc2", "A1.2").status,
            ControlStatus::NotSatisfied
        );
        let c31 = control(&assessment, "msa", "3.1");
        assert_eq!(c31.status, ControlStatus::Satisfied);
        assert_eq!(c31.title, "RTO");
        let c32 = control(&assessment, "msa", "3.2");
        assert_eq!(c32.status, ControlStatus::NoEvidence);
        assert_eq!(c32.policies, ["absent"]);
        assert_eq!(
            scope(&plan, &plan.frameworks.custom[0].commitments[0]),
            BTreeSet::from(["api"])
        );
        assert_eq!(
            scope(&plan, &plan.frameworks.custom[0].commitments[1]),
            BTreeSet::from(["api", "web"])
        );
    }

    #[test]
    fn findings_are_sorted_by_policy_then_subject() {
        let runs = vec![
            run(
                "z",
                &[],
                Ok(vec![Finding::pass("b", ""), Finding::pass("a", "")]),
            ),
            run("a", &[], Ok(vec![Finding::pass("c", "")])),
        ];
        let assessment = assess(&plan(), runs);
        let order: Vec<(&str, &str)> = assessment
            .findings
            .iter()
            .map(|f| (f.policy.as_str(), f.subject.as_str()))
            .collect();
        assert_eq!(order, [("a", "c"), ("z", "a"), ("z", "b")]);
    }
}
