//! Continuity metrics from an assessment's findings: the numbers a programme
//! is steered by (runbook age, drill pass rate, RTO attainment, ...).
//!
//! Only the policies' own runs count: a commitment's run judges a narrowed
//! scope and would count its subjects twice. Everything here is a function
//! of the findings, so a replay that reproduces the findings reproduces the
//! metrics. A metric whose policy did not run, failed, or measured nothing is
//! `None`, never 0: no evidence is not good news.

use vouch_sdk::assessment::{AssessedFinding, FindingStatus, Metrics, PolicyRun};

/// The policies and measurement names the metrics read (docs/audit-package.md).
mod source {
    pub const FRESHNESS: &str = "runbook-freshness";
    pub const UNTESTED: &str = "untested-critical-workflows";
    pub const DRILLS: &str = "drill-pass-rate";
    pub const RTO: &str = "rto-attainment";
    pub const RPO: &str = "rpo-attainment";
    pub const COMMUNICATION: &str = "incident-communication";
    pub const POSTMORTEM: &str = "postmortem-completion";
}

/// Computes the metrics from the policy runs and findings of one assessment.
pub fn compute(runs: &[PolicyRun], findings: &[AssessedFinding]) -> Metrics {
    let own = Own { runs, findings };
    let ages = own.values(source::FRESHNESS, "age");
    let latencies = own.values(source::COMMUNICATION, "first_update_latency");
    Metrics {
        runbook_age_median_days: median(&ages),
        runbook_age_worst_days: max(&ages),
        runbooks_within_max_age: own.within_max_age(),
        untested_critical_workflows: own.ran(source::UNTESTED).then(|| {
            // A waiver accepts the risk; it does not test the workflow.
            own.of(source::UNTESTED)
                .filter(|f| matches!(f.status, FindingStatus::Fail | FindingStatus::Waived))
                .count() as u64
        }),
        drill_pass_rate: own.ratio(source::DRILLS, "passed", "drills"),
        rto_attainment: own.weighted(source::RTO, "attainment", "recoveries"),
        rpo_attainment: own.weighted(source::RPO, "attainment", "measurements"),
        first_update_latency_median_seconds: median(&latencies),
        first_update_latency_worst_seconds: max(&latencies),
        open_follow_ups: own.count(source::POSTMORTEM, "open_follow_ups"),
        overdue_follow_ups: own.count(source::POSTMORTEM, "overdue_follow_ups"),
    }
}

/// The findings of the policies' own runs.
struct Own<'a> {
    runs: &'a [PolicyRun],
    findings: &'a [AssessedFinding],
}

impl<'a> Own<'a> {
    /// Whether `policy`'s own run finished with a judgement.
    fn ran(&self, policy: &str) -> bool {
        self.runs
            .iter()
            .any(|r| r.id == policy && r.commitment.is_none() && r.error.is_none())
    }

    fn of(&self, policy: &'a str) -> impl Iterator<Item = &'a AssessedFinding> + 'a {
        self.findings
            .iter()
            .filter(move |f| f.policy == policy && f.commitment.is_none())
    }

    /// Every finite value of measurement `name` in `policy`'s findings.
    fn values(&self, policy: &'a str, name: &str) -> Vec<f64> {
        self.of(policy).filter_map(|f| measure(f, name)).collect()
    }

    /// Runbooks that meet their maximum age (or are waived) over runbooks judged.
    fn within_max_age(&self) -> Option<f64> {
        let judged: Vec<FindingStatus> = self
            .of(source::FRESHNESS)
            .map(|f| f.status)
            .filter(|s| *s != FindingStatus::NotApplicable)
            .collect();
        let within = judged
            .iter()
            .filter(|s| {
                matches!(
                    s,
                    FindingStatus::Pass | FindingStatus::Warn | FindingStatus::Waived
                )
            })
            .count();
        (!judged.is_empty()).then(|| within as f64 / judged.len() as f64)
    }

    /// Σ `part` / Σ `whole` over the findings that carry both.
    fn ratio(&self, policy: &'a str, part: &str, whole: &str) -> Option<f64> {
        let (parts, wholes) = self
            .of(policy)
            .filter_map(|f| Some((measure(f, part)?, measure(f, whole)?)))
            .fold((0.0, 0.0), |(p, w), (part, whole)| (p + part, w + whole));
        (wholes > 0.0).then(|| parts / wholes)
    }

    /// The mean of `value` weighted by `weight`, over the findings that carry both.
    fn weighted(&self, policy: &'a str, value: &str, weight: &str) -> Option<f64> {
        let (sum, weights) = self
            .of(policy)
            .filter_map(|f| Some((measure(f, value)?, measure(f, weight)?)))
            .fold((0.0, 0.0), |(s, w), (value, weight)| {
                (s + value * weight, w + weight)
            });
        (weights > 0.0).then(|| sum / weights)
    }

    /// The sum of a count over `policy`'s findings: 0 when its run found
    /// nothing to count, `None` when it did not run.
    fn count(&self, policy: &'a str, name: &str) -> Option<u64> {
        self.ran(policy).then(|| {
            self.values(policy, name)
                .iter()
                .map(|v| v.max(0.0).round() as u64)
                .sum()
        })
    }
}

fn measure(finding: &AssessedFinding, name: &str) -> Option<f64> {
    finding
        .measurements
        .iter()
        .find(|m| m.name == name)
        .map(|m| m.value)
        .filter(|v| v.is_finite())
}

fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => sorted.get(mid).copied(),
        _ => Some((sorted.get(mid - 1)? + sorted.get(mid)?) / 2.0),
    }
}

fn max(values: &[f64]) -> Option<f64> {
    values.iter().copied().max_by(f64::total_cmp)
}

#[cfg(test)]
mod tests {
    use vouch_sdk::Measurement;

    use super::*;
    use FindingStatus::{Error, Fail, NotApplicable, Pass, Waived, Warn};

    fn run(id: &str) -> PolicyRun {
        // Through JSON, as an assessment file holds it, so fields added later default.
        serde_json::from_value(serde_json::json!({
            "id": id, "version": "1.0.0", "sha256": "00", "fuel_used": 1,
        }))
        .unwrap()
    }

    fn finding(
        policy: &str,
        status: FindingStatus,
        measurements: &[(&str, f64)],
    ) -> AssessedFinding {
        AssessedFinding {
            policy: policy.into(),
            commitment: None,
            subject: "s".into(),
            status,
            message: String::new(),
            evidence: Vec::new(),
            measurements: measurements
                .iter()
                .map(|(n, v)| Measurement::new(*n, *v))
                .collect(),
            waiver: None,
        }
    }

    #[test]
    fn nothing_ran_means_no_metric_at_all() {
        assert_eq!(compute(&[], &[]), Metrics::default());
        let json = serde_json::to_value(Metrics::default()).unwrap();
        assert!(json.as_object().unwrap().values().all(|v| v.is_null()));
    }

    #[test]
    fn runbook_ages_give_median_worst_and_share_within() {
        let findings = [
            finding(
                "runbook-freshness",
                Pass,
                &[("age", 10.0), ("max_age", 90.0)],
            ),
            finding(
                "runbook-freshness",
                Fail,
                &[("age", 200.0), ("max_age", 90.0)],
            ),
            finding(
                "runbook-freshness",
                Waived,
                &[("age", 400.0), ("max_age", 365.0)],
            ),
            finding(
                "runbook-freshness",
                Pass,
                &[("age", 30.0), ("max_age", 90.0)],
            ),
            finding("runbook-freshness", NotApplicable, &[]),
        ];
        let metrics = compute(&[run("runbook-freshness")], &findings);
        assert_eq!(metrics.runbook_age_median_days, Some(115.0));
        assert_eq!(metrics.runbook_age_worst_days, Some(400.0));
        assert_eq!(metrics.runbooks_within_max_age, Some(0.75));
    }

    #[test]
    fn commitment_runs_are_not_counted() {
        let mut committed = finding("runbook-freshness", Fail, &[("age", 999.0)]);
        committed.commitment = Some("msa:1".into());
        let findings = [
            finding("runbook-freshness", Pass, &[("age", 5.0)]),
            committed,
        ];
        let metrics = compute(&[run("runbook-freshness")], &findings);
        assert_eq!(metrics.runbook_age_worst_days, Some(5.0));
        assert_eq!(metrics.runbooks_within_max_age, Some(1.0));
    }

    #[test]
    fn untested_workflows_count_failures_only_when_the_policy_ran() {
        let findings = [
            finding("untested-critical-workflows", Fail, &[]),
            finding("untested-critical-workflows", Waived, &[]),
            finding("untested-critical-workflows", Pass, &[]),
            finding("untested-critical-workflows", Warn, &[]),
        ];
        let ran = compute(&[run("untested-critical-workflows")], &findings);
        assert_eq!(ran.untested_critical_workflows, Some(2));
        let clean = compute(&[run("untested-critical-workflows")], &[]);
        assert_eq!(clean.untested_critical_workflows, Some(0));
        let broken = PolicyRun {
            error: Some("trapped".into()),
            ..run("untested-critical-workflows")
        };
        assert_eq!(compute(&[broken], &[]).untested_critical_workflows, None);
    }

    #[test]
    fn drill_pass_rate_pools_every_capability() {
        let findings = [
            finding(
                "drill-pass-rate",
                Pass,
                &[("passed", 13.0), ("drills", 14.0)],
            ),
            finding("drill-pass-rate", Fail, &[("passed", 1.0), ("drills", 2.0)]),
            finding("drill-pass-rate", Fail, &[("passed", 0.0), ("drills", 0.0)]),
        ];
        let metrics = compute(&[run("drill-pass-rate")], &findings);
        assert_eq!(metrics.drill_pass_rate, Some(14.0 / 16.0));
        let none = [finding(
            "drill-pass-rate",
            Fail,
            &[("passed", 0.0), ("drills", 0.0)],
        )];
        assert_eq!(
            compute(&[run("drill-pass-rate")], &none).drill_pass_rate,
            None
        );
    }

    #[test]
    fn attainment_is_weighted_by_recoveries_and_measurements() {
        let findings = [
            finding(
                "rto-attainment",
                Pass,
                &[("attainment", 1.0), ("recoveries", 6.0)],
            ),
            finding(
                "rto-attainment",
                Fail,
                &[("attainment", 0.5), ("recoveries", 2.0)],
            ),
            finding(
                "rto-attainment",
                NotApplicable,
                &[("attainment", 0.0), ("recoveries", 0.0)],
            ),
            finding(
                "rpo-attainment",
                Fail,
                &[("attainment", 0.5), ("measurements", 2.0)],
            ),
            finding(
                "rpo-attainment",
                Pass,
                &[("attainment", 1.0), ("measurements", 3.0)],
            ),
        ];
        let metrics = compute(&[run("rto-attainment"), run("rpo-attainment")], &findings);
        assert_eq!(metrics.rto_attainment, Some(7.0 / 8.0));
        assert_eq!(metrics.rpo_attainment, Some(4.0 / 5.0));
    }

    #[test]
    fn first_update_latency_median_and_worst() {
        let findings = [
            finding(
                "incident-communication",
                Pass,
                &[("first_update_latency", 1140.0)],
            ),
            finding(
                "incident-communication",
                Fail,
                &[("first_update_latency", 3900.0)],
            ),
            finding(
                "incident-communication",
                Pass,
                &[("first_update_latency", 900.0)],
            ),
            finding("incident-communication", Error, &[]),
        ];
        let metrics = compute(&[run("incident-communication")], &findings);
        assert_eq!(metrics.first_update_latency_median_seconds, Some(1140.0));
        assert_eq!(metrics.first_update_latency_worst_seconds, Some(3900.0));
    }

    #[test]
    fn backlog_sums_open_and_overdue_follow_ups() {
        let findings = [
            finding(
                "postmortem-completion",
                Fail,
                &[("open_follow_ups", 1.0), ("overdue_follow_ups", 1.0)],
            ),
            finding(
                "postmortem-completion",
                Pass,
                &[("open_follow_ups", 1.0), ("overdue_follow_ups", 0.0)],
            ),
            finding(
                "postmortem-completion",
                Pass,
                &[("postmortem_delay", 3600.0)],
            ),
        ];
        let metrics = compute(&[run("postmortem-completion")], &findings);
        assert_eq!(metrics.open_follow_ups, Some(2));
        assert_eq!(metrics.overdue_follow_ups, Some(1));
        let quiet = compute(&[run("postmortem-completion")], &[]);
        assert_eq!(quiet.open_follow_ups, Some(0));
        assert_eq!(compute(&[], &[]).open_follow_ups, None);
    }
}
