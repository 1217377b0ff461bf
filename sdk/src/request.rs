//! What a policy is asked to judge: the JSON request of `evaluate`.
//!
//! The request crosses the WIT boundary as JSON text so that the plan and the
//! evidence schema can grow without breaking policies built against older
//! versions: readers should ignore fields they do not know.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The input of one evaluation.
///
/// `plan` and `evidence` are plain JSON for now; typed views (the plan as
/// [`crate::Plan`], evidence records) will replace them once those types
/// settle, with the same JSON on the wire.
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
