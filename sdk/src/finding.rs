//! What a policy concludes: one [`Finding`] per subject it judged.
//!
//! These mirror the `finding` record of `wit/policy.wit`; the host converts
//! the typed WIT values into these and writes them to the assessment as JSON.

use serde::{Deserialize, Serialize};

/// The verdict on one subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The subject meets the policy.
    Pass,
    /// The subject breaks the policy.
    Fail,
    /// The subject meets the policy, but only just, or with a caveat.
    Warn,
    /// The policy does not apply to the subject (e.g. a tier with no such requirement).
    NotApplicable,
    /// The policy could not judge the subject (e.g. evidence it needs is missing).
    Error,
}

impl Status {
    /// The name used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Warn => "warn",
            Self::NotApplicable => "not-applicable",
            Self::Error => "error",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A number a verdict rests on, e.g. a runbook's age in days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// What was measured, e.g. `runbook_age`.
    pub name: String,
    /// The value; always finite (the host rejects NaN and infinities).
    pub value: f64,
    /// Unit of `value`, e.g. `days`, `seconds`, `ratio`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl Measurement {
    /// A dimensionless measurement.
    pub fn new(name: impl Into<String>, value: f64) -> Self {
        Self {
            name: name.into(),
            value,
            unit: None,
        }
    }

    /// The same measurement, in `unit`.
    #[must_use]
    pub fn in_unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }
}

/// One verdict of a policy on one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// What the verdict is about, usually a capability id.
    pub subject: String,
    /// The verdict.
    pub status: Status,
    /// Why, in a sentence a reader can act on.
    pub message: String,
    /// References to the evidence records the verdict rests on.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Numbers the verdict rests on.
    #[serde(default)]
    pub measurements: Vec<Measurement>,
}

impl Finding {
    /// A finding with no evidence references or measurements yet.
    pub fn new(subject: impl Into<String>, status: Status, message: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            status,
            message: message.into(),
            evidence: Vec::new(),
            measurements: Vec::new(),
        }
    }

    /// A [`Status::Pass`] finding.
    pub fn pass(subject: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(subject, Status::Pass, message)
    }

    /// A [`Status::Fail`] finding.
    pub fn fail(subject: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(subject, Status::Fail, message)
    }

    /// A [`Status::Warn`] finding.
    pub fn warn(subject: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(subject, Status::Warn, message)
    }

    /// A [`Status::NotApplicable`] finding.
    pub fn not_applicable(subject: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(subject, Status::NotApplicable, message)
    }

    /// A [`Status::Error`] finding.
    pub fn error(subject: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(subject, Status::Error, message)
    }

    /// The same finding, also resting on the evidence record `reference`.
    #[must_use]
    pub fn with_evidence(mut self, reference: impl Into<String>) -> Self {
        self.evidence.push(reference.into());
        self
    }

    /// The same finding, also carrying `measurement`.
    #[must_use]
    pub fn with_measurement(mut self, measurement: Measurement) -> Self {
        self.measurements.push(measurement);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_match_the_contract() {
        let all = [
            Status::Pass,
            Status::Fail,
            Status::Warn,
            Status::NotApplicable,
            Status::Error,
        ];
        for status in all {
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json, status.as_str());
        }
    }

    #[test]
    fn finding_round_trips_through_json() {
        let finding = Finding::fail("payments", "runbook is 400 days old")
            .with_evidence("runbooks/payments.md@abc123")
            .with_measurement(Measurement::new("runbook_age", 400.0).in_unit("days"));
        let json = serde_json::to_string(&finding).unwrap();
        assert_eq!(
            json,
            r#"{"subject":"payments","status":"fail","message":"runbook is 400 days old","evidence":["runbooks/payments.md@abc123"],"measurements":[{"name":"runbook_age","value":400.0,"unit":"days"}]}"#
        );
        assert_eq!(serde_json::from_str::<Finding>(&json).unwrap(), finding);
    }
}
