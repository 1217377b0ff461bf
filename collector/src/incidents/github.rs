//! GitHub issues carrying the source's label (`/repos/OWNER/NAME/issues`,
//! `Link` pagination). An issue opens and closes the incident; its labels
//! name the severity (`sev1`, `severity:2`, `P1`, ... or the plan's names)
//! and the service (`service:payments` or a plain service name). Pull
//! requests, which the same endpoint lists, are left out.

use serde::Deserialize;
use url::Url;
use vouch_sdk::plan::IncidentSource;

use super::Draft;
use super::api::{Drafted, Page, endpoint, push, unreadable, when};
use crate::http::Client;
use crate::problem::Problem;

#[derive(Deserialize)]
struct Issue {
    number: u64,
    title: String,
    state: String,
    created_at: String,
    #[serde(default)]
    closed_at: Option<String>,
    #[serde(default)]
    labels: Vec<Label>,
    #[serde(default)]
    pull_request: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Label {
    name: String,
}

/// Fetches every issue (open and closed) with the label.
pub async fn fetch(
    client: &mut Client,
    base: &Url,
    source: &IncidentSource,
    pages: &mut Vec<Page>,
) -> Result<(), Problem> {
    let at = format!("incident source `{}`", source.id);
    let (Some(repository), Some(label)) = (&source.repository, &source.label) else {
        return Err(Problem::new(at, "needs `repository` and `label`"));
    };
    let mut url = endpoint(base, &format!("repos/{repository}/issues"))?;
    url.query_pairs_mut()
        .append_pair("labels", label)
        .append_pair("state", "all")
        .append_pair("per_page", "100")
        .append_pair("sort", "created")
        .append_pair("direction", "asc");
    loop {
        let response = client.get(&url).await?;
        let next = response.next_link();
        push(pages, "issues", response);
        let Some(next) = next else { return Ok(()) };
        let next = Url::parse(&next)
            .map_err(|e| Problem::new(&at, format!("bad `Link` URL `{next}`: {e}")))?;
        // The token goes only where the plan said: never follow a link elsewhere.
        if next.origin() != base.origin() {
            return Err(
                Problem::new(&at, format!("the next page is on another host: `{next}`"))
                    .help("point `url` at the API host that serves the issues"),
            );
        }
        url = next;
    }
}

/// Drafts from issue list pages.
pub fn drafts(pages: &[Page], repository: Option<&str>, label: Option<&str>) -> Vec<Drafted> {
    let mut out = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        let issues: Vec<Issue> = match serde_json::from_slice(&page.body) {
            Ok(issues) => issues,
            Err(e) => {
                out.push(unreadable(page, &e, "a GitHub issue list (a JSON array)"));
                continue;
            }
        };
        for issue in issues.into_iter().filter(|i| i.pull_request.is_none()) {
            let id = format!("{}#{}", repository.unwrap_or(""), issue.number);
            let at = format!("{} issue `{id}`", page.name);
            let drafted = draft(&at, id, issue, label);
            out.push(Drafted::from_draft(index, at, drafted));
        }
    }
    out
}

fn draft(at: &str, id: String, issue: Issue, label: Option<&str>) -> Result<Draft, Problem> {
    let mut draft = Draft::new(id, when(at, "created_at", &issue.created_at)?);
    draft.title = issue.title;
    // `severity:sev1` offers `severity:sev1` and `sev1`; the first that maps wins.
    let names: Vec<String> = issue
        .labels
        .into_iter()
        // The label that marks incidents says nothing about severity or service.
        .filter(|l| Some(l.name.as_str()) != label)
        .flat_map(|l| {
            let tail = l
                .name
                .rsplit([':', '/'])
                .next()
                .map(|t| t.trim().to_owned());
            std::iter::once(l.name.clone()).chain(tail.filter(|t| *t != l.name))
        })
        .collect();
    draft.severities = names.clone();
    draft.services = names;
    if issue.state == "closed" {
        let text = issue
            .closed_at
            .ok_or_else(|| Problem::new(at, "is closed, but has no `closed_at`"))?;
        draft.resolved = Some(draft.at(when(at, "closed_at", &text)?));
    }
    Ok(draft)
}
