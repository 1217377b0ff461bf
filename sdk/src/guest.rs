//! The guest side: what a policy compiled to `wasm32` links against.
//!
//! A policy implements [`Policy`] and hands the type to
//! [`export_policy!`](crate::export_policy), which wires it to the
//! `vouch:policy/policy` world through bindings generated here, so a policy
//! crate needs no WIT files and no `wit-bindgen` of its own:
//!
//! ```ignore
//! use vouch_sdk::{Finding, Metadata, Policy, Request, Severity};
//!
//! struct AlwaysPass;
//!
//! impl Policy for AlwaysPass {
//!     fn metadata() -> Metadata { /* .. */ }
//!     fn evaluate(request: &Request) -> Result<Vec<Finding>, String> { /* .. */ }
//! }
//!
//! vouch_sdk::export_policy!(AlwaysPass);
//! ```

use crate::metadata::Partition;
use crate::{Finding, Measurement, Metadata, Request, Severity, Status};

/// Bindings for `wit/policy.wit`, generated here so the export macro they
/// come with can be used from policy crates. [`export_policy!`] always
/// names this module through `$crate`, so a renamed `vouch-sdk` dependency
/// works.
///
/// [`export_policy!`]: crate::export_policy
#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "policy",
        pub_export_macro: true,
    });
}

pub use bindings::vouch::policy::host::Level;

/// A policy: a pure function from a [`Request`] to findings.
///
/// Both functions run inside the sandbox: no clock (use [`Request::now`]), no
/// files, no network. The same request must always yield the same findings.
pub trait Policy {
    /// Describes the policy; must not depend on any input.
    fn metadata() -> Metadata;

    /// Judges the request, one finding per subject. An `Err` means the
    /// policy could not judge at all; the host records it as an `error`
    /// finding for every control the policy speaks to.
    fn evaluate(request: &Request) -> Result<Vec<Finding>, String>;
}

/// Writes a line to the host's log for the policy author; it never becomes
/// part of the findings.
///
/// Run natively (a policy's own `cargo test`), there is no host: the line
/// goes to stderr, which the test harness captures.
pub fn log(level: Level, message: &str) {
    #[cfg(target_arch = "wasm32")]
    bindings::vouch::policy::host::log(level, message);
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("{}: {message}", level_name(level));
}

#[cfg(not(target_arch = "wasm32"))]
fn level_name(level: Level) -> &'static str {
    match level {
        Level::Trace => "trace",
        Level::Debug => "debug",
        Level::Info => "info",
        Level::Warn => "warn",
        Level::Error => "error",
    }
}

/// In the sandbox a panic aborts, which the host sees only as a trap: this
/// hook first writes the panic message to the host log, where the host's
/// error keeps it. Natively the default hook already prints it.
fn report_panics() {
    #[cfg(target_arch = "wasm32")]
    {
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(|| {
            std::panic::set_hook(Box::new(|info| log(Level::Error, &info.to_string())));
        });
    }
}

/// Exports a [`Policy`] implementation as the policy's component exports.
///
/// Use it exactly once per policy crate, at the top level.
#[macro_export]
macro_rules! export_policy {
    ($policy:ty) => {
        const _: () = {
            struct VouchPolicyExports;

            impl $crate::guest::bindings::Guest for VouchPolicyExports {
                fn metadata() -> $crate::guest::bindings::Metadata {
                    $crate::guest::metadata::<$policy>()
                }

                fn evaluate(
                    request: ::std::string::String,
                ) -> ::std::result::Result<
                    ::std::vec::Vec<$crate::guest::bindings::Finding>,
                    ::std::string::String,
                > {
                    $crate::guest::evaluate::<$policy>(request)
                }
            }

            $crate::guest::bindings::export!(VouchPolicyExports with_types_in $crate::guest::bindings);
        };
    };
}

/// The `metadata` export of policy `P`, in WIT types.
#[doc(hidden)]
pub fn metadata<P: Policy>() -> bindings::Metadata {
    report_panics();
    let metadata = P::metadata();
    bindings::Metadata {
        id: metadata.id,
        version: metadata.version,
        title: metadata.title,
        description: metadata.description,
        severity: match metadata.severity {
            Severity::Info => bindings::Severity::Info,
            Severity::Low => bindings::Severity::Low,
            Severity::Medium => bindings::Severity::Medium,
            Severity::High => bindings::Severity::High,
            Severity::Critical => bindings::Severity::Critical,
        },
        evidence: metadata.evidence,
        partition: match metadata.partition {
            Partition::Whole => bindings::Partition::Whole,
            Partition::Capability => bindings::Partition::Capability,
        },
        params_schema: metadata.params_schema.to_string(),
        controls: metadata.controls,
    }
}

/// The `evaluate` export of policy `P`: parses the request, runs the policy
/// and converts its findings to WIT types. The request text is freed before
/// the policy runs: the parsed request holds its own copy of each part.
#[doc(hidden)]
pub fn evaluate<P: Policy>(text: String) -> Result<Vec<bindings::Finding>, String> {
    report_panics();
    let request: Request =
        serde_json::from_str(&text).map_err(|e| format!("malformed request: {e}"))?;
    drop(text);
    let findings = P::evaluate(&request)?;
    Ok(findings.into_iter().map(finding).collect())
}

fn finding(finding: Finding) -> bindings::Finding {
    bindings::Finding {
        subject: finding.subject,
        status: match finding.status {
            Status::Pass => bindings::Status::Pass,
            Status::Fail => bindings::Status::Fail,
            Status::Warn => bindings::Status::Warn,
            Status::NotApplicable => bindings::Status::NotApplicable,
            Status::Error => bindings::Status::Error,
        },
        message: finding.message,
        evidence: finding.evidence,
        measurements: finding
            .measurements
            .into_iter()
            .map(|m: Measurement| bindings::Measurement {
                name: m.name,
                value: m.value,
                unit: m.unit,
            })
            .collect(),
    }
}
