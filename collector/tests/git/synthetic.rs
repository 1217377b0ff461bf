//! A synthetic repository with the histories that trip collectors up —
//! merges that bring a change, a change made only in a merge, a merge that
//! differs from both parents, a merge that matches both, a revert, a rename,
//! a delete and re-add, a mode change, clock skew, a path that is not UTF-8,
//! a submodule, a symbolic link and an oversized runbook — checked against
//! `git log` and against what each case must give.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;

use git2::{Oid, Repository};
use vouch_collector::git::history::{Target, walk};
use vouch_collector::git::listing::files_at;
use vouch_collector::git::{GitEvidence, collect};
use vouch_sdk::plan::GitSource;

use super::support::{Scratch, context, git_logs, plan};

/// The repository, and the commit each case expects, by name.
struct Built {
    repo: Scratch,
    ids: BTreeMap<&'static str, String>,
}

fn build() -> Built {
    let mut r = Scratch::new();
    let mut ids = BTreeMap::new();
    for name in ["a", "b", "c", "d", "e", "f", "g", "i"] {
        r.write(
            format!("runbooks/{name}.md").as_bytes(),
            format!("# {name}\n").as_bytes(),
        );
    }
    r.write(b"docs/x.md", b"x\n");
    r.write(b"services/api/main.rs", b"fn main() {}\n");
    ids.insert("c1", r.commit("initial"));
    r.write(b"runbooks/a.md", b"---\nowner: team-a\ncapability: payments\nlast_reviewed: 2023-11-20\nreviewed_by: ann@example.com\n---\n# a v2\n");
    ids.insert("c2", r.commit("a: v2"));

    // A side branch's change, merged: the merge is TREESAME to the side.
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write(b"runbooks/b.md", b"# b from feature\n");
    ids.insert("f1", r.commit("b: feature"));
    r.git(&["checkout", "-q", "main"]);
    r.write(b"runbooks/c.md", b"# c on main\n");
    ids.insert("m1", r.commit("c: main"));
    ids.insert("M1", r.merge("feature", |_| {}));

    // A change made only in the merge commit.
    r.git(&["checkout", "-q", "-b", "evil"]);
    r.write(b"runbooks/f.md", b"# f from evil\n");
    ids.insert("e1", r.commit("f: evil"));
    r.git(&["checkout", "-q", "main"]);
    r.write(b"runbooks/g.md", b"# g on main\n");
    ids.insert("m2", r.commit("g: main"));
    ids.insert(
        "M2",
        r.merge("evil", |r| {
            r.write(b"runbooks/d.md", b"# d, changed in the merge\n")
        }),
    );

    // Both sides change the file; the merge keeps neither version.
    r.git(&["checkout", "-q", "-b", "conflict"]);
    r.write(b"runbooks/e.md", b"# e from conflict\n");
    ids.insert("k1", r.commit("e: conflict"));
    r.git(&["checkout", "-q", "main"]);
    r.write(b"runbooks/e.md", b"# e on main\n");
    ids.insert("m3", r.commit("e: main"));
    ids.insert(
        "M3",
        r.merge("conflict", |r| r.write(b"runbooks/e.md", b"# e, both\n")),
    );

    // Both sides make the same change: git follows the first parent, even
    // though the side branch's commit is newer.
    r.git(&["checkout", "-q", "-b", "same"]);
    let side_at = 1_800_000_000;
    r.write(b"runbooks/i.md", b"# i, same on both\n");
    ids.insert("s1", r.commit_at("i: same (side, newer)", side_at));
    r.git(&["checkout", "-q", "main"]);
    r.write(b"runbooks/i.md", b"# i, same on both\n");
    ids.insert("m4", r.commit("i: same (main)"));
    ids.insert("M4", r.merge("same", |_| {}));

    // A revert: the file goes back to an older blob.
    r.write(b"runbooks/a.md", b"# a v3\n");
    let m5 = r.commit("a: v3");
    let at = r.tick();
    assert!(r.run_at(&["revert", "--no-edit", &m5], at).status.success());
    ids.insert("m6", r.head());

    // A rename: the new path starts at the rename.
    r.git(&["mv", "runbooks/g.md", "runbooks/h.md"]);
    ids.insert("m7", r.commit("g: renamed to h"));

    // Deleted, then added again: `git log` lists both lives.
    r.git(&["rm", "-q", "runbooks/f.md"]);
    ids.insert("m8", r.commit("f: deleted"));
    r.write(b"runbooks/f.md", b"# f again\n");
    ids.insert("m9", r.commit("f: back"));

    // Only the mode changes.
    let c = r.path.join("runbooks/c.md");
    std::fs::set_permissions(&c, std::fs::Permissions::from_mode(0o755)).unwrap();
    ids.insert("m10", r.commit("c: executable"));

    // Clock skew: committed "before" its parent.
    r.write(b"docs/x.md", b"x, skewed\n");
    ids.insert("m11", r.commit_at("x: skewed clock", 1_600_000_000));

    // Another name for the same person, joined by `.mailmap`.
    r.write(
        b".mailmap",
        b"Test <test@example.com> T. Alias <alias@example.com>\n",
    );
    r.write(b"runbooks/j.md", b"# j\n");
    r.git(&["add", "-A"]);
    let at = r.tick();
    let alias = [
        "-c",
        "user.name=T. Alias",
        "-c",
        "user.email=alias@example.com",
    ];
    let out = r.run_at(
        &[&alias[..], &["commit", "-q", "-m", "j: by an alias"]].concat(),
        at,
    );
    assert!(out.status.success());
    ids.insert("m12a", r.head());

    // A name that is not UTF-8, a symbolic link, a submodule, a huge runbook.
    r.write(b"runbooks/caf\xe9.md", b"# latin-1 name\n");
    std::os::unix::fs::symlink("a.md", r.path.join("runbooks/link.md")).unwrap();
    r.write(b"runbooks/huge.md", &vec![b'#'; 17 * 1024 * 1024]);
    r.write(b"services/api/main.rs", b"fn main() { serve() }\n");
    r.git(&["add", "-A"]);
    let sub = "1111111111111111111111111111111111111111";
    r.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{sub},vendor/lib"),
    ]);
    ids.insert("m12", r.commit_index("odd files", 1_700_100_000));
    Built { repo: r, ids }
}

#[test]
fn every_file_as_git_log_says() {
    let built = build();
    let path = &built.repo.path;
    let repo = Repository::open(path).unwrap();
    let tip = repo.head().unwrap().peel_to_commit().unwrap().id();
    let files = files_at(&repo, tip).unwrap();
    assert_eq!(files.submodules, [b"vendor/lib".to_vec()]);
    let targets: Vec<Target<'_>> = files
        .files
        .iter()
        .map(|f| Target {
            path: &f.path,
            full: true,
        })
        .collect();
    let history = walk(&repo, tip, &targets).unwrap();
    let paths: Vec<Vec<u8>> = files.files.iter().map(|f| f.path.clone()).collect();
    let logs = git_logs(path, "HEAD", &paths);
    let mut answers = BTreeMap::new();
    for ((file, ours), theirs) in files.files.iter().zip(&history.paths).zip(&logs) {
        let name = String::from_utf8_lossy(&file.path).into_owned();
        let expected: Vec<&str> = theirs.iter().map(|l| &l[..40]).collect();
        let changes: Vec<String> = ours
            .changes
            .iter()
            .map(|&c| history.commits[c].id.to_string())
            .collect();
        assert_eq!(changes, expected, "history of {name}");
        // Authors after `.mailmap`, and subjects, as `git log` prints them.
        for (&c, line) in ours.changes.iter().zip(theirs) {
            let fields: Vec<&str> = line.split('\x1f').collect();
            let commit = &history.commits[c];
            assert_eq!(
                (commit.author.as_str(), commit.author_email.as_str()),
                (fields[3], fields[4])
            );
            assert_eq!(commit.subject, fields[5]);
        }
        let last = ours.last.map(|c| history.commits[c].id.to_string());
        assert_eq!(
            last.as_deref(),
            expected.first().copied(),
            "last change of {name}"
        );
        let created = ours.created().map(|c| history.commits[c].id.to_string());
        answers.insert(name, (last.unwrap(), created.unwrap()));
    }

    // And each case is the one intended (not just whatever git says).
    let id = |name: &str| built.ids[name].clone();
    let expect = [
        ("runbooks/a.md", "m6", "c1"),
        ("runbooks/b.md", "f1", "c1"),
        ("runbooks/c.md", "m10", "c1"),
        ("runbooks/d.md", "M2", "c1"),
        ("runbooks/e.md", "M3", "c1"),
        ("runbooks/f.md", "m9", "c1"),
        ("runbooks/h.md", "m7", "m7"),
        ("runbooks/i.md", "m4", "c1"),
        ("docs/x.md", "m11", "c1"),
        ("runbooks/caf\u{fffd}.md", "m12", "m12"),
        ("runbooks/j.md", "m12a", "m12a"),
    ];
    for (path, last, created) in expect {
        assert_eq!(answers[path], (id(last), id(created)), "{path}");
    }
}

fn collect_synthetic(built: &Built) -> GitEvidence {
    let source = GitSource {
        id: "rb".into(),
        path: Some("repo".into()),
        url: None,
        reference: Some("main".into()),
    };
    let plan = plan(
        &[
            ("ops", &["runbooks/*.md"], &["services/**", "vendor/**"]),
            ("payments", &[], &["nothing/**"]),
            ("search", &["search/**/*.md"], &[]),
        ],
        ("2023-11-15", "2023-11-30"),
    );
    collect(&source, &plan, &context(built.repo.dir.path())).unwrap()
}

#[test]
fn records_gaps_and_notes() {
    let built = build();
    let evidence = collect_synthetic(&built);
    assert_eq!(evidence.commit, built.ids["m12"]);
    assert_eq!(evidence.reference, "refs/heads/main");

    let a: Vec<_> = evidence
        .runbooks
        .iter()
        .filter(|r| r.path == "runbooks/a.md")
        .collect();
    // Matched by `ops`' glob, and by `payments` through its front matter.
    assert_eq!(
        a.iter().map(|r| r.capability.as_str()).collect::<Vec<_>>(),
        ["ops", "payments"]
    );
    assert_eq!(a[0].last_commit, built.ids["m6"]);
    assert_eq!(a[0].owner.as_deref(), Some("team-a"));
    assert_eq!(a[0].reviewed_by.as_deref(), Some("ann@example.com"));
    assert_eq!(
        a[0].last_reviewed.unwrap().to_rfc3339(),
        "2023-11-20T00:00:00+00:00"
    );
    assert_eq!(a[0].author, "Test");
    assert_eq!(a[0].origin.artifact, "rb/runbooks/a.md");

    let mut paths: Vec<&str> = evidence.runbooks.iter().map(|h| h.path.as_str()).collect();
    paths.dedup();
    assert_eq!(
        paths,
        [
            "runbooks/a.md",
            "runbooks/b.md",
            "runbooks/c.md",
            "runbooks/caf\u{fffd}.md",
            "runbooks/d.md",
            "runbooks/e.md",
            "runbooks/f.md",
            "runbooks/h.md",
            "runbooks/i.md",
            "runbooks/j.md",
            "runbooks/link.md",
        ]
    );
    let h = evidence
        .runbooks
        .iter()
        .find(|h| h.path == "runbooks/h.md")
        .unwrap();
    assert_eq!(h.created_commit, built.ids["m7"]);
    assert_eq!(h.subject, "g: renamed to h");
    assert_eq!(h.author_email, "test@example.com");
    // The window starts an hour after `c1`: `c2`, the change and its revert count.
    let a = evidence
        .runbooks
        .iter()
        .find(|h| h.path == "runbooks/a.md")
        .unwrap();
    assert_eq!(a.window_authors, ["Test"]);
    assert_eq!(a.window_commits, 3);
    assert_eq!(a.created_commit, built.ids["c1"]);

    assert_eq!(evidence.code.len(), 1);
    assert_eq!(evidence.code[0].capability, "ops");
    assert_eq!(evidence.code[0].last_commit, built.ids["m12"]);
    let commit = evidence
        .artifacts
        .iter()
        .find(|x| x.path == format!("rb/.commits/{}", built.ids["m12"]))
        .unwrap();
    // The artifact is the raw commit object: hashing it gives the commit id.
    let id = Oid::hash_object(git2::ObjectType::Commit, &commit.bytes).unwrap();
    assert_eq!(id.to_string(), built.ids["m12"]);

    let gaps: Vec<&str> = evidence.gaps.iter().map(|g| g.error.as_str()).collect();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert!(
        gaps[0].starts_with("`runbooks/huge.md`: cannot read blob"),
        "{gaps:?}"
    );
    assert!(gaps[0].contains("over the 16 MiB"), "{gaps:?}");

    let notes = evidence.unmatched.join("\n");
    for expected in [
        "`vendor/lib` is a submodule",
        "capability `payments`: no file matches its code globs",
        "capability `search`: no file matches its runbook globs",
        "`runbooks/caf\u{fffd}.md`: the path is not UTF-8",
    ] {
        assert!(notes.contains(expected), "{expected} not in:\n{notes}");
    }
}
