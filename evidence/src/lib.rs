//! Vouch's evidence bundles: layout, manifest, sealing, signing (DSSE over an
//! in-toto Statement), verification and OSCAL export.
//!
//! A bundle is what leaves the company. It is deterministic (sorted entries,
//! fixed owners and times, canonical JSON), tamper-evident (every file's
//! sha256 is in a signed statement) and checkable with standard tools alone
//! (`docs/verifying.md`). This crate knows nothing of the policy engine:
//! [`replay`] hands the command line what to run, and compares the findings.

pub mod archive;
pub mod canonical;
pub mod digest;
pub mod dsse;
pub mod keys;
pub mod layout;
pub mod manifest;
pub mod oscal;
pub mod replay;
pub mod seal;
pub mod statement;
pub mod stream;
pub mod tsa;
pub mod verify;

pub use seal::{SealError, SealRequest, Sealed, seal};
pub use statement::{Statement, Tool};
pub use verify::{Failure, Report, VerifyOptions, verify};
