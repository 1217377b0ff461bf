//! The files of Acme's runbook repository — runbooks, the service code and
//! infrastructure they describe, docs — and how each revision of one renders.
//!
//! The repository mirrors the plan's globs: runbooks under `runbooks/<area>/`,
//! code under `services/<area>/` and `infra/ledger/`. There is deliberately no
//! runbook for search at the end (one existed, and was deleted).

mod code;
mod runbooks;

use chrono::NaiveDate;

use super::DemoError;
use super::people::{Person, Team};

pub use self::code::CODE;
pub use self::runbooks::TEXTS;

/// The YAML front matter a markdown file starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontMatter {
    /// Plain markdown; the owner is unknown.
    None,
    /// Only `owner`.
    Owner(&'static str),
    /// `owner`, `capability`, and the latest review (`last_reviewed`, `reviewed_by`).
    Full {
        /// The accountable team or person.
        owner: &'static str,
        /// The capability id it serves.
        capability: &'static str,
    },
}

/// A markdown document with a revision-history table that grows with each edit.
#[derive(Debug)]
pub struct Text {
    /// Stable key the history refers to (the path changes on renames).
    pub key: &'static str,
    /// Where it is first added.
    pub path: &'static str,
    /// The `# ` heading.
    pub title: &'static str,
    /// Its front matter.
    pub front_matter: FrontMatter,
    /// Who makes routine edits.
    pub team: Team,
    /// How many routine edits fall between its creation and `settle`.
    pub churn: u32,
    /// Routine edits stop before this date; the history table does the rest.
    pub settle: &'static str,
    /// The markdown between the heading and the revision history.
    pub body: &'static str,
}

/// Files of one service or infrastructure area, edited by the same team.
#[derive(Debug)]
pub struct CodeGroup {
    /// Commit-message prefix, e.g. `payments`.
    pub name: &'static str,
    /// Who makes routine edits.
    pub team: Team,
    /// How many routine edits fall between the first commit and `settle`.
    pub churn: u32,
    /// Routine edits stop before this date.
    pub settle: &'static str,
    /// Its files.
    pub files: &'static [Code],
}

/// A non-markdown file; each edit bumps `{rev}` in its template.
#[derive(Debug)]
pub struct Code {
    /// Stable key the history refers to.
    pub key: &'static str,
    /// Its path.
    pub path: &'static str,
    /// The text, with `{rev}` (and optionally `{replicas}`) to fill in.
    pub template: &'static str,
}

/// One line of a document's revision history.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Row {
    /// Day of the commit (UTC).
    pub date: NaiveDate,
    /// Who made it.
    pub author: Person,
    /// What changed.
    pub note: &'static str,
}

/// A file's content at one revision.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Doc {
    /// A markdown document and its revision history so far.
    Text {
        /// Its [`Text::key`].
        key: &'static str,
        /// Oldest first.
        rows: Vec<Row>,
    },
    /// A code file at revision `rev`.
    Code {
        /// Its [`Code::key`].
        key: &'static str,
        /// Edits so far, from 1.
        rev: u32,
    },
}

impl Doc {
    /// The key the history refers to this file by.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Text { key, .. } | Self::Code { key, .. } => key,
        }
    }

    /// The file's first revision.
    pub fn new(key: &'static str, row: Row) -> Result<Self, DemoError> {
        if text(key).is_some() {
            Ok(Self::Text {
                key,
                rows: vec![row],
            })
        } else if code(key).is_some() {
            Ok(Self::Code { key, rev: 1 })
        } else {
            Err(DemoError::scenario(format!("no file with key `{key}`")))
        }
    }

    /// The next revision: one more history row, or the next `{rev}`.
    pub fn edited(&self, row: Row) -> Self {
        match self {
            Self::Text { key, rows } => {
                let mut rows = rows.clone();
                rows.push(row);
                Self::Text { key, rows }
            }
            Self::Code { key, rev } => Self::Code { key, rev: rev + 1 },
        }
    }

    /// How a merge resolves two diverged revisions of one document: the
    /// histories of both sides, in date order (code cannot be resolved).
    pub fn union(&self, other: &Self) -> Option<Self> {
        match (self, other) {
            (
                Self::Text { key, rows },
                Self::Text {
                    key: theirs,
                    rows: more,
                },
            ) if key == theirs => {
                let mut rows = rows.clone();
                for row in more {
                    if !rows.contains(row) {
                        rows.push(row.clone());
                    }
                }
                rows.sort_by_key(|row| row.date);
                Some(Self::Text { key, rows })
            }
            _ => None,
        }
    }

    /// The file's bytes.
    pub fn render(&self) -> Result<String, DemoError> {
        match self {
            Self::Text { key, rows } => {
                let spec =
                    text(key).ok_or_else(|| DemoError::scenario(format!("no text `{key}`")))?;
                Ok(render_text(spec, rows))
            }
            Self::Code { key, rev } => {
                let (_, spec) =
                    code(key).ok_or_else(|| DemoError::scenario(format!("no code `{key}`")))?;
                Ok(spec
                    .template
                    .replace("{rev}", &rev.to_string())
                    .replace("{replicas}", &(2 + rev % 3).to_string()))
            }
        }
    }
}

/// The markdown document with this key.
pub fn text(key: &str) -> Option<&'static Text> {
    TEXTS.iter().find(|t| t.key == key)
}

/// The code file with this key, and its group.
pub fn code(key: &str) -> Option<(&'static CodeGroup, &'static Code)> {
    CODE.iter().find_map(|group| {
        group
            .files
            .iter()
            .find(|f| f.key == key)
            .map(|f| (group, f))
    })
}

fn render_text(spec: &Text, rows: &[Row]) -> String {
    let mut out = String::new();
    let latest = rows.last();
    match spec.front_matter {
        FrontMatter::None => {}
        FrontMatter::Owner(owner) => out.push_str(&format!("---\nowner: {owner}\n---\n\n")),
        FrontMatter::Full { owner, capability } => {
            out.push_str(&format!("---\nowner: {owner}\ncapability: {capability}\n"));
            // The latest revision is the review: editing a runbook means re-reading it.
            if let Some(row) = latest {
                out.push_str(&format!(
                    "last_reviewed: {}\nreviewed_by: {}\n",
                    row.date, row.author.email
                ));
            }
            out.push_str("---\n\n");
        }
    }
    out.push_str(&format!("# {}\n\n{}\n", spec.title, spec.body.trim()));
    out.push_str("\n## Revision history\n\n| Date | Author | Change |\n| --- | --- | --- |\n");
    for row in rows {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            row.date, row.author.name, row.note
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::people::PRIYA;

    fn row(date: &str, note: &'static str) -> Row {
        Row {
            date: crate::demo::clock::day(date).unwrap(),
            author: PRIYA,
            note,
        }
    }

    #[test]
    fn keys_are_unique_and_every_file_renders() {
        let mut keys: Vec<&str> = TEXTS.iter().map(|t| t.key).collect();
        keys.extend(CODE.iter().flat_map(|g| g.files.iter().map(|f| f.key)));
        let count = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), count, "duplicate file keys");
        for key in keys {
            if code(key).is_some_and(|(_, c)| !c.template.contains("{rev}")) {
                continue; // plumbing that never changes
            }
            let doc = Doc::new(key, row("2025-01-06", "First version")).unwrap();
            let first = doc.render().unwrap();
            let second = doc.edited(row("2025-02-01", "Edit")).render().unwrap();
            assert_ne!(first, second, "an edit of `{key}` must change its bytes");
        }
    }

    #[test]
    fn full_front_matter_records_the_latest_review() {
        let doc = Doc::new("pay-incident", row("2026-10-12", "Rehearsed")).unwrap();
        let text = doc.render().unwrap();
        assert!(text.starts_with("---\nowner: team-payments\ncapability: payments-api\n"));
        assert!(
            text.contains("last_reviewed: 2026-10-12\nreviewed_by: priya.raman@acme.example\n")
        );
    }

    #[test]
    fn union_keeps_both_histories_in_order() {
        let base = Doc::new("pay-failover", row("2026-01-01", "First")).unwrap();
        let ours = base.edited(row("2026-10-07", "Ours"));
        let theirs = base.edited(row("2026-10-08", "Theirs"));
        let Some(Doc::Text { rows, .. }) = ours.union(&theirs) else {
            panic!("not merged")
        };
        let notes: Vec<&str> = rows.iter().map(|r| r.note).collect();
        assert_eq!(notes, ["First", "Ours", "Theirs"]);
    }
}
