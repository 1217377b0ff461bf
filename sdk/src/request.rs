//! What a policy is asked to judge: the JSON request of `evaluate`.
//!
//! The request crosses the WIT boundary as JSON text so that the plan and the
//! evidence schema can grow without breaking policies built against older
//! versions: readers should ignore fields they do not know.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The input of one evaluation.
///
/// `plan` and `evidence` are kept as the JSON text they arrived as and read
/// only when asked, straight into the policy's own types: a large evidence
/// set is never held twice, once as a generic JSON tree and once typed.
/// [`Request::plan`] and [`Request::evidence`] give the SDK's types;
/// [`Request::plan_as`] and [`Request::evidence_as`] any other view, such as
/// a struct of just the fields a policy reads, or a `serde_json::Value`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    /// The continuity plan, as `vouch.toml` reads once parsed.
    plan: Box<RawValue>,
    /// The evidence set, by kind: the kinds the policy's metadata names
    /// (`runbooks`, `code`, `drills`, `incidents`, `inventory`) and always
    /// `gaps` (what could not be collected).
    evidence: Box<RawValue>,
    /// The policy's parameters from the plan, checked against its schema.
    #[serde(default)]
    pub params: serde_json::Value,
    /// The time the evaluation is as of; policies have no clock of their own.
    pub now: DateTime<Utc>,
}

impl Request {
    /// A request from a plan and evidence in any serialisable form.
    pub fn new(
        plan: &impl Serialize,
        evidence: &impl Serialize,
        params: serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self {
            plan: serde_json::value::to_raw_value(plan)?,
            evidence: serde_json::value::to_raw_value(evidence)?,
            params,
            now,
        })
    }

    /// The plan as typed records.
    pub fn plan(&self) -> Result<crate::Plan, String> {
        self.plan_as()
    }

    /// The evidence set as typed records.
    pub fn evidence(&self) -> Result<crate::EvidenceSet, String> {
        self.evidence_as()
    }

    /// The plan read as `T`.
    pub fn plan_as<T: DeserializeOwned>(&self) -> Result<T, String> {
        serde_json::from_str(self.plan.get())
            .map_err(|e| format!("malformed plan in the request: {e}"))
    }

    /// The evidence read as `T`.
    pub fn evidence_as<T: DeserializeOwned>(&self) -> Result<T, String> {
        serde_json::from_str(self.evidence.get())
            .map_err(|e| format!("malformed evidence in the request: {e}"))
    }

    /// The parameters as `T`; absent parameters read as an empty object, so
    /// `T`'s serde defaults apply.
    pub fn params<T: DeserializeOwned>(&self) -> Result<T, String> {
        let params = if self.params.is_null() {
            serde_json::Value::Object(serde_json::Map::new())
        } else {
            self.params.clone()
        };
        serde_json::from_value(params).map_err(|e| format!("malformed parameters: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_views_read_the_wire_json() {
        let request: Request = serde_json::from_value(serde_json::json!({
            "plan": {
                "organisation": { "name": "Acme" },
                "audit": { "start": "2025-11-01", "end": "2026-10-31" },
                "tiers": { "t1": { "level": 1, "max_runbook_age": "90d" } }
            },
            "evidence": { "runbooks": [], "drills": [], "incidents": [], "gaps": [] },
            "now": "2026-11-01T00:00:00Z"
        }))
        .unwrap();
        let plan = request.plan().unwrap();
        let window = plan.audit;
        assert!(window.contains("2025-11-01T00:00:00Z".parse().unwrap()));
        assert!(window.contains("2026-10-31T23:59:59Z".parse().unwrap()));
        assert!(!window.contains(request.now));
        assert_eq!(window.seconds(), 365 * 86_400);
        assert!(request.evidence().unwrap().drills.is_empty());
        let tiers: serde_json::Value = request.plan_as().unwrap();
        assert_eq!(tiers["tiers"]["t1"]["level"], 1);
        let params: serde_json::Map<String, serde_json::Value> = request.params().unwrap();
        assert!(params.is_empty());
    }
}
