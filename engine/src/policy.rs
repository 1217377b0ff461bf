//! A loaded policy: compiled and pre-instantiated once, then evaluated in a
//! fresh store per request so no state leaks from one evaluation to the next.

use std::sync::Arc;

use vouch_sdk::{Finding, Metadata, Request};

use crate::sandbox::{Returned, Sandbox};
use crate::{Error, output};

/// A policy ready to evaluate requests. Cheap to clone and `Send + Sync`:
/// evaluate it from as many threads as you like.
#[derive(Clone)]
pub struct Policy {
    inner: Arc<Inner>,
}

struct Inner {
    sandbox: Sandbox,
    metadata: Metadata,
    sha256: String,
    from_cache: bool,
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
    /// Reads the policy's metadata by calling it, checked against the
    /// contract and against the copy in its custom section, if any.
    pub(crate) fn new(
        sandbox: Sandbox,
        embedded: Option<Metadata>,
        sha256: String,
        from_cache: bool,
    ) -> Result<Self, Error> {
        // Until `metadata()` answers, errors name the policy by its section.
        let provisional = embedded.as_ref().map_or(UNKNOWN_POLICY, |m| m.id.as_str());
        let returned = sandbox.call(provisional, |store, policy| policy.call_metadata(store))?;
        let id = if returned.value.id.is_empty() {
            UNKNOWN_POLICY.to_owned()
        } else {
            returned.value.id.clone()
        };
        let invalid = |reason: String| Error::InvalidOutput {
            policy: id.clone(),
            reason,
            log: Vec::new(),
        };
        let metadata = output::metadata(returned.value).map_err(invalid)?;
        if embedded.is_some_and(|embedded| embedded != metadata) {
            return Err(invalid(format!(
                "the `{}` custom section differs from what `metadata()` returns; \
                 rebuild the policy with `vouch policy build`",
                crate::component::METADATA_SECTION
            )));
        }
        Ok(Self {
            inner: Arc::new(Inner {
                sandbox,
                metadata,
                sha256,
                from_cache,
            }),
        })
    }

    /// What the policy says about itself, read once at load.
    pub fn metadata(&self) -> &Metadata {
        &self.inner.metadata
    }

    /// The sha256 of the component, in lower-case hex.
    pub fn sha256(&self) -> &str {
        &self.inner.sha256
    }

    /// Whether the compiled policy came from the artifact cache rather than
    /// from compiling it.
    pub fn from_cache(&self) -> bool {
        self.inner.from_cache
    }

    /// The evidence bytes above which the policy, if it allows partitioning,
    /// is evaluated in chunks.
    pub(crate) fn chunk_bytes(&self) -> usize {
        self.inner.sandbox.shared().config.chunk_bytes
    }

    /// Evaluates `request` in a fresh sandbox.
    pub fn evaluate(&self, request: &Request) -> Result<Evaluation, Error> {
        let json = serde_json::to_string(request).map_err(|source| Error::Request {
            policy: self.id().to_owned(),
            source,
        })?;
        self.evaluate_json(&json)
    }

    /// Evaluates a request already encoded as JSON (see [`crate::request`]),
    /// so one encoding serves many policies.
    pub fn evaluate_json(&self, json: &str) -> Result<Evaluation, Error> {
        let id = self.id();
        let limit = self.inner.sandbox.shared().config.max_request_bytes;
        if json.len() > limit {
            return Err(Error::RequestTooLarge {
                policy: id.to_owned(),
                bytes: json.len(),
                limit,
            });
        }
        let Returned {
            value,
            fuel_consumed,
            host,
        } = self
            .inner
            .sandbox
            .call(id, |store, policy| policy.call_evaluate(store, json))?;
        let raw = match value {
            Ok(raw) => raw,
            Err(message) => {
                return Err(Error::Policy {
                    policy: id.to_owned(),
                    message,
                    log: host.log,
                });
            }
        };
        let findings = match raw.into_iter().map(output::finding).collect() {
            Ok(findings) => findings,
            Err(reason) => {
                return Err(Error::InvalidOutput {
                    policy: id.to_owned(),
                    reason,
                    log: host.log,
                });
            }
        };
        Ok(Evaluation {
            findings,
            log: host.log,
            log_dropped: host.log_dropped,
            fuel_consumed,
        })
    }

    fn id(&self) -> &str {
        &self.inner.metadata.id
    }
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
