//! Each way a git source can fail, and the repositories that are damaged or
//! cut short: a clear error for the source, or a gap for the file.

use std::path::Path;

use miette::Diagnostic;
use vouch_collector::git::{GitError, collect};
use vouch_sdk::plan::GitSource;

use super::support::{Scratch, context, git, plan};

fn local(path: &str, reference: Option<&str>) -> GitSource {
    GitSource {
        id: "rb".into(),
        path: Some(path.into()),
        url: None,
        reference: reference.map(str::to_owned),
    }
}

fn remote(url: &Path, reference: Option<&str>) -> GitSource {
    GitSource {
        id: "rb".into(),
        path: None,
        url: Some(url.display().to_string()),
        reference: reference.map(str::to_owned),
    }
}

fn run(source: &GitSource, dir: &Path) -> Result<vouch_collector::git::GitEvidence, GitError> {
    let plan = plan(
        &[("ops", &["runbooks/**/*.md"], &["services/**"])],
        ("2023-01-01", "2023-12-31"),
    );
    collect(source, &plan, &context(dir))
}

/// A small repository with branches `main` and `feature`.
fn small() -> Scratch {
    let mut r = Scratch::new();
    r.write(b"runbooks/a.md", b"# a\n");
    r.write(b"services/api.rs", b"fn main() {}\n");
    r.commit("first");
    r.git(&["branch", "feature"]);
    r.write(b"runbooks/a.md", b"# a, again\n");
    r.commit("second");
    r
}

fn help(error: &GitError) -> String {
    error.help().map(|h| h.to_string()).unwrap_or_default()
}

#[test]
fn unknown_ref_names_it_and_lists_the_branches() {
    let r = small();
    let err = run(&local("repo", Some("nope")), r.dir.path()).unwrap_err();
    let GitError::UnknownRef(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.branches, ["feature", "main"]);
    assert!(
        err.to_string()
            .starts_with("ref `nope` names no commit in `"),
        "{err}"
    );
    assert_eq!(
        help(&err),
        "set `ref` to one of its branches: `feature`, `main`"
    );
    // Branches, tags, ids and expressions all work.
    for reference in ["feature", "main~1", &r.head()[..12], "refs/heads/main"] {
        run(&local("repo", Some(reference)), r.dir.path()).unwrap();
    }
}

#[test]
fn shallow_clone_is_refused() {
    let r = small();
    let url = format!("file://{}", r.path.display());
    git(
        r.dir.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let err = run(&local("shallow", None), r.dir.path()).unwrap_err();
    assert!(matches!(err, GitError::ShallowClone(_)), "{err:?}");
    assert!(
        err.to_string()
            .ends_with("is a shallow clone: its history is incomplete"),
        "{err}"
    );
    assert!(help(&err).contains("git fetch --unshallow"));
}

#[test]
fn empty_repository() {
    let r = Scratch::new();
    let err = run(&local("repo", None), r.dir.path()).unwrap_err();
    assert!(matches!(err, GitError::EmptyRepository(_)), "{err:?}");
    assert!(err.to_string().ends_with("has no commits"), "{err}");
}

#[test]
fn not_a_repository() {
    let r = small();
    std::fs::create_dir(r.dir.path().join("plain")).unwrap();
    // A directory inside a repository is not one: no searching upwards.
    for path in ["plain", "missing", "repo/runbooks"] {
        let err = run(&local(path, None), r.dir.path()).unwrap_err();
        assert!(
            matches!(err, GitError::NotARepository(_)),
            "{path}: {err:?}"
        );
        assert!(
            err.to_string().ends_with("is not a git repository"),
            "{err}"
        );
    }
    let neither = GitSource {
        id: "rb".into(),
        path: None,
        url: None,
        reference: None,
    };
    let err = run(&neither, r.dir.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "git source `rb` must have exactly one of `path` and `url`"
    );
}

#[test]
fn clone_fetches_incrementally_and_follows_the_remote_default_branch() {
    let mut r = small();
    let work = tempfile::TempDir::new().unwrap();
    let first = run(&remote(&r.path, None), work.path()).unwrap();
    assert_eq!(first.commit, r.head());
    assert_eq!(first.reference, "refs/remotes/origin/main");
    assert!(work.path().join("cache").join("HEAD").exists());

    r.write(b"runbooks/a.md", b"# a, third\n");
    let third = r.commit("third");
    let second = run(&remote(&r.path, None), work.path()).unwrap();
    assert_eq!(second.commit, third);
    assert_eq!(second.runbooks[0].last_commit, third);

    // The remote's default branch moves: the clone follows it.
    r.git(&["symbolic-ref", "HEAD", "refs/heads/feature"]);
    let moved = run(&remote(&r.path, None), work.path()).unwrap();
    assert_eq!(moved.reference, "refs/remotes/origin/feature");
    // A branch by name means the remote's branch.
    let named = run(&remote(&r.path, Some("main")), work.path()).unwrap();
    assert_eq!(named.commit, third);

    let err = run(&remote(&r.path, Some("nope")), work.path()).unwrap_err();
    let GitError::UnknownRef(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.branches, ["feature", "main"]);
}

#[test]
fn failed_fetch() {
    let work = tempfile::TempDir::new().unwrap();
    let missing = work.path().join("no-such-repository");
    let err = run(&remote(&missing, None), work.path()).unwrap_err();
    assert!(matches!(err, GitError::Fetch(_)), "{err:?}");
    assert!(err.to_string().starts_with("cannot fetch `"), "{err}");
}

/// A bare partial clone of `small()` with `filter`.
fn partial(filter: &str) -> (Scratch, String) {
    let r = small();
    git(&r.path, &["config", "uploadpack.allowFilter", "true"]);
    let url = format!("file://{}", r.path.display());
    git(
        r.dir.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &format!("--filter={filter}"),
            &url,
            "partial",
        ],
    );
    (r, "partial".to_owned())
}

#[test]
fn partial_clone_without_blobs_dates_files_but_cannot_read_them() {
    let (r, path) = partial("blob:none");
    let evidence = run(&local(&path, None), r.dir.path()).unwrap();
    // History needs no blob: the code record stands; the runbook cannot be read.
    assert_eq!(evidence.code.len(), 1);
    assert!(evidence.runbooks.is_empty());
    assert_eq!(evidence.gaps.len(), 1, "{:?}", evidence.gaps);
    assert!(
        evidence.gaps[0]
            .error
            .starts_with("`runbooks/a.md`: cannot read blob")
    );
}

#[test]
fn partial_clone_without_trees_is_an_error() {
    let (r, path) = partial("tree:0");
    let err = run(&local(&path, None), r.dir.path()).unwrap_err();
    assert!(matches!(err, GitError::MissingObjects(_)), "{err:?}");
    assert!(err.to_string().contains("is missing from"), "{err}");
    assert!(help(&err).contains("partial clone"));
}

#[test]
fn damaged_history_is_a_gap_per_file() {
    let mut r = Scratch::new();
    r.write(b"runbooks/old.md", b"# never changed\n");
    r.write(b"runbooks/new.md", b"# v1\n");
    r.write(b"runbooks/deep/x.md", b"# x\n");
    let first = r.commit("first");
    r.write(b"runbooks/new.md", b"# v2\n");
    r.commit("second");
    r.write(b"runbooks/new.md", b"# v3\n");
    let third = r.commit("third");
    // Lose the first commit's tree of `runbooks/`.
    let tree = r.git(&["rev-parse", &format!("{first}:runbooks")]);
    let tree = tree.trim();
    std::fs::remove_file(
        r.path
            .join(".git/objects")
            .join(&tree[..2])
            .join(&tree[2..]),
    )
    .unwrap();

    let evidence = run(&local("repo", None), r.dir.path()).unwrap();
    // `new.md` changed after the damage: dated, with a note on its older history.
    assert_eq!(evidence.runbooks.len(), 1);
    assert_eq!(evidence.runbooks[0].path, "runbooks/new.md");
    assert_eq!(evidence.runbooks[0].last_commit, third);
    assert!(
        evidence
            .unmatched
            .iter()
            .any(|n| n
                .starts_with("`runbooks/new.md`: history before its last change is incomplete"))
    );
    // The others' last change is hidden behind the missing tree.
    let mut gaps: Vec<&str> = evidence.gaps.iter().map(|g| g.error.as_str()).collect();
    gaps.sort();
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    assert!(
        gaps[0].starts_with("`runbooks/deep/x.md`: cannot find its last change: tree "),
        "{gaps:?}"
    );
    assert!(
        gaps[1].starts_with("`runbooks/old.md`: cannot find its last change"),
        "{gaps:?}"
    );
}

#[test]
fn ref_to_a_missing_commit() {
    let r = small();
    std::fs::write(
        r.path.join(".git/refs/heads/broken"),
        "2222222222222222222222222222222222222222\n",
    )
    .unwrap();
    let err = run(&local("repo", Some("broken")), r.dir.path()).unwrap_err();
    assert!(matches!(err, GitError::MissingObjects(_)), "{err:?}");
}
