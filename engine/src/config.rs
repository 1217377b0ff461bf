//! The limits every policy runs under, and where compiled policies are
//! cached.
//!
//! Defaults suit the standard policy library on a small CI machine: each
//! bound stops a hostile policy well before it hurts the host, and none is
//! near what an honest policy over a large plan needs.

use std::path::PathBuf;
use std::time::Duration;

/// Fuel for one call: enough for a policy to parse tens of megabytes of
/// evidence JSON, small enough that a runaway loop stops within seconds.
const DEFAULT_FUEL: u64 = 5_000_000_000;

/// The default: ample for JSON evidence of a large organisation.
const DEFAULT_MEMORY_LIMIT: usize = 64 << 20;

/// Wall-clock backstop; fuel normally stops a runaway policy long before.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// wasmtime's own default, stated so it cannot drift silently.
const DEFAULT_MAX_WASM_STACK: usize = 512 << 10;

/// The request is copied into guest memory, so it must leave room there.
const DEFAULT_MAX_REQUEST_BYTES: usize = 32 << 20;

/// A chunk of a partitioned policy's evidence: an eighth of the default
/// memory limit leaves room for the request's copy and its parsed records.
const DEFAULT_CHUNK_BYTES: usize = 8 << 20;

/// Bytes the host may copy out of one call (findings, metadata, a log line).
const DEFAULT_MAX_OUTPUT_BYTES: usize = 32 << 20;

/// A 50 MB module is not a policy; real ones are tens to hundreds of KB.
const DEFAULT_MAX_COMPONENT_BYTES: usize = 16 << 20;

/// The limits every policy call runs under, and the artifact cache.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) fuel: u64,
    pub(crate) memory_limit: usize,
    pub(crate) timeout: Duration,
    pub(crate) max_wasm_stack: usize,
    pub(crate) max_request_bytes: usize,
    pub(crate) chunk_bytes: usize,
    pub(crate) max_output_bytes: usize,
    pub(crate) max_component_bytes: usize,
    pub(crate) cache_dir: Option<PathBuf>,
    pub(crate) pooling: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            fuel: DEFAULT_FUEL,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            timeout: DEFAULT_TIMEOUT,
            max_wasm_stack: DEFAULT_MAX_WASM_STACK,
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            chunk_bytes: DEFAULT_CHUNK_BYTES,
            max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES,
            max_component_bytes: DEFAULT_MAX_COMPONENT_BYTES,
            cache_dir: None,
            pooling: true,
        }
    }
}

impl Config {
    /// The fuel each call may burn (default 5 × 10⁹). Fuel counts executed
    /// WebAssembly operations, so the limit is deterministic: the same policy
    /// on the same request runs out at the same point on every machine.
    #[must_use]
    pub fn fuel(mut self, fuel: u64) -> Self {
        self.fuel = fuel;
        self
    }

    /// The bytes of linear memory a policy instance may grow to (default
    /// 64 MiB); growing beyond traps with [`Error::MemoryLimit`](crate::Error::MemoryLimit).
    #[must_use]
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// The wall-clock time one call may take (default 10 s), checked every
    /// few milliseconds; past it the call stops with
    /// [`Error::Timeout`](crate::Error::Timeout).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The native stack a policy's WebAssembly may use (default 512 KiB);
    /// deeper recursion traps.
    #[must_use]
    pub fn max_wasm_stack(mut self, bytes: usize) -> Self {
        self.max_wasm_stack = bytes;
        self
    }

    /// The largest request, as JSON, passed to a policy (default 32 MiB).
    #[must_use]
    pub fn max_request_bytes(mut self, bytes: usize) -> Self {
        self.max_request_bytes = bytes;
        self
    }

    /// The evidence bytes above which a policy that allows partitioning
    /// is evaluated in chunks of capabilities (default 8 MiB); see
    /// [`crate::request`].
    #[must_use]
    pub fn chunk_bytes(mut self, bytes: usize) -> Self {
        self.chunk_bytes = bytes;
        self
    }

    /// The most bytes the host copies out of one call (default 32 MiB):
    /// strings, plus the host size of every list element, measured while the
    /// findings are lifted, so a policy cannot make the host allocate more.
    #[must_use]
    pub fn max_output_bytes(mut self, bytes: usize) -> Self {
        self.max_output_bytes = bytes;
        self
    }

    /// The largest component the engine compiles (default 16 MiB).
    #[must_use]
    pub fn max_component_bytes(mut self, bytes: usize) -> Self {
        self.max_component_bytes = bytes;
        self
    }

    /// Caches compiled policies in `dir`, keyed by the component's sha256
    /// and the engine's compatibility hash, so a later process loads them
    /// without compiling. The directory is created (owner-only) on first use.
    #[must_use]
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Whether to use wasmtime's pooling allocator (default on), which
    /// reserves instance slots up front so a fresh sandbox per evaluation
    /// costs microseconds. The engine falls back to on-demand allocation
    /// when the reservation fails.
    #[must_use]
    pub fn pooling(mut self, pooling: bool) -> Self {
        self.pooling = pooling;
        self
    }
}

/// The conventional per-user cache directory for compiled policies:
/// `$XDG_CACHE_HOME/vouch/policies`, else `~/.cache/vouch/policies`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("vouch").join("policies"))
}
