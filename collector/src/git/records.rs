//! From the files the globs chose and their history to evidence records:
//! one runbook record per runbook and capability, one code record per
//! capability, the raw artifacts they cite, and a gap for every file that
//! could not be dated or read.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveTime, Utc};
use git2::{ObjectType, Odb, Oid};
use vouch_sdk::Plan;
use vouch_sdk::evidence::{CodeChange, Gap, Runbook};
use vouch_sdk::plan::GitSource;

use super::history::{self, History, PathHistory, Target};
use super::listing::Listing;
use super::open::Opened;
use super::resolve::Tip;
use super::select::{Selection, select};
use super::{GitError, GitEvidence, frontmatter};
use crate::Artifact;

/// A runbook larger than this is not read (nor kept): runbooks are documents.
const MAX_RUNBOOK_BYTES: usize = 16 * 1024 * 1024;

/// Builds the evidence of `source` at `tip`.
pub(super) fn build(
    opened: &Opened,
    source: &GitSource,
    plan: &Plan,
    tip: &Tip,
    listing: &Listing,
) -> Result<GitEvidence, GitError> {
    let selection = select(plan, listing);
    // Runbooks are followed to their creation; code only to its last change.
    let mut full = BTreeMap::new();
    for (file, _) in &selection.runbooks {
        full.insert(*file, true);
    }
    for (_, files) in &selection.code {
        for file in files {
            full.entry(*file).or_insert(false);
        }
    }
    let targets: Vec<Target<'_>> = full
        .iter()
        .map(|(&file, &full)| Target {
            path: &listing.files[file].path,
            full,
        })
        .collect();
    let walked = history::walk(&opened.repo, tip.commit, &targets)
        .map_err(|e| opened.read_error(format!("commit `{}`", tip.commit), e))?;
    let dated: HashMap<usize, &PathHistory> = full.keys().copied().zip(&walked.paths).collect();
    let mut out = Builder {
        odb: opened
            .repo
            .odb()
            .map_err(|e| opened.read_error("the object database", e))?,
        source,
        plan,
        listing,
        history: &walked,
        dated,
        evidence: GitEvidence {
            commit: tip.commit.to_string(),
            reference: tip.reference.clone(),
            ..GitEvidence::default()
        },
        artifacts: BTreeMap::new(),
    };
    out.runbooks(&selection);
    out.code(&selection);
    let Selection { notes, .. } = selection;
    let mut evidence = out.evidence;
    evidence.artifacts = out.artifacts.into_values().collect();
    evidence.unmatched.splice(0..0, notes);
    evidence
        .runbooks
        .sort_by(|a, b| (&a.path, &a.capability).cmp(&(&b.path, &b.capability)));
    Ok(evidence)
}

struct Builder<'a> {
    odb: Odb<'a>,
    source: &'a GitSource,
    plan: &'a Plan,
    listing: &'a Listing,
    history: &'a History,
    /// Each dated file's answer, by index into the listing.
    dated: HashMap<usize, &'a PathHistory>,
    evidence: GitEvidence,
    /// By path under `raw/`.
    artifacts: BTreeMap<String, Artifact>,
}

impl<'a> Builder<'a> {
    fn runbooks(&mut self, selection: &Selection) {
        let mut seen = BTreeSet::new();
        for (index, by_glob) in &selection.runbooks {
            let file = &self.listing.files[*index];
            let path = String::from_utf8_lossy(&file.path).into_owned();
            if !seen.insert(path.clone()) {
                // Two paths whose bytes differ only where they are not UTF-8.
                self.gap(
                    "runbooks",
                    format!("`{path}`: another path reads the same once made UTF-8; skipped"),
                );
                continue;
            }
            if std::str::from_utf8(&file.path).is_err() {
                self.note(format!("`{path}`: the path is not UTF-8; recorded with U+FFFD in place of the bytes that are not"));
            }
            if let Err(why) = safe(&path) {
                self.gap("runbooks", format!("`{path}`: {why}; skipped"));
                continue;
            }
            let Some(dated) = self.dated.get(index).copied() else {
                continue;
            };
            let Some(last) = self.last_change(&path, dated, "runbooks") else {
                continue;
            };
            let bytes = match self.blob(file.blob) {
                Ok(bytes) => bytes,
                Err(why) => {
                    self.gap(
                        "runbooks",
                        format!("`{path}`: cannot read blob {}: {why}", file.blob),
                    );
                    continue;
                }
            };
            let (front, problems) = frontmatter::parse(&bytes);
            for problem in problems {
                self.note(format!("`{path}`: {problem}"));
            }
            let mut capabilities: BTreeSet<String> = by_glob.iter().cloned().collect();
            for id in front.capabilities {
                if self.plan.capability(&id).is_some() {
                    capabilities.insert(id);
                } else {
                    self.note(format!(
                        "`{path}`: front matter names capability `{id}`, which the plan does not define"
                    ));
                }
            }
            let history = self.history;
            let Some(created) = dated.created().and_then(|c| history.commits.get(c)) else {
                continue;
            };
            let (Some(last_changed), Some(committed), Some(created_at)) = (
                utc(last.author_time),
                utc(last.committer_time),
                utc(created.author_time),
            ) else {
                self.gap(
                    "runbooks",
                    format!("`{path}`: a commit's date is out of range"),
                );
                continue;
            };
            let (window_commits, window_authors) = self.window(dated);
            let artifact = Artifact::new(&self.source.id, &path, bytes);
            let origin = artifact.origin(&self.source.id);
            self.artifacts.insert(artifact.path.clone(), artifact);
            for capability in capabilities {
                self.evidence.runbooks.push(Runbook {
                    path: path.clone(),
                    capability,
                    last_commit: last.id.to_string(),
                    last_changed,
                    author: last.author.clone(),
                    author_email: last.author_email.clone(),
                    committed: Some(committed),
                    subject: last.subject.clone(),
                    blob: file.blob.to_string(),
                    created_commit: created.id.to_string(),
                    created: Some(created_at),
                    window_commits,
                    window_authors: window_authors.clone(),
                    owner: front.owner.clone(),
                    last_reviewed: front.last_reviewed,
                    reviewed_by: front.reviewed_by.clone(),
                    origin: origin.clone(),
                });
            }
        }
    }

    fn code(&mut self, selection: &Selection) {
        'capabilities: for (capability, files) in &selection.code {
            let mut newest: Option<&history::Commit> = None;
            for &file in files {
                let path = String::from_utf8_lossy(&self.listing.files[file].path).into_owned();
                let Some(dated) = self.dated.get(&file).copied() else {
                    continue;
                };
                let Some(last) = self.last_change(&path, dated, "code") else {
                    // One undated file could be the newest: no answer beats a wrong one.
                    self.gap(
                        "code",
                        format!("capability `{capability}`: its code could not be dated"),
                    );
                    continue 'capabilities;
                };
                if newest.is_none_or(|n| {
                    (last.author_time, last.committer_time) > (n.author_time, n.committer_time)
                }) {
                    newest = Some(last);
                }
            }
            let Some(newest) = newest else { continue };
            let Some(last_changed) = utc(newest.author_time) else {
                self.gap(
                    "code",
                    format!(
                        "capability `{capability}`: commit {} has a date out of range",
                        newest.id
                    ),
                );
                continue;
            };
            let artifact = match self.commit_artifact(newest.id) {
                Ok(artifact) => artifact,
                Err(why) => {
                    self.gap(
                        "code",
                        format!(
                            "capability `{capability}`: cannot read commit {}: {why}",
                            newest.id
                        ),
                    );
                    continue;
                }
            };
            if self
                .artifacts
                .get(&artifact.path)
                .is_some_and(|a| a.sha256 != artifact.sha256)
            {
                // Only a runbook at `.commits/<this id>` can be there.
                self.gap(
                    "code",
                    format!(
                        "capability `{capability}`: `{}` is taken by a runbook",
                        artifact.path
                    ),
                );
                continue;
            }
            self.evidence.code.push(CodeChange {
                capability: capability.clone(),
                last_commit: newest.id.to_string(),
                last_changed,
                origin: artifact.origin(&self.source.id),
            });
            self.artifacts.insert(artifact.path.clone(), artifact);
        }
    }

    /// The last change of a dated file, or a gap saying why there is none.
    fn last_change(
        &mut self,
        path: &str,
        dated: &PathHistory,
        kind: &str,
    ) -> Option<&'a history::Commit> {
        let Some(last) = dated.last else {
            let why = dated
                .incomplete
                .as_deref()
                .unwrap_or("not in the collected commit");
            self.gap(
                kind,
                format!("`{path}`: cannot find its last change: {why}"),
            );
            return None;
        };
        if let Some(why) = &dated.incomplete {
            self.note(format!("`{path}`: history before its last change is incomplete ({why}); its creation and activity in the audit window may be undercounted"));
        }
        let history = self.history;
        history.commits.get(last)
    }

    /// Commits in the audit window and their distinct authors.
    fn window(&self, dated: &PathHistory) -> (usize, Vec<String>) {
        let window = self.plan.audit;
        let start = window.start.and_time(NaiveTime::MIN).and_utc().timestamp();
        // The window's last day counts whole.
        let end = window.end.succ_opt().map_or(i64::MAX, |d| {
            d.and_time(NaiveTime::MIN).and_utc().timestamp()
        });
        let inside: Vec<&history::Commit> = dated
            .changes
            .iter()
            .map(|&c| &self.history.commits[c])
            .filter(|c| (start..end).contains(&c.author_time))
            .collect();
        let authors: BTreeSet<String> = inside.iter().map(|c| c.author.clone()).collect();
        (inside.len(), authors.into_iter().collect())
    }

    fn blob(&self, id: Oid) -> Result<Vec<u8>, String> {
        // The header first: an oversized blob is refused before it is read.
        let (size, kind) = self
            .odb
            .read_header(id)
            .map_err(|e| e.message().to_owned())?;
        if kind != ObjectType::Blob {
            return Err(format!("it is a {kind}, not a file"));
        }
        if size > MAX_RUNBOOK_BYTES {
            return Err(format!(
                "it is {size} bytes, over the {} MiB a runbook may have",
                MAX_RUNBOOK_BYTES >> 20
            ));
        }
        let object = self.odb.read(id).map_err(|e| e.message().to_owned())?;
        Ok(object.data().to_vec())
    }

    /// The raw commit object, kept so anyone can check the id and the dates.
    fn commit_artifact(&self, id: Oid) -> Result<Artifact, String> {
        let object = self.odb.read(id).map_err(|e| e.message().to_owned())?;
        Ok(Artifact::new(
            &self.source.id,
            &format!(".commits/{id}"),
            object.data().to_vec(),
        ))
    }

    fn gap(&mut self, kind: &str, error: String) {
        self.evidence.gaps.push(Gap {
            source: self.source.id.clone(),
            kind: kind.to_owned(),
            error,
        });
    }

    fn note(&mut self, note: String) {
        self.evidence.unmatched.push(note);
    }
}

/// Whether `path` can be written under `raw/` as it is: no component may
/// climb out or pose as git's own directory.
fn safe(path: &str) -> Result<(), String> {
    for part in path.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.eq_ignore_ascii_case(".git") {
            return Err(format!(
                "the path has a `{part}` component, unsafe to write to disk"
            ));
        }
    }
    Ok(())
}

fn utc(seconds: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
}
