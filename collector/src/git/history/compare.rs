//! Compares one commit's tree with one parent's for a set of paths, the way
//! `git log -- PATH` decides whether a commit is TREESAME to a parent: the
//! entries at the path must have the same mode and id. Only directories whose
//! ids differ are opened.

use std::rc::Rc;

use git2::Oid;

use super::paths::{Dir, Kind};
use crate::git::tree::{Entry, Tree, Trees};

/// The paths that differ between two trees, sorted: the rest are the same
/// (or absent from both).
#[derive(Debug, Default)]
pub(super) struct Split {
    /// Different: changed, added or deleted.
    pub changed: Vec<u32>,
    /// Could not be compared: an object is missing or corrupt.
    pub broken: Vec<(u32, Rc<str>)>,
}

/// Splits `pending` (sorted numbers under `root`) by comparing the trees
/// `commit` and `parent`; either is `None` for the empty tree, so that
/// comparing with `None` tells which paths a tree has.
pub(super) fn split(
    trees: &mut Trees<'_>,
    root: &Dir,
    commit: Option<Oid>,
    parent: Option<Oid>,
    pending: &[u32],
) -> Split {
    let mut out = Split::default();
    compare_dir(
        trees,
        root,
        commit.map(Entry::tree),
        parent.map(Entry::tree),
        pending,
        &mut out,
    );
    out
}

fn compare_dir(
    trees: &mut Trees<'_>,
    dir: &Dir,
    commit: Option<Entry>,
    parent: Option<Entry>,
    pending: &[u32],
    out: &mut Split,
) {
    if commit == parent {
        return;
    }
    let (Some(commit_tree), Some(parent_tree)) = (
        open(trees, commit, pending, out),
        open(trees, parent, pending, out),
    ) else {
        return;
    };
    if commit_tree.is_none() && parent_tree.is_none() {
        // Files or nothing on both sides where the paths need a directory.
        return;
    }
    let (mut ours_at, mut theirs_at) = (0, 0);
    let mut rest = pending;
    for child in &dir.children {
        let (mine, after) = rest.split_at(rest.partition_point(|&n| n < child.end));
        rest = after;
        if mine.is_empty() {
            continue;
        }
        let ours = commit_tree
            .as_ref()
            .and_then(|t| t.find(&child.name, &mut ours_at));
        let theirs = parent_tree
            .as_ref()
            .and_then(|t| t.find(&child.name, &mut theirs_at));
        match &child.kind {
            Kind::Leaf if ours == theirs => {}
            Kind::Leaf => out.changed.extend_from_slice(mine),
            Kind::Dir(sub) => compare_dir(trees, sub, ours, theirs, mine, out),
        }
        if rest.is_empty() {
            break;
        }
    }
}

/// The tree behind `entry`: `Some(None)` when the entry is absent or not a
/// directory, `None` (with `pending` marked broken) when it cannot be read.
fn open(
    trees: &mut Trees<'_>,
    entry: Option<Entry>,
    pending: &[u32],
    out: &mut Split,
) -> Option<Option<Rc<Tree>>> {
    let Some(entry) = entry.filter(|e| e.is_tree()) else {
        return Some(None);
    };
    match trees.get(entry.id) {
        Ok(tree) => Some(Some(tree)),
        Err(e) => {
            let why: Rc<str> = format!("tree {}: {}", entry.id, e.message()).into();
            out.broken
                .extend(pending.iter().map(|&n| (n, Rc::clone(&why))));
            None
        }
    }
}

/// The sorted list `a` without the (sorted) numbers in `b`.
pub(super) fn difference(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len());
    let mut j = 0;
    for &x in a {
        while b.get(j).is_some_and(|&y| y < x) {
            j += 1;
        }
        if b.get(j) != Some(&x) {
            out.push(x);
        }
    }
    out
}

/// The sorted union of two sorted lists.
pub(super) fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) {
        if x <= y {
            out.push(x);
            i += 1;
            j += usize::from(x == y);
        } else {
            out.push(y);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::{difference, union};

    #[test]
    fn sorted_set_operations() {
        assert_eq!(union(&[1, 3, 5], &[2, 3, 6]), [1, 2, 3, 5, 6]);
        assert_eq!(union(&[], &[2]), [2]);
        assert_eq!(difference(&[1, 2, 3, 5, 8], &[0, 2, 5, 9]), [1, 3, 8]);
        assert_eq!(difference(&[1, 2], &[]), [1, 2]);
    }
}
