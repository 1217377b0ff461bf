//! Acme's runbooks and docs. Which ones end fresh, stale or drifted is decided
//! by the history table (`history.rs`); `docs/demo.md` lists the outcomes.

use super::{FrontMatter, Text};
use crate::demo::people::{ANALYTICS, DATA, IDENTITY, MESSAGING, PAYMENTS, PLATFORM, WEB};

const fn full(owner: &'static str, capability: &'static str) -> FrontMatter {
    FrontMatter::Full { owner, capability }
}

/// Every markdown document the repository ever holds.
pub static TEXTS: &[Text] = &[
    Text {
        key: "pay-incident",
        path: "runbooks/payments/incident-response.md",
        title: "Payments API: incident response",
        front_matter: full("team-payments", "payments-api"),
        team: PAYMENTS,
        churn: 6,
        settle: "2026-09-01",
        body: r"
Use this when card authorisations fail or slow down for more than a few
merchants at once (alerts `PaymentsAuthErrorRateHigh`, `PaymentsLatencyP99High`).

## Steps

1. Page the payments on-call and open an incident channel `#inc-payments-<date>`.
2. Post the first customer update on the status page within 30 minutes.
3. Check the processor status page and the `payments-overview` dashboard.
4. If one processor is failing, follow [card processor failover](card-processor-failover.md).
5. If the ledger rejects writes, page team-data and follow the ledger runbooks.

## Escalation

team-payments on-call, then the payments engineering manager, then the CTO.
",
    },
    Text {
        key: "pay-failover",
        path: "runbooks/payments/processor-failover.md",
        title: "Card processor failover",
        front_matter: full("team-payments", "payments-api"),
        team: PAYMENTS,
        churn: 5,
        settle: "2026-09-30",
        body: r"
Moves card authorisations from the primary processor to the secondary one.
Takes about ten minutes; refunds stay on the primary.

## Steps

1. Confirm the primary is failing: `PaymentsProcessorErrors` above 5% for 5 minutes.
2. Set `processor.primary` to `secondary` in the payments feature flags.
3. Watch authorisation success recover on `payments-overview`.
4. Tell merchant support which card brands may see soft declines.

## Rollback

Set `processor.primary` back once the primary's status page is green for 30 minutes.
",
    },
    Text {
        key: "pay-refunds",
        path: "runbooks/payments/refunds/backlog-drain.md",
        title: "Draining a refund backlog",
        front_matter: FrontMatter::Owner("team-payments"),
        team: PAYMENTS,
        churn: 3,
        settle: "2026-05-01",
        body: r"
When refunds queue up (`RefundQueueDepthHigh`), usually after a processor outage.

## Steps

1. Pause the nightly reconciliation job so it does not double-count.
2. Scale `refund-worker` to 6 replicas.
3. Drain in batches of 500 with `refunds drain --batch 500`.
4. Re-enable reconciliation and check the next morning's report.
",
    },
    Text {
        key: "ledger-failover",
        path: "runbooks/ledger/postgres-failover.md",
        title: "Ledger PostgreSQL failover",
        front_matter: full("team-data", "ledger-db"),
        team: DATA,
        churn: 5,
        settle: "2026-06-01",
        body: r"
Promotes the synchronous replica when the ledger primary is lost.

## Steps

1. Confirm the primary is down, not just slow: `pg_isready` from two zones.
2. Freeze writes: set the payments API to read-only mode.
3. Promote the replica with `patronictl failover ledger --candidate ledger-db-1`.
4. Check replication lag is zero on the new replica before unfreezing writes.
5. Record the data-loss window (last committed LSN on each node) in the incident.
",
    },
    Text {
        key: "ledger-pitr",
        path: "runbooks/ledger/pitr.md",
        title: "Ledger point-in-time restore",
        front_matter: FrontMatter::Owner("team-data"),
        team: DATA,
        churn: 4,
        settle: "2025-11-20",
        body: r"
Restores the ledger to a moment before a bad migration or deletion.

## Steps

1. Find the target time from the audit log; restore to one minute before it.
2. Create a restore instance from the latest base backup and replay WAL.
3. Run the integrity checks: row counts per day and the balance checksum.
4. Swap the restored instance in, or copy back the affected rows only.
",
    },
    Text {
        key: "id-login",
        path: "runbooks/identity/login-outage.md",
        title: "Login outage",
        front_matter: full("team-identity", "identity"),
        team: IDENTITY,
        churn: 5,
        settle: "2026-09-01",
        body: r"
Customers or merchants cannot log in (`LoginSuccessRateLow`).

## Steps

1. Check the token service and the session store dashboards.
2. If tokens fail to validate, roll back the latest identity deploy.
3. If the session store is down, follow [restoring the session store](session-store-restore.md).
4. Post a status-page update within 30 minutes.
",
    },
    Text {
        key: "id-session",
        path: "runbooks/identity/session-store-restore.md",
        title: "Restoring the session store",
        front_matter: FrontMatter::Owner("team-identity"),
        team: IDENTITY,
        churn: 3,
        settle: "2026-06-15",
        body: r"
Rebuilds the Redis session store from its latest snapshot.

## Steps

1. Stop writes: scale `session-writer` to zero.
2. Restore the latest RDB snapshot into a new cluster.
3. Point the token service at it and scale writers back up.
4. Expect sessions created since the snapshot to be lost; users log in again.
",
    },
    Text {
        key: "co-storefront",
        path: "runbooks/checkout/storefront-degraded.md",
        title: "Storefront degraded",
        front_matter: full("team-web", "checkout-web"),
        team: WEB,
        churn: 4,
        settle: "2026-05-20",
        body: r"
Checkout pages load slowly or fail (`CheckoutApdexLow`).

## Steps

1. Check whether payments-api is healthy; if not, follow its runbook first.
2. Enable the lightweight checkout page (feature flag `checkout.lite`).
3. Purge the CDN cache for `/checkout/*` if a bad asset was deployed.
",
    },
    Text {
        key: "co-cdn",
        path: "runbooks/checkout/cdn-failover.md",
        title: "CDN failover",
        front_matter: FrontMatter::Owner("lucia.fernandez@acme.example"),
        team: WEB,
        churn: 2,
        settle: "2026-03-01",
        body: r"
Moves storefront traffic to the secondary CDN.

## Steps

1. Lower the DNS TTL of `shop.acme.example` to 60 seconds.
2. Switch the CNAME to the secondary CDN.
3. Warm the cache with `scripts/warm-cache.sh --top 500`.
",
    },
    Text {
        key: "nt-email",
        path: "runbooks/notifications/email-provider-outage.md",
        title: "Email provider outage",
        front_matter: full("team-messaging", "notifications"),
        team: MESSAGING,
        churn: 3,
        settle: "2026-07-15",
        body: r"
Receipts and password-reset emails are not delivered.

## Steps

1. Check the provider's status page and our bounce rate.
2. Switch `notifications.email.provider` to the fallback provider.
3. Replay the outbox from the time delivery stopped.
",
    },
    Text {
        key: "nt-sms",
        path: "runbooks/notifications/sms-provider-outage.md",
        title: "SMS provider outage",
        front_matter: FrontMatter::None,
        team: MESSAGING,
        churn: 2,
        settle: "2026-08-10",
        body: r"
One-time passcodes by SMS are not delivered.

## Steps

1. Confirm with a test message to the on-call phone.
2. Switch to the secondary SMS provider in the notifications config.
3. Ask identity to offer email passcodes meanwhile.
",
    },
    Text {
        key: "rp-close",
        path: "runbooks/reporting/monthly-close.md",
        title: "Month-end close",
        front_matter: full("team-analytics", "reporting"),
        team: ANALYTICS,
        churn: 3,
        settle: "2025-07-20",
        body: r"
Produces the month-end finance pack from the ledger export.

## Steps

1. Wait for the ledger export of the last day (arrives around 02:00 UTC).
2. Run `make close MONTH=<yyyy-mm>` in the reporting job runner.
3. Reconcile totals against the ledger balance checksum; escalate any gap.
",
    },
    Text {
        key: "rp-warehouse",
        path: "runbooks/reporting/warehouse-rebuild.md",
        title: "Rebuilding the reporting warehouse",
        front_matter: FrontMatter::Owner("team-analytics"),
        team: ANALYTICS,
        churn: 2,
        settle: "2026-01-05",
        body: r"
Rebuilds the warehouse from the ledger exports after corruption or a bad load.

## Steps

1. Restore the warehouse snapshot nearest before the problem.
2. Re-load ledger exports from that day on, oldest first.
3. Run the reconciliation queries and compare with finance's figures.
",
    },
    Text {
        key: "search-reindex",
        path: "runbooks/search/reindex.md",
        title: "Search reindex",
        front_matter: FrontMatter::Owner("team-web"),
        team: WEB,
        churn: 2,
        settle: "2025-09-15",
        body: r"
Rebuilds the merchant search index from the catalogue.

## Steps

1. Create a new index with the current mapping.
2. Run the indexer against it; switch the alias when counts match.
",
    },
    Text {
        key: "oncall",
        path: "docs/on-call.md",
        title: "On-call handbook",
        front_matter: FrontMatter::None,
        team: PLATFORM,
        churn: 8,
        settle: "2026-10-25",
        body: r"
How on-call works at Acme: rotas, paging, handover, and where runbooks live.

- Rotas are weekly, handed over on Mondays at 10:00 London time.
- Every page gets an acknowledgement within 5 minutes.
- Runbooks live under `runbooks/<area>/`; keep them next to the code they describe.
",
    },
];
