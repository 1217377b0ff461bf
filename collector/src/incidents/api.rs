//! Incident tools' APIs, live (`url`) or as saved responses (`path`: one
//! file, or a directory of them). Both ways end as pages of raw JSON: each is
//! kept under `raw/` and its incidents carry its sha256. A tool's module
//! fetches pages (following its pagination) and turns pages into drafts.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Days, NaiveTime, Utc};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderName};
use url::Url;
use vouch_sdk::evidence::Origin;
use vouch_sdk::plan::{IncidentKind, IncidentSource, Plan};

use super::{Draft, Normaliser, github, incident_io, opsgenie, pagerduty, statuspage};
use crate::artifact::Artifact;
use crate::collect::Options;
use crate::http::{Client, secret};
use crate::problem::Problem;
use crate::set::{Fetched, SourceWriter, StageError};
use crate::{time, walk};

/// One response body, as fetched or saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// File name under `raw/SOURCE/`; for saved responses, the path relative to `path`.
    pub name: String,
    /// The body, byte for byte.
    pub body: Vec<u8>,
    /// For live responses: URL, status, headers.
    pub fetched: Option<Fetched>,
}

/// What a tool's reader makes of the pages.
#[derive(Debug, Clone, PartialEq)]
pub enum Drafted {
    /// An incident from page number `page`; `at` names it in errors.
    Incident {
        /// Index into the pages.
        page: usize,
        /// e.g. `incidents-0001.json incident `PT4KHLK``.
        at: String,
        /// The draft.
        draft: Box<Draft>,
    },
    /// Something unreadable: a gap.
    Problem(Problem),
    /// Something left out on purpose, for provenance.
    Note(String),
}

impl Drafted {
    /// The incident drafted from page number `page`, or the problem that stopped it.
    pub fn from_draft(page: usize, at: String, draft: Result<Draft, Problem>) -> Self {
        match draft {
            Ok(draft) => Self::Incident {
                page,
                at,
                draft: Box::new(draft),
            },
            Err(problem) => Self::Problem(problem),
        }
    }
}

/// The audit window, which live queries are limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Start of the first day.
    pub since: DateTime<Utc>,
    /// End of the last day (exclusive).
    pub until: DateTime<Utc>,
}

impl Window {
    /// The plan's audit window.
    pub fn of(plan: &Plan) -> Self {
        let end = plan
            .audit
            .end
            .checked_add_days(Days::new(1))
            .unwrap_or(plan.audit.end);
        Self {
            since: plan.audit.start.and_time(NaiveTime::MIN).and_utc(),
            until: end.and_time(NaiveTime::MIN).and_utc(),
        }
    }
}

/// Collects one API source (live or saved) into `out`.
pub async fn collect(
    source: &IncidentSource,
    plan: &Arc<Plan>,
    options: &Options,
    out: &mut SourceWriter,
) -> Result<(), StageError> {
    let (pages, failure) = match &source.path {
        Some(path) => match saved(&options.plan_dir.join(path)) {
            Ok(pages) => (pages, None),
            Err(problem) => (
                Vec::new(),
                Some(problem.help("check `path` of the incident source")),
            ),
        },
        None => live(source, plan, options).await,
    };
    let drafted = drafts(
        source.kind,
        &pages,
        source.repository.as_deref(),
        source.label.as_deref(),
    );
    let mut origins: Vec<Origin> = Vec::with_capacity(pages.len());
    for page in pages {
        let artifact = Artifact::new(&source.id, &page.name, page.body);
        out.put(&artifact, page.fetched)?;
        origins.push(artifact.origin(&source.id));
    }
    let mut incidents = Vec::new();
    for item in drafted {
        match item {
            Drafted::Incident { page, at, draft } => incidents.push((page, at, draft)),
            Drafted::Problem(problem) => out.gap(&problem),
            Drafted::Note(note) => out.note(note),
        }
    }
    // Pages overlap (windows, saved copies): an incident counts once, as first seen.
    let mut seen = std::collections::HashSet::new();
    incidents.retain(|(_, _, draft)| seen.insert(draft.id.clone()));
    incidents.sort_by(|a, b| (a.2.started, &a.2.id).cmp(&(b.2.started, &b.2.id)));
    let mut normaliser = Normaliser::new(plan, source);
    for (page, at, draft) in incidents {
        if let Some(origin) = origins.get(page) {
            normaliser.emit(out, *draft, origin, &at)?;
        }
    }
    normaliser.close(out);
    if let Some(problem) = failure {
        out.fail(&problem);
    }
    Ok(())
}

/// Reads `pages` of a `kind` tool's responses into drafts; `repository` and
/// `label` are a GitHub source's. Public so the fuzz targets reach every reader.
pub fn drafts(
    kind: IncidentKind,
    pages: &[Page],
    repository: Option<&str>,
    label: Option<&str>,
) -> Vec<Drafted> {
    match kind {
        IncidentKind::Pagerduty => pagerduty::drafts(pages),
        IncidentKind::IncidentIo => incident_io::drafts(pages),
        IncidentKind::Opsgenie => opsgenie::drafts(pages),
        IncidentKind::Statuspage => statuspage::drafts(pages),
        IncidentKind::Github => github::drafts(pages, repository, label),
        IncidentKind::Export => Vec::new(),
    }
}

/// Reads saved responses: a file, or every `.json` file under a directory.
fn saved(root: &Path) -> Result<Vec<Page>, Problem> {
    walk::files(root)?
        .into_iter()
        .filter(|f| f.relative.to_ascii_lowercase().ends_with(".json"))
        .map(|f| {
            let body = std::fs::read(&f.absolute)
                .map_err(|e| Problem::new(&f.relative, format!("cannot read: {e}")))?;
            Ok(Page {
                name: f.relative,
                body,
                fetched: None,
            })
        })
        .collect()
}

/// Fetches pages from the live API; on failure, the pages so far and why it stopped.
async fn live(
    source: &IncidentSource,
    plan: &Plan,
    options: &Options,
) -> (Vec<Page>, Option<Problem>) {
    let mut pages = Vec::new();
    let result = fetch(source, plan, options, &mut pages).await;
    (pages, result.err())
}

async fn fetch(
    source: &IncidentSource,
    plan: &Plan,
    options: &Options,
    pages: &mut Vec<Page>,
) -> Result<(), Problem> {
    let at = format!("incident source `{}`", source.id);
    let base = match (&source.url, source.kind) {
        (Some(url), _) => url.as_str(),
        (None, IncidentKind::Github) => "https://api.github.com",
        (None, _) => {
            return Err(Problem::new(
                &at,
                "needs `url` (the API) or `path` (saved responses)",
            ));
        }
    };
    let base = Url::parse(base)
        .map_err(|e| Problem::new(&at, format!("`url` `{base}` is not a URL: {e}")))?;
    let token = secret::resolve(source, &options.plan_dir, &options.env)?;
    let needs_token = matches!(
        source.kind,
        IncidentKind::Pagerduty | IncidentKind::IncidentIo | IncidentKind::Opsgenie
    );
    if needs_token && token.is_none() {
        return Err(
            Problem::new(&at, "the API needs a token, and the source names none")
                .help("set `token_env = \"VARIABLE\"` (or `token_file`) on the source"),
        );
    }
    let mut headers: Vec<(HeaderName, String, bool)> = Vec::new();
    if let Some(token) = &token {
        let value = match source.kind {
            IncidentKind::Pagerduty => format!("Token token={}", token.expose()),
            IncidentKind::Opsgenie => format!("GenieKey {}", token.expose()),
            _ => format!("Bearer {}", token.expose()),
        };
        headers.push((AUTHORIZATION, value, true));
    }
    match source.kind {
        IncidentKind::Pagerduty => {
            headers.push((
                ACCEPT,
                "application/vnd.pagerduty+json;version=2".to_owned(),
                false,
            ));
        }
        IncidentKind::Github => {
            headers.push((ACCEPT, "application/vnd.github+json".to_owned(), false));
            headers.push((
                HeaderName::from_static("x-github-api-version"),
                "2022-11-28".to_owned(),
                false,
            ));
        }
        _ => headers.push((ACCEPT, "application/json".to_owned(), false)),
    }
    let mut client = Client::new(&options.http, headers)?;
    let window = Window::of(plan);
    match source.kind {
        IncidentKind::Pagerduty => pagerduty::fetch(&mut client, &base, &window, pages).await,
        IncidentKind::IncidentIo => incident_io::fetch(&mut client, &base, pages).await,
        IncidentKind::Opsgenie => opsgenie::fetch(&mut client, &base, &window, pages).await,
        IncidentKind::Statuspage => statuspage::fetch(&mut client, &base, pages).await,
        IncidentKind::Github => github::fetch(&mut client, &base, source, pages).await,
        IncidentKind::Export => Ok(()),
    }
}

/// `base` + `path`, keeping any path the base already has (`https://host/pd/` + `incidents`).
pub fn endpoint(base: &Url, path: &str) -> Result<Url, Problem> {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let with_slash = format!("{}/", base.path());
        base.set_path(&with_slash);
    }
    base.join(path).map_err(|e| {
        Problem::new(
            format!("`{base}`"),
            format!("cannot form the `{path}` URL: {e}"),
        )
    })
}

/// Stores a fetched response as page `stem-NNNN.json`.
pub fn push(pages: &mut Vec<Page>, stem: &str, response: crate::http::Response) {
    let n = pages.iter().filter(|p| p.name.starts_with(stem)).count() + 1;
    pages.push(Page {
        name: format!("{stem}-{n:04}.json"),
        body: response.body,
        fetched: Some(response.fetched),
    });
}

/// Reads a timestamp field of an API record.
pub fn when(at: &str, field: &str, text: &str) -> Result<time::Stamp, Problem> {
    time::parse(text, time::Day::Start).map_err(|e| Problem::new(at, format!("`{field}`: {e}")))
}

/// The file name part of a page name (`dir/incidents.json` → `incidents.json`).
pub fn file_name(page: &Page) -> &str {
    page.name.rsplit('/').next().unwrap_or(&page.name)
}

/// A JSON parse failure of a page, as a problem naming the page.
pub fn unreadable(page: &Page, error: &serde_json::Error, expected: &str) -> Drafted {
    Drafted::Problem(crate::problem::json(&page.name, error, expected))
}
