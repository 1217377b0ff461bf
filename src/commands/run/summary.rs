//! What `vouch run` prints: control status per framework, the worst
//! findings, the metrics, and where the bundle and report are — or the same
//! as one JSON document under `--json`.

use std::path::Path;

use serde_json::json;

use super::FailOn;
use crate::output::Output;
use crate::report::view::View;
use crate::report::{self, Input};

/// Worst findings shown; the report has them all.
const SHOWN: usize = 8;

/// Prints the summary of the run sealed in `bundle`.
pub fn print(
    input: &Input,
    bundle: &Path,
    gaps: usize,
    failed: &[(FailOn, usize)],
    out: &Output,
) -> miette::Result<()> {
    let view = View::new(input);
    let a = view.assessment;
    let report_path = bundle.join(report::BUNDLED);
    let worst = view.worst();
    out.json(&json!({
        "organisation": a.organisation,
        "now": a.now,
        "window": a.window,
        "bundle": bundle,
        "archive": format!("{}.tar", bundle.display()),
        "digest": view.digest,
        "key_id": view.key_id,
        "report": report_path,
        "controls": view.totals,
        "frameworks": view.frameworks.iter().map(|f| json!({
            "id": f.id, "title": f.title, "controls": f.counts,
        })).collect::<Vec<_>>(),
        "worst": worst.iter().map(|(group, f)| json!({
            "policy": f.policy,
            "commitment": f.commitment,
            "subject": f.subject,
            "status": f.status,
            "severity": group.severity,
            "message": f.message,
        })).collect::<Vec<_>>(),
        "metrics": a.metrics,
        "gaps": gaps,
        "failed": failed.iter().map(|(c, n)| json!({ "condition": c, "count": n })).collect::<Vec<_>>(),
    }))?;

    out.say(format!(
        "{}: audit window {} to {}, as of {}",
        a.organisation,
        a.window.start,
        a.window.end,
        a.now.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    ));
    out.say("");
    let width = view
        .frameworks
        .iter()
        .map(|f| f.title.chars().count())
        .max()
        .unwrap_or(0)
        .max(9);
    out.say(format!(
        "  {:<width$}  satisfied  not satisfied  no evidence  waived  error",
        "framework"
    ));
    for f in &view.frameworks {
        let c = f.counts;
        out.say(format!(
            "  {:<width$}  {:>9}  {:>13}  {:>11}  {:>6}  {:>5}",
            f.title, c.satisfied, c.not_satisfied, c.no_evidence, c.waived, c.error
        ));
    }
    out.say("");
    if worst.is_empty() {
        out.say("No failing findings.");
    } else {
        out.say(format!(
            "Worst findings ({} failing or in error):",
            worst.len()
        ));
        for (group, f) in worst.iter().take(SHOWN) {
            let severity = group.severity.map_or("", |s| s.as_str());
            let line = format!(
                "  {:<5} {:<8} {} `{}`: {}",
                f.status.as_str().to_uppercase(),
                severity,
                f.policy,
                f.subject,
                f.message
            );
            out.say(clip(&line));
        }
        if worst.len() > SHOWN {
            out.say(format!(
                "  ... and {} more in the report",
                worst.len() - SHOWN
            ));
        }
    }
    out.say("");
    out.say("Metrics:");
    let width = view
        .metrics
        .iter()
        .map(|m| m.title.chars().count())
        .max()
        .unwrap_or(0);
    for m in &view.metrics {
        out.say(format!("  {:<width$}  {}", m.title, m.shown()));
    }
    out.say("");
    if gaps > 0 {
        out.say(format!(
            "The evidence set has {gaps} gap(s); policies that need the missing evidence fail."
        ));
    }
    out.say(format!(
        "bundle  `{}` (and `{}.tar`)",
        bundle.display(),
        bundle.display()
    ));
    out.say(format!("report  `{}`", report_path.display()));
    if let Some(key) = view.key_id {
        out.say(format!("signed by key {key}"));
    }
    for (condition, count) in failed {
        let what = match condition {
            FailOn::NotSatisfied => "control(s) not satisfied",
            FailOn::Error => "control(s) in error",
            FailOn::Gap => "evidence gap(s)",
        };
        eprintln!(
            "failing: {count} {what} (--fail-on {})",
            condition_name(*condition)
        );
    }
    Ok(())
}

/// One line of a terminal: the report has the whole message.
fn clip(line: &str) -> String {
    const WIDTH: usize = 140;
    match line.char_indices().nth(WIDTH - 1) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_owned(),
    }
}

fn condition_name(condition: FailOn) -> &'static str {
    match condition {
        FailOn::NotSatisfied => "not-satisfied",
        FailOn::Error => "error",
        FailOn::Gap => "gap",
    }
}
