//! What a report says, worked out once for every format: the control matrix,
//! capabilities against their targets, the chart data, findings with links
//! to the evidence files inside the bundle, waivers and metrics with trends.

use std::collections::HashMap;

use chrono::{DateTime, NaiveTime, Utc};
use vouch_sdk::assessment::{AssessedFinding, ControlResult, FindingStatus, Metrics};
use vouch_sdk::evidence::{DrillKind, Outcome};
use vouch_sdk::plan::AuditWindow;
use vouch_sdk::{Assessment, Severity};

use super::Input;
use super::history::{self, Counts};
use super::read::Evidence;

/// Passing and not-applicable findings a report lists in full per policy:
/// enough to show what was checked and how, few enough that a report of a
/// million incidents still opens; the rest are counted and named in full
/// in the bundle's `assessment.json`.
pub const LISTED_PASSING: usize = 100;

/// Findings that fail, err, warn or are waived a report for people (HTML,
/// Markdown) lists per policy: a hundred thousand late incidents are a
/// count and a sample, not a page each; JUnit, SARIF and `assessment.json`
/// carry every one.
pub const LISTED_NOT_PASSING: usize = 200;

/// Evidence records a listed finding links to: enough to follow it to
/// what it rests on; a finding about a capability can cite every one of its
/// incidents, and `assessment.json` names them all.
pub const LISTED_EVIDENCE: usize = 20;

/// Characters of a finding's message a report shows: a paragraph; a policy
/// can enumerate hundreds of records in one message, and `assessment.json`
/// keeps it whole.
pub const MESSAGE_CHARS: usize = 1000;

/// `message` cut to [`MESSAGE_CHARS`] characters, and how many were cut.
pub fn shown_message(message: &str) -> (&str, usize) {
    match message.char_indices().nth(MESSAGE_CHARS) {
        Some((at, _)) => {
            let (shown, rest) = message.split_at(at);
            (shown, rest.chars().count())
        }
        None => (message, 0),
    }
}

/// Which findings a report lists in full: every one that fails, errs, warns
/// or is waived, and the first [`LISTED_PASSING`] of each policy that pass
/// or do not apply, in assessment order.
#[derive(Debug, Default)]
pub struct Listing {
    passing: HashMap<String, usize>,
}

impl Listing {
    /// Whether `finding`, the next in assessment order, is listed in full.
    pub fn lists(&mut self, finding: &AssessedFinding) -> bool {
        if !is_passing(finding.status) {
            return true;
        }
        let seen = match self.passing.get_mut(finding.policy.as_str()) {
            Some(seen) => seen,
            None => self.passing.entry(finding.policy.clone()).or_default(),
        };
        *seen += 1;
        *seen <= LISTED_PASSING
    }

    /// Whether the capability table or a chart reads `finding`, listed or not.
    pub fn charted(finding: &AssessedFinding) -> bool {
        finding.commitment.is_none() && [FRESHNESS, RTO, RPO].contains(&finding.policy.as_str())
    }
}

/// A report's content.
pub struct View<'a> {
    /// The assessment.
    pub assessment: &'a Assessment,
    /// The bundle's digest, when known.
    pub digest: Option<&'a str>,
    /// The signing key's id, when known.
    pub key_id: Option<&'a str>,
    /// Whether links to files inside the bundle work (the report sits in one).
    pub in_bundle: bool,
    /// Control counts over every framework.
    pub totals: Counts,
    /// The control matrix, one table per framework.
    pub frameworks: Vec<Framework<'a>>,
    /// Capabilities against their targets.
    pub capabilities: Vec<CapabilityRow>,
    /// Runbook ages against their maximum, the furthest over it when there
    /// are more than a chart can hold.
    pub runbooks: Vec<RunbookBar>,
    /// Runbooks left out of the chart.
    pub runbooks_omitted: usize,
    /// Drills in the window, of the capabilities with the most failed
    /// drills when there are more than a chart can hold; `None` without the
    /// evidence.
    pub drills: Option<Vec<DrillMark>>,
    /// Capabilities left out of the timeline, and their drills.
    pub drills_omitted: (usize, usize),
    /// Incident recoveries in the window, the slowest against their RTO
    /// when there are more than a chart can hold; `None` without the
    /// evidence and plan.
    pub recoveries: Option<Vec<Recovery<'a>>>,
    /// Incidents left out of the chart.
    pub recoveries_omitted: usize,
    /// Incidents in the window that took longer than their RTO, charted or not.
    pub recoveries_missed: usize,
    /// Findings grouped by policy, failing policies first.
    pub policies: Vec<PolicyGroup<'a>>,
    /// Waivers.
    pub waivers: Vec<WaiverRow>,
    /// Metrics with their trend.
    pub metrics: Vec<MetricRow>,
}

/// One framework's controls.
pub struct Framework<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its title.
    pub title: String,
    /// Whether the plan defines it (its controls are commitments).
    pub custom: bool,
    /// Its controls, in assessment order.
    pub controls: Vec<&'a ControlResult>,
    /// Their counts.
    pub counts: Counts,
}

/// A capability against its RTO and RPO.
pub struct CapabilityRow {
    /// Capability id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its tier id and level, when the plan is known.
    pub tier: Option<(String, u8)>,
    /// RTO target, seconds.
    pub rto: Option<f64>,
    /// Longest recovery in the window, seconds.
    pub worst_recovery: Option<f64>,
    /// The RTO verdict.
    pub rto_status: Option<FindingStatus>,
    /// RPO target, seconds.
    pub rpo: Option<f64>,
    /// Largest data loss in the window, seconds.
    pub worst_data_loss: Option<f64>,
    /// The RPO verdict.
    pub rpo_status: Option<FindingStatus>,
}

/// One runbook's age against its maximum.
pub struct RunbookBar {
    /// The runbook's path.
    pub path: String,
    /// Age in days.
    pub age: f64,
    /// Maximum age in days, when measured.
    pub max_age: Option<f64>,
    /// The verdict.
    pub status: FindingStatus,
}

/// One drill on the timeline.
pub struct DrillMark {
    /// Drill id.
    pub id: String,
    /// The capability it exercised (`unmatched` when none).
    pub capability: String,
    /// What kind of drill.
    pub kind: &'static str,
    /// When it started.
    pub started: DateTime<Utc>,
    /// Whether it passed.
    pub passed: bool,
}

/// One incident's recovery against its capability's RTO.
pub struct Recovery<'a> {
    /// Incident id.
    pub id: &'a str,
    /// Its capability.
    pub capability: &'a str,
    /// Seconds to recover (so far, when still open).
    pub seconds: f64,
    /// Still open at `now`.
    pub open: bool,
    /// The capability's RTO, seconds.
    pub rto: f64,
}

impl Recovery<'_> {
    /// Its recovery as a share of the RTO; 0 without an RTO.
    pub fn share(&self) -> f64 {
        if self.rto > 0.0 {
            self.seconds / self.rto
        } else {
            0.0
        }
    }
}

/// One policy's findings.
pub struct PolicyGroup<'a> {
    /// Policy id.
    pub id: &'a str,
    /// Its title, when its metadata is known.
    pub title: Option<&'a str>,
    /// Its description, when known.
    pub description: Option<&'a str>,
    /// Its severity, when known.
    pub severity: Option<Severity>,
    /// Its findings listed in full (see [`Listing`]).
    pub findings: Vec<FindingRow<'a>>,
    /// How many fail.
    pub failing: usize,
    /// Its passing and not-applicable findings not listed.
    pub unlisted: usize,
}

impl<'a> PolicyGroup<'a> {
    /// The rows a report for people shows: every listed passing one, and
    /// the first [`LISTED_NOT_PASSING`] others; and how many it leaves out
    /// in all, [`PolicyGroup::unlisted`] included.
    pub fn shown(&self) -> (Vec<&FindingRow<'a>>, usize) {
        let mut not_passing = 0;
        let shown: Vec<&FindingRow<'a>> = self
            .findings
            .iter()
            .filter(|row| {
                if is_passing(row.finding.status) {
                    return true;
                }
                not_passing += 1;
                not_passing <= LISTED_NOT_PASSING
            })
            .collect();
        let left_out = self.unlisted + self.findings.len() - shown.len();
        (shown, left_out)
    }
}

/// Whether a finding passes or does not apply: the findings a report
/// lists least of.
fn is_passing(status: FindingStatus) -> bool {
    matches!(status, FindingStatus::Pass | FindingStatus::NotApplicable)
}

/// A finding with its evidence links.
pub struct FindingRow<'a> {
    /// The finding.
    pub finding: &'a AssessedFinding,
    /// Its first [`LISTED_EVIDENCE`] evidence references, each with the
    /// bundle file it points at.
    pub evidence: Vec<(&'a str, Option<String>)>,
    /// Its evidence references past those.
    pub unlisted_evidence: usize,
}

/// An evidence reference for reading: a full commit id after `@` cut to 12
/// characters (the reference itself stays whole in links and titles).
pub fn short_reference(reference: &str) -> String {
    match reference.rsplit_once('@') {
        Some((record, commit))
            if commit.len() > 12 && commit.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            format!("{record}@{}", commit.get(..12).unwrap_or(commit))
        }
        _ => reference.to_owned(),
    }
}

/// A waiver as the plan states it, and what became of it.
pub struct WaiverRow {
    /// The policy it covers.
    pub policy: String,
    /// The subject it covers.
    pub subject: String,
    /// Why.
    pub justification: String,
    /// Who accepted the risk.
    pub approver: String,
    /// Last day it holds.
    pub expires: chrono::NaiveDate,
    /// Findings it waived.
    pub applied: usize,
    /// Whether it had expired at `now`.
    pub expired: bool,
}

/// How a metric is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Days.
    Days,
    /// A share, 0 to 1, shown as a percentage.
    Share,
    /// A count.
    Count,
    /// Seconds, shown as a duration.
    Seconds,
}

/// One metric, its definition and its trend.
pub struct MetricRow {
    /// Its JSON name in `metrics`.
    pub key: &'static str,
    /// What it is, for people.
    pub title: &'static str,
    /// How it is read.
    pub unit: Unit,
    /// Whether a higher value is better.
    pub higher_is_better: bool,
    /// This run's value.
    pub value: Option<f64>,
    /// The value in each run of the trend, oldest first, this run last.
    pub trend: Vec<Option<f64>>,
}

impl MetricRow {
    /// The value for people, `n/a` when absent.
    pub fn shown(&self) -> String {
        self.value
            .map_or_else(|| "n/a".to_owned(), |v| show(self.unit, v))
    }
}

/// The metrics in reading order: name, title, unit, higher is better, value.
type Definition = (
    &'static str,
    &'static str,
    Unit,
    bool,
    fn(&Metrics) -> Option<f64>,
);

const METRICS: [Definition; 11] = [
    (
        "runbook_age_median_days",
        "Median runbook age",
        Unit::Days,
        false,
        |m| m.runbook_age_median_days,
    ),
    (
        "runbook_age_worst_days",
        "Oldest runbook",
        Unit::Days,
        false,
        |m| m.runbook_age_worst_days,
    ),
    (
        "runbooks_within_max_age",
        "Runbooks within max age",
        Unit::Share,
        true,
        |m| m.runbooks_within_max_age,
    ),
    (
        "untested_critical_workflows",
        "Untested critical workflows",
        Unit::Count,
        false,
        |m| m.untested_critical_workflows.map(count),
    ),
    (
        "drill_pass_rate",
        "Drill pass rate",
        Unit::Share,
        true,
        |m| m.drill_pass_rate,
    ),
    ("rto_attainment", "RTO attainment", Unit::Share, true, |m| {
        m.rto_attainment
    }),
    ("rpo_attainment", "RPO attainment", Unit::Share, true, |m| {
        m.rpo_attainment
    }),
    (
        "first_update_latency_median_seconds",
        "Median first customer update",
        Unit::Seconds,
        false,
        |m| m.first_update_latency_median_seconds,
    ),
    (
        "first_update_latency_worst_seconds",
        "Slowest first customer update",
        Unit::Seconds,
        false,
        |m| m.first_update_latency_worst_seconds,
    ),
    (
        "open_follow_ups",
        "Open postmortem follow-ups",
        Unit::Count,
        false,
        |m| m.open_follow_ups.map(count),
    ),
    (
        "overdue_follow_ups",
        "Overdue postmortem follow-ups",
        Unit::Count,
        false,
        |m| m.overdue_follow_ups.map(count),
    ),
];

#[allow(clippy::cast_precision_loss)] // counts of findings, far below 2^53
fn count(n: u64) -> f64 {
    n as f64
}

/// The policy ids the capability table and charts read.
const FRESHNESS: &str = "runbook-freshness";
const RTO: &str = "rto-attainment";
const RPO: &str = "rpo-attainment";

impl<'a> View<'a> {
    /// Works out what a report of `input` says.
    pub fn new(input: &'a Input) -> Self {
        let assessment = &input.assessment;
        let trend = history::trend(&input.history, assessment);
        let runbooks = worst(runbooks(assessment), |b| {
            b.max_age.filter(|m| *m > 0.0).map_or(b.age, |m| b.age / m)
        });
        let recoveries = recoveries(input).map(|r| {
            let missed = r.iter().filter(|r| r.share() > 1.0).count();
            let (mut kept, omitted) = worst(r, |r| {
                if r.rto > 0.0 {
                    r.seconds / r.rto
                } else {
                    r.seconds
                }
            });
            kept.sort_by(|a, b| a.id.cmp(b.id));
            (kept, omitted, missed)
        });
        let drills = drills(input);
        Self {
            assessment,
            digest: input.bundle.as_ref().and_then(|b| b.digest.as_deref()),
            key_id: input.bundle.as_ref().and_then(|b| b.key_id.as_deref()),
            in_bundle: input.bundle.is_some(),
            totals: Counts::of(&assessment.controls),
            frameworks: frameworks(input),
            capabilities: capabilities(input),
            runbooks_omitted: runbooks.1,
            runbooks: runbooks.0,
            drills_omitted: drills.as_ref().map_or((0, 0), |d| d.1),
            drills: drills.map(|d| d.0),
            recoveries_omitted: recoveries.as_ref().map_or(0, |r| r.1),
            recoveries_missed: recoveries.as_ref().map_or(0, |r| r.2),
            recoveries: recoveries.map(|r| r.0),
            policies: policies(input),
            waivers: waivers(input),
            metrics: METRICS
                .iter()
                .map(|(key, title, unit, higher_is_better, get)| MetricRow {
                    key,
                    title,
                    unit: *unit,
                    higher_is_better: *higher_is_better,
                    value: get(&assessment.metrics),
                    trend: trend.iter().map(|run| get(&run.metrics)).collect(),
                })
                .collect(),
        }
    }

    /// The audit window as instants: its first second to its last.
    pub fn window(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        window(&self.assessment.window)
    }

    /// The listed findings that decide `control` (every one but passing and
    /// not-applicable findings past the bound): its policies' own-run
    /// findings, or, for a custom framework commitment, that commitment's
    /// run's.
    pub fn control_findings(&self, control: &ControlResult) -> Vec<&'a AssessedFinding> {
        let commitment = format!("{}:{}", control.framework, control.control);
        let custom = self
            .frameworks
            .iter()
            .any(|f| f.id == control.framework && f.custom);
        let mut findings: Vec<&'a AssessedFinding> = self
            .policies
            .iter()
            .filter(|g| control.policies.iter().any(|p| p == g.id))
            .flat_map(|g| g.findings.iter().map(|row| row.finding))
            .filter(|f| f.commitment.as_deref() == custom.then_some(commitment.as_str()))
            .collect();
        // Back in assessment order: every row points into its one `Vec`.
        findings.sort_by_key(|f| std::ptr::from_ref::<AssessedFinding>(f).addr());
        findings
    }

    /// Why the runs that evidence `control` produced no judgement, as
    /// `policy: reason`, for those that failed (trap, fuel, timeout, ...).
    pub fn control_run_errors(&self, control: &ControlResult) -> Vec<String> {
        let commitment = format!("{}:{}", control.framework, control.control);
        let custom = self
            .frameworks
            .iter()
            .any(|f| f.id == control.framework && f.custom);
        self.assessment
            .policies
            .iter()
            .filter(|r| control.policies.contains(&r.id))
            .filter(|r| r.commitment.as_deref() == custom.then_some(commitment.as_str()))
            .filter_map(|r| Some(format!("{}: {}", r.id, r.error.as_deref()?)))
            .collect()
    }

    /// The failing and erroring findings, worst first: failures before
    /// errors, then by the policy's severity, then in assessment order.
    pub fn worst(&self) -> Vec<(&PolicyGroup<'a>, &'a AssessedFinding)> {
        let mut worst: Vec<(&PolicyGroup<'a>, &'a AssessedFinding)> = self
            .policies
            .iter()
            .flat_map(|group| group.findings.iter().map(move |row| (group, row.finding)))
            .filter(|(_, f)| matches!(f.status, FindingStatus::Fail | FindingStatus::Error))
            .collect();
        worst.sort_by_key(|(group, f)| {
            (
                f.status != FindingStatus::Fail,
                std::cmp::Reverse(group.severity),
            )
        });
        worst
    }
}

fn window(window: &AuditWindow) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = window.start.and_time(NaiveTime::MIN).and_utc();
    let end = window
        .end
        .and_hms_opt(23, 59, 59)
        .map_or(start, |t| t.and_utc());
    (start, end)
}

fn frameworks(input: &Input) -> Vec<Framework<'_>> {
    let catalogs = vouch_engine::controls::Catalogs::standard().ok();
    let mut frameworks: Vec<Framework<'_>> = Vec::new();
    for control in &input.assessment.controls {
        match frameworks.iter_mut().find(|f| f.id == control.framework) {
            Some(framework) => framework.controls.push(control),
            None => {
                let id = control.framework.as_str();
                let custom = input
                    .plan
                    .as_ref()
                    .and_then(|p| p.frameworks.custom.iter().find(|f| f.id == id))
                    .map(|f| f.title.clone());
                let standard = catalogs
                    .as_ref()
                    .and_then(|c| c.framework(id))
                    .map(|f| f.title.clone());
                frameworks.push(Framework {
                    id,
                    custom: standard.is_none(),
                    title: custom.or(standard).unwrap_or_else(|| id.to_owned()),
                    controls: vec![control],
                    counts: Counts::default(),
                });
            }
        }
    }
    for framework in &mut frameworks {
        framework.counts = Counts::of(framework.controls.iter().copied());
    }
    frameworks
}

/// The own-run findings of `policy`, by subject; the first one wins, as a
/// search in assessment order would.
fn own<'a>(assessment: &'a Assessment, policy: &str) -> HashMap<&'a str, &'a AssessedFinding> {
    let mut by_subject = HashMap::new();
    for f in &assessment.findings {
        if f.policy == policy && f.commitment.is_none() {
            by_subject.entry(f.subject.as_str()).or_insert(f);
        }
    }
    by_subject
}

fn measure(finding: Option<&AssessedFinding>, name: &str) -> Option<f64> {
    finding?
        .measurements
        .iter()
        .find(|m| m.name == name)
        .map(|m| m.value)
}

#[allow(clippy::cast_precision_loss)] // durations in seconds, far below 2^53
fn seconds(duration: vouch_sdk::Duration) -> f64 {
    duration.as_seconds() as f64
}

fn capabilities(input: &Input) -> Vec<CapabilityRow> {
    let assessment = &input.assessment;
    let (rto_findings, rpo_findings) = (own(assessment, RTO), own(assessment, RPO));
    let row = |id: &str, name: &str, tier, rto: Option<f64>, rpo: Option<f64>| {
        let rto_finding = rto_findings.get(id).copied();
        let rpo_finding = rpo_findings.get(id).copied();
        CapabilityRow {
            id: id.to_owned(),
            name: name.to_owned(),
            tier,
            rto: rto.or_else(|| measure(rto_finding, "rto")),
            worst_recovery: measure(rto_finding, "worst_recovery"),
            rto_status: rto_finding.map(|f| f.status),
            rpo: rpo.or_else(|| measure(rpo_finding, "rpo")),
            worst_data_loss: measure(rpo_finding, "worst_data_loss"),
            rpo_status: rpo_finding.map(|f| f.status),
        }
    };
    match &input.plan {
        Some(plan) => plan
            .capabilities
            .iter()
            .map(|c| {
                let tier = plan.tier_of(c).map(|t| (c.tier.clone(), t.level));
                // RPO only means something for a capability that keeps data.
                let rpo = c.holds_data.then(|| seconds(c.rpo));
                row(&c.id, &c.name, tier, Some(seconds(c.rto)), rpo)
            })
            .collect(),
        None => {
            let mut ids: Vec<&str> = rto_findings
                .keys()
                .chain(rpo_findings.keys())
                .copied()
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids.into_iter()
                .map(|id| row(id, id, None, None, None))
                .collect()
        }
    }
}

/// The most rows a chart draws: beyond it a chart stops being read.
pub const CHART_ROWS: usize = 40;

/// The `CHART_ROWS` items with the highest `badness`, in their own order, and
/// how many were left out.
fn worst<T>(items: Vec<T>, badness: impl Fn(&T) -> f64) -> (Vec<T>, usize) {
    if items.len() <= CHART_ROWS {
        return (items, 0);
    }
    let mut ranked: Vec<(usize, f64)> = items.iter().map(&badness).enumerate().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut kept: Vec<usize> = ranked.iter().take(CHART_ROWS).map(|(i, _)| *i).collect();
    kept.sort_unstable();
    let omitted = items.len() - CHART_ROWS;
    let chosen = items
        .into_iter()
        .enumerate()
        .filter(|(i, _)| kept.binary_search(i).is_ok())
        .map(|(_, item)| item)
        .collect();
    (chosen, omitted)
}

fn runbooks(assessment: &Assessment) -> Vec<RunbookBar> {
    assessment
        .findings
        .iter()
        .filter(|f| f.policy == FRESHNESS && f.commitment.is_none())
        .filter_map(|f| {
            Some(RunbookBar {
                path: f.subject.clone(),
                age: measure(Some(f), "age")?,
                max_age: measure(Some(f), "max_age"),
                status: f.status,
            })
        })
        .collect()
}

/// The drills of the window by capability, the [`CHART_ROWS`] capabilities
/// with the most failed drills when there are more, and how many
/// capabilities and drills were left out.
fn drills(input: &Input) -> Option<(Vec<DrillMark>, (usize, usize))> {
    let (start, end) = window(&input.assessment.window);
    let mut marks: Vec<DrillMark> = input
        .evidence
        .as_ref()?
        .drills
        .iter()
        .filter(|d| d.started >= start && d.started <= end)
        .map(|d| DrillMark {
            id: d.id.clone(),
            capability: d
                .capability
                .clone()
                .unwrap_or_else(|| "unmatched".to_owned()),
            kind: match d.kind {
                DrillKind::Technical => "technical",
                DrillKind::Tabletop => "tabletop",
                DrillKind::Restore => "restore",
                DrillKind::Failover => "failover",
            },
            started: d.started,
            passed: d.outcome == Outcome::Pass,
        })
        .collect();
    marks.sort_by(|a, b| (&a.capability, a.started).cmp(&(&b.capability, b.started)));
    let total = marks.len();
    let mut lanes: Vec<Vec<DrillMark>> = Vec::new();
    for mark in marks {
        match lanes.last_mut() {
            Some(lane)
                if lane
                    .first()
                    .is_some_and(|m| m.capability == mark.capability) =>
            {
                lane.push(mark);
            }
            _ => lanes.push(vec![mark]),
        }
    }
    #[allow(clippy::cast_precision_loss)] // drills of one capability
    let (lanes, omitted) = worst(lanes, |lane| {
        lane.iter().filter(|m| !m.passed).count() as f64
    });
    let marks: Vec<DrillMark> = lanes.into_iter().flatten().collect();
    let drills_omitted = total - marks.len();
    Some((marks, (omitted, drills_omitted)))
}

/// The recoveries of the window's incidents, in evidence order.
#[allow(clippy::cast_precision_loss)] // seconds, far below 2^53
fn recoveries(input: &Input) -> Option<Vec<Recovery<'_>>> {
    let plan = input.plan.as_ref()?;
    let now = input.assessment.now;
    let (start, end) = window(&input.assessment.window);
    let capabilities: HashMap<&str, _> = plan
        .capabilities
        .iter()
        .map(|c| (c.id.as_str(), c))
        .rev() // the first with an id wins, as `Plan::capability` finds it
        .collect();
    let recoveries: Vec<Recovery<'_>> = input
        .evidence
        .as_ref()?
        .incidents
        .iter()
        .filter(|i| i.started >= start && i.started <= end)
        .filter_map(|i| {
            let capability = *capabilities.get(i.capability.as_deref()?)?;
            let (taken, open) = match (i.recovery_seconds, i.resolved) {
                (Some(s), _) => (s as f64, false),
                (None, Some(resolved)) => ((resolved - i.started).num_seconds() as f64, false),
                (None, None) => ((now - i.started).num_seconds() as f64, true),
            };
            Some(Recovery {
                id: &i.id,
                capability: &capability.id,
                seconds: taken,
                open,
                rto: seconds(capability.rto),
            })
        })
        .collect();
    Some(recoveries)
}

fn policies(input: &Input) -> Vec<PolicyGroup<'_>> {
    let assessment = &input.assessment;
    let artifacts = Artifacts::new(input.evidence.as_ref());
    let mut listing = Listing::default();
    let mut groups: Vec<PolicyGroup<'_>> = Vec::new();
    for finding in &assessment.findings {
        let index = match groups.iter().position(|g| g.id == finding.policy) {
            Some(index) => index,
            None => {
                let metadata = input.policies.get(&finding.policy);
                groups.push(PolicyGroup {
                    id: &finding.policy,
                    title: metadata.map(|m| m.title.as_str()),
                    description: metadata.map(|m| m.description.as_str()),
                    severity: metadata.map(|m| m.severity),
                    findings: Vec::new(),
                    failing: 0,
                    unlisted: input.unlisted.get(&finding.policy).copied().unwrap_or(0),
                });
                groups.len() - 1
            }
        };
        let Some(group) = groups.get_mut(index) else {
            continue;
        };
        group.failing += usize::from(finding.status == FindingStatus::Fail);
        if !listing.lists(finding) {
            group.unlisted += 1;
            continue;
        }
        group.findings.push(FindingRow {
            finding,
            evidence: finding
                .evidence
                .iter()
                .take(LISTED_EVIDENCE)
                .map(|r| {
                    let href = input
                        .bundle
                        .as_ref()
                        .and_then(|b| Some(format!("{}{}", b.link_base, artifacts.link(r)?)));
                    (r.as_str(), href)
                })
                .collect(),
            unlisted_evidence: finding.evidence.len().saturating_sub(LISTED_EVIDENCE),
        });
    }
    groups.sort_by_key(|g| (g.failing == 0, std::cmp::Reverse(g.severity)));
    groups
}

/// The bundle file each evidence reference points at: a record's raw
/// artifact, the gaps list, or the plan. Indexed once, since a large
/// assessment cites hundreds of thousands of records.
struct Artifacts<'a> {
    runbooks: HashMap<&'a str, &'a str>,
    drills: HashMap<&'a str, &'a str>,
    incidents: HashMap<&'a str, &'a str>,
}

impl<'a> Artifacts<'a> {
    fn new(evidence: Option<&'a Evidence>) -> Self {
        // The first record with a key wins, as a search in evidence order would.
        fn index<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> HashMap<&'a str, &'a str> {
            let mut map = HashMap::new();
            for (key, artifact) in pairs {
                map.entry(key).or_insert(artifact);
            }
            map
        }
        let (runbooks, drills, incidents) = evidence.map_or_else(Default::default, |e| {
            (
                index(
                    e.runbooks
                        .iter()
                        .map(|r| (r.path.as_str(), r.origin.artifact.as_str())),
                ),
                index(
                    e.drills
                        .iter()
                        .map(|d| (d.id.as_str(), d.origin.artifact.as_str())),
                ),
                index(
                    e.incidents
                        .iter()
                        .map(|i| (i.id.as_str(), i.origin.artifact.as_str())),
                ),
            )
        });
        Self {
            runbooks,
            drills,
            incidents,
        }
    }

    fn link(&self, reference: &str) -> Option<String> {
        let (kind, rest) = reference.split_once(':')?;
        let raw = |artifact: &&str| format!("evidence/raw/{artifact}");
        match kind {
            "runbook" => {
                let path = rest.rsplit_once('@').map_or(rest, |(path, _)| path);
                self.runbooks.get(path).map(raw)
            }
            "drill" => self.drills.get(rest).map(raw),
            "incident" => self.incidents.get(rest).map(raw),
            "gap" => Some("evidence/gaps.json".to_owned()),
            "plan" | "capability" => Some("vouch.toml".to_owned()),
            _ => None,
        }
    }
}

fn waivers(input: &Input) -> Vec<WaiverRow> {
    let assessment = &input.assessment;
    let mut waived: HashMap<(&str, &str), usize> = HashMap::new();
    for f in &assessment.findings {
        if f.status == FindingStatus::Waived {
            *waived
                .entry((f.policy.as_str(), f.subject.as_str()))
                .or_default() += 1;
        }
    }
    let applied =
        |policy: &str, subject: &str| waived.get(&(policy, subject)).copied().unwrap_or(0);
    match &input.plan {
        Some(plan) => plan
            .waivers
            .iter()
            .map(|w| WaiverRow {
                policy: w.policy.clone(),
                subject: w.subject.clone(),
                justification: w.justification.clone(),
                approver: w.approver.clone(),
                expires: w.expires,
                applied: applied(&w.policy, &w.subject),
                expired: w.expires < assessment.now.date_naive(),
            })
            .collect(),
        None => {
            let mut rows: Vec<WaiverRow> = Vec::new();
            for finding in &assessment.findings {
                let Some(waiver) = &finding.waiver else {
                    continue;
                };
                if rows
                    .iter()
                    .any(|r| r.policy == finding.policy && r.subject == finding.subject)
                {
                    continue;
                }
                rows.push(WaiverRow {
                    policy: finding.policy.clone(),
                    subject: finding.subject.clone(),
                    justification: waiver.justification.clone(),
                    approver: waiver.approver.clone(),
                    expires: waiver.expires,
                    applied: applied(&finding.policy, &finding.subject),
                    expired: false,
                });
            }
            rows
        }
    }
}

/// `v` in `unit`, for people: `19.6 d`, `87.5%`, `3`, `1h 5m`.
pub fn show(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Days => format!("{v:.1} d"),
        Unit::Share => format!("{:.1}%", v * 100.0),
        Unit::Count => format!("{v:.0}"),
        Unit::Seconds => duration(v),
    }
}

/// Seconds for people: `45s`, `19m`, `1h`, `3h 10m`, `2d 6h`.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // rounded, clamped at 0
pub fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 if s % 3600 < 60 => format!("{}h", s / 3600),
        3600..86_400 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        _ if s % 86_400 < 3600 => format!("{}d", s / 86_400),
        _ => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// The control status's name for people.
pub fn control_status(status: vouch_sdk::assessment::ControlStatus) -> &'static str {
    use vouch_sdk::assessment::ControlStatus;
    match status {
        ControlStatus::Satisfied => "satisfied",
        ControlStatus::NotSatisfied => "not satisfied",
        ControlStatus::NoEvidence => "no evidence",
        ControlStatus::Error => "error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        let shown: Vec<String> = [45.0, 1140.0, 3600.0, 11_400.0, 86_400.0, 108_000.0]
            .into_iter()
            .map(duration)
            .collect();
        assert_eq!(shown, ["45s", "19m", "1h", "3h 10m", "1d", "1d 6h"]);
        assert_eq!(show(Unit::Share, 0.875), "87.5%");
        assert_eq!(show(Unit::Days, 122.34), "122.3 d");
    }

    #[test]
    fn a_chart_keeps_its_worst_rows_in_their_order() {
        let items: Vec<usize> = (0..CHART_ROWS + 5).collect();
        // Every ninth row is the least bad: those five are left out.
        let (kept, omitted) = worst(items, |i| if i % 9 == 0 { -1.0 } else { 0.0 });
        assert_eq!(omitted, 5);
        let expected: Vec<usize> = (0..CHART_ROWS + 5).filter(|i| i % 9 != 0).collect();
        assert_eq!(kept, expected);
        assert_eq!(worst(vec![1, 2], |_| 0.0), (vec![1, 2], 0));
    }

    #[test]
    fn the_drill_timeline_keeps_the_capabilities_failing_most() {
        // Capability `c00` to `c44`, two drills each; `c05` to `c09` fail one.
        let drills: Vec<serde_json::Value> = (0..CHART_ROWS + 5)
            .flat_map(|c| {
                let outcome = if (5..10).contains(&c) { "fail" } else { "pass" };
                [("pass", 1), (outcome, 2)].map(|(outcome, day)| {
                    serde_json::json!({
                        "id": format!("d-{c}-{day}"), "capability": format!("c{c:02}"),
                        "kind": "technical", "title": "t", "outcome": outcome,
                        "started": format!("2026-03-0{day}T00:00:00Z"),
                        "ended": format!("2026-03-0{day}T01:00:00Z"),
                        "origin": { "source": "s", "artifact": "a", "sha256": "00" },
                    })
                })
            })
            .collect();
        let input = Input {
            assessment: serde_json::from_value(serde_json::json!({
                "organisation": "O", "now": "2027-01-01T00:00:00Z",
                "window": { "start": "2026-01-01", "end": "2026-12-31" },
                "policies": [], "findings": [], "controls": [],
            }))
            .unwrap(),
            unlisted: std::collections::BTreeMap::new(),
            plan: None,
            evidence: Some(Evidence {
                drills: serde_json::from_value(serde_json::Value::Array(drills)).unwrap(),
                ..Evidence::default()
            }),
            history: Vec::new(),
            policies: std::collections::BTreeMap::new(),
            bundle: None,
        };
        let view = View::new(&input);
        let marks = view.drills.unwrap();
        let mut lanes: Vec<&str> = marks.iter().map(|m| m.capability.as_str()).collect();
        lanes.dedup();
        assert_eq!(lanes.len(), CHART_ROWS);
        // The five failing lanes stay; of the others, the last five are left out.
        assert!((5..10).all(|c| lanes.contains(&format!("c{c:02}").as_str())));
        assert!(!lanes.contains(&"c40") && lanes.contains(&"c39"));
        assert_eq!(view.drills_omitted, (5, 10));
    }

    #[test]
    fn long_messages_are_cut_on_a_character() {
        let message = "é".repeat(MESSAGE_CHARS + 3);
        assert_eq!(
            shown_message(&message),
            ("é".repeat(MESSAGE_CHARS).as_str(), 3)
        );
        assert_eq!(shown_message("short"), ("short", 0));
    }

    #[test]
    fn commit_ids_are_shortened_for_reading_only() {
        let full = "runbook:runbooks/a.md@84945d03e08eb5f856a26478dff7ab106cfeb8cd";
        assert_eq!(short_reference(full), "runbook:runbooks/a.md@84945d03e08e");
        assert_eq!(short_reference("drill:x@y"), "drill:x@y");
    }
}
