//! `always-pass`: one `pass` finding per capability in the plan, whatever the
//! evidence says. It exists to exercise the whole policy ABI (metadata, the
//! request's plan and `now`, evidence references, measurements, the host log
//! and the error path) in engine and end-to-end tests, never in a real
//! assessment.

use vouch_sdk::guest::{Level, log};
use vouch_sdk::{Finding, Measurement, Metadata, Policy, Request, Severity};

struct AlwaysPass;

impl Policy for AlwaysPass {
    fn metadata() -> Metadata {
        Metadata {
            id: "always-pass".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Every capability passes".into(),
            description: "Passes every capability in the plan; a test fixture, not a control."
                .into(),
            severity: Severity::Info,
            evidence: Vec::new(),
            params_schema: vouch_sdk::metadata::no_params_schema(),
            partition: vouch_sdk::Partition::Whole,
            controls: vec!["vouch:smoke".into()],
        }
    }

    fn evaluate(request: &Request) -> Result<Vec<Finding>, String> {
        let plan: serde_json::Value = request.plan_as()?;
        let capabilities = plan["capabilities"]
            .as_array()
            .ok_or("the plan has no `capabilities` array")?;
        log(
            Level::Info,
            &format!("judging {} capabilities", capabilities.len()),
        );
        capabilities
            .iter()
            .map(|capability| {
                let id = capability["id"]
                    .as_str()
                    .ok_or("a capability has no string `id`")?;
                Ok(
                    Finding::pass(id, format!("`{id}` passes: this policy passes everything"))
                        .with_evidence(format!("plan:capabilities/{id}"))
                        .with_measurement(
                            Measurement::new("now", request.now.timestamp() as f64)
                                .in_unit("unix-seconds"),
                        ),
                )
            })
            .collect()
    }
}

vouch_sdk::export_policy!(AlwaysPass);
