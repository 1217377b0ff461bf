//! Chaos Toolkit journals, shaped like the real ones in the shared fixtures:
//! the experiment as run, `status` and `deviated`, the steady-state probes
//! before and after, the method's `run`, and rollbacks. chaoslib 1.44 writes
//! timestamps with `+00:00`; 1.41 wrote them without a zone, and one journal
//! here does too. Timings come from a PRNG seeded by the file name.
//!
//! What chaoslib does, and so what the journals say: a steady state not met
//! *before* the method stops the run with `status: failed` and no `run`; one
//! not met *after* gives `status: failed, deviated: true`, and the default
//! rollback strategy then skips rollbacks.

use std::path::Path;

use chrono::Duration;
use serde::Serialize;
use serde_json::{Value, json};

use crate::demo::DemoError;
use crate::demo::clock::{self, Instant};
use crate::demo::rng::Rng;

/// What an experiment does to the system.
#[derive(Debug, Serialize)]
pub struct Experiment {
    /// Names the journal files.
    #[serde(skip)]
    slug: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'static str>,
    title: &'static str,
    description: &'static str,
    /// What the plan's drill rules match on.
    pub tags: &'static [&'static str],
    #[serde(rename = "steady-state-hypothesis")]
    hypothesis: Hypothesis,
    method: &'static [Activity],
    rollbacks: &'static [Activity],
    dry: Option<()>,
}

/// The steady state: what healthy means, as probes.
#[derive(Debug, Serialize)]
struct Hypothesis {
    title: &'static str,
    probes: [Activity; 1],
}

/// One probe or action, in chaoslib's key order.
#[derive(Debug, Serialize)]
struct Activity {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tolerance: Option<Tolerance>,
    provider: Provider,
    #[serde(skip_serializing_if = "Option::is_none")]
    pauses: Option<Pauses>,
}

/// What a probe's output must be.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Tolerance {
    Status(u16),
    Truth(bool),
}

#[derive(Debug, Serialize)]
struct Pauses {
    after: u32,
}

/// How an activity is carried out.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Provider {
    Http {
        timeout: u32,
        url: &'static str,
        method: &'static str,
    },
    Python {
        module: &'static str,
        func: &'static str,
        arguments: Args,
    },
    Process {
        path: &'static str,
        arguments: &'static str,
    },
}

/// Keyword arguments of a Python provider, in the order written.
#[derive(Debug)]
struct Args(&'static [(&'static str, Arg)]);

impl Serialize for Args {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Arg {
    Text(&'static str),
    Number(i64),
    Flag(bool),
}

use Arg::{Flag, Number, Text};

const fn probe(name: &'static str, provider: Provider) -> Activity {
    let tolerance = match &provider {
        Provider::Python { .. } => Tolerance::Truth(true),
        _ => Tolerance::Status(200),
    };
    Activity {
        kind: "probe",
        name,
        tolerance: Some(tolerance),
        provider,
        pauses: None,
    }
}

const fn action(name: &'static str, provider: Provider, pause_after: Option<u32>) -> Activity {
    let pauses = match pause_after {
        Some(after) => Some(Pauses { after }),
        None => None,
    };
    Activity {
        kind: "action",
        name,
        tolerance: None,
        provider,
        pauses,
    }
}

const fn http(url: &'static str) -> Provider {
    Provider::Http {
        timeout: 3,
        url,
        method: "GET",
    }
}

const fn process(path: &'static str, arguments: &'static str) -> Provider {
    Provider::Process { path, arguments }
}

const fn terminate_pods(arguments: &'static [(&'static str, Arg)]) -> Provider {
    Provider::Python {
        module: "chaosk8s.pod.actions",
        func: "terminate_pods",
        arguments: Args(arguments),
    }
}

const fn hypothesis(title: &'static str, probe: Activity) -> Hypothesis {
    Hypothesis {
        title,
        probes: [probe],
    }
}

static PAYMENTS_POD_KILL: Experiment = Experiment {
    slug: "payments-pod-kill",
    version: Some("1.0.0"),
    title: "Payments API keeps authorising when a pod is killed",
    description: "Kill one payments-api pod under synthetic card traffic; authorisations must keep succeeding.",
    tags: &["payments", "kubernetes"],
    hypothesis: hypothesis(
        "Payments API is healthy",
        probe(
            "payments-api-must-be-healthy",
            http("https://payments.internal.acme.example/healthz"),
        ),
    ),
    method: &[action(
        "terminate-payments-api-pod",
        terminate_pods(&[
            ("label_selector", Text("app=payments-api")),
            ("ns", Text("payments")),
            ("qty", Number(1)),
            ("rand", Flag(true)),
        ]),
        Some(30),
    )],
    rollbacks: &[],
    dry: None,
};

static PAYMENTS_PROCESSOR_LATENCY: Experiment = Experiment {
    slug: "payments-processor-latency",
    version: Some("1.0.0"),
    title: "Card authorisations degrade gracefully when the processor is slow",
    description: "Add 2.5 s of latency between payments-api and the card processor; the API must time out and retry within its budget.",
    tags: &["payments", "latency", "toxiproxy"],
    hypothesis: hypothesis(
        "Authorisations succeed",
        probe(
            "authorisation-endpoint-must-answer",
            http("https://payments.internal.acme.example/v1/authorisations/health"),
        ),
    ),
    method: &[action(
        "add-processor-latency",
        process(
            "toxiproxy-cli",
            "toxic add -t latency -a latency=2500 processor-upstream",
        ),
        Some(60),
    )],
    rollbacks: &[action(
        "remove-processor-latency",
        process(
            "toxiproxy-cli",
            "toxic remove -n latency_downstream processor-upstream",
        ),
        None,
    )],
    dry: None,
};

static PAYMENTS_DB_POOL: Experiment = Experiment {
    slug: "payments-db-pool-exhaustion",
    version: Some("1.0.0"),
    title: "Payments API survives database connection pool exhaustion",
    description: "Hold every connection of the payments pool; the API must shed load rather than hang.",
    tags: &["payments", "database"],
    hypothesis: hypothesis(
        "Payments API is healthy",
        probe(
            "payments-api-must-be-healthy",
            http("https://payments.internal.acme.example/healthz"),
        ),
    ),
    method: &[action(
        "exhaust-connection-pool",
        process("pgbench", "-c 200 -T 120 -h payments-db.internal payments"),
        Some(10),
    )],
    rollbacks: &[],
    dry: None,
};

static LEDGER_REPLICA_KILL: Experiment = Experiment {
    slug: "ledger-replica-kill",
    version: Some("1.0.0"),
    title: "Ledger keeps accepting writes when a replica dies",
    description: "Terminate the synchronous ledger replica; commits must continue on the primary with the async replica promoted to sync.",
    tags: &["ledger", "postgres"],
    hypothesis: hypothesis(
        "Ledger accepts writes",
        probe(
            "ledger-write-probe",
            http("https://ledger.internal.acme.example/probe/write"),
        ),
    ),
    method: &[action(
        "terminate-sync-replica",
        terminate_pods(&[
            ("label_selector", Text("app=ledger-db,role=sync-replica")),
            ("ns", Text("data")),
            ("qty", Number(1)),
        ]),
        Some(45),
    )],
    rollbacks: &[],
    dry: None,
};

static LEDGER_DISK_PRESSURE: Experiment = Experiment {
    slug: "ledger-wal-disk-pressure",
    version: Some("1.0.0"),
    title: "Ledger primary tolerates WAL disk pressure",
    description: "Fill the WAL volume to 95%; archiving must keep up and writes must not stop.",
    tags: &["postgres"],
    hypothesis: hypothesis(
        "Ledger accepts writes",
        probe(
            "ledger-write-probe",
            http("https://ledger.internal.acme.example/probe/write"),
        ),
    ),
    method: &[action(
        "fill-wal-volume",
        process(
            "kubectl",
            "exec -n data ledger-db-0 -- fallocate -l 40G /var/lib/postgresql/wal/fill",
        ),
        Some(120),
    )],
    rollbacks: &[action(
        "remove-wal-fill",
        process(
            "kubectl",
            "exec -n data ledger-db-0 -- rm /var/lib/postgresql/wal/fill",
        ),
        None,
    )],
    dry: None,
};

static IDENTITY_TOKEN_KILL: Experiment = Experiment {
    slug: "identity-token-service-kill",
    version: None,
    title: "Do logins keep working when a token-service pod goes down?",
    description: "We expect Kubernetes to replace the pod before logins notice.",
    tags: &["identity", "kubernetes"],
    hypothesis: hypothesis(
        "Verifying the token service remains healthy",
        probe(
            "token-service-should-be-healthy",
            Provider::Python {
                module: "chaosk8s.probes",
                func: "deployment_available_and_healthy",
                arguments: Args(&[("name", Text("token-service")), ("ns", Text("identity"))]),
            },
        ),
    ),
    method: &[action(
        "terminate-token-service-pod",
        terminate_pods(&[
            ("label_selector", Text("app=token-service")),
            ("name_pattern", Text("token-service-[0-9].*$")),
            ("rand", Flag(true)),
        ]),
        Some(10),
    )],
    rollbacks: &[],
    dry: None,
};

static IDENTITY_SESSION_REDIS: Experiment = Experiment {
    slug: "identity-session-cache-outage",
    version: Some("1.0.0"),
    title: "Logins survive losing the session cache",
    description: "Stop the session Redis; the token service must fall back to the database.",
    tags: &["identity", "redis"],
    hypothesis: hypothesis(
        "Logins succeed",
        probe("login-probe", http("https://login.acme.example/probe")),
    ),
    method: &[action(
        "terminate-session-redis",
        terminate_pods(&[
            ("label_selector", Text("app=session-redis")),
            ("ns", Text("identity")),
            ("qty", Number(1)),
        ]),
        Some(60),
    )],
    rollbacks: &[],
    dry: None,
};

static CHECKOUT_ORIGIN: Experiment = Experiment {
    slug: "checkout-origin-failure",
    version: Some("1.0.0"),
    title: "Storefront serves from the secondary origin when the primary fails",
    description: "Disable the primary origin behind the CDN; checkout must load from the secondary.",
    tags: &["checkout", "cdn"],
    hypothesis: hypothesis(
        "Checkout page loads",
        probe(
            "checkout-page-loads",
            http("https://shop.acme.example/checkout/health"),
        ),
    ),
    method: &[action(
        "disable-primary-origin",
        process("scripts/origin.sh", "disable primary"),
        Some(90),
    )],
    rollbacks: &[action(
        "enable-primary-origin",
        process("scripts/origin.sh", "enable primary"),
        None,
    )],
    dry: None,
};

static CHECKOUT_IFRAME: Experiment = Experiment {
    slug: "checkout-payment-iframe-timeout",
    version: Some("1.0.0"),
    title: "Checkout offers a retry when the payment form times out",
    description: "Delay the payments card form by 20 s; checkout must show a retry, not a blank page.",
    tags: &["checkout"],
    hypothesis: hypothesis(
        "Checkout page loads",
        probe(
            "checkout-page-loads",
            http("https://staging.shop.acme.example/checkout/health"),
        ),
    ),
    method: &[action(
        "delay-card-form",
        process(
            "toxiproxy-cli",
            "toxic add -t latency -a latency=20000 card-form",
        ),
        Some(30),
    )],
    rollbacks: &[],
    dry: None,
};

static CACHE_REDIS: Experiment = Experiment {
    slug: "shared-cache-outage",
    version: Some("1.0.0"),
    title: "Shared cache outage does not take down the API gateway",
    description: "Stop the shared Redis cache and check the gateway still answers.",
    tags: &["redis", "chaos", "docker"],
    hypothesis: hypothesis(
        "Gateway is healthy",
        probe(
            "gateway-health",
            http("http://gateway.internal.acme.example:8080/health"),
        ),
    ),
    method: &[
        action(
            "stop-redis-cache",
            process("docker", "stop redis-cache"),
            None,
        ),
        probe(
            "gateway-health-during-outage",
            http("http://gateway.internal.acme.example:8080/health"),
        ),
        action(
            "start-redis-cache",
            process("docker", "start redis-cache"),
            None,
        ),
    ],
    rollbacks: &[],
    dry: None,
};

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Steady state met before and after.
    Pass,
    /// Steady state not met after the method.
    Deviated,
    /// Steady state not met before the method: nothing was run.
    Failed,
}

/// Which chaoslib wrote the journal, and so how its timestamps look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// chaoslib 1.44: `+00:00`.
    Utc,
    /// chaoslib 1.41: no zone (the runner's clock was UTC).
    Naive,
}

/// One run of an experiment.
#[derive(Debug)]
pub struct Run {
    /// The experiment.
    pub experiment: &'static Experiment,
    /// When it started, UTC.
    pub start: &'static str,
    /// How it ended.
    pub result: Verdict,
    /// How its timestamps are written.
    pub clock: Clock,
}

const fn run(experiment: &'static Experiment, start: &'static str, result: Verdict) -> Run {
    Run {
        experiment,
        start,
        result,
        clock: Clock::Utc,
    }
}

/// Every journal, oldest first.
pub static RUNS: &[Run] = &[
    // Before the audit window: must not count.
    run(&PAYMENTS_DB_POOL, "2025-10-20 10:05", Verdict::Deviated),
    run(&PAYMENTS_POD_KILL, "2025-11-18 10:00", Verdict::Pass),
    run(
        &PAYMENTS_PROCESSOR_LATENCY,
        "2025-12-16 10:00",
        Verdict::Pass,
    ),
    run(&LEDGER_REPLICA_KILL, "2026-01-13 15:00", Verdict::Pass),
    run(&CHECKOUT_ORIGIN, "2026-01-13 09:30", Verdict::Pass),
    run(&PAYMENTS_POD_KILL, "2026-01-20 10:00", Verdict::Pass),
    run(&CHECKOUT_IFRAME, "2026-02-17 11:00", Verdict::Failed),
    run(
        &PAYMENTS_PROCESSOR_LATENCY,
        "2026-03-03 10:00",
        Verdict::Pass,
    ),
    Run {
        experiment: &IDENTITY_TOKEN_KILL,
        start: "2026-04-14 04:18",
        result: Verdict::Pass,
        clock: Clock::Naive,
    },
    run(&PAYMENTS_POD_KILL, "2026-04-21 10:00", Verdict::Pass),
    run(&LEDGER_DISK_PRESSURE, "2026-04-21 16:00", Verdict::Deviated),
    // Tagged for no rule in the plan: reported as unmatched.
    run(&CACHE_REDIS, "2026-05-19 13:00", Verdict::Pass),
    run(
        &PAYMENTS_PROCESSOR_LATENCY,
        "2026-05-19 10:00",
        Verdict::Pass,
    ),
    run(&PAYMENTS_POD_KILL, "2026-06-16 10:00", Verdict::Pass),
    run(
        &IDENTITY_SESSION_REDIS,
        "2026-07-01 14:00",
        Verdict::Deviated,
    ),
    run(
        &PAYMENTS_PROCESSOR_LATENCY,
        "2026-07-21 10:00",
        Verdict::Pass,
    ),
    run(&CHECKOUT_ORIGIN, "2026-07-22 09:30", Verdict::Pass),
    run(&PAYMENTS_POD_KILL, "2026-08-18 10:00", Verdict::Pass),
    run(
        &PAYMENTS_PROCESSOR_LATENCY,
        "2026-09-14 10:00",
        Verdict::Pass,
    ),
    run(&LEDGER_REPLICA_KILL, "2026-10-06 15:00", Verdict::Pass),
    run(&CHECKOUT_ORIGIN, "2026-10-13 09:30", Verdict::Pass),
];

impl Run {
    /// `<slug>-<date>.json`.
    pub fn file_name(&self) -> String {
        format!(
            "{}-{}.json",
            self.experiment.slug,
            self.start.get(..10).unwrap_or(self.start)
        )
    }
}

#[derive(Serialize)]
struct Journal {
    #[serde(rename = "chaoslib-version")]
    chaoslib_version: &'static str,
    platform: &'static str,
    node: &'static str,
    experiment: &'static Experiment,
    start: String,
    status: &'static str,
    deviated: bool,
    steady_states: SteadyStates,
    run: Vec<RunDoc>,
    rollbacks: Vec<RunDoc>,
    end: String,
    duration: f64,
}

#[derive(Serialize)]
struct SteadyStates {
    before: Option<SteadyState>,
    after: Option<SteadyState>,
    during: [(); 0],
}

#[derive(Serialize)]
struct SteadyState {
    steady_state_met: bool,
    probes: Vec<RunDoc>,
}

#[derive(Serialize)]
struct RunDoc {
    activity: &'static Activity,
    output: Value,
    start: String,
    status: &'static str,
    end: String,
    duration: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    tolerance_met: Option<bool>,
}

/// Writes `<dir>/chaostoolkit/<slug>-<date>.json` for every run; returns how many.
pub fn write(dir: &Path) -> Result<usize, DemoError> {
    for run in RUNS {
        let journal = journal(run)?;
        crate::demo::write_json(&dir.join("chaostoolkit").join(run.file_name()), &journal)?;
    }
    Ok(RUNS.len())
}

fn journal(run: &Run) -> Result<Journal, DemoError> {
    let experiment = run.experiment;
    let [probe] = &experiment.hypothesis.probes;
    let mut timeline = Timeline {
        now: clock::at(run.start)?,
        rng: Rng::named(&run.file_name()),
        clock: run.clock,
    };
    timeline.advance_micros(0, 999_999);
    let start = timeline.now;
    let healthy_before = run.result != Verdict::Failed;
    let before = SteadyState {
        steady_state_met: healthy_before,
        probes: vec![timeline.run(probe, Some(healthy_before))],
    };
    let (mut runs, mut after, mut rollbacks) = (Vec::new(), None, Vec::new());
    if healthy_before {
        runs = experiment
            .method
            .iter()
            .map(|a| timeline.run(a, None))
            .collect();
        let healthy_after = run.result == Verdict::Pass;
        after = Some(SteadyState {
            steady_state_met: healthy_after,
            probes: vec![timeline.run(probe, Some(healthy_after))],
        });
        if healthy_after {
            rollbacks = experiment
                .rollbacks
                .iter()
                .map(|a| timeline.run(a, None))
                .collect();
        }
    }
    timeline.advance_micros(1_000, 15_000);
    let (version, platform, node) = match run.clock {
        Clock::Utc => (
            "1.44.0",
            "Linux-6.8.0-1021-aws-x86_64-with-glibc2.39",
            "chaos-runner-01",
        ),
        Clock::Naive => (
            "1.41.0",
            "Linux-5.15.0-1057-aws-x86_64-with-glibc2.35",
            "ip-10-20-3-17",
        ),
    };
    Ok(Journal {
        chaoslib_version: version,
        platform,
        node,
        experiment,
        start: timeline.stamp(start),
        status: if run.result == Verdict::Pass {
            "completed"
        } else {
            "failed"
        },
        deviated: run.result == Verdict::Deviated,
        steady_states: SteadyStates {
            before: Some(before),
            after,
            during: [],
        },
        run: runs,
        rollbacks,
        end: timeline.stamp(timeline.now),
        duration: seconds(timeline.now - start),
    })
}

/// The journal's clock while the run is replayed.
struct Timeline {
    now: Instant,
    rng: Rng,
    clock: Clock,
}

impl Timeline {
    fn advance_micros(&mut self, low: i64, high: i64) {
        self.now += Duration::microseconds(self.rng.between(low, high));
    }

    fn stamp(&self, t: Instant) -> String {
        let text = t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
        match self.clock {
            Clock::Utc => format!("{text}+00:00"),
            Clock::Naive => text,
        }
    }

    /// Runs one activity: `healthy` is the steady-state verdict for probes of
    /// the hypothesis, `None` for the method's own activities.
    fn run(&mut self, activity: &'static Activity, healthy: Option<bool>) -> RunDoc {
        self.advance_micros(500, 15_000);
        let start = self.now;
        let (low, high) = match activity.provider {
            Provider::Http { .. } => (8_000, 90_000),
            Provider::Python { .. } => (300_000, 4_800_000),
            Provider::Process { .. } => (150_000, 900_000),
        };
        self.advance_micros(low, high);
        let end = self.now;
        let ok = healthy.unwrap_or(true);
        let output = match activity.provider {
            Provider::Http { .. } => {
                let date = end.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
                let (status, body) = if ok {
                    (200, r#"{"status":"ok"}"#)
                } else {
                    (
                        503,
                        r#"{"status":"unavailable","reason":"upstream timeout"}"#,
                    )
                };
                json!({ "status": status, "headers": { "Content-Type": "application/json", "Date": date }, "body": body })
            }
            Provider::Python { .. } if healthy.is_some() => json!(ok),
            Provider::Python { .. } => json!([]),
            Provider::Process { path, .. } => {
                json!({ "status": 0, "stdout": format!("{path}: ok\n"), "stderr": "" })
            }
        };
        if let Some(Pauses { after }) = activity.pauses {
            self.now += Duration::seconds(i64::from(after));
        }
        RunDoc {
            activity,
            output,
            start: self.stamp(start),
            status: "succeeded",
            end: self.stamp(end),
            duration: seconds(end - start),
            tolerance_met: healthy,
        }
    }
}

#[allow(clippy::cast_precision_loss)] // microseconds of a short run: far below 2^53
fn seconds(d: Duration) -> f64 {
    d.num_microseconds().unwrap_or(0) as f64 / 1e6
}
