//! Vouch drill records: one JSON file per exercise that no tool records for
//! us — tabletops, restore tests, failovers, hand-run technical drills. The
//! format is documented in `docs/demo.md`.

use std::path::Path;

use chrono::Duration;
use serde::Serialize;

use crate::demo::DemoError;
use crate::demo::clock::{self, Zone};
use crate::demo::people::{AISHA, DANA, KENJI, LUCIA, MARCO, NIAMH, OLA, PRIYA, Person, TOMASZ};

/// The kind of exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A discussion-based walk through a scenario.
    Tabletop,
    /// Data restored from backup and checked.
    Restore,
    /// A dependency failed over while the capability is watched.
    Failover,
    /// Fault injection run by hand.
    Technical,
}

/// Whether the exercise met its objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It did.
    Pass,
    /// It did not.
    Fail,
}

/// A restore test's data check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Integrity {
    /// The restored data matched.
    Passed,
    /// It did not.
    Failed,
}

/// An action agreed in an exercise.
#[derive(Debug)]
pub struct Finding {
    title: &'static str,
    owner: Person,
    due: &'static str,
    closed: Option<&'static str>,
}

/// One exercise.
#[derive(Debug)]
pub struct Record {
    /// Also the file name.
    pub id: &'static str,
    /// The capability exercised (for failovers: the one watched).
    pub capability: &'static str,
    /// For failovers: the capability failed over.
    pub dependency: Option<&'static str>,
    /// The kind of exercise.
    pub kind: Kind,
    scenario: &'static str,
    /// Start, UTC.
    pub started: &'static str,
    minutes: i64,
    /// Where the organiser is; the record shows local time.
    zone: Zone,
    /// Pass or fail.
    pub outcome: Outcome,
    /// Seconds until service was back.
    pub recovery: Option<u64>,
    /// Seconds of data lost.
    pub data_loss: Option<u64>,
    /// Restore tests: the data check.
    pub integrity: Option<Integrity>,
    participants: &'static [Person],
    findings: &'static [Finding],
}

const fn finding(
    title: &'static str,
    owner: Person,
    due: &'static str,
    closed: Option<&'static str>,
) -> Finding {
    Finding {
        title,
        owner,
        due,
        closed,
    }
}

/// Every recorded exercise. Which checks each one feeds is in `docs/demo.md`.
pub static RECORDS: &[Record] = &[
    Record {
        id: "tabletop-2025-12-03-checkout",
        capability: "checkout-web",
        dependency: None,
        kind: Kind::Tabletop,
        scenario: "Peak-season storefront degradation while payments are slow",
        started: "2025-12-03 14:00",
        minutes: 120,
        zone: Zone::Central,
        outcome: Outcome::Pass,
        recovery: None,
        data_loss: None,
        integrity: None,
        participants: &[LUCIA, MARCO, PRIYA],
        findings: &[finding(
            "Add the lite checkout page to the degraded runbook",
            LUCIA,
            "2026-06-30",
            Some("2026-06-10"),
        )],
    },
    Record {
        id: "restore-2025-12-09-reporting",
        capability: "reporting",
        dependency: None,
        kind: Kind::Restore,
        scenario: "Restore the reporting warehouse from last night's snapshot",
        started: "2025-12-09 08:00",
        minutes: 1800,
        zone: Zone::London,
        outcome: Outcome::Pass,
        recovery: Some(108_000),
        data_loss: Some(72_000),
        integrity: None,
        participants: &[NIAMH],
        findings: &[finding(
            "Add integrity checks to the restore test",
            NIAMH,
            "2026-03-31",
            Some("2026-04-15"),
        )],
    },
    Record {
        id: "technical-2026-01-20-identity",
        capability: "identity",
        dependency: None,
        kind: Kind::Technical,
        scenario: "Evacuate identity from eu-west-1",
        started: "2026-01-20 10:00",
        minutes: 40,
        zone: Zone::London,
        outcome: Outcome::Pass,
        recovery: Some(1080),
        data_loss: Some(0),
        integrity: None,
        participants: &[KENJI, AISHA],
        findings: &[],
    },
    Record {
        id: "restore-2026-01-27-ledger",
        capability: "ledger-db",
        dependency: None,
        kind: Kind::Restore,
        scenario: "Point-in-time restore of the ledger to a staging instance",
        started: "2026-01-27 14:00",
        minutes: 90,
        zone: Zone::Toronto,
        outcome: Outcome::Pass,
        recovery: Some(5400),
        data_loss: Some(30),
        integrity: Some(Integrity::Passed),
        participants: &[DANA, TOMASZ],
        findings: &[],
    },
    Record {
        id: "tabletop-2026-02-10-ledger",
        capability: "ledger-db",
        dependency: None,
        kind: Kind::Tabletop,
        scenario: "Ledger primary lost during the month-end close",
        started: "2026-02-10 15:00",
        minutes: 90,
        zone: Zone::Toronto,
        outcome: Outcome::Pass,
        recovery: None,
        data_loss: None,
        integrity: None,
        participants: &[DANA, TOMASZ, NIAMH],
        findings: &[finding(
            "Script the write freeze",
            DANA,
            "2026-04-30",
            Some("2026-06-20"),
        )],
    },
    Record {
        id: "failover-2026-02-12-payments-identity",
        capability: "payments-api",
        dependency: Some("identity"),
        kind: Kind::Failover,
        scenario: "Identity fails over to the secondary region during card traffic",
        started: "2026-02-12 10:00",
        minutes: 60,
        zone: Zone::London,
        outcome: Outcome::Pass,
        recovery: Some(1260),
        data_loss: None,
        integrity: None,
        participants: &[PRIYA, KENJI],
        findings: &[],
    },
    Record {
        id: "tabletop-2026-03-24-notifications",
        capability: "notifications",
        dependency: None,
        kind: Kind::Tabletop,
        scenario: "Email and SMS providers down on the same morning",
        started: "2026-03-24 10:00",
        minutes: 60,
        zone: Zone::London,
        outcome: Outcome::Pass,
        recovery: None,
        data_loss: None,
        integrity: None,
        participants: &[OLA, KENJI],
        findings: &[finding(
            "Replay the outbox after an email outage",
            OLA,
            "2026-09-30",
            Some("2026-08-01"),
        )],
    },
    Record {
        id: "restore-2026-04-15-reporting",
        capability: "reporting",
        dependency: None,
        kind: Kind::Restore,
        scenario: "Restore the warehouse and reconcile it against the ledger",
        started: "2026-04-15 07:00",
        minutes: 1560,
        zone: Zone::London,
        outcome: Outcome::Fail,
        recovery: Some(93_600),
        data_loss: Some(64_800),
        integrity: Some(Integrity::Failed),
        participants: &[NIAMH, DANA],
        findings: &[finding(
            "Reconciliation totals differ by 0.4% after the restore",
            NIAMH,
            "2026-06-30",
            None,
        )],
    },
    Record {
        id: "technical-2026-05-12-ledger",
        capability: "ledger-db",
        dependency: None,
        kind: Kind::Technical,
        scenario: "Promote the ledger replica in eu-west-2",
        started: "2026-05-12 13:00",
        minutes: 45,
        zone: Zone::Toronto,
        outcome: Outcome::Pass,
        recovery: Some(2280),
        data_loss: Some(4),
        integrity: None,
        participants: &[DANA, TOMASZ],
        findings: &[],
    },
    Record {
        id: "failover-2026-05-27-checkout-payments",
        capability: "checkout-web",
        dependency: Some("payments-api"),
        kind: Kind::Failover,
        scenario: "Payments API fails over to the secondary cluster during checkout",
        started: "2026-05-27 09:00",
        minutes: 45,
        zone: Zone::Central,
        outcome: Outcome::Pass,
        recovery: Some(900),
        data_loss: None,
        integrity: None,
        participants: &[LUCIA, PRIYA],
        findings: &[],
    },
    Record {
        id: "restore-2026-06-02-identity",
        capability: "identity",
        dependency: None,
        kind: Kind::Restore,
        scenario: "Restore the session store from its RDB snapshot",
        started: "2026-06-02 13:00",
        minutes: 25,
        zone: Zone::London,
        outcome: Outcome::Pass,
        recovery: Some(1500),
        data_loss: Some(1500),
        integrity: Some(Integrity::Passed),
        participants: &[AISHA, KENJI],
        findings: &[finding(
            "Snapshot every 5 minutes instead of every 30",
            AISHA,
            "2026-09-30",
            None,
        )],
    },
    Record {
        id: "tabletop-2026-06-18-payments",
        capability: "payments-api",
        dependency: None,
        kind: Kind::Tabletop,
        scenario: "Card processor outage on a Friday evening",
        started: "2026-06-18 13:00",
        minutes: 120,
        zone: Zone::London,
        outcome: Outcome::Pass,
        recovery: None,
        data_loss: None,
        integrity: None,
        participants: &[PRIYA, TOMASZ, DANA, LUCIA],
        findings: &[finding(
            "Rehearse escalation to the CTO",
            PRIYA,
            "2026-10-31",
            Some("2026-10-12"),
        )],
    },
    Record {
        id: "failover-2026-08-20-payments-ledger",
        capability: "payments-api",
        dependency: Some("ledger-db"),
        kind: Kind::Failover,
        scenario: "Ledger primary fails over while payments take traffic",
        started: "2026-08-20 14:00",
        minutes: 40,
        zone: Zone::London,
        outcome: Outcome::Pass,
        recovery: Some(540),
        data_loss: None,
        integrity: None,
        participants: &[PRIYA, DANA, TOMASZ],
        findings: &[],
    },
    Record {
        id: "failover-2026-09-09-payments-identity",
        capability: "payments-api",
        dependency: Some("identity"),
        kind: Kind::Failover,
        scenario: "Identity fails over to the secondary region during card traffic",
        started: "2026-09-09 10:00",
        minutes: 60,
        zone: Zone::London,
        outcome: Outcome::Fail,
        recovery: Some(2400),
        data_loss: None,
        integrity: None,
        participants: &[PRIYA, AISHA],
        findings: &[finding(
            "Payments keeps identity tokens across the failover; re-validate on 401",
            PRIYA,
            "2026-11-30",
            None,
        )],
    },
    Record {
        id: "tabletop-2026-09-10-identity",
        capability: "identity",
        dependency: None,
        kind: Kind::Tabletop,
        scenario: "Credential-stuffing attack forces a login lockdown",
        started: "2026-09-10 09:30",
        minutes: 90,
        zone: Zone::London,
        outcome: Outcome::Pass,
        recovery: None,
        data_loss: None,
        integrity: None,
        participants: &[KENJI, AISHA, OLA],
        findings: &[finding(
            "Cover passkey logins in the login-outage runbook",
            KENJI,
            "2026-10-31",
            Some("2026-10-02"),
        )],
    },
    Record {
        id: "restore-2026-09-17-ledger",
        capability: "ledger-db",
        dependency: None,
        kind: Kind::Restore,
        scenario: "Point-in-time restore of the ledger to a staging instance",
        started: "2026-09-17 14:00",
        minutes: 100,
        zone: Zone::Toronto,
        outcome: Outcome::Pass,
        recovery: Some(6000),
        data_loss: Some(12),
        integrity: Some(Integrity::Passed),
        participants: &[DANA],
        findings: &[],
    },
];

/// The file format (`"vouch_drill": 1`).
#[derive(Serialize)]
struct RecordDoc<'a> {
    vouch_drill: u32,
    id: &'a str,
    capability: &'a str,
    scenario: &'a str,
    kind: Kind,
    started: String,
    ended: String,
    outcome: Outcome,
    recovery_seconds: Option<u64>,
    data_loss_seconds: Option<u64>,
    integrity_check: Option<Integrity>,
    dependency: Option<&'a str>,
    participants: Vec<&'a str>,
    findings: Vec<FindingDoc<'a>>,
}

#[derive(Serialize)]
struct FindingDoc<'a> {
    title: &'a str,
    owner: &'a str,
    due: &'a str,
    closed: Option<&'a str>,
}

/// Writes `<dir>/<kind>/<id>.json` for every record; returns how many.
pub fn write(dir: &Path) -> Result<usize, DemoError> {
    for record in RECORDS {
        let started = clock::at(record.started)?;
        let doc = RecordDoc {
            vouch_drill: 1,
            id: record.id,
            capability: record.capability,
            scenario: record.scenario,
            kind: record.kind,
            started: clock::local(started, record.zone),
            ended: clock::local(started + Duration::minutes(record.minutes), record.zone),
            outcome: record.outcome,
            recovery_seconds: record.recovery,
            data_loss_seconds: record.data_loss,
            integrity_check: record.integrity,
            dependency: record.dependency,
            participants: record.participants.iter().map(|p| p.email).collect(),
            findings: record
                .findings
                .iter()
                .map(|f| FindingDoc {
                    title: f.title,
                    owner: f.owner.email,
                    due: f.due,
                    closed: f.closed,
                })
                .collect(),
        };
        let kind = serde_json::to_value(record.kind)?;
        let folder = kind.as_str().unwrap_or("other");
        crate::demo::write_json(&dir.join(folder).join(format!("{}.json", record.id)), &doc)?;
    }
    Ok(RECORDS.len())
}
