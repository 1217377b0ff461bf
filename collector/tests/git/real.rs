//! The two real runbook repositories in the fixtures: for every file, the
//! walk and the collector give the answers of `git log -- <path>`.

use std::collections::BTreeSet;
use std::time::Instant;

use git2::{ObjectType, Oid, Repository};
use vouch_collector::git::history::{Target, walk};
use vouch_collector::git::listing::files_at;
use vouch_collector::git::{GitEvidence, collect};
use vouch_sdk::plan::GitSource;

use super::support::{clone_bundle, context, git_logs, plan};

/// Compares the walk with `git log` for every file at the branch's tip, both
/// dated in full and dated to the last change only.
fn every_file_as_git_log_says(bundle: &str, branch: &str) {
    let dir = clone_bundle(bundle, branch);
    let path = dir.path().join("repo");
    let repo = Repository::open(&path).unwrap();
    let tip = repo.head().unwrap().peel_to_commit().unwrap().id();
    let files = files_at(&repo, tip).unwrap().files;
    assert!(files.len() > 100, "{} files", files.len());
    let targets: Vec<Target<'_>> = files
        .iter()
        .map(|f| Target {
            path: &f.path,
            full: true,
        })
        .collect();
    let started = Instant::now();
    let history = walk(&repo, tip, &targets).unwrap();
    eprintln!(
        "{bundle}: {} files dated in {:?}",
        files.len(),
        started.elapsed()
    );

    let paths: Vec<Vec<u8>> = files.iter().map(|f| f.path.clone()).collect();
    let logs = git_logs(&path, "HEAD", &paths);
    let id = |c: usize| history.commits[c].id.to_string();
    for ((file, ours), theirs) in files.iter().zip(&history.paths).zip(&logs) {
        let name = String::from_utf8_lossy(&file.path);
        let expected: Vec<&str> = theirs.iter().map(|l| &l[..40]).collect();
        assert_eq!(ours.incomplete, None, "{name}");
        assert_eq!(
            ours.last.map(id).as_deref(),
            expected.first().copied(),
            "last change of {name}"
        );
        let changes: Vec<String> = ours.changes.iter().map(|&c| id(c)).collect();
        assert_eq!(changes, expected, "history of {name}");
        // Authors after `.mailmap`, and subjects, as `git log` prints them.
        for (&c, line) in ours.changes.iter().zip(theirs) {
            let fields: Vec<&str> = line.split('\x1f').collect();
            let commit = &history.commits[c];
            assert_eq!(commit.author, fields[3], "{}", commit.id);
            assert_eq!(commit.author_email, fields[4], "{}", commit.id);
            assert_eq!(commit.subject, fields[5], "{}", commit.id);
        }
    }

    let last_only: Vec<Target<'_>> = targets
        .iter()
        .map(|t| Target { full: false, ..*t })
        .collect();
    let quick = walk(&repo, tip, &last_only).unwrap();
    for ((file, ours), theirs) in files.iter().zip(&quick.paths).zip(&logs) {
        let last = ours.last.map(|c| quick.commits[c].id.to_string());
        assert_eq!(
            last.as_deref(),
            theirs.first().map(|l| &l[..40]),
            "{:?}",
            file.path
        );
        assert!(ours.changes.is_empty());
    }
}

#[test]
fn openshift_runbooks_every_file() {
    every_file_as_git_log_says("openshift-runbooks.bundle", "master");
}

#[test]
fn prometheus_operator_runbooks_every_file() {
    every_file_as_git_log_says("prometheus-operator-runbooks.bundle", "main");
}

/// Runs the collector with one capability and checks every record against
/// `git log`.
fn collect_as_git_log_says(
    bundle: &str,
    branch: &str,
    runbooks: &str,
    window: (&str, &str),
) -> GitEvidence {
    let dir = clone_bundle(bundle, branch);
    let repo_path = dir.path().join("repo");
    let source = GitSource {
        id: "rb".into(),
        path: Some("repo".into()),
        url: None,
        reference: None,
    };
    let plan = plan(&[("cap", &[runbooks], &["**/*.yaml", "themes/**"])], window);
    let started = Instant::now();
    let evidence = collect(&source, &plan, &context(dir.path())).unwrap();
    eprintln!(
        "{bundle}: collected {} runbooks in {:?}",
        evidence.runbooks.len(),
        started.elapsed()
    );
    assert!(evidence.gaps.is_empty(), "{:?}", evidence.gaps);
    assert_eq!(evidence.reference, format!("refs/heads/{branch}"));

    let paths: Vec<Vec<u8>> = evidence
        .runbooks
        .iter()
        .map(|r| r.path.clone().into_bytes())
        .collect();
    let logs = git_logs(&repo_path, "HEAD", &paths);
    let start = chrono_day(window.0);
    let end = chrono_day(window.1) + 86_400;
    for (runbook, log) in evidence.runbooks.iter().zip(&logs) {
        let history = runbook;
        let fields: Vec<Vec<&str>> = log.iter().map(|l| l.split('\x1f').collect()).collect();
        let time = |f: &[&str], i: usize| f[i].parse::<i64>().unwrap();
        let last = &fields[0];
        assert_eq!(runbook.last_commit, last[0], "{}", runbook.path);
        assert_eq!(runbook.last_changed.timestamp(), time(last, 1));
        assert_eq!(history.committed.unwrap().timestamp(), time(last, 2));
        assert_eq!(runbook.author, last[3]);
        assert_eq!(history.author_email, last[4]);
        assert_eq!(history.subject, last[5], "{}", runbook.path);
        assert_eq!(runbook.capability, "cap");
        assert_eq!(history.created_commit, fields.last().unwrap()[0]);
        let inside: Vec<_> = fields
            .iter()
            .filter(|f| (start..end).contains(&time(f, 1)))
            .collect();
        assert_eq!(history.window_commits, inside.len(), "{}", runbook.path);
        let authors: BTreeSet<String> = inside.iter().map(|f| f[3].to_owned()).collect();
        assert_eq!(
            history.window_authors,
            authors.into_iter().collect::<Vec<_>>()
        );
        let artifact = evidence
            .artifacts
            .iter()
            .find(|a| a.path == format!("rb/{}", runbook.path))
            .unwrap();
        assert_eq!(runbook.origin.sha256, artifact.sha256);
        let blob = Oid::hash_object(ObjectType::Blob, &artifact.bytes).unwrap();
        assert_eq!(blob.to_string(), history.blob);
    }
    evidence
}

fn chrono_day(day: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

#[test]
fn openshift_runbooks_collected() {
    let evidence = collect_as_git_log_says(
        "openshift-runbooks.bundle",
        "master",
        "alerts/**/*.md",
        ("2024-01-01", "2024-12-31"),
    );
    assert!(
        evidence.runbooks.len() >= 270,
        "{}",
        evidence.runbooks.len()
    );
    assert!(evidence.runbooks.iter().all(|r| r.owner.is_none()));
    assert!(evidence.runbooks.iter().any(|h| h.window_commits > 0));
    assert_eq!(evidence.code.len(), 1);
}

#[test]
fn prometheus_operator_runbooks_collected() {
    let evidence = collect_as_git_log_says(
        "prometheus-operator-runbooks.bundle",
        "main",
        "content/runbooks/**/*.md",
        ("2023-01-01", "2023-12-31"),
    );
    assert!(
        evidence.runbooks.len() >= 117,
        "{}",
        evidence.runbooks.len()
    );
    // Its Hugo theme is a submodule, which the code glob `themes/**` matches.
    assert!(
        evidence
            .unmatched
            .iter()
            .any(|n| n.starts_with("`themes/book` is a submodule")),
        "{:?}",
        evidence.unmatched
    );
    let code = &evidence.code[0];
    assert_eq!(
        code.origin.artifact,
        format!("rb/.commits/{}", code.last_commit)
    );
}
