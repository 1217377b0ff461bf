//! Vouch's policy engine: loads, compiles, sandboxes and runs policy
//! WebAssembly components against the `vouch:policy` world (`sdk/wit`).
//!
//! Policies are pure and deterministic: a component may import nothing but
//! the host log, CPU is bounded by fuel (and a wall-clock epoch deadline),
//! memory by a resource limiter, output by the bytes the host will copy, and
//! NaNs are canonicalised, so the same request yields the same findings on
//! any machine.
//!
//! Each runtime concern has its own module: `config` (the limits),
//! `allocator` (the instance pool), `epoch` (the timeout ticker), `limits`
//! (the memory limiter), `cache` (compiled artifacts on disk), `sandbox`
//! (one call in a fresh store, and error classification), `request`
//! (the requests of one assessment, encoded once), `output`
//! (contract checks on what a policy returns), `inspect` (reading a
//! component without running it) and `component` (building one).
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

mod allocator;
pub mod assess;
mod bindings;
mod cache;
pub mod component;
mod config;
pub mod controls;
mod digest;
mod engine;
mod epoch;
mod error;
pub mod inspect;
mod limits;
pub mod metrics;
mod output;
mod policy;
pub mod request;
mod sandbox;
pub mod waivers;

pub use config::{Config, default_cache_dir};
pub use engine::Engine;
pub use error::Error;
pub use inspect::{Inspection, inspect};
pub use policy::{Evaluation, LogLevel, LogLine, Policy};
