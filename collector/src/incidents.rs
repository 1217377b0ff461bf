//! Incident records from incident tools (PagerDuty, incident.io, Opsgenie,
//! Statuspage, GitHub issues) and from generic CSV/JSON/JSONL exports. Every
//! reader produces [`Draft`]s; [`Normaliser`] turns them into the evidence
//! set's incident record the same way for all: severity to `sev1`..`sev4`
//! (the plan's mapping first, then the common names), service to capability
//! through the plan, recovery time from start to resolution — and none for
//! an incident still open, which is never counted as met.

pub mod api;
pub mod export;
mod github;
mod incident_io;
mod opsgenie;
mod pagerduty;
mod statuspage;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use vouch_sdk::evidence::{FollowUp, Incident, IncidentSeverity, Origin};
use vouch_sdk::plan::{IncidentSource, Plan};

use crate::problem::Problem;
use crate::set::{SourceWriter, StageError};
use crate::time;

/// An incident as a reader found it, before normalisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// Id in the tool.
    pub id: String,
    /// Title.
    pub title: String,
    /// Service names, best first: the first that maps to a capability wins.
    pub services: Vec<String>,
    /// Severity names, best first: the first that maps to a level wins.
    pub severities: Vec<String>,
    /// Start.
    pub started: DateTime<Utc>,
    /// Acknowledgement.
    pub acknowledged: Option<DateTime<Utc>>,
    /// Resolution; `None` while open.
    pub resolved: Option<DateTime<Utc>>,
    /// First customer-facing update.
    pub first_update: Option<DateTime<Utc>>,
    /// Postmortem publication.
    pub postmortem: Option<DateTime<Utc>>,
    /// Follow-up actions.
    pub follow_ups: Vec<FollowUp>,
    /// Whether any of its times had no zone and was read as UTC.
    pub assumed_utc: bool,
}

impl Draft {
    /// A draft with only what every incident has.
    pub fn new(id: impl Into<String>, started: time::Stamp) -> Self {
        Self {
            id: id.into(),
            title: String::new(),
            services: Vec::new(),
            severities: Vec::new(),
            started: started.at,
            acknowledged: None,
            resolved: None,
            first_update: None,
            postmortem: None,
            follow_ups: Vec::new(),
            assumed_utc: started.assumed_utc,
        }
    }

    /// Takes a stamp, remembering whether its zone was assumed.
    pub fn at(&mut self, stamp: time::Stamp) -> DateTime<Utc> {
        self.assumed_utc |= stamp.assumed_utc;
        stamp.at
    }
}

/// Turns drafts into incident records with the plan's mappings.
#[derive(Debug)]
pub struct Normaliser {
    services: HashMap<String, String>,
    severities: HashMap<String, IncidentSeverity>,
    assumed_utc: u64,
}

impl Normaliser {
    /// The mappings for `source` under `plan`.
    pub fn new(plan: &Plan, source: &IncidentSource) -> Self {
        let mut services = HashMap::new();
        for capability in &plan.capabilities {
            for name in capability.services.iter().chain([&capability.id]) {
                for key in [name.clone(), name.to_lowercase()] {
                    services.entry(key).or_insert_with(|| capability.id.clone());
                }
            }
        }
        let severities = source
            .severities
            .iter()
            .flat_map(|(name, level)| [(name.clone(), *level), (name.to_lowercase(), *level)])
            .collect();
        Self {
            services,
            severities,
            assumed_utc: 0,
        }
    }

    /// The capability a service name maps to.
    pub fn capability(&self, service: &str) -> Option<&str> {
        self.services
            .get(&service.to_lowercase())
            .map(String::as_str)
    }

    /// The level a severity name maps to, and whether the plan or the common
    /// names decided it.
    pub fn severity(&self, raw: &str) -> Option<(IncidentSeverity, &'static str)> {
        if let Some(level) = self
            .severities
            .get(raw)
            .or_else(|| self.severities.get(&raw.to_lowercase()))
        {
            return Some((*level, "plan"));
        }
        builtin_severity(raw).map(|level| (level, "built-in"))
    }

    /// Normalises `draft` and writes it to `out`, or records why it cannot be;
    /// `at` names the row or response it came from.
    pub fn emit(
        &mut self,
        out: &mut SourceWriter,
        draft: Draft,
        origin: &Origin,
        at: &str,
    ) -> Result<(), StageError> {
        match self.finish(draft, origin) {
            Ok((incident, by)) => {
                out.severity(&incident.severity_raw, incident.severity, by);
                out.incident(&incident)
            }
            Err(problem) => {
                out.gap(&Problem {
                    at: at.to_owned(),
                    ..problem
                });
                Ok(())
            }
        }
    }

    /// Notes the assumptions made over the whole source.
    pub fn close(self, out: &mut SourceWriter) {
        if self.assumed_utc > 0 {
            out.note(format!(
                "{} incidents had timestamps without an offset, read as UTC",
                self.assumed_utc
            ));
        }
    }

    fn finish(
        &mut self,
        draft: Draft,
        origin: &Origin,
    ) -> Result<(Incident, &'static str), Problem> {
        let (severity_raw, (severity, by)) = draft
            .severities
            .iter()
            .find_map(|raw| self.severity(raw).map(|level| (raw.clone(), level)))
            .ok_or_else(|| {
                let seen = draft.severities.first().cloned().unwrap_or_default();
                let message = if seen.is_empty() {
                    format!("incident `{}` has no severity", draft.id)
                } else {
                    format!("incident `{}` has severity `{seen}`, which maps to no level", draft.id)
                };
                Problem::new("", message).help(format!(
                    "map it in the source's `severities`, e.g. `severities = {{ \"{}\" = \"sev2\" }}`",
                    if seen.is_empty() { "NAME" } else { &seen }
                ))
            })?;
        let recovery_seconds = match draft.resolved {
            Some(resolved) => Some(time::seconds_between(draft.started, resolved).ok_or_else(
                || {
                    Problem::new(
                        "",
                        format!(
                            "incident `{}` is resolved (`{resolved}`) before it started (`{}`)",
                            draft.id, draft.started
                        ),
                    )
                },
            )?),
            None => None,
        };
        let (service, capability) = draft
            .services
            .iter()
            .find_map(|s| self.capability(s).map(|c| (s.clone(), Some(c.to_owned()))))
            .unwrap_or_else(|| (draft.services.first().cloned().unwrap_or_default(), None));
        self.assumed_utc += u64::from(draft.assumed_utc);
        Ok((
            Incident {
                id: draft.id,
                capability,
                service,
                severity,
                severity_raw,
                title: draft.title,
                started: draft.started,
                acknowledged: draft.acknowledged,
                resolved: draft.resolved,
                recovery_seconds,
                first_update: draft.first_update,
                postmortem: draft.postmortem,
                follow_ups: draft.follow_ups,
                origin: origin.clone(),
            },
            by,
        ))
    }
}

/// The severity names most tools use: `sev1`/`SEV-1`/`S1`, `P1`..`P5`,
/// `critical`/`major`/`minor`/`low`. Words whose level differs between tools
/// (`high`, `medium`) are left for the plan to map.
pub fn builtin_severity(raw: &str) -> Option<IncidentSeverity> {
    let key: String = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let key = key
        .strip_prefix("severity")
        .map_or(key.clone(), |n| format!("sev{n}"));
    match key.as_str() {
        "sev0" | "sev1" | "s0" | "s1" | "p0" | "p1" | "critical" | "0" | "1" => {
            Some(IncidentSeverity::Sev1)
        }
        "sev2" | "s2" | "p2" | "major" | "2" => Some(IncidentSeverity::Sev2),
        "sev3" | "s3" | "p3" | "minor" | "3" => Some(IncidentSeverity::Sev3),
        "sev4" | "sev5" | "s4" | "s5" | "p4" | "p5" | "low" | "none" | "4" | "5" => {
            Some(IncidentSeverity::Sev4)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_severity_names() {
        assert_eq!(builtin_severity("SEV-1"), Some(IncidentSeverity::Sev1));
        assert_eq!(builtin_severity("Severity 2"), Some(IncidentSeverity::Sev2));
        assert_eq!(builtin_severity("P5"), Some(IncidentSeverity::Sev4));
        assert_eq!(builtin_severity("Minor"), Some(IncidentSeverity::Sev3));
        assert_eq!(builtin_severity("high"), None);
    }
}
