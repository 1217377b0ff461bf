//! PagerDuty REST API v2: `/incidents` (offset pagination with `more`, the
//! window cut into spans PagerDuty accepts) and `/log_entries` for when each
//! incident was acknowledged and resolved. Saved responses are recognised by
//! their top-level key: `incidents`, `incident` or `log_entries`.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use url::Url;

use super::Draft;
use super::api::{Drafted, Page, Window, endpoint, push, unreadable, when};
use crate::http::Client;
use crate::problem::Problem;

/// PagerDuty accepts at most six months per query; stay well inside.
const SPAN_DAYS: i64 = 90;
const LIMIT: usize = 100;

#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    incidents: Option<Vec<Incident>>,
    #[serde(default)]
    incident: Option<Incident>,
    #[serde(default)]
    log_entries: Option<Vec<LogEntry>>,
    #[serde(default)]
    more: bool,
}

#[derive(Deserialize)]
struct Incident {
    id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    created_at: String,
    #[serde(default)]
    resolved_at: Option<String>,
    status: String,
    #[serde(default)]
    service: Option<Reference>,
    #[serde(default)]
    priority: Option<Reference>,
    #[serde(default)]
    urgency: Option<String>,
    #[serde(default)]
    acknowledgements: Vec<Acknowledgement>,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    summary: Option<String>,
}

#[derive(Deserialize)]
struct Acknowledgement {
    at: String,
}

#[derive(Deserialize)]
struct LogEntry {
    #[serde(rename = "type")]
    kind: String,
    created_at: String,
    #[serde(default)]
    incident: Option<Reference>,
}

/// Fetches incidents and log entries within `window`.
pub async fn fetch(
    client: &mut Client,
    base: &Url,
    window: &Window,
    pages: &mut Vec<Page>,
) -> Result<(), Problem> {
    for (path, stem) in [("incidents", "incidents"), ("log_entries", "log-entries")] {
        let mut since = window.since;
        while since < window.until {
            let until = (since + Duration::days(SPAN_DAYS)).min(window.until);
            let mut offset = 0;
            loop {
                let mut url = endpoint(base, path)?;
                url.query_pairs_mut()
                    .append_pair("since", &since.to_rfc3339())
                    .append_pair("until", &until.to_rfc3339())
                    .append_pair("limit", &LIMIT.to_string())
                    .append_pair("offset", &offset.to_string())
                    .append_pair("time_zone", "UTC");
                if path == "log_entries" {
                    url.query_pairs_mut().append_pair("is_overview", "true");
                }
                let (doc, response): (Doc, _) =
                    client.get_json(&url, "a PagerDuty list response").await?;
                let got = doc.incidents.as_ref().map_or(0, Vec::len)
                    + doc.log_entries.as_ref().map_or(0, Vec::len);
                push(pages, stem, response);
                if !doc.more || got == 0 {
                    break;
                }
                offset += got;
            }
            since = until;
        }
    }
    Ok(())
}

/// Incidents from pages; acknowledgement and resolution from log entries where
/// the incident itself does not say.
pub fn drafts(pages: &[Page]) -> Vec<Drafted> {
    let mut out = Vec::new();
    let mut incidents = Vec::new();
    let mut acknowledged: HashMap<String, DateTime<Utc>> = HashMap::new();
    let mut resolved: HashMap<String, DateTime<Utc>> = HashMap::new();
    for (index, page) in pages.iter().enumerate() {
        let doc: Doc = match serde_json::from_slice(&page.body) {
            Ok(doc) => doc,
            Err(e) => {
                out.push(unreadable(
                    page,
                    &e,
                    "a PagerDuty response (`incidents`, `incident` or `log_entries`)",
                ));
                continue;
            }
        };
        if doc.incidents.is_none() && doc.incident.is_none() && doc.log_entries.is_none() {
            out.push(Drafted::Problem(
                Problem::new(
                    &page.name,
                    "not a PagerDuty response: no `incidents`, `incident` or `log_entries`",
                )
                .help("save the body of `GET /incidents` or `GET /log_entries`"),
            ));
        }
        incidents.extend(
            doc.incidents
                .into_iter()
                .flatten()
                .chain(doc.incident)
                .map(|i| (index, i)),
        );
        for entry in doc.log_entries.into_iter().flatten() {
            let slot = match entry.kind.as_str() {
                "acknowledge_log_entry" => &mut acknowledged,
                "resolve_log_entry" => &mut resolved,
                _ => continue,
            };
            let Some(id) = entry.incident.and_then(|i| i.id) else {
                continue;
            };
            match when(&page.name, "created_at", &entry.created_at) {
                Ok(stamp) => {
                    let earliest = slot.entry(id).or_insert(stamp.at);
                    *earliest = (*earliest).min(stamp.at);
                }
                Err(problem) => out.push(Drafted::Problem(problem)),
            }
        }
    }
    for (page, incident) in incidents {
        let at = format!(
            "{} incident `{}`",
            pages.get(page).map_or("", |p| p.name.as_str()),
            incident.id
        );
        let drafted = draft(&at, incident, &acknowledged, &resolved);
        out.push(Drafted::from_draft(page, at, drafted));
    }
    out
}

fn draft(
    at: &str,
    incident: Incident,
    acknowledged: &HashMap<String, DateTime<Utc>>,
    resolved: &HashMap<String, DateTime<Utc>>,
) -> Result<Draft, Problem> {
    let mut draft = Draft::new(&incident.id, when(at, "created_at", &incident.created_at)?);
    draft.title = incident.title.or(incident.summary).unwrap_or_default();
    draft.services = incident
        .service
        .and_then(|s| s.summary)
        .into_iter()
        .collect();
    draft.severities = incident
        .priority
        .and_then(|p| p.summary)
        .into_iter()
        .chain(incident.urgency)
        .collect();
    let mut acks = Vec::new();
    for ack in &incident.acknowledgements {
        acks.push(draft.at(when(at, "acknowledgements.at", &ack.at)?));
    }
    acks.extend(acknowledged.get(&incident.id));
    draft.acknowledged = acks.into_iter().min();
    draft.resolved = match incident.resolved_at {
        Some(text) => Some(draft.at(when(at, "resolved_at", &text)?)),
        None if incident.status == "resolved" => {
            Some(*resolved.get(&incident.id).ok_or_else(|| {
                Problem::new(
                    at,
                    "is resolved, but neither `resolved_at` nor a resolve log entry says when",
                )
                .help("collect `/log_entries` for the same window (saved beside the incidents)")
            })?)
        }
        None => None,
    };
    Ok(draft)
}
