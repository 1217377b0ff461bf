//! Instance allocation: wasmtime's pooling allocator, sized for the machine,
//! so a fresh sandbox per evaluation reuses a warm slot instead of mapping
//! memory.

use wasmtime::{InstanceAllocationStrategy, PoolingAllocationConfig};

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
    // No `linear_memory_keep_resident`: a Rust guest's dirty pages sit past
    // its 1 MiB stack, so keeping them would mean a memset of over 1 MiB per
    // evaluation, measured slower than the page faults it saves.
    InstanceAllocationStrategy::Pooling(pool)
}
