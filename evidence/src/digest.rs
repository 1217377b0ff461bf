//! Streaming sha256 with bounded memory, over several files at once when the
//! machine has the cores.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest as _, Sha256};

/// Read buffer: large enough to keep the SHA extensions busy, small enough
/// to keep memory flat whatever the file size.
const BUFFER: usize = 256 * 1024;

/// sha256 (lowercase hex) and length of everything `reader` yields.
pub fn stream(mut reader: impl Read) -> io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; BUFFER];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buffer[..n]);
        total += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), total))
}

/// sha256 (lowercase hex) and length of a file.
pub fn file(path: &Path) -> io::Result<(String, u64)> {
    stream(File::open(path)?)
}

/// A file's sha256 and length, or why it could not be read.
type Digested = io::Result<(String, u64)>;

/// sha256 and length of each file, in the order given, hashed by as many
/// threads as there are cores (each file streamed by one thread).
pub fn files<P: AsRef<Path> + Sync>(paths: &[P]) -> Vec<Digested> {
    parallel(paths, |path| file(path.as_ref()))
}

/// `work` applied to each item, in order, on as many threads as there are
/// cores: files are independent, so two cores hash (or copy) two at once.
pub fn parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .min(items.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = work(item);
                    if let Ok(mut slots) = results.lock()
                        && let Some(slot) = slots.get_mut(i)
                    {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    // Every slot is filled: each index below `items.len()` was taken once.
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}
