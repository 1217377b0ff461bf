//! Shared helpers for the collector's tests: the real third-party payloads in
//! `../shared/fixtures/` (never copied into the project) and small plans.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use vouch_sdk::Plan;
use vouch_sdk::evidence::Origin;

/// `../shared/fixtures/<rel>`, relative to the project root.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures")
        .join(rel)
}

/// The bytes of a fixture.
pub fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap_or_else(|e| panic!("fixture `{rel}`: {e}"))
}

/// A placeholder origin for parser tests.
pub fn origin() -> Origin {
    Origin {
        source: "test".to_owned(),
        artifact: "test/file".to_owned(),
        sha256: "0".repeat(64),
    }
}

/// A plan from TOML text, with the boilerplate every plan needs prepended.
pub fn plan(sources: &str) -> Plan {
    let text = format!(
        r#"
[organisation]
name = "Test"

[audit]
start = "2025-11-01"
end = "2026-10-31"

[tiers.tier-1]
level = 1
max_runbook_age = "90d"

[[capabilities]]
id = "payments-api"
name = "Payments"
tier = "tier-1"
rto = "1h"
rpo = "5m"
owner = "team-payments"
services = ["payments-api", "Payments", "My Mail Service"]

[[capabilities]]
id = "ledger-db"
name = "Ledger"
tier = "tier-1"
rto = "2h"
rpo = "1m"
owner = "team-data"
services = ["ledger-db", "GitHub"]

[[capabilities]]
id = "checkout-web"
name = "Checkout"
tier = "tier-1"
rto = "2h"
rpo = "1m"
owner = "team-web"
services = ["checkout"]

{sources}
"#
    );
    vouch_sdk::plan::load::parse("vouch.toml", &text)
        .unwrap_or_else(|e| panic!("{:?}", miette::Report::new(e)))
}
