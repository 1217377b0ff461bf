//! Instance allocation: wasmtime's pooling allocator, sized for the machine,
//! so a fresh sandbox per evaluation reuses a warm slot instead of mapping
//! memory.

use wasmtime::{Enabled, InstanceAllocationStrategy, PoolingAllocationConfig};

/// Policies a single thread can hold instantiated at once; a thread
/// evaluates one policy at a time, the slack covers callers' own threads.
const SLOTS_PER_THREAD: u32 = 8;

/// Never fewer slots than this, however small the machine.
const MIN_SLOTS: u32 = 32;

/// What one policy component instantiates: its module, wit-component's shim
/// and fix-up modules, and room to spare.
const CORE_INSTANCES_PER_COMPONENT: u32 = 8;
const MEMORIES_PER_COMPONENT: u32 = 2;
const TABLES_PER_COMPONENT: u32 = 4;

/// Memory and table bytes a slot keeps mapped between evaluations when only
/// touched pages are reset: covers a policy's stack, data and a working heap.
const KEEP_RESIDENT: usize = 4 << 20;
const KEEP_RESIDENT_TABLE: usize = 64 << 10;

/// The pooling strategy for policies that may each grow to `memory_limit`.
pub(crate) fn pooling(memory_limit: usize) -> InstanceAllocationStrategy {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| u32::try_from(n.get()).unwrap_or(u32::MAX));
    let slots = threads.saturating_mul(SLOTS_PER_THREAD).max(MIN_SLOTS);
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(slots)
        .total_core_instances(slots.saturating_mul(CORE_INSTANCES_PER_COMPONENT))
        .max_core_instances_per_component(CORE_INSTANCES_PER_COMPONENT)
        .total_memories(slots.saturating_mul(MEMORIES_PER_COMPONENT))
        .max_memories_per_component(MEMORIES_PER_COMPONENT)
        .total_tables(slots.saturating_mul(TABLES_PER_COMPONENT))
        .max_tables_per_component(TABLES_PER_COMPONENT)
        // The limiter reports the precise error; the pool must not refuse first.
        .max_memory_size(memory_limit);
    // Resetting a slot by `madvise` makes the next evaluation fault every
    // page back in, and costs TLB shootdowns that grow with host load (about
    // 2× slower on a busy 2-core machine). Where Linux can report which pages
    // were touched (`PAGEMAP_SCAN`, 6.7+), wasmtime instead zeroes just those
    // and keeps them mapped. Without it, keeping memory resident would mean
    // a blind memset past the guest's 1 MiB stack: worse than the faults.
    if PoolingAllocationConfig::is_pagemap_scan_available() {
        pool.pagemap_scan(Enabled::Yes)
            .linear_memory_keep_resident(KEEP_RESIDENT)
            .table_keep_resident(KEEP_RESIDENT_TABLE);
    }
    InstanceAllocationStrategy::Pooling(pool)
}
