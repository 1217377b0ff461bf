//! Service code, infrastructure and repository plumbing. Only `{rev}` changes
//! between revisions: the demo needs commits that touch these paths at known
//! times, not meaningful code.

use super::{Code, CodeGroup};
use crate::demo::people::{ANALYTICS, BOTS, DATA, IDENTITY, MESSAGING, PAYMENTS, PLATFORM, WEB};

const HELM_PAYMENTS: &str = r#"# Helm values for payments-api, deployed by Argo CD from this directory.
replicaCount: {replicas}
image:
  repository: registry.acme.example/payments-api
  tag: "2025.{rev}.0"
podDisruptionBudget:
  minAvailable: 2
"#;

const HELM_IDENTITY: &str = r#"# Helm values for the identity services.
replicaCount: {replicas}
image:
  repository: registry.acme.example/identity
  tag: "3.{rev}.0"
sessionStore:
  host: session-redis.identity.svc
"#;

const HELM_CHECKOUT: &str = r#"# Helm values for the checkout front end.
replicaCount: {replicas}
image:
  repository: registry.acme.example/checkout-web
  tag: "web-{rev}"
"#;

const HELM_NOTIFICATIONS: &str = r#"# Helm values for the notifications workers.
replicaCount: {replicas}
image:
  repository: registry.acme.example/notifications
  tag: "1.{rev}.0"
"#;

const HELM_REPORTING: &str = r#"# Helm values for the reporting job runner.
replicaCount: 1
image:
  repository: registry.acme.example/reporting
  tag: "0.{rev}.0"
"#;

const HELM_SEARCH: &str = r#"# Helm values for merchant search (indexer only; queries go to managed OpenSearch).
replicaCount: {replicas}
image:
  repository: registry.acme.example/search-indexer
  tag: "1.{rev}.0"
"#;

/// Every code, infrastructure and plumbing file, by area.
pub static CODE: &[CodeGroup] = &[
    CodeGroup {
        name: "repo",
        team: PLATFORM,
        churn: 0,
        settle: "2025-01-06",
        files: &[
            Code {
                key: "readme",
                path: "README.md",
                template: "# Acme platform\n\nRunbooks, service configuration and infrastructure for Acme Payments.\n\n\
                    - `runbooks/` — what on-call does when things break, one directory per area\n\
                    - `services/` — deployable services\n\
                    - `infra/` — databases and shared infrastructure\n",
            },
            Code {
                key: "runbooks-readme",
                path: "runbooks/README.md",
                template: "# Runbooks\n\nOne directory per area. Start each runbook with front matter naming its\n\
                    `owner` and `capability`; update `last_reviewed` when you re-read it.\n",
            },
            Code {
                key: "renovate",
                path: "renovate.json",
                template: "{\n  \"extends\": [\"config:recommended\"],\n  \"schedule\": [\"before 6am on monday\"]\n}\n",
            },
        ],
    },
    CodeGroup {
        name: "ci",
        team: BOTS,
        churn: 18,
        settle: "2026-10-26",
        files: &[
            Code {
                key: "ci",
                path: ".github/workflows/ci.yml",
                template: "name: ci\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n\
                    \x20     - uses: actions/checkout@v4.{rev}.0\n\
                    \x20     - run: make test\n",
            },
            Code {
                key: "ci-nightly",
                path: ".github/workflows/nightly.yml",
                template: "name: nightly\non:\n  schedule:\n    - cron: \"0 3 * * *\"\njobs:\n  build-all:\n    runs-on: ubuntu-24.04\n    steps:\n\
                    \x20     - uses: actions/checkout@v4.{rev}.0\n\
                    \x20     - run: make build-all\n",
            },
        ],
    },
    CodeGroup {
        name: "payments",
        team: PAYMENTS,
        churn: 30,
        settle: "2026-09-30",
        files: &[
            Code {
                key: "pay-helm",
                path: "services/payments/deploy/values.yaml",
                template: HELM_PAYMENTS,
            },
            Code {
                key: "pay-client",
                path: "services/payments/src/processor_client.go",
                template: "// Package payments talks to the card processors.\npackage payments\n\nimport \"time\"\n\n\
                    // clientRevision is bumped on every behavioural change so dashboards can tell builds apart.\n\
                    const clientRevision = {rev}\n\n\
                    // ProcessorTimeout bounds one authorisation call.\nconst ProcessorTimeout = 8 * time.Second\n",
            },
            Code {
                key: "pay-refunds-code",
                path: "services/payments/src/refunds.go",
                template: "package payments\n\n// refundBatch is how many refunds one worker claims at a time (revision {rev}).\nconst refundBatch = 500\n",
            },
            Code {
                key: "pay-reconcile",
                path: "services/payments/src/reconciliation.go",
                template: "package payments\n\n// Reconcile matches refunds against the ledger export every night (revision {rev}).\n\
                    func Reconcile() error { return nil }\n",
            },
        ],
    },
    CodeGroup {
        name: "ledger",
        team: DATA,
        churn: 24,
        settle: "2026-09-15",
        files: &[
            Code {
                key: "ledger-tf",
                path: "infra/ledger/main.tf",
                template: "module \"ledger\" {\n  source         = \"../modules/postgres-ha\"\n  name           = \"ledger\"\n\
                    \x20 instance_class = \"db.r6g.2xlarge\"\n  revision       = {rev}\n}\n",
            },
            Code {
                key: "ledger-replication",
                path: "infra/ledger/replication.tf",
                template: "resource \"ledger_replica\" \"sync\" {\n  mode      = \"synchronous\"\n  zone      = \"eu-west-2b\"\n\
                    \x20 revision  = {rev}\n}\n",
            },
            Code {
                key: "ledger-backup",
                path: "infra/ledger/backup.yaml",
                template: "# Base backups nightly, WAL archived continuously.\nschedule: \"0 1 * * *\"\nretention_days: 35\nrevision: {rev}\n",
            },
        ],
    },
    CodeGroup {
        name: "identity",
        team: IDENTITY,
        churn: 18,
        settle: "2026-03-15",
        files: &[
            Code {
                key: "id-helm",
                path: "services/identity/deploy/values.yaml",
                template: HELM_IDENTITY,
            },
            Code {
                key: "id-session-code",
                path: "services/identity/src/session.go",
                template: "package identity\n\nimport \"time\"\n\n// SessionTTL is how long a login lasts (revision {rev}).\nconst SessionTTL = 12 * time.Hour\n",
            },
            Code {
                key: "id-tokens",
                path: "services/identity/src/tokens.go",
                template: "package identity\n\n// signingKeyRotation counts key rotations (revision {rev}).\nconst signingKeyRotation = {rev}\n",
            },
        ],
    },
    CodeGroup {
        name: "checkout",
        team: WEB,
        churn: 24,
        settle: "2026-09-01",
        files: &[
            Code {
                key: "co-helm",
                path: "services/checkout/deploy/values.yaml",
                template: HELM_CHECKOUT,
            },
            Code {
                key: "co-cart",
                path: "services/checkout/src/cart.ts",
                template: "// The basket, kept across payment redirects.\nexport const CART_SCHEMA_VERSION = {rev};\n",
            },
            Code {
                key: "co-iframe",
                path: "services/checkout/src/payment-iframe.ts",
                template: "// Embeds the payments-api card form.\nexport const IFRAME_TIMEOUT_MS = 15000; // revision {rev}\n",
            },
        ],
    },
    CodeGroup {
        name: "notifications",
        team: MESSAGING,
        churn: 14,
        settle: "2026-08-01",
        files: &[
            Code {
                key: "nt-helm",
                path: "services/notifications/deploy/values.yaml",
                template: HELM_NOTIFICATIONS,
            },
            Code {
                key: "nt-sender",
                path: "services/notifications/src/sender.py",
                template: "\"\"\"Sends receipts and passcodes.\"\"\"\n\nREVISION = {rev}\nRETRIES = 3\n",
            },
            Code {
                key: "nt-providers",
                path: "services/notifications/src/providers.py",
                template: "\"\"\"Email and SMS providers, primary first.\"\"\"\n\nREVISION = {rev}\nSMS = [\"primary\", \"secondary\"]\n",
            },
        ],
    },
    CodeGroup {
        name: "reporting",
        team: ANALYTICS,
        churn: 10,
        settle: "2026-06-01",
        files: &[
            Code {
                key: "rp-helm",
                path: "services/reporting/deploy/values.yaml",
                template: HELM_REPORTING,
            },
            Code {
                key: "rp-close-sql",
                path: "services/reporting/jobs/monthly_close.sql",
                template: "-- Month-end close (revision {rev}).\nSELECT day, sum(amount) FROM ledger_export GROUP BY day;\n",
            },
        ],
    },
    CodeGroup {
        name: "search",
        team: WEB,
        churn: 10,
        settle: "2026-10-01",
        files: &[
            Code {
                key: "se-helm",
                path: "services/search/deploy/values.yaml",
                template: HELM_SEARCH,
            },
            Code {
                key: "se-indexer",
                path: "services/search/src/indexer.py",
                template: "\"\"\"Feeds the catalogue into managed OpenSearch.\"\"\"\n\nREVISION = {rev}\nBATCH = 1000\n",
            },
        ],
    },
];
