//! The engine: one compiler configuration and host linker, shared by every
//! policy it loads.

use std::sync::Arc;

use wasmtime::component::{Component, HasSelf, Linker};

use crate::bindings::{self, HOST_INTERFACE, HostState};
use crate::{Error, Policy};

/// Fuel for one call when not configured: enough for a policy to parse
/// megabytes of evidence JSON, small enough that a runaway loop stops within
/// seconds.
const DEFAULT_FUEL: u64 = 5_000_000_000;

/// Memory one policy instance may grow to when not configured.
const DEFAULT_MEMORY_LIMIT: usize = 256 << 20;

/// The limits every policy call runs under.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) fuel: u64,
    pub(crate) memory_limit: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            fuel: DEFAULT_FUEL,
            memory_limit: DEFAULT_MEMORY_LIMIT,
        }
    }
}

impl Config {
    /// The fuel each call may burn. Fuel counts executed WebAssembly
    /// operations, so the limit is deterministic: the same policy on the same
    /// request runs out at the same point on every machine.
    #[must_use]
    pub fn fuel(mut self, fuel: u64) -> Self {
        self.fuel = fuel;
        self
    }

    /// The bytes of linear memory a policy instance may grow to; growing
    /// beyond traps.
    #[must_use]
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = bytes;
        self
    }
}

/// Compiles and loads policies. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    wasmtime: wasmtime::Engine,
    linker: Linker<HostState>,
    config: Config,
}

impl Engine {
    /// An engine whose policies run under `config`.
    pub fn new(config: &Config) -> Result<Self, Error> {
        let mut wasm = wasmtime::Config::new();
        wasm.consume_fuel(true)
            // Replay must give byte-identical findings on any machine.
            .cranelift_nan_canonicalization(true)
            .wasm_relaxed_simd(false);
        let wasmtime = wasmtime::Engine::new(&wasm).map_err(|e| Error::Setup(e.into()))?;

        let mut linker = Linker::new(&wasmtime);
        bindings::Policy::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)
            .map_err(|e| Error::Setup(e.into()))?;

        Ok(Self {
            inner: Arc::new(Inner {
                wasmtime,
                linker,
                config: config.clone(),
            }),
        })
    }

    /// Compiles a policy component, checks it against the contract and reads
    /// its metadata. The result evaluates any number of requests.
    pub fn load(&self, component: &[u8]) -> Result<Policy, Error> {
        let inner = &*self.inner;
        let component =
            Component::new(&inner.wasmtime, component).map_err(|e| Error::Compile(e.into()))?;

        // Checked before linking so the error names the import rather than
        // reporting a link failure.
        let ty = component.component_type();
        if let Some((import, _)) = ty
            .imports(&inner.wasmtime)
            .find(|(name, _)| *name != HOST_INTERFACE)
        {
            return Err(Error::ForbiddenImport {
                import: import.to_owned(),
                allowed: HOST_INTERFACE,
            });
        }

        let pre = inner
            .linker
            .instantiate_pre(&component)
            .and_then(bindings::PolicyPre::new)
            .map_err(|e| Error::Contract(e.into()))?;
        Policy::new(pre, inner.config.clone())
    }
}
