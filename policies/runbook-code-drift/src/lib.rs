//! `runbook-code-drift`: no runbook is older than the last change to its
//! capability's code (the plan's `code` globs) by more than the tier's
//! `code_drift_lag`. One finding per runbook, its subject the path.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use vouch_sdk::evidence::{CodeChange, EvidenceSet, Runbook};
use vouch_sdk::judge;
use vouch_sdk::plan::{Capability, Plan};
use vouch_sdk::{Duration, Finding, Measurement, Metadata, Policy, Request, Severity};

struct RunbookCodeDrift;

/// The policy's parameters (see `params_schema`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    allowed_lag: Option<Duration>,
}

impl Policy for RunbookCodeDrift {
    fn metadata() -> Metadata {
        Metadata {
            id: "runbook-code-drift".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Runbooks keep up with the code they cover".into(),
            description: "No runbook was last changed or reviewed more than its tier's \
                          `code_drift_lag` before the last change to its capability's code (the \
                          plan's `code` globs): a runbook written for last quarter's system \
                          misleads the people recovering this one. Tiers without a lag are not \
                          judged; a runbook serving several capabilities is held to the one it \
                          lags most. Missing runbook or code evidence fails."
                .into(),
            severity: Severity::Medium,
            evidence: vec!["runbooks".into(), "code".into()],
            params_schema: serde_json::json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "allowed_lag": judge::duration_schema(
                        "How far a runbook may lag behind its code, e.g. `14d`, for every \
                         capability, instead of each tier's `code_drift_lag`."
                    )
                }
            }),
            partition: vouch_sdk::Partition::Whole,
            controls: vec![
                "iso22301:8.4".into(),
                "nist-800-53:CP-2".into(),
                "hipaa:164.308(a)(7)(ii)(D)".into(),
                "pci-dss:12.10.2".into(),
                "iso27001:5.30".into(),
            ],
        }
    }

    fn evaluate(request: &Request) -> Result<Vec<Finding>, String> {
        judge_drift(
            &request.plan()?,
            &request.evidence()?,
            &request.params()?,
            request.now,
        )
    }
}

vouch_sdk::export_policy!(RunbookCodeDrift);

/// How one runbook stands against the code of one capability it serves.
enum Standing<'a> {
    /// The tier sets no lag, or the capability names no code.
    Unjudged(String),
    /// The plan names code, but its last change was not collected.
    Unknown(&'a Capability),
    /// Measured against the capability's last code change.
    Measured(Lag<'a>),
}

/// How far a runbook lags one capability's code, and how far it may.
struct Lag<'a> {
    capability: &'a Capability,
    code: &'a CodeChange,
    /// Days from the runbook's last change to the code's; 0 when newer.
    drift: f64,
    lag: Duration,
    /// Who allows `lag`, for messages: `tier-1 allows`.
    allowed_by: String,
}

impl Lag<'_> {
    /// Days past the allowance (negative while within it).
    fn excess(&self) -> f64 {
        self.drift - self.lag.as_days()
    }
}

fn judge_drift(
    plan: &Plan,
    evidence: &EvidenceSet,
    params: &Params,
    now: DateTime<Utc>,
) -> Result<Vec<Finding>, String> {
    let runbooks = judge::runbooks_by_path(plan, evidence);
    let mut findings = Vec::with_capacity(runbooks.len());
    for (runbook, capabilities) in &runbooks {
        let touch = judge::runbook_touched(runbook, now);
        let mut standings = Vec::with_capacity(capabilities.len());
        for capability in capabilities {
            standings.push(standing(plan, evidence, params, touch.0, capability)?);
        }
        findings.push(verdict(runbook, touch, &standings));
    }
    findings.extend(judge::capabilities_without_runbooks(
        plan, &runbooks, "drift",
    ));
    findings.extend(judge::gap_findings(
        evidence,
        &["runbooks", "code"],
        "runbooks or code changes it holds are missing from this check",
    ));
    Ok(findings)
}

fn standing<'a>(
    plan: &Plan,
    evidence: &'a EvidenceSet,
    params: &Params,
    touched: DateTime<Utc>,
    capability: &'a Capability,
) -> Result<Standing<'a>, String> {
    let (lag, allowed_by) = match params.allowed_lag {
        Some(lag) => (lag, "the parameters allow".to_owned()),
        None => match judge::tier(plan, capability)?.code_drift_lag {
            Some(lag) => (lag, format!("{} allows", capability.tier)),
            None => {
                return Ok(Standing::Unjudged(format!(
                    "{} sets no `code_drift_lag`",
                    capability.tier
                )));
            }
        },
    };
    if capability.code.is_empty() {
        return Ok(Standing::Unjudged(format!(
            "`{}` names no code in the plan",
            capability.id
        )));
    }
    let Some(code) = evidence
        .code
        .iter()
        .find(|code| code.capability == capability.id)
    else {
        return Ok(Standing::Unknown(capability));
    };
    let drift = judge::days_between(touched, code.last_changed).max(0.0);
    Ok(Standing::Measured(Lag {
        capability,
        code,
        drift,
        lag,
        allowed_by,
    }))
}

/// The finding for a runbook: the capability whose code it lags most past
/// its allowance decides, a capability whose code is unknown fails it, and
/// it is not judged when no capability it serves sets a lag.
fn verdict(
    runbook: &Runbook,
    (touched, how): (DateTime<Utc>, &str),
    standings: &[Standing<'_>],
) -> Finding {
    let path = runbook.path.as_str();
    let reference = judge::runbook_ref(runbook);
    if let Some(capability) = standings.iter().find_map(|s| match s {
        Standing::Unknown(capability) => Some(*capability),
        _ => None,
    }) {
        return Finding::fail(
            path,
            format!(
                "the last change to `{}`'s code ({}) was not collected, so `{path}`'s drift \
                 cannot be judged; check that the globs match files in the repository",
                capability.id,
                capability.code.join(", ")
            ),
        )
        .with_evidence(reference)
        .with_evidence(judge::capability_ref(&capability.id));
    }
    let worst = standings
        .iter()
        .filter_map(|s| match s {
            Standing::Measured(lag) => Some(lag),
            _ => None,
        })
        .max_by(|a, b| a.excess().total_cmp(&b.excess()));
    let Some(Lag {
        capability,
        code,
        drift,
        lag,
        allowed_by,
    }) = worst
    else {
        let why = standings
            .iter()
            .filter_map(|s| match s {
                Standing::Unjudged(why) => Some(why.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("; ");
        return Finding::not_applicable(path, format!("`{path}` is not judged for drift: {why}"))
            .with_evidence(reference);
    };
    let code_text = format!(
        "`{}`'s code ({}) last changed {}",
        capability.id,
        capability.code.join(", "),
        code.last_changed.date_naive()
    );
    let (drift, lag_days) = (*drift, lag.as_days());
    let finding = if code.last_changed <= touched {
        Finding::pass(
            path,
            format!(
                "`{path}` (last {} {}) is newer than {code_text}",
                how,
                touched.date_naive()
            ),
        )
    } else {
        let text = format!(
            "`{path}` (last {} {}) lags {code_text}, by {} days; {allowed_by} {} days",
            how,
            touched.date_naive(),
            judge::days_text(drift, lag_days),
            judge::limit_days_text(*lag),
        );
        if drift <= lag_days {
            Finding::pass(path, text)
        } else {
            Finding::fail(
                path,
                format!("{text}: update it for the code changes since"),
            )
        }
    };
    finding
        .with_evidence(reference)
        .with_evidence(format!("code:{}@{}", capability.id, code.last_commit))
        .with_measurement(Measurement::new("drift", drift).in_unit("days"))
        .with_measurement(Measurement::new("allowed_lag", lag_days).in_unit("days"))
}
