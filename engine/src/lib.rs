//! Vouch's policy engine: loads, compiles, caches, sandboxes and runs policy
//! WebAssembly components, and maps their findings onto framework controls.
