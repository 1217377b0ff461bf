//! `evidence-completeness`: every source the plan names was collected without
//! a gap, yielded records, and holds records dated in the audit window. One
//! finding per source, its subject the source id.

use vouch_sdk::evidence::EvidenceSet;
use vouch_sdk::judge;
use vouch_sdk::plan::Plan;
use vouch_sdk::{Finding, Measurement, Metadata, Policy, Request, Severity};

struct EvidenceCompleteness;

impl Policy for EvidenceCompleteness {
    fn metadata() -> Metadata {
        Metadata {
            id: "evidence-completeness".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Every evidence source was collected".into(),
            description: "Every source the plan names (runbook repositories, drill results, \
                          incident tools) was collected without a gap and yielded records, some \
                          of them dated in the audit window (a runbook or code change, a drill \
                          started, an incident opened). A source with a gap or no records fails: \
                          the other checks' verdicts are only as complete as their evidence. A \
                          source with records but none from the window fails too. A repository is \
                          not judged when no capability names runbooks or code in it."
                .into(),
            severity: Severity::High,
            // What each source yielded, in sum: the records themselves
            // could be millions.
            evidence: vec!["inventory".into()],
            params_schema: vouch_sdk::metadata::no_params_schema(),
            partition: vouch_sdk::Partition::Whole,
            controls: vec![
                "iso22301:8.5".into(),
                "nist-800-53:CP-4".into(),
                "nist-800-53:IR-4".into(),
            ],
        }
    }

    fn evaluate(request: &Request) -> Result<Vec<Finding>, String> {
        let plan = request.plan()?;
        let evidence = request.evidence()?;
        Ok(judge_sources(&plan, &evidence))
    }
}

vouch_sdk::export_policy!(EvidenceCompleteness);

/// What the plan says a source is.
struct Source<'a> {
    id: &'a str,
    /// For messages: `git repository`, `drill source`, `incident source`.
    kind: &'static str,
    /// Whether the plan expects records from it at all.
    expected: bool,
    /// How to tie a record that matches no capability to one.
    remedy: &'static str,
    /// Whether the plan names it (a gap may name a source it does not).
    planned: bool,
}

fn judge_sources(plan: &Plan, evidence: &EvidenceSet) -> Vec<Finding> {
    let names_git = plan
        .capabilities
        .iter()
        .any(|c| !c.runbooks.is_empty() || !c.code.is_empty());
    let mut sources: Vec<Source<'_>> = Vec::new();
    sources.extend(plan.sources.git.iter().map(|s| Source {
        id: &s.id,
        kind: "git repository",
        expected: names_git,
        remedy: "",
        planned: true,
    }));
    sources.extend(plan.sources.drills.iter().map(|s| Source {
        id: &s.id,
        kind: "drill source",
        expected: true,
        remedy: "add a `[[sources.drills.rules]]` entry that matches them",
        planned: true,
    }));
    sources.extend(plan.sources.incidents.iter().map(|s| Source {
        id: &s.id,
        kind: "incident source",
        expected: true,
        remedy: "list their services in a capability's `services`",
        planned: true,
    }));
    // A gap naming a source the plan lacks still says evidence is missing.
    for gap in &evidence.gaps {
        if !sources.iter().any(|s| s.id == gap.source) {
            sources.push(Source {
                id: &gap.source,
                kind: "source",
                expected: true,
                remedy: "",
                planned: false,
            });
        }
    }
    if sources.is_empty() {
        return vec![Finding::fail(
            "sources",
            "the plan names no evidence sources, so nothing it promises can be evidenced; add \
             `[[sources.git]]`, `[[sources.drills]]` and `[[sources.incidents]]`",
        )];
    }
    sources
        .iter()
        .map(|source| judge_source(plan, evidence, source))
        .collect()
}

fn judge_source(plan: &Plan, evidence: &EvidenceSet, source: &Source<'_>) -> Finding {
    let id = source.id;
    let inventory = evidence.inventory.iter().find(|s| s.source == id);
    let records = inventory.map_or(0, |s| s.records);
    let records_text = match records {
        1 => "1 record".to_owned(),
        n => format!("{n} records"),
    };
    // The inventory counts records at or before `now` by day, and the
    // window is whole days, so this is `judge::counts_in_window` per record.
    let in_window: usize = inventory
        .iter()
        .flat_map(|s| &s.days)
        .filter(|d| plan.audit.start <= d.day && d.day <= plan.audit.end)
        .map(|d| d.records)
        .sum();
    let unmatched: Vec<String> = inventory
        .iter()
        .flat_map(|s| &s.unmatched)
        .map(|id| format!("`{id}`"))
        .collect();
    let gaps: Vec<_> = evidence.gaps.iter().filter(|g| g.source == id).collect();
    let window = format!("{} to {}", plan.audit.start, plan.audit.end);
    let kind = source.kind;
    let finding = if let Some(first) = gaps.first() {
        let more = match gaps.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        Finding::fail(
            id,
            format!(
                "{kind} `{id}` was not collected in full: {}{more}; the checks that read it \
                 cannot see what is missing. Fix the source and collect again",
                first.error
            ),
        )
    } else if records == 0 && !source.expected {
        Finding::not_applicable(
            id,
            format!(
                "{kind} `{id}` yielded no records, and none are expected: no capability names \
                 `runbooks` or `code` globs"
            ),
        )
    } else if records == 0 {
        Finding::fail(
            id,
            format!(
                "{kind} `{id}` yielded no records: check its path or query, or that it covers \
                 the audit window ({window})"
            ),
        )
    } else if in_window == 0 {
        // Records from other periods say nothing about the audited one.
        Finding::fail(
            id,
            format!(
                "{kind} `{id}` yielded {records_text}, none dated in the audit window \
                 ({window}): check that it covers the window"
            ),
        )
    } else if !unmatched.is_empty() {
        let (count, verb) = match unmatched.len() {
            1 => ("1 record".to_owned(), "matches"),
            n => (format!("{n} records"), "match"),
        };
        Finding::warn(
            id,
            format!(
                "{kind} `{id}` was collected without gaps: {records_text}, {in_window} dated \
                 in the audit window ({window}); {count} ({}) {verb} no capability, so no \
                 check counts them: {}",
                judge::listed(&unmatched, ", "),
                source.remedy
            ),
        )
    } else {
        Finding::pass(
            id,
            format!(
                "{kind} `{id}` was collected without gaps: {records_text}, {in_window} dated \
                 in the audit window ({window})"
            ),
        )
    };
    let count = |n: usize| f64::from(u32::try_from(n).unwrap_or(u32::MAX));
    let mut references: Vec<String> = source
        .planned
        .then(|| format!("plan:sources/{id}"))
        .into_iter()
        .chain(gaps.iter().map(|gap| judge::gap_ref(gap)))
        .collect();
    references.dedup();
    references
        .into_iter()
        .fold(finding, |f, r| f.with_evidence(r))
        .with_measurement(Measurement::new("records", count(records)).in_unit("count"))
        .with_measurement(Measurement::new("records_in_window", count(in_window)).in_unit("count"))
}
