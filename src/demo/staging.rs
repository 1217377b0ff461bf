//! Writing the demo beside its destination and moving it into place, so a
//! crash never leaves half a demo, and only ever replacing an empty directory
//! or one a previous `vouch demo` wrote (it holds the marker file).

use std::fs;
use std::path::{Path, PathBuf};

use super::{DemoError, MARKER};

/// What is at the destination now.
enum Existing {
    Nothing,
    Empty,
    PreviousDemo,
}

/// Runs `fill` on a fresh directory beside `out`, then puts it at `out`.
pub fn replace<T>(
    out: &Path,
    fill: impl FnOnce(&Path) -> Result<T, DemoError>,
) -> Result<T, DemoError> {
    let existing = inspect(out)?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(DemoError::io("create", &parent))?;
    let staging = tempfile::Builder::new()
        .prefix(".vouch-demo-")
        .tempdir_in(&parent)
        .map_err(DemoError::io("create a staging directory in", &parent))?;
    // Dropping `staging` on an error removes the partial output.
    let value = fill(staging.path())?;
    let staged = staging.keep();
    match swap(&staged, out, &existing) {
        Ok(()) => Ok(value),
        Err(e) => {
            let _ = fs::remove_dir_all(&staged); // best effort: the error below is what matters
            Err(e)
        }
    }
}

fn inspect(out: &Path) -> Result<Existing, DemoError> {
    let metadata = match fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(e) => return Err(DemoError::io("inspect", out)(e)),
    };
    if !metadata.is_dir() {
        return Err(DemoError::NotADirectory {
            path: out.to_path_buf(),
        });
    }
    // Replacing the directory we stand in would strand the caller's shell in a deleted one.
    if let (Ok(here), Ok(there)) = (std::env::current_dir(), fs::canonicalize(out))
        && here.starts_with(&there)
    {
        return Err(DemoError::CurrentDirectory {
            path: out.to_path_buf(),
        });
    }
    let mut entries = fs::read_dir(out).map_err(DemoError::io("read", out))?;
    if entries.next().is_none() {
        Ok(Existing::Empty)
    } else if out.join(MARKER).is_file() {
        Ok(Existing::PreviousDemo)
    } else {
        Err(DemoError::ForeignDirectory {
            path: out.to_path_buf(),
        })
    }
}

/// Puts `staged` at `out`. A previous demo is moved aside first and removed
/// only once the new one is in place.
fn swap(staged: &Path, out: &Path, existing: &Existing) -> Result<(), DemoError> {
    match existing {
        Existing::Nothing => {}
        Existing::Empty => fs::remove_dir(out).map_err(DemoError::io("replace", out))?,
        Existing::PreviousDemo => {
            let old = staged.with_extension("old");
            fs::rename(out, &old).map_err(DemoError::io("move aside", out))?;
            if let Err(e) = fs::rename(staged, out) {
                let _ = fs::rename(&old, out); // put the previous demo back; report the first failure
                return Err(DemoError::io("move into place", out)(e));
            }
            // The new demo is complete; a leftover old copy is only clutter.
            let _ = fs::remove_dir_all(&old);
            return Ok(());
        }
    }
    fs::rename(staged, out).map_err(DemoError::io("move into place", out))
}
