//! One call into a policy: a fresh store under the engine's limits, the
//! policy instantiated from its `InstancePre`, and whatever goes wrong
//! classified into the engine's errors.

use std::sync::Arc;

use wasmtime::{Store, Trap, WasmBacktrace};

use crate::bindings::{self, HostState};
use crate::engine::Shared;
use crate::limits::{Limiter, MemoryLimitExceeded};
use crate::{Error, LogLine, epoch};

/// A policy ready to be instantiated, with the engine it runs in.
#[derive(Clone)]
pub(crate) struct Sandbox {
    /// Keeps the engine (and its epoch ticker) alive as long as the policy.
    shared: Arc<Shared>,
    pre: bindings::PolicyPre<HostState>,
}

/// A call that returned, with what it cost and logged.
pub(crate) struct Returned<R> {
    pub(crate) value: R,
    pub(crate) fuel_consumed: u64,
    pub(crate) host: HostState,
}

impl Sandbox {
    pub(crate) fn new(shared: Arc<Shared>, pre: bindings::PolicyPre<HostState>) -> Self {
        Self { shared, pre }
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Instantiates the policy in a new store and runs `f` against it. Errors
    /// name `policy` and keep what it logged.
    pub(crate) fn call<R>(
        &self,
        policy: &str,
        f: impl FnOnce(&mut Store<HostState>, &bindings::Policy) -> wasmtime::Result<R>,
    ) -> Result<Returned<R>, Error> {
        let config = &self.shared.config;
        let mut store = Store::new(
            self.pre.engine(),
            HostState::new(Limiter::new(config.memory_limit)),
        );
        store.limiter(|host| &mut host.limiter);
        store
            .set_fuel(config.fuel)
            .map_err(|e| Error::Setup(e.into()))?;
        // The epoch is engine-wide; the deadline counts from now.
        store.set_epoch_deadline(epoch::deadline(config.timeout));
        // Bounds what lifting the results may copy to the host, so a policy
        // returning one long string a million times cannot exhaust host memory.
        store.set_hostcall_fuel(config.max_output_bytes);

        let instance = self.pre.instantiate(&mut store);
        let result = match instance {
            Ok(instance) => f(&mut store, &instance).map_err(|e| (Phase::Call, e)),
            Err(e) => Err((Phase::Instantiate, e)),
        };
        let fuel_left = store.get_fuel().map_err(|e| Error::Setup(e.into()))?;
        let fuel_consumed = config.fuel.saturating_sub(fuel_left);
        let host = store.into_data();
        match result {
            Ok(value) => Ok(Returned {
                value,
                fuel_consumed,
                host,
            }),
            Err((phase, error)) => Err(self.failure(policy, phase, &error, host.log)),
        }
    }

    /// Classifies an error raised while guest code ran, or while its results
    /// were lifted.
    fn failure(
        &self,
        policy: &str,
        phase: Phase,
        error: &wasmtime::Error,
        log: Vec<LogLine>,
    ) -> Error {
        let config = &self.shared.config;
        let policy = policy.to_owned();
        if let Some(refused) = error.downcast_ref::<MemoryLimitExceeded>() {
            return Error::MemoryLimit {
                policy,
                desired: refused.desired,
                limit: refused.limit,
                log,
            };
        }
        match (error.downcast_ref::<Trap>(), phase) {
            (Some(Trap::OutOfFuel), _) => Error::OutOfFuel {
                policy,
                fuel: config.fuel,
                log,
            },
            (Some(Trap::Interrupt), _) => Error::Timeout {
                policy,
                timeout: config.timeout,
                log,
            },
            (Some(trap), _) => Error::Trap {
                policy,
                trap: trap.to_string(),
                backtrace: error
                    .downcast_ref::<WasmBacktrace>()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                log,
            },
            (None, Phase::Instantiate) => Error::Trap {
                policy,
                trap: format!("cannot instantiate: {error:#}"),
                backtrace: String::new(),
                log,
            },
            // Not a trap, during a call: lifting the policy's results failed.
            (None, Phase::Call) if is_hostcall_fuel_exhausted(error) => Error::OutputTooLarge {
                policy,
                limit: config.max_output_bytes,
                log,
            },
            (None, Phase::Call) => Error::InvalidOutput {
                policy,
                reason: format!("{error:#}"),
                log,
            },
        }
    }
}

/// Where a call failed.
#[derive(Debug, Clone, Copy)]
enum Phase {
    Instantiate,
    Call,
}

/// Whether lifting stopped on the store's hostcall fuel. wasmtime's error
/// type for it is private, so its message is matched; the hostile suite's
/// gigantic-output test fails if wasmtime rewords it.
fn is_hostcall_fuel_exhausted(error: &wasmtime::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .to_string()
            .contains("fuel allocated for hostcalls has been exhausted")
    })
}
