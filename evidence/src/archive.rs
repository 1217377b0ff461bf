//! The bundle as one deterministic tar: entries sorted by path, regular files
//! only, mode 0644, uid/gid 0, no user or group names, mtime 0. The same files
//! always give the same archive bytes.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

/// Writes the files `paths` (relative to `root`, `/`-separated, sorted) as a tar.
pub fn write(root: &Path, paths: &[String], out: impl Write) -> io::Result<()> {
    let mut builder = tar::Builder::new(out);
    for path in paths {
        let file = File::open(root.join(path))?;
        let size = file.metadata()?.len();
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(size);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        builder.append_data(&mut header, path, file)?;
    }
    builder.into_inner()?.flush()
}
