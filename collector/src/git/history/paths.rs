//! The paths a walk dates, as a tree of directories whose leaves are numbered
//! in byte order, so that every directory covers a contiguous range of
//! numbers and a sorted set of pending paths splits by directory with two
//! binary searches.

/// A directory of the path tree.
#[derive(Debug, Default)]
pub(super) struct Dir {
    /// Its children, in increasing order of the path numbers they cover.
    pub children: Vec<Child>,
}

/// A file or directory under a [`Dir`].
#[derive(Debug)]
pub(super) struct Child {
    /// The name of the tree entry.
    pub name: Box<[u8]>,
    /// One past the last path number under it.
    pub end: u32,
    /// A path to date, or a directory of them.
    pub kind: Kind,
}

/// What a [`Child`] is.
#[derive(Debug)]
pub(super) enum Kind {
    /// A path to date: the one numbered `end - 1`.
    Leaf,
    /// A directory. A name can be both a leaf and a directory when the
    /// caller dates `a` and `a/b` alike; the two are then separate children.
    Dir(Dir),
}

/// The tree of paths, and for each path number the caller's index.
#[derive(Debug)]
pub(super) struct PathSet {
    pub root: Dir,
    /// Caller's index of each path number.
    pub order: Vec<usize>,
}

impl PathSet {
    /// Numbers `paths` in byte order and builds their tree.
    pub fn new(paths: &[&[u8]]) -> Self {
        let mut order: Vec<usize> = (0..paths.len()).collect();
        order.sort_by(|&a, &b| paths[a].cmp(paths[b]));
        let sorted: Vec<&[u8]> = order.iter().map(|&i| paths[i]).collect();
        Self {
            root: build(&sorted, 0),
            order,
        }
    }

    /// How many paths there are.
    pub fn len(&self) -> usize {
        self.order.len()
    }
}

/// Builds the directory holding `suffixes` (sorted), numbered from `start`.
fn build(suffixes: &[&[u8]], start: u32) -> Dir {
    let mut children = Vec::new();
    let mut i = 0;
    while let Some(&suffix) = suffixes.get(i) {
        let number = start + i as u32;
        match suffix.iter().position(|&b| b == b'/') {
            None => {
                children.push(Child {
                    name: suffix.into(),
                    end: number + 1,
                    kind: Kind::Leaf,
                });
                i += 1;
            }
            Some(slash) => {
                // Byte order keeps everything under `name/` together.
                let prefix = &suffix[..=slash];
                let group = suffixes[i..]
                    .iter()
                    .take_while(|s| s.starts_with(prefix))
                    .count();
                let inner: Vec<&[u8]> = suffixes[i..i + group]
                    .iter()
                    .map(|s| &s[slash + 1..])
                    .collect();
                children.push(Child {
                    name: suffix[..slash].into(),
                    end: number + group as u32,
                    kind: Kind::Dir(build(&inner, number)),
                });
                i += group;
            }
        }
    }
    Dir { children }
}

#[cfg(test)]
mod tests {
    use super::{Dir, Kind, PathSet};

    fn describe(dir: &Dir, prefix: &str, out: &mut Vec<String>) {
        for child in &dir.children {
            let name = String::from_utf8_lossy(&child.name);
            match &child.kind {
                Kind::Leaf => out.push(format!("{prefix}{name}<{}", child.end)),
                Kind::Dir(d) => describe(d, &format!("{prefix}{name}/"), out),
            }
        }
    }

    #[test]
    fn directories_cover_contiguous_numbers() {
        let paths: [&[u8]; 5] = [b"a/c", b"a", b"a-b", b"a/b/x", b"z"];
        let set = PathSet::new(&paths);
        let mut out = Vec::new();
        describe(&set.root, "", &mut out);
        assert_eq!(out, ["a<1", "a-b<2", "a/b/x<3", "a/c<4", "z<5"]);
        assert_eq!(set.order, [1, 2, 3, 0, 4]);
        assert_eq!(set.len(), 5);
    }
}
