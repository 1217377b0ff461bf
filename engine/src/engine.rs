//! The engine: one compiler configuration, host linker, epoch ticker and
//! artifact cache, shared by every policy it loads.

use std::sync::Arc;

use rayon::prelude::*;
use vouch_sdk::Request;
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, HasSelf, Linker};

use crate::bindings::{self, HOST_INTERFACE, HOST_ITEMS, HostState};
use crate::cache::ArtifactCache;
use crate::epoch::Ticker;
use crate::sandbox::Sandbox;
use crate::{Config, Error, Evaluation, Policy, allocator, digest, inspect};

/// Compiles and loads policies. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Engine {
    shared: Arc<Shared>,
}

/// What the engine and every policy loaded from it share. Policies hold it
/// too, so the epoch ticker runs as long as anything can still evaluate.
pub(crate) struct Shared {
    wasmtime: wasmtime::Engine,
    linker: Linker<HostState>,
    pub(crate) config: Config,
    cache: Option<ArtifactCache>,
    pooling: bool,
    /// Stops its thread when the last handle goes.
    _ticker: Ticker,
}

impl Engine {
    /// An engine whose policies run under `config`.
    pub fn new(config: &Config) -> Result<Self, Error> {
        let (wasmtime, pooling) = if config.pooling {
            // The pool reserves virtual memory up front; where that is
            // refused (a tight `ulimit -v`), on-demand allocation still works.
            match wasmtime::Engine::new(&wasmtime_config(config, true)) {
                Ok(engine) => (engine, true),
                Err(_) => (on_demand(config)?, false),
            }
        } else {
            (on_demand(config)?, false)
        };

        let mut linker = Linker::new(&wasmtime);
        bindings::Policy::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)
            .map_err(|e| Error::Setup(e.into()))?;
        let ticker = Ticker::start(wasmtime.clone()).map_err(|e| Error::Setup(e.into()))?;
        let cache = config
            .cache_dir
            .clone()
            .map(|dir| ArtifactCache::new(dir, &wasmtime));

        Ok(Self {
            shared: Arc::new(Shared {
                wasmtime,
                linker,
                config: config.clone(),
                cache,
                pooling,
                _ticker: ticker,
            }),
        })
    }

    /// Whether the pooling allocator is in use (it is unless turned off or
    /// its reservation failed).
    pub fn pooling(&self) -> bool {
        self.shared.pooling
    }

    /// Compiles a policy component (or loads it from the artifact cache),
    /// checks it against the contract and reads its metadata. The result
    /// evaluates any number of requests.
    pub fn load(&self, bytes: &[u8]) -> Result<Policy, Error> {
        let shared = &*self.shared;
        let limit = shared.config.max_component_bytes;
        if bytes.len() > limit {
            return Err(Error::ComponentTooLarge {
                bytes: bytes.len(),
                limit,
            });
        }
        let sha256 = digest::sha256(bytes);
        let (component, from_cache) = self.compile(bytes, &sha256)?;

        check_imports(&shared.wasmtime, &component)?;

        let pre = shared
            .linker
            .instantiate_pre(&component)
            .and_then(bindings::PolicyPre::new)
            .map_err(|e| Error::Contract(e.into()))?;
        // The section is only read here, never trusted: `Policy::new` checks
        // it against what the policy itself returns.
        let embedded = inspect::embedded_metadata(bytes)?;
        Policy::new(
            Sandbox::new(Arc::clone(&self.shared), pre),
            embedded,
            hex::encode(sha256),
            from_cache,
        )
    }

    /// Evaluates `request` with every policy, in parallel, encoding the
    /// request once. Results are in the order of `policies`; one failing
    /// policy does not stop the others.
    pub fn evaluate_all(
        &self,
        policies: &[Policy],
        request: &Request,
    ) -> Vec<Result<Evaluation, Error>> {
        match serde_json::to_string(request) {
            Ok(json) => policies
                .par_iter()
                .map(|policy| policy.evaluate_json(&json))
                .collect(),
            // Each policy then reports the encoding error under its own id.
            Err(_) => policies
                .iter()
                .map(|policy| policy.evaluate(request))
                .collect(),
        }
    }

    /// The compiled component: from the cache when it holds it, else
    /// compiled (and cached). Returns whether it came from the cache.
    fn compile(&self, bytes: &[u8], sha256: &[u8; 32]) -> Result<(Component, bool), Error> {
        let shared = &*self.shared;
        if let Some(component) = shared
            .cache
            .as_ref()
            .and_then(|cache| cache.get(&shared.wasmtime, sha256))
        {
            return Ok((component, true));
        }
        let component =
            Component::new(&shared.wasmtime, bytes).map_err(|e| Error::Compile(e.into()))?;
        if let Some(cache) = &shared.cache {
            // A cache that cannot be written only costs the next run a
            // compile; the policy itself loaded fine.
            let _ = cache.put(sha256, &component);
        }
        Ok((component, false))
    }
}

/// Refuses any import but the host interface's own items, naming the first
/// offender. Checked before linking so the error names the import rather
/// than reporting a link failure.
fn check_imports(engine: &wasmtime::Engine, component: &Component) -> Result<(), Error> {
    let forbidden = |import: String| Error::ForbiddenImport {
        import,
        allowed: HOST_INTERFACE,
    };
    for (name, item) in component.component_type().imports(engine) {
        if name != HOST_INTERFACE {
            return Err(forbidden(name.to_owned()));
        }
        // The right interface name with an extra function (a clock, say)
        // is still a forbidden import.
        if let ComponentItem::ComponentInstance(instance) = item.ty
            && let Some((extra, _)) = instance
                .exports(engine)
                .find(|(item, _)| !HOST_ITEMS.contains(item))
        {
            return Err(forbidden(format!("{name}#{extra}")));
        }
    }
    Ok(())
}

/// An engine with on-demand instance allocation.
fn on_demand(config: &Config) -> Result<wasmtime::Engine, Error> {
    wasmtime::Engine::new(&wasmtime_config(config, false)).map_err(|e| Error::Setup(e.into()))
}

/// The wasmtime settings every policy runs under.
fn wasmtime_config(config: &Config, pooling: bool) -> wasmtime::Config {
    let mut wasm = wasmtime::Config::new();
    wasm.consume_fuel(true)
        .epoch_interruption(true)
        .max_wasm_stack(config.max_wasm_stack)
        // Replay must give byte-identical findings on any machine.
        .cranelift_nan_canonicalization(true)
        .wasm_relaxed_simd(false)
        .relaxed_simd_deterministic(true);
    if pooling {
        wasm.allocation_strategy(allocator::pooling(config.memory_limit));
    }
    wasm
}
