//! `provenance.json`: for every source, what collected it, when, how it went,
//! and every raw artifact with its sha256 — the chain from a record back to
//! the bytes it was parsed from.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The version of the evidence set layout this collector writes.
pub const LAYOUT: u32 = 1;

/// The whole `provenance.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// Layout version of the evidence set directory.
    pub vouch_evidence: u32,
    /// When the collection ran (`--now`, or the clock at the command line).
    pub collected_at: DateTime<Utc>,
    /// The collector that wrote the set.
    pub collector: Collector,
    /// Every source of the plan, in plan order (git, drills, incidents).
    pub sources: Vec<SourceReport>,
}

/// A collector's name and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collector {
    /// e.g. `vouch-collector/pagerduty`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl Collector {
    /// This crate's collector for `what` (a format or tool).
    pub fn named(what: &str) -> Self {
        Self {
            name: format!("{}/{what}", env!("CARGO_PKG_NAME")),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// How a source's collection went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Everything was read.
    Complete,
    /// Some records were read, and some problems became gaps.
    Partial,
    /// Nothing could be read; the source is one gap.
    Failed,
}

/// One source's provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceReport {
    /// The plan's id of the source.
    pub id: String,
    /// The plan section: `git`, `drills` or `incidents`.
    pub kind: String,
    /// The format or tool: `auto`, `chaostoolkit`, `pagerduty`, `export`, ...
    pub format: String,
    /// What collected it.
    pub collector: Collector,
    /// When.
    pub collected_at: DateTime<Utc>,
    /// How it went.
    pub status: Status,
    /// Records written, by evidence file (`drills`, `incidents`, ...).
    pub records: BTreeMap<String, u64>,
    /// Records that matched no capability (kept, with `capability: null`).
    pub unmatched: u64,
    /// Incidents still open: no recovery time, never counted as met.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub open: u64,
    /// Problems recorded in `gaps.json`.
    pub gaps: u64,
    /// Severity names seen, and the level each was normalised to (and why).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub severities: BTreeMap<String, String>,
    /// Things a reader should know: files skipped, assumptions made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The raw artifacts, as stored under `raw/`.
    pub artifacts: Vec<ArtifactEntry>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One raw artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactEntry {
    /// Path under `raw/`.
    pub path: String,
    /// sha256 of its bytes, lowercase hex.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
    /// For HTTP responses: the URL requested (credentials travel in headers, never here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// For HTTP responses: the status code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// For HTTP responses: the response headers, less any that carry credentials.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}
