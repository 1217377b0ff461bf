//! Live incident APIs against a local server on 127.0.0.1 replaying the real
//! payloads: pagination, 429 storms with `Retry-After`, 500s, truncated
//! bodies, slow responses, refused credentials and the request budget.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/fixtures.rs"]
mod fixtures;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use vouch_collector::http::HttpConfig;
use vouch_collector::set::{self, provenance::Status};
use vouch_collector::{Options, Silent, Summary};
use vouch_sdk::EvidenceSet;
use vouch_sdk::evidence::IncidentSeverity;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use fixtures::{plan, read};

const TOKEN: &str = "s3cret-token-value";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn fast() -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_millis(500),
        connect_timeout: Duration::from_millis(500),
        attempts: 4,
        backoff: Duration::from_millis(1),
        backoff_cap: Duration::from_millis(5),
        max_retry_after: Duration::from_secs(5),
        budget: 100,
    }
}

fn source(kind: &str, url: &str, extra: &str) -> String {
    format!(
        "[[sources.incidents]]\nid = \"api\"\nkind = \"{kind}\"\nurl = \"{url}\"\ntoken_env = \"TOKEN\"\n{extra}\n"
    )
}

async fn collect(dir: &Path, sources: &str, http: HttpConfig) -> (Summary, EvidenceSet) {
    let mut options = Options::new(
        dir.to_owned(),
        dir.join("evidence"),
        at("2026-11-01T00:00:00Z"),
    );
    options.http = http;
    options.env = Arc::new(|name| (name == "TOKEN").then(|| TOKEN.to_owned()));
    let summary = vouch_collector::collect(Arc::new(plan(sources)), options, Arc::new(Silent))
        .await
        .unwrap();
    (summary, set::read(&dir.join("evidence")).unwrap())
}

/// No file of the evidence set holds the token.
fn assert_no_secret(dir: &Path) {
    for entry in walk(dir) {
        let text = std::fs::read(&entry).unwrap();
        assert!(
            !text.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
            "token leaked into {}",
            entry.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn pd_page(ids: &[&str], more: bool) -> serde_json::Value {
    let mut page: serde_json::Value =
        serde_json::from_slice(&read("incidents/pagerduty/incidents-list.json")).unwrap();
    let template = page["incidents"][0].clone();
    page["incidents"] = ids
        .iter()
        .map(|id| {
            let mut incident = template.clone();
            incident["id"] = (*id).into();
            incident
        })
        .collect();
    page["more"] = more.into();
    page
}

#[tokio::test]
async fn pagerduty_pages_across_offsets_with_the_token_in_a_header_only() {
    let server = MockServer::start().await;
    let empty = serde_json::json!({"incidents": [], "log_entries": [], "more": false});
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .and(query_param("offset", "0"))
        .and(query_param("since", "2025-11-01T00:00:00+00:00"))
        .respond_with(ResponseTemplate::new(200).set_body_json(pd_page(&["PT4KHLK"], true)))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .and(query_param("offset", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(pd_page(&["PXP12GZ"], false)))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header(
            "authorization",
            format!("Token token={TOKEN}").as_str(),
        ))
        .and(header("accept", "application/vnd.pagerduty+json;version=2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(empty))
        .with_priority(2)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (summary, set) = collect(dir.path(), &source("pagerduty", &server.uri(), ""), fast()).await;
    assert!(summary.complete(), "{:?}", summary.gaps);
    let ids: Vec<&str> = set.incidents.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["PT4KHLK", "PXP12GZ"]);
    assert_eq!(set.incidents[0].recovery_seconds, Some(461));
    let report = &summary.sources[0];
    assert_eq!(set.incidents[1].origin.artifact, "api/incidents-0002.json");
    let second = report
        .artifacts
        .iter()
        .find(|a| a.path == "api/incidents-0002.json")
        .unwrap();
    assert!(
        second.url.as_deref().unwrap().contains("offset=1"),
        "{:?}",
        second.url
    );
    assert_eq!(second.status, Some(200));
    assert!(second.headers.contains_key("content-type"));
    // 365 days in 90-day spans: 5 spans of incidents (one paged twice) and 5 of log entries.
    assert_eq!(server.received_requests().await.unwrap().len(), 11);
    assert_no_secret(dir.path());
}

#[tokio::test]
async fn statuspage_waits_out_a_429_storm_as_retry_after_asks() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/incidents.json"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(read("incidents/statuspage/githubstatus-summary.json")),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (summary, set) =
        collect(dir.path(), &source("statuspage", &server.uri(), ""), fast()).await;
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "Retry-After honoured"
    );
    assert!(summary.complete(), "{:?}", summary.gaps);
    assert_eq!(set.incidents[0].severity, IncidentSeverity::Sev1);
}

#[tokio::test]
async fn an_endless_429_storm_or_a_long_retry_after_becomes_a_gap() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (summary, set) =
        collect(dir.path(), &source("statuspage", &server.uri(), ""), fast()).await;
    assert_eq!(summary.sources[0].status, Status::Failed);
    assert!(
        set.gaps[0].error.contains("429 Too Many Requests"),
        "{}",
        set.gaps[0].error
    );
    assert!(
        set.gaps[0].error.contains("gave up after 4 attempts"),
        "{}",
        set.gaps[0].error
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 4);

    let patient = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "3600"))
        .mount(&patient)
        .await;
    let (_, set) = collect(
        dir.path(),
        &source("statuspage", &patient.uri(), ""),
        fast(),
    )
    .await;
    assert!(
        set.gaps[0]
            .error
            .contains("asks to wait 3600 s, longer than the 5 s Vouch waits"),
        "{}",
        set.gaps[0].error
    );
    assert_eq!(patient.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed_or_fail_closed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream exploded"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(read("incidents/statuspage/githubstatus-summary.json")),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (summary, _) = collect(dir.path(), &source("statuspage", &server.uri(), ""), fast()).await;
    assert!(summary.complete(), "{:?}", summary.gaps);

    let broken = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&broken)
        .await;
    let (summary, set) =
        collect(dir.path(), &source("statuspage", &broken.uri(), ""), fast()).await;
    assert!(!summary.complete());
    assert!(set.incidents.is_empty());
    assert!(
        set.gaps[0].error.starts_with(&format!(
            "GET {}/api/v2/incidents.json: the server answered 502 Bad Gateway",
            broken.uri()
        )),
        "{}",
        set.gaps[0].error
    );
}

#[tokio::test]
async fn slow_responses_time_out_into_a_gap() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let http = HttpConfig {
        timeout: Duration::from_millis(200),
        attempts: 2,
        ..fast()
    };
    let started = Instant::now();
    let (summary, set) = collect(dir.path(), &source("statuspage", &server.uri(), ""), http).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(summary.sources[0].status, Status::Failed);
    assert!(
        set.gaps[0]
            .error
            .contains("no response within 0.2 s (gave up after 2 attempts)"),
        "{}",
        set.gaps[0].error
    );
}

#[tokio::test]
async fn refused_credentials_fail_at_once_with_advice() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"error": {"message": "Unauthorized"}})),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (_, set) = collect(dir.path(), &source("pagerduty", &server.uri(), ""), fast()).await;
    assert!(
        set.gaps[0].error.contains("401 Unauthorized"),
        "{}",
        set.gaps[0].error
    );
    assert!(
        set.gaps[0]
            .error
            .contains("check the token in the source's `token_env`")
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert_no_secret(dir.path());

    let no_token = "[[sources.incidents]]\nid = \"api\"\nkind = \"pagerduty\"\nurl = \"http://127.0.0.1:9\"\ntoken_env = \"MISSING\"\n";
    let (_, set) = collect(dir.path(), no_token, fast()).await;
    assert!(
        set.gaps[0]
            .error
            .contains("the environment variable `MISSING` (its `token_env`) is not set"),
        "{}",
        set.gaps[0].error
    );
}

#[tokio::test]
async fn the_request_budget_stops_a_runaway_source_keeping_what_it_fetched() {
    let server = MockServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    Mock::given(method("GET"))
        .and(path("/incidents"))
        .respond_with(move |_: &wiremock::Request| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            ResponseTemplate::new(200).set_body_json(pd_page(&[&format!("P{n}")], true))
        })
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let http = HttpConfig {
        budget: 3,
        ..fast()
    };
    let (summary, set) = collect(dir.path(), &source("pagerduty", &server.uri(), ""), http).await;
    assert_eq!(
        set.incidents.len(),
        3,
        "the pages fetched before the budget ran out still count"
    );
    assert_eq!(summary.sources[0].status, Status::Partial);
    assert!(
        set.gaps[0]
            .error
            .contains("the budget of 3 requests for this source is used up"),
        "{}",
        set.gaps[0].error
    );
}

/// A raw server for what wiremock will not do: bodies cut off mid-way.
async fn truncating_server(good_after: usize, body: Vec<u8>, declared_extra: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        for n in 0..20 {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let (declared, sent) = if n < good_after {
                (body.len() + declared_extra, &body[..body.len() / 2])
            } else {
                (body.len(), &body[..])
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {declared}\r\nconnection: close\r\n\r\n"
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(sent).await;
            let _ = socket.shutdown().await;
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn truncated_bodies_are_fetched_again_or_become_a_gap() {
    let body = read("incidents/statuspage/githubstatus-summary.json");
    let dir = tempfile::tempdir().unwrap();
    // Declared longer than sent: the connection drops mid-body, twice, then a whole body.
    let url = truncating_server(2, body.clone(), 100).await;
    let (summary, set) = collect(dir.path(), &source("statuspage", &url, ""), fast()).await;
    assert!(summary.complete(), "{:?}", summary.gaps);
    assert_eq!(set.incidents.len(), 1);
    // Always cut off: a gap that says so.
    let url = truncating_server(usize::MAX, body.clone(), 100).await;
    let (_, set) = collect(dir.path(), &source("statuspage", &url, ""), fast()).await;
    assert!(
        set.gaps[0].error.contains("cut off"),
        "{}",
        set.gaps[0].error
    );
}

#[tokio::test]
async fn json_that_ends_early_is_refetched_once_then_reported_as_truncated() {
    let server = MockServer::start().await;
    let body = read("incidents/pagerduty/incidents-list.json");
    let half = body[..body.len() / 2].to_vec();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(half, "application/json"))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (_, set) = collect(dir.path(), &source("pagerduty", &server.uri(), ""), fast()).await;
    assert!(
        set.gaps[0].error.contains("the JSON ends early"),
        "{}",
        set.gaps[0].error
    );
    assert!(
        set.gaps[0].error.contains("looks truncated"),
        "{}",
        set.gaps[0].error
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn incident_io_follows_cursors() {
    let server = MockServer::start().await;
    let incidents: serde_json::Value =
        serde_json::from_slice(&read("incidents/incident-io/incidents.json")).unwrap();
    let mut second = incidents[0].clone();
    second["id"] = "01HDH3SMWK0C2D8TN41PVW61TB".into();
    second["reference"] = "INC-2".into();
    second["severity"]["name"] = "Critical".into();
    second["incident_status"]["category"] = "closed".into();
    second["incident_timestamp_values"][11]["value"] =
        serde_json::json!({"value": "2023-10-24T16:10:35.411Z"});
    second["updates"] = serde_json::json!([]);
    Mock::given(method("GET"))
        .and(path("/v2/incidents"))
        .and(query_param("after", "cursor-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "incidents": [second], "pagination_meta": {"page_size": 1}
        })))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/incidents"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "incidents": incidents, "pagination_meta": {"after": "cursor-1", "page_size": 1}
        })))
        .with_priority(2)
        .mount(&server)
        .await;
    let updates: serde_json::Value =
        serde_json::from_slice(&read("incidents/incident-io/incident_updates.json")).unwrap();
    let mut update = updates[0].clone();
    update["incident_id"] = "01HDH3SMWK0C2D8TN41PVW61TB".into();
    update["message"] = "We are looking into it".into();
    update["created_at"] = "2023-10-24T15:20:00Z".into();
    Mock::given(method("GET"))
        .and(path("/v2/incident_updates"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"incident_updates": [update], "pagination_meta": {}}),
        ))
        .mount(&server)
        .await;
    let follow_ups: serde_json::Value =
        serde_json::from_slice(&read("incidents/incident-io/follow_ups.json")).unwrap();
    Mock::given(method("GET"))
        .and(path("/v2/follow_ups"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"follow_ups": follow_ups})),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (summary, set) = collect(
        dir.path(),
        &source("incident-io", &server.uri(), ""),
        fast(),
    )
    .await;
    assert!(summary.complete(), "{:?}", summary.gaps);
    let ids: Vec<&str> = set.incidents.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["INC-1", "INC-2"]);
    let closed = &set.incidents[1];
    assert_eq!(closed.severity, IncidentSeverity::Sev1);
    assert_eq!(
        closed.recovery_seconds,
        Some(3600),
        "`Closed at` of a closed incident"
    );
    assert_eq!(closed.first_update, Some(at("2023-10-24T15:20:00Z")));
    assert_eq!(set.incidents[0].follow_ups.len(), 1);
    assert_no_secret(dir.path());
}

#[tokio::test]
async fn opsgenie_durations_and_paging() {
    let server = MockServer::start().await;
    let alert = |id: &str, status: &str| {
        serde_json::json!({
            "id": format!("{id}-uuid"), "tinyId": id, "message": "Ledger replication lag", "status": status,
            "createdAt": "2026-05-30T22:15:00.000Z", "priority": "P2", "tags": ["database", "ledger-db"],
            "source": "datadog", "report": {"ackTime": 300000, "closeTime": 6900000}
        })
    };
    Mock::given(method("GET"))
        .and(path("/v2/alerts"))
        .and(query_param("offset", "0"))
        .and(header("authorization", format!("GenieKey {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": [alert("101", "closed")], "paging": {"next": "https://api.opsgenie.com/v2/alerts?offset=1"}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/alerts"))
        .and(query_param("offset", "1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"data": [alert("102", "open")], "paging": {}})),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (summary, set) = collect(dir.path(), &source("opsgenie", &server.uri(), ""), fast()).await;
    assert!(summary.complete(), "{:?}", summary.gaps);
    let closed = &set.incidents[0];
    assert_eq!(closed.id, "101");
    assert_eq!(closed.acknowledged, Some(at("2026-05-30T22:20:00Z")));
    assert_eq!(closed.recovery_seconds, Some(6900));
    assert_eq!(closed.capability.as_deref(), Some("ledger-db"));
    assert_eq!(set.incidents[1].resolved, None);
}

#[tokio::test]
async fn github_issues_follow_links_on_the_same_host_only() {
    let server = MockServer::start().await;
    let issue = |n: u64, state: &str, labels: &[&str]| {
        serde_json::json!({
            "number": n, "title": format!("Outage {n}"), "state": state,
            "created_at": "2026-02-03T16:20:00Z", "closed_at": if state == "closed" { "2026-02-03T16:47:00Z" } else { "" },
            "labels": labels.iter().map(|l| serde_json::json!({"name": l})).collect::<Vec<_>>()
        })
    };
    let mut pr = issue(3, "open", &["incident"]);
    pr["pull_request"] = serde_json::json!({"url": "x"});
    Mock::given(method("GET"))
        .and(path("/repos/acme/status/issues"))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!([issue(
                2,
                "open",
                &["incident", "sev3", "service:checkout"]
            )])),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/status/issues"))
        .and(query_param("labels", "incident"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "link",
                    format!(
                        "<{}/repos/acme/status/issues?page=2>; rel=\"next\"",
                        server.uri()
                    )
                    .as_str(),
                )
                .set_body_json(serde_json::json!([
                    issue(1, "closed", &["incident", "severity:1", "payments-api"]),
                    pr
                ])),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let extra = "repository = \"acme/status\"\nlabel = \"incident\"";
    let (summary, set) = collect(dir.path(), &source("github", &server.uri(), extra), fast()).await;
    assert!(summary.complete(), "{:?}", summary.gaps);
    let ids: Vec<&str> = set.incidents.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        ["acme/status#1", "acme/status#2"],
        "the pull request is not an incident"
    );
    assert_eq!(set.incidents[0].severity, IncidentSeverity::Sev1);
    assert_eq!(set.incidents[0].recovery_seconds, Some(1620));
    assert_eq!(set.incidents[0].capability.as_deref(), Some("payments-api"));
    assert_eq!(set.incidents[1].capability.as_deref(), Some("checkout-web"));

    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", "<http://127.0.0.2:1/steal?page=2>; rel=\"next\"")
                .set_body_json(serde_json::json!([])),
        )
        .mount(&elsewhere)
        .await;
    let (_, set) = collect(
        dir.path(),
        &source("github", &elsewhere.uri(), extra),
        fast(),
    )
    .await;
    assert!(
        set.gaps[0]
            .error
            .contains("the next page is on another host"),
        "{}",
        set.gaps[0].error
    );
}
