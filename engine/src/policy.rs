//! A loaded policy: compiled and pre-instantiated once, then evaluated in a
//! fresh store per request so no state leaks from one evaluation to the next.

use vouch_sdk::{Finding, Measurement, Metadata, Request, Severity, Status};
use wasmtime::{Store, StoreLimitsBuilder};

use crate::bindings::{self, HostState};
use crate::{Config, Error};

/// A policy ready to evaluate requests. Cheap to clone and `Send + Sync`:
/// evaluate it from as many threads as you like.
#[derive(Clone)]
pub struct Policy {
    sandbox: Sandbox,
    metadata: Metadata,
}

/// The pre-instantiated component and the limits each call runs under.
#[derive(Clone)]
struct Sandbox {
    pre: bindings::PolicyPre<HostState>,
    config: Config,
}

/// The outcome of one successful evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The policy's findings, in the order it gave them.
    pub findings: Vec<Finding>,
    /// What the policy logged, in order.
    pub log: Vec<LogLine>,
    /// Log lines dropped once the log reached its size cap.
    pub log_dropped: usize,
    /// Fuel the evaluation burned (deterministic, so comparable across runs).
    pub fuel_consumed: u64,
}

/// One line a policy wrote to the host log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// How much it matters.
    pub level: LogLevel,
    /// The text.
    pub message: String,
}

/// The level of a [`LogLine`], as the policy chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// Step-by-step detail.
    Trace,
    /// Detail for the policy's author.
    Debug,
    /// Progress worth showing under `-v`.
    Info,
    /// Something the policy worked around.
    Warn,
    /// Something the policy could not work around.
    Error,
}

/// The id used in errors before a policy's metadata is known.
const UNKNOWN_POLICY: &str = "unknown";

impl Policy {
    pub(crate) fn new(pre: bindings::PolicyPre<HostState>, config: Config) -> Result<Self, Error> {
        let sandbox = Sandbox { pre, config };
        let (raw, _) = sandbox.call(UNKNOWN_POLICY, |store, policy| policy.call_metadata(store))?;
        Ok(Self {
            sandbox,
            metadata: metadata(raw)?,
        })
    }

    /// What the policy says about itself, read once at load.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Evaluates `request` in a fresh sandbox.
    pub fn evaluate(&self, request: &Request) -> Result<Evaluation, Error> {
        let id = self.metadata.id.as_str();
        let json = serde_json::to_string(request).map_err(|source| Error::Request {
            policy: id.to_owned(),
            source,
        })?;
        let (result, store) = self
            .sandbox
            .call(id, |store, policy| policy.call_evaluate(store, &json))?;
        let findings = result
            .map_err(|message| Error::Policy {
                policy: id.to_owned(),
                message,
            })?
            .into_iter()
            .map(|raw| finding(id, raw))
            .collect::<Result<_, _>>()?;
        let fuel_left = store.get_fuel().map_err(|e| Error::Setup(e.into()))?;
        let fuel_consumed = self.sandbox.config.fuel.saturating_sub(fuel_left);
        let host = store.into_data();
        Ok(Evaluation {
            findings,
            log: host.log,
            log_dropped: host.log_dropped,
            fuel_consumed,
        })
    }
}

impl Sandbox {
    /// Instantiates the policy in a new store under the configured limits
    /// and runs `f` against it.
    fn call<R>(
        &self,
        id: &str,
        f: impl FnOnce(&mut Store<HostState>, &bindings::Policy) -> wasmtime::Result<R>,
    ) -> Result<(R, Store<HostState>), Error> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.config.memory_limit)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(self.pre.engine(), HostState::new(limits));
        store.limiter(|state| &mut state.limits);
        store
            .set_fuel(self.config.fuel)
            .map_err(|e| Error::Setup(e.into()))?;
        let run = |store: &mut Store<HostState>| {
            let policy = self.pre.instantiate(&mut *store)?;
            f(store, &policy)
        };
        let out = run(&mut store).map_err(|e| Error::from_run(id, self.config.fuel, e))?;
        Ok((out, store))
    }
}

fn metadata(raw: bindings::Metadata) -> Result<Metadata, Error> {
    let invalid = |reason: String| Error::InvalidOutput {
        policy: if raw.id.is_empty() {
            UNKNOWN_POLICY.to_owned()
        } else {
            raw.id.clone()
        },
        reason,
    };
    if raw.id.is_empty() {
        return Err(invalid("its metadata has an empty `id`".to_owned()));
    }
    let params_schema = serde_json::from_str(&raw.params_schema)
        .map_err(|e| invalid(format!("its parameter schema is not JSON: {e}")))?;
    // A control the engine cannot attribute to a framework could never be
    // reported, so it is refused up front.
    if let Some(control) = raw.controls.iter().find(|c| !is_control_ref(c)) {
        return Err(invalid(format!(
            "control `{control}` is not of the form `framework:control`"
        )));
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
        controls: raw.controls,
    })
}

fn is_control_ref(control: &str) -> bool {
    control
        .split_once(':')
        .is_some_and(|(framework, id)| !framework.is_empty() && !id.is_empty())
}

fn finding(policy: &str, raw: bindings::Finding) -> Result<Finding, Error> {
    // JSON has no NaN or infinity: such a value could not be sealed.
    if let Some(m) = raw.measurements.iter().find(|m| !m.value.is_finite()) {
        return Err(Error::InvalidOutput {
            policy: policy.to_owned(),
            reason: format!(
                "measurement `{}` of subject `{}` is not a finite number",
                m.name, raw.subject
            ),
        });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_are_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Policy>();
        assert_send_sync::<crate::Engine>();
    }
}
