//! The Markdown report, for a pull request or a wiki: the summary, the
//! control matrix, the metrics and the failing findings. Table cells are
//! escaped so a message cannot break the table or inject markup.

use super::view::{self, View};

/// Renders `view` as GitHub-flavoured Markdown.
pub fn render(view: &View<'_>) -> String {
    let a = view.assessment;
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!("# Continuity assurance: {}", cell(&a.organisation)));
    line(String::new());
    line(format!(
        "Audit window {} to {}, assessed as of {}.",
        a.window.start,
        a.window.end,
        a.now.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    ));
    if let Some(digest) = view.digest {
        line(format!("Bundle `{digest}`."));
    }
    if let Some(key) = view.key_id {
        line(format!("Signed by key `{key}`."));
    }
    line(String::new());
    line("| framework | satisfied | not satisfied | no evidence | waived | error |".to_owned());
    line("|---|---:|---:|---:|---:|---:|".to_owned());
    for f in &view.frameworks {
        let c = f.counts;
        line(format!(
            "| {} | {} | {} | {} | {} | {} |",
            cell(&f.title),
            c.satisfied,
            c.not_satisfied,
            c.no_evidence,
            c.waived,
            c.error
        ));
    }
    line(String::new());
    line("## Metrics".to_owned());
    line(String::new());
    line("| metric | value | trend |".to_owned());
    line("|---|---:|---|".to_owned());
    for m in &view.metrics {
        line(format!(
            "| {} | {} | {} |",
            m.title,
            m.shown(),
            spark(&m.trend)
        ));
    }
    for f in &view.frameworks {
        line(String::new());
        line(format!("## {}", cell(&f.title)));
        line(String::new());
        line("| control | title | status | policies |".to_owned());
        line("|---|---|---|---|".to_owned());
        for c in &f.controls {
            let waived = if c.waived > 0 {
                format!(" ({} waived)", c.waived)
            } else {
                String::new()
            };
            line(format!(
                "| {} | {} | {}{waived} | {} |",
                cell(&c.control),
                cell(&c.title),
                view::control_status(c.status),
                cell(&c.policies.join(", "))
            ));
        }
    }
    let worst = view.worst();
    line(String::new());
    line("## Failing findings".to_owned());
    line(String::new());
    if worst.is_empty() {
        line("None.".to_owned());
    } else {
        line("| status | severity | policy | subject | message |".to_owned());
        line("|---|---|---|---|---|".to_owned());
        let left_out = worst.len().saturating_sub(view::LISTED_NOT_PASSING);
        for (group, f) in worst.into_iter().take(view::LISTED_NOT_PASSING) {
            let policy = match &f.commitment {
                Some(c) => format!("{} ({c})", f.policy),
                None => f.policy.clone(),
            };
            let message = match view::shown_message(&f.message) {
                (shown, 0) => cell(shown),
                (shown, cut) => format!(
                    "{}… ({cut} more characters, in assessment.json)",
                    cell(shown)
                ),
            };
            line(format!(
                "| {} | {} | {} | {} | {} |",
                f.status.as_str(),
                group.severity.map_or("", |s| s.as_str()),
                cell(&policy),
                cell(&f.subject),
                message
            ));
        }
        if left_out > 0 {
            line(String::new());
            line(format!(
                "{left_out} more failing or erroring findings are not listed here: the worst {} \
                 are. All are in the bundle's `assessment.json` and \
                 `oscal/assessment-results.json`.",
                view::LISTED_NOT_PASSING
            ));
        }
    }
    if !view.waivers.is_empty() {
        line(String::new());
        line("## Waivers".to_owned());
        line(String::new());
        line("| policy | subject | justification | approver | expires | waived |".to_owned());
        line("|---|---|---|---|---|---:|".to_owned());
        for w in &view.waivers {
            let expires = if w.expired {
                format!("{} (expired)", w.expires)
            } else {
                w.expires.to_string()
            };
            line(format!(
                "| {} | {} | {} | {} | {expires} | {} |",
                cell(&w.policy),
                cell(&w.subject),
                cell(&w.justification),
                cell(&w.approver),
                w.applied
            ));
        }
    }
    if !a.warnings.is_empty() {
        line(String::new());
        line("## Warnings".to_owned());
        line(String::new());
        for w in &a.warnings {
            line(format!("- {}", cell(w)));
        }
    }
    out
}

/// Text safe inside a table cell or list item: markup characters, pipes
/// and newlines escaped, except that balanced `code spans` stay code (only
/// their pipes escaped, as tables need).
fn cell(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let spans: Vec<&str> = text.split('`').collect();
    let balanced = spans.len() % 2 == 1;
    let mut out = String::with_capacity(text.len());
    for (i, span) in spans.iter().enumerate() {
        if i > 0 && !balanced {
            out.push_str("\\`");
        }
        if balanced && i % 2 == 1 {
            out.push('`');
            out.push_str(&span.replace('|', "\\|"));
            out.push('`');
            continue;
        }
        for c in span.chars() {
            if matches!(c, '|' | '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '#') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// A trend as Unicode block characters, `n/a` points as spaces; empty with one point.
fn spark(trend: &[Option<f64>]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    if trend.len() < 2 {
        return String::new();
    }
    let values = trend.iter().flatten().copied();
    let lo = values.clone().fold(f64::INFINITY, f64::min);
    let hi = values.fold(f64::NEG_INFINITY, f64::max);
    let mut out = String::new();
    for point in trend {
        let c = match point {
            None => ' ',
            Some(v) if hi > lo => {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 0..=7
                let i = ((v - lo) / (hi - lo) * 7.0).round() as usize;
                BLOCKS.get(i).copied().unwrap_or('█')
            }
            Some(_) => BLOCKS[3],
        };
        out.push(c);
    }
    out
}
