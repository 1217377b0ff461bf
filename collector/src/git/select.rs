//! Which files are runbooks and which are code, by the capabilities' globs.
//! A runbook's front matter can add capabilities to it (`capability:`), but
//! only files some runbook glob matches are read at all: the rest of the
//! repository (binaries included) is never opened.
//!
//! Globs match the whole path from the repository's top; `*` and `?` stop at
//! `/` and `**` crosses it, as in `.gitignore`. Paths that are not UTF-8 are
//! matched (and recorded) with U+FFFD in place of the bytes that are not.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use vouch_sdk::Plan;

use super::listing::Listing;

/// The files the globs chose, by index into [`Listing::files`].
#[derive(Debug, Default)]
pub(super) struct Selection {
    /// Runbooks, each with the capabilities whose globs matched it.
    pub runbooks: Vec<(usize, Vec<String>)>,
    /// For each capability with code globs, the files they matched.
    pub code: Vec<(String, Vec<usize>)>,
    /// Globs that match nothing, or could not be used.
    pub notes: Vec<String>,
}

/// Matches the files of `listing` against the globs of `plan`.
pub(super) fn select(plan: &Plan, listing: &Listing) -> Selection {
    let mut notes = Vec::new();
    let runbooks = Globs::new(plan, Field::Runbooks, &mut notes);
    let code = Globs::new(plan, Field::Code, &mut notes);
    let mut selection = Selection::default();
    // Code files by capability index.
    let mut code_files = vec![Vec::new(); plan.capabilities.len()];
    let mut hits = Vec::new();
    for (index, file) in listing.files.iter().enumerate() {
        let path = String::from_utf8_lossy(&file.path);
        let capabilities = runbooks.capabilities(&path, &mut hits);
        if !capabilities.is_empty() {
            let ids = capabilities
                .iter()
                .map(|&c| plan.capabilities[c].id.clone());
            selection.runbooks.push((index, ids.collect()));
        }
        for c in code.capabilities(&path, &mut hits) {
            code_files[c].push(index);
        }
    }
    for path in &listing.submodules {
        let path = String::from_utf8_lossy(path);
        if !runbooks.capabilities(&path, &mut hits).is_empty()
            || !code.capabilities(&path, &mut hits).is_empty()
        {
            notes.push(format!(
                "`{path}` is a submodule (another repository): skipped; list its repository as a source of its own"
            ));
        }
    }
    for capability in &plan.capabilities {
        let id = &capability.id;
        if !capability.runbooks.is_empty()
            && !selection.runbooks.iter().any(|(_, caps)| caps.contains(id))
        {
            notes.push(format!(
                "capability `{id}`: no file matches its runbook globs"
            ));
        }
    }
    for (capability, files) in plan.capabilities.iter().zip(code_files) {
        if files.is_empty() {
            if !capability.code.is_empty() {
                let id = &capability.id;
                notes.push(format!("capability `{id}`: no file matches its code globs"));
            }
        } else {
            selection.code.push((capability.id.clone(), files));
        }
    }
    selection.notes = notes;
    selection
}

#[derive(Clone, Copy)]
enum Field {
    Runbooks,
    Code,
}

/// Every capability's globs for one field, in one set.
struct Globs {
    set: GlobSet,
    /// Capability index of each glob in `set`.
    owners: Vec<usize>,
}

impl Globs {
    fn new(plan: &Plan, field: Field, notes: &mut Vec<String>) -> Self {
        let mut builder = GlobSetBuilder::new();
        let mut owners = Vec::new();
        let name = match field {
            Field::Runbooks => "runbook",
            Field::Code => "code",
        };
        for (c, capability) in plan.capabilities.iter().enumerate() {
            let globs = match field {
                Field::Runbooks => &capability.runbooks,
                Field::Code => &capability.code,
            };
            for glob in globs {
                match GlobBuilder::new(glob).literal_separator(true).build() {
                    Ok(glob) => {
                        builder.add(glob);
                        owners.push(c);
                    }
                    Err(e) => notes.push(format!(
                        "capability `{}`: {name} glob `{glob}` is not valid ({}): skipped",
                        capability.id,
                        e.kind()
                    )),
                }
            }
        }
        let set = builder.build().unwrap_or_else(|e| {
            notes.push(format!(
                "the {name} globs could not be combined ({e}): skipped"
            ));
            owners.clear();
            GlobSet::empty()
        });
        Self { set, owners }
    }

    /// Indices of the capabilities with a glob matching `path`, sorted.
    fn capabilities(&self, path: &str, hits: &mut Vec<usize>) -> Vec<usize> {
        self.set.matches_into(path, hits);
        let mut capabilities: Vec<usize> = hits
            .iter()
            .filter_map(|&g| self.owners.get(g).copied())
            .collect();
        capabilities.sort_unstable();
        capabilities.dedup();
        capabilities
    }
}
