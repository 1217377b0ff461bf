//! How fast the git collector dates files, against the two ways `git` can:
//! one `git log -1 -- <path>` per file, and one `git log --name-only` pass.
//!
//! Generates (with `git fast-import`) a repository of 20,000 commits over
//! 5,000 files — mostly linear, with a side branch merged every 40 commits —
//! then times, each the median of five rounds of CPU time (the collector's,
//! or the `git` process's; wall time where `/proc` is missing):
//!
//! - the collector's history walk, to the last change only and in full;
//! - `vouch_collector::git::collect` (full history, every blob read, records);
//! - `git log -1 --format=%H main -- <path>` for a sample of files, scaled to
//!   all 5,000 (set `VOUCH_BENCH_SAMPLE=5000` to run every file);
//! - one `git log --name-only --no-renames --format=... main` pass.
//!
//! Side branches touch only files the main line leaves alone while they are
//! open, so the single pass (which lists no files for merges) gives the same
//! answers as `git log -- <path>`; the bench checks that all agree.
//!
//! Run with `cargo bench -p vouch-collector --bench git_history`.

use std::collections::HashMap;
use std::error::Error;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use git2::Repository;
use serde_json::json;
use vouch_collector::git::history::{Target, walk};
use vouch_collector::git::{GitContext, collect};
use vouch_sdk::Plan;
use vouch_sdk::plan::GitSource;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const COMMITS: usize = 20_000;
const SERVICES: usize = 50;
const MODULES: usize = 10;
const PER_MODULE: usize = 10;
const FILES: usize = SERVICES * MODULES * PER_MODULE;
/// A side branch opens every this many main-line commits...
const SIDE_EVERY: usize = 40;
/// ...and gets this many commits before it is merged.
const SIDE_COMMITS: usize = 4;
/// Timed rounds of each contender.
const ROUNDS: usize = 5;

fn main() -> Result<()> {
    let dir = tempfile::TempDir::new()?;
    let repo_path = dir.path().join("repo");
    let started = Instant::now();
    let commits = generate(&repo_path)?;
    println!(
        "generated {commits} commits over {FILES} files in {:.1?} (git fast-import + repack)",
        started.elapsed()
    );
    let paths = all_paths();

    let tip = Repository::open(&repo_path)?
        .revparse_single("main")?
        .peel_to_commit()?
        .id();
    let last_only: Vec<Target<'_>> = paths
        .iter()
        .map(|p| Target {
            path: p.as_bytes(),
            full: false,
        })
        .collect();
    let full: Vec<Target<'_>> = last_only
        .iter()
        .map(|t| Target { full: true, ..*t })
        .collect();

    // Each run opens the repository afresh, as `vouch collect` does (and as
    // each `git` process does): no object cached from the run before. The
    // contenders take turns, round after round, so that a busy moment on the
    // machine slows them alike; each figure is the median of its rounds.
    let (source, plan, ctx) = collect_inputs(dir.path())?;
    let mut ours = Vec::new();
    let mut single = HashMap::new();
    let mut collected = 0;
    let mut times = [const { Vec::new() }; 4];
    for _ in 0..ROUNDS {
        times[0].push(timed(|| {
            let repo = Repository::open(&repo_path)?;
            let history = walk(&repo, tip, &last_only)?;
            ours = history
                .paths
                .iter()
                .map(|p| p.last.map(|c| history.commits[c].id.to_string()))
                .collect();
            Ok(())
        })?);
        times[1].push(timed(|| {
            let repo = Repository::open(&repo_path)?;
            walk(&repo, tip, &full).map(drop).map_err(Into::into)
        })?);
        times[2].push(timed(|| {
            collected = collect(&source, &plan, &ctx)?.runbooks.len();
            Ok(())
        })?);
        times[3].push(timed(|| {
            single = single_pass(&repo_path)?;
            Ok(())
        })?);
    }
    let [walk_last, walk_full, collect_time, single_time] = times.map(median);

    let sample: usize = std::env::var("VOUCH_BENCH_SAMPLE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(250)
        .clamp(1, FILES);
    let step = FILES / sample;
    let mut loop_answers = Vec::new();
    let loop_time = timed(|| {
        for i in (0..FILES).step_by(step).take(sample) {
            let out = git(
                &repo_path,
                &["log", "-1", "--format=%H", "main", "--", &paths[i]],
            )?;
            loop_answers.push((i, out.trim().to_owned()));
        }
        Ok(())
    })?
    .mul_f64(FILES as f64 / sample as f64);

    // Identical answers, every file.
    let mut differ = 0;
    for (path, answer) in paths.iter().zip(&ours) {
        if single.get(path.as_str()) != answer.as_ref() {
            differ += 1;
        }
    }
    for (i, answer) in &loop_answers {
        if ours[*i].as_deref() != Some(answer.as_str()) {
            differ += 1;
        }
    }
    if differ > 0 || collected != FILES {
        return Err(format!("{differ} answers differ; {collected} runbooks collected").into());
    }

    println!("machine: {}", machine());
    println!(
        "answers: identical for all {FILES} files (walk = single pass), and for the {sample} sampled by the per-file loop"
    );
    let row = |name: &str, t: Duration| println!("{name:<58} {:>9.3} s", t.as_secs_f64());
    row("collector walk, last change only", walk_last);
    row("collector walk, full history (creation, window)", walk_full);
    row(
        "collector collect() (full history, 5,000 blobs, records)",
        collect_time,
    );
    let scaled = if sample < FILES {
        format!("per-file `git log -1` loop ({sample} files, scaled to {FILES})")
    } else {
        format!("per-file `git log -1` loop ({FILES} files)")
    };
    row(&scaled, loop_time);
    row(
        "single `git log --name-only --no-renames` pass",
        single_time,
    );
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!(
        "per-file loop / collector walk (last change): {:>7.1}x   (goal >= 20x)",
        ratio(loop_time, walk_last)
    );
    println!(
        "per-file loop / collect():                     {:>7.1}x",
        ratio(loop_time, collect_time)
    );
    println!(
        "collector walk (last change) / single pass:    {:>7.2}x   (goal <= 1.5x)",
        ratio(walk_last, single_time)
    );
    println!(
        "collector walk (full) / single pass:           {:>7.2}x",
        ratio(walk_full, single_time)
    );
    println!(
        "collect() / single pass:                       {:>7.2}x",
        ratio(collect_time, single_time)
    );
    Ok(())
}

/// How long `f` takes: CPU time (this process's and its finished
/// children's, so that a `git` it runs counts too) where Linux tells it,
/// which other work on a shared machine hardly disturbs; else wall time.
fn timed(f: impl FnOnce() -> Result<()>) -> Result<Duration> {
    let (started, cpu) = (Instant::now(), cpu_time());
    f()?;
    Ok(match (cpu, cpu_time()) {
        (Some(before), Some(after)) => after.saturating_sub(before),
        _ => started.elapsed(),
    })
}

/// User and system time of this process and its waited-for children, from
/// `/proc/self/stat` (fields 14 to 17, in clock ticks of 10 ms).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces: count from after its `)`.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields
        .get(11..15)?
        .iter()
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Some(Duration::from_millis(ticks * 10))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

fn all_paths() -> Vec<String> {
    let mut paths = Vec::with_capacity(FILES);
    for s in 0..SERVICES {
        for m in 0..MODULES {
            for f in 0..PER_MODULE {
                paths.push(format!("svc{s:02}/mod{m}/runbook{f}.md"));
            }
        }
    }
    paths
}

/// A small deterministic generator (xorshift64).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Writes the fast-import stream for the repository; returns the commit count.
struct Stream {
    out: Vec<u8>,
    mark: usize,
    time: i64,
    commits: usize,
}

impl Stream {
    fn blob(&mut self, path: &str, revision: usize) -> usize {
        self.mark += 1;
        let text = format!(
            "---\nowner: team-{}\n---\n# {path}\n\nRevision {revision}.\n\n{}\n",
            revision % 7,
            "Check the dashboards, page the owner, follow the steps. ".repeat(8)
        );
        let _ = write!(
            self.out,
            "blob\nmark :{}\ndata {}\n{text}\n",
            self.mark,
            text.len()
        );
        self.mark
    }

    fn commit(
        &mut self,
        branch: &str,
        from: Option<usize>,
        merge: Option<usize>,
        changes: &[(String, usize)],
        author: usize,
    ) -> usize {
        self.mark += 1;
        self.time += 600;
        self.commits += 1;
        let message = format!("change {}", self.commits);
        let who = format!(
            "Author {author} <author{author}@example.com> {} +0000",
            self.time
        );
        let _ = write!(
            self.out,
            "commit refs/heads/{branch}\nmark :{}\nauthor {who}\ncommitter {who}\ndata {}\n{message}\n",
            self.mark,
            message.len()
        );
        if let Some(from) = from {
            let _ = writeln!(self.out, "from :{from}");
        }
        if let Some(merge) = merge {
            let _ = writeln!(self.out, "merge :{merge}");
        }
        for (path, blob) in changes {
            let _ = writeln!(self.out, "M 100644 :{blob} {path}");
        }
        self.out.push(b'\n');
        self.mark
    }
}

/// Generates the repository at `path` and returns its number of commits.
fn generate(path: &Path) -> Result<usize> {
    std::fs::create_dir_all(path)?;
    git(path, &["init", "-q", "-b", "main"])?;
    let paths = all_paths();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut s = Stream {
        out: Vec::new(),
        mark: 0,
        time: 1_500_000_000,
        commits: 0,
    };
    let mut revision = 0;
    let initial: Vec<(String, usize)> = paths.iter().map(|p| (p.clone(), s.blob(p, 0))).collect();
    let mut main = s.commit("main", None, None, &initial, 0);
    let per_service = MODULES * PER_MODULE;
    while s.commits < COMMITS {
        let fork = main;
        let side_service = rng.below(SERVICES);
        let mut side = None;
        let mut side_changes: HashMap<String, usize> = HashMap::new();
        for step in 0..SIDE_EVERY {
            if step < SIDE_COMMITS {
                // The side branch edits one file of its service.
                let p = &paths[side_service * per_service + rng.below(per_service)];
                revision += 1;
                let blob = s.blob(p, revision);
                side_changes.insert(p.clone(), blob);
                let from = side.unwrap_or(fork);
                side = Some(s.commit(
                    "side",
                    Some(from),
                    None,
                    &[(p.clone(), blob)],
                    rng.below(97),
                ));
            }
            // The main line edits one to three files of other services.
            let mut changes = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let mut f = rng.below(FILES);
                if f / per_service == side_service {
                    f = (f + per_service) % FILES;
                }
                revision += 1;
                changes.push((paths[f].clone(), s.blob(&paths[f], revision)));
            }
            main = s.commit("main", Some(main), None, &changes, rng.below(97));
        }
        let mut merged: Vec<(String, usize)> = side_changes.into_iter().collect();
        merged.sort();
        main = s.commit("main", Some(main), side, &merged, rng.below(97));
    }
    let mut import = git_command(path)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()?;
    import
        .stdin
        .take()
        .ok_or("no stdin for git fast-import")?
        .write_all(&s.out)?;
    if !import.wait()?.success() {
        return Err("git fast-import failed".into());
    }
    // One pack with deltas, as a clone has.
    git(path, &["repack", "-adq"])?;
    git(path, &["branch", "-D", "side"])?;
    Ok(s.commits)
}

/// The last change of every file from one `git log --name-only` pass.
fn single_pass(repo: &Path) -> Result<HashMap<String, String>> {
    let out = git(
        repo,
        &[
            "log",
            "--name-only",
            "--no-renames",
            "--format=%x00%H",
            "main",
        ],
    )?;
    let mut last = HashMap::new();
    let mut commit = "";
    for line in out.lines() {
        if let Some(id) = line.strip_prefix('\0') {
            commit = id;
        } else if !line.is_empty() {
            last.entry(line.to_owned())
                .or_insert_with(|| commit.to_owned());
        }
    }
    Ok(last)
}

fn collect_inputs(dir: &Path) -> Result<(GitSource, Plan, GitContext)> {
    let source = GitSource {
        id: "bench".into(),
        path: Some("repo".into()),
        url: None,
        reference: Some("main".into()),
    };
    let plan = serde_json::from_value(json!({
        "organisation": { "name": "Bench" },
        "audit": { "start": "2017-01-01", "end": "2017-12-31" },
        "tiers": { "t1": { "level": 1, "max_runbook_age": "90d" } },
        "capabilities": [{
            "id": "all", "name": "All", "tier": "t1", "rto": "1h", "rpo": "1h",
            "owner": "team", "runbooks": ["**/*.md"],
        }],
    }))?;
    let ctx = GitContext {
        plan_dir: dir.to_owned(),
        cache_dir: dir.join("cache"),
    };
    Ok((source, plan, ctx))
}

fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    cmd
}

fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let out = git_command(dir).args(args).output()?;
    if !out.status.success() {
        return Err(format!("git {args:?}: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let git = git(Path::new("."), &["--version"]).unwrap_or_default();
    format!("{cpu}, {cores} cores; {}", git.trim())
}
