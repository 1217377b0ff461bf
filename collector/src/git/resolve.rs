//! Which commit to collect: the plan's `ref`, or by default the remote's
//! default branch for a clone and `HEAD` for a local repository.

use git2::{ErrorCode, Oid, Reference};

use super::open::Opened;
use super::{EmptyRepositoryError, GitError, UnknownRefError};

/// The commit to collect, and the ref that named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Tip {
    /// The commit.
    pub commit: Oid,
    /// The full ref name (or the plan's text, for a commit id or expression).
    pub reference: String,
}

/// Resolves `reference` (the plan's `ref`) to a commit.
pub(super) fn tip(opened: &Opened, reference: Option<&str>) -> Result<Tip, GitError> {
    let repo = &opened.repo;
    let has_refs = repo
        .references()
        .map_err(|e| opened.read_error("the references", e))?
        .next()
        .is_some();
    if !has_refs {
        return Err(EmptyRepositoryError {
            location: opened.location.clone(),
        }
        .into());
    }
    let unknown = |reference: &str| unknown_ref(opened, reference);
    let found = match reference {
        Some(name) => {
            let tracking = opened
                .cloned
                .then(|| {
                    repo.find_reference(&format!("refs/remotes/origin/{name}"))
                        .ok()
                })
                .flatten();
            match tracking.map_or_else(|| repo.resolve_reference_from_short_name(name), Ok) {
                Ok(found) => found,
                // Not a ref: a commit id or an expression such as `main~3`.
                Err(_) => {
                    let object = repo.revparse_single(name).map_err(|_| unknown(name))?;
                    let commit = object.peel_to_commit().map_err(|_| unknown(name))?;
                    return Ok(Tip {
                        commit: commit.id(),
                        reference: name.to_owned(),
                    });
                }
            }
        }
        None if opened.cloned => repo
            .find_reference("refs/remotes/origin/HEAD")
            .map_err(|_| unknown("origin/HEAD"))?,
        None => repo.head().map_err(|_| unknown("HEAD"))?,
    };
    peel(opened, &found, reference.unwrap_or("HEAD"))
}

fn peel(opened: &Opened, found: &Reference<'_>, asked: &str) -> Result<Tip, GitError> {
    let resolved = found.resolve().map_err(|_| unknown_ref(opened, asked))?;
    let name = String::from_utf8_lossy(resolved.name_bytes()).into_owned();
    match resolved.peel_to_commit() {
        Ok(commit) => Ok(Tip {
            commit: commit.id(),
            reference: name,
        }),
        Err(e) if e.code() == ErrorCode::NotFound => {
            Err(opened.read_error(format!("the commit `{name}` points at"), e))
        }
        // A tag of a tree or blob, say.
        Err(_) => Err(unknown_ref(opened, asked)),
    }
}

fn unknown_ref(opened: &Opened, reference: &str) -> GitError {
    UnknownRefError {
        reference: reference.to_owned(),
        location: opened.location.clone(),
        branches: branches(opened),
    }
    .into()
}

/// The branch names a user can put in `ref`, sorted.
fn branches(opened: &Opened) -> Vec<String> {
    let prefix = if opened.cloned {
        "refs/remotes/origin/"
    } else {
        "refs/heads/"
    };
    let mut names: Vec<String> = opened
        .repo
        .references_glob(&format!("{prefix}*"))
        .map(|refs| {
            refs.filter_map(Result::ok)
                .map(|r| String::from_utf8_lossy(r.name_bytes()).into_owned())
                .filter_map(|n| n.strip_prefix(prefix).map(str::to_owned))
                // `origin/HEAD` only points at another branch.
                .filter(|n| n != "HEAD")
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
