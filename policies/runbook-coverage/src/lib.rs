//! `runbook-coverage`: every capability of the configured tiers has at least
//! one runbook, and every runbook names an owner. Capability subjects come
//! first, in plan order, then runbook subjects by path.

use serde::Deserialize;
use vouch_sdk::evidence::{EvidenceSet, Runbook};
use vouch_sdk::judge;
use vouch_sdk::plan::{Capability, Plan};
use vouch_sdk::{Finding, Measurement, Metadata, Policy, Request, Severity};

struct RunbookCoverage;

/// The policy's parameters (see `params_schema`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    tiers: Option<Vec<String>>,
}

impl Params {
    fn covers(&self, capability: &Capability) -> bool {
        self.tiers
            .as_ref()
            .is_none_or(|tiers| tiers.contains(&capability.tier))
    }
}

impl Policy for RunbookCoverage {
    fn metadata() -> Metadata {
        Metadata {
            id: "runbook-coverage".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Every capability has a runbook with an owner".into(),
            description: "Every capability of the configured tiers has at least one runbook in \
                          the collected repositories (its `runbooks` globs match a file at the \
                          collected commit), and every runbook names an owner in its front \
                          matter, so someone answers for keeping it right. A gap in the runbook \
                          evidence fails."
                .into(),
            severity: Severity::High,
            evidence: vec!["runbooks".into()],
            params_schema: serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "tiers": {
                        "type": "array",
                        "items": { "type": "string" },
                        "uniqueItems": true,
                        "description": "Tier ids whose capabilities must have runbooks, e.g. \
                                        `[\"tier-1\", \"tier-2\"]`; every tier when left out."
                    }
                }
            }),
            partition: vouch_sdk::Partition::Whole,
            controls: vec![
                "soc2:CC9.1".into(),
                "iso27001:5.24".into(),
                "iso27001:5.29".into(),
                "iso22301:8.4".into(),
                "nist-800-53:CP-2".into(),
                "nist-800-53:IR-8".into(),
                "dora:Art.11".into(),
                "hipaa:164.308(a)(7)(i)".into(),
                "hipaa:164.308(a)(7)(ii)(B)".into(),
                "hipaa:164.308(a)(7)(ii)(C)".into(),
                "pci-dss:12.10.1".into(),
            ],
        }
    }

    fn evaluate(request: &Request) -> Result<Vec<Finding>, String> {
        let plan = request.plan()?;
        let evidence = request.evidence()?;
        Ok(judge_coverage(&plan, &evidence, &request.params()?))
    }
}

vouch_sdk::export_policy!(RunbookCoverage);

fn judge_coverage(plan: &Plan, evidence: &EvidenceSet, params: &Params) -> Vec<Finding> {
    let runbooks = judge::runbooks_by_path(plan, evidence);
    let mut findings: Vec<Finding> = plan
        .capabilities
        .iter()
        .map(|capability| {
            let own: Vec<&Runbook> = runbooks
                .iter()
                .filter(|(_, served)| served.iter().any(|c| c.id == capability.id))
                .map(|(runbook, _)| *runbook)
                .collect();
            coverage(capability, &own, params)
        })
        .collect();
    findings.extend(
        runbooks
            .iter()
            .map(|(runbook, served)| ownership(runbook, served, params)),
    );
    findings.extend(judge::gap_findings(
        evidence,
        &["runbooks"],
        "runbooks it holds are missing from this check",
    ));
    findings
}

fn coverage(capability: &Capability, runbooks: &[&Runbook], params: &Params) -> Finding {
    let id = capability.id.as_str();
    if !params.covers(capability) {
        return Finding::not_applicable(
            id,
            format!(
                "`{id}` is in {}, which the parameters' `tiers` leave out",
                capability.tier
            ),
        )
        .with_evidence(judge::capability_ref(id));
    }
    let globs = capability
        .runbooks
        .iter()
        .map(|glob| format!("`{glob}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let finding = match runbooks {
        [] if capability.runbooks.is_empty() => Finding::fail(
            id,
            format!(
                "`{id}` ({}) names no runbooks in the plan: write one and add its path to the \
                 capability's `runbooks`",
                capability.tier
            ),
        ),
        [] => Finding::fail(
            id,
            format!(
                "no runbook of `{id}` ({}) was found: nothing matches {globs} at the collected \
                 commit; write one, or fix the globs",
                capability.tier
            ),
        ),
        [one] => Finding::pass(id, format!("`{id}` has a runbook: `{}`", one.path)),
        many => Finding::pass(id, format!("`{id}` has {} runbooks", many.len())),
    };
    let count = u32::try_from(runbooks.len()).unwrap_or(u32::MAX);
    runbooks
        .iter()
        .fold(finding, |f, runbook| {
            f.with_evidence(judge::runbook_ref(runbook))
        })
        .with_evidence(judge::capability_ref(id))
        .with_measurement(Measurement::new("runbooks", f64::from(count)).in_unit("count"))
}

fn ownership(runbook: &Runbook, served: &[&Capability], params: &Params) -> Finding {
    let path = runbook.path.as_str();
    let finding = if !served.iter().any(|c| params.covers(c)) {
        Finding::not_applicable(
            path,
            format!("`{path}` serves only capabilities of tiers the parameters' `tiers` leave out"),
        )
    } else {
        match runbook.owner.as_deref().map(str::trim) {
            Some(owner) if !owner.is_empty() => {
                Finding::pass(path, format!("`{path}` names its owner: `{owner}`"))
            }
            _ => Finding::fail(
                path,
                format!(
                    "`{path}` names no owner: add `owner:` to its front matter so someone \
                     answers for keeping it right"
                ),
            ),
        }
    };
    finding.with_evidence(judge::runbook_ref(runbook))
}
