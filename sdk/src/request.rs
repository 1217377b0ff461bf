//! What a policy is asked to judge: the JSON request of `evaluate`.
//!
//! The request crosses the WIT boundary as JSON text so that the plan and the
//! evidence schema can grow without breaking policies built against older
//! versions: readers should ignore fields they do not know.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The input of one evaluation.
///
/// `plan` and `evidence` stay plain JSON on the wire so that old policies keep
/// reading newer requests; [`Request::plan`], [`Request::evidence`] and
/// [`Request::params`] give policies the typed views.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The continuity plan, as `vouch.toml` reads once parsed.
    pub plan: serde_json::Value,
    /// The evidence set, by kind: `runbooks`, `drills`, `incidents` (arrays of
    /// records) and `gaps` (what could not be collected).
    pub evidence: serde_json::Value,
    /// The policy's parameters from the plan, checked against its schema.
    #[serde(default)]
    pub params: serde_json::Value,
    /// The time the evaluation is as of; policies have no clock of their own.
    pub now: DateTime<Utc>,
}

impl Request {
    /// The plan as typed records.
    pub fn plan(&self) -> Result<crate::Plan, String> {
        crate::Plan::deserialize(&self.plan)
            .map_err(|e| format!("malformed plan in the request: {e}"))
    }

    /// The evidence set as typed records.
    pub fn evidence(&self) -> Result<crate::EvidenceSet, String> {
        crate::EvidenceSet::deserialize(&self.evidence)
            .map_err(|e| format!("malformed evidence in the request: {e}"))
    }

    /// The parameters as `T`; absent parameters read as an empty object, so
    /// `T`'s serde defaults apply.
    pub fn params<T: serde::de::DeserializeOwned>(&self) -> Result<T, String> {
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
        let params: serde_json::Map<String, serde_json::Value> = request.params().unwrap();
        assert!(params.is_empty());
    }
}
