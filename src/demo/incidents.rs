//! `incidents/incidents.jsonl`: an incident tool's export, one JSON object per
//! line, with the field names the plan's `fields` and `severities` map
//! (`priority` P1..P4, `opened_at`, ...). `postmortem_published_at` and
//! `follow_ups` are extra fields the postmortem checks read. One incident is
//! still open and so has no `resolved_at` at all.

use std::path::Path;

use serde::Serialize;

use super::DemoError;
use super::clock;
use super::people::{AISHA, DANA, KENJI, OLA, PRIYA, Person, TOMASZ};

/// One incident as the table writes it (UTC instants).
#[derive(Debug)]
pub struct Incident {
    /// The tool's id.
    pub id: &'static str,
    title: &'static str,
    /// The service name the tool uses (mapped to capabilities by the plan).
    pub service: &'static str,
    /// `P1`..`P4`.
    pub priority: &'static str,
    /// Opened.
    pub opened: &'static str,
    acknowledged: Option<&'static str>,
    /// First customer-facing status update.
    pub first_update: Option<&'static str>,
    /// Resolved; `None` while open.
    pub resolved: Option<&'static str>,
    /// Postmortem published.
    pub postmortem: Option<&'static str>,
    /// Actions from the postmortem.
    pub follow_ups: &'static [FollowUp],
}

/// An action from a postmortem.
#[derive(Debug)]
pub struct FollowUp {
    title: &'static str,
    owner: Person,
    /// Due day.
    pub due: &'static str,
    /// Closed, or `None` while open.
    pub closed: Option<&'static str>,
}

const fn follow_up(
    title: &'static str,
    owner: Person,
    due: &'static str,
    closed: Option<&'static str>,
) -> FollowUp {
    FollowUp {
        title,
        owner,
        due,
        closed,
    }
}

/// Every incident, oldest first. The checks each one feeds are in `docs/demo.md`.
pub static INCIDENTS: &[Incident] = &[
    // Before the audit window: must not count (it would break payments' RTO and availability).
    Incident {
        id: "INC-1987",
        title: "Card authorisations failing for Visa",
        service: "Payments",
        priority: "P1",
        opened: "2025-10-14 13:05",
        acknowledged: Some("2025-10-14 13:08"),
        first_update: Some("2025-10-14 13:20"),
        resolved: Some("2025-10-14 16:10"),
        postmortem: Some("2025-10-17 10:00"),
        follow_ups: &[follow_up(
            "Alert on the per-brand error rate",
            PRIYA,
            "2025-11-14",
            Some("2025-11-03"),
        )],
    },
    Incident {
        id: "INC-2014",
        title: "Elevated payment latency",
        service: "payments-api",
        priority: "P2",
        opened: "2025-11-21 09:12",
        acknowledged: Some("2025-11-21 09:15"),
        first_update: Some("2025-11-21 09:31"),
        resolved: Some("2025-11-21 09:30"),
        postmortem: Some("2025-11-25 15:00"),
        follow_ups: &[follow_up(
            "Raise the database pool size",
            TOMASZ,
            "2025-12-19",
            Some("2025-12-02"),
        )],
    },
    Incident {
        id: "INC-2031",
        title: "Month-end report late",
        service: "reporting",
        priority: "P3",
        opened: "2026-01-05 08:00",
        acknowledged: Some("2026-01-05 08:40"),
        first_update: None,
        resolved: Some("2026-01-06 04:00"),
        postmortem: None,
        follow_ups: &[],
    },
    Incident {
        id: "INC-2033",
        title: "Ledger primary unavailable",
        service: "ledger-db",
        priority: "P1",
        opened: "2026-01-08 02:47",
        acknowledged: Some("2026-01-08 02:52"),
        first_update: Some("2026-01-08 03:52"),
        resolved: Some("2026-01-08 05:57"),
        postmortem: Some("2026-01-12 16:00"),
        follow_ups: &[
            follow_up(
                "Page team-data directly from the ledger alerts",
                DANA,
                "2026-01-31",
                Some("2026-01-22"),
            ),
            follow_up(
                "Test failover with Patroni",
                DANA,
                "2026-03-31",
                Some("2026-03-18"),
            ),
        ],
    },
    Incident {
        id: "INC-2058",
        title: "Login failures after a signing-key rotation",
        service: "auth",
        priority: "P2",
        opened: "2026-02-03 16:20",
        acknowledged: Some("2026-02-03 16:22"),
        first_update: Some("2026-02-03 16:38"),
        resolved: Some("2026-02-03 16:47"),
        postmortem: Some("2026-02-20 11:00"),
        follow_ups: &[follow_up(
            "Rotate signing keys with an overlap window",
            KENJI,
            "2026-03-15",
            Some("2026-03-02"),
        )],
    },
    Incident {
        id: "INC-2071",
        title: "Card processor timeouts",
        service: "Payments",
        priority: "P1",
        opened: "2026-03-19 11:02",
        acknowledged: Some("2026-03-19 11:04"),
        first_update: Some("2026-03-19 11:49"),
        resolved: Some("2026-03-19 11:54"),
        postmortem: Some("2026-03-23 14:00"),
        follow_ups: &[
            follow_up(
                "Circuit breaker around the processor client",
                TOMASZ,
                "2026-05-31",
                None,
            ),
            follow_up(
                "Status-page template for processor outages",
                PRIYA,
                "2026-04-15",
                Some("2026-04-09"),
            ),
        ],
    },
    Incident {
        id: "INC-2090",
        title: "Checkout pages timing out",
        service: "checkout",
        priority: "P2",
        opened: "2026-04-28 14:10",
        acknowledged: Some("2026-04-28 14:25"),
        first_update: Some("2026-04-28 14:55"),
        resolved: Some("2026-04-28 19:10"),
        postmortem: None,
        follow_ups: &[],
    },
    Incident {
        id: "INC-2102",
        title: "Ledger replication lag",
        service: "ledger-db",
        priority: "P2",
        opened: "2026-05-30 22:15",
        acknowledged: Some("2026-05-30 22:20"),
        first_update: Some("2026-05-30 22:35"),
        resolved: Some("2026-05-31 00:10"),
        postmortem: Some("2026-06-04 12:00"),
        follow_ups: &[follow_up(
            "Alert on replication lag over 30 s",
            DANA,
            "2026-06-30",
            Some("2026-06-19"),
        )],
    },
    // A service no capability names: reported as unmatched.
    Incident {
        id: "INC-2109",
        title: "Wiki unavailable",
        service: "confluence",
        priority: "P4",
        opened: "2026-06-11 09:00",
        acknowledged: Some("2026-06-11 09:30"),
        first_update: None,
        resolved: Some("2026-06-11 10:15"),
        postmortem: None,
        follow_ups: &[],
    },
    Incident {
        id: "INC-2117",
        title: "Duplicated payment retries",
        service: "payments-api",
        priority: "P2",
        opened: "2026-07-08 08:40",
        acknowledged: Some("2026-07-08 08:43"),
        first_update: Some("2026-07-08 09:02"),
        resolved: Some("2026-07-08 09:05"),
        postmortem: Some("2026-07-10 10:00"),
        follow_ups: &[follow_up(
            "Idempotency keys on retries",
            PRIYA,
            "2026-08-31",
            Some("2026-08-14"),
        )],
    },
    Incident {
        id: "INC-2123",
        title: "Storefront images slow",
        service: "storefront",
        priority: "P3",
        opened: "2026-08-02 10:00",
        acknowledged: Some("2026-08-02 10:12"),
        first_update: None,
        resolved: Some("2026-08-02 11:00"),
        postmortem: None,
        follow_ups: &[],
    },
    Incident {
        id: "INC-2127",
        title: "Merchant search returns stale results",
        service: "search",
        priority: "P3",
        opened: "2026-08-11 10:00",
        acknowledged: Some("2026-08-11 10:30"),
        first_update: Some("2026-08-11 11:15"),
        resolved: Some("2026-08-12 16:00"),
        postmortem: None,
        follow_ups: &[],
    },
    Incident {
        id: "INC-2130",
        title: "Login outage in the EU",
        service: "identity",
        priority: "P1",
        opened: "2026-08-26 07:55",
        acknowledged: Some("2026-08-26 07:57"),
        first_update: Some("2026-08-26 08:10"),
        resolved: Some("2026-08-26 08:18"),
        postmortem: Some("2026-08-29 09:00"),
        follow_ups: &[follow_up(
            "Synthetic login probe from every region",
            AISHA,
            "2026-09-30",
            Some("2026-09-22"),
        )],
    },
    Incident {
        id: "INC-2149",
        title: "SMS passcodes delayed",
        service: "notifications",
        priority: "P2",
        opened: "2026-09-15 12:00",
        acknowledged: Some("2026-09-15 12:06"),
        first_update: Some("2026-09-15 13:20"),
        resolved: Some("2026-09-15 14:00"),
        postmortem: Some("2026-09-24 10:00"),
        follow_ups: &[follow_up(
            "Automatic fallback to the secondary SMS provider",
            OLA,
            "2026-11-15",
            None,
        )],
    },
    // Tier 3: the postmortem is not due until 2026-11-04.
    Incident {
        id: "INC-2162",
        title: "Finance exports failing",
        service: "reporting",
        priority: "P2",
        opened: "2026-10-05 07:30",
        acknowledged: Some("2026-10-05 07:45"),
        first_update: Some("2026-10-05 09:10"),
        resolved: Some("2026-10-05 12:30"),
        postmortem: None,
        follow_ups: &[],
    },
    // Still open at the evaluation time.
    Incident {
        id: "INC-2168",
        title: "Email receipts delayed",
        service: "notifications",
        priority: "P3",
        opened: "2026-10-31 21:10",
        acknowledged: Some("2026-10-31 21:25"),
        first_update: Some("2026-10-31 21:50"),
        resolved: None,
        postmortem: None,
        follow_ups: &[],
    },
];

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    title: &'a str,
    service: &'a str,
    priority: &'a str,
    status: &'a str,
    opened_at: String,
    acknowledged_at: Option<String>,
    first_customer_update_at: Option<String>,
    // Left out, not null, while open: exports omit what they do not have.
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved_at: Option<String>,
    postmortem_published_at: Option<String>,
    follow_ups: Vec<FollowUpRow<'a>>,
}

#[derive(Serialize)]
struct FollowUpRow<'a> {
    title: &'a str,
    owner: &'a str,
    due: &'a str,
    closed_at: Option<String>,
}

/// Writes the export to `path`; returns how many incidents, and how many open.
pub fn write(path: &Path) -> Result<(usize, usize), DemoError> {
    let stamp = |t: Option<&str>| t.map(|t| clock::at(t).map(clock::utc)).transpose();
    let mut text = String::new();
    for incident in INCIDENTS {
        let row = Row {
            id: incident.id,
            title: incident.title,
            service: incident.service,
            priority: incident.priority,
            status: if incident.resolved.is_some() {
                "resolved"
            } else {
                "investigating"
            },
            opened_at: clock::utc(clock::at(incident.opened)?),
            acknowledged_at: stamp(incident.acknowledged)?,
            first_customer_update_at: stamp(incident.first_update)?,
            resolved_at: stamp(incident.resolved)?,
            postmortem_published_at: stamp(incident.postmortem)?,
            follow_ups: incident
                .follow_ups
                .iter()
                .map(|f| {
                    Ok(FollowUpRow {
                        title: f.title,
                        owner: f.owner.email,
                        due: f.due,
                        closed_at: stamp(f.closed)?,
                    })
                })
                .collect::<Result<_, DemoError>>()?,
        };
        text.push_str(&serde_json::to_string(&row)?);
        text.push('\n');
    }
    super::write_file(path, text.as_bytes())?;
    let open = INCIDENTS.iter().filter(|i| i.resolved.is_none()).count();
    Ok((INCIDENTS.len(), open))
}
