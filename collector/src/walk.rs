//! Listing a source's files: recursively, in byte order of their paths (so a
//! run lists them the same way on every machine), skipping hidden entries
//! such as `.git` and editor droppings.

use std::path::{Path, PathBuf};

use crate::problem::Problem;

/// A file found under a source's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Path relative to the source's path, `/`-separated.
    pub relative: String,
    /// Where to read it.
    pub absolute: PathBuf,
}

/// Every file under `root` (or `root` itself when it is a file), sorted.
pub fn files(root: &Path) -> Result<Vec<Found>, Problem> {
    let meta = std::fs::metadata(root)
        .map_err(|e| Problem::new(format!("`{}`", root.display()), format!("cannot read: {e}")))?;
    if meta.is_file() {
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Ok(vec![Found {
            relative: name,
            absolute: root.to_owned(),
        }]);
    }
    let mut found = Vec::new();
    visit(root, "", &mut found)?;
    found.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(found)
}

fn visit(dir: &Path, prefix: &str, found: &mut Vec<Found>) -> Result<(), Problem> {
    let unreadable = |e: std::io::Error| {
        Problem::new(format!("`{}`", dir.display()), format!("cannot list: {e}"))
    };
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let relative = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry.file_type().map_err(unreadable)?;
        if kind.is_dir() {
            visit(&entry.path(), &relative, found)?;
        } else {
            found.push(Found {
                relative,
                absolute: entry.path(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_sorted_and_skips_hidden() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b/.git")).unwrap();
        std::fs::write(dir.path().join("b/x.json"), "{}").unwrap();
        std::fs::write(dir.path().join("b/.git/HEAD"), "").unwrap();
        std::fs::write(dir.path().join("a.json"), "{}").unwrap();
        let names: Vec<_> = files(dir.path())
            .unwrap()
            .into_iter()
            .map(|f| f.relative)
            .collect();
        assert_eq!(names, ["a.json", "b/x.json"]);
    }

    #[test]
    fn a_missing_path_is_a_problem() {
        let err = files(Path::new("/nonexistent/vouch")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("`/nonexistent/vouch`: cannot read"),
            "{err}"
        );
    }
}
