//! Vouch's collectors: turns the sources a continuity plan names (runbook git
//! repositories, drill results, incident records) into an evidence set of
//! normalised records, each with the raw artifact it came from and its provenance.
//!
//! [`collect()`] runs every source of a plan at once and writes the evidence
//! set directory ([`set`]); [`git`], [`drills`] and [`incidents`] read each
//! kind of source; [`http`] is the client the live incident APIs share.

pub mod artifact;
pub mod collect;
pub mod drills;
pub mod git;
pub mod http;
pub mod incidents;
pub mod problem;
pub mod set;
mod time;
mod walk;

pub use artifact::Artifact;
pub use collect::{Options, Progress, Silent, Summary, collect};
pub use problem::Problem;
