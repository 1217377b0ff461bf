//! Checking what a policy returns against the contract, and turning the WIT
//! values into the SDK's types.
//!
//! Lifting itself is bounded by the store's hostcall fuel (see
//! `sandbox.rs`); what is checked here is what the types cannot say.

use vouch_sdk::metadata::Partition;
use vouch_sdk::{Finding, Measurement, Metadata, Severity, Status};

use crate::bindings;

/// Metadata as the contract allows it, or why not.
pub(crate) fn metadata(raw: bindings::Metadata) -> Result<Metadata, String> {
    if raw.id.is_empty() {
        return Err("its metadata has an empty `id`".to_owned());
    }
    let params_schema = serde_json::from_str(&raw.params_schema)
        .map_err(|e| format!("its parameter schema is not JSON: {e}"))?;
    // A control the engine cannot attribute to a framework could never be
    // reported, so it is refused up front.
    if let Some(control) = raw.controls.iter().find(|c| !is_control_ref(c)) {
        return Err(format!(
            "control `{control}` is not of the form `framework:control`"
        ));
    }
    Ok(Metadata {
        severity: match raw.severity {
            bindings::Severity::Info => Severity::Info,
            bindings::Severity::Low => Severity::Low,
            bindings::Severity::Medium => Severity::Medium,
            bindings::Severity::High => Severity::High,
            bindings::Severity::Critical => Severity::Critical,
        },
        params_schema,
        id: raw.id,
        version: raw.version,
        title: raw.title,
        description: raw.description,
        evidence: raw.evidence,
        partition: match raw.partition {
            bindings::Partition::Whole => Partition::Whole,
            bindings::Partition::Capability => Partition::Capability,
        },
        controls: raw.controls,
    })
}

fn is_control_ref(control: &str) -> bool {
    control
        .split_once(':')
        .is_some_and(|(framework, id)| !framework.is_empty() && !id.is_empty())
}

/// A finding as the contract allows it, or why not.
pub(crate) fn finding(raw: bindings::Finding) -> Result<Finding, String> {
    // JSON has no NaN or infinity: such a value could not be sealed.
    if let Some(m) = raw.measurements.iter().find(|m| !m.value.is_finite()) {
        return Err(format!(
            "measurement `{}` of subject `{}` is not a finite number",
            m.name, raw.subject
        ));
    }
    Ok(Finding {
        status: match raw.status {
            bindings::Status::Pass => Status::Pass,
            bindings::Status::Fail => Status::Fail,
            bindings::Status::Warn => Status::Warn,
            bindings::Status::NotApplicable => Status::NotApplicable,
            bindings::Status::Error => Status::Error,
        },
        subject: raw.subject,
        message: raw.message,
        evidence: raw.evidence,
        measurements: raw
            .measurements
            .into_iter()
            .map(|m| Measurement {
                name: m.name,
                value: m.value,
                unit: m.unit,
            })
            .collect(),
    })
}
