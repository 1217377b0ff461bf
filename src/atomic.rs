//! Whole-or-nothing file writes: a temporary file beside the target, then a
//! rename, so a crash never leaves a half-written file where a whole one is
//! expected.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically, creating its directory if missing.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}
