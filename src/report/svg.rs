//! The report's charts as inline SVG: no script, no external asset, legible
//! in print. Each chart has a title and a description for assistive
//! technology, and every status is told by shape or label as well as colour.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use maud::{Markup, html};

use super::view::{DrillMark, Recovery, RunbookBar, duration};

const WIDTH: f64 = 960.0;
const LABEL: f64 = 330.0;
const ROW: f64 = 22.0;

/// A number for an SVG attribute.
fn n(v: f64) -> String {
    format!("{v:.1}")
}

#[allow(clippy::cast_precision_loss)] // a handful of rows
fn rows(count: usize) -> f64 {
    count as f64
}

/// Each runbook's age as a bar, its tier's maximum as a tick.
pub fn runbooks(bars: &[RunbookBar]) -> Markup {
    let scale = bars
        .iter()
        .flat_map(|b| [b.age, b.max_age.unwrap_or(0.0)])
        .fold(1.0, f64::max);
    let plot = WIDTH - LABEL - 90.0;
    let x = |days: f64| LABEL + days / scale * plot;
    let height = rows(bars.len()) * ROW + 30.0;
    html! {
        svg class="chart" viewBox=(format!("0 0 {WIDTH} {}", n(height))) role="img"
            aria-labelledby="drift-title drift-desc" {
            title id="drift-title" { "Runbook age against the tier's maximum" }
            desc id="drift-desc" {
                "One bar per runbook: its age in days since last change or review. The dark tick is its tier's maximum age."
            }
            @for (i, bar) in bars.iter().enumerate() {
                @let y = rows(i) * ROW + 4.0;
                g class=(format!("bar {}", bar.status.as_str())) {
                    title { (bar.path) ": " (format!("{:.1}", bar.age)) " days" @if let Some(max) = bar.max_age { ", maximum " (format!("{max:.0}")) } " (" (bar.status.as_str()) ")" }
                    text x=(n(LABEL - 8.0)) y=(n(y + 13.0)) text-anchor="end" { (bar.path) }
                    rect x=(n(LABEL)) y=(n(y)) width=(n(x(bar.age) - LABEL)) height="16" {}
                    @if let Some(max) = bar.max_age {
                        line class="limit" x1=(n(x(max))) x2=(n(x(max))) y1=(n(y - 2.0)) y2=(n(y + 18.0)) {}
                    }
                    text x=(n(x(bar.age) + 6.0)) y=(n(y + 13.0)) { (format!("{:.0} d", bar.age)) }
                }
            }
            text class="axis" x=(n(LABEL)) y=(n(height - 6.0)) { "0 days" }
            text class="axis" x=(n(LABEL + plot)) y=(n(height - 6.0)) text-anchor="end" { (format!("{scale:.0} days")) }
        }
    }
}

/// Every drill of the window on a timeline, one row per capability: a
/// filled circle for a pass, a cross for a failure.
pub fn drills(marks: &[DrillMark], window: (DateTime<Utc>, DateTime<Utc>)) -> Markup {
    let (start, end) = window;
    let mut capabilities: Vec<&str> = marks.iter().map(|m| m.capability.as_str()).collect();
    capabilities.dedup();
    let plot = WIDTH - 170.0 - 20.0;
    let span = (end - start).num_seconds().max(1);
    #[allow(clippy::cast_precision_loss)] // seconds in a year
    let x = |at: DateTime<Utc>| 170.0 + (at - start).num_seconds() as f64 / span as f64 * plot;
    let height = rows(capabilities.len()) * ROW + 40.0;
    let months = month_starts(start.date_naive(), end.date_naive());
    html! {
        svg class="chart" viewBox=(format!("0 0 {WIDTH} {}", n(height))) role="img"
            aria-labelledby="drills-title drills-desc" {
            title id="drills-title" { "Drill timeline" }
            desc id="drills-desc" {
                "Each drill in the audit window, one row per capability; a filled circle passed, a cross failed."
            }
            @for month in &months {
                @let mx = x(month.and_hms_opt(0, 0, 0).map_or(start, |t| t.and_utc()));
                line class="grid" x1=(n(mx)) x2=(n(mx)) y1="0" y2=(n(height - 24.0)) {}
                text class="axis" x=(n(mx + 2.0)) y=(n(height - 8.0)) { (month.format("%b %Y")) }
            }
            @for (row, capability) in capabilities.iter().enumerate() {
                @let y = rows(row) * ROW + 14.0;
                text x="162" y=(n(y + 4.0)) text-anchor="end" { (capability) }
                line class="lane" x1="170" x2=(n(170.0 + plot)) y1=(n(y)) y2=(n(y)) {}
                @for mark in marks.iter().filter(|m| m.capability == *capability) {
                    @let cx = x(mark.started);
                    @if mark.passed {
                        circle class="pass" cx=(n(cx)) cy=(n(y)) r="5" {
                            title { (mark.id) " (" (mark.kind) ", " (mark.started.format("%Y-%m-%d")) "): passed" }
                        }
                    } @else {
                        path class="fail-mark" d=(format!("M{} {}l10 10m0 -10l-10 10", n(cx - 5.0), n(y - 5.0))) {
                            title { (mark.id) " (" (mark.kind) ", " (mark.started.format("%Y-%m-%d")) "): failed" }
                        }
                    }
                }
            }
        }
    }
}

/// The first of each month after `start`, up to `end`.
fn month_starts(start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
    let mut months = Vec::new();
    let mut month = start
        .with_day(1)
        .and_then(|d| d.checked_add_months(Months::new(1)));
    while let Some(m) = month.filter(|m| *m <= end) {
        months.push(m);
        month = m.checked_add_months(Months::new(1));
    }
    months
}

/// Each incident's recovery as a share of its capability's RTO; the line
/// at 100 % is the RTO.
pub fn recoveries(recoveries: &[Recovery<'_>]) -> Markup {
    let scale = recoveries.iter().map(Recovery::share).fold(1.5, f64::max);
    let label = 230.0;
    let plot = WIDTH - label - 150.0;
    let x = |share: f64| label + share / scale * plot;
    let height = rows(recoveries.len()) * ROW + 30.0;
    html! {
        svg class="chart" viewBox=(format!("0 0 {WIDTH} {}", n(height))) role="img"
            aria-labelledby="recovery-title recovery-desc" {
            title id="recovery-title" { "Incident recovery against RTO" }
            desc id="recovery-desc" {
                "One bar per incident in the window: its recovery time as a share of its capability's RTO. Bars past the line at 100% missed the RTO."
            }
            line class="limit" x1=(n(x(1.0))) x2=(n(x(1.0))) y1="0" y2=(n(height - 22.0)) {}
            text class="axis" x=(n(x(1.0))) y=(n(height - 6.0)) text-anchor="middle" { "RTO" }
            @for (i, r) in recoveries.iter().enumerate() {
                @let y = rows(i) * ROW + 4.0;
                @let class = if r.share() > 1.0 { "fail" } else { "pass" };
                g class=(format!("bar {class}")) {
                    title { (r.id) " (" (r.capability) "): " (duration(r.seconds)) @if r.open { " so far, still open" } ", RTO " (duration(r.rto)) }
                    text x=(n(label - 8.0)) y=(n(y + 13.0)) text-anchor="end" { (r.id) " " (r.capability) }
                    rect x=(n(label)) y=(n(y)) width=(n((x(r.share()) - label).max(1.0))) height="16"
                        class=[r.open.then_some("open")] {}
                    text x=(n(x(r.share()) + 6.0)) y=(n(y + 13.0)) {
                        (duration(r.seconds)) " / " (duration(r.rto)) @if r.open { " (open)" }
                    }
                }
            }
        }
    }
}

/// A metric's trend as a small line, this run as a dot; nothing with fewer
/// than two runs. `show` writes a value for people, for the text alternative.
pub fn sparkline(trend: &[Option<f64>], show: impl Fn(f64) -> String) -> Markup {
    let points: Vec<(usize, f64)> = trend
        .iter()
        .enumerate()
        .filter_map(|(i, v)| Some((i, (*v)?)))
        .collect();
    if trend.len() < 2 || points.is_empty() {
        return html! {};
    }
    let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let x = |i: usize| 2.0 + rows(i) / rows(trend.len() - 1) * 96.0;
    let y = |v: f64| {
        if hi > lo {
            22.0 - (v - lo) / (hi - lo) * 20.0
        } else {
            12.0
        }
    };
    let line: Vec<String> = points
        .iter()
        .map(|(i, v)| format!("{},{}", n(x(*i)), n(y(*v))))
        .collect();
    let last = points.last().copied();
    let values: Vec<String> = trend
        .iter()
        .map(|v| v.map_or_else(|| "n/a".to_owned(), &show))
        .collect();
    let label = format!("trend over {} runs: {}", trend.len(), values.join(", "));
    html! {
        svg class="spark" viewBox="0 0 100 24" role="img" aria-label=(label) {
            title { (label) }
            polyline points=(line.join(" ")) {}
            @if let Some((i, v)) = last {
                circle cx=(n(x(i))) cy=(n(y(v))) r="2.5" {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparkline_draws_each_measured_run_and_marks_this_one() {
        let svg = sparkline(&[Some(0.5), None, Some(0.8)], |v| format!("{v}")).into_string();
        assert!(svg.contains(r#"points="2.0,22.0 98.0,2.0""#), "{svg}");
        assert!(svg.contains(r#"<circle cx="98.0" cy="2.0""#), "{svg}");
        assert!(svg.contains("trend over 3 runs: 0.5, n/a, 0.8"), "{svg}");
        let show = |v: f64| format!("{v}");
        assert!(sparkline(&[Some(0.5)], show).into_string().is_empty());
        assert!(sparkline(&[None, None], show).into_string().is_empty());
    }
}
