//! Reports of an assessment for people and for CI: a self-contained HTML
//! page, Markdown, JUnit XML and SARIF. What a report says is worked out
//! once, in [`view`]; each format only lays it out.
//!
//! A report drawn from a bundle knows everything: the plan (tiers, RTO/RPO
//! targets), the evidence (drill timeline, incident recoveries), the signer
//! and the history of earlier runs. Drawn from an assessment file alone, it
//! leaves out what needs the rest and says so.

pub mod history;
mod html;
mod junit;
mod markdown;
pub mod read;
mod sarif;
mod svg;
pub mod view;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};
use vouch_evidence::layout::{ASSESSMENT, ENVELOPE, EVIDENCE_DIR, PLAN, POLICIES_DIR};
use vouch_evidence::seal::ExtraFile;
use vouch_sdk::assessment::PolicyRun;
use vouch_sdk::{Assessment, Metadata, Plan};

use self::history::{HistoryError, Run};
use self::read::Evidence;

/// The report's file name inside a bundle.
pub const BUNDLED: &str = "report.html";

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A self-contained HTML page (inline CSS and SVG, no scripts).
    Html,
    /// Markdown, for a pull request or a wiki.
    Md,
    /// JUnit XML: one test case per control.
    Junit,
    /// SARIF 2.1.0: one result per failing finding.
    Sarif,
}

/// Everything a report is drawn from.
#[derive(Debug, Clone)]
pub struct Input {
    /// The assessment, its findings cut on reading to those a report lists
    /// or charts: passing and not-applicable findings past
    /// [`view::LISTED_PASSING`] per policy are only counted, in `unlisted`.
    pub assessment: Assessment,
    /// Per policy, how many of its findings were left out of `assessment`.
    pub unlisted: BTreeMap<String, usize>,
    /// The plan, when known.
    pub plan: Option<Plan>,
    /// What the report reads of the evidence set, when known.
    pub evidence: Option<Evidence>,
    /// Earlier runs, for trends.
    pub history: Vec<Run>,
    /// The policies' metadata, by id, when known.
    pub policies: BTreeMap<String, Metadata>,
    /// The bundle the report describes, when it describes one.
    pub bundle: Option<Bundle>,
}

impl Input {
    /// Links into the bundle go through `base` (ending in `/`), for a report
    /// written outside the bundle directory, below the directory it is in.
    pub fn link_from(&mut self, base: String) {
        if let Some(bundle) = &mut self.bundle {
            bundle.link_base = base;
        }
    }
}

/// The bundle a report belongs to.
#[derive(Debug, Clone, Default)]
pub struct Bundle {
    /// sha256 of its `statement.dsse.json` (unknown for the report sealed inside it).
    pub digest: Option<String>,
    /// The id of the key that signed it.
    pub key_id: Option<String>,
    /// Prefix of links to its files: empty when the report sits in it.
    pub link_base: String,
}

/// Why a report could not be drawn.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ReportError {
    /// The input is neither a bundle nor an assessment.
    #[error("cannot read `{}`", path.display())]
    #[diagnostic(
        code(vouch::report::read),
        help(
            "give a bundle directory, its `.tar`, or an assessment JSON file (`vouch evaluate` writes one)"
        )
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// A JSON file does not hold what it should.
    #[error("`{}` is not {expected}: {reason}", path.display())]
    #[diagnostic(
        code(vouch::report::json),
        help(
            "a report reads the files `vouch evaluate`, `vouch seal` and `vouch run` write; was this one edited?"
        )
    )]
    Json {
        /// The file.
        path: PathBuf,
        /// What it should hold.
        expected: &'static str,
        /// What serde said.
        reason: String,
    },

    /// The bundle's plan does not load.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Plan(Box<vouch_sdk::plan::load::PlanError>),

    /// The bundle archive does not unpack.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Unpack(#[from] vouch_evidence::replay::UnpackError),

    /// The run history does not read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    History(#[from] HistoryError),

    /// A rendering could not be encoded.
    #[error("cannot write the {format} report: {reason}")]
    #[diagnostic(code(vouch::report::encode))]
    Encode {
        /// The format.
        format: &'static str,
        /// Why.
        reason: String,
    },
}

impl From<vouch_sdk::plan::load::PlanError> for ReportError {
    fn from(error: vouch_sdk::plan::load::PlanError) -> Self {
        Self::Plan(Box::new(error))
    }
}

impl Input {
    /// Reads a bundle directory, a bundle archive (`.tar`) or an assessment file.
    pub fn read(path: &Path) -> Result<Self, ReportError> {
        if path.is_dir() {
            return Self::from_bundle(path);
        }
        if path.extension().is_some_and(|e| e == "tar") {
            let dir = tempfile::tempdir().map_err(|source| ReportError::Read {
                path: path.to_owned(),
                source,
            })?;
            vouch_evidence::replay::unpack(path, dir.path())?;
            return Self::from_bundle(dir.path());
        }
        let (assessment, unlisted) = read::assessment(path)?;
        let policies = metadata(&assessment, |_| None);
        Ok(Self {
            assessment,
            unlisted,
            plan: None,
            evidence: None,
            history: Vec::new(),
            policies,
            bundle: None,
        })
    }

    /// Reads the bundle directory `dir`.
    fn from_bundle(dir: &Path) -> Result<Self, ReportError> {
        let plan = vouch_sdk::plan::load::load(&dir.join(PLAN))?;
        let ((assessment, unlisted), evidence) = both(
            || read::assessment(&dir.join(ASSESSMENT)),
            || Evidence::read(&dir.join(EVIDENCE_DIR)),
        )?;
        let history_path = dir.join(history::BUNDLED);
        let history = if history_path.exists() {
            read::json(&history_path, "a run history")?
        } else {
            Vec::new()
        };
        let envelope_path = dir.join(ENVELOPE);
        let envelope = read(&envelope_path)?;
        let signed: vouch_evidence::dsse::Envelope = serde_json::from_slice(&envelope)
            .map_err(|e| read::json_error(&envelope_path, "a DSSE envelope", e.to_string()))?;
        let policies = metadata(&assessment, |run| {
            std::fs::read(dir.join(POLICIES_DIR).join(format!("{}.wasm", run.id))).ok()
        });
        Ok(Self {
            assessment,
            unlisted,
            plan: Some(plan),
            evidence: Some(evidence),
            history,
            policies,
            bundle: Some(Bundle {
                digest: Some(format!("{:x}", Sha256::digest(&envelope))),
                key_id: signed.signatures.first().map(|s| s.keyid.clone()),
                link_base: String::new(),
            }),
        })
    }

    /// The input of the report sealed into a bundle: the plan, evidence set
    /// and assessment being sealed, the history beside the evidence, and the
    /// signing key's id (the bundle's own digest cannot be known inside it).
    /// `None` when the plan, evidence or assessment does not read: the seal
    /// itself then refuses them, naming the problem more precisely.
    /// `components` are the `--policy` files being sealed; the plan's
    /// `[policies.ID] path`s and the standard library are looked in too.
    pub fn for_seal(
        plan_path: &Path,
        evidence: &Path,
        assessment: &Path,
        components: &[PathBuf],
        key: &vouch_evidence::keys::SigningKey,
    ) -> Result<Option<Self>, ReportError> {
        let Ok(plan) = vouch_sdk::plan::load::load(plan_path) else {
            return Ok(None);
        };
        let Ok(((assessment, unlisted), set)) =
            both(|| read::assessment(assessment), || Evidence::read(evidence))
        else {
            return Ok(None);
        };
        let plan_dir = plan_path.parent().unwrap_or(Path::new("."));
        let candidates: Vec<Vec<u8>> = plan
            .policies
            .values()
            .filter_map(|c| Some(plan_dir.join(c.path.as_ref()?)))
            .chain(components.iter().cloned())
            .filter_map(|path| std::fs::read(path).ok())
            .collect();
        let policies = metadata(&assessment, |run| {
            candidates
                .iter()
                .find(|bytes| format!("{:x}", Sha256::digest(bytes)) == run.sha256)
                .cloned()
        });
        Ok(Some(Self {
            plan: Some(plan),
            evidence: Some(set),
            history: history::Store::read(&history::Store::path_for(evidence))?,
            policies,
            assessment,
            unlisted,
            bundle: Some(Bundle {
                digest: None,
                key_id: Some(vouch_evidence::keys::key_id(&key.verifying_key())),
                link_base: String::new(),
            }),
        }))
    }

    /// The report in `format`.
    pub fn render(&self, format: Format) -> Result<String, ReportError> {
        let view = view::View::new(self);
        match format {
            Format::Html => Ok(html::render(&view)),
            Format::Md => Ok(markdown::render(&view)),
            Format::Junit => junit::render(&view).map_err(|reason| ReportError::Encode {
                format: "JUnit",
                reason,
            }),
            Format::Sarif => sarif::render(&view).map_err(|reason| ReportError::Encode {
                format: "SARIF",
                reason,
            }),
        }
    }

    /// The files sealed into a bundle beside the assessment: the history of
    /// earlier runs (canonical JSON) and the HTML report.
    pub fn sealed_files(&self) -> Result<Vec<ExtraFile>, ReportError> {
        let history =
            vouch_evidence::canonical::to_vec(&self.history).map_err(|e| ReportError::Encode {
                format: "history",
                reason: e.to_string(),
            })?;
        Ok(vec![
            ExtraFile {
                name: history::BUNDLED.to_owned(),
                bytes: history,
            },
            ExtraFile {
                name: BUNDLED.to_owned(),
                bytes: self.render(Format::Html)?.into_bytes(),
            },
        ])
    }
}

/// The metadata of each policy the assessment ran: from `component(run)`
/// (a bundle's sealed copy, or a file being sealed) or else the standard
/// library, by digest.
fn metadata(
    assessment: &Assessment,
    component: impl Fn(&PolicyRun) -> Option<Vec<u8>>,
) -> BTreeMap<String, Metadata> {
    assessment
        .policies
        .iter()
        .filter(|run| run.commitment.is_none())
        .filter_map(|run| {
            let bytes = component(run)
                .or_else(|| crate::library::by_sha256(&run.sha256).map(<[u8]>::to_vec))?;
            let metadata = vouch_engine::inspect(&bytes).ok()?.metadata?;
            Some((run.id.clone(), metadata))
        })
        .collect()
}

fn read(path: &Path) -> Result<Vec<u8>, ReportError> {
    std::fs::read(path).map_err(|source| ReportError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Runs `a` and `b` side by side: the assessment and the incidents are the
/// two large files a report reads, and neither waits on the other.
fn both<A: Send, B: Send>(
    a: impl FnOnce() -> Result<A, ReportError> + Send,
    b: impl FnOnce() -> Result<B, ReportError> + Send,
) -> Result<(A, B), ReportError> {
    std::thread::scope(|scope| {
        let b = scope.spawn(b);
        let a = a();
        let b = b
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok((a?, b?))
    })
}
