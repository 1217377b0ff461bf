//! Whole-or-nothing file writes: a temporary file beside the target, then a
//! rename, so a crash never leaves a half-written file where a whole one is
//! expected.

use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes `bytes` to `path` atomically, creating its directory if missing.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_with(path, |out| out.write_all(bytes))
}

/// Writes what `fill` writes to `path` atomically, through a buffer, so a
/// large document is encoded straight to disk rather than into memory first.
pub fn write_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    let mut out = BufWriter::new(file.as_file_mut());
    fill(&mut out)?;
    out.flush()?;
    drop(out);
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}
