//! Opsgenie alerts (`/v2/alerts`, offset pagination with `paging.next`). Its
//! acknowledge and close times are durations in milliseconds after creation
//! (`report.ackTime`, `report.closeTime`). Tags, then the alert's `source`,
//! name the service; `priority` (`P1`..`P5`) is the severity.

use chrono::Duration;
use serde::Deserialize;
use url::Url;

use super::Draft;
use super::api::{Drafted, Page, Window, endpoint, push, unreadable, when};
use crate::http::Client;
use crate::problem::Problem;

const LIMIT: usize = 100;
/// Opsgenie refuses offsets past this.
const MAX_OFFSET: usize = 20_000;

#[derive(Deserialize)]
struct Doc {
    data: Vec<Alert>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct Paging {
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Alert {
    id: String,
    #[serde(default)]
    tiny_id: Option<String>,
    #[serde(default)]
    message: Option<String>,
    status: String,
    created_at: String,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    report: Option<Report>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    #[serde(default)]
    ack_time: Option<i64>,
    #[serde(default)]
    close_time: Option<i64>,
}

/// Fetches the alerts created in `window`, oldest first.
pub async fn fetch(
    client: &mut Client,
    base: &Url,
    window: &Window,
    pages: &mut Vec<Page>,
) -> Result<(), Problem> {
    let query = format!(
        "createdAt >= {} AND createdAt < {}",
        window.since.timestamp_millis(),
        window.until.timestamp_millis()
    );
    let mut offset = 0;
    loop {
        if offset >= MAX_OFFSET {
            return Err(Problem::new(
                format!("`{base}`"),
                format!(
                    "more than {MAX_OFFSET} alerts in the audit window; Opsgenie pages no further"
                ),
            )
            .help("export the alerts to a file and read it as a saved response"));
        }
        let mut url = endpoint(base, "v2/alerts")?;
        url.query_pairs_mut()
            .append_pair("query", &query)
            .append_pair("limit", &LIMIT.to_string())
            .append_pair("offset", &offset.to_string())
            .append_pair("sort", "createdAt")
            .append_pair("order", "asc");
        let (doc, response): (Doc, _) = client.get_json(&url, "an Opsgenie alert list").await?;
        push(pages, "alerts", response);
        let more = doc.paging.and_then(|p| p.next).is_some();
        if !more || doc.data.is_empty() {
            return Ok(());
        }
        offset += doc.data.len();
    }
}

/// Drafts from alert list pages.
pub fn drafts(pages: &[Page]) -> Vec<Drafted> {
    let mut out = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        let doc: Doc = match serde_json::from_slice(&page.body) {
            Ok(doc) => doc,
            Err(e) => {
                out.push(unreadable(
                    page,
                    &e,
                    "an Opsgenie alert list (`{\"data\": [...]}`)",
                ));
                continue;
            }
        };
        for alert in doc.data {
            let id = alert.tiny_id.clone().unwrap_or_else(|| alert.id.clone());
            let at = format!("{} alert `{id}`", page.name);
            let drafted = draft(&at, id, alert);
            out.push(Drafted::from_draft(index, at, drafted));
        }
    }
    out
}

fn draft(at: &str, id: String, alert: Alert) -> Result<Draft, Problem> {
    let created = when(at, "createdAt", &alert.created_at)?;
    let mut draft = Draft::new(id, created);
    draft.title = alert.message.unwrap_or_default();
    draft.severities = alert.priority.into_iter().collect();
    draft.services = alert.tags.into_iter().chain(alert.source).collect();
    let after = |ms: i64| created.at + Duration::milliseconds(ms);
    let report = alert.report.unwrap_or(Report {
        ack_time: None,
        close_time: None,
    });
    draft.acknowledged = report.ack_time.map(after);
    if alert.status == "closed" {
        draft.resolved = Some(report.close_time.map(after).ok_or_else(|| {
            Problem::new(at, "is closed, but `report.closeTime` does not say when")
                .help("save the alert list as Opsgenie returns it, with `report`")
        })?);
    }
    Ok(draft)
}
