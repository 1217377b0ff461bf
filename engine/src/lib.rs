//! Vouch's policy engine: loads, compiles, sandboxes and runs policy
//! WebAssembly components against the `vouch:policy` world (`sdk/wit`).
//!
//! Policies are pure and deterministic: a component may import nothing but
//! the host log, CPU is bounded by fuel and memory by a store limit, and NaNs
//! are canonicalised, so the same request yields the same findings on any
//! machine.
//!
//! ```no_run
//! # fn main() -> Result<(), vouch_engine::Error> {
//! # let wasm: Vec<u8> = Vec::new();
//! # let request: vouch_sdk::Request = todo!();
//! let engine = vouch_engine::Engine::new(&vouch_engine::Config::default())?;
//! let policy = engine.load(&wasm)?; // compile once, evaluate many times
//! let evaluation = policy.evaluate(&request)?;
//! # Ok(())
//! # }
//! ```

mod bindings;
pub mod component;
mod engine;
mod error;
mod policy;

pub use engine::{Config, Engine};
pub use error::Error;
pub use policy::{Evaluation, LogLevel, LogLine, Policy};
