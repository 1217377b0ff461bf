//! Streaming sha256 with bounded memory, over several files at once when the
//! machine has the cores, or over the entries of one stream (a tar) on worker
//! threads while the caller reads ahead.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};

use sha2::{Digest as _, Sha256};

/// Read buffer: large enough to keep the SHA extensions busy, small enough
/// to keep memory flat whatever the file size.
pub(crate) const BUFFER: usize = 256 * 1024;

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

/// Bytes handed to a hashing worker at a time: small enough to still be in
/// cache when it hashes them.
const CHUNK: usize = BUFFER;
/// Chunks in flight per worker: bounds memory at `workers × (DEPTH + 1) × CHUNK`.
const DEPTH: usize = 8;

/// What a hashing worker is given: a stream's next bytes, or its end.
enum Job {
    Bytes(Vec<u8>, usize),
    End(usize),
}

/// Hashes several streams that one reader feeds in turn (the entries of a
/// tar): each stream goes whole to one worker, streams alternate between
/// workers, so one core reads while the others hash. See [`pipelined`].
pub struct Pipeline {
    /// No workers on a single core: the reader hashes as it reads.
    workers: Vec<SyncSender<Job>>,
    /// Digests hashed by the reader itself.
    inline: Vec<(usize, String)>,
    free: Receiver<Vec<u8>>,
    /// A buffer taken from `free` but not filled: the next stream's first.
    spare: Option<Vec<u8>>,
    next: usize,
}

impl Pipeline {
    /// Reads `reader` to its end into the stream `id`; the bytes read. After
    /// an error the stream's digest, if reported, means nothing.
    pub fn hash(&mut self, id: usize, mut reader: impl Read) -> io::Result<u64> {
        if self.workers.is_empty() {
            let (sha256, size) = stream(reader)?;
            self.inline.push((id, sha256));
            return Ok(size);
        }
        let worker = &self.workers[self.next % self.workers.len()];
        self.next += 1;
        let stopped = || io::Error::other("a hashing thread stopped");
        let mut total = 0u64;
        let result = loop {
            let mut buffer = match self.spare.take() {
                Some(buffer) => buffer,
                None => self.free.recv().map_err(|_| stopped())?,
            };
            let filled = match fill(&mut reader, &mut buffer) {
                Ok(0) => {
                    self.spare = Some(buffer);
                    break Ok(total);
                }
                Ok(n) => n,
                Err(e) => {
                    self.spare = Some(buffer);
                    break Err(e);
                }
            };
            total += filled as u64;
            worker
                .send(Job::Bytes(buffer, filled))
                .map_err(|_| stopped())?;
            // A short chunk is the end: spare the reader one more call.
            if filled < CHUNK {
                break Ok(total);
            }
        };
        worker.send(Job::End(id)).map_err(|_| stopped())?;
        result
    }
}

/// Runs `feed` with a [`Pipeline`] with a worker thread per core (none on a
/// single core, where handing bytes to another thread only costs); what
/// `feed` returned, and each stream's sha256 by id.
pub fn pipelined<T>(feed: impl FnOnce(&mut Pipeline) -> T) -> (T, Vec<(usize, String)>) {
    let workers = match std::thread::available_parallelism().map(usize::from) {
        Ok(cores) if cores > 1 => cores,
        _ => 0,
    };
    let (free_tx, free_rx) = mpsc::sync_channel(workers * (DEPTH + 1));
    for _ in 0..workers * (DEPTH + 1) {
        // The channel holds them all, so this never blocks or fails.
        let _ = free_tx.send(vec![0u8; CHUNK]);
    }
    let (done_tx, done_rx) = mpsc::channel();
    let (value, mut digests) = std::thread::scope(|scope| {
        let mut senders = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (tx, rx) = mpsc::sync_channel(DEPTH);
            let (free, done) = (free_tx.clone(), done_tx.clone());
            scope.spawn(move || hash_jobs(&rx, &free, &done));
            senders.push(tx);
        }
        let mut pipeline = Pipeline {
            workers: senders,
            inline: Vec::new(),
            free: free_rx,
            spare: None,
            next: 0,
        };
        let value = feed(&mut pipeline);
        // Dropping the pipeline closes the workers' queues: they finish and the scope joins them.
        (value, pipeline.inline)
    });
    drop(done_tx);
    digests.extend(done_rx);
    (value, digests)
}

/// A worker: hashes each stream's chunks in order, returning every buffer.
fn hash_jobs(jobs: &Receiver<Job>, free: &SyncSender<Vec<u8>>, done: &Sender<(usize, String)>) {
    let mut hasher = Sha256::new();
    for job in jobs {
        match job {
            Job::Bytes(buffer, len) => {
                hasher.update(&buffer[..len]);
                let _ = free.send(buffer);
            }
            Job::End(id) => {
                let digest = std::mem::take(&mut hasher).finalize();
                let _ = done.send((id, hex::encode(digest)));
            }
        }
    }
}

/// Reads into `buffer` until it is full or the reader ends; the bytes read.
fn fill(reader: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
