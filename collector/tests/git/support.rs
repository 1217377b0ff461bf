//! Shared by the git tests: fixtures, the `git` command, plans.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use tempfile::TempDir;
use vouch_collector::git::GitContext;
use vouch_sdk::Plan;

/// `../shared/fixtures/` next to the project.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures")
}

/// The `git` command in `dir`, isolated from the machine's configuration.
pub fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "user.name=Test",
            "-c",
        ])
        .args(["user.email=test@example.com", "-c", "commit.gpgsign=false"])
        .args(["-c", "protocol.file.allow=always"]);
    cmd
}

/// Runs `git ARGS` in `dir` and returns its standard output; fails the test
/// when git fails.
pub fn git<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> String {
    let out = git_command(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "git {:?} failed: {}",
        args.iter()
            .map(|a| a.as_ref().to_string_lossy())
            .collect::<Vec<_>>(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Clones a fixture bundle (`runbooks/NAME.bundle`, branch `branch`).
pub fn clone_bundle(name: &str, branch: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    let bundle = fixtures().join("runbooks").join(name);
    git(
        dir.path(),
        &[
            OsStr::new("clone"),
            OsStr::new("-q"),
            OsStr::new("-b"),
            OsStr::new(branch),
            bundle.as_os_str(),
            OsStr::new("repo"),
        ],
    );
    dir
}

/// What `git log REF -- PATH` lists, newest first (the path taken literally,
/// not as a glob): per commit, id, author time, committer time, author name
/// and email (after `.mailmap`) and subject, separated by U+001F.
pub fn git_log(repo: &Path, reference: &str, path: &[u8]) -> Vec<String> {
    let args = [
        OsStr::new("--literal-pathspecs"),
        OsStr::new("log"),
        OsStr::new("--format=%H%x1f%at%x1f%ct%x1f%aN%x1f%aE%x1f%s"),
        OsStr::new(reference),
        OsStr::new("--"),
        OsStr::from_bytes(path),
    ];
    git(repo, &args).lines().map(str::to_owned).collect()
}

/// `git log` for each of `paths`, on both cores.
pub fn git_logs(repo: &Path, reference: &str, paths: &[Vec<u8>]) -> Vec<Vec<String>> {
    let half = paths.len().div_ceil(2).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = paths
            .chunks(half)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|p| git_log(repo, reference, p))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    })
}

/// A plan with `capabilities` (id, runbook globs, code globs) and an audit window.
pub fn plan(capabilities: &[(&str, &[&str], &[&str])], window: (&str, &str)) -> Plan {
    let capabilities: Vec<_> = capabilities
        .iter()
        .map(|(id, runbooks, code)| {
            json!({
                "id": id, "name": id, "tier": "t1", "rto": "1h", "rpo": "1h",
                "owner": "team", "runbooks": runbooks, "code": code,
            })
        })
        .collect();
    serde_json::from_value(json!({
        "organisation": { "name": "Test" },
        "audit": { "start": window.0, "end": window.1 },
        "tiers": { "t1": { "level": 1, "max_runbook_age": "90d" } },
        "capabilities": capabilities,
    }))
    .unwrap()
}

/// A context whose plan directory is `dir` and whose clone cache is `dir/cache`.
pub fn context(dir: &Path) -> GitContext {
    GitContext {
        plan_dir: dir.to_owned(),
        cache_dir: dir.join("cache"),
    }
}

/// A repository built commit by commit with the `git` command, at fixed times.
pub struct Scratch {
    /// Keeps the directory alive.
    pub dir: TempDir,
    /// The work tree.
    pub path: PathBuf,
    clock: i64,
}

impl Scratch {
    /// An empty repository (`main`) in a new temporary directory.
    pub fn new() -> Self {
        let dir = TempDir::new().unwrap();
        let path = dir.path().join("repo");
        std::fs::create_dir(&path).unwrap();
        git(&path, &["init", "-q"]);
        Self {
            dir,
            path,
            clock: 1_700_000_000,
        }
    }

    /// Runs `git ARGS` in the work tree.
    pub fn git(&self, args: &[&str]) -> String {
        git(&self.path, args)
    }

    /// Writes `path` (bytes, for names that are not UTF-8) in the work tree.
    pub fn write(&self, path: &[u8], text: &[u8]) {
        let full = self.path.join(OsStr::from_bytes(path));
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    /// Commits everything (`git commit -a`, new files too) an hour after the
    /// previous commit, and returns its id.
    pub fn commit(&mut self, message: &str) -> String {
        let at = self.tick();
        self.commit_at(message, at)
    }

    /// The time of the next commit: an hour after the previous one.
    pub fn tick(&mut self) -> i64 {
        self.clock += 3600;
        self.clock
    }

    /// Commits everything with author and committer time `at` (seconds).
    pub fn commit_at(&mut self, message: &str, at: i64) -> String {
        self.git(&["add", "-A"]);
        self.commit_index(message, at)
    }

    /// Commits what is staged, with author and committer time `at`.
    pub fn commit_index(&mut self, message: &str, at: i64) -> String {
        let out = self.run_at(&["commit", "-q", "--allow-empty", "-m", message], at);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.head()
    }

    /// Runs `git ARGS` with author and committer time `at`, whatever its outcome.
    pub fn run_at(&self, args: &[&str], at: i64) -> std::process::Output {
        let date = format!("@{at} +0000");
        git_command(&self.path)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .args(args)
            .output()
            .unwrap()
    }

    /// Merges `branch` into the current branch with a merge commit, at the
    /// next hour; with `edit`, changes files in the merge itself before
    /// committing (conflicts must be resolved by `edit`).
    pub fn merge(&mut self, branch: &str, edit: impl FnOnce(&Self)) -> String {
        let at = self.tick();
        // Conflicts are expected here; `edit` resolves them.
        self.run_at(&["merge", "-q", "--no-ff", "--no-commit", branch], at);
        edit(self);
        self.git(&["add", "-A"]);
        let out = self.run_at(&["commit", "-q", "--no-edit"], at);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.head()
    }

    /// The id of `HEAD`.
    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }
}
