//! The HTML report: one self-contained page (inline CSS and SVG, no script,
//! no network asset) that reads on screen and prints on paper. maud escapes
//! every value put into it.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use vouch_sdk::assessment::{ControlStatus, FindingStatus};

use super::svg;
use super::view::{self, View, duration};

const CSS: &str = include_str!("report.css");

/// Renders `view` as an HTML document.
pub fn render(view: &View<'_>) -> String {
    let a = view.assessment;
    let now = a.now.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Continuity assurance: " (a.organisation) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    p.kicker { "Continuity assurance report" }
                    h1 { (a.organisation) }
                    dl.meta {
                        dt { "Audit window" } dd { (a.window.start) " to " (a.window.end) }
                        dt { "Assessed as of" } dd { time datetime=(now) { (now) } }
                        dt { "Bundle" }
                        dd {
                            @match view.digest {
                                Some(digest) => code { "sha256:" (digest) },
                                None if view.in_bundle => "this bundle (its digest is the sha256 of statement.dsse.json)",
                                None => "not sealed",
                            }
                        }
                        dt { "Signed by" }
                        dd { @match view.key_id { Some(key) => code { (key) }, None => "not signed" } }
                    }
                }
                main {
                    (summary(view))
                    (metrics(view))
                    (matrix(view))
                    (capabilities(view))
                    (charts(view))
                    (findings(view))
                    (waivers(view))
                    @if !a.warnings.is_empty() {
                        section #warnings {
                            h2 { "Warnings" }
                            ul { @for w in &a.warnings { li { (w) } } }
                        }
                    }
                }
                footer {
                    p { "Written by vouch " (env!("CARGO_PKG_VERSION")) ". Verify the bundle with "
                        code { "vouch verify BUNDLE --key KEY.pub --replay" } "." }
                }
            }
        }
    }
    .into_string()
}

fn badge(class: &str, text: &str) -> Markup {
    html! { span class=(format!("badge {class}")) { (text) } }
}

fn control_badge(status: ControlStatus) -> Markup {
    badge(status.as_str(), view::control_status(status))
}

fn finding_badge(status: FindingStatus) -> Markup {
    badge(status.as_str(), status.as_str())
}

fn summary(view: &View<'_>) -> Markup {
    let worst = view.worst();
    html! {
        section #summary {
            h2 { "Summary" }
            table {
                caption { "Control status per framework" }
                thead { tr {
                    th scope="col" { "Framework" }
                    th.num scope="col" { "Satisfied" }
                    th.num scope="col" { "Not satisfied" }
                    th.num scope="col" { "No evidence" }
                    th.num scope="col" { "Waived" }
                    th.num scope="col" { "Error" }
                } }
                tbody {
                    @for f in &view.frameworks {
                        tr {
                            th scope="row" { a href=(format!("#framework-{}", f.id)) { (f.title) } }
                            td.num { (f.counts.satisfied) }
                            td.num.bad[f.counts.not_satisfied > 0] { (f.counts.not_satisfied) }
                            td.num { (f.counts.no_evidence) }
                            td.num { (f.counts.waived) }
                            td.num.bad[f.counts.error > 0] { (f.counts.error) }
                        }
                    }
                }
            }
            @if !worst.is_empty() {
                h3 { "Worst findings" }
                ol.worst {
                    @for (group, f) in worst.iter().take(10) {
                        li {
                            (finding_badge(f.status)) " "
                            @if let Some(severity) = group.severity { span.severity { (severity.as_str()) } " " }
                            strong { (f.policy) } " · " code { (f.subject) } ": " (message(&f.message))
                        }
                    }
                }
            }
        }
    }
}

fn metrics(view: &View<'_>) -> Markup {
    html! {
        section #metrics {
            h2 { "Continuity metrics" }
            div.cards {
                @for m in &view.metrics {
                    div.card.absent[m.value.is_none()] id=(format!("metric-{}", m.key)) {
                        div.label {
                            (m.title) " "
                            span.note title=(if m.higher_is_better { "higher is better" } else { "lower is better" }) {
                                (if m.higher_is_better { "↑" } else { "↓" })
                            }
                        }
                        div.value { (m.shown()) }
                        (svg::sparkline(&m.trend, |v| view::show(m.unit, v)))
                        @if m.trend.len() > 1 { div.runs { (m.trend.len()) " runs" } }
                    }
                }
            }
            p.note { "n/a: the policy behind the metric did not run or measured nothing. Definitions: docs/audit-package.md." }
        }
    }
}

fn matrix(view: &View<'_>) -> Markup {
    html! {
        section #controls {
            h2 { "Control matrix" }
            @for f in &view.frameworks {
                table id=(format!("framework-{}", f.id)) {
                    caption { (f.title) @if f.custom { " (customer commitments)" } }
                    thead { tr {
                        th scope="col" { "Control" }
                        th scope="col" { "Title" }
                        th scope="col" { "Status" }
                        th scope="col" { "Evidenced by" }
                    } }
                    tbody {
                        @for c in &f.controls {
                            tr {
                                th scope="row" { (c.control) }
                                td { (c.title) }
                                td { (control_badge(c.status)) @if c.waived > 0 { " " span.note { (c.waived) " waived" } } }
                                td {
                                    @for (i, p) in c.policies.iter().enumerate() {
                                        @if i > 0 { ", " }
                                        @if view.policies.iter().any(|g| g.id == p) {
                                            a href=(format!("#policy-{p}")) { (p) }
                                        } @else {
                                            (p)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn target(value: Option<f64>) -> Markup {
    html! { @match value { Some(v) => (duration(v)), None => span.note { "—" } } }
}

/// A capability's verdict beside its measure; nothing where it does not apply.
fn verdict(status: Option<FindingStatus>) -> Markup {
    html! {
        @if let Some(s) = status.filter(|s| *s != FindingStatus::NotApplicable) {
            " " (finding_badge(s))
        }
    }
}

fn capabilities(view: &View<'_>) -> Markup {
    html! {
        section #capabilities {
            h2 { "Capabilities" }
            table {
                caption { "Tier, and recovery targets against the worst measured in the window" }
                thead { tr {
                    th scope="col" { "Capability" }
                    th scope="col" { "Tier" }
                    th.num scope="col" { "RTO" }
                    th.num scope="col" { "Worst recovery" }
                    th.num scope="col" { "RPO" }
                    th.num scope="col" { "Worst data loss" }
                } }
                tbody {
                    @for c in &view.capabilities {
                        tr {
                            th scope="row" { (c.name) @if c.name != c.id { " " code { (c.id) } } }
                            td { @match &c.tier { Some((id, level)) => { (id) " (level " (level) ")" }, None => span.note { "—" } } }
                            td.num { (target(c.rto)) }
                            td.num { (target(c.worst_recovery)) (verdict(c.rto_status)) }
                            td.num { (target(c.rpo)) }
                            td.num { (target(c.worst_data_loss)) (verdict(c.rpo_status)) }
                        }
                    }
                }
            }
        }
    }
}

fn charts(view: &View<'_>) -> Markup {
    html! {
        section #runbooks.chart-section {
            h2 { "Runbook age" }
            @if view.runbooks.is_empty() {
                p.note { "No runbook ages: runbook-freshness did not run." }
            } @else {
                p.note { "Days since each runbook was last changed or reviewed; the tick is its tier's maximum age. Green: within it; red: over it; brown: over it, waived." }
                (svg::runbooks(&view.runbooks))
                @if view.runbooks_omitted > 0 {
                    p.note { "Showing the " (view.runbooks.len()) " runbooks furthest over their maximum; of the " (view.runbooks_omitted) " more, those over it are listed in the findings below, and all are in assessment.json." }
                }
            }
        }
        section #drills.chart-section {
            h2 { "Drill timeline" }
            @match &view.drills {
                Some(marks) if !marks.is_empty() => {
                    p.note { "Every drill started in the audit window: a green dot passed, a red cross failed. Hover a mark for the drill." }
                    (svg::drills(marks, view.window()))
                    @if view.drills_omitted.0 > 0 {
                        p.note { "Showing the " (view::CHART_ROWS) " capabilities with the most failed drills; " (view.drills_omitted.0) " more capabilities, with " (view.drills_omitted.1) " drills in the window, are in the evidence (evidence/drills.json)." }
                    }
                },
                Some(_) => p.note { "No drills in the audit window." },
                None => p.note { "The drill timeline needs the evidence: draw the report from the bundle." },
            }
        }
        section #recoveries.chart-section {
            h2 { "Incident recovery against RTO" }
            @match &view.recoveries {
                Some(r) if !r.is_empty() => {
                    p.note { "Each incident's time to recover against its capability's RTO (the line). Red bars missed it; a pale bar is still open at the assessment time." }
                    (svg::recoveries(r))
                    @if view.recoveries_omitted > 0 {
                        p.note { "Showing the " (r.len()) " slowest incidents against their RTO; " (view.recoveries_omitted) " more recovered faster. In all, " (view.recoveries_missed) " of the " (r.len() + view.recoveries_omitted) " incidents in the window took longer than their RTO." }
                    }
                },
                Some(_) => p.note { "No incidents of a planned capability in the audit window." },
                None => p.note { "This chart needs the plan and the evidence: draw the report from the bundle." },
            }
        }
    }
}

fn findings(view: &View<'_>) -> Markup {
    html! {
        section #findings {
            h2 { "Findings by policy" }
            @for group in &view.policies {
                section.policy id=(format!("policy-{}", group.id)) {
                    h3 {
                        (group.title.unwrap_or(group.id)) " "
                        @if group.title.is_some() { code { (group.id) } " " }
                        @if let Some(s) = group.severity { span.severity { (s.as_str()) } }
                    }
                    @if let Some(d) = group.description.filter(|d| !d.is_empty()) { p.note { (d) } }
                    @let (shown, left_out) = group.shown();
                    table {
                        thead { tr {
                            th scope="col" { "Status" }
                            th scope="col" { "Subject" }
                            th scope="col" { "Message" }
                            th scope="col" { "Evidence" }
                        } }
                        tbody {
                            @for row in shown {
                                @let f = row.finding;
                                tr {
                                    td { (finding_badge(f.status)) }
                                    td.subject { code { (f.subject) } @if let Some(c) = &f.commitment { br; span.note { (c) } } }
                                    td { (message(&f.message)) }
                                    td.evidence {
                                        @for (reference, link) in &row.evidence {
                                            @match link {
                                                Some(href) => a href=(href) title=(reference) { (view::short_reference(reference)) },
                                                None => span title=(reference) { (view::short_reference(reference)) },
                                            }
                                            br;
                                        }
                                        @if row.unlisted_evidence > 0 {
                                            span.note { "and " (row.unlisted_evidence) " more, named in assessment.json" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if left_out > 0 {
                        p.note.unlisted {
                            (left_out) " more findings of " code { (group.id) }
                            " are not listed here: the first " (view::LISTED_NOT_PASSING)
                            " that fail, err, warn or are waived are, and the first " (view::LISTED_PASSING)
                            " that pass or do not apply. All its findings are in the bundle's "
                            code { "assessment.json" } " and " code { "oscal/assessment-results.json" } "."
                        }
                    }
                }
            }
        }
    }
}

/// A finding's message, cut as [`view::shown_message`] says.
fn message(text: &str) -> Markup {
    let (shown, cut) = view::shown_message(text);
    html! {
        (shown)
        @if cut > 0 { "… " span.note { "(" (cut) " more characters, in assessment.json)" } }
    }
}

fn waivers(view: &View<'_>) -> Markup {
    html! {
        section #waivers {
            h2 { "Waivers" }
            @if view.waivers.is_empty() {
                p.note { "No waivers." }
            } @else {
                table {
                    caption { "Accepted risks, as the plan records them" }
                    thead { tr {
                        th scope="col" { "Policy" }
                        th scope="col" { "Subject" }
                        th scope="col" { "Justification" }
                        th scope="col" { "Approver" }
                        th scope="col" { "Expires" }
                        th.num scope="col" { "Waived findings" }
                    } }
                    tbody {
                        @for w in &view.waivers {
                            tr {
                                td { (w.policy) }
                                td { code { (w.subject) } }
                                td { (w.justification) }
                                td { (w.approver) }
                                td { (w.expires) @if w.expired { " " (badge("fail", "expired")) } }
                                td.num { (w.applied) }
                            }
                        }
                    }
                }
            }
        }
    }
}
