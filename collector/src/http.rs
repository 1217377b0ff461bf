//! HTTP for live incident APIs: rustls, a timeout on every request, retries
//! with exponential backoff and jitter on 429, 5xx and dropped connections
//! (honouring `Retry-After`), a budget of requests per source, and bodies
//! that end early caught and fetched again. Credentials go in headers marked
//! sensitive; they are never logged, and the response headers kept as
//! evidence are stripped of anything that could carry one.

mod retry;
pub mod secret;

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use url::Url;

use crate::problem::{self, Problem};
use crate::set::Fetched;

pub use self::secret::Secret;

/// Limits for one source's requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// The whole request, body included.
    pub timeout: Duration,
    /// Establishing the connection.
    pub connect_timeout: Duration,
    /// Tries per request, the first included.
    pub attempts: u32,
    /// The first backoff; it doubles each retry, with jitter.
    pub backoff: Duration,
    /// The longest backoff.
    pub backoff_cap: Duration,
    /// The longest `Retry-After` honoured; a server asking for more fails the source.
    pub max_retry_after: Duration,
    /// Requests (retries included) one source may make.
    pub budget: u32,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            attempts: 5,
            backoff: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            budget: 1000,
        }
    }
}

/// A response as kept for evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// URL, status and credential-free headers.
    pub fetched: Fetched,
    /// The body, byte for byte.
    pub body: Vec<u8>,
}

impl Response {
    /// The URL of the `rel="next"` page in a `Link` header (GitHub-style).
    pub fn next_link(&self) -> Option<String> {
        let link = self.fetched.headers.get("link")?;
        link.split(',').find_map(|part| {
            let (target, params) = part.split_once(';')?;
            params
                .split(';')
                .any(|p| p.trim() == "rel=\"next\"")
                .then(|| {
                    target
                        .trim()
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_owned()
                })
        })
    }
}

/// One source's HTTP client.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    config: HttpConfig,
    used: u32,
}

/// Why one attempt failed, and whether (and when) to try again.
#[derive(Debug)]
struct Failure {
    message: String,
    help: Option<String>,
    retry: Retry,
}

#[derive(Debug, PartialEq)]
enum Retry {
    No,
    Backoff,
    After(Duration),
}

impl Client {
    /// A client sending `headers` (credentials among them) with every request.
    pub fn new(
        config: &HttpConfig,
        headers: Vec<(HeaderName, String, bool)>,
    ) -> Result<Self, Problem> {
        let mut map = HeaderMap::new();
        for (name, value, sensitive) in headers {
            let mut value = HeaderValue::from_str(&value).map_err(|_| {
                Problem::new(
                    format!("header `{name}`"),
                    "the value has characters a header cannot carry",
                )
                .help("check the token for stray newlines or quotes")
            })?;
            value.set_sensitive(sensitive);
            map.insert(name, value);
        }
        let http = reqwest::Client::builder()
            .default_headers(map)
            .user_agent(concat!("vouch/", env!("CARGO_PKG_VERSION")))
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|e| Problem::new("http client", format!("cannot start: {e}")))?;
        Ok(Self {
            http,
            config: config.clone(),
            used: 0,
        })
    }

    /// Requests made so far, retries included.
    pub fn used(&self) -> u32 {
        self.used
    }

    /// GETs `url`, retrying what is worth retrying.
    pub async fn get(&mut self, url: &Url) -> Result<Response, Problem> {
        let at = format!("GET {url}");
        let mut attempt = 0;
        loop {
            attempt += 1;
            if self.used >= self.config.budget {
                return Err(Problem::new(
                    &at,
                    format!(
                        "the budget of {} requests for this source is used up",
                        self.config.budget
                    ),
                )
                .help("narrow the audit window, or raise the budget with `--request-budget`"));
            }
            self.used += 1;
            let failure = match self.once(url).await {
                Ok(response) => return Ok(response),
                Err(failure) => failure,
            };
            let wait = match failure.retry {
                Retry::No => None,
                Retry::Backoff => Some(retry::backoff(&self.config, attempt)),
                Retry::After(wait) if wait > self.config.max_retry_after => {
                    return Err(Problem::new(
                        &at,
                        format!(
                            "{}; the server asks to wait {} s, longer than the {} s Vouch waits",
                            failure.message,
                            wait.as_secs(),
                            self.config.max_retry_after.as_secs()
                        ),
                    )
                    .help("run `vouch collect` again later"));
                }
                Retry::After(wait) => Some(wait),
            };
            match wait {
                Some(wait) if attempt < self.config.attempts => tokio::time::sleep(wait).await,
                Some(_) => {
                    return Err(Problem::new(
                        &at,
                        format!("{} (gave up after {attempt} attempts)", failure.message),
                    )
                    .help(
                        failure
                            .help
                            .unwrap_or_else(|| "run `vouch collect` again later".to_owned()),
                    ));
                }
                None => {
                    let problem = Problem::new(&at, failure.message);
                    return Err(match failure.help {
                        Some(help) => problem.help(help),
                        None => problem,
                    });
                }
            }
        }
    }

    /// GETs `url` and parses its JSON body. A body that ends early (a
    /// dropped connection) is fetched once more before it counts as a gap.
    pub async fn get_json<T: DeserializeOwned>(
        &mut self,
        url: &Url,
        expected: &str,
    ) -> Result<(T, Response), Problem> {
        let mut tries = 0;
        loop {
            tries += 1;
            let response = self.get(url).await?;
            match serde_json::from_slice::<T>(&response.body) {
                Ok(value) => return Ok((value, response)),
                Err(e) if e.is_eof() && tries < 2 => continue,
                Err(e) => return Err(problem::json(&format!("GET {url}"), &e, expected)),
            }
        }
    }

    async fn once(&self, url: &Url) -> Result<Response, Failure> {
        let response = self
            .http
            .get(url.clone())
            .send()
            .await
            .map_err(|e| transport(&e, &self.config))?;
        let status = response.status();
        let headers = redacted(response.headers());
        if !status.is_success() {
            let retry_after = retry::retry_after(response.headers());
            let body = response.text().await.unwrap_or_default();
            return Err(refused(status, retry_after, &body));
        }
        let body = response.bytes().await.map_err(|e| Failure {
            message: format!("the response body was cut off: {}", e.without_url()),
            help: None,
            retry: Retry::Backoff,
        })?;
        Ok(Response {
            fetched: Fetched {
                url: url.to_string(),
                status: status.as_u16(),
                headers,
            },
            body: body.to_vec(),
        })
    }
}

fn transport(error: &reqwest::Error, config: &HttpConfig) -> Failure {
    let message = if error.is_timeout() {
        format!("no response within {} s", config.timeout.as_secs_f64())
    } else if error.is_connect() {
        format!("cannot connect: {}", root_cause(error))
    } else {
        format!("the request failed: {}", root_cause(error))
    };
    Failure {
        message,
        help: Some("check `url`, and that this machine can reach it".to_owned()),
        retry: Retry::Backoff,
    }
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

fn refused(status: reqwest::StatusCode, retry_after: Option<Duration>, body: &str) -> Failure {
    let snippet: String = body.chars().filter(|c| !c.is_control()).take(200).collect();
    let message = if snippet.is_empty() {
        format!("the server answered {status}")
    } else {
        format!("the server answered {status}: {snippet}")
    };
    let code = status.as_u16();
    let retry = match (code, retry_after) {
        (429 | 500 | 502 | 503 | 504 | 408, Some(wait)) => Retry::After(wait),
        (429 | 500 | 502 | 503 | 504 | 408, None) => Retry::Backoff,
        _ => Retry::No,
    };
    let help = match code {
        401 | 403 => {
            Some("check the token in the source's `token_env` or `token_file`, and its permissions")
        }
        404 => Some("check the source's `url` (the API base, e.g. `https://api.pagerduty.com`)"),
        _ => None,
    };
    Failure {
        message,
        help: help.map(str::to_owned),
        retry,
    }
}

/// Response headers worth keeping, less any that could carry a credential.
fn redacted(headers: &HeaderMap) -> BTreeMap<String, String> {
    headers
        .iter()
        .filter(|(name, value)| {
            let name = name.as_str();
            !value.is_sensitive()
                && !["auth", "cookie", "token", "key", "secret", "session"]
                    .iter()
                    .any(|word| name.contains(word))
        })
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_headers_are_not_kept() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        headers.insert("set-cookie", HeaderValue::from_static("s=1"));
        headers.insert("x-api-key", HeaderValue::from_static("k"));
        headers.insert("www-authenticate", HeaderValue::from_static("Bearer"));
        let kept = redacted(&headers);
        assert_eq!(kept.keys().collect::<Vec<_>>(), ["content-type"]);
    }

    #[test]
    fn link_headers_name_the_next_page() {
        let response = Response {
            fetched: Fetched {
                url: String::new(),
                status: 200,
                headers: [(
                    "link".to_owned(),
                    r#"<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last""#
                        .to_owned(),
                )]
                .into(),
            },
            body: Vec::new(),
        };
        assert_eq!(
            response.next_link().as_deref(),
            Some("https://api.github.com/x?page=2")
        );
    }
}
