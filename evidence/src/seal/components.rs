//! Finding the exact component each policy run used, by its sha256: built
//! into the sealing program first, then the plan's `[policies.ID] path`s, then
//! the files given on the command line. A rebuilt component has another
//! digest, so only the bytes that ran can be sealed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use vouch_sdk::assessment::Assessment;
use vouch_sdk::plan::Plan;

use super::{MissingPolicy, SealError, UnknownPolicy, io_error};
use crate::digest;
use crate::statement::ComponentOrigin;

/// A policy component to copy into the bundle.
#[derive(Debug, Clone)]
pub(super) enum Component {
    /// Built into the sealing program.
    Builtin(&'static [u8]),
    /// A file on disk.
    File(PathBuf),
}

/// Where to look for components.
pub(super) struct Sources<'a> {
    /// The components built into the sealing program, by sha256.
    pub builtin: fn(&str) -> Option<&'static [u8]>,
    /// The plan, for its `[policies.ID] path`s.
    pub plan: &'a Plan,
    /// The plan file (paths in it are relative to it).
    pub plan_path: &'a Path,
    /// Files given as `--policy`.
    pub arguments: &'a [PathBuf],
}

/// The component for each of the assessment's policy runs, in order, and
/// where it was found. Nothing is read beyond the digests.
pub(super) fn resolve(
    assessment: &Assessment,
    sources: &Sources<'_>,
) -> Result<Vec<(Component, ComponentOrigin)>, SealError> {
    let mut arguments: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in sources.arguments {
        let (sha256, _) = digest::file(path).map_err(|e| io_error("read", path, e))?;
        if !assessment.policies.iter().any(|run| run.sha256 == sha256) {
            return Err(UnknownPolicy {
                path: path.clone(),
                sha256,
                known: known(assessment),
            }
            .into());
        }
        arguments.insert(sha256, path.clone());
    }
    let plan_dir = match sources.plan_path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    // Every plan path with its digest, or why it could not be read: an
    // unreadable one only matters if nothing else has the component.
    let planned: Vec<(PathBuf, Result<String, String>)> = sources
        .plan
        .policies
        .values()
        .filter_map(|config| config.path.as_ref())
        .map(|rel| {
            let path = plan_dir.join(rel);
            let digest = digest::file(&path)
                .map(|(sha256, _)| sha256)
                .map_err(|e| e.to_string());
            (path, digest)
        })
        .collect();

    assessment
        .policies
        .iter()
        .map(|run| {
            if let Some(bytes) = (sources.builtin)(&run.sha256) {
                return Ok((Component::Builtin(bytes), ComponentOrigin::Builtin));
            }
            if let Some((path, _)) = planned
                .iter()
                .find(|(_, digest)| digest.as_deref() == Ok(run.sha256.as_str()))
            {
                return Ok((Component::File(path.clone()), ComponentOrigin::Plan));
            }
            if let Some(path) = arguments.get(&run.sha256) {
                return Ok((Component::File(path.clone()), ComponentOrigin::Argument));
            }
            Err(MissingPolicy {
                id: run.id.clone(),
                sha256: run.sha256.clone(),
                looked: looked(&planned, sources.arguments),
            }
            .into())
        })
        .collect()
}

/// The assessment's policies, for an error message.
fn known(assessment: &Assessment) -> String {
    let known: Vec<String> = assessment
        .policies
        .iter()
        .map(|run| format!("`{}` {}", run.id, run.sha256))
        .collect();
    if known.is_empty() {
        "none".to_owned()
    } else {
        known.join(", ")
    }
}

/// Everywhere a component was looked for, for an error message.
fn looked(planned: &[(PathBuf, Result<String, String>)], arguments: &[PathBuf]) -> String {
    let mut places = vec!["the policies built into this vouch".to_owned()];
    if planned.is_empty() {
        places.push("the plan names no `[policies.ID] path`".to_owned());
    }
    for (path, digest) in planned {
        places.push(match digest {
            Ok(sha256) => format!("plan path `{}` (sha256 {sha256})", path.display()),
            Err(reason) => format!("plan path `{}` (unreadable: {reason})", path.display()),
        });
    }
    if arguments.is_empty() {
        places.push("no `--policy` file was given".to_owned());
    } else {
        places.push(format!("{} `--policy` file(s)", arguments.len()));
    }
    places.join("; ")
}
