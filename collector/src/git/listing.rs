//! The files of one commit, listed from its trees alone: no blob is read, so
//! huge binaries cost nothing, and names are kept as bytes (git allows any).

use git2::{Oid, Repository};

use super::tree::{Trees, mode};

/// The files of a commit's tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Regular files, executables and symbolic links, in byte order of path.
    pub files: Vec<File>,
    /// Submodule (gitlink) paths: another repository's commit, not a file here.
    pub submodules: Vec<Vec<u8>>,
}

/// One file of a [`Listing`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// `/`-separated path, as bytes.
    pub path: Vec<u8>,
    /// Its blob.
    pub blob: Oid,
}

/// Lists the files of `commit`.
pub fn files_at(repo: &Repository, commit: Oid) -> Result<Listing, git2::Error> {
    let root = repo.find_commit(commit)?.tree_id();
    let mut trees = Trees::new(repo.odb()?);
    let mut listing = Listing::default();
    let mut stack = vec![(Vec::new(), root)];
    while let Some((prefix, id)) = stack.pop() {
        let tree = trees.get(id)?;
        for (name, entry) in tree.iter() {
            let mut path = prefix.clone();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(name);
            match entry.mode {
                mode::TREE => stack.push((path, entry.id)),
                mode::GITLINK => listing.submodules.push(path),
                _ => listing.files.push(File {
                    path,
                    blob: entry.id,
                }),
            }
        }
    }
    listing.files.sort_by(|a, b| a.path.cmp(&b.path));
    listing.submodules.sort();
    Ok(listing)
}
