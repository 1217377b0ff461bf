//! Checks that need the whole plan: references between its parts, ranges,
//! globs, and which fields each kind of source needs. Each fault names the
//! path of the value at fault so the loader can point at it.

use std::collections::{BTreeMap, BTreeSet};

use super::suggest;
use crate::plan::{Capability, IncidentKind, IncidentSource, Plan, STANDARD_FRAMEWORKS};

/// One step of a path into the plan: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Segment {
    Key(String),
    Index(usize),
}

/// A check that failed: where, what, and what would fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Fault {
    pub(super) path: Vec<Segment>,
    pub(super) message: String,
    pub(super) help: Option<String>,
}

/// The faults found so far.
#[derive(Default)]
struct Faults(Vec<Fault>);

/// A path such as `capabilities[2].tier`, written `[K("capabilities"), I(2), K("tier")]`.
fn path(parts: &[PathPart<'_>]) -> Vec<Segment> {
    parts
        .iter()
        .map(|p| match p {
            PathPart::Key(k) => Segment::Key((*k).to_owned()),
            PathPart::Index(i) => Segment::Index(*i),
        })
        .collect()
}

/// A borrowed path step, so checks can write paths without allocating.
enum PathPart<'a> {
    Key(&'a str),
    Index(usize),
}

use PathPart::{Index as I, Key as K};

impl Faults {
    fn push(&mut self, at: &[PathPart<'_>], message: String, help: impl Into<Option<String>>) {
        self.0.push(Fault {
            path: path(at),
            message,
            help: help.into(),
        });
    }

    /// A reference to an id that does not exist, with the nearest that does.
    fn unknown(&mut self, at: &[PathPart<'_>], what: &str, id: &str, known: &BTreeSet<&str>) {
        let help = match suggest::nearest(id, known.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None if known.is_empty() => format!("define the {what} first"),
            None => format!(
                "expected one of {}",
                known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.push(at, format!("unknown {what} `{id}`"), help);
    }
}

/// Every fault in the plan, in no particular order.
pub(super) fn check(plan: &Plan) -> Vec<Fault> {
    let mut faults = Faults::default();
    audit_window(plan, &mut faults);
    tiers(plan, &mut faults);
    capabilities(plan, &mut faults);
    sources(plan, &mut faults);
    frameworks(plan, &mut faults);
    waivers(plan, &mut faults);
    faults.0
}

fn audit_window(plan: &Plan, faults: &mut Faults) {
    if plan.audit.end < plan.audit.start {
        faults.push(
            &[K("audit"), K("end")],
            format!(
                "the audit window ends ({}) before it starts ({})",
                plan.audit.end, plan.audit.start
            ),
            "`end` must be on or after `start`".to_owned(),
        );
    }
}

fn tiers(plan: &Plan, faults: &mut Faults) {
    if plan.tiers.is_empty() {
        faults.push(
            &[K("tiers")],
            "the plan defines no tiers".to_owned(),
            "add at least one `[tiers.NAME]` table with `level` and `max_runbook_age`".to_owned(),
        );
    }
    for (id, tier) in &plan.tiers {
        if tier.level == 0 {
            faults.push(
                &[K("tiers"), K(id), K("level")],
                "tier level must be 1 or more".to_owned(),
                "1 is the most critical tier".to_owned(),
            );
        }
        if let Some(floor) = tier.drill_pass_rate_floor
            && !(0.0..=1.0).contains(&floor)
        {
            faults.push(
                &[K("tiers"), K(id), K("drill_pass_rate_floor")],
                format!("drill pass-rate floor `{floor}` is outside 0..1"),
                "write a share, e.g. `0.9` for 90%".to_owned(),
            );
        }
    }
}

fn capabilities(plan: &Plan, faults: &mut Faults) {
    let tiers: BTreeSet<&str> = plan.tiers.keys().map(String::as_str).collect();
    let ids: BTreeSet<&str> = plan.capabilities.iter().map(|c| c.id.as_str()).collect();
    let mut seen = BTreeSet::new();
    let mut services: BTreeMap<&str, &str> = BTreeMap::new();
    for (i, cap) in plan.capabilities.iter().enumerate() {
        let at = |field| [K("capabilities"), I(i), K(field)];
        if !is_identifier(&cap.id) {
            faults.push(
                &at("id"),
                format!("capability id `{}` is not an identifier", cap.id),
                "use lowercase letters, digits, `-`, `_` and `.`, e.g. `payments-api`".to_owned(),
            );
        }
        if !seen.insert(cap.id.as_str()) {
            faults.push(
                &at("id"),
                format!("capability `{}` is defined twice", cap.id),
                "give each capability a distinct `id`".to_owned(),
            );
        }
        if !tiers.contains(cap.tier.as_str()) {
            faults.unknown(&at("tier"), "tier", &cap.tier, &tiers);
        }
        if cap.rto.as_seconds() == 0 {
            faults.push(
                &at("rto"),
                "an RTO of zero cannot be met".to_owned(),
                "write the longest tolerable outage, e.g. `4h`".to_owned(),
            );
        }
        if let Some(target) = cap.availability_target
            && !(target > 0.0 && target <= 100.0)
        {
            faults.push(
                &at("availability_target"),
                format!("availability target `{target}` is not a percentage"),
                "write a percentage above 0 and at most 100, e.g. `99.9`".to_owned(),
            );
        }
        for (j, dep) in cap.depends_on.iter().enumerate() {
            let at = [K("capabilities"), I(i), K("depends_on"), I(j)];
            if dep == &cap.id {
                faults.push(
                    &at,
                    format!("capability `{dep}` depends on itself"),
                    "remove it".to_owned(),
                );
            } else if !ids.contains(dep.as_str()) {
                faults.unknown(&at, "capability", dep, &ids);
            }
        }
        for (field, globs) in [("runbooks", &cap.runbooks), ("code", &cap.code)] {
            for (j, glob) in globs.iter().enumerate() {
                if let Err(e) = globset::Glob::new(glob) {
                    faults.push(
                        &[K("capabilities"), I(i), K(field), I(j)],
                        format!("`{glob}` is not a valid glob: {}", e.kind()),
                        "globs use `*`, `**`, `?`, `[abc]` and `{a,b}`, e.g. `runbooks/payments/**/*.md`"
                            .to_owned(),
                    );
                }
            }
        }
        for (j, service) in cap.services.iter().enumerate() {
            if let Some(other) = services.insert(service, &cap.id)
                && other != cap.id
            {
                faults.push(
                    &[K("capabilities"), I(i), K("services"), I(j)],
                    format!("service `{service}` already belongs to capability `{other}`"),
                    "an incident's service must map to one capability".to_owned(),
                );
            }
        }
    }
    dependency_cycles(plan, faults);
}

/// Reports each dependency cycle once, at the capability where it is first found.
fn dependency_cycles(plan: &Plan, faults: &mut Faults) {
    let index: BTreeMap<&str, (usize, &Capability)> = plan
        .capabilities
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), (i, c)))
        .collect();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    for cap in &plan.capabilities {
        let mut trail: Vec<&str> = Vec::new();
        walk(cap.id.as_str(), &index, &mut trail, &mut done, faults);
    }
}

fn walk<'a>(
    id: &'a str,
    index: &BTreeMap<&'a str, (usize, &'a Capability)>,
    trail: &mut Vec<&'a str>,
    done: &mut BTreeSet<&'a str>,
    faults: &mut Faults,
) {
    if done.contains(id) {
        return;
    }
    if let Some(start) = trail.iter().position(|t| *t == id) {
        let cycle = trail[start..]
            .iter()
            .chain([&id])
            .copied()
            .collect::<Vec<_>>()
            .join(" → ");
        if let Some((i, _)) = index.get(id) {
            faults.push(
                &[K("capabilities"), I(*i), K("depends_on")],
                format!("dependency cycle: {cycle}"),
                "capabilities cannot depend on each other in a loop; remove one dependency"
                    .to_owned(),
            );
        }
        return;
    }
    let Some((_, cap)) = index.get(id) else {
        return;
    };
    trail.push(id);
    for dep in &cap.depends_on {
        if dep != id {
            walk(dep.as_str(), index, trail, done, faults);
        }
    }
    trail.pop();
    done.insert(id);
}

fn sources(plan: &Plan, faults: &mut Faults) {
    let capabilities: BTreeSet<&str> = plan.capabilities.iter().map(|c| c.id.as_str()).collect();
    let mut ids = BTreeSet::new();
    let mut unique = |faults: &mut Faults, at: &[PathPart<'_>], id: &str| {
        if !ids.insert(id.to_owned()) {
            faults.push(
                at,
                format!("source id `{id}` is used twice"),
                "give each source a distinct `id`; gaps and provenance name sources by it"
                    .to_owned(),
            );
        }
    };
    for (i, git) in plan.sources.git.iter().enumerate() {
        unique(faults, &[K("sources"), K("git"), I(i), K("id")], &git.id);
        if git.path.is_some() == git.url.is_some() {
            faults.push(
                &[K("sources"), K("git"), I(i)],
                format!(
                    "git source `{}` needs exactly one of `path` and `url`",
                    git.id
                ),
                "`path` for a local repository, `url` for one to clone".to_owned(),
            );
        }
    }
    for (i, drills) in plan.sources.drills.iter().enumerate() {
        unique(
            faults,
            &[K("sources"), K("drills"), I(i), K("id")],
            &drills.id,
        );
        for (j, rule) in drills.rules.iter().enumerate() {
            let at = |field| [K("sources"), K("drills"), I(i), K("rules"), I(j), K(field)];
            if !capabilities.contains(rule.capability.as_str()) {
                faults.unknown(
                    &at("capability"),
                    "capability",
                    &rule.capability,
                    &capabilities,
                );
            }
            if let Some(title) = &rule.title
                && let Err(e) = globset::Glob::new(title)
            {
                faults.push(
                    &at("title"),
                    format!("`{title}` is not a valid pattern: {}", e.kind()),
                    "use a glob such as `*redis*`".to_owned(),
                );
            }
            if rule.tags.is_empty() && rule.title.is_none() && rule.directory.is_none() {
                faults.push(
                    &[K("sources"), K("drills"), I(i), K("rules"), I(j)],
                    "this rule matches nothing".to_owned(),
                    "give it `tags`, a `title` pattern or a `directory`".to_owned(),
                );
            }
        }
    }
    for (i, source) in plan.sources.incidents.iter().enumerate() {
        unique(
            faults,
            &[K("sources"), K("incidents"), I(i), K("id")],
            &source.id,
        );
        incident_source(i, source, faults);
    }
}

fn incident_source(i: usize, source: &IncidentSource, faults: &mut Faults) {
    let at = |field| [K("sources"), K("incidents"), I(i), K(field)];
    let whole = [K("sources"), K("incidents"), I(i)];
    let id = &source.id;
    match (source.kind, &source.path, &source.url) {
        (IncidentKind::Export, None, _) => faults.push(
            &whole,
            format!("incident source `{id}` of kind `export` needs `path`"),
            "point `path` at the CSV, JSON or JSONL export".to_owned(),
        ),
        (IncidentKind::Export, Some(_), Some(_)) => faults.push(
            &at("url"),
            format!("incident source `{id}` of kind `export` reads a file and takes no `url`"),
            "remove `url`".to_owned(),
        ),
        (_, Some(_), Some(_)) => faults.push(
            &at("url"),
            format!("incident source `{id}` has both `path` and `url`"),
            "`path` reads a saved API response, `url` fetches live; keep one".to_owned(),
        ),
        (kind, None, None) if kind.is_api() => faults.push(
            &whole,
            format!("incident source `{id}` needs `url` (live API) or `path` (a saved response)"),
            None,
        ),
        _ => {}
    }
    if source.kind == IncidentKind::Github && source.path.is_none() {
        for field in ["repository", "label"] {
            let missing = match field {
                "repository" => source.repository.is_none(),
                _ => source.label.is_none(),
            };
            if missing {
                faults.push(
                    &whole,
                    format!("incident source `{id}` of kind `github` needs `{field}`"),
                    "e.g. `repository = \"acme/status\"` and `label = \"incident\"`".to_owned(),
                );
            }
        }
    }
    if source.token_env.is_some() && source.token_file.is_some() {
        faults.push(
            &at("token_file"),
            format!("incident source `{id}` has both `token_env` and `token_file`"),
            "keep one place for the credential".to_owned(),
        );
    }
    if !source.fields.is_empty() && source.kind != IncidentKind::Export {
        faults.push(
            &at("fields"),
            format!(
                "`fields` applies only to kind `export`, not `{}`",
                kind_name(source.kind)
            ),
            "remove `fields`; API sources have a fixed shape".to_owned(),
        );
    }
}

fn kind_name(kind: IncidentKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn frameworks(plan: &Plan, faults: &mut Faults) {
    let standard: BTreeSet<&str> = STANDARD_FRAMEWORKS.into_iter().collect();
    let mut seen = BTreeSet::new();
    for (i, id) in plan.frameworks.enabled.iter().enumerate() {
        let at = [K("frameworks"), K("enabled"), I(i)];
        if !standard.contains(id.as_str()) {
            faults.unknown(&at, "framework", id, &standard);
        } else if !seen.insert(id.as_str()) {
            faults.push(
                &at,
                format!("framework `{id}` is enabled twice"),
                "remove one".to_owned(),
            );
        }
    }
    let capabilities: BTreeSet<&str> = plan.capabilities.iter().map(|c| c.id.as_str()).collect();
    let tiers: BTreeSet<&str> = plan.tiers.keys().map(String::as_str).collect();
    for (i, framework) in plan.frameworks.custom.iter().enumerate() {
        let at = |field| [K("frameworks"), K("custom"), I(i), K(field)];
        if standard.contains(framework.id.as_str()) || !seen.insert(framework.id.as_str()) {
            faults.push(
                &at("id"),
                format!("framework id `{}` is already taken", framework.id),
                "give the custom framework its own id, e.g. `acme-enterprise-msa`".to_owned(),
            );
        }
        if framework.commitments.is_empty() {
            faults.push(
                &at("commitments"),
                format!("framework `{}` has no commitments", framework.id),
                "add `[[frameworks.custom.commitments]]` tables naming a policy each".to_owned(),
            );
        }
        let mut commitment_ids = BTreeSet::new();
        for (j, c) in framework.commitments.iter().enumerate() {
            let at = |field| {
                [
                    K("frameworks"),
                    K("custom"),
                    I(i),
                    K("commitments"),
                    I(j),
                    K(field),
                ]
            };
            if !commitment_ids.insert(c.id.as_str()) {
                faults.push(
                    &at("id"),
                    format!("commitment `{}` appears twice in `{}`", c.id, framework.id),
                    "give each commitment a distinct `id`".to_owned(),
                );
            }
            for (k, cap) in c.capabilities.iter().enumerate() {
                if !capabilities.contains(cap.as_str()) {
                    let at = [
                        K("frameworks"),
                        K("custom"),
                        I(i),
                        K("commitments"),
                        I(j),
                        K("capabilities"),
                        I(k),
                    ];
                    faults.unknown(&at, "capability", cap, &capabilities);
                }
            }
            for (k, tier) in c.tiers.iter().enumerate() {
                if !tiers.contains(tier.as_str()) {
                    let at = [
                        K("frameworks"),
                        K("custom"),
                        I(i),
                        K("commitments"),
                        I(j),
                        K("tiers"),
                        I(k),
                    ];
                    faults.unknown(&at, "tier", tier, &tiers);
                }
            }
        }
    }
}

fn waivers(plan: &Plan, faults: &mut Faults) {
    for (i, waiver) in plan.waivers.iter().enumerate() {
        for (field, value) in [
            ("policy", &waiver.policy),
            ("subject", &waiver.subject),
            ("justification", &waiver.justification),
            ("approver", &waiver.approver),
        ] {
            if value.trim().is_empty() {
                faults.push(
                    &[K("waivers"), I(i), K(field)],
                    format!("waiver `{field}` is empty"),
                    "an auditor needs who accepted which risk, and why".to_owned(),
                );
            }
        }
    }
}

/// Ids appear in file names, URLs and reports: keep them plain.
fn is_identifier(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}
