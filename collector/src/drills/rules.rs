//! Matching drills to capabilities: a drill that names its capability keeps
//! it (if the plan knows it); otherwise the source's rules are tried in
//! order — any shared tag, a title glob, or the directory the file sits in.

use std::collections::BTreeSet;

use globset::{GlobBuilder, GlobMatcher};
use vouch_sdk::plan::{DrillSource, Plan};

use super::Parsed;
use crate::problem::Problem;

/// A source's rules, compiled.
#[derive(Debug)]
pub struct Rules {
    rules: Vec<Rule>,
    capabilities: BTreeSet<String>,
}

#[derive(Debug)]
struct Rule {
    capability: String,
    tags: BTreeSet<String>,
    title: Option<GlobMatcher>,
    directory: Option<String>,
}

impl Rules {
    /// Compiles the rules of `source`.
    pub fn new(plan: &Plan, source: &DrillSource) -> Result<Self, Problem> {
        let rules = source
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let title = rule
                    .title
                    .as_deref()
                    .map(|pattern| {
                        GlobBuilder::new(pattern)
                            .case_insensitive(true)
                            .build()
                            .map(|g| g.compile_matcher())
                            .map_err(|e| {
                                Problem::new(
                                    format!("sources.drills `{}` rule {}", source.id, i + 1),
                                    format!(
                                        "`{pattern}` is not a valid title pattern: {}",
                                        e.kind()
                                    ),
                                )
                            })
                    })
                    .transpose()?;
                Ok(Rule {
                    capability: rule.capability.clone(),
                    tags: rule.tags.iter().map(|t| t.to_lowercase()).collect(),
                    title,
                    directory: rule.directory.as_deref().map(normalise_dir),
                })
            })
            .collect::<Result<_, Problem>>()?;
        Ok(Self {
            rules,
            capabilities: plan.capabilities.iter().map(|c| c.id.clone()).collect(),
        })
    }

    /// Gives `parsed` its capability; `path` is the file, relative to the source.
    /// A capability the plan does not define is a problem, not a silent miss.
    pub fn assign(&self, parsed: &mut Parsed, path: &str) -> Result<(), Problem> {
        let drill = &mut parsed.drill;
        if let Some(named) = &drill.capability {
            if !self.capabilities.contains(named) {
                return Err(Problem::new(
                    path,
                    format!(
                        "drill `{}` names capability `{named}`, which the plan does not define",
                        drill.id
                    ),
                )
                .help(format!(
                    "use one of the plan's capabilities: {}",
                    self.known()
                )));
            }
            return Ok(());
        }
        let tags: BTreeSet<String> = parsed.tags.iter().map(|t| t.to_lowercase()).collect();
        drill.capability = self
            .rules
            .iter()
            .find(|rule| {
                !rule.tags.is_disjoint(&tags)
                    || rule
                        .title
                        .as_ref()
                        .is_some_and(|g| g.is_match(&drill.title))
                    || rule.directory.as_ref().is_some_and(|d| {
                        path.strip_prefix(d.as_str())
                            .is_some_and(|rest| rest.starts_with('/'))
                    })
            })
            .map(|rule| rule.capability.clone());
        Ok(())
    }

    fn known(&self) -> String {
        self.capabilities
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `./game-days/` → `game-days`.
fn normalise_dir(dir: &str) -> String {
    dir.trim_start_matches("./").trim_matches('/').to_owned()
}
