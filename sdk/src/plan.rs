//! The continuity plan (`vouch.toml`): what the organisation promises about
//! each capability, how it tests those promises, where the evidence lives, and
//! which frameworks it answers to.
//!
//! Policies receive the plan as JSON in every request, so these types compile
//! for the host and for `wasm32` alike. Reading a plan from TOML with source
//! spans and checking it lives in [`load`] (host only).
//!
//! Unknown keys are refused only on the host, where a typo in `vouch.toml`
//! must not silently turn a requirement off; policies built against an older
//! SDK must keep reading plans that have since gained fields.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Duration;
use crate::evidence::IncidentSeverity;

#[cfg(feature = "host")]
pub mod load;

/// A whole continuity plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "host", serde(deny_unknown_fields))]
pub struct Plan {
    /// Who the plan belongs to.
    pub organisation: Organisation,
    /// The period an assessment covers.
    pub audit: AuditWindow,
    /// Criticality tiers and the expectations that come with each, by id.
    pub tiers: BTreeMap<String, Tier>,
    /// The business capabilities the plan protects.
    #[serde(default)]
    pub capabilities: Vec<Capability>,
    /// Where evidence is collected from.
    #[serde(default)]
    pub sources: Sources,
    /// Policies to run (standard ones by id, or the user's own by `path`), by id.
    #[serde(default)]
    pub policies: BTreeMap<String, PolicyConfig>,
    /// Frameworks the assessment reports against.
    #[serde(default)]
    pub frameworks: Frameworks,
    /// Accepted exceptions to individual findings.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
}

/// The organisation the plan describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "host", serde(deny_unknown_fields))]
pub struct Organisation {
    /// Legal or trading name, as it should appear in reports.
    pub name: String,
}

/// The audit window: evidence inside it counts towards rates and attainment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "host", serde(deny_unknown_fields))]
pub struct AuditWindow {
    /// First day of the window (inclusive).
    pub start: NaiveDate,
    /// Last day of the window (inclusive).
    pub end: NaiveDate,
}

/// A criticality tier: the thresholds every capability in it is held to.
///
/// A cadence or deadline left out is not required for the tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "host", serde(deny_unknown_fields))]
pub struct Tier {
    /// Rank of criticality: 1 is the most critical.
    pub level: u8,
    /// What the tier means, for readers of the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A runbook not changed or reviewed for longer than this is stale.
    pub max_runbook_age: Duration,
    /// How far a runbook may lag behind changes to the code it covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_drift_lag: Option<Duration>,
    /// How often a technical (chaos or failover) drill must pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technical_drill_every: Option<Duration>,
    /// How often a tabletop exercise must be held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tabletop_every: Option<Duration>,
    /// How often a restore from backup must be tested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_test_every: Option<Duration>,
    /// How often each dependency must pass a failover drill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover_drill_every: Option<Duration>,
    /// Deadline for the first status update of a sev1/sev2 incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_update_within: Option<Duration>,
    /// Deadline for the postmortem of a sev1/sev2 incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postmortem_within: Option<Duration>,
    /// Lowest acceptable share of passing drills in the window, from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill_pass_rate_floor: Option<f64>,
}

/// A business capability and its recovery promises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "host", serde(deny_unknown_fields))]
pub struct Capability {
    /// Stable identifier, used by evidence records and findings.
    pub id: String,
    /// Name for people.
    pub name: String,
    /// The id of its tier.
    pub tier: String,
    /// Recovery time objective.
    pub rto: Duration,
    /// Recovery point objective (tolerable data loss).
    pub rpo: Duration,
    /// The accountable team or person.
    pub owner: String,
    /// Globs matching its runbooks in the runbook repositories.
    #[serde(default)]
    pub runbooks: Vec<String>,
    /// Service names incident tools use for it.
    #[serde(default)]
    pub services: Vec<String>,
    /// Globs matching the code its runbooks describe, for drift checks.
    #[serde(default)]
    pub code: Vec<String>,
    /// Ids of capabilities it cannot work without.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Whether it keeps data that must be restorable from backup.
    #[serde(default)]
    pub holds_data: bool,
    /// Promised availability over the window, in percent (e.g. `99.9`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_target: Option<f64>,
}

/// Every evidence source, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "host", serde(deny_unknown_fields))]
pub struct Sources {
    /// Git repositories holding runbooks (and the code they describe).
    #[serde(default)]
    pub git: Vec<GitSource>,
    /// Directories or files of drill results.
    #[serde(default)]
    pub drills: Vec<DrillSource>,
    /// Incident records, from export files or live APIs.
    #[serde(default)]
    pub incidents: Vec<IncidentSource>,
}

/// A runbook repository: a local path or a URL to clone, exactly one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "host", serde(deny_unknown_fields))]
pub struct GitSource {
    /// Source id, named in provenance and gaps.
    pub id: String,
    /// A local repository, relative to the plan file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A repository to clone (full history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Branch, tag or commit; the remote's default branch when left out.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// Where drill results are read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "host", serde(deny_unknown_fields))]
pub struct DrillSource {
    /// Source id, named in provenance and gaps.
    pub id: String,
    /// A directory (read recursively) or file, relative to the plan file.
    pub path: String,
    /// The format of its files; recognised per file when `auto`.
    #[serde(default)]
    pub format: DrillFormat,
    /// How drills that do not name their capability are matched to one.
    #[serde(default)]
    pub rules: Vec<DrillRule>,
}

/// Drill result formats Vouch reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DrillFormat {
    /// Recognise each file by its content.
    #[default]
    Auto,
    /// Chaos Toolkit journals.
    Chaostoolkit,
    /// JUnit XML from game-day suites.
    Junit,
    /// LitmusChaos `ChaosResult` YAML.
    Litmus,
    /// Vouch's own drill record (tabletops, restore tests, failovers).
    Vouch,
}

/// Matches drills to a capability when the drill does not say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "host", serde(deny_unknown_fields))]
pub struct DrillRule {
    /// The capability matched drills belong to.
    pub capability: String,
    /// Drills carrying any of these tags match.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Drills whose title matches this glob match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Drills in this directory (relative to the source path) match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
}

/// An incident source: an export file or a live API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "host", serde(deny_unknown_fields))]
pub struct IncidentSource {
    /// Source id, named in provenance and gaps.
    pub id: String,
    /// Which tool the records come from.
    pub kind: IncidentKind,
    /// An export file, relative to the plan file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The API base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Environment variable holding the API token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_env: Option<String>,
    /// File holding the API token, relative to the plan file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_file: Option<String>,
    /// For `github`: the repository (`owner/name`) whose issues are incidents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// For `github`: the label that marks an issue as an incident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// For `export`: which field of a row holds what (`started`, `resolved`,
    /// `severity`, `service`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// The tool's severity names mapped to `sev1`..`sev4`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub severities: BTreeMap<String, IncidentSeverity>,
}

/// Incident tools Vouch reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentKind {
    /// PagerDuty REST API v2.
    Pagerduty,
    /// incident.io API v2.
    IncidentIo,
    /// Opsgenie alerts.
    Opsgenie,
    /// Atlassian Statuspage v2.
    Statuspage,
    /// GitHub issues carrying a label.
    Github,
    /// A CSV, JSON or JSONL export with a field mapping.
    Export,
}

impl IncidentKind {
    /// Whether records are fetched over HTTP (else read from `path`).
    pub fn is_api(self) -> bool {
        !matches!(self, Self::Export)
    }
}

/// How one policy runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "host", serde(deny_unknown_fields))]
pub struct PolicyConfig {
    /// Whether it runs at all.
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// The user's own policy component, relative to the plan file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Parameters handed to the policy as JSON.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub params: serde_json::Map<String, serde_json::Value>,
}

fn enabled() -> bool {
    true
}

/// Frameworks the assessment reports against.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "host", serde(deny_unknown_fields))]
pub struct Frameworks {
    /// Standard frameworks by id (see [`STANDARD_FRAMEWORKS`]).
    #[serde(default)]
    pub enabled: Vec<String>,
    /// The organisation's own commitments (SLAs, contracts), reported like standards.
    #[serde(default)]
    pub custom: Vec<CustomFramework>,
}

/// Ids of the frameworks whose catalogs ship with Vouch.
pub const STANDARD_FRAMEWORKS: [&str; 7] = [
    "soc2",
    "iso27001",
    "iso22301",
    "nist-800-53",
    "dora",
    "hipaa",
    "pci-dss",
];

/// A framework the organisation declares itself, such as a customer SLA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "host", serde(deny_unknown_fields))]
pub struct CustomFramework {
    /// Framework id, as reports name it.
    pub id: String,
    /// Title for people.
    pub title: String,
    /// Its commitments, each evidenced by a policy.
    pub commitments: Vec<Commitment>,
}

/// One commitment of a custom framework: a policy run with its own parameters
/// over the capabilities in scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "host", serde(deny_unknown_fields))]
pub struct Commitment {
    /// Control id within the framework.
    pub id: String,
    /// What is promised, for people.
    pub title: String,
    /// The policy that evidences it.
    pub policy: String,
    /// Parameters for this commitment, overriding the policy's own.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub params: serde_json::Map<String, serde_json::Value>,
    /// Capabilities in scope; with `tiers` empty too, every capability.
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Tiers whose capabilities are in scope.
    #[serde(default)]
    pub tiers: Vec<String>,
}

/// An accepted exception: findings of `policy` about `subject` count as waived
/// until `expires`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "host", serde(deny_unknown_fields))]
pub struct Waiver {
    /// The policy whose findings are waived.
    pub policy: String,
    /// The subject (capability id, runbook path, ...) the waiver covers.
    pub subject: String,
    /// Why the risk is accepted.
    pub justification: String,
    /// Who accepted it.
    pub approver: String,
    /// Last day the waiver holds (inclusive).
    pub expires: NaiveDate,
}

impl AuditWindow {
    /// The first instant of the window: `start` at 00:00 UTC.
    pub fn opens(&self) -> DateTime<Utc> {
        self.start.and_time(NaiveTime::MIN).and_utc()
    }

    /// The instant after the window: the day after `end` at 00:00 UTC.
    pub fn closes(&self) -> DateTime<Utc> {
        (self.end + chrono::Days::new(1))
            .and_time(NaiveTime::MIN)
            .and_utc()
    }

    /// Whether `instant` falls inside the window.
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.opens() <= instant && instant < self.closes()
    }

    /// The window's length in seconds, for availability.
    pub fn seconds(&self) -> i64 {
        (self.closes() - self.opens()).num_seconds()
    }
}

impl Plan {
    /// The capability with this id.
    pub fn capability(&self, id: &str) -> Option<&Capability> {
        self.capabilities.iter().find(|c| c.id == id)
    }

    /// The tier of a capability.
    pub fn tier_of(&self, capability: &Capability) -> Option<&Tier> {
        self.tiers.get(&capability.tier)
    }
}
