//! What an evaluation concludes: every policy's findings, the control status
//! per framework, and how each policy ran. `vouch evaluate` writes it, `vouch
//! seal` puts it in the bundle and `vouch report` renders it.
//!
//! Field names are a published format (docs/formats.md): add fields freely,
//! rename none.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::finding::{Measurement, Status};
use crate::plan::AuditWindow;

/// The result of one evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// The organisation assessed.
    pub organisation: String,
    /// The audit window the evidence was judged over.
    pub window: AuditWindow,
    /// The time the evaluation was as of (policies have no clock of their own).
    pub now: DateTime<Utc>,
    /// How each policy ran.
    pub policies: Vec<PolicyRun>,
    /// Every finding, waivers applied, sorted by policy then subject.
    pub findings: Vec<AssessedFinding>,
    /// Control status per framework.
    pub controls: Vec<ControlResult>,
    /// What was ignored on the way, e.g. an expired waiver, for the reader to act on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Continuity metrics, computed from the findings of the policies' own runs.
    #[serde(default)]
    pub metrics: Metrics,
}

/// How one policy ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRun {
    /// Policy id.
    pub id: String,
    /// Policy version.
    pub version: String,
    /// sha256 of the exact `.wasm` component that ran.
    pub sha256: String,
    /// The custom framework commitment this run evidences, as
    /// `framework:commitment`; `None` for the policy's own run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<String>,
    /// Fuel the evaluation consumed (deterministic across machines).
    pub fuel_used: u64,
    /// Why the policy produced no judgement, when it failed (trap, out of fuel, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A finding's status in the assessment: a policy's verdict, or `waived`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingStatus {
    /// The subject meets the policy.
    Pass,
    /// The subject breaks the policy.
    Fail,
    /// Met, with a caveat.
    Warn,
    /// The policy does not apply to the subject.
    NotApplicable,
    /// The policy could not judge.
    Error,
    /// A failing verdict covered by an unexpired waiver.
    Waived,
}

impl FindingStatus {
    /// The name used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Warn => "warn",
            Self::NotApplicable => "not-applicable",
            Self::Error => "error",
            Self::Waived => "waived",
        }
    }
}

impl From<Status> for FindingStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Pass => Self::Pass,
            Status::Fail => Self::Fail,
            Status::Warn => Self::Warn,
            Status::NotApplicable => Self::NotApplicable,
            Status::Error => Self::Error,
        }
    }
}

/// One finding as the assessment records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessedFinding {
    /// The policy that judged.
    pub policy: String,
    /// The custom framework commitment whose run judged, as
    /// `framework:commitment`; `None` for the policy's own run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<String>,
    /// What was judged, usually a capability id.
    pub subject: String,
    /// The verdict, after waivers.
    pub status: FindingStatus,
    /// Why, in a sentence a reader can act on.
    pub message: String,
    /// References to the evidence records the verdict rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Numbers the verdict rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measurements: Vec<Measurement>,
    /// When waived: the policy's own verdict and the waiver's justification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<AppliedWaiver>,
}

/// The waiver that turned a finding into `waived`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedWaiver {
    /// What the policy said before the waiver.
    pub original_status: Status,
    /// Why the risk is accepted.
    pub justification: String,
    /// Who accepted it.
    pub approver: String,
    /// Last day it holds.
    pub expires: chrono::NaiveDate,
}

/// Whether a control is evidenced. Precedence, highest first: a failing
/// finding makes it `not-satisfied`; else an error (a run that failed or an
/// `error` finding) makes it `error`; else any `pass`, `warn` or `waived`
/// finding makes it `satisfied`; else (no mapped policy, or only
/// `not-applicable` findings) it is `no-evidence`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlStatus {
    /// Every finding of every mapped policy is `pass`, `warn`, `waived` or
    /// `not-applicable`, and at least one is not `not-applicable`.
    Satisfied,
    /// Some mapped policy fails for some subject (waivers applied).
    NotSatisfied,
    /// No mapped policy produced a judgement.
    NoEvidence,
    /// A mapped policy could not run or could not judge.
    Error,
}

impl ControlStatus {
    /// The name used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Satisfied => "satisfied",
            Self::NotSatisfied => "not-satisfied",
            Self::NoEvidence => "no-evidence",
            Self::Error => "error",
        }
    }
}

/// One control of one framework.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlResult {
    /// Framework id, e.g. `soc2` or a custom framework's id.
    pub framework: String,
    /// Control id within the framework, e.g. `A1.2`.
    pub control: String,
    /// Short title.
    pub title: String,
    /// The verdict.
    pub status: ControlStatus,
    /// The policies that evidence it.
    pub policies: Vec<String>,
    /// How many of their findings were waived.
    #[serde(default)]
    pub waived: usize,
}

/// Continuity metrics: numbers a programme is steered by, computed from the
/// measurements the standard policies report on their own runs (never a
/// commitment's), so a replay reproduces them. A metric whose policy did not
/// run, failed, or measured nothing is `None` (`null` in JSON), never 0.
/// docs/audit-package.md defines each.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Median runbook age in days (`runbook-freshness` `age`).
    pub runbook_age_median_days: Option<f64>,
    /// Oldest runbook's age in days.
    pub runbook_age_worst_days: Option<f64>,
    /// Share (0 to 1) of runbooks judged within their tier's maximum age,
    /// waived ones included.
    pub runbooks_within_max_age: Option<f64>,
    /// Critical workflows without the tests their tier requires
    /// (`untested-critical-workflows` failures, waived ones included).
    pub untested_critical_workflows: Option<u64>,
    /// Drills passed over drills run in the window, all capabilities.
    pub drill_pass_rate: Option<f64>,
    /// Share of recoveries within their RTO, weighted by recoveries.
    pub rto_attainment: Option<f64>,
    /// Share of data-loss measurements within their RPO, weighted by measurements.
    pub rpo_attainment: Option<f64>,
    /// Median seconds from an incident's start to its first customer update.
    pub first_update_latency_median_seconds: Option<f64>,
    /// Slowest first customer update, in seconds.
    pub first_update_latency_worst_seconds: Option<f64>,
    /// Postmortem follow-ups still open.
    pub open_follow_ups: Option<u64>,
    /// Of those, how many are past their due date.
    pub overdue_follow_ups: Option<u64>,
}
