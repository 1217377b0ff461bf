//! Everything that can go wrong loading or running a policy.
//!
//! Each way a policy can be stopped is its own variant, so callers (and the
//! hostile-policy suite) can tell a runaway loop from a memory bomb. Errors
//! raised while guest code ran carry what the policy logged before it failed.

use std::time::Duration;

use crate::LogLine;

/// A boxed error from wasmtime or wit-component, kept as the source chain.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error loading or running a policy.
///
/// Whatever the variant, a policy that fails to run yields `error` for its
/// controls: never `pass`.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum Error {
    /// The wasm engine could not be configured.
    #[error("cannot set up the WebAssembly engine")]
    #[diagnostic(code(vouch::engine::setup))]
    Setup(#[source] BoxError),

    /// A core module could not be turned into a component.
    #[error("cannot turn the core module into a policy component")]
    #[diagnostic(
        code(vouch::engine::componentize),
        help(
            "a policy must be a `cdylib` built with the Vouch SDK for `wasm32-unknown-unknown` \
             and export its policy with `vouch_sdk::export_policy!`"
        )
    )]
    Componentize(#[source] BoxError),

    /// The component is larger than the engine accepts.
    #[error("the policy is {bytes} bytes, more than the limit of {limit}")]
    #[diagnostic(
        code(vouch::engine::component_too_large),
        help(
            "a policy is code, not data: pass data in the request, or raise the engine's \
             component size limit"
        )
    )]
    ComponentTooLarge {
        /// Its size.
        bytes: usize,
        /// The engine's limit.
        limit: usize,
    },

    /// The bytes are not a valid WebAssembly component.
    #[error("not a valid WebAssembly component")]
    #[diagnostic(
        code(vouch::engine::compile),
        help(
            "build policies with `vouch policy build`, which turns the core module into a component"
        )
    )]
    Compile(#[source] BoxError),

    /// The component imports something other than the host log.
    #[error("the policy imports `{import}`, but policies may import only `{allowed}`")]
    #[diagnostic(
        code(vouch::engine::forbidden_import),
        help(
            "policies are pure functions: time comes in the request as `now`, and there are \
             no files, clocks or network; build for `wasm32-unknown-unknown`, not WASI"
        )
    )]
    ForbiddenImport {
        /// The import the component asked for.
        import: String,
        /// The one import a policy may have.
        allowed: &'static str,
    },

    /// The component does not implement the `vouch:policy/policy` world.
    #[error("the component does not implement the `vouch:policy/policy@0.2.0` world")]
    #[diagnostic(
        code(vouch::engine::contract),
        help("build the policy with the Vouch SDK version this engine supports")
    )]
    Contract(#[source] BoxError),

    /// The request could not be encoded as JSON.
    #[error("cannot encode the request for policy `{policy}` as JSON")]
    #[diagnostic(code(vouch::engine::request))]
    Request {
        /// The policy's id.
        policy: String,
        /// Why encoding failed.
        #[source]
        source: serde_json::Error,
    },

    /// The request is larger than the engine passes to a policy.
    #[error("the request for policy `{policy}` is {bytes} bytes, more than the limit of {limit}")]
    #[diagnostic(
        code(vouch::engine::request_too_large),
        help("raise the engine's request size limit, or evaluate less evidence at once")
    )]
    RequestTooLarge {
        /// The policy's id.
        policy: String,
        /// The request's size as JSON.
        bytes: usize,
        /// The engine's limit.
        limit: usize,
    },

    /// The policy used up its fuel (its deterministic CPU budget).
    #[error("policy `{policy}` ran out of fuel after {fuel} units")]
    #[diagnostic(
        code(vouch::engine::out_of_fuel),
        help("the policy may loop forever; if it is just slow, raise the engine's fuel limit")
    )]
    OutOfFuel {
        /// The policy's id.
        policy: String,
        /// The fuel it was given.
        fuel: u64,
        /// What it logged before it was stopped.
        log: Vec<LogLine>,
    },

    /// The policy ran past the wall-clock deadline.
    #[error("policy `{policy}` was stopped after {} ms of wall-clock time", timeout.as_millis())]
    #[diagnostic(
        code(vouch::engine::timeout),
        help(
            "fuel bounds a policy's own work; the deadline catches what fuel does not, such \
             as a host that is overloaded. Raise the engine's timeout if the machine is slow"
        )
    )]
    Timeout {
        /// The policy's id.
        policy: String,
        /// The deadline it ran past.
        timeout: Duration,
        /// What it logged before it was stopped.
        log: Vec<LogLine>,
    },

    /// The policy tried to grow its memory past the limit.
    #[error(
        "policy `{policy}` asked for {desired} bytes of memory, more than the limit of {limit}"
    )]
    #[diagnostic(
        code(vouch::engine::memory_limit),
        help(
            "the policy may leak or build an unbounded structure; raise the memory limit only if it truly needs more"
        )
    )]
    MemoryLimit {
        /// The policy's id.
        policy: String,
        /// The size it asked to grow to.
        desired: usize,
        /// The engine's limit.
        limit: usize,
        /// What it logged before it was stopped.
        log: Vec<LogLine>,
    },

    /// The policy trapped: a panic, an out-of-bounds access, a stack overflow.
    #[error("policy `{policy}` trapped: {trap}")]
    #[diagnostic(
        code(vouch::engine::trap),
        help("a panic in a Rust policy traps; its message, if any, is in the policy's log")
    )]
    Trap {
        /// The policy's id.
        policy: String,
        /// What the trap was, e.g. `wasm trap: call stack exhausted`.
        trap: String,
        /// The guest's call stack when it trapped, innermost first.
        backtrace: String,
        /// What it logged before it trapped.
        log: Vec<LogLine>,
    },

    /// The policy's output is larger than the engine accepts.
    #[error("policy `{policy}` returned more output than the limit of {limit} bytes")]
    #[diagnostic(
        code(vouch::engine::output_too_large),
        help(
            "a policy gives one finding per subject; raise the output limit only for very large plans"
        )
    )]
    OutputTooLarge {
        /// The policy's id.
        policy: String,
        /// The engine's limit.
        limit: usize,
        /// What it logged.
        log: Vec<LogLine>,
    },

    /// The policy returned metadata or findings the contract does not allow.
    #[error("policy `{policy}` broke the contract: {reason}")]
    #[diagnostic(code(vouch::engine::invalid_output))]
    InvalidOutput {
        /// The policy's id (or `unknown` before its metadata is read).
        policy: String,
        /// What was wrong.
        reason: String,
        /// What it logged.
        log: Vec<LogLine>,
    },

    /// The policy ran but reported it could not judge the request.
    #[error("policy `{policy}` could not evaluate the request: {message}")]
    #[diagnostic(code(vouch::engine::policy_error))]
    Policy {
        /// The policy's id.
        policy: String,
        /// The policy's own explanation.
        message: String,
        /// What it logged.
        log: Vec<LogLine>,
    },
}

impl Error {
    /// The id of the policy the error is about, when it is known.
    pub fn policy(&self) -> Option<&str> {
        match self {
            Self::Request { policy, .. }
            | Self::RequestTooLarge { policy, .. }
            | Self::OutOfFuel { policy, .. }
            | Self::Timeout { policy, .. }
            | Self::MemoryLimit { policy, .. }
            | Self::Trap { policy, .. }
            | Self::OutputTooLarge { policy, .. }
            | Self::InvalidOutput { policy, .. }
            | Self::Policy { policy, .. } => Some(policy),
            Self::Setup(_)
            | Self::Componentize(_)
            | Self::ComponentTooLarge { .. }
            | Self::Compile(_)
            | Self::ForbiddenImport { .. }
            | Self::Contract(_) => None,
        }
    }

    /// What the policy logged before it failed; empty for errors raised
    /// before any guest code ran.
    pub fn log(&self) -> &[LogLine] {
        match self {
            Self::OutOfFuel { log, .. }
            | Self::Timeout { log, .. }
            | Self::MemoryLimit { log, .. }
            | Self::Trap { log, .. }
            | Self::OutputTooLarge { log, .. }
            | Self::InvalidOutput { log, .. }
            | Self::Policy { log, .. } => log,
            Self::Setup(_)
            | Self::Componentize(_)
            | Self::ComponentTooLarge { .. }
            | Self::Compile(_)
            | Self::ForbiddenImport { .. }
            | Self::Contract(_)
            | Self::Request { .. }
            | Self::RequestTooLarge { .. } => &[],
        }
    }
}
