//! Fault drills on the real `vouch` binary: `kill -9` at random points of
//! `vouch seal` and `vouch collect`, and both run out of disk space.
//!
//! After every kill the output path holds the whole old output, the whole new
//! one, or nothing; no directory that carries a bundle's signature is half
//! written; and running the same command again succeeds without any cleanup.
//! A full disk gives exit status 2, an error naming the path and the cause,
//! and leaves nothing behind.
//!
//! `VOUCH_FAULT_TRIALS` sets how many kills in all (default 20, half for each
//! command); `VOUCH_FAULT_SEED` the seed of the kill times (default 9).

#![allow(clippy::unwrap_used)] // test helpers outside `#[test]` fns

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const NOW: &str = "2026-11-01T00:00:00Z";
/// Incident rows and extra drill files on top of the demo organisation: big
/// enough that a run spends most of its time writing (about a second each
/// here), small enough for 20 trials in well under a minute.
const INCIDENTS: usize = 8_000;
const DRILL_COPIES: usize = 100;

fn vouch(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vouch"));
    command.current_dir(dir);
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn run(command: &mut Command) -> Output {
    command.stdin(Stdio::null()).output().unwrap()
}

/// splitmix64: a seeded, reproducible source of kill times.
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % bound.max(1)
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The demo organisation in `dir`, with its incident export and drill
/// directory grown so that collecting and sealing take a while.
fn organisation(dir: &Path) {
    let demo = run(vouch(dir.parent().unwrap())
        .args(["demo", "--out"])
        .arg(dir));
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    let export = dir.join("incidents/incidents.jsonl");
    let rows: Vec<Value> = fs::read_to_string(&export)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let mut grown = String::new();
    for i in 0..INCIDENTS {
        let mut row = rows[i % rows.len()].clone();
        row["id"] = Value::from(format!("INC-{i:06}"));
        grown.push_str(&row.to_string());
        grown.push('\n');
    }
    fs::write(&export, grown).unwrap();
    let journals: Vec<PathBuf> = fs::read_dir(dir.join("drills/chaostoolkit"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let bulk = dir.join("drills/bulk");
    fs::create_dir_all(&bulk).unwrap();
    for i in 0..DRILL_COPIES {
        fs::copy(
            &journals[i % journals.len()],
            bulk.join(format!("copy-{i:04}.json")),
        )
        .unwrap();
    }
}

fn collect(dir: &Path, out: &Path) -> Command {
    let mut command = vouch(dir);
    command
        .args(["collect", "-q", "-p", "vouch.toml", "--now", NOW, "-o"])
        .arg(out);
    command
}

fn seal(dir: &Path, evidence: &Path, out: &Path) -> Command {
    let mut command = vouch(dir);
    command
        .args([
            "seal",
            "-q",
            "-p",
            "vouch.toml",
            "-a",
            ".vouch/assessment.json",
        ])
        .args(["--key", "demo.key", "-e"])
        .arg(evidence)
        .arg("-o")
        .arg(out);
    command
}

/// Every file under `root`, by relative path, with its bytes.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).unwrap().display().to_string();
                files.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// `vouch verify`'s exit status for `path`.
fn verify(dir: &Path, path: &Path) -> i32 {
    let output = run(vouch(dir)
        .args(["verify", "-q", "--key", "demo.pub"])
        .arg(path));
    output.status.code().unwrap_or(-1)
}

/// Every directory under `root` that carries a bundle's signature.
fn signed_dirs(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if dir.join("statement.dsse.json").exists() {
            found.push(dir.clone());
        }
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.is_symlink() {
                stack.push(path);
            }
        }
    }
    found
}

/// What was at the output path after a kill.
#[derive(Debug, Default)]
struct Tally {
    absent: usize,
    whole: usize,
}

/// One command under drill: how to run it, and how to judge its output.
struct Drill<'a> {
    name: &'static str,
    dir: &'a Path,
    out: PathBuf,
    command: Box<dyn Fn() -> Command + 'a>,
    /// Checks whatever is at the output path; true when something is there.
    check: Box<dyn Fn() -> bool + 'a>,
}

impl Drill<'_> {
    /// A whole run: it must succeed; returns how long it took.
    fn complete(&self) -> Duration {
        let started = Instant::now();
        let output = run(&mut (self.command)());
        let took = started.elapsed();
        assert!(
            output.status.success(),
            "{}: a run after a kill failed: {}",
            self.name,
            text(&output.stderr)
        );
        assert!((self.check)(), "{}: no output after a whole run", self.name);
        took
    }

    fn trials(&self, count: u64, rng: &mut Rng) -> Tally {
        // Kill times are drawn from how long a whole run takes here and now.
        let typical = self.complete().max(self.complete());
        let range = u64::try_from(typical.as_micros()).unwrap_or(u64::MAX);
        let mut tally = Tally::default();
        for trial in 0..count {
            // Half the kills replace an existing output, half write a first one.
            if trial % 2 == 0 {
                for path in [self.out.clone(), with_suffix(&self.out, ".tar")] {
                    if path.is_dir() {
                        fs::remove_dir_all(&path).unwrap();
                    } else if path.exists() {
                        fs::remove_file(&path).unwrap();
                    }
                }
            }
            let delay = Duration::from_micros(rng.below(range + range / 5));
            let mut child = (self.command)()
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(delay);
            child.kill().unwrap(); // SIGKILL: no destructor, no cleanup
            child.wait().unwrap();
            if (self.check)() {
                tally.whole += 1;
            } else {
                tally.absent += 1;
            }
            let parent = self.out.parent().unwrap();
            for signed in signed_dirs(parent) {
                assert_eq!(
                    verify(self.dir, &signed),
                    0,
                    "{} trial {trial} ({delay:?}): `{}` carries a signature but does not verify",
                    self.name,
                    signed.display()
                );
            }
            self.complete();
        }
        tally
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut os = path.as_os_str().to_owned();
    os.push(suffix);
    PathBuf::from(os)
}

fn leftovers(dir: &Path) -> usize {
    fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().starts_with('.')
        })
        .count()
}

#[test]
fn kill_9_never_leaves_partial_output_and_a_rerun_succeeds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = &tmp.path().join("org");
    organisation(dir);
    let trials = env_number("VOUCH_FAULT_TRIALS", 20);
    let mut rng = Rng(env_number("VOUCH_FAULT_SEED", 9));

    let sets = dir.join("sets");
    let reference = sets.join("reference");
    assert!(run(&mut collect(dir, &reference)).status.success());
    let expected = tree(&reference);
    let out = sets.join("evidence");
    let collect_drill = Drill {
        name: "collect",
        dir,
        out: out.clone(),
        command: Box::new(|| collect(dir, &out)),
        // `--now` makes collecting deterministic: a set is whole when it is
        // byte for byte the reference.
        check: Box::new(|| {
            if !out.exists() {
                return false;
            }
            let found = tree(&out);
            let differ: Vec<&String> = expected
                .keys()
                .chain(found.keys())
                .filter(|k| expected.get(*k) != found.get(*k))
                .collect();
            assert!(
                differ.is_empty(),
                "collect: `{}` is not the whole set; differs in {differ:?}",
                out.display()
            );
            true
        }),
    };
    let collected = collect_drill.trials(trials / 2, &mut rng);

    let bundles = dir.join("bundles");
    let bundle = bundles.join("bundle");
    let archive = with_suffix(&bundle, ".tar");
    let seal_drill = Drill {
        name: "seal",
        dir,
        out: bundle.clone(),
        command: Box::new(|| seal(dir, &reference, &bundle)),
        check: Box::new(|| {
            let mut present = false;
            for path in [&bundle, &archive] {
                if path.exists() {
                    present = true;
                    assert_eq!(
                        verify(dir, path),
                        0,
                        "seal: `{}` is there but does not verify",
                        path.display()
                    );
                }
            }
            present
        }),
    };
    let sealed = seal_drill.trials(trials - trials / 2, &mut rng);

    println!(
        "collect: {} kills: {} left nothing at the output, {} the whole set; {} leftovers beside it",
        trials / 2,
        collected.absent,
        collected.whole,
        leftovers(&sets)
    );
    println!(
        "seal: {} kills: {} left nothing at the output, {} a whole bundle; {} leftovers beside it",
        trials - trials / 2,
        sealed.absent,
        sealed.whole,
        leftovers(&bundles)
    );
}

/// A small tmpfs mounted for the life of the value, unmounted on drop, even
/// when the test fails.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path) -> Result<Self, String> {
        fs::create_dir_all(at).unwrap();
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
            .arg(at)
            .output()
            .map_err(|e| format!("cannot run `mount`: {e}"))?;
        if output.status.success() {
            Ok(Self(at.to_path_buf()))
        } else {
            Err(text(&output.stderr).trim().to_owned())
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn assert_full_disk(what: &str, output: &Output, disk: &Path) {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
    assert!(
        stderr.to_lowercase().contains("no space left on device"),
        "{what}: {stderr}"
    );
    assert!(
        stderr.contains(&disk.display().to_string()),
        "{what} does not name the path on the full disk: {stderr}"
    );
    let left: Vec<String> = fs::read_dir(disk)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "{what} left {left:?} on the full disk");
}

#[test]
fn a_full_disk_is_a_clear_error_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = &tmp.path().join("org");
    organisation(dir);
    let evidence = dir.join("evidence");
    assert!(run(&mut collect(dir, &evidence)).status.success());
    let disk = dir.join("disk");
    let mounted = match Tmpfs::mount(&disk) {
        Ok(mounted) => mounted,
        Err(reason) => {
            println!("skipped: cannot mount a tmpfs here: {reason}");
            return;
        }
    };
    let sealed = run(&mut seal(dir, &evidence, &disk.join("bundle")));
    assert_full_disk("seal", &sealed, &disk);
    let collected = run(&mut collect(dir, &disk.join("ev")));
    assert_full_disk("collect", &collected, &disk);
    drop(mounted);
}
