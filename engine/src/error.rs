//! Everything that can go wrong loading or running a policy.

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
    #[error("the component does not implement the `vouch:policy/policy@0.1.0` world")]
    #[diagnostic(
        code(vouch::engine::contract),
        help("build the policy with the Vouch SDK version this engine supports")
    )]
    Contract(#[source] BoxError),

    /// The policy returned metadata or findings the contract does not allow.
    #[error("policy `{policy}` broke the contract: {reason}")]
    #[diagnostic(code(vouch::engine::invalid_output))]
    InvalidOutput {
        /// The policy's id (or `unknown` before its metadata is read).
        policy: String,
        /// What was wrong.
        reason: String,
    },

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
    },

    /// The policy trapped (a panic, an out-of-bounds access, a memory limit).
    #[error("policy `{policy}` trapped")]
    #[diagnostic(code(vouch::engine::trap))]
    Trap {
        /// The policy's id.
        policy: String,
        /// The trap, with the guest backtrace where there is one.
        #[source]
        source: BoxError,
    },

    /// The policy ran but reported it could not judge the request.
    #[error("policy `{policy}` could not evaluate the request: {message}")]
    #[diagnostic(code(vouch::engine::policy_error))]
    Policy {
        /// The policy's id.
        policy: String,
        /// The policy's own explanation.
        message: String,
    },
}

impl Error {
    /// Classifies a wasmtime error raised while `policy` ran.
    pub(crate) fn from_run(policy: &str, fuel: u64, error: wasmtime::Error) -> Self {
        if let Some(wasmtime::Trap::OutOfFuel) = error.downcast_ref::<wasmtime::Trap>() {
            return Self::OutOfFuel {
                policy: policy.to_owned(),
                fuel,
            };
        }
        Self::Trap {
            policy: policy.to_owned(),
            source: error.into(),
        }
    }
}
