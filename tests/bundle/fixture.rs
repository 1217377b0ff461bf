//! A small, hand-made sealable input: a plan, an evidence set whose records
//! point at their raw artifacts, a stand-in policy component and an
//! assessment naming it. Built by hand so bundle tests do not depend on the
//! collector or the engine.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;
use sha2::{Digest as _, Sha256};

/// `vouch seal` of what [`write`] leaves, with the vendor key from
/// `vouch keygen -o vendor`, into `bundle`.
#[allow(dead_code)] // not every test binary that shares this module seals
pub const SEAL: [&str; 11] = [
    "seal",
    "-e",
    "evidence",
    "-a",
    "assessment.json",
    "--policy",
    "always-pass.wasm",
    "--key",
    "vendor.key",
    "-o",
    "bundle",
];

/// Paths of the inputs `write` made.
#[allow(dead_code)] // the library tests read them; the CLI tests name the files
pub struct Inputs {
    pub plan: PathBuf,
    pub evidence: PathBuf,
    pub assessment: PathBuf,
    pub policy: PathBuf,
}

const PLAN: &str = r#"[organisation]
name = "Test Org"

[audit]
start = "2026-01-01"
end = "2026-06-30"

[tiers.gold]
level = 1
max_runbook_age = "90d"

[[capabilities]]
id = "payments"
name = "Payments"
tier = "gold"
rto = "1h"
rpo = "5m"
owner = "team-payments"
runbooks = ["runbooks/payments/**/*.md"]
"#;

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn write_json(path: &Path, value: &serde_json::Value) {
    fs::write(path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
}

/// Writes the inputs under `dir`.
pub fn write(dir: &Path) -> Inputs {
    let plan = dir.join("vouch.toml");
    fs::write(&plan, PLAN).unwrap();

    let evidence = dir.join("evidence");
    fs::create_dir_all(evidence.join("raw/runbooks/runbooks/payments")).unwrap();
    fs::create_dir_all(evidence.join("raw/drills")).unwrap();
    let runbook = b"---\nowner: team-payments\n---\n# Payments failover\n";
    fs::write(
        evidence.join("raw/runbooks/runbooks/payments/failover.md"),
        runbook,
    )
    .unwrap();
    let drill = br#"{"id":"gd-1","kind":"failover","outcome":"pass"}"#;
    fs::write(evidence.join("raw/drills/gd-1.json"), drill).unwrap();
    write_json(
        &evidence.join("runbooks.json"),
        &json!([{
            "path": "runbooks/payments/failover.md",
            "capability": "payments",
            "last_commit": "0123456789abcdef0123456789abcdef01234567",
            "last_changed": "2026-05-01T10:00:00Z",
            "author": "Ada <ada@example.com>",
            "owner": "team-payments",
            "origin": {"source": "runbooks", "artifact": "runbooks/runbooks/payments/failover.md", "sha256": sha256(runbook)}
        }]),
    );
    write_json(
        &evidence.join("drills.json"),
        &json!([{
            "id": "gd-1",
            "capability": "payments",
            "kind": "failover",
            "title": "Fail payments over to eu-west-2",
            "started": "2026-04-01T09:00:00Z",
            "ended": "2026-04-01T09:40:00Z",
            "outcome": "pass",
            "recovery_seconds": 1800,
            "data_loss_seconds": 0,
            "origin": {"source": "drills", "artifact": "drills/gd-1.json", "sha256": sha256(drill)}
        }]),
    );
    for name in ["code.json", "incidents.json", "gaps.json"] {
        write_json(&evidence.join(name), &json!([]));
    }
    write_json(
        &evidence.join("provenance.json"),
        &json!({"collected": "2026-06-30T00:00:00Z", "sources": ["runbooks", "drills"]}),
    );

    // Sealing copies components byte for byte; it never runs them.
    let policy = dir.join("always-pass.wasm");
    let wasm = b"\0asm\x0d\0\x01\0 stand-in component for bundle tests";
    fs::write(&policy, wasm).unwrap();

    let assessment = dir.join("assessment.json");
    write_json(
        &assessment,
        &json!({
            "organisation": "Test Org",
            "window": {"start": "2026-01-01", "end": "2026-06-30"},
            "now": "2026-06-30T00:00:00Z",
            "policies": [{"id": "always-pass", "version": "0.1.0", "sha256": sha256(wasm), "fuel_used": 1234}],
            "findings": [{
                "policy": "always-pass",
                "subject": "payments",
                "status": "pass",
                "message": "payments is fine"
            }],
            "controls": [{
                "framework": "soc2",
                "control": "A1.2",
                "title": "Recovery plan testing",
                "status": "satisfied",
                "policies": ["always-pass"]
            }]
        }),
    );
    Inputs {
        plan,
        evidence,
        assessment,
        policy,
    }
}
