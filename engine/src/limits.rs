//! The per-store resource limiter: caps linear memory and tables, and makes
//! a refused growth a trap the engine can name.
//!
//! wasmtime's `StoreLimits` traps with an anonymous message; this limiter
//! raises [`MemoryLimitExceeded`] instead, so a memory bomb is reported as
//! [`Error::MemoryLimit`](crate::Error::MemoryLimit) rather than a generic trap.

use wasmtime::ResourceLimiter;

/// Table elements a policy may grow to: Rust guests use one small table for
/// indirect calls.
const MAX_TABLE_ELEMENTS: usize = 100_000;

/// Core instances, tables and memories per store: a policy component has a
/// handful of each (its module plus wit-component's shims).
const MAX_INSTANCES: usize = 16;
const MAX_TABLES: usize = 16;
const MAX_MEMORIES: usize = 4;

/// Limits one store (one evaluation).
#[derive(Debug)]
pub(crate) struct Limiter {
    memory_limit: usize,
}

impl Limiter {
    pub(crate) fn new(memory_limit: usize) -> Self {
        Self { memory_limit }
    }
}

/// The trap raised when a policy asks for more memory than its limit.
#[derive(Debug, thiserror::Error)]
#[error("memory growth to {desired} bytes refused: the limit is {limit}")]
pub(crate) struct MemoryLimitExceeded {
    pub(crate) desired: usize,
    pub(crate) limit: usize,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_limit {
            // An error, not `Ok(false)`: `memory.grow` returning -1 would let
            // the guest's allocator abort with a less precise trap.
            return Err(wasmtime::Error::new(MemoryLimitExceeded {
                desired,
                limit: self.memory_limit,
            }));
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }

    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }
}
