//! One walk over history that dates many paths at once, with the answers
//! `git log <tip> -- <path>` gives for each.
//!
//! Git's default history simplification, for one path: a commit is a change
//! when the path differs from its parent (a root commit: when the path exists
//! in it). At a merge, if the path is identical (same mode and id) in some
//! parent, the walk follows the first such parent only and the merge is not a
//! change; if it differs from every parent, the merge itself is a change and
//! the walk goes on into every parent. So until its first change, each path's
//! walk is a single chain, and `git log -1` names the first change on it
//! whatever order commits are visited in.
//!
//! This walk carries, for each commit still to visit, the set of paths whose
//! chain has reached it. Visiting a commit compares its tree with each
//! parent's tree for those paths only, opening just the directories whose ids
//! differ, and hands each path on to the parent its chain continues to.
//! Commits are visited newest first by committer date, as `git log` does, so
//! chains that meet are carried together. A path dated only for its last
//! change leaves the walk at that change; a path dated in full goes on, as
//! `git log -- <path>` does, to the root commits (past the point where it was
//! created, where deleting an older file of the same name is also a change),
//! and the walk ends when no path is left.

mod compare;
mod paths;

use std::cmp::Reverse;
use std::collections::hash_map::Entry as MapEntry;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::rc::Rc;

use git2::{ErrorClass, ErrorCode, Mailmap, ObjectType, Odb, Oid, Repository, Signature, Time};

use self::compare::{Split, difference, split, union};
use self::paths::PathSet;
use crate::git::commit::{self, Header};
use crate::git::tree::Trees;

/// A path to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    /// `/`-separated path inside the repository, as bytes.
    pub path: &'a [u8],
    /// Follow its whole history (for [`PathHistory::changes`]), not just to
    /// its last change.
    pub full: bool,
}

/// The answers of one walk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Every commit an answer names; answers index into this.
    pub commits: Vec<Commit>,
    /// One per target, in the targets' order.
    pub paths: Vec<PathHistory>,
}

/// A commit an answer names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// Its id.
    pub id: Oid,
    /// Author name, after `.mailmap` (git's `%aN`).
    pub author: String,
    /// Author email, after `.mailmap` (git's `%aE`).
    pub author_email: String,
    /// Author time, in seconds since the epoch.
    pub author_time: i64,
    /// Committer time, in seconds since the epoch.
    pub committer_time: i64,
    /// Subject: the first paragraph of the message on one line (git's `%s`).
    pub subject: String,
}

/// What the walk found for one path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathHistory {
    /// The last change, as `git log -1 <tip> -- <path>` names it; `None`
    /// when the path is not in the tip, or the walk could not get that far.
    pub last: Option<usize>,
    /// Full targets: every commit `git log <tip> -- <path>` lists, in the
    /// order the walk met them (newest first by committer date).
    pub changes: Vec<usize>,
    /// Why the walk could not follow the path to its end: a missing or
    /// corrupt object. With `last` set, only older history is affected.
    pub incomplete: Option<String>,
}

impl PathHistory {
    /// The commit that created the path: the oldest change the walk met
    /// (`git log --reverse -- <path> | head -1`).
    pub fn created(&self) -> Option<usize> {
        self.changes.last().copied()
    }
}

/// Dates `targets` as of the commit `tip`.
///
/// Authors are named as the `.mailmap` of `tip` maps them. Fails only when
/// the repository or `tip` itself cannot be read; a missing object deeper in
/// history marks the paths it affects as [`PathHistory::incomplete`].
pub fn walk(repo: &Repository, tip: Oid, targets: &[Target<'_>]) -> Result<History, git2::Error> {
    crate::git::tree::read_like_git();
    let raw: Vec<&[u8]> = targets.iter().map(|t| t.path).collect();
    let set = PathSet::new(&raw);
    let full = set.order.iter().map(|&i| targets[i].full).collect();
    let mut walk = Walk {
        odb: repo.odb()?,
        trees: Trees::new(repo.odb()?),
        mailmap: None,
        authors: HashMap::new(),
        full,
        states: vec![PathHistory::default(); set.len()],
        commits: Vec::new(),
        commit_index: HashMap::new(),
        infos: HashMap::new(),
        pending: HashMap::new(),
        queue: BinaryHeap::new(),
        sequence: 0,
        set,
    };
    walk.start(tip)?;
    while let Some(Queued { id, .. }) = walk.queue.pop() {
        if let Some(paths) = walk.pending.remove(&id) {
            walk.visit(id, paths);
        }
    }
    Ok(walk.finish())
}

/// A commit read ahead of its visit: its header, and its raw bytes for the
/// author and subject should it be a change.
struct Info {
    header: Header,
    raw: Vec<u8>,
}

/// A commit waiting to be visited: newest committer time first, and among
/// equal times the one queued first, as git's date-ordered walk does.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Queued {
    time: i64,
    sequence: Reverse<u64>,
    id: Oid,
}

struct Walk<'r> {
    odb: Odb<'r>,
    trees: Trees<'r>,
    /// The collected commit's `.mailmap`, if it has one.
    mailmap: Option<Mailmap>,
    /// Authors as written, and as `.mailmap` has them: a handful of people
    /// make thousands of commits.
    authors: HashMap<(Vec<u8>, Vec<u8>), (String, String)>,
    set: PathSet,
    /// By path number: whether to follow its whole history.
    full: Vec<bool>,
    /// By path number.
    states: Vec<PathHistory>,
    commits: Vec<Commit>,
    commit_index: HashMap<Oid, usize>,
    /// Commits queued, read ahead of their visit; dropped once visited.
    infos: HashMap<Oid, Info>,
    /// Paths whose chain has reached each queued commit, sorted.
    pending: HashMap<Oid, Vec<u32>>,
    queue: BinaryHeap<Queued>,
    sequence: u64,
}

impl Walk<'_> {
    /// Queues the tip with the paths it has, and reads its `.mailmap`.
    fn start(&mut self, tip: Oid) -> Result<(), git2::Error> {
        let tree = self.read(tip)?.header.tree;
        self.mailmap = self.mailmap_at(tree);
        let all: Vec<u32> = (0..self.set.len() as u32).collect();
        // Against the empty tree, the paths the tip has are the changed ones.
        let present = split(&mut self.trees, &self.set.root, Some(tree), None, &all);
        self.mark_broken(&present.broken);
        self.push(tip, present.changed);
        Ok(())
    }

    /// The `.mailmap` of the tree `tree`: the collected commit's own, so that
    /// the same commit always names the same authors (git reads the work
    /// tree's, which is the same file in a clean checkout). `None` when it
    /// has none, or one that cannot be read.
    fn mailmap_at(&mut self, tree: Oid) -> Option<Mailmap> {
        let entry = self.trees.get(tree).ok()?.find(b".mailmap", &mut 0)?;
        let blob = self.odb.read(entry.id).ok()?;
        if blob.kind() != ObjectType::Blob {
            return None;
        }
        Mailmap::from_buffer(&String::from_utf8_lossy(blob.data())).ok()
    }

    /// Visits `id` with the paths whose chain has reached it.
    fn visit(&mut self, id: Oid, paths: Vec<u32>) {
        let info = match self.infos.remove(&id).map_or_else(|| self.read(id), Ok) {
            Ok(info) => info,
            Err(e) => return self.mark_all(&paths, &format!("commit {id}: {}", e.message())),
        };
        match info.header.parents.as_slice() {
            [] => self.root(id, &info, &paths),
            &[parent] => self.linear(id, &info, parent, paths),
            parents => self.merge(id, &info, parents, paths),
        }
        for parent in &info.header.parents {
            if !self.pending.contains_key(parent) {
                // Read ahead for nothing: no path goes on there.
                self.infos.remove(parent);
            }
        }
    }

    /// A root commit changes the paths it has.
    fn root(&mut self, id: Oid, info: &Info, paths: &[u32]) {
        let tree = Some(info.header.tree);
        let Split { changed, broken } = split(&mut self.trees, &self.set.root, tree, None, paths);
        self.mark_broken(&broken);
        self.change(id, info, &changed);
    }

    /// A commit with one parent changes the paths that differ from it; every
    /// path goes on into the parent except those dated to their last change
    /// only that have now found it.
    fn linear(&mut self, id: Oid, info: &Info, parent: Oid, paths: Vec<u32>) {
        let Some(parent_tree) = self.tree_of(parent, &paths) else {
            return;
        };
        let tree = Some(info.header.tree);
        let Split { changed, broken } = split(
            &mut self.trees,
            &self.set.root,
            tree,
            Some(parent_tree),
            &paths,
        );
        self.mark_broken(&broken);
        self.change(id, info, &changed);
        let mut done: Vec<u32> = changed
            .into_iter()
            .filter(|&n| !self.full[n as usize])
            .collect();
        if !broken.is_empty() {
            done = union(&done, &broken.iter().map(|(n, _)| *n).collect::<Vec<_>>());
        }
        // Most often nothing leaves, and the set goes on as it is.
        let onward = if done.is_empty() {
            paths
        } else {
            difference(&paths, &done)
        };
        self.push(parent, onward);
    }

    /// At a merge, each path goes on into the first parent that has it
    /// unchanged, and the merge is not a change to it; a path that differs
    /// from every parent is changed by the merge itself and, dated in full,
    /// goes on into every parent.
    fn merge(&mut self, id: Oid, info: &Info, parents: &[Oid], mut remaining: Vec<u32>) {
        let tree = Some(info.header.tree);
        for &parent in parents {
            let Some(parent_tree) = self.tree_of(parent, &remaining) else {
                return;
            };
            let Split { changed, broken } = split(
                &mut self.trees,
                &self.set.root,
                tree,
                Some(parent_tree),
                &remaining,
            );
            self.mark_broken(&broken);
            let mut other = changed.clone();
            if !broken.is_empty() {
                other = union(&other, &broken.iter().map(|(n, _)| *n).collect::<Vec<_>>());
            }
            self.push(parent, difference(&remaining, &other));
            remaining = changed;
            if remaining.is_empty() {
                return;
            }
        }
        self.change(id, info, &remaining);
        remaining.retain(|&n| self.full[n as usize]);
        for &parent in parents {
            self.push(parent, remaining.clone());
        }
    }

    /// The tree of `parent`, or `None` with `paths` marked broken.
    fn tree_of(&mut self, parent: Oid, paths: &[u32]) -> Option<Oid> {
        match self.info(parent) {
            Ok(info) => Some(info.header.tree),
            Err(e) => {
                self.mark_all(paths, &format!("commit {parent}: {}", e.message()));
                None
            }
        }
    }

    /// Records `id` as a change to `paths`, or marks them broken if it cannot be read.
    fn change(&mut self, id: Oid, info: &Info, paths: &[u32]) {
        if paths.is_empty() {
            return;
        }
        if let Err(e) = self.record(id, info, paths) {
            self.mark_all(paths, &format!("commit {id}: {}", e.message()));
        }
    }

    /// Records `id` as a change to `paths`.
    fn record(&mut self, id: Oid, info: &Info, paths: &[u32]) -> Result<(), git2::Error> {
        let index = match self.commit_index.get(&id) {
            Some(&index) => index,
            None => {
                let details = commit::details(&info.raw)?;
                let (author, author_email) = self.author(details.author_name, details.author_email);
                self.commits.push(Commit {
                    id,
                    author,
                    author_email,
                    author_time: details.author_time,
                    committer_time: details.committer_time,
                    subject: details.subject,
                });
                self.commit_index.insert(id, self.commits.len() - 1);
                self.commits.len() - 1
            }
        };
        for &n in paths {
            let state = &mut self.states[n as usize];
            state.last.get_or_insert(index);
            if self.full[n as usize] {
                state.changes.push(index);
            }
        }
        Ok(())
    }

    /// Hands `paths` on to `id`, queueing it if it is not queued yet.
    fn push(&mut self, id: Oid, paths: Vec<u32>) {
        if paths.is_empty() {
            return;
        }
        if let MapEntry::Occupied(mut queued) = self.pending.entry(id) {
            let merged = union(queued.get(), &paths);
            queued.insert(merged);
            return;
        }
        let time = match self.info(id) {
            Ok(info) => info.header.time,
            Err(e) => return self.mark_all(&paths, &format!("commit {id}: {}", e.message())),
        };
        self.sequence += 1;
        self.queue.push(Queued {
            time,
            sequence: Reverse(self.sequence),
            id,
        });
        self.pending.insert(id, paths);
    }

    /// The commit `id`, read once while it is queued.
    fn info(&mut self, id: Oid) -> Result<&Info, git2::Error> {
        match self.infos.entry(id) {
            MapEntry::Occupied(e) => Ok(e.into_mut()),
            MapEntry::Vacant(e) => Ok(e.insert(read(&self.odb, id)?)),
        }
    }

    fn read(&self, id: Oid) -> Result<Info, git2::Error> {
        read(&self.odb, id)
    }

    /// Name and email after `.mailmap` (as git's `%aN` and `%aE`).
    fn author(&mut self, name: &[u8], email: &[u8]) -> (String, String) {
        let key = (name.to_vec(), email.to_vec());
        if let Some(known) = self.authors.get(&key) {
            return known.clone();
        }
        let resolved = self.resolve(name, email);
        self.authors.insert(key, resolved.clone());
        resolved
    }

    fn resolve(&self, name: &[u8], email: &[u8]) -> (String, String) {
        let resolved = std::str::from_utf8(name)
            .ok()
            .zip(std::str::from_utf8(email).ok())
            .and_then(|(n, e)| Signature::new(n, e, &Time::new(0, 0)).ok())
            .and_then(|s| self.mailmap.as_ref()?.resolve_signature(&s).ok());
        match resolved {
            Some(s) => (
                String::from_utf8_lossy(s.name_bytes()).into_owned(),
                String::from_utf8_lossy(s.email_bytes()).into_owned(),
            ),
            None => (
                String::from_utf8_lossy(name).into_owned(),
                String::from_utf8_lossy(email).into_owned(),
            ),
        }
    }

    fn mark_broken(&mut self, broken: &[(u32, Rc<str>)]) {
        for (n, why) in broken {
            self.states[*n as usize]
                .incomplete
                .get_or_insert_with(|| why.to_string());
        }
    }

    fn mark_all(&mut self, paths: &[u32], why: &str) {
        for &n in paths {
            self.states[n as usize]
                .incomplete
                .get_or_insert_with(|| why.to_owned());
        }
    }

    /// The answers, in the targets' order.
    fn finish(self) -> History {
        let mut paths = vec![PathHistory::default(); self.states.len()];
        for (mut state, &i) in self.states.into_iter().zip(&self.set.order) {
            // A commit reached twice (clock skew queued it before a child) counts once.
            let mut seen = HashSet::new();
            state.changes.retain(|&c| seen.insert(c));
            paths[i] = state;
        }
        History {
            commits: self.commits,
            paths,
        }
    }
}

/// Reads the commit `id`.
fn read(odb: &Odb<'_>, id: Oid) -> Result<Info, git2::Error> {
    let object = odb.read(id)?;
    if object.kind() != ObjectType::Commit {
        return Err(git2::Error::new(
            ErrorCode::Invalid,
            ErrorClass::Object,
            format!("object {id} is a {}, not a commit", object.kind()),
        ));
    }
    let raw = object.data().to_vec();
    Ok(Info {
        header: commit::header(&raw)?,
        raw,
    })
}
