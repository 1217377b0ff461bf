//! The runbook repository's history, January 2025 to October 2026: a table of
//! the commits and merges the scenario depends on, plus routine edits spread
//! by a seeded PRNG over each file's life until its `settle` date (so the
//! scripted commits are the last to touch each file).
//!
//! The table is where the outcomes come from: the last change of each runbook
//! (fresh or stale), the last change of each code area (drift), renames,
//! merges whose side branch changed a runbook, and a merge that itself edits
//! one. `docs/demo.md` lists what each check should conclude.

mod replay;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};

use super::DemoError;
use super::clock::{self, Instant};
use super::files::{self, CodeGroup, TEXTS};
use super::people::{
    AISHA, BOTS, DANA, KENJI, LUCIA, MARCO, NIAMH, OLA, PRIYA, Person, SAM, TOMASZ, TOMASZ_GITHUB,
};
use super::rng::Rng;

pub use self::replay::replay;

/// What one commit does to a file, named by its key in [`files`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Creates the file at its catalogue path.
    Add(&'static str),
    /// A new revision, with this note in a document's revision history.
    Edit(&'static str, &'static str),
    /// Moves the file, content unchanged.
    Rename(&'static str, &'static str),
    /// Removes the file.
    Delete(&'static str),
}

/// One commit or merge of the scripted history.
#[derive(Debug)]
pub struct Step {
    /// When, in UTC (`YYYY-MM-DD HH:MM`).
    pub at: &'static str,
    /// Who.
    pub by: Person,
    /// The branch it lands on.
    pub branch: &'static str,
    /// A commit, or a merge of another branch.
    pub kind: StepKind,
}

/// What a scripted step is.
#[derive(Debug)]
pub enum StepKind {
    /// An ordinary commit.
    Commit {
        /// The commit message.
        message: &'static str,
        /// What it changes.
        changes: &'static [Change],
    },
    /// A merge of `from` into the step's branch; `changes` are made in the
    /// merge commit itself (a conflict resolution).
    Merge {
        /// The branch merged in.
        from: &'static str,
        /// The pull request's title.
        title: &'static str,
        /// What the merge itself changes.
        changes: &'static [Change],
    },
}

const fn commit(
    at: &'static str,
    by: Person,
    branch: &'static str,
    message: &'static str,
    changes: &'static [Change],
) -> Step {
    Step {
        at,
        by,
        branch,
        kind: StepKind::Commit { message, changes },
    }
}

const fn merge(
    at: &'static str,
    by: Person,
    from: &'static str,
    into: &'static str,
    title: &'static str,
    changes: &'static [Change],
) -> Step {
    Step {
        at,
        by,
        branch: into,
        kind: StepKind::Merge {
            from,
            title,
            changes,
        },
    }
}

use Change::{Add, Delete, Edit, Rename};

/// The default branch.
pub const MAIN: &str = "main";

/// The commits the scenario depends on, in time order.
#[rustfmt::skip] // a table: one step per line reads better than rustfmt's layout
pub static SCRIPT: &[Step] = &[
    commit("2025-01-06 10:12", PRIYA, MAIN, "Import runbooks and service configuration from the wiki", &[
        Add("readme"), Add("runbooks-readme"), Add("renovate"), Add("ci"), Add("pay-incident"),
        Add("pay-failover"), Add("ledger-failover"), Add("id-login"), Add("co-storefront"), Add("rp-close"),
        Add("pay-helm"), Add("pay-client"), Add("pay-refunds-code"), Add("ledger-tf"),
        Add("ledger-replication"), Add("ledger-backup"), Add("id-helm"), Add("id-session-code"),
        Add("id-tokens"), Add("co-helm"), Add("co-cart"), Add("co-iframe"), Add("rp-helm"),
        Add("rp-close-sql"),
    ]),
    commit("2025-01-08 15:40", SAM, MAIN, "docs: add the on-call handbook", &[Add("oncall")]),
    commit("2025-02-03 16:05", DANA, MAIN, "ledger: add the point-in-time restore runbook", &[Add("ledger-pitr")]),
    commit("2025-02-10 14:22", MARCO, MAIN, "search: add the indexer and its reindex runbook", &[
        Add("se-helm"), Add("se-indexer"), Add("search-reindex"),
    ]),
    commit("2025-02-24 09:48", OLA, MAIN, "notifications: add the service and the email provider runbook", &[
        Add("nt-helm"), Add("nt-sender"), Add("nt-providers"), Add("nt-email"),
    ]),
    commit("2025-03-17 16:03", TOMASZ, MAIN, "payments: add the refund backlog runbook", &[Add("pay-refunds")]),
    // A side branch that merges main in before being merged back: history git simplifies.
    commit("2025-04-02 13:30", TOMASZ_GITHUB, "pay/refund-reconciliation", "payments: nightly refund reconciliation job", &[
        Add("pay-reconcile"),
    ]),
    merge("2025-04-10 09:15", TOMASZ, MAIN, "pay/refund-reconciliation", "", &[]),
    commit("2025-04-11 10:20", TOMASZ, "pay/refund-reconciliation", "payments: reconcile refunds against the ledger export", &[
        Edit("pay-reconcile", ""),
    ]),
    merge("2025-04-14 14:02", PRIYA, "pay/refund-reconciliation", MAIN, "Nightly refund reconciliation", &[]),
    commit("2025-04-14 16:30", AISHA, MAIN, "identity: add the session store restore runbook", &[Add("id-session")]),
    commit("2025-05-12 10:00", LUCIA, MAIN, "checkout: add the CDN failover runbook", &[Add("co-cdn")]),
    commit("2025-06-02 11:11", SAM, "platform/nightly-ci", "ci: nightly build of every service", &[Add("ci-nightly")]),
    commit("2025-06-02 15:00", OLA, MAIN, "notifications: add the SMS provider runbook", &[Add("nt-sms")]),
    merge("2025-06-05 09:30", SAM, "platform/nightly-ci", MAIN, "Nightly CI", &[]),
    // Reporting's month-end close runbook is last touched here: stale, and waived in the plan.
    commit("2025-08-10 11:45", NIAMH, MAIN, "reporting: month-end close after the ledger export change", &[
        Edit("rp-close", "Use the new ledger export"),
    ]),
    commit("2025-09-08 10:30", NIAMH, MAIN, "reporting: add the warehouse rebuild runbook", &[Add("rp-warehouse")]),
    // Search loses its only runbook: the coverage gap.
    commit("2025-09-30 16:10", MARCO, MAIN, "search: remove the reindex runbook, search moved to managed OpenSearch", &[
        Delete("search-reindex"),
    ]),
    // A rename with an edit, on a side branch.
    commit("2025-12-08 14:25", DANA, "ledger/pitr-runbook", "ledger: rename the PITR runbook and cover the new WAL archive", &[
        Rename("ledger-pitr", "runbooks/ledger/point-in-time-restore.md"),
        Edit("ledger-pitr", "Cover the new WAL archive"),
    ]),
    merge("2025-12-10 10:05", TOMASZ, "ledger/pitr-runbook", MAIN, "Rename the PITR runbook", &[]),
    commit("2026-01-20 15:20", NIAMH, MAIN, "reporting: warehouse rebuild from the new exports", &[
        Edit("rp-warehouse", "Re-load from the new ledger exports"),
    ]),
    // A pure rename on main.
    commit("2026-02-10 11:00", TOMASZ, MAIN, "payments: rename the processor failover runbook", &[
        Rename("pay-failover", "runbooks/payments/card-processor-failover.md"),
    ]),
    commit("2026-03-15 09:40", LUCIA, MAIN, "checkout: CDN failover for the new DNS provider", &[
        Edit("co-cdn", "New DNS provider"),
    ]),
    commit("2026-04-01 13:10", KENJI, MAIN, "identity: shorten the session TTL to 12h", &[Edit("id-session-code", "")]),
    commit("2026-05-14 09:20", TOMASZ_GITHUB, MAIN, "Update backlog-drain.md", &[
        Edit("pay-refunds", "Document the manual drain for stuck refunds"),
    ]),
    commit("2026-06-10 14:35", LUCIA, MAIN, "checkout: lite checkout page in the degraded runbook", &[
        Edit("co-storefront", "Add the lite checkout page"),
    ]),
    commit("2026-06-20 10:50", DANA, MAIN, "ledger: failover with Patroni", &[
        Edit("ledger-failover", "Switch to patronictl"),
    ]),
    commit("2026-07-01 16:05", AISHA, MAIN, "identity: session store restore from RDB snapshots", &[
        Edit("id-session", "Restore from RDB snapshots"),
    ]),
    commit("2026-08-01 11:30", OLA, MAIN, "notifications: replay the outbox after an email outage", &[
        Edit("nt-email", "Replay the outbox"),
    ]),
    commit("2026-08-18 14:00", OLA, "notifications/sms-fallback", "notifications: fall back to the secondary SMS provider", &[
        Edit("nt-providers", ""),
    ]),
    merge("2026-08-20 09:10", OLA, "notifications/sms-fallback", MAIN, "SMS provider fallback", &[]),
    commit("2026-08-25 10:15", OLA, MAIN, "notifications: point the SMS runbook at the fallback provider", &[
        Edit("nt-sms", "Point at the fallback provider"),
    ]),
    commit("2026-09-14 09:05", NIAMH, MAIN, "reporting: read the month-end close from the new ledger export", &[
        Edit("rp-close-sql", ""),
    ]),
    commit("2026-09-23 10:00", MARCO, "checkout/3ds-v2", "checkout: 3-D Secure 2 challenge flow", &[
        Edit("co-iframe", ""),
    ]),
    commit("2026-09-26 15:30", LUCIA, "checkout/3ds-v2", "checkout: keep the basket across 3DS redirects", &[
        Edit("co-cart", ""),
    ]),
    merge("2026-09-28 11:00", LUCIA, "checkout/3ds-v2", MAIN, "3-D Secure 2", &[]),
    // The side branch changes a runbook; the merge does not.
    commit("2026-09-28 15:12", KENJI, "id/login-runbook-refresh", "identity: cover the passkey login path", &[
        Edit("id-login", "Cover the passkey login path"),
    ]),
    merge("2026-10-02 10:05", AISHA, "id/login-runbook-refresh", MAIN, "Login outage runbook: passkeys", &[]),
    commit("2026-10-05 08:40", DANA, MAIN, "ledger: move the WAL archive to the eu-west-2 bucket", &[
        Edit("ledger-tf", ""),
    ]),
    commit("2026-10-06 10:30", TOMASZ, "pay/processor-switch", "payments: switch to the processor's v3 API", &[
        Edit("pay-client", ""),
    ]),
    commit("2026-10-07 09:55", PRIYA, MAIN, "payments: secondary processor support line", &[
        Edit("pay-failover", "Add the secondary processor's support line"),
    ]),
    commit("2026-10-08 16:45", TOMASZ, "pay/processor-switch", "payments: failover steps for the v3 API", &[
        Edit("pay-failover", "Failover steps for the v3 API"),
    ]),
    commit("2026-10-12 10:41", PRIYA, MAIN, "payments: escalation rehearsed in the Q3 game day", &[
        Edit("pay-incident", "Escalation rehearsed in the Q3 game day"),
    ]),
    // Both sides edited the failover runbook: the merge resolves it and is its last change.
    merge("2026-10-15 16:20", PRIYA, "pay/processor-switch", MAIN, "Switch to the processor v3 API", &[
        Edit("pay-failover", "Merge the v3 API steps with the secondary processor line"),
    ]),
    commit("2026-10-18 13:00", DANA, MAIN, "ledger: PITR verified against the September restore test", &[
        Edit("ledger-pitr", "Verified against the September restore test"),
    ]),
    commit("2026-10-20 11:15", TOMASZ, MAIN, "payments: raise the processor timeout to 8s", &[Edit("pay-client", "")]),
];

/// What routine commits say.
const TEXT_NOTES: &[&str] = &[
    "Clarify the escalation path",
    "Update dashboard links after the Grafana migration",
    "Add a verification step",
    "Fix the on-call rota link",
    "Document the new alert names",
    "Record lessons from the last game day",
    "Tighten the rollback steps",
    "Refresh the vendor support contacts",
];
const CODE_NOTES: &[&str] = &[
    "tune retry backoff",
    "add metrics for queue depth",
    "upgrade the base image",
    "bump the client library",
    "raise the connection pool size",
    "log request ids on errors",
    "tidy configuration defaults",
    "fix a flaky health check",
];
const BOT_NOTES: &[&str] = &[
    "chore(deps): update actions/checkout action",
    "chore(deps): update github actions",
];

/// One commit or merge to replay, scripted or routine.
#[derive(Debug, Clone)]
pub struct Event {
    /// When (UTC).
    pub at: Instant,
    /// Who.
    pub by: Person,
    /// The branch it lands on.
    pub branch: &'static str,
    /// What it does.
    pub action: Action,
}

/// What an event does.
#[derive(Debug, Clone)]
pub enum Action {
    /// A scripted commit or merge.
    Scripted(&'static StepKind),
    /// A routine edit of one document.
    EditText {
        /// The document's key.
        key: &'static str,
        /// The revision-history note, also the commit message.
        note: &'static str,
    },
    /// A routine edit of one file of a code area, picked when replayed
    /// among the files the area has on `main` at that time.
    EditCode {
        /// The area.
        group: &'static CodeGroup,
        /// The commit message's text.
        note: &'static str,
    },
}

/// Every event of the history, in the order they happen.
pub fn events() -> Result<Vec<Event>, DemoError> {
    let mut events = Vec::new();
    for step in SCRIPT {
        events.push(Event {
            at: clock::at(step.at)?,
            by: step.by,
            branch: step.branch,
            action: Action::Scripted(&step.kind),
        });
    }
    for text in TEXTS {
        let mut rng = Rng::named(text.key);
        let start = added(text.key)?;
        for _ in 0..text.churn {
            let (at, by) = routine(&mut rng, start, clock::day(text.settle)?, text.team)?;
            let note = rng.pick(TEXT_NOTES).copied().unwrap_or("Edit");
            events.push(Event {
                at,
                by,
                branch: MAIN,
                action: Action::EditText {
                    key: text.key,
                    note,
                },
            });
        }
    }
    for group in files::CODE {
        let mut rng = Rng::named(group.name);
        let Some(start) = group.files.iter().filter_map(|f| added(f.key).ok()).min() else {
            continue;
        };
        let notes = if group.team == BOTS {
            BOT_NOTES
        } else {
            CODE_NOTES
        };
        for _ in 0..group.churn {
            let (at, by) = routine(&mut rng, start, clock::day(group.settle)?, group.team)?;
            let note = rng.pick(notes).copied().unwrap_or("update");
            events.push(Event {
                at,
                by,
                branch: MAIN,
                action: Action::EditCode { group, note },
            });
        }
    }
    // Stable: scripted steps first among equal instants.
    events.sort_by_key(|e| e.at);
    Ok(events)
}

/// When the scripted history adds the file with this key.
fn added(key: &str) -> Result<Instant, DemoError> {
    let step = SCRIPT.iter().find(|step| match step.kind {
        StepKind::Commit { changes, .. } => {
            changes.iter().any(|c| matches!(c, Add(k) if *k == key))
        }
        StepKind::Merge { .. } => false,
    });
    match step {
        Some(step) => clock::at(step.at),
        None => Err(DemoError::scenario(format!("`{key}` is never added"))),
    }
}

/// A working-hours instant strictly between the day after `start` and the
/// day before `settle`, and who on the team made it.
fn routine(
    rng: &mut Rng,
    start: Instant,
    settle: NaiveDate,
    team: super::people::Team,
) -> Result<(Instant, Person), DemoError> {
    let first = start.date() + Duration::days(1);
    let days = (settle - first).num_days() - 1;
    if days < 1 {
        return Err(DemoError::scenario(format!(
            "no room for routine edits before {settle}"
        )));
    }
    let mut date = first + Duration::days(rng.between(0, days - 1));
    // Nobody commits at weekends: move to the nearest weekday, and back from
    // `settle` if that is where Monday lands.
    date = match date.weekday() {
        Weekday::Sat => date - Duration::days(1),
        Weekday::Sun => date + Duration::days(1),
        _ => date,
    };
    if date >= settle {
        date = settle - Duration::days(3);
    }
    let by = *rng
        .pick(team)
        .ok_or_else(|| DemoError::scenario("a team has no members"))?;
    let local = NaiveTime::from_hms_opt(
        u32::try_from(rng.between(9, 17)).unwrap_or(9),
        u32::try_from(rng.between(0, 59)).unwrap_or(0),
        u32::try_from(rng.between(0, 59)).unwrap_or(0),
    )
    .unwrap_or(NaiveTime::MIN);
    let guess = date.and_time(local);
    let at = guess - Duration::minutes(i64::from(by.zone.offset_minutes(guess)));
    Ok((at.max(start + Duration::hours(1)), by))
}
