//! Atlassian Statuspage v2: `/api/v2/incidents.json` (the page's recent
//! incidents) or a saved `summary.json` (its unresolved ones). The first
//! published update is the first update; `impact` is the severity; affected
//! components are the services, and the page's own name stands for the
//! whole service when no component maps.

use serde::Deserialize;
use url::Url;

use super::Draft;
use super::api::{Drafted, Page, endpoint, push, unreadable, when};
use crate::http::Client;
use crate::problem::Problem;

#[derive(Deserialize)]
struct Doc {
    #[serde(default)]
    page: Option<PageInfo>,
    incidents: Vec<Incident>,
}

#[derive(Deserialize)]
struct PageInfo {
    name: String,
}

#[derive(Deserialize)]
struct Incident {
    id: String,
    name: String,
    created_at: String,
    #[serde(default)]
    started_at: Option<String>,
    #[serde(default)]
    resolved_at: Option<String>,
    #[serde(default)]
    postmortem_published_at: Option<String>,
    impact: String,
    #[serde(default)]
    incident_updates: Vec<Update>,
    #[serde(default)]
    components: Vec<Component>,
}

#[derive(Deserialize)]
struct Update {
    created_at: String,
    #[serde(default)]
    display_at: Option<String>,
}

#[derive(Deserialize)]
struct Component {
    name: String,
}

/// Fetches the page's incidents (Statuspage serves one page of recent ones).
pub async fn fetch(client: &mut Client, base: &Url, pages: &mut Vec<Page>) -> Result<(), Problem> {
    let url = endpoint(base, "api/v2/incidents.json")?;
    let response = client.get(&url).await?;
    push(pages, "incidents", response);
    Ok(())
}

/// Drafts from `incidents.json` or `summary.json` pages.
pub fn drafts(pages: &[Page]) -> Vec<Drafted> {
    let mut out = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        let doc: Doc = match serde_json::from_slice(&page.body) {
            Ok(doc) => doc,
            Err(e) => {
                out.push(unreadable(
                    page,
                    &e,
                    "a Statuspage `incidents.json` or `summary.json`",
                ));
                continue;
            }
        };
        let page_name = doc.page.map(|p| p.name);
        for incident in doc.incidents {
            let at = format!("{} incident `{}`", page.name, incident.id);
            let drafted = draft(&at, incident, page_name.as_deref());
            out.push(Drafted::from_draft(index, at, drafted));
        }
    }
    out
}

fn draft(at: &str, incident: Incident, page_name: Option<&str>) -> Result<Draft, Problem> {
    let started = when(
        at,
        "started_at",
        incident
            .started_at
            .as_deref()
            .unwrap_or(&incident.created_at),
    )?;
    let mut draft = Draft::new(&incident.id, started);
    draft.title = incident.name;
    draft.severities = vec![incident.impact];
    draft.services = incident
        .components
        .into_iter()
        .map(|c| c.name)
        .chain(page_name.map(str::to_owned))
        .collect();
    if let Some(text) = &incident.resolved_at {
        draft.resolved = Some(draft.at(when(at, "resolved_at", text)?));
    }
    if let Some(text) = &incident.postmortem_published_at {
        draft.postmortem = Some(draft.at(when(at, "postmortem_published_at", text)?));
    }
    let mut published = Vec::new();
    for update in &incident.incident_updates {
        let text = update.display_at.as_deref().unwrap_or(&update.created_at);
        published.push(when(at, "incident_updates.display_at", text)?.at);
    }
    draft.first_update = published.into_iter().min();
    Ok(draft)
}
