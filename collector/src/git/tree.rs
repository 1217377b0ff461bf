//! Git trees read straight from the object database, parsed once and looked up
//! by byte name. The history walk looks a few names up in many thousands of
//! trees and reads most of them twice (as a commit's tree, then as its
//! parent's), so parsed trees are kept in a small two-generation cache.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Once;

use git2::{ErrorClass, ErrorCode, ObjectType, Odb, Oid};

/// Git's file modes, canonical as git compares them.
pub(crate) mod mode {
    /// A directory.
    pub const TREE: u32 = 0o040_000;
    /// A regular file.
    pub const BLOB: u32 = 0o100_644;
    /// An executable file.
    pub const EXEC: u32 = 0o100_755;
    /// A symbolic link.
    pub const LINK: u32 = 0o120_000;
    /// A submodule (gitlink): a commit of another repository.
    pub const GITLINK: u32 = 0o160_000;
}

/// What a tree holds under one name: compared by mode and id, as git does.
#[derive(Debug, Clone, Copy, Eq)]
pub(crate) struct Entry {
    /// Canonical mode (see [`mode`]).
    pub mode: u32,
    /// The object id.
    pub id: Oid,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        // Bytes, not `Oid`'s own comparison: that is a call into libgit2.
        self.mode == other.mode && self.id.as_bytes() == other.id.as_bytes()
    }
}

impl Entry {
    /// A tree entry for the tree `id`.
    pub fn tree(id: Oid) -> Self {
        Self {
            mode: mode::TREE,
            id,
        }
    }

    /// Whether the entry is a directory.
    pub fn is_tree(self) -> bool {
        self.mode == mode::TREE
    }
}

/// A parsed tree: its entries in git's order.
#[derive(Debug)]
pub(crate) struct Tree {
    /// The raw object (names are read in place).
    data: Vec<u8>,
    entries: Vec<RawEntry>,
}

#[derive(Debug)]
struct RawEntry {
    name_start: usize,
    name_end: usize,
    entry: Entry,
}

impl Tree {
    /// Parses the raw bytes of a tree object: `MODE NAME\0<20-byte id>`, repeated.
    pub fn parse(data: Vec<u8>) -> Result<Self, git2::Error> {
        let bytes = data.as_slice();
        // An entry takes at least 28 bytes (`MODE NAME\0` and the id); most
        // names are short, so this is close without growing twice.
        let mut entries = Vec::with_capacity(bytes.len() / 32 + 1);
        let mut at = 0;
        while at < bytes.len() {
            let (mode, name_start) = parse_mode(bytes, at).ok_or_else(corrupt)?;
            let name_end = name_start
                + bytes
                    .get(name_start..)
                    .and_then(|rest| rest.iter().position(|&b| b == 0))
                    .ok_or_else(corrupt)?;
            let id_end = name_end + 1 + 20;
            let id = bytes
                .get(name_end + 1..id_end)
                .ok_or_else(corrupt)
                .and_then(Oid::from_bytes)?;
            entries.push(RawEntry {
                name_start,
                name_end,
                entry: Entry {
                    mode: canonical(mode),
                    id,
                },
            });
            at = id_end;
        }
        Ok(Self { data, entries })
    }

    /// The entries, in git's order: name bytes, and the entry.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], Entry)> {
        self.entries.iter().map(|e| (self.name(e), e.entry))
    }

    /// The entry called `name`, if any, looked for first at `*hint` (then
    /// everywhere); `*hint` moves past it. Looking names up in the order the
    /// tree lists them, each lookup is a single comparison.
    pub fn find(&self, name: &[u8], hint: &mut usize) -> Option<Entry> {
        if let Some(e) = self.entries.get(*hint)
            && self.name(e) == name
        {
            *hint += 1;
            return Some(e.entry);
        }
        let (at, entry) = self.position(name)?;
        *hint = at + 1;
        Some(entry)
    }

    /// The entry called `name`, if any.
    #[cfg(test)]
    pub fn get(&self, name: &[u8]) -> Option<Entry> {
        self.position(name).map(|(_, entry)| entry)
    }

    /// Where the entry called `name` is, and what it is.
    fn position(&self, name: &[u8]) -> Option<(usize, Entry)> {
        // Git sorts entries as if a directory's name ended in `/`, so the one
        // called `name` sits at `name` (a file) or `name/` (a directory); only
        // names that start with `name` followed by a byte up to `/` lie between.
        let start = self
            .entries
            .partition_point(|e| key_cmp(self.name(e), e.entry.is_tree(), name) == Ordering::Less);
        self.entries
            .get(start..)?
            .iter()
            .take_while(|e| {
                let n = self.name(e);
                n.starts_with(name) && n.get(name.len()).is_none_or(|&b| b <= b'/')
            })
            .position(|e| self.name(e) == name)
            .and_then(|i| Some((start + i, self.entries.get(start + i)?.entry)))
    }

    fn name(&self, e: &RawEntry) -> &[u8] {
        self.data.get(e.name_start..e.name_end).unwrap_or_default()
    }
}

/// Compares an entry's sort key (`name`, plus `/` for a directory) with `target`.
fn key_cmp(name: &[u8], is_tree: bool, target: &[u8]) -> Ordering {
    let common = name.len().min(target.len());
    let ordering = name[..common].cmp(&target[..common]);
    if ordering != Ordering::Equal {
        return ordering;
    }
    if name.len() > common {
        return Ordering::Greater;
    }
    match (is_tree, target.get(common)) {
        (false, None) => Ordering::Equal,
        (false, Some(_)) => Ordering::Less,
        (true, None) => Ordering::Greater,
        (true, Some(&next)) => b'/'.cmp(&next).then(if target.len() > common + 1 {
            Ordering::Less
        } else {
            Ordering::Equal
        }),
    }
}

/// The octal mode at `at`, and where the name after its space starts.
fn parse_mode(data: &[u8], at: usize) -> Option<(u32, usize)> {
    let rest = data.get(at..)?;
    let space = rest.iter().position(|&b| b == b' ')?;
    let digits = rest.get(..space)?;
    if digits.is_empty() || digits.len() > 7 {
        return None;
    }
    let mut mode = 0u32;
    for &d in digits {
        if !(b'0'..=b'7').contains(&d) {
            return None;
        }
        mode = mode * 8 + u32::from(d - b'0');
    }
    Some((mode, at + space + 1))
}

/// Git's `canon_mode`: what a mode counts as when trees are compared.
fn canonical(mode: u32) -> u32 {
    match mode & 0o170_000 {
        0o100_000 if mode & 0o100 != 0 => mode::EXEC,
        0o100_000 => mode::BLOB,
        0o120_000 => mode::LINK,
        0o040_000 => mode::TREE,
        _ => mode::GITLINK,
    }
}

fn corrupt() -> git2::Error {
    git2::Error::new(
        ErrorCode::Invalid,
        ErrorClass::Object,
        "corrupt tree object",
    )
}

/// Sets libgit2 (process-wide, once) to read objects as git itself does,
/// which halves the time of a history walk (docs/performance.md):
///
/// - without re-hashing every object it reads: git checks object ids when
///   objects arrive (fetch, clone, push — libgit2's fetch does too, with
///   SHA-1 collision detection), not on every read, and a damaged object
///   still fails zlib's own checksum when inflated;
/// - without libgit2's object cache: the walk keeps the parsed trees it needs
///   itself, and caching every object a second time costs more than it saves.
pub(crate) fn read_like_git() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
        git2::opts::enable_caching(false);
    });
}

/// Parsed trees by id, read through the object database.
pub(crate) struct Trees<'r> {
    odb: Odb<'r>,
    recent: HashMap<Oid, Rc<Tree>>,
    older: HashMap<Oid, Rc<Tree>>,
}

impl<'r> Trees<'r> {
    /// Trees kept per generation: enough for the trees a commit and its
    /// parent share, small enough to stay well under 100 MB.
    const GENERATION: usize = 4096;

    /// A cache over `odb`.
    pub fn new(odb: Odb<'r>) -> Self {
        Self {
            odb,
            recent: HashMap::new(),
            older: HashMap::new(),
        }
    }

    /// The tree `id`.
    pub fn get(&mut self, id: Oid) -> Result<Rc<Tree>, git2::Error> {
        if let Some(tree) = self.recent.get(&id) {
            return Ok(Rc::clone(tree));
        }
        let tree = match self.older.remove(&id) {
            Some(tree) => tree,
            None => Rc::new(self.read(id)?),
        };
        if self.recent.len() >= Self::GENERATION {
            self.older = std::mem::take(&mut self.recent);
        }
        self.recent.insert(id, Rc::clone(&tree));
        Ok(tree)
    }

    fn read(&self, id: Oid) -> Result<Tree, git2::Error> {
        let object = self.odb.read(id)?;
        if object.kind() != ObjectType::Tree {
            return Err(git2::Error::new(
                ErrorCode::Invalid,
                ErrorClass::Object,
                format!("object {id} is a {}, not a tree", object.kind()),
            ));
        }
        Tree::parse(object.data().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use git2::Oid;

    use super::{Tree, key_cmp, mode};

    fn raw(entries: &[(&str, &str, u8)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (m, name, id) in entries {
            out.extend_from_slice(m.as_bytes());
            out.push(b' ');
            out.extend_from_slice(name.as_bytes());
            out.push(0);
            out.extend_from_slice(&[*id; 20]);
        }
        out
    }

    #[test]
    fn finds_files_and_directories_in_git_order() {
        // Git's order: `a-b` < `a.md` < `a/` (tree) < `a0`.
        let tree = Tree::parse(raw(&[
            ("100644", "a-b", 1),
            ("100755", "a.md", 2),
            ("40000", "a", 3),
            ("100644", "a0", 4),
            ("160000", "sub", 5),
        ]))
        .unwrap();
        let id = |b: u8| Oid::from_bytes(&[b; 20]).unwrap();
        assert_eq!(
            tree.get(b"a").map(|e| (e.mode, e.id)),
            Some((mode::TREE, id(3)))
        );
        assert_eq!(tree.get(b"a.md").map(|e| e.mode), Some(mode::EXEC));
        assert_eq!(tree.get(b"a-b").map(|e| e.id), Some(id(1)));
        assert_eq!(tree.get(b"a0").map(|e| e.id), Some(id(4)));
        assert_eq!(tree.get(b"sub").map(|e| e.mode), Some(mode::GITLINK));
        assert_eq!(tree.get(b"b"), None);
        assert_eq!(tree.get(b""), None);
        // In order, each hint is right; out of order, the search finds it.
        let mut hint = 0;
        assert_eq!(tree.find(b"a-b", &mut hint).map(|e| e.id), Some(id(1)));
        assert_eq!(tree.find(b"a.md", &mut hint).map(|e| e.id), Some(id(2)));
        assert_eq!(hint, 2);
        assert_eq!(tree.find(b"sub", &mut hint).map(|e| e.id), Some(id(5)));
        assert_eq!(tree.find(b"a-b", &mut hint).map(|e| e.id), Some(id(1)));
        assert_eq!(hint, 1);
        assert_eq!(tree.find(b"zzz", &mut hint), None);
        assert_eq!(tree.iter().count(), 5);
    }

    #[test]
    fn keys_sort_directories_with_a_slash() {
        assert_eq!(key_cmp(b"a", true, b"a-b"), Ordering::Greater);
        assert_eq!(key_cmp(b"a", false, b"a-b"), Ordering::Less);
        assert_eq!(key_cmp(b"a", true, b"a"), Ordering::Greater);
        assert_eq!(key_cmp(b"a", true, b"a0"), Ordering::Less);
    }

    #[test]
    fn rejects_corrupt_trees() {
        assert!(Tree::parse(b"100644 a".to_vec()).is_err());
        assert!(Tree::parse(b"1x0644 a\0".to_vec()).is_err());
        let mut short = raw(&[("100644", "a", 1)]);
        short.pop();
        assert!(Tree::parse(short).is_err());
    }
}
