//! The demo's HTML report in headless Chromium (Debian's `chromium`, which
//! `scripts/test-tools` installs): it renders with no console error, and the
//! test leaves a screenshot in `target/report-screenshot.png` for people to
//! look at.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

/// The flags these machines need, plus logging of the page's console to stderr.
fn chromium(profile: &Path) -> Command {
    let mut command = Command::new(CHROMIUM);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// Lines Chromium logs for the page's console (`CONSOLE(line)] "message"`)
/// or for a resource it could not load.
fn page_errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains(":CONSOLE")
                || l.contains("Failed to load resource")
                || l.contains("Uncaught")
        })
        .collect()
}

#[test]
fn the_demo_report_renders_without_console_errors() {
    if !Path::new(CHROMIUM).exists() {
        // CI installs it (scripts/test-tools); say loudly why nothing was checked.
        eprintln!(
            "SKIPPED: {CHROMIUM} is missing; run scripts/test-tools to install Debian's chromium"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let demo = tmp.path().join("demo");
    assert_cmd::Command::cargo_bin("vouch")
        .unwrap()
        .args(["demo", "-q", "--out"])
        .arg(&demo)
        .assert()
        .success();
    let report = demo.join(".vouch/report.html");
    assert!(report.is_file(), "vouch demo writes {}", report.display());
    let url = format!("file://{}", report.display());

    // The console check is itself checked: a page that logs an error is caught.
    let probe = tmp.path().join("probe.html");
    std::fs::write(
        &probe,
        "<!doctype html><script>console.error('probe')</script>",
    )
    .unwrap();
    let out = chromium(&tmp.path().join("profile-probe"))
        .arg("--dump-dom")
        .arg(format!("file://{}", probe.display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        page_errors(&stderr).iter().any(|l| l.contains("probe")),
        "chromium did not log the probe's console error:\n{stderr}"
    );

    let out = chromium(&tmp.path().join("profile-dom"))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors = page_errors(&stderr);
    assert!(errors.is_empty(), "console errors:\n{}", errors.join("\n"));
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("id=\"capabilities\"") && dom.contains("Acme Payments"));

    let screenshot: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "target",
        "report-screenshot.png",
    ]
    .iter()
    .collect();
    let _ = std::fs::remove_file(&screenshot);
    let out = chromium(&tmp.path().join("profile-shot"))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg("--window-size=1280,4000")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&screenshot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG"),
        "{} is a PNG",
        screenshot.display()
    );
    assert!(
        png.len() > 20_000,
        "a blank page compresses to almost nothing"
    );
}
