//! incident.io API v2: incidents, incident updates and follow-ups, each with
//! cursor pagination (`pagination_meta.after`). Saved responses are told
//! apart by file name — `incidents*`, `incident_updates*`, `follow_ups*` —
//! and may be API pages (`{"incidents": [...]}`) or bare arrays, as the
//! incident.io Singer tap writes them.
//!
//! Times: started is "Impact started at", else "Reported at", else
//! `created_at`; acknowledged is "Accepted at"; resolved is "Resolved at"
//! (or "Closed at" once the incident is closed). The first update that
//! carries a message is the first update. Services come from a custom field
//! whose name mentions "service". Declined, merged and cancelled incidents
//! were never incidents and are left out with a note.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;
use vouch_sdk::evidence::FollowUp;

use super::Draft;
use super::api::{Drafted, Page, endpoint, file_name, push, when};
use crate::http::Client;
use crate::problem::{self, Problem};

const PAGE_SIZE: &str = "100";

#[derive(Deserialize)]
struct Incident {
    id: String,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    name: Option<String>,
    created_at: String,
    #[serde(default)]
    severity: Option<Named>,
    #[serde(default)]
    incident_status: Option<Status>,
    #[serde(default)]
    incident_timestamp_values: Vec<TimestampValue>,
    #[serde(default)]
    custom_field_entries: Vec<CustomFieldEntry>,
    #[serde(default)]
    updates: Vec<Update>,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

#[derive(Deserialize)]
struct Status {
    category: String,
}

#[derive(Deserialize)]
struct TimestampValue {
    incident_timestamp: Named,
    #[serde(default)]
    value: Option<TimestampText>,
}

#[derive(Deserialize)]
struct TimestampText {
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
struct CustomFieldEntry {
    custom_field: Named,
    #[serde(default)]
    values: Vec<Value>,
}

#[derive(Clone, Deserialize)]
struct Update {
    incident_id: String,
    created_at: String,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
struct FollowUpItem {
    incident_id: String,
    title: String,
    #[serde(default)]
    assignee: Option<Person>,
    #[serde(default)]
    completed_at: Option<String>,
}

#[derive(Deserialize)]
struct Person {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct Pagination {
    #[serde(default)]
    pagination_meta: Option<Meta>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    after: Option<String>,
}

/// Fetches every incident, update and follow-up.
pub async fn fetch(client: &mut Client, base: &Url, pages: &mut Vec<Page>) -> Result<(), Problem> {
    for (path, stem, paged) in [
        ("v2/incidents", "incidents", true),
        ("v2/incident_updates", "incident_updates", true),
        ("v2/follow_ups", "follow_ups", false),
    ] {
        let mut after: Option<String> = None;
        loop {
            let mut url = endpoint(base, path)?;
            if paged {
                url.query_pairs_mut().append_pair("page_size", PAGE_SIZE);
            }
            if let Some(cursor) = &after {
                url.query_pairs_mut().append_pair("after", cursor);
            }
            let (page, response): (Pagination, _) = client
                .get_json(&url, "an incident.io list response")
                .await?;
            let empty = list::<Value>(&response.body, stem).is_ok_and(|items| items.is_empty());
            push(pages, stem, response);
            after = page
                .pagination_meta
                .and_then(|m| m.after)
                .filter(|a| !a.is_empty());
            if !paged || empty || after.is_none() {
                break;
            }
        }
    }
    Ok(())
}

/// The items of a page: a bare array, or the array under `key`.
fn list<T: DeserializeOwned>(body: &[u8], key: &str) -> Result<Vec<T>, serde_json::Error> {
    let value: Value = serde_json::from_slice(body)?;
    let items = match value {
        Value::Object(mut map) => map.remove(key).unwrap_or(Value::Array(Vec::new())),
        other => other,
    };
    serde_json::from_value(items)
}

/// Drafts from pages of incidents, updates and follow-ups.
pub fn drafts(pages: &[Page]) -> Vec<Drafted> {
    let mut out = Vec::new();
    let mut incidents = Vec::new();
    let mut updates: Vec<Update> = Vec::new();
    let mut follow_ups: HashMap<String, Vec<FollowUpItem>> = HashMap::new();
    for (index, page) in pages.iter().enumerate() {
        let name = file_name(page);
        let bad = |e: serde_json::Error, what: &str| {
            Drafted::Problem(problem::json(&page.name, &e, what))
        };
        if name.starts_with("incident_updates") {
            match list::<Update>(&page.body, "incident_updates") {
                Ok(items) => updates.extend(items),
                Err(e) => out.push(bad(e, "incident.io incident updates")),
            }
        } else if name.starts_with("follow_ups") {
            match list::<FollowUpItem>(&page.body, "follow_ups") {
                Ok(items) => {
                    for item in items {
                        follow_ups
                            .entry(item.incident_id.clone())
                            .or_default()
                            .push(item);
                    }
                }
                Err(e) => out.push(bad(e, "incident.io follow-ups")),
            }
        } else if name.starts_with("incidents") {
            match list::<Incident>(&page.body, "incidents") {
                Ok(items) => incidents.extend(items.into_iter().map(|i| (index, i))),
                Err(e) => out.push(bad(e, "incident.io incidents")),
            }
        }
    }
    for (page, mut incident) in incidents {
        let category = incident
            .incident_status
            .as_ref()
            .map(|s| s.category.as_str())
            .unwrap_or("");
        let label = incident
            .reference
            .clone()
            .unwrap_or_else(|| incident.id.clone());
        if matches!(category, "declined" | "merged" | "canceled") {
            out.push(Drafted::Note(format!(
                "incident `{label}` was {category}: not an incident, left out"
            )));
            continue;
        }
        incident.updates.extend(
            updates
                .iter()
                .filter(|u| u.incident_id == incident.id)
                .cloned(),
        );
        let at = format!(
            "{} incident `{label}`",
            pages.get(page).map_or("", |p| p.name.as_str())
        );
        let items = follow_ups.remove(&incident.id).unwrap_or_default();
        let drafted = draft(&at, label, incident, items);
        out.push(Drafted::from_draft(page, at, drafted));
    }
    out
}

fn draft(
    at: &str,
    label: String,
    incident: Incident,
    follow_ups: Vec<FollowUpItem>,
) -> Result<Draft, Problem> {
    let mut stamps = HashMap::new();
    for value in &incident.incident_timestamp_values {
        if let Some(text) = value.value.as_ref().and_then(|v| v.value.as_deref()) {
            let name = value.incident_timestamp.name.as_str();
            stamps.insert(name.to_owned(), when(at, name, text)?);
        }
    }
    let started = match stamps
        .get("Impact started at")
        .or_else(|| stamps.get("Reported at"))
    {
        Some(stamp) => *stamp,
        None => when(at, "created_at", &incident.created_at)?,
    };
    let mut draft = Draft::new(label, started);
    draft.title = incident.name.unwrap_or_default();
    draft.severities = incident.severity.map(|s| s.name).into_iter().collect();
    draft.acknowledged = stamps.get("Accepted at").map(|s| draft.at(*s));
    let closed = incident
        .incident_status
        .is_some_and(|s| s.category == "closed");
    let resolution = stamps
        .get("Resolved at")
        .or_else(|| {
            if closed {
                stamps.get("Closed at")
            } else {
                None
            }
        })
        .copied();
    draft.resolved = resolution.map(|s| draft.at(s));
    let mut updated = Vec::new();
    for update in &incident.updates {
        if update
            .message
            .as_deref()
            .is_some_and(|m| !m.trim().is_empty())
        {
            updated.push(when(at, "updates.created_at", &update.created_at)?.at);
        }
    }
    draft.first_update = updated.into_iter().min();
    draft.services = incident
        .custom_field_entries
        .iter()
        .filter(|e| e.custom_field.name.to_lowercase().contains("service"))
        .flat_map(|e| e.values.iter().filter_map(value_name))
        .collect();
    for item in follow_ups {
        draft.follow_ups.push(FollowUp {
            title: item.title,
            owner: item.assignee.and_then(|p| p.email.or(p.name)),
            due: None,
            closed: item
                .completed_at
                .map(|t| when(at, "follow_ups.completed_at", &t).map(|s| s.at))
                .transpose()?,
        });
    }
    Ok(draft)
}

/// The display name of a custom field value (option, catalog entry or text).
fn value_name(value: &Value) -> Option<String> {
    value
        .pointer("/value_option/value")
        .or_else(|| value.pointer("/value_catalog_entry/name"))
        .or_else(|| value.pointer("/value_text"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}
