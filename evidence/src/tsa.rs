//! RFC 3161 trusted time for a bundle: at seal, a Time-Stamp Authority signs
//! the sha256 of the envelope's signature and the time it saw it; the token
//! (a CMS `SignedData` over a `TSTInfo`, DER) is stored as
//! [`layout::TIMESTAMP`](crate::layout::TIMESTAMP). It proves the signature,
//! hence the statement, existed at that time, even if the signing key is later
//! revoked or leaked.
//!
//! The token cannot be a statement subject: it is made after the statement is
//! signed. It needs no other cover: the TSA's signature makes it tamper-evident
//! and its message imprint binds it to this bundle's signature alone.

mod client;
mod signature;
mod token;

pub use client::{TsaError, timestamp};
pub use token::{Stamp, TokenError, Trust, TrustError, check};
