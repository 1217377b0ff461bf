//! The Vouch policy contract, shared by the host and by policies compiled to
//! `wasm32`: the continuity plan, evidence records and findings as serde types,
//! the WIT world in `wit/`, and the guest-side export macro.

pub mod assessment;
pub mod duration;
pub mod evidence;
pub mod finding;
#[cfg(feature = "guest")]
pub mod guest;
pub mod judge;
pub mod metadata;
pub mod plan;
pub mod request;

pub use assessment::Assessment;
pub use duration::Duration;
pub use evidence::EvidenceSet;
pub use finding::{Finding, Measurement, Status};
#[cfg(feature = "guest")]
pub use guest::Policy;
pub use metadata::{Metadata, Partition, Severity};
pub use plan::Plan;
pub use request::Request;
