//! The on-disk cache of compiled policies.
//!
//! Compiling a component takes tens to hundreds of milliseconds; loading a
//! precompiled artifact takes about one. Artifacts are keyed by the
//! component's sha256 and the engine's compatibility hash, so a changed
//! policy or an engine with other settings (or another wasmtime) never picks
//! up a stale artifact.
//!
//! `Component::deserialize` trusts its input completely: arbitrary bytes
//! there are arbitrary native code. So the cache only deserializes files it
//! wrote itself: each starts with a header naming the component, the engine
//! and the sha256 of the artifact, every file is written atomically into a
//! directory created owner-only, and the header is checked before the
//! artifact is handed to wasmtime. Anything that does not check out is
//! recompiled and overwritten, never an error: the cache is only a speed-up.
//! (Someone able to write to the cache directory can also replace the
//! `vouch` binary; the checks guard against corruption and mix-ups, not
//! against the user's own account.)

use std::hash::{Hash, Hasher};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};
use wasmtime::component::Component;

use crate::digest::sha256;

/// Starts every artifact file; the digit is the header's version.
const MAGIC: &[u8; 8] = b"VOUCHCW1";

/// Magic, component sha256, engine hash, artifact sha256, artifact length.
const HEADER_LEN: usize = MAGIC.len() + 32 + 32 + 32 + 8;

/// Compiled policies in a directory.
pub(crate) struct ArtifactCache {
    dir: PathBuf,
    /// The engine's compatibility hash, as sha256.
    engine: [u8; 32],
}

impl ArtifactCache {
    pub(crate) fn new(dir: PathBuf, engine: &wasmtime::Engine) -> Self {
        let mut hasher = Sha256Hasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut hasher);
        Self {
            dir,
            engine: hasher.0.finalize().into(),
        }
    }

    /// The compiled component whose wasm has sha256 `wasm`, if this cache
    /// holds a sound artifact for it.
    pub(crate) fn get(&self, engine: &wasmtime::Engine, wasm: &[u8; 32]) -> Option<Component> {
        let file = std::fs::read(self.path(wasm)).ok()?;
        let artifact = self.check(&file, wasm)?;
        deserialize(engine, artifact)
    }

    /// Stores `component`, compiled from wasm with sha256 `wasm`. Failing to
    /// write only costs the next process a compile, so errors are returned
    /// for the caller to ignore or report.
    pub(crate) fn put(&self, wasm: &[u8; 32], component: &Component) -> std::io::Result<()> {
        let artifact = component.serialize().map_err(std::io::Error::other)?;
        let len = u64::try_from(artifact.len()).map_err(std::io::Error::other)?;
        create_private_dir(&self.dir)?;
        let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
        file.write_all(MAGIC)?;
        file.write_all(wasm)?;
        file.write_all(&self.engine)?;
        file.write_all(&sha256(&artifact))?;
        file.write_all(&len.to_le_bytes())?;
        file.write_all(&artifact)?;
        file.as_file().sync_data()?;
        file.persist(self.path(wasm)).map_err(|e| e.error)?;
        Ok(())
    }

    fn path(&self, wasm: &[u8; 32]) -> PathBuf {
        // The engine hash in the name lets engines with other settings share
        // the directory without evicting each other.
        let engine = hex::encode(&self.engine[..8]);
        self.dir
            .join(format!("{}-{engine}.cwasm", hex::encode(wasm)))
    }

    /// The artifact in `file` if its header says this cache wrote it for
    /// this component and this engine, and the artifact is intact.
    fn check<'a>(&self, file: &'a [u8], wasm: &[u8; 32]) -> Option<&'a [u8]> {
        let (header, artifact) = file.split_at_checked(HEADER_LEN)?;
        let (magic, rest) = header.split_at(MAGIC.len());
        let (component, rest) = rest.split_at(32);
        let (engine, rest) = rest.split_at(32);
        let (digest, len) = rest.split_at(32);
        let len = u64::from_le_bytes(len.try_into().ok()?);
        let sound = magic == MAGIC
            && component == wasm
            && engine == self.engine
            && u64::try_from(artifact.len()).ok()? == len
            && digest == sha256(artifact);
        sound.then_some(artifact)
    }
}

/// Deserializes an artifact that [`ArtifactCache::check`] accepted: the one
/// place the engine runs unsafe code.
#[allow(unsafe_code, reason = "the audited call to `Component::deserialize`")]
fn deserialize(engine: &wasmtime::Engine, artifact: &[u8]) -> Option<Component> {
    // SAFETY: `Component::deserialize` requires bytes produced by
    // `Component::serialize` (or `Engine::precompile_component`) of a
    // compatible wasmtime. `artifact` is exactly what `ArtifactCache::put`
    // wrote from `Component::serialize`: its header, checked by `check`,
    // names this engine's compatibility hash and carries the artifact's
    // sha256, which matched. wasmtime additionally refuses artifacts from
    // another version or configuration with an error, not undefined behaviour.
    unsafe { Component::deserialize(engine, artifact) }.ok()
}

/// Creates `dir` readable and writable by its owner only, so no other
/// account can plant an artifact.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Feeds `Hash` output into sha256, for a stable digest of wasmtime's
/// compatibility hash (std's hashers are not meant to be persisted).
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        let mut first = [0; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_le_bytes(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> (tempfile::TempDir, ArtifactCache, wasmtime::Engine) {
        let dir = tempfile::tempdir().unwrap();
        let engine = wasmtime::Engine::default();
        let cache = ArtifactCache::new(dir.path().join("cache"), &engine);
        (dir, cache, engine)
    }

    #[allow(clippy::unwrap_used, reason = "tests")]
    fn component(engine: &wasmtime::Engine) -> (Vec<u8>, Component) {
        let wasm = wat::parse_str("(component)").unwrap();
        let component = Component::new(engine, &wasm).unwrap();
        (wasm, component)
    }

    #[test]
    #[allow(clippy::unwrap_used, reason = "tests")]
    fn round_trips_and_refuses_tampering() {
        let (_dir, cache, engine) = cache();
        let (wasm, component) = component(&engine);
        let key = sha256(&wasm);
        assert!(cache.get(&engine, &key).is_none(), "empty cache");
        cache.put(&key, &component).unwrap();
        assert!(cache.get(&engine, &key).is_some(), "warm cache");

        // Any flipped byte, in the header or the artifact, is a miss.
        let path = cache.path(&key);
        let good = std::fs::read(&path).unwrap();
        for at in [0, 10, HEADER_LEN - 1, HEADER_LEN, good.len() - 1] {
            let mut bad = good.clone();
            bad[at] ^= 1;
            std::fs::write(&path, &bad).unwrap();
            assert!(cache.get(&engine, &key).is_none(), "byte {at} flipped");
        }
        std::fs::write(&path, &good[..good.len() - 1]).unwrap();
        assert!(cache.get(&engine, &key).is_none(), "truncated");
    }

    #[test]
    #[allow(clippy::unwrap_used, reason = "tests")]
    fn another_component_is_a_miss() {
        let (_dir, cache, engine) = cache();
        let (wasm, component) = component(&engine);
        let key = sha256(&wasm);
        cache.put(&key, &component).unwrap();
        let other = sha256(b"another component");
        std::fs::copy(cache.path(&key), cache.path(&other)).unwrap();
        assert!(cache.get(&engine, &other).is_none());
    }

    #[cfg(unix)]
    #[test]
    #[allow(clippy::unwrap_used, reason = "tests")]
    fn the_directory_is_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let (_dir, cache, engine) = cache();
        let (wasm, component) = component(&engine);
        cache.put(&sha256(&wasm), &component).unwrap();
        let mode = std::fs::metadata(&cache.dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}
