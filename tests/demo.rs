//! `vouch demo` end to end: the demo organisation it writes is byte-for-byte
//! reproducible, its runbook repository is a real git history (merges,
//! renames) that the git CLI reads, its plan passes `vouch plan check`, and it
//! never overwrites a directory it did not write.

// Helpers outside `#[test]` functions unwrap too: a test should fail loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn vouch() -> Command {
    Command::cargo_bin("vouch").unwrap()
}

/// Runs `vouch demo --out DIR` and requires success.
fn demo(dir: &Path) {
    vouch().args(["demo", "--out"]).arg(dir).assert().success();
}

fn git(repo: &Path, args: &[&str]) -> String {
    let output: Output = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Every file of the demo organisation under `root`, by relative path: not
/// `.git` internals, nor what the flow made from it (`.vouch/`, whose bundle
/// carries a seal time, and the freshly generated demo key pair).
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| {
                [".git", ".vouch", "demo.key", "demo.pub"].contains(&&*n.to_string_lossy())
            }) {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

#[test]
fn two_runs_write_identical_bytes_and_commit_ids() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (a.path().join("demo"), b.path().join("demo"));
    demo(&a);
    demo(&b);
    let head = git(&a.join("runbooks"), &["rev-parse", "main"]);
    assert_eq!(head, git(&b.join("runbooks"), &["rev-parse", "main"]));
    assert_eq!(head.trim().len(), 40);
    let (left, right) = (files(&a), files(&b));
    assert_eq!(
        left.keys().collect::<Vec<_>>(),
        right.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &left {
        assert!(
            bytes == &right[path],
            "`{}` differs between runs",
            path.display()
        );
    }
    for expected in [
        "vouch.toml",
        ".vouch-demo",
        "incidents/incidents.jsonl",
        "runbooks/runbooks/README.md",
    ] {
        assert!(left.contains_key(Path::new(expected)), "missing {expected}");
    }
    // The working tree is exactly the checked-out commit.
    assert_eq!(git(&a.join("runbooks"), &["status", "--porcelain"]), "");
    assert_eq!(
        git(&a.join("runbooks"), &["symbolic-ref", "HEAD"]).trim(),
        "refs/heads/main"
    );
}

#[test]
fn the_git_cli_sees_merges_renames_and_several_authors() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    let repo = dir.path().join("runbooks");

    let merges = git(&repo, &["log", "--merges", "--format=%H"]);
    assert!(merges.lines().count() >= 5, "merges:\n{merges}");
    let commits = git(&repo, &["rev-list", "--count", "main"]);
    assert!(commits.trim().parse::<u32>().unwrap() > 200);

    let renames = git(
        &repo,
        &["log", "--diff-filter=R", "--name-status", "--format="],
    );
    assert!(
        renames.contains(
            "runbooks/payments/processor-failover.md\trunbooks/payments/card-processor-failover.md"
        ),
        "renames:\n{renames}"
    );
    assert!(renames.contains("runbooks/ledger/pitr.md\trunbooks/ledger/point-in-time-restore.md"));

    // `--follow` reaches back past the rename to the first import.
    let followed = git(
        &repo,
        &[
            "log",
            "--follow",
            "--format=%s",
            "--",
            "runbooks/payments/card-processor-failover.md",
        ],
    );
    assert!(
        followed
            .lines()
            .last()
            .unwrap()
            .starts_with("Import runbooks"),
        "history:\n{followed}"
    );

    // One author, two addresses.
    let emails = git(&repo, &["log", "--author=Tomasz Nowak", "--format=%ae"]);
    let mut distinct: Vec<&str> = emails.lines().collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 2, "{distinct:?}");

    // A merge that itself changed a runbook: `git log` lists it for the file.
    let last = git(
        &repo,
        &[
            "log",
            "-1",
            "--format=%P",
            "--",
            "runbooks/payments/card-processor-failover.md",
        ],
    );
    assert_eq!(
        last.split_whitespace().count(),
        2,
        "last change should be a merge"
    );
}

#[test]
fn the_demo_plan_passes_plan_check() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    vouch()
        .args(["plan", "check", "-p"])
        .arg(dir.path().join("vouch.toml"))
        .assert()
        .success();
}

#[test]
fn json_output_summarises_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("acme");
    let output = vouch()
        .args(["--json", "demo", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let head = git(&out.join("runbooks"), &["rev-parse", "main"]);
    assert_eq!(summary["runbooks"]["head"], head.trim());
    assert_eq!(summary["runbooks"]["runbooks"], 13);
    assert_eq!(summary["incidents"]["open"], 1);
    assert_eq!(summary["now"], "2026-11-01T00:00:00Z");
}

#[test]
fn refuses_a_directory_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("work");
    std::fs::create_dir(&out).unwrap();
    let precious = out.join("precious.txt");
    std::fs::write(&precious, "keep me").unwrap();
    let output = vouch().args(["demo", "--out"]).arg(&out).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is not empty and is not a previous demo output"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
    // Nothing left beside it either (no staging directory).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn regenerates_a_previous_demo_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    demo(&out);
    let first = files(&out);
    std::fs::write(out.join("drills/stray.json"), "{}").unwrap();
    std::fs::remove_file(out.join("vouch.toml")).unwrap();
    demo(&out);
    assert_eq!(files(&out), first);
    // Only the demo is left in the parent: no staging or old copies.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn writes_into_an_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path());
    assert!(dir.path().join(".vouch-demo").is_file());
}

#[test]
fn runs_the_flow_to_a_bundle_that_verifies_with_replay() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    demo(&out);
    for made in [
        ".vouch/evidence/runbooks.json",
        ".vouch/evidence/drills.json",
        ".vouch/evidence/incidents.json",
        ".vouch/assessment.json",
        ".vouch/bundle/manifest.sha256",
        ".vouch/bundle.tar",
        "demo.pub",
    ] {
        assert!(out.join(made).is_file(), "missing {made}");
    }
    let runbooks: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(".vouch/evidence/runbooks.json")).unwrap())
            .unwrap();
    assert_eq!(runbooks.as_array().unwrap().len(), 13);
    vouch()
        .arg("verify")
        .arg(out.join(".vouch/bundle.tar"))
        .arg("--key")
        .arg(out.join("demo.pub"))
        .arg("--replay")
        .assert()
        .success();
}
