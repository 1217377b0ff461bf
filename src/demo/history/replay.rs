//! Replays the events into git: one file map per branch, side branches forked
//! from `main` when they first commit, and merges resolved three-way against
//! the merge base, as git would.

use std::collections::BTreeMap;

use git2::Oid;

use super::{Action, Change, Event, MAIN, StepKind};
use crate::demo::DemoError;
use crate::demo::clock::Instant;
use crate::demo::files::{self, Doc, Row};
use crate::demo::people::{GITHUB, Person};
use crate::demo::repo::Repo;
use crate::demo::rng::Rng;

/// The repository the history produced.
#[derive(Debug)]
pub struct Outcome {
    /// The commit `main` points at.
    pub head: Oid,
    /// Every commit, merges included.
    pub commits: usize,
    /// Merge commits.
    pub merges: usize,
    /// The paths in `main`'s tree.
    pub files: Vec<String>,
}

type Files = BTreeMap<String, Doc>;

/// One branch: its tip, its files, and (for side branches) the files of its
/// merge base with `main`.
#[derive(Default)]
struct Branch {
    head: Option<Oid>,
    files: Files,
    base: Files,
}

/// Writes every event as a commit and returns `main`.
pub fn replay(repo: &mut Repo, events: &[Event]) -> Result<Outcome, DemoError> {
    let mut replay = Replay {
        repo,
        branches: BTreeMap::new(),
        commits: 0,
        merges: 0,
        pick: Rng::named("pick"),
    };
    for event in events {
        replay.apply(event)?;
    }
    let main = replay.branches.remove(MAIN).unwrap_or_default();
    let head = main
        .head
        .ok_or_else(|| DemoError::scenario("the history has no commits"))?;
    Ok(Outcome {
        head,
        commits: replay.commits,
        merges: replay.merges,
        files: main.files.into_keys().collect(),
    })
}

struct Replay<'r> {
    repo: &'r mut Repo,
    branches: BTreeMap<&'static str, Branch>,
    commits: usize,
    merges: usize,
    pick: Rng,
}

impl Replay<'_> {
    fn apply(&mut self, event: &Event) -> Result<(), DemoError> {
        let row = |note: &'static str| Row {
            date: event.at.date(),
            author: event.by,
            note,
        };
        match &event.action {
            Action::Scripted(StepKind::Commit { message, changes }) => {
                let mut files = self.branch(event.branch)?.files.clone();
                for change in *changes {
                    change_files(&mut files, *change, row)?;
                }
                self.commit(event, message, files)
            }
            Action::EditText { key, note } => {
                let mut files = self.branch(event.branch)?.files.clone();
                let path = change_files(&mut files, Change::Edit(key, note), row)?;
                let area = path
                    .split('/')
                    .nth(1)
                    .filter(|_| path.starts_with("runbooks/"))
                    .unwrap_or("docs");
                let message = format!("{area}: {}", lowercase_first(note));
                self.commit(event, &message, files)
            }
            Action::EditCode { group, note } => {
                let mut files = self.branch(event.branch)?.files.clone();
                let present: Vec<&'static str> = group
                    .files
                    .iter()
                    .filter(|f| f.template.contains("{rev}") && files.contains_key(f.path))
                    .map(|f| f.key)
                    .collect();
                let key = *self.pick.pick(&present).ok_or_else(|| {
                    DemoError::scenario(format!("`{}` has no files to edit", group.name))
                })?;
                change_files(&mut files, Change::Edit(key, ""), row)?;
                let message = if group.team == crate::demo::people::BOTS {
                    (*note).to_owned()
                } else {
                    format!("{}: {note}", group.name)
                };
                self.commit(event, &message, files)
            }
            Action::Scripted(StepKind::Merge {
                from,
                title,
                changes,
            }) => self.merge(event, from, title, changes),
        }
    }

    /// The branch, forked from `main` the first time a side branch is used.
    fn branch(&mut self, name: &'static str) -> Result<&mut Branch, DemoError> {
        if !self.branches.contains_key(name) {
            let fork = match self.branches.get(MAIN) {
                Some(main) => Branch {
                    head: main.head,
                    files: main.files.clone(),
                    base: main.files.clone(),
                },
                None if name == MAIN => Branch::default(),
                None => {
                    return Err(DemoError::scenario(format!(
                        "`{name}` forks before `main` exists"
                    )));
                }
            };
            self.branches.insert(name, fork);
        }
        self.branches
            .get_mut(name)
            .ok_or_else(|| DemoError::scenario(format!("no branch `{name}`")))
    }

    fn commit(&mut self, event: &Event, message: &str, files: Files) -> Result<(), DemoError> {
        let branch = self.branch(event.branch)?;
        if branch.head.is_some() && branch.files == files {
            return Err(DemoError::scenario(format!(
                "commit `{message}` changes nothing"
            )));
        }
        let parents: Vec<Oid> = branch.head.into_iter().collect();
        let oid = self.write(
            &files,
            &parents,
            (event.by, event.at),
            (event.by, event.at),
            message,
        )?;
        let branch = self.branch(event.branch)?;
        branch.head = Some(oid);
        branch.files = files;
        self.commits += 1;
        Ok(())
    }

    fn merge(
        &mut self,
        event: &Event,
        from: &'static str,
        title: &str,
        changes: &[Change],
    ) -> Result<(), DemoError> {
        let into = event.branch;
        let theirs = self.branch(from)?;
        let (their_head, their_files) = (theirs.head, theirs.files.clone());
        let side = if into == MAIN { from } else { into };
        let base = self.branch(side)?.base.clone();
        let ours = self.branch(into)?;
        let our_head = ours.head;
        let resolved: Vec<&str> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Edit(key, _) => Some(*key),
                _ => None,
            })
            .collect();
        let mut files = three_way(&base, &ours.files, &their_files, &resolved)?;
        let row = |note: &'static str| Row {
            date: event.at.date(),
            author: event.by,
            note,
        };
        for change in changes {
            change_files(&mut files, *change, row)?;
        }
        let (Some(our_head), Some(their_head)) = (our_head, their_head) else {
            return Err(DemoError::scenario(format!(
                "merge of `{from}` into `{into}` before both exist"
            )));
        };
        let (message, committer) = if into == MAIN {
            let number = 100 + self.commits;
            (
                format!("Merge pull request #{number} from acme/{from}\n\n{title}"),
                GITHUB,
            )
        } else {
            (format!("Merge branch '{from}' into {into}"), event.by)
        };
        let oid = self.write(
            &files,
            &[our_head, their_head],
            (event.by, event.at),
            (committer, event.at),
            &message,
        )?;
        // Afterwards the merge base of the two branches is the tip that was merged in.
        self.branch(side)?.base = their_files;
        let ours = self.branch(into)?;
        ours.head = Some(oid);
        ours.files = files;
        self.commits += 1;
        self.merges += 1;
        Ok(())
    }

    fn write(
        &mut self,
        files: &Files,
        parents: &[Oid],
        author: (Person, Instant),
        committer: (Person, Instant),
        message: &str,
    ) -> Result<Oid, DemoError> {
        let mut blobs = BTreeMap::new();
        for (path, doc) in files {
            blobs.insert(path.clone(), self.repo.blob(doc.render()?)?);
        }
        let tree = self.repo.tree(&blobs)?;
        self.repo.commit(tree, parents, author, committer, message)
    }
}

/// Applies one change; returns the path it touched.
fn change_files(
    files: &mut Files,
    change: Change,
    row: impl Fn(&'static str) -> Row,
) -> Result<String, DemoError> {
    let path_of = |files: &Files, key: &str| {
        files
            .iter()
            .find(|(_, doc)| doc.key() == key)
            .map(|(path, _)| path.clone())
            .ok_or_else(|| DemoError::scenario(format!("`{key}` is not in the tree")))
    };
    match change {
        Change::Add(key) => {
            let path = files::text(key)
                .map(|t| t.path)
                .or_else(|| files::code(key).map(|(_, c)| c.path))
                .ok_or_else(|| DemoError::scenario(format!("no file `{key}`")))?;
            if files.contains_key(path) {
                return Err(DemoError::scenario(format!("`{path}` added twice")));
            }
            files.insert(path.to_owned(), Doc::new(key, row("First version"))?);
            Ok(path.to_owned())
        }
        Change::Edit(key, note) => {
            let path = path_of(files, key)?;
            let doc = files.get(&path).map(|doc| doc.edited(row(note)));
            if let Some(doc) = doc {
                files.insert(path.clone(), doc);
            }
            Ok(path)
        }
        Change::Rename(key, to) => {
            let path = path_of(files, key)?;
            if files.contains_key(to) {
                return Err(DemoError::scenario(format!("rename onto existing `{to}`")));
            }
            if let Some(doc) = files.remove(&path) {
                files.insert(to.to_owned(), doc);
            }
            Ok(to.to_owned())
        }
        Change::Delete(key) => {
            let path = path_of(files, key)?;
            files.remove(&path);
            Ok(path)
        }
    }
}

/// Git's three-way merge, per file: a side that did not change a file takes
/// the other side's version. Where both changed it, the documents' histories
/// are joined, which only the merges that say so (`resolved` keys) may do.
fn three_way(
    base: &Files,
    ours: &Files,
    theirs: &Files,
    resolved: &[&str],
) -> Result<Files, DemoError> {
    let paths: std::collections::BTreeSet<&String> = base
        .keys()
        .chain(ours.keys())
        .chain(theirs.keys())
        .collect();
    let mut merged = Files::new();
    for path in paths {
        let (b, o, t) = (base.get(path), ours.get(path), theirs.get(path));
        let pick = if o == t || t == b {
            o.cloned()
        } else if o == b {
            t.cloned()
        } else {
            match (o, t) {
                (Some(o), Some(t)) if resolved.contains(&o.key()) => o.union(t),
                _ => {
                    return Err(DemoError::scenario(format!(
                        "unplanned merge conflict on `{path}`"
                    )));
                }
            }
        };
        if let Some(doc) = pick {
            merged.insert(path.clone(), doc);
        }
    }
    Ok(merged)
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}
