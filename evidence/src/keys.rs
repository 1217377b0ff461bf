//! Ed25519 signing keys: generation, PKCS#8 / SPKI PEM files that openssl
//! reads, and the key id (sha256 of the SPKI DER) that envelopes name.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
pub use ed25519_dalek::{SigningKey, VerifyingKey};
use miette::Diagnostic;
use sha2::{Digest as _, Sha256};

/// Largest key file read: PEM keys are a few hundred bytes.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// Why a key could not be made, written or read.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum KeyError {
    /// The key pair would overwrite an existing file.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Exists(#[from] Exists),

    /// The operating system gave no randomness.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Random(#[from] NoRandomness),

    /// A key file could not be read or written.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Io(#[from] KeyIo),

    /// A key file holds something else than the expected PEM.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Format(#[from] KeyFormat),
}

/// The operating system gave no randomness to make a key from.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot get randomness from the operating system: {reason}")]
#[diagnostic(code(vouch::key::random))]
pub struct NoRandomness {
    /// What the system said.
    pub reason: String,
}

/// A key file that would be overwritten.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("`{}` already exists; keys are never overwritten", path.display())]
#[diagnostic(
    code(vouch::key::exists),
    help("choose another name with `-o NAME`, or move the old key away yourself")
)]
pub struct Exists {
    /// The file that exists.
    pub path: PathBuf,
}

/// A key file that could not be read or written.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot {action} `{}`", path.display())]
#[diagnostic(code(vouch::key::io))]
pub struct KeyIo {
    /// `read` or `write`.
    pub action: &'static str,
    /// The key file.
    pub path: PathBuf,
    /// The underlying error.
    #[source]
    pub source: std::io::Error,
}

/// A key file that holds something else than the expected PEM.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("`{}` is not {expected}: {reason}", path.display())]
#[diagnostic(
    code(vouch::key::format),
    help("`vouch keygen` writes NAME.key (private, PKCS#8 PEM) and NAME.pub (public, SPKI PEM)")
)]
pub struct KeyFormat {
    /// The key file.
    pub path: PathBuf,
    /// What it should hold.
    pub expected: &'static str,
    /// What the decoder said.
    pub reason: String,
}

/// A private key readable by others than its owner: a warning, not an error,
/// because CI secrets mounts often cannot set modes.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("private key `{}` is readable by others (mode {mode:03o})", path.display())]
#[diagnostic(
    code(vouch::key::permissions),
    severity(Warning),
    help("run `chmod 600 {}`", path.display())
)]
pub struct LoosePermissions {
    /// The key file.
    pub path: PathBuf,
    /// Its permission bits.
    pub mode: u32,
}

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the structure has
/// a fixed size, so the key id needs no fallible encoder.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// The key id envelopes carry: sha256 of the public key's SPKI DER, lowercase
/// hex (`openssl pkey -pubin -outform DER | sha256sum` prints the same).
pub fn key_id(key: &VerifyingKey) -> String {
    let mut hasher = Sha256::new();
    hasher.update(SPKI_PREFIX);
    hasher.update(key.as_bytes());
    hex::encode(hasher.finalize())
}

/// A fresh signing key from the operating system's randomness.
pub fn generate() -> Result<SigningKey, KeyError> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|e| NoRandomness {
        reason: e.to_string(),
    })?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The files a key pair was written to.
#[derive(Debug, Clone)]
pub struct KeyPairFiles {
    /// The private key, `NAME.key`.
    pub private: PathBuf,
    /// The public key, `NAME.pub`.
    pub public: PathBuf,
    /// The key id.
    pub key_id: String,
}

/// Writes `NAME.key` (PKCS#8 PEM, mode 0600) and `NAME.pub` (SPKI PEM);
/// refuses if either exists.
pub fn write_pair(key: &SigningKey, name: &Path) -> Result<KeyPairFiles, KeyError> {
    let private = with_suffix(name, "key");
    let public = with_suffix(name, "pub");
    for path in [&private, &public] {
        if path.symlink_metadata().is_ok() {
            return Err(Exists { path: path.clone() }.into());
        }
    }
    let format = |reason: String, path: &Path, expected| {
        KeyError::from(KeyFormat {
            path: path.to_path_buf(),
            expected,
            reason,
        })
    };
    let private_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| format(e.to_string(), &private, "an Ed25519 private key"))?;
    let public_pem = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| format(e.to_string(), &public, "an Ed25519 public key"))?;
    create_new(&private, private_pem.as_bytes(), 0o600)?;
    create_new(&public, public_pem.as_bytes(), 0o644)?;
    Ok(KeyPairFiles {
        private,
        public,
        key_id: key_id(&key.verifying_key()),
    })
}

/// Reads a private key; the warning says when its file is readable by others.
pub fn read_signing_key(path: &Path) -> Result<(SigningKey, Option<LoosePermissions>), KeyError> {
    let text = read_small(path)?;
    let key = SigningKey::from_pkcs8_pem(&text).map_err(|e| {
        KeyError::from(KeyFormat {
            path: path.to_path_buf(),
            expected: "an Ed25519 private key in PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`)",
            reason: e.to_string(),
        })
    })?;
    Ok((key, loose_permissions(path)))
}

/// Reads a public key (SPKI PEM, as `openssl pkey -pubout` writes).
pub fn read_verifying_key(path: &Path) -> Result<VerifyingKey, KeyError> {
    let text = read_small(path)?;
    VerifyingKey::from_public_key_pem(&text).map_err(|e| {
        KeyError::from(KeyFormat {
            path: path.to_path_buf(),
            expected: "an Ed25519 public key in SPKI PEM (`-----BEGIN PUBLIC KEY-----`)",
            reason: e.to_string(),
        })
    })
}

fn with_suffix(name: &Path, suffix: &str) -> PathBuf {
    let mut os = name.as_os_str().to_owned();
    os.push(".");
    os.push(suffix);
    PathBuf::from(os)
}

fn io_error(action: &'static str, path: &Path, source: std::io::Error) -> KeyError {
    KeyError::from(KeyIo {
        action,
        path: path.to_path_buf(),
        source,
    })
}

fn read_small(path: &Path) -> Result<String, KeyError> {
    let file = File::open(path).map_err(|e| io_error("read", path, e))?;
    let mut text = String::new();
    file.take(MAX_KEY_FILE)
        .read_to_string(&mut text)
        .map_err(|e| io_error("read", path, e))?;
    Ok(text)
}

fn create_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // Set at creation, so the key is never readable by others, not even briefly.
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            KeyError::from(Exists {
                path: path.to_path_buf(),
            })
        } else {
            io_error("write", path, e)
        }
    })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error("write", path, e))
}

#[cfg(unix)]
fn loose_permissions(path: &Path) -> Option<LoosePermissions> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| LoosePermissions {
        path: path.to_path_buf(),
        mode,
    })
}

#[cfg(not(unix))]
fn loose_permissions(_path: &Path) -> Option<LoosePermissions> {
    None
}
