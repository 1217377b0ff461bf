//! What a policy says about itself: the [`Metadata`] record of
//! `wit/policy.wit`, read by the host before it evaluates anything.

use serde::{Deserialize, Serialize};

/// How much a failure of the policy matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Worth knowing; not a gap in itself.
    Info,
    /// A minor gap.
    Low,
    /// A gap an auditor would raise.
    Medium,
    /// A gap that puts recovery promises at risk.
    High,
    /// A gap that breaks recovery promises outright.
    Critical,
}

impl Severity {
    /// The name used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a policy is, what it reads and which controls it speaks to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// Stable id, e.g. `runbook-freshness`.
    pub id: String,
    /// Semantic version of the policy itself.
    pub version: String,
    /// One line for people.
    pub title: String,
    /// What the policy checks and why.
    pub description: String,
    /// How much a failure matters.
    pub severity: Severity,
    /// Evidence kinds it reads, e.g. `runbooks`, `drills`, `incidents`,
    /// `inventory`; its requests carry only these, and `gaps`.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Whether the host may judge the capabilities in chunks.
    #[serde(default)]
    pub partition: Partition,
    /// JSON Schema of its parameters (crosses the WIT boundary as JSON text).
    pub params_schema: serde_json::Value,
    /// Framework controls it provides evidence for, as `framework:control`,
    /// e.g. `soc2:A1.2`.
    #[serde(default)]
    pub controls: Vec<String>,
}

/// How the host may split a policy's evaluation (`partition` in
/// `wit/policy.wit`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Partition {
    /// One evaluation sees the whole plan and all the evidence it reads.
    #[default]
    Whole,
    /// The policy judges each capability from its own plan entry and records
    /// alone; findings about sources (gaps) come out the same whatever the
    /// chunk. The host may then evaluate the capabilities in chunks, each
    /// with the plan's `capabilities` and the records narrowed to the chunk,
    /// and keep each distinct finding once, so evidence too large for one
    /// sandbox is still judged in full.
    Capability,
}

/// The parameter schema of a policy that takes no parameters.
pub fn no_params_schema() -> serde_json::Value {
    serde_json::json!({ "type": "object", "additionalProperties": false })
}
