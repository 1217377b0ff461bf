//! Verification: the signature first, then every digest (streamed, bounded
//! memory), then no file missing or extra. A bundle is a directory or its tar;
//! tars are read as untrusted input: traversal, absolute paths, links,
//! duplicate and oversized entries are refused, never extracted.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use ed25519_dalek::VerifyingKey;
use miette::Diagnostic;
use serde::Serialize;

use crate::digest;
use crate::dsse::{self, Envelope, IN_TOTO_PAYLOAD_TYPE};
use crate::keys::key_id;
use crate::layout::{self, unsafe_path};
use crate::manifest;
use crate::statement::{PREDICATE_TYPE, STATEMENT_TYPE, Statement};
use crate::tsa::{self, Stamp, Trust};

/// Largest manifest or envelope read into memory.
const MAX_METADATA: u64 = 16 * 1024 * 1024;

/// Limits on what a bundle may hold, and whom to trust for time.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Largest file accepted (files are streamed, so this bounds time, not memory).
    pub max_entry_bytes: u64,
    /// The time-stamp authorities trusted; when given, the bundle must carry
    /// a time-stamp token by one of them.
    pub tsa: Option<Trust>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            max_entry_bytes: 64 * 1024 * 1024 * 1024,
            tsa: None,
        }
    }
}

/// Why a bundle could not be verified at all (as opposed to failing verification).
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot open bundle `{}`", path.display())]
#[diagnostic(
    code(vouch::verify::open),
    help("pass the bundle directory or its `.tar` that `vouch seal` wrote")
)]
pub struct OpenError {
    /// The bundle path.
    pub path: PathBuf,
    /// The underlying error.
    #[source]
    pub source: io::Error,
}

/// How the bundle was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// A directory.
    Directory,
    /// A tar archive.
    Archive,
}

/// Whether a step passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// It passed.
    Passed,
    /// It found problems (listed in the report's failures).
    Failed,
    /// It was not run: an earlier step failed and nothing after it can be trusted.
    Skipped,
}

/// One step of verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// `contents`, `signature`, `manifest`, `digests` or `completeness`.
    pub name: &'static str,
    /// Whether it passed.
    pub outcome: Outcome,
    /// What it checked.
    pub summary: String,
}

/// One thing that failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "failure", rename_all = "kebab-case")]
pub enum Failure {
    /// A path that could escape the bundle or cannot be named safely.
    #[error("entry `{entry}` is refused: {reason}")]
    UnsafeEntry {
        /// The entry as named.
        entry: String,
        /// Why.
        reason: String,
    },
    /// A link, device or other non-file.
    #[error("entry `{entry}` is a {kind}; a bundle holds regular files only")]
    NotAFile {
        /// The entry.
        entry: String,
        /// What it is.
        kind: String,
    },
    /// The same path twice in an archive.
    #[error("entry `{entry}` appears more than once in the archive")]
    Duplicate {
        /// The entry.
        entry: String,
    },
    /// An entry over the size limit.
    #[error("entry `{entry}` is {size} bytes, over the limit of {limit} bytes")]
    Oversized {
        /// The entry.
        entry: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The archive ends inside an entry.
    #[error("the archive is truncated: entry `{entry}` has {read} of its {size} bytes")]
    Truncated {
        /// The entry.
        entry: String,
        /// Its size as the header says.
        size: u64,
        /// Bytes present.
        read: u64,
    },
    /// The archive stops at an entry boundary, without its end marker.
    #[error(
        "the archive is truncated: it ends after entry `{after}` without the end-of-archive marker"
    )]
    Unterminated {
        /// The last entry present.
        after: String,
    },
    /// The archive cannot be read as tar.
    #[error("the archive is corrupt or truncated: {reason}")]
    Corrupt {
        /// What the reader said.
        reason: String,
    },
    /// A file could not be read.
    #[error("cannot read `{path}`: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// What the system said.
        reason: String,
    },
    /// No envelope.
    #[error("there is no `statement.dsse.json`: the bundle is unsigned")]
    Unsigned,
    /// The envelope is not DSSE JSON.
    #[error("`statement.dsse.json` is not a DSSE envelope: {reason}")]
    BadEnvelope {
        /// What the parser said.
        reason: String,
    },
    /// The signature does not verify under the given key.
    #[error("signature check failed: {reason}")]
    Signature {
        /// Why.
        reason: String,
    },
    /// The signed payload is not a Vouch statement.
    #[error("the signed payload is not a Vouch in-toto Statement: {reason}")]
    BadStatement {
        /// Why.
        reason: String,
    },
    /// The time-stamp token does not vouch for the signature.
    #[error("time-stamp token `statement.dsse.tst`: {reason}")]
    Timestamp {
        /// Why.
        reason: String,
    },
    /// A trusted time was asked for, and the bundle has none.
    #[error(
        "there is no `statement.dsse.tst`: the bundle was sealed without `--tsa`, so it has no trusted time"
    )]
    NoTimestamp,
    /// No manifest.
    #[error("there is no `manifest.sha256`")]
    NoManifest,
    /// A manifest line that does not parse.
    #[error("`manifest.sha256` line {line}: {reason}")]
    BadManifest {
        /// 1-based line.
        line: usize,
        /// Why.
        reason: String,
    },
    /// The manifest says something else than the signed statement.
    #[error("`manifest.sha256` {reason} `{path}`")]
    ManifestDisagrees {
        /// The file concerned.
        path: String,
        /// How it disagrees.
        reason: String,
    },
    /// A file whose content is not what was signed.
    #[error("`{path}` has sha256 {actual}, but the signed statement says {expected}")]
    DigestMismatch {
        /// The file.
        path: String,
        /// Signed digest.
        expected: String,
        /// Actual digest.
        actual: String,
    },
    /// A signed file that is not there.
    #[error("`{path}` is missing: the signed statement lists it")]
    Missing {
        /// The file.
        path: String,
    },
    /// A file nobody signed.
    #[error("`{path}` is an extra file: the signed statement does not list it")]
    Extra {
        /// The file.
        path: String,
    },
}

/// The outcome of verifying one bundle.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The bundle path.
    pub bundle: PathBuf,
    /// Directory or archive.
    pub format: Format,
    /// The trusted key's id.
    pub key_id: String,
    /// What was checked, in order.
    pub steps: Vec<Step>,
    /// Everything that failed.
    pub failures: Vec<Failure>,
    /// The trusted time, when the bundle carries a valid time-stamp token.
    pub timestamp: Option<Stamp>,
    /// The signed statement, when the signature verified.
    #[serde(skip)]
    pub statement: Option<Statement>,
}

impl Report {
    /// Whether the bundle verified.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    fn step(&mut self, name: &'static str, failures: Vec<Failure>, summary: String) -> bool {
        let passed = failures.is_empty();
        self.steps.push(Step {
            name,
            outcome: if passed {
                Outcome::Passed
            } else {
                Outcome::Failed
            },
            summary,
        });
        self.failures.extend(failures);
        passed
    }

    fn skip(&mut self, names: &[&'static str]) {
        for name in names {
            self.steps.push(Step {
                name,
                outcome: Outcome::Skipped,
                summary: "not checked: nothing can be trusted without a valid signature".to_owned(),
            });
        }
    }
}

/// A file's digest and size.
#[derive(Debug, Clone)]
struct Hashed {
    sha256: String,
    size: u64,
}

/// What reading the bundle found.
#[derive(Default)]
struct Contents {
    /// Every regular file but the manifest and envelope, hashed (archives) or
    /// not yet (directories, hashed after the signature checks out).
    files: BTreeMap<String, Option<Hashed>>,
    envelope: Option<Vec<u8>>,
    manifest: Option<Vec<u8>>,
    timestamp: Option<Vec<u8>>,
    failures: Vec<Failure>,
}

/// Whether a bundle path is one of the files read whole rather than hashed:
/// the envelope, the manifest and the time-stamp token.
fn is_metadata(path: &str) -> bool {
    !layout::is_subject(path)
}

impl Contents {
    /// Keeps a metadata file's bytes (see [`is_metadata`]).
    fn set_metadata(&mut self, path: &str, bytes: Option<Vec<u8>>) {
        match path {
            layout::ENVELOPE => self.envelope = bytes,
            layout::MANIFEST => self.manifest = bytes,
            _ => self.timestamp = bytes,
        }
    }
}

/// Verifies `bundle` (a directory or a tar) against the trusted `key`.
pub fn verify(
    bundle: &Path,
    key: &VerifyingKey,
    options: VerifyOptions,
) -> Result<Report, OpenError> {
    let open_error = |source| OpenError {
        path: bundle.to_path_buf(),
        source,
    };
    let meta = fs::metadata(bundle).map_err(open_error)?;
    let format = if meta.is_dir() {
        Format::Directory
    } else {
        Format::Archive
    };
    let mut contents = match format {
        Format::Directory => read_dir(bundle, &options),
        Format::Archive => read_tar(
            File::open(bundle).map_err(open_error)?,
            meta.len(),
            &options,
        ),
    };
    let mut report = Report {
        bundle: bundle.to_path_buf(),
        format,
        key_id: key_id(key),
        steps: Vec::new(),
        failures: Vec::new(),
        timestamp: None,
        statement: None,
    };
    let structural = std::mem::take(&mut contents.failures);
    let summary = format!(
        "{} files in {} `{}`",
        contents.files.len()
            + usize::from(contents.envelope.is_some())
            + usize::from(contents.manifest.is_some())
            + usize::from(contents.timestamp.is_some()),
        match format {
            Format::Directory => "directory",
            Format::Archive => "archive",
        },
        bundle.display()
    );
    report.step("contents", structural, summary);

    let timestamped = contents.timestamp.is_some() || options.tsa.is_some();
    let (statement, signature) = match check_signature(contents.envelope.as_deref(), key) {
        Ok(signed) => signed,
        Err(failure) => {
            let summary = format!("statement not signed by key `{}`", report.key_id);
            report.step("signature", vec![failure], summary);
            if timestamped {
                report.skip(&["timestamp"]);
            }
            report.skip(&["manifest", "digests", "completeness"]);
            return Ok(report);
        }
    };
    let summary = format!(
        "in-toto statement signed by key `{}` (Ed25519 over the DSSE PAE); {} files listed, sealed {}",
        report.key_id,
        statement.subject.len(),
        statement
            .predicate
            .sealed
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    report.step("signature", Vec::new(), summary);
    if timestamped {
        check_timestamp(
            &mut report,
            contents.timestamp.as_deref(),
            &signature,
            &options,
        );
    }
    let signed: BTreeMap<&str, &str> = statement
        .subject
        .iter()
        .filter_map(|s| {
            s.digest
                .get("sha256")
                .map(|d| (s.name.as_str(), d.as_str()))
        })
        .collect();

    let failures = check_manifest(contents.manifest.as_deref(), &signed);
    let summary = format!("`{}` agrees with the signed statement", layout::MANIFEST);
    report.step("manifest", failures, summary);

    if format == Format::Directory {
        hash_dir(bundle, &mut contents, &signed, &options);
    }
    let mut failures = Vec::new();
    let mut bytes = 0u64;
    let mut matched = 0usize;
    for (path, expected) in &signed {
        match contents.files.get(*path) {
            Some(Some(hashed)) if hashed.sha256 == *expected => {
                matched += 1;
                bytes += hashed.size;
            }
            Some(Some(hashed)) => failures.push(Failure::DigestMismatch {
                path: (*path).to_owned(),
                expected: (*expected).to_owned(),
                actual: hashed.sha256.clone(),
            }),
            // Unreadable files were reported while hashing; absent ones below.
            _ => {}
        }
    }
    failures.append(&mut contents.failures);
    report.step(
        "digests",
        failures,
        format!(
            "{matched} of {} files ({bytes} bytes) have the signed sha256",
            signed.len()
        ),
    );

    let mut failures: Vec<Failure> = signed
        .keys()
        .filter(|path| !contents.files.contains_key(**path))
        .map(|path| Failure::Missing {
            path: (*path).to_owned(),
        })
        .collect();
    failures.extend(
        contents
            .files
            .keys()
            .filter(|path| !signed.contains_key(path.as_str()))
            .map(|path| Failure::Extra { path: path.clone() }),
    );
    report.step(
        "completeness",
        failures,
        "no file missing or extra".to_owned(),
    );
    report.statement = Some(statement);
    Ok(report)
}

/// The "timestamp" step: the token stamps this signature, its TSA's signature
/// verifies, and with `--tsa-cert` the TSA is trusted.
fn check_timestamp(
    report: &mut Report,
    token: Option<&[u8]>,
    signature: &[u8],
    options: &VerifyOptions,
) {
    let Some(token) = token else {
        let summary = "a trusted time was required".to_owned();
        report.step("timestamp", vec![Failure::NoTimestamp], summary);
        return;
    };
    match tsa::check(token, signature, options.tsa.as_ref()) {
        Ok(stamp) => {
            let time = stamp
                .time
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let summary = if stamp.trusted {
                format!(
                    "signature time-stamped {time} by trusted TSA `{}` (RFC 3161)",
                    stamp.tsa
                )
            } else {
                format!(
                    "signature time-stamped {time} by TSA `{}` (RFC 3161), which is not trusted: give `--tsa-cert` to trust its time",
                    stamp.tsa
                )
            };
            report.step("timestamp", Vec::new(), summary);
            report.timestamp = Some(stamp);
        }
        Err(e) => {
            let failure = Failure::Timestamp {
                reason: e.to_string(),
            };
            let summary = "the signature's RFC 3161 time-stamp token does not check".to_owned();
            report.step("timestamp", vec![failure], summary);
        }
    }
}

/// The signed statement and its signature, or why there is none.
fn check_signature(
    envelope: Option<&[u8]>,
    key: &VerifyingKey,
) -> Result<(Statement, Vec<u8>), Failure> {
    let bytes = envelope.ok_or(Failure::Unsigned)?;
    let envelope: Envelope = serde_json::from_slice(bytes).map_err(|e| Failure::BadEnvelope {
        reason: e.to_string(),
    })?;
    // Exactly the bytes `vouch seal` writes: a renamed or added field, which
    // parsing skips, must not pass unnoticed.
    if crate::canonical::to_vec(&envelope).ok().as_deref() != Some(bytes) {
        return Err(Failure::BadEnvelope {
            reason: "it is not the canonical JSON `vouch seal` writes".to_owned(),
        });
    }
    let verified =
        dsse::verify(&envelope, IN_TOTO_PAYLOAD_TYPE, key).map_err(|e| Failure::Signature {
            reason: e.to_string(),
        })?;
    let bad = |reason: String| Failure::BadStatement { reason };
    let statement: Statement =
        serde_json::from_slice(&verified.payload).map_err(|e| bad(e.to_string()))?;
    if statement.statement_type != STATEMENT_TYPE {
        return Err(bad(format!(
            "`_type` is `{}`, expected `{STATEMENT_TYPE}`",
            statement.statement_type
        )));
    }
    if statement.predicate_type != PREDICATE_TYPE {
        return Err(bad(format!(
            "`predicateType` is `{}`, expected `{PREDICATE_TYPE}`",
            statement.predicate_type
        )));
    }
    let mut seen = BTreeSet::new();
    for subject in &statement.subject {
        if let Some(reason) = unsafe_path(&subject.name) {
            return Err(bad(format!("subject `{}`: {reason}", subject.name)));
        }
        if !layout::is_subject(&subject.name) {
            return Err(bad(format!("subject `{}` cannot be signed", subject.name)));
        }
        if !subject.digest.contains_key("sha256") {
            return Err(bad(format!(
                "subject `{}` has no sha256 digest",
                subject.name
            )));
        }
        if !seen.insert(subject.name.as_str()) {
            return Err(bad(format!("subject `{}` is listed twice", subject.name)));
        }
    }
    Ok((statement, verified.signature))
}

fn check_manifest(manifest: Option<&[u8]>, signed: &BTreeMap<&str, &str>) -> Vec<Failure> {
    let Some(bytes) = manifest else {
        return vec![Failure::NoManifest];
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return vec![Failure::BadManifest {
            line: 1,
            reason: "not UTF-8 text".to_owned(),
        }];
    };
    let listed = match manifest::parse(text) {
        Ok(listed) => listed,
        Err(bad) => {
            return vec![Failure::BadManifest {
                line: bad.line,
                reason: bad.reason,
            }];
        }
    };
    let mut failures = Vec::new();
    for (path, digest) in &listed {
        match signed.get(path.as_str()) {
            Some(expected) if expected == digest => {}
            Some(expected) => failures.push(Failure::ManifestDisagrees {
                path: path.clone(),
                reason: format!("gives sha256 {digest}, the signed statement {expected}, for"),
            }),
            None => failures.push(Failure::ManifestDisagrees {
                path: path.clone(),
                reason: "lists a file the signed statement does not:".to_owned(),
            }),
        }
    }
    for path in signed.keys() {
        if !listed.contains_key(*path) {
            failures.push(Failure::ManifestDisagrees {
                path: (*path).to_owned(),
                reason: "omits a file the signed statement lists:".to_owned(),
            });
        }
    }
    // `sha256sum` also reads ` *PATH` lines in any order; a sealed manifest is
    // exactly what `vouch seal` renders, so no byte of it changes unnoticed.
    let rendered = manifest::render(&listed);
    if failures.is_empty() && text != rendered {
        failures.push(Failure::BadManifest {
            line: 1 + text
                .lines()
                .zip(rendered.lines())
                .take_while(|(a, b)| a == b)
                .count(),
            reason: "not as `vouch seal` writes it: sorted `SHA256  PATH` lines, each ending in a newline"
                .to_owned(),
        });
    }
    failures
}

/// Lists a bundle directory: links and special files are failures, never followed.
fn read_dir(root: &Path, options: &VerifyOptions) -> Contents {
    let mut contents = Contents::default();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                contents.failures.push(Failure::Unreadable {
                    path: display_rel(&prefix),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                contents.failures.push(Failure::UnsafeEntry {
                    entry: name.to_string_lossy().into_owned(),
                    reason: "name is not UTF-8".to_owned(),
                });
                continue;
            };
            let rel = if prefix.is_empty() {
                name.to_owned()
            } else {
                format!("{prefix}/{name}")
            };
            let Ok(kind) = entry.file_type() else {
                contents.failures.push(Failure::Unreadable {
                    path: rel,
                    reason: "cannot stat".to_owned(),
                });
                continue;
            };
            if let Some(reason) = unsafe_path(&rel) {
                contents.failures.push(Failure::UnsafeEntry {
                    entry: rel,
                    reason: reason.to_owned(),
                });
            } else if kind.is_dir() {
                stack.push((entry.path(), rel));
            } else if kind.is_symlink() {
                contents.failures.push(Failure::NotAFile {
                    entry: rel,
                    kind: "symbolic link".to_owned(),
                });
            } else if !kind.is_file() {
                contents.failures.push(Failure::NotAFile {
                    entry: rel,
                    kind: "special file".to_owned(),
                });
            } else {
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                if is_metadata(&rel) {
                    let bytes = read_metadata(&entry.path(), &rel, size, &mut contents.failures);
                    contents.set_metadata(&rel, bytes);
                } else if size > options.max_entry_bytes {
                    contents.failures.push(Failure::Oversized {
                        entry: rel,
                        size,
                        limit: options.max_entry_bytes,
                    });
                } else {
                    contents.files.insert(rel, None);
                }
            }
        }
    }
    contents
}

fn read_metadata(
    path: &Path,
    rel: &str,
    size: u64,
    failures: &mut Vec<Failure>,
) -> Option<Vec<u8>> {
    if size > MAX_METADATA {
        failures.push(Failure::Oversized {
            entry: rel.to_owned(),
            size,
            limit: MAX_METADATA,
        });
        return None;
    }
    let mut bytes = Vec::new();
    match File::open(path).and_then(|f| f.take(MAX_METADATA).read_to_end(&mut bytes)) {
        Ok(_) => Some(bytes),
        Err(e) => {
            failures.push(Failure::Unreadable {
                path: rel.to_owned(),
                reason: e.to_string(),
            });
            None
        }
    }
}

/// Hashes the signed files of a directory bundle, in parallel. Files the
/// statement does not list are not read: they fail completeness anyway.
fn hash_dir(
    root: &Path,
    contents: &mut Contents,
    signed: &BTreeMap<&str, &str>,
    options: &VerifyOptions,
) {
    let wanted: Vec<String> = contents
        .files
        .keys()
        .filter(|p| signed.contains_key(p.as_str()))
        .cloned()
        .collect();
    let paths: Vec<PathBuf> = wanted.iter().map(|p| root.join(p)).collect();
    for (rel, result) in wanted.into_iter().zip(digest::files(&paths)) {
        match result {
            Ok((sha256, size)) if size <= options.max_entry_bytes => {
                contents.files.insert(rel, Some(Hashed { sha256, size }));
            }
            Ok((_, size)) => contents.failures.push(Failure::Oversized {
                entry: rel,
                size,
                limit: options.max_entry_bytes,
            }),
            Err(e) => contents.failures.push(Failure::Unreadable {
                path: rel,
                reason: e.to_string(),
            }),
        }
    }
}

/// Reads a tar of `length` bytes in one streaming pass, hashing every regular
/// file on worker threads while this one reads on.
fn read_tar(reader: impl Read, length: u64, options: &VerifyOptions) -> Contents {
    let mut contents = Contents::default();
    // The entries handed to the pipeline, by stream id: name and size read.
    let mut streams: Vec<(String, u64)> = Vec::new();
    let (end, digests) = digest::pipelined(|pipeline| {
        read_entries(reader, options, &mut contents, &mut streams, pipeline)
    });
    for (id, sha256) in digests {
        if let Some((name, size)) = streams.get(id) {
            let hashed = Hashed {
                sha256,
                size: *size,
            };
            contents.files.insert(name.clone(), Some(hashed));
        }
    }
    let complete = contents.failures.iter().all(|f| {
        !matches!(
            f,
            Failure::Corrupt { .. } | Failure::Truncated { .. } | Failure::Oversized { .. }
        )
    });
    // Two zero blocks close a tar.
    if complete && length < end.0 + 1024 {
        contents
            .failures
            .push(Failure::Unterminated { after: end.1 });
    }
    contents
}

/// The entries of a tar: metadata kept, regular files fed to `pipeline` as
/// `streams` (only those read whole), everything refused recorded. Where the
/// last entry's data ends, and its name: a cut exactly at an entry boundary
/// is only visible as a missing end-of-archive marker.
fn read_entries(
    reader: impl Read,
    options: &VerifyOptions,
    contents: &mut Contents,
    streams: &mut Vec<(String, u64)>,
    pipeline: &mut digest::Pipeline,
) -> (u64, String) {
    let mut end = (0u64, String::new());
    let mut seen = BTreeSet::new();
    let mut archive = tar::Archive::new(reader);
    let entries = match archive.entries() {
        Ok(entries) => entries,
        Err(e) => {
            contents.failures.push(Failure::Corrupt {
                reason: e.to_string(),
            });
            return end;
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                contents.failures.push(Failure::Corrupt {
                    reason: e.to_string(),
                });
                break;
            }
        };
        let raw = entry.path_bytes().into_owned();
        let Ok(name) = String::from_utf8(raw.clone()) else {
            contents.failures.push(Failure::UnsafeEntry {
                entry: String::from_utf8_lossy(&raw).into_owned(),
                reason: "name is not UTF-8".to_owned(),
            });
            continue;
        };
        let kind = entry.header().entry_type();
        end = (
            entry.raw_file_position() + entry.size().div_ceil(512) * 512,
            String::from_utf8_lossy(&raw).into_owned(),
        );
        // Archives re-made with `tar -C dir -cf x.tar .` name entries `./…`.
        let name = name.strip_prefix("./").unwrap_or(&name);
        if kind.is_dir() {
            let dir = name.trim_end_matches('/');
            if !dir.is_empty()
                && dir != "."
                && let Some(reason) = unsafe_path(dir)
            {
                contents.failures.push(Failure::UnsafeEntry {
                    entry: name.to_owned(),
                    reason: reason.to_owned(),
                });
            }
            continue;
        }
        if let Some(reason) = unsafe_path(name) {
            contents.failures.push(Failure::UnsafeEntry {
                entry: name.to_owned(),
                reason: reason.to_owned(),
            });
            continue;
        }
        if !kind.is_file() {
            let kind = if kind.is_symlink() {
                "symbolic link"
            } else if kind.is_hard_link() {
                "hard link"
            } else {
                "special file"
            };
            contents.failures.push(Failure::NotAFile {
                entry: name.to_owned(),
                kind: kind.to_owned(),
            });
            continue;
        }
        if !seen.insert(name.to_owned()) {
            contents.failures.push(Failure::Duplicate {
                entry: name.to_owned(),
            });
            continue;
        }
        let size = entry.size();
        let metadata = is_metadata(name);
        let limit = if metadata {
            MAX_METADATA
        } else {
            options.max_entry_bytes
        };
        if size > limit {
            contents.failures.push(Failure::Oversized {
                entry: name.to_owned(),
                size,
                limit,
            });
            continue;
        }
        if metadata {
            let mut bytes = Vec::new();
            let read = entry.read_to_end(&mut bytes);
            if truncated(contents, name, size, read.map(|n| n as u64)) {
                break;
            }
            contents.set_metadata(name, Some(bytes));
        } else {
            let read = pipeline.hash(streams.len(), &mut entry);
            if truncated(contents, name, size, read) {
                break;
            }
            streams.push((name.to_owned(), size));
        }
    }
    end
}

/// Records a short or failed read of an entry; true when reading must stop.
fn truncated(contents: &mut Contents, name: &str, size: u64, read: io::Result<u64>) -> bool {
    match read {
        Ok(n) if n == size => false,
        Ok(n) => {
            contents.failures.push(Failure::Truncated {
                entry: name.to_owned(),
                size,
                read: n,
            });
            true
        }
        Err(e) => {
            contents.failures.push(Failure::Corrupt {
                reason: format!("entry `{name}`: {e}"),
            });
            true
        }
    }
}

fn display_rel(rel: &str) -> String {
    if rel.is_empty() {
        ".".to_owned()
    } else {
        rel.to_owned()
    }
}
