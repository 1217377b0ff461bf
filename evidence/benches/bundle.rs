//! Seal and verify of a large evidence set (1 GiB in 512 files by default),
//! timed in the same run as `openssl dgst -sha256` and `sha256sum` over the
//! same files. `VOUCH_BENCH_MIB` and `VOUCH_BENCH_FILES` change the size.
//! Every figure is the best of three warm runs (files in the page cache).
//! Under `cargo test --all-targets` it runs on 8 MiB as a smoke test.
//! Run: `cargo bench -p vouch-evidence --bench bundle` (with `TMPDIR=/dev/shm`
//! to keep the 3 GiB it writes off a small disk; under `taskset -c 0` every
//! vouch figure is single-threaded, since the thread count follows the CPUs
//! the process may use).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)] // a benchmark, not library code

#[path = "../../tests/bundle/fixture.rs"]
mod fixture;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Utc;
use ed25519_dalek::SigningKey;
use vouch_evidence::{SealRequest, Tool, VerifyOptions, digest};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn best_of_three(mut f: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap()
}

/// Fills `raw/bulk/` with `files` files of pseudo-random bytes, `mib` MiB in all.
fn bulk(raw: &Path, mib: usize, files: usize) -> Vec<PathBuf> {
    let dir = raw.join("bulk");
    std::fs::create_dir_all(&dir).unwrap();
    let size = mib * 1024 * 1024 / files;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..files)
        .map(|i| {
            let mut bytes = Vec::with_capacity(size);
            while bytes.len() < size {
                // xorshift64: incompressible enough, and fast.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.extend_from_slice(&state.to_le_bytes());
            }
            bytes.truncate(size);
            let path = dir.join(format!("artifact-{i:04}.bin"));
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect()
}

fn tool(program: &str, args: &[&str], files: &[PathBuf]) {
    let status = Command::new(program)
        .args(args)
        .args(files)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{program} failed");
}

fn main() {
    // `cargo test --all-targets` runs this too, without `--bench`: keep that a smoke test.
    let full = std::env::args().any(|a| a == "--bench");
    let mib = env_usize("VOUCH_BENCH_MIB", if full { 1024 } else { 8 });
    let count = env_usize("VOUCH_BENCH_FILES", if full { 512 } else { 16 });
    let tmp = tempfile::tempdir().unwrap();
    let inputs = fixture::write(tmp.path());
    let files = bulk(&inputs.evidence.join("raw"), mib, count);
    let key = SigningKey::from_bytes(&[3; 32]);
    let cores = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1);
    let load = || {
        std::fs::read_to_string("/proc/loadavg")
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    println!(
        "{count} files, {mib} MiB, {cores} cores, load average {}",
        load()
    );

    let openssl = best_of_three(|| tool("openssl", &["dgst", "-sha256"], &files));
    let sha256sum = best_of_three(|| tool("sha256sum", &[], &files));
    let single = best_of_three(|| {
        for f in &files {
            digest::file(f).unwrap();
        }
    });
    let parallel = best_of_three(|| {
        for r in digest::files(&files) {
            r.unwrap();
        }
    });
    let out = tmp.path().join("bundle");
    let seal = best_of_three(|| {
        vouch_evidence::seal(&SealRequest {
            plan: &inputs.plan,
            evidence: &inputs.evidence,
            assessment: &inputs.assessment,
            policies: std::slice::from_ref(&inputs.policy),
            builtin: |_| None,
            extra: &[],
            tsa: None,
            key: &key,
            out: &out,
            sealed: Utc::now(),
            tool: Tool {
                name: "bench".to_owned(),
                version: "0".to_owned(),
            },
            engine: None,
        })
        .unwrap();
    });
    // Let the seal's writes reach the disk so they do not slow the reads below.
    Command::new("sync").status().unwrap();
    let verify = |bundle: &Path| {
        best_of_three(|| {
            let report =
                vouch_evidence::verify(bundle, &key.verifying_key(), VerifyOptions::default())
                    .unwrap();
            assert!(report.passed(), "{:?}", report.failures);
        })
    };
    let verify_dir = verify(&out);
    let verify_tar = verify(&tmp.path().join("bundle.tar"));
    // What verify of a tar did before entries were hashed beside the reader.
    let tar_one_thread = best_of_three(|| {
        let file = std::fs::File::open(tmp.path().join("bundle.tar")).unwrap();
        for entry in tar::Archive::new(file).entries().unwrap() {
            digest::stream(entry.unwrap()).unwrap();
        }
    });

    let rate = |d: Duration| mib as f64 / d.as_secs_f64();
    let rows = [
        ("openssl dgst -sha256 (one process)", openssl),
        ("sha256sum (one process)", sha256sum),
        ("vouch sha256, one thread", single),
        ("vouch sha256, all cores", parallel),
        ("vouch seal (copy + hash + tar + sign)", seal),
        ("vouch verify, directory (a file per core)", verify_dir),
        (
            "vouch verify, tar (one reader, a hasher per core)",
            verify_tar,
        ),
        ("tar entries read and hashed on one thread", tar_one_thread),
    ];
    println!("| what | seconds | MiB/s | × openssl |");
    println!("|---|---:|---:|---:|");
    for (what, d) in rows {
        println!(
            "| {what} | {:.2} | {:.0} | {:.2} |",
            d.as_secs_f64(),
            rate(d),
            d.as_secs_f64() / openssl.as_secs_f64()
        );
    }
    println!("load average after: {}", load());
}
