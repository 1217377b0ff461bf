//! Waivers: accepted exceptions from the plan that turn a matching failing
//! finding into `waived` until they expire.
//!
//! A waiver matches a finding when its `policy` and `subject` equal the
//! finding's exactly. It holds through its `expires` day (inclusive, in UTC
//! as of the evaluation's `now`); after that it is ignored, and the
//! assessment says so in a warning so nobody believes a risk is still
//! accepted. Only `fail` is waived: `error` means the policy could not judge,
//! which no waiver can make up for.

use chrono::NaiveDate;
use vouch_sdk::Status;
use vouch_sdk::assessment::{AppliedWaiver, AssessedFinding, FindingStatus};
use vouch_sdk::plan::Waiver;

/// The plan's waivers, sorted into those that hold and those that expired.
#[derive(Debug)]
pub struct Waivers<'a> {
    active: Vec<&'a Waiver>,
    expired: Vec<&'a Waiver>,
}

impl<'a> Waivers<'a> {
    /// Sorts `waivers` by whether they still hold on `today`.
    pub fn new(waivers: &'a [Waiver], today: NaiveDate) -> Self {
        let (active, expired) = waivers.iter().partition(|w| w.expires >= today);
        Self { active, expired }
    }

    /// Warnings for the waivers that no longer hold.
    pub fn warnings(&self) -> Vec<String> {
        self.expired
            .iter()
            .map(|w| {
                format!(
                    "waiver for policy `{}` on `{}` expired on {} and is ignored; renew or remove it",
                    w.policy, w.subject, w.expires
                )
            })
            .collect()
    }

    /// Turns `finding` into `waived` when it fails and an active waiver
    /// covers it.
    pub fn apply(&self, finding: &mut AssessedFinding) {
        if finding.status != FindingStatus::Fail {
            return;
        }
        let Some(waiver) = self
            .active
            .iter()
            .find(|w| w.policy == finding.policy && w.subject == finding.subject)
        else {
            return;
        };
        finding.status = FindingStatus::Waived;
        finding.waiver = Some(AppliedWaiver {
            original_status: Status::Fail,
            justification: waiver.justification.clone(),
            approver: waiver.approver.clone(),
            expires: waiver.expires,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiver(policy: &str, subject: &str, expires: &str) -> Waiver {
        Waiver {
            policy: policy.into(),
            subject: subject.into(),
            justification: "accepted".into(),
            approver: "cto@example.com".into(),
            expires: expires.parse().unwrap(),
        }
    }

    fn finding(policy: &str, subject: &str, status: FindingStatus) -> AssessedFinding {
        AssessedFinding {
            policy: policy.into(),
            commitment: None,
            subject: subject.into(),
            status,
            message: "m".into(),
            evidence: Vec::new(),
            measurements: Vec::new(),
            waiver: None,
        }
    }

    fn today() -> NaiveDate {
        "2026-06-30".parse().unwrap()
    }

    #[test]
    fn a_waiver_holds_through_its_last_day() {
        let plan = [waiver("p", "a", "2026-06-30")];
        let waivers = Waivers::new(&plan, today());
        let mut f = finding("p", "a", FindingStatus::Fail);
        waivers.apply(&mut f);
        assert_eq!(f.status, FindingStatus::Waived);
        let applied = f.waiver.unwrap();
        assert_eq!(applied.original_status, Status::Fail);
        assert_eq!(applied.approver, "cto@example.com");
        assert!(waivers.warnings().is_empty());
    }

    #[test]
    fn an_expired_waiver_is_ignored_with_a_warning() {
        let plan = [waiver("p", "a", "2026-06-29")];
        let waivers = Waivers::new(&plan, today());
        let mut f = finding("p", "a", FindingStatus::Fail);
        waivers.apply(&mut f);
        assert_eq!(f.status, FindingStatus::Fail);
        assert_eq!(
            waivers.warnings(),
            [
                "waiver for policy `p` on `a` expired on 2026-06-29 and is ignored; renew or remove it"
            ]
        );
    }

    #[test]
    fn only_failures_of_the_same_policy_and_subject_are_waived() {
        let plan = [waiver("p", "a", "2027-01-01")];
        let waivers = Waivers::new(&plan, today());
        for (policy, subject, status) in [
            ("p", "b", FindingStatus::Fail),
            ("q", "a", FindingStatus::Fail),
            ("p", "a", FindingStatus::Error),
            ("p", "a", FindingStatus::Warn),
            ("p", "a", FindingStatus::Pass),
        ] {
            let mut f = finding(policy, subject, status);
            waivers.apply(&mut f);
            assert_eq!(f.status, status, "{policy} {subject} {status:?}");
            assert!(f.waiver.is_none());
        }
    }
}
