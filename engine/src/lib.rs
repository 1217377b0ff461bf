//! Vouch's policy engine: loads, compiles, sandboxes and runs policy
//! WebAssembly components against the `vouch:policy` world (`sdk/wit`).
//!
//! Policies are pure and deterministic: a component may import nothing but
//! the host log, CPU is bounded by fuel and memory by a store limit, and NaNs
//! are canonicalised, so the same request yields the same findings on any
//! machine.
//!
//! ```no_run
//! use vouch_engine::{Config, Engine, Error};
//!
//! fn assess(wasm: &[u8], requests: &[vouch_sdk::Request]) -> Result<(), Error> {
//!     let engine = Engine::new(&Config::default())?;
//!     let policy = engine.load(wasm)?; // compiled and checked once
//!     for request in requests {
//!         let evaluation = policy.evaluate(request)?; // a fresh sandbox each time
//!         println!("{} findings", evaluation.findings.len());
//!     }
//!     Ok(())
//! }
//! ```

pub mod assess;
mod bindings;
pub mod component;
pub mod controls;
mod engine;
mod error;
mod policy;
pub mod waivers;

pub use engine::{Config, Engine};
pub use error::Error;
pub use policy::{Evaluation, LogLevel, LogLine, Policy};
