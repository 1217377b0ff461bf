//! Vouch's collectors: turns the sources a continuity plan names (runbook git
//! repositories, drill results, incident records) into an evidence set of
//! normalised records, each with the raw artifact it came from and its provenance.

pub mod artifact;

pub use artifact::Artifact;
