//! The scale drill: an organisation at `F` times the size issue 9 names —
//! 1,000 capabilities, a runbook repository of 50,000 files and 100,000
//! commits, 20,000 drill records, 1,000,000 incidents — generated
//! deterministically, then every stage of the real `vouch` binary timed on it
//! with its peak resident memory, and `vouch run` end to end.
//!
//! ```text
//! cargo bench --bench scale -- --fraction 0.1 [--dir DIR] [--keep]
//! ```
//!
//! Peak RSS comes from GNU time (`/usr/bin/time`, Debian's `time`); without
//! it only wall time is shown. The figures are in docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a bench: failing loudly is the point
#![allow(missing_docs)]

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;

/// The full size, at `--fraction 1`.
const CAPABILITIES: usize = 1_000;
const FILES: usize = 50_000;
const COMMITS: usize = 100_000;
const DRILLS: usize = 20_000;
const INCIDENTS: usize = 1_000_000;
/// Of each capability's files, this many are runbooks; the rest its code.
const RUNBOOKS_PER_CAPABILITY: usize = 10;

const NOW: &str = "2026-11-01T00:00:00Z";

struct Size {
    capabilities: usize,
    files_per_capability: usize,
    commits: usize,
    drills: usize,
    incidents: usize,
}

impl Size {
    fn at(fraction: f64) -> Self {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let scale = |n: usize| ((n as f64 * fraction).round() as usize).max(1);
        Self {
            capabilities: scale(CAPABILITIES),
            files_per_capability: FILES / CAPABILITIES,
            commits: scale(COMMITS),
            drills: scale(DRILLS),
            incidents: scale(INCIDENTS),
        }
    }
}

fn main() {
    let mut fraction = 0.1;
    let mut dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scale");
    let mut keep = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--fraction" => {
                fraction = args
                    .next()
                    .and_then(|f| f.parse().ok())
                    .expect("--fraction F")
            }
            "--dir" => dir = args.next().map(PathBuf::from).expect("--dir DIR"),
            "--keep" => keep = true,
            "--bench" => {} // cargo bench passes it
            other => panic!("unknown argument `{other}`; expected --fraction F, --dir DIR, --keep"),
        }
    }
    let size = Size::at(fraction);
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap();
    }
    fs::create_dir_all(&dir).unwrap();

    println!(
        "scale {fraction}: {} capabilities, {} files, {} commits, {} drills, {} incidents in {}",
        size.capabilities,
        size.capabilities * size.files_per_capability,
        size.commits,
        size.drills,
        size.incidents,
        dir.display()
    );
    let started = Instant::now();
    write_plan(&dir, &size);
    write_history(&dir, &size);
    write_drills(&dir, &size);
    write_incidents(&dir, &size);
    println!("generated in {:.1} s\n", started.elapsed().as_secs_f64());

    let vouch = env!("CARGO_BIN_EXE_vouch");
    let plan = dir.join("vouch.toml");
    let evidence = dir.join(".vouch/evidence");
    let assessment = dir.join(".vouch/assessment.json");
    let bundle = dir.join(".vouch/bundle");
    let key = dir.join("scale");
    run_quiet(Command::new(vouch).arg("keygen").arg("-o").arg(&key));

    let (secret, public) = (key.with_extension("key"), key.with_extension("pub"));
    let stages: [(&str, Vec<&dyn AsRef<OsStr>>); 4] = [
        (
            "collect",
            vec![&"collect", &"-p", &plan, &"-o", &evidence, &"--now", &NOW],
        ),
        (
            "evaluate",
            vec![
                &"evaluate",
                &"-p",
                &plan,
                &"-e",
                &evidence,
                &"--now",
                &NOW,
                &"-o",
                &assessment,
            ],
        ),
        (
            "seal",
            vec![
                &"seal",
                &"-p",
                &plan,
                &"-e",
                &evidence,
                &"-a",
                &assessment,
                &"--key",
                &secret,
                &"-o",
                &bundle,
            ],
        ),
        ("verify", vec![&"verify", &bundle, &"--key", &public]),
    ];
    println!("| stage | wall | peak RSS |\n|---|---:|---:|");
    let mut total = 0.0;
    let mut peak = 0;
    for (name, args) in stages {
        let (seconds, rss) = timed(vouch, &args, &dir);
        total += seconds;
        peak = peak.max(rss.unwrap_or(0));
        println!("| {name} | {seconds:.2} s | {} |", mib(rss));
    }
    println!("| **stages** | {total:.2} s | {} MiB |", peak / 1024);
    // What a GRC team runs: all of it in one process, the report included.
    let (seconds, rss) = timed(
        vouch,
        &[
            &"run",
            &"-p",
            &plan,
            &"--now",
            &NOW,
            &"--key",
            &secret,
            &"-o",
            &dir.join(".vouch/run-bundle"),
        ],
        &dir,
    );
    println!("| **`vouch run`** | {seconds:.2} s | {} |", mib(rss));
    if !keep {
        fs::remove_dir_all(&dir).unwrap();
    }
}

/// Peak RSS as the table shows it.
fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "n/a".to_owned(), |kib| format!("{} MiB", kib / 1024))
}

/// Runs `vouch ARGS` and returns its wall time and, with GNU time, its peak
/// RSS in KiB. A failing stage ends the bench with its output.
fn timed(vouch: &str, args: &[&dyn AsRef<OsStr>], dir: &Path) -> (f64, Option<u64>) {
    let gnu_time = Path::new("/usr/bin/time");
    let rss_file = dir.join(".rss");
    let mut command = if gnu_time.exists() {
        let mut c = Command::new(gnu_time);
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(vouch);
        c
    } else {
        Command::new(vouch)
    };
    command.arg("-q").args(args.iter().map(|a| a.as_ref()));
    let started = Instant::now();
    run_quiet(&mut command);
    let seconds = started.elapsed().as_secs_f64();
    let rss = fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.trim().parse().ok());
    (seconds, rss)
}

fn run_quiet(command: &mut Command) {
    let output = command.stdout(Stdio::null()).output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn capability(i: usize) -> String {
    format!("cap-{i:04}")
}

/// The plan: three tiers, capabilities spread over them, one source of each kind.
fn write_plan(dir: &Path, size: &Size) {
    let mut plan = String::from(
        r#"[organisation]
name = "Scale Test Ltd"

[audit]
start = "2025-11-01"
end = "2026-10-31"

[tiers.tier-1]
level = 1
max_runbook_age = "90d"
code_drift_lag = "14d"
technical_drill_every = "90d"
tabletop_every = "180d"
restore_test_every = "90d"
failover_drill_every = "180d"
first_update_within = "30m"
postmortem_within = "5d"
drill_pass_rate_floor = 0.9

[tiers.tier-2]
level = 2
max_runbook_age = "180d"
code_drift_lag = "30d"
technical_drill_every = "180d"
tabletop_every = "365d"
first_update_within = "1h"
postmortem_within = "10d"
drill_pass_rate_floor = 0.8

[tiers.tier-3]
level = 3
max_runbook_age = "365d"
first_update_within = "4h"
postmortem_within = "30d"
drill_pass_rate_floor = 0.5
"#,
    );
    for i in 0..size.capabilities {
        let id = capability(i);
        let tier = 1 + i % 3;
        let depends = if i > 0 && tier == 1 {
            format!("depends_on = [\"{}\"]\n", capability(i - 1))
        } else {
            String::new()
        };
        write!(
            plan,
            "\n[[capabilities]]\nid = \"{id}\"\nname = \"Capability {i}\"\ntier = \"tier-{tier}\"\n\
             rto = \"{rto}h\"\nrpo = \"15m\"\nowner = \"team-{team}\"\nrunbooks = [\"runbooks/{id}/**/*.md\"]\n\
             services = [\"svc-{i}\"]\ncode = [\"services/{id}/**\"]\n{depends}holds_data = {data}\n\
             availability_target = 99.9\n",
            rto = tier * 2,
            team = i % 50,
            data = i % 4 == 0,
        )
        .unwrap();
    }
    plan.push_str(
        r#"
[[sources.git]]
id = "runbooks"
path = "repo"
ref = "main"

[[sources.drills]]
id = "drills"
path = "drills"
format = "vouch"

[[sources.incidents]]
id = "incidents"
kind = "export"
path = "incidents.jsonl"
fields = { id = "id", service = "service", severity = "priority", started = "opened_at", acknowledged = "acknowledged_at", resolved = "resolved_at", first_update = "first_customer_update_at", postmortem = "postmortem_published_at" }
severities = { P1 = "sev1", P2 = "sev2", P3 = "sev3", P4 = "sev4" }

[frameworks]
enabled = ["soc2", "iso27001", "iso22301", "nist-800-53", "dora", "hipaa", "pci-dss"]
"#,
    );
    fs::write(dir.join("vouch.toml"), plan).unwrap();
}

fn file_path(size: &Size, n: usize) -> String {
    let cap = capability(n / size.files_per_capability);
    let k = n % size.files_per_capability;
    if k < RUNBOOKS_PER_CAPABILITY {
        format!("runbooks/{cap}/runbook-{k}.md")
    } else {
        format!("services/{cap}/src/module_{k}.rs")
    }
}

fn file_body(path: &str, revision: usize) -> String {
    if path.ends_with(".md") {
        format!("---\nowner: team-scale\n---\n\n# {path}\n\nRevision {revision}.\n")
    } else {
        format!("// {path}\npub const REVISION: usize = {revision};\n")
    }
}

/// The runbook repository, written through `git fast-import`: one commit
/// adding every file, then single-file edits spread over two years.
fn write_history(dir: &Path, size: &Size) {
    let repo = dir.join("repo");
    run_quiet(
        Command::new("git")
            .args(["init", "-q", "-b", "main"])
            .arg(&repo),
    );
    let mut import = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(&repo)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufWriter::new(import.stdin.take().unwrap());
    let files = size.capabilities * size.files_per_capability;
    let first = Utc.with_ymd_and_hms(2024, 11, 1, 9, 0, 0).unwrap();
    let span = Utc.with_ymd_and_hms(2026, 10, 20, 17, 0, 0).unwrap() - first;
    let mut rng = fastrand::Rng::with_seed(9);
    for commit in 0..size.commits {
        #[allow(clippy::cast_possible_wrap, clippy::cast_possible_truncation)]
        let when = first + span * commit as i32 / size.commits as i32;
        let author = rng.usize(..50);
        let message = format!("change {commit}\n");
        write!(
            out,
            "commit refs/heads/main\nauthor Dev {author} <dev{author}@scale.example> {t} +0000\n\
             committer Dev {author} <dev{author}@scale.example> {t} +0000\ndata {len}\n{message}",
            t = when.timestamp(),
            len = message.len()
        )
        .unwrap();
        let edits: Vec<usize> = if commit == 0 {
            (0..files).collect()
        } else {
            vec![rng.usize(..files)]
        };
        for n in edits {
            let path = file_path(size, n);
            let body = file_body(&path, commit);
            write!(out, "M 100644 inline {path}\ndata {}\n{body}\n", body.len()).unwrap();
        }
    }
    drop(out);
    assert!(import.wait().unwrap().success(), "git fast-import failed");
    run_quiet(
        Command::new("git")
            .args(["checkout", "-q", "main"])
            .current_dir(&repo),
    );
}

fn at(days_before_now: f64) -> DateTime<Utc> {
    #[allow(clippy::cast_possible_truncation)]
    let seconds = (days_before_now * 86_400.0) as i64;
    NOW.parse::<DateTime<Utc>>().unwrap() - Duration::seconds(seconds)
}

/// Vouch drill records, a file each: mostly passing technical drills, with
/// tabletops and restore tests, over the last 400 days.
fn write_drills(dir: &Path, size: &Size) {
    let root = dir.join("drills");
    fs::create_dir_all(&root).unwrap();
    let mut rng = fastrand::Rng::with_seed(20);
    for n in 0..size.drills {
        let cap = rng.usize(..size.capabilities);
        let kind = ["technical", "technical", "tabletop", "restore"][n % 4];
        let started = at(rng.f64() * 400.0);
        let recovery = rng.u64(60..4 * 3_600);
        let record = json!({
            "vouch_drill": 1,
            "id": format!("drill-{n:06}"),
            "capability": capability(cap),
            "scenario": format!("{kind} drill {n}"),
            "kind": kind,
            "started": started.to_rfc3339(),
            "ended": (started + Duration::seconds(recovery.try_into().unwrap())).to_rfc3339(),
            "outcome": if rng.u8(..10) == 0 { "fail" } else { "pass" },
            "recovery_seconds": (kind != "tabletop").then_some(recovery),
            "data_loss_seconds": (kind == "restore").then(|| rng.u64(..1_800)),
            "integrity_check": (kind == "restore").then_some("passed"),
            "dependency": null,
            "participants": ["dev1@scale.example"],
            "findings": [],
        });
        fs::write(root.join(format!("drill-{n:06}.json")), record.to_string()).unwrap();
    }
}

/// One JSON line per incident over the last 400 days, one in a thousand
/// still open.
fn write_incidents(dir: &Path, size: &Size) {
    let mut out = BufWriter::new(fs::File::create(dir.join("incidents.jsonl")).unwrap());
    let mut rng = fastrand::Rng::with_seed(1_000_000);
    for n in 0..size.incidents {
        let opened = at(rng.f64() * 400.0);
        let minutes = |m: u64| Duration::minutes(m.try_into().unwrap());
        let resolved = opened + minutes(rng.u64(5..600));
        let open = n % 1_000 == 999;
        let record = json!({
            "id": format!("INC-{n:07}"),
            "title": format!("incident {n}"),
            "service": format!("svc-{}", rng.usize(..size.capabilities)),
            "priority": format!("P{}", 1 + rng.u8(..4)),
            "status": if open { "open" } else { "resolved" },
            "opened_at": opened.to_rfc3339(),
            "acknowledged_at": (opened + minutes(rng.u64(1..10))).to_rfc3339(),
            "first_customer_update_at": (opened + minutes(rng.u64(5..90))).to_rfc3339(),
            "resolved_at": (!open).then(|| resolved.to_rfc3339()),
            "postmortem_published_at": (!open).then(|| (resolved + Duration::days(3)).to_rfc3339()),
            "follow_ups": [],
        });
        writeln!(out, "{record}").unwrap();
    }
    out.flush().unwrap();
}
