//! The in-toto Statement v1 a bundle signs: every file as a subject with its
//! sha256, and a Vouch predicate summarising the run. It carries everything
//! `vouch verify --replay` needs to re-run the assessment: the plan, the
//! evidence, the exact policies (by path and digest) and the `now` they ran at.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vouch_sdk::assessment::{ControlStatus, FindingStatus};
use vouch_sdk::plan::AuditWindow;

/// The Statement type URI.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The Vouch predicate type URI.
pub const PREDICATE_TYPE: &str = "https://vouch.dev/attestation/assessment/v0.1";

/// An in-toto Statement v1 with the Vouch predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// Always [`STATEMENT_TYPE`].
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// Every bundle file but the manifest and the envelope.
    pub subject: Vec<Subject>,
    /// Always [`PREDICATE_TYPE`].
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The run.
    pub predicate: Predicate,
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// Path inside the bundle, `/`-separated.
    pub name: String,
    /// `sha256` → lowercase hex.
    pub digest: BTreeMap<String, String>,
}

/// What the bundle attests: one assessment run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Predicate {
    /// The organisation assessed.
    pub organisation: String,
    /// The audit window.
    pub window: AuditWindow,
    /// The time the policies judged as of; replay runs at this time.
    pub now: DateTime<Utc>,
    /// When the bundle was sealed (the one field that differs between two
    /// seals of the same inputs, with the signature).
    pub sealed: DateTime<Utc>,
    /// The program that sealed.
    pub tool: Tool,
    /// The policy engine, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<Tool>,
    /// Where the parts are inside the bundle.
    pub layout: Layout,
    /// Each policy that ran.
    pub policies: Vec<PolicySummary>,
    /// Findings per status.
    pub findings: BTreeMap<FindingStatus, usize>,
    /// Each control's verdict.
    pub controls: Vec<ControlSummary>,
}

/// A program and its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// Paths of the bundle's parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// The plan.
    pub plan: String,
    /// The evidence set directory.
    pub evidence: String,
    /// The assessment.
    pub assessment: String,
    /// The OSCAL assessment results.
    pub oscal: String,
}

/// One policy run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySummary {
    /// Policy id.
    pub id: String,
    /// Policy version.
    pub version: String,
    /// The component inside the bundle.
    pub path: String,
    /// Its sha256.
    pub sha256: String,
    /// Where the sealer found it (absent in bundles sealed before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<ComponentOrigin>,
    /// Fuel it used.
    pub fuel_used: u64,
    /// Why it produced no judgement, if so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Where the sealer found a policy component (matched by sha256, in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentOrigin {
    /// Built into the sealing program: Vouch's standard library.
    Builtin,
    /// A `[policies.ID] path` of the plan.
    Plan,
    /// Given by hand as `--policy`.
    Argument,
}

/// One control's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlSummary {
    /// Framework id.
    pub framework: String,
    /// Control id.
    pub control: String,
    /// Verdict.
    pub status: ControlStatus,
}
