//! Sealing: the plan, the evidence set, the exact policy components and the
//! assessment, copied into a bundle directory with their digests, an OSCAL
//! export, a manifest and a signed in-toto Statement, plus a deterministic tar
//! of the same files.
//!
//! Everything is built in a hidden temporary directory beside the output,
//! fsynced, then renamed into place, so a crash never leaves something that
//! looks like a whole bundle. Sealing the same inputs twice gives the same
//! bytes except the statement's `sealed` time and the signature, both inside
//! `statement.dsse.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use miette::Diagnostic;
use serde::de::DeserializeOwned;
use sha2::{Digest as _, Sha256};
use vouch_sdk::assessment::{Assessment, FindingStatus};
use vouch_sdk::plan::load::{self, PlanError};

use crate::archive;
use crate::canonical;
use crate::digest::{self, BUFFER};
use crate::dsse::{self, IN_TOTO_PAYLOAD_TYPE};
use crate::keys::key_id;
use crate::layout::{self, unsafe_path};
use crate::manifest;
use crate::oscal;
use crate::statement::{
    ControlSummary, Layout, PREDICATE_TYPE, PolicySummary, Predicate, STATEMENT_TYPE, Statement,
    Subject, Tool,
};
use crate::tsa::{self, Stamp, TsaError};

mod assessment;
mod components;
mod evidence;

use components::{Component, Sources};

/// What to seal, and with which key.
#[derive(Debug)]
pub struct SealRequest<'a> {
    /// The plan file (`vouch.toml`).
    pub plan: &'a Path,
    /// The evidence set directory.
    pub evidence: &'a Path,
    /// The assessment JSON.
    pub assessment: &'a Path,
    /// Policy components given by hand (`--policy`), in any order; each must
    /// be one the assessment ran. Components built in or named by the plan's
    /// `[policies.ID] path` are found without them.
    pub policies: &'a [PathBuf],
    /// The components built into the sealing program, by sha256 (lowercase hex).
    pub builtin: fn(&str) -> Option<&'static [u8]>,
    /// Further files to seal and sign, e.g. a rendered report.
    pub extra: &'a [ExtraFile],
    /// An RFC 3161 time-stamp authority to stamp the signature, by URL.
    pub tsa: Option<&'a str>,
    /// The signing key.
    pub key: &'a SigningKey,
    /// The bundle directory to write; the archive goes beside it as `OUT.tar`.
    pub out: &'a Path,
    /// The seal time.
    pub sealed: DateTime<Utc>,
    /// The sealing program.
    pub tool: Tool,
    /// The engine that ran the policies, when known.
    pub engine: Option<Tool>,
}

/// A further file to seal, beside the plan, evidence and assessment.
#[derive(Debug, Clone)]
pub struct ExtraFile {
    /// Its path inside the bundle, `/`-separated (e.g. `report.html`).
    pub name: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// A sealed bundle.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// The bundle directory.
    pub dir: PathBuf,
    /// The tar archive of it.
    pub archive: PathBuf,
    /// The signing key's id.
    pub key_id: String,
    /// Bytes of the files the statement lists, by path.
    pub sizes: BTreeMap<String, u64>,
    /// The signed statement.
    pub statement: Statement,
    /// The trusted time, when sealed with a TSA.
    pub timestamp: Option<Stamp>,
}

/// Why a bundle could not be sealed. Nothing is left behind when sealing fails.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum SealError {
    /// The plan does not load.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(Box<PlanError>),
    /// A file could not be read or written.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Io(#[from] IoError),
    /// A JSON input does not parse as what it should be.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Json(#[from] JsonError),
    /// The evidence set lacks a file.
    #[error(transparent)]
    #[diagnostic(transparent)]
    MissingEvidence(#[from] MissingEvidence),
    /// A file or link that cannot go into a bundle.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Unsealable(#[from] Unsealable),
    /// A record's raw artifact is missing or differs from its digest.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Origin(#[from] OriginMismatch),
    /// A `--policy` file the assessment does not name.
    #[error(transparent)]
    #[diagnostic(transparent)]
    UnknownPolicy(#[from] UnknownPolicy),
    /// A policy the assessment ran whose component was found nowhere.
    #[error(transparent)]
    #[diagnostic(transparent)]
    MissingPolicy(#[from] MissingPolicy),
    /// The output path holds something other than a bundle.
    #[error(transparent)]
    #[diagnostic(transparent)]
    OutputExists(#[from] OutputExists),
    /// No time-stamp token was obtained.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Tsa(#[from] TsaError),
    /// Encoding JSON failed (a bug: every value Vouch writes is encodable).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Encode(#[from] EncodeError),
}

impl From<PlanError> for SealError {
    fn from(error: PlanError) -> Self {
        Self::Plan(Box::new(error))
    }
}

/// A bundle file that could not be encoded as JSON.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot encode `{file}` as JSON: {reason}")]
#[diagnostic(code(vouch::seal::encode))]
pub struct EncodeError {
    /// The bundle file.
    pub file: &'static str,
    /// What serde said.
    pub reason: String,
}

/// A file that could not be read or written.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot {action} `{}`", path.display())]
#[diagnostic(code(vouch::seal::io))]
pub struct IoError {
    /// What was being done.
    pub action: &'static str,
    /// The file.
    pub path: PathBuf,
    /// The underlying error.
    #[source]
    pub source: io::Error,
}

/// A JSON input that does not parse.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("`{}` line {line} column {column}: {reason}", path.display())]
#[diagnostic(code(vouch::seal::json), help("{expected}"))]
pub struct JsonError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What serde said.
    pub reason: String,
    /// What the file should hold.
    pub expected: &'static str,
}

/// An evidence set without one of its files.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("evidence set `{}` has no `{file}`", dir.display())]
#[diagnostic(
    code(vouch::seal::missing_evidence),
    help("`-e` takes the directory `vouch collect` wrote; it holds {}", layout::EVIDENCE_FILES.join(", "))
)]
pub struct MissingEvidence {
    /// The evidence set directory.
    pub dir: PathBuf,
    /// The missing file.
    pub file: &'static str,
}

/// A file that cannot go into a bundle.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot seal `{}`: {reason}", path.display())]
#[diagnostic(
    code(vouch::seal::unsealable),
    help(
        "a bundle holds regular files with plain relative names only; move it out of the evidence set"
    )
)]
pub struct Unsealable {
    /// The file.
    pub path: PathBuf,
    /// Why not.
    pub reason: String,
}

/// A record whose raw artifact does not match its provenance.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error(
    "`{file}` record {index} names raw artifact `{artifact}` with sha256 {expected}, but {found}"
)]
#[diagnostic(
    code(vouch::seal::origin),
    help("the evidence set was changed after `vouch collect`; collect it again")
)]
pub struct OriginMismatch {
    /// The record file.
    pub file: &'static str,
    /// 0-based record index.
    pub index: usize,
    /// The artifact path under `raw/`.
    pub artifact: String,
    /// The digest the record carries.
    pub expected: String,
    /// What was found instead.
    pub found: String,
}

/// A `--policy` file the assessment does not name.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("`{}` (sha256 {sha256}) is not a policy the assessment ran", path.display())]
#[diagnostic(
    code(vouch::seal::unknown_policy),
    help(
        "pass exactly the components whose digests the assessment lists under `policies[].sha256`: {known}"
    )
)]
pub struct UnknownPolicy {
    /// The file.
    pub path: PathBuf,
    /// Its digest.
    pub sha256: String,
    /// The digests the assessment names.
    pub known: String,
}

/// A policy the assessment ran whose exact component was found nowhere.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error(
    "the assessment ran policy `{id}` (sha256 {sha256}), but no component with that digest was found; looked in: {looked}"
)]
#[diagnostic(
    code(vouch::seal::missing_policy),
    help(
        "give the exact component that ran with `--policy FILE.wasm` (a rebuilt one has another digest), or evaluate again and seal that assessment"
    )
)]
pub struct MissingPolicy {
    /// Policy id.
    pub id: String,
    /// The digest the assessment names.
    pub sha256: String,
    /// Everywhere the component was looked for, and what was there.
    pub looked: String,
}

/// An output path that holds something other than a previous bundle.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("`{}` exists and is not a Vouch bundle", path.display())]
#[diagnostic(
    code(vouch::seal::output_exists),
    help("choose another `-o`, or remove it; only a previous bundle is replaced")
)]
pub struct OutputExists {
    /// The output path.
    pub path: PathBuf,
}

/// Seals a bundle; see the module docs.
pub fn seal(request: &SealRequest<'_>) -> Result<Sealed, SealError> {
    let plan = load::load(request.plan)?;
    // The two large inputs are parsed on two cores at once; a fault of the
    // assessment is still the one reported when both have one.
    let (input, evidence) = std::thread::scope(|scope| {
        let evidence = scope.spawn(|| evidence::read(request.evidence));
        let input = assessment::read(request.assessment);
        (
            input,
            evidence
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        )
    });
    let input = input?;
    let assessment = &input.head;
    let evidence = evidence?;
    let raw = list_raw(&request.evidence.join(layout::RAW_DIR))?;
    let policies = components::resolve(
        assessment,
        &Sources {
            builtin: request.builtin,
            plan: &plan,
            plan_path: request.plan,
            arguments: request.policies,
        },
    )?;
    check_extra(request.extra)?;

    let archive_path = with_suffix(request.out, ".tar");
    check_output(request.out)?;
    let parent = parent_dir(request.out);
    fs::create_dir_all(&parent).map_err(|e| io_error("create", &parent, e))?;
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{}.sealing-", file_name(request.out)))
        .tempdir_in(&parent)
        .map_err(|e| io_error("create a temporary directory in", &parent, e))?;
    let root = staging.path();

    let mut files = Files::default();
    files.copy(root, request.plan, layout::PLAN.to_owned())?;
    for name in layout::EVIDENCE_FILES {
        files.copy(
            root,
            &request.evidence.join(name),
            format!("{}/{name}", layout::EVIDENCE_DIR),
        )?;
    }
    let raw_dir = request.evidence.join(layout::RAW_DIR);
    let copies: Vec<(PathBuf, String)> = raw
        .iter()
        .map(|rel| {
            let name = format!("{}/{}/{rel}", layout::EVIDENCE_DIR, layout::RAW_DIR);
            (raw_dir.join(rel), name)
        })
        .collect();
    files.copy_all(root, &copies)?;
    evidence.check_origins(&files.digests)?;
    let mut summaries = Vec::new();
    for (run, (component, origin)) in assessment.policies.iter().zip(policies) {
        let name = format!("{}/{}.wasm", layout::POLICIES_DIR, run.id);
        match component {
            Component::Builtin(bytes) => files.write(root, &name, bytes)?,
            Component::File(path) => {
                files.copy(root, &path, name.clone())?;
                // The file may have changed since it was matched.
                if files.digests.get(&name) != Some(&run.sha256) {
                    return Err(Unsealable {
                        path,
                        reason: format!(
                            "it changed while sealing: it no longer has sha256 {}",
                            run.sha256
                        ),
                    }
                    .into());
                }
            }
        }
        summaries.push(PolicySummary {
            id: run.id.clone(),
            version: run.version.clone(),
            path: name,
            sha256: run.sha256.clone(),
            origin: Some(origin),
            fuel_used: run.fuel_used,
            error: run.error.clone(),
        });
    }
    for extra in request.extra {
        files.write(root, &extra.name, &extra.bytes)?;
    }
    let seed = files.write_with(root, layout::ASSESSMENT, |out, fault| {
        assessment::write(&input, out, fault)
    })?;
    let copy = root.join(layout::ASSESSMENT);
    files.write_with(root, layout::OSCAL, |out, fault| {
        let findings: oscal::Findings<'_> = Box::new(|each| {
            assessment::findings(&copy, each)
                .map_err(|e| input_fault(fault, io_error("read", &copy, e)))
        });
        let document = oscal::assessment_results(
            assessment,
            &input.tally.index,
            &evidence.artifacts,
            &seed,
            findings,
        );
        canonical::write_part(document, out)
    })?;

    let statement = statement(
        request,
        assessment,
        &input.tally.counts,
        &files.digests,
        summaries,
    );
    files.write_unlisted(
        root,
        layout::MANIFEST,
        manifest::render(&files.digests).as_bytes(),
    )?;
    let payload = encode(layout::ENVELOPE, &statement)?;
    let (envelope, signature) = dsse::sign(IN_TOTO_PAYLOAD_TYPE, &payload, request.key);
    files.write_unlisted(
        root,
        layout::ENVELOPE,
        &encode(layout::ENVELOPE, &envelope)?,
    )?;
    let timestamp = match request.tsa {
        Some(url) => {
            let (token, stamp) = tsa::timestamp(url, &signature.to_bytes())?;
            files.write_unlisted(root, layout::TIMESTAMP, &token)?;
            Some(stamp)
        }
        None => None,
    };
    sync_tree(root)?;

    // Every file written, manifest and envelope included, sorted by the map.
    let entries: Vec<String> = files.sizes.keys().cloned().collect();
    let mut tar = tempfile::Builder::new()
        .prefix(&format!(".{}.sealing-", file_name(&archive_path)))
        .tempfile_in(&parent)
        .map_err(|e| io_error("create a temporary file in", &parent, e))?;
    archive::write(root, &entries, tar.as_file_mut())
        .and_then(|()| tar.as_file().sync_all())
        .map_err(|e| io_error("write", &archive_path, e))?;

    replace_dir(staging, request.out)?;
    tar.persist(&archive_path)
        .map_err(|e| io_error("write", &archive_path, e.error))?;
    sync_dir(&parent)?;

    let mut sizes = files.sizes;
    sizes.retain(|path, _| layout::is_subject(path));
    Ok(Sealed {
        dir: request.out.to_path_buf(),
        archive: archive_path,
        key_id: key_id(&request.key.verifying_key()),
        sizes,
        statement,
        timestamp,
    })
}

fn statement(
    request: &SealRequest<'_>,
    assessment: &Assessment,
    findings: &BTreeMap<FindingStatus, usize>,
    digests: &BTreeMap<String, String>,
    policies: Vec<PolicySummary>,
) -> Statement {
    Statement {
        statement_type: STATEMENT_TYPE.to_owned(),
        subject: digests
            .iter()
            .map(|(name, digest)| Subject {
                name: name.clone(),
                digest: [("sha256".to_owned(), digest.clone())].into(),
            })
            .collect(),
        predicate_type: PREDICATE_TYPE.to_owned(),
        predicate: Predicate {
            organisation: assessment.organisation.clone(),
            window: assessment.window,
            now: assessment.now,
            sealed: request.sealed,
            tool: request.tool.clone(),
            engine: request.engine.clone(),
            layout: Layout {
                plan: layout::PLAN.to_owned(),
                evidence: layout::EVIDENCE_DIR.to_owned(),
                assessment: layout::ASSESSMENT.to_owned(),
                oscal: layout::OSCAL.to_owned(),
            },
            policies,
            findings: findings.clone(),
            controls: assessment
                .controls
                .iter()
                .map(|c| ControlSummary {
                    framework: c.framework.clone(),
                    control: c.control.clone(),
                    status: c.status,
                })
                .collect(),
        },
    }
}

/// The files written so far, with their digests.
#[derive(Default)]
struct Files {
    /// Statement subjects: path → sha256.
    digests: BTreeMap<String, String>,
    /// Every file written: path → bytes.
    sizes: BTreeMap<String, u64>,
}

impl Files {
    /// Copies `source` to `root/name`, hashing as it streams.
    fn copy(&mut self, root: &Path, source: &Path, name: String) -> Result<(), SealError> {
        let (digest, size) = copy_hashed(root, source, &name)?;
        self.digests.insert(name.clone(), digest);
        self.sizes.insert(name, size);
        Ok(())
    }

    /// Copies every `(source, name)`, several files at once.
    fn copy_all(&mut self, root: &Path, copies: &[(PathBuf, String)]) -> Result<(), SealError> {
        let results = digest::parallel(copies, |(source, name)| copy_hashed(root, source, name));
        for ((_, name), result) in copies.iter().zip(results) {
            let (digest, size) = result?;
            self.digests.insert(name.clone(), digest);
            self.sizes.insert(name.clone(), size);
        }
        Ok(())
    }

    /// Writes `bytes` as `root/name`, a statement subject.
    fn write(&mut self, root: &Path, name: &str, bytes: &[u8]) -> Result<(), SealError> {
        self.write_unlisted(root, name, bytes)?;
        self.digests
            .insert(name.to_owned(), hex::encode(Sha256::digest(bytes)));
        Ok(())
    }

    /// Writes `root/name`, a statement subject, as `fill` makes it; returns
    /// its sha256. `fill` puts a fault of its input rather than of the file
    /// in the slot it is given.
    fn write_with(
        &mut self,
        root: &Path,
        name: &str,
        fill: impl FnOnce(&mut dyn Write, &mut Option<SealError>) -> io::Result<()>,
    ) -> Result<String, SealError> {
        let target = root.join(name);
        let mut out = io::BufWriter::with_capacity(BUFFER, Hashing::new(create(&target)?));
        let mut fault = None;
        let filled = fill(&mut out, &mut fault).and_then(|()| out.flush());
        if let Some(fault) = fault {
            return Err(fault);
        }
        filled.map_err(|e| io_error("write", &target, e))?;
        let (digest, size, file) = out
            .into_inner()
            .map_err(|e| io_error("write", &target, e.into_error()))?
            .finish();
        file.sync_all().map_err(|e| io_error("write", &target, e))?;
        self.digests.insert(name.to_owned(), digest.clone());
        self.sizes.insert(name.to_owned(), size);
        Ok(digest)
    }

    /// Writes `bytes` as `root/name`, not a statement subject.
    fn write_unlisted(&mut self, root: &Path, name: &str, bytes: &[u8]) -> Result<(), SealError> {
        let target = root.join(name);
        let mut output = create(&target)?;
        output
            .write_all(bytes)
            .and_then(|()| output.sync_all())
            .map_err(|e| io_error("write", &target, e))?;
        self.sizes.insert(name.to_owned(), bytes.len() as u64);
        Ok(())
    }
}

/// Keeps a fault of what a file is made from in `slot` (see
/// [`Files::write_with`]); the error returned only stops the writing.
fn input_fault(slot: &mut Option<SealError>, error: impl Into<SealError>) -> io::Error {
    *slot = Some(error.into());
    io::Error::other("stopped: the input failed")
}

/// Copies `source` to `root/name` and fsyncs it; returns its sha256 and size.
fn copy_hashed(root: &Path, source: &Path, name: &str) -> Result<(String, u64), SealError> {
    let mut input = File::open(source).map_err(|e| io_error("read", source, e))?;
    let target = root.join(name);
    let mut output = create(&target)?;
    let mut hashing = Hashing::new(&mut output);
    io::copy(&mut input, &mut hashing).map_err(|e| {
        // Name the side that failed: a full disk is the bundle's, not the source's.
        if hashing.write_failed {
            io_error("write", &target, e)
        } else {
            io_error("read", source, e)
        }
    })?;
    let (digest, size, _) = hashing.finish();
    output
        .sync_all()
        .map_err(|e| io_error("write", &target, e))?;
    Ok((digest, size))
}

/// Hashes what passes through, written or read.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
    write_failed: bool,
}

impl<W> Hashing<W> {
    fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            size: 0,
            write_failed: false,
        }
    }

    /// The sha256 and size of what passed, and the inner writer or reader.
    fn finish(self) -> (String, u64, W) {
        (hex::encode(self.hasher.finalize()), self.size, self.inner)
    }
}

impl<R: io::Read> io::Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self
            .inner
            .write(buf)
            .inspect_err(|_| self.write_failed = true)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn create(path: &Path) -> Result<File, SealError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| io_error("create", dir, e))?;
    }
    File::create(path).map_err(|e| io_error("write", path, e).into())
}

fn io_error(action: &'static str, path: &Path, source: io::Error) -> IoError {
    IoError {
        action,
        path: path.to_path_buf(),
        source,
    }
}

fn encode(file: &'static str, value: &impl serde::Serialize) -> Result<Vec<u8>, SealError> {
    encoded(file, canonical::to_vec(value))
}

fn encoded(
    file: &'static str,
    bytes: Result<Vec<u8>, serde_json::Error>,
) -> Result<Vec<u8>, SealError> {
    bytes.map_err(|e| {
        EncodeError {
            file,
            reason: e.to_string(),
        }
        .into()
    })
}

fn read_json<T: DeserializeOwned>(
    path: &Path,
    expected: &'static str,
) -> Result<(T, Vec<u8>), SealError> {
    let bytes = fs::read(path).map_err(|e| io_error("read", path, e))?;
    let value = serde_json::from_slice(&bytes).map_err(|e| JsonError {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
        expected,
    })?;
    Ok((value, bytes))
}

/// Every file under `raw/`, relative and `/`-separated, sorted; links and
/// special files are refused rather than skipped.
fn list_raw(raw: &Path) -> Result<Vec<String>, SealError> {
    let mut out = Vec::new();
    if raw.symlink_metadata().is_err() {
        return Ok(out);
    }
    let mut stack = vec![(raw.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        for entry in fs::read_dir(&dir).map_err(|e| io_error("read", &dir, e))? {
            let entry = entry.map_err(|e| io_error("read", &dir, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| io_error("read", &path, e))?;
            let unsealable = |reason: &str| Unsealable {
                path: path.clone(),
                reason: reason.to_owned(),
            };
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                return Err(unsealable("its name is not UTF-8").into());
            };
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if let Some(reason) = unsafe_path(&rel) {
                return Err(unsealable(reason).into());
            }
            if kind.is_dir() {
                stack.push((path, rel));
            } else if kind.is_file() {
                out.push(rel);
            } else if kind.is_symlink() {
                return Err(unsealable("it is a symbolic link").into());
            } else {
                return Err(unsealable("it is not a regular file").into());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Refuses extra files whose names are unsafe, taken by the bundle's own
/// parts, or given twice.
fn check_extra(extra: &[ExtraFile]) -> Result<(), SealError> {
    let mut seen = BTreeSet::new();
    for file in extra {
        let reason = unsafe_path(&file.name)
            .or_else(|| {
                layout::is_reserved(&file.name).then_some("a part of every bundle has that name")
            })
            .or_else(|| (!seen.insert(&file.name)).then_some("given twice"));
        if let Some(reason) = reason {
            return Err(Unsealable {
                path: PathBuf::from(&file.name),
                reason: reason.to_owned(),
            }
            .into());
        }
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut os = path.as_os_str().to_owned();
    os.push(suffix);
    PathBuf::from(os)
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".to_owned())
}

/// Refuses an output path that holds anything but a previous bundle.
fn check_output(out: &Path) -> Result<(), SealError> {
    match out.symlink_metadata() {
        Err(_) => Ok(()),
        Ok(meta) if meta.is_dir() && out.join(layout::ENVELOPE).is_file() => Ok(()),
        Ok(_) => Err(OutputExists {
            path: out.to_path_buf(),
        }
        .into()),
    }
}

/// Moves the finished staging directory to `out`, replacing a previous bundle.
/// The old one is moved aside first: at every instant `out` is either the old
/// bundle, absent, or the new one.
fn replace_dir(staging: tempfile::TempDir, out: &Path) -> Result<(), SealError> {
    let staged = staging.keep();
    let result = (|| {
        if out.symlink_metadata().is_ok() {
            let parent = parent_dir(out);
            let old = tempfile::Builder::new()
                .prefix(&format!(".{}.old-", file_name(out)))
                .tempdir_in(&parent)
                .map_err(|e| io_error("create a temporary directory in", &parent, e))?;
            let aside = old.path().join("bundle");
            fs::rename(out, &aside).map_err(|e| io_error("move aside", out, e))?;
            fs::rename(&staged, out).map_err(|e| io_error("write", out, e))?;
            drop(old);
        } else {
            fs::rename(&staged, out).map_err(|e| io_error("write", out, e))?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&staged);
    }
    result
}

/// fsyncs every directory of the staged tree, so the renames publish durable files.
fn sync_tree(root: &Path) -> Result<(), SealError> {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).map_err(|e| io_error("read", &dir, e))? {
            let entry = entry.map_err(|e| io_error("read", &dir, e))?;
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(entry.path());
            }
        }
        sync_dir(&dir)?;
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<(), SealError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error("sync", dir, e).into())
}
