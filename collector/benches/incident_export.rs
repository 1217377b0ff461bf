//! Importing a large incident export: a generated JSONL file of 1,000,000
//! incidents (set `VOUCH_BENCH_INCIDENTS` for another size) collected by
//! `vouch_collector::collect` exactly as `vouch collect` does — copied to
//! `raw/` while hashed, streamed row by row, spooled, assembled into
//! `incidents.json`. Prints records per second and the process's peak RSS
//! (`VmHWM`), the two figures in docs/performance.md.
//!
//! Run with `cargo bench -p vouch-collector --bench incident_export`.

use std::error::Error;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use vouch_collector::{Options, Silent};

const SERVICES: [&str; 8] = [
    "payments-api",
    "Payments",
    "ledger-db",
    "identity",
    "auth",
    "checkout",
    "notifications",
    "confluence",
];

const PLAN: &str = r#"
[organisation]
name = "Bench"

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
services = ["payments-api", "Payments"]

[[capabilities]]
id = "ledger-db"
name = "Ledger"
tier = "tier-1"
rto = "2h"
rpo = "1m"
owner = "team-data"

[[capabilities]]
id = "identity"
name = "Identity"
tier = "tier-1"
rto = "30m"
rpo = "15m"
owner = "team-identity"
services = ["identity", "auth"]

[[sources.incidents]]
id = "incidents"
kind = "export"
path = "incidents.jsonl"
fields = { severity = "priority", started = "opened_at", acknowledged = "acknowledged_at", resolved = "resolved_at", first_update = "first_customer_update_at", postmortem = "postmortem_published_at" }
severities = { P1 = "sev1", P2 = "sev2", P3 = "sev3", P4 = "sev4" }
"#;

fn main() -> Result<(), Box<dyn Error>> {
    let count: u64 = std::env::var("VOUCH_BENCH_INCIDENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let export = dir.path().join("incidents.jsonl");
    let bytes = generate(&export, count)?;
    println!(
        "generated {count} incidents, {:.0} MiB of JSONL",
        bytes as f64 / (1 << 20) as f64
    );

    let plan = vouch_sdk::plan::load::parse("bench.toml", PLAN)?;
    let now = DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")?.with_timezone(&Utc);
    let options = Options::new(dir.path().to_owned(), dir.path().join("evidence"), now);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (started, cpu_before) = (Instant::now(), cpu_seconds());
    let summary = runtime.block_on(vouch_collector::collect(
        Arc::new(plan),
        options,
        Arc::new(Silent),
    ))?;
    let elapsed = started.elapsed();
    let cpu = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| (after.0 - before.0, after.1 - before.1));
    let records = summary
        .sources
        .first()
        .and_then(|s| s.records.get("incidents"))
        .copied()
        .unwrap_or(0);
    if records != count || !summary.complete() {
        return Err(format!(
            "expected {count} incidents and no gaps, got {records} and {:?}",
            summary.gaps.first()
        )
        .into());
    }
    let written = std::fs::metadata(dir.path().join("evidence/incidents.json"))?.len();
    println!(
        "collected {records} incidents in {:.2} s: {:.0} records/s; incidents.json {:.0} MiB",
        elapsed.as_secs_f64(),
        records as f64 / elapsed.as_secs_f64(),
        written as f64 / (1 << 20) as f64
    );
    if let Some((user, system)) = cpu {
        println!(
            "CPU time {user:.2} s user + {system:.2} s system (all threads): {:.0} records per CPU-second",
            records as f64 / (user + system)
        );
    }
    println!(
        "peak RSS (VmHWM): {}",
        peak_rss().unwrap_or_else(|| "unknown".to_owned())
    );
    Ok(())
}

/// Writes `count` deterministic incidents shaped like a real tool export.
fn generate(path: &Path, count: u64) -> Result<u64, Box<dyn Error>> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let base = DateTime::parse_from_rfc3339("2025-11-01T00:00:00Z")?.with_timezone(&Utc);
    let stamp = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut written = 0u64;
    for n in 0..count {
        let opened = base + Duration::seconds((n * 31) as i64);
        let service = SERVICES[(n % SERVICES.len() as u64) as usize];
        let priority = 1 + n % 4;
        let open = n % 100 == 99;
        let resolved = if open {
            String::new()
        } else {
            format!(
                ",\"resolved_at\":\"{}\"",
                stamp(opened + Duration::minutes(5 + (n % 240) as i64))
            )
        };
        let follow_ups = if priority <= 2 {
            format!(
                "[{{\"title\":\"Follow-up for INC-{n}\",\"owner\":\"oncall@acme.example\",\"due\":\"{}\",\"closed_at\":null}}]",
                (opened + Duration::days(30)).format("%Y-%m-%d")
            )
        } else {
            "[]".to_owned()
        };
        let line = format!(
            "{{\"id\":\"INC-{n}\",\"title\":\"Generated incident {n}\",\"service\":\"{service}\",\"priority\":\"P{priority}\",\
             \"status\":\"{}\",\"opened_at\":\"{}\",\"acknowledged_at\":\"{}\",\"first_customer_update_at\":\"{}\"{resolved},\
             \"postmortem_published_at\":null,\"follow_ups\":{follow_ups}}}\n",
            if open { "investigating" } else { "resolved" },
            stamp(opened),
            stamp(opened + Duration::minutes(3)),
            stamp(opened + Duration::minutes(20)),
        );
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    out.flush()?;
    Ok(written)
}

/// User and system CPU time of the whole process so far, from
/// `/proc/self/stat` (in clock ticks of 1/100 s, as Linux reports them).
fn cpu_seconds() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok().map(|t| t as f64 / 100.0);
    Some((ticks(11)?, ticks(12)?))
}

/// The process's peak resident set, from `/proc/self/status` (Linux).
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{:.0} MiB", kib as f64 / 1024.0))
}
