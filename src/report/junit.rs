//! The JUnit XML report, for CI test views: one test suite per framework,
//! one test case per control. `not-satisfied` is a failure (its failing
//! findings in the body), `error` an error, `no-evidence` skipped.

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use vouch_sdk::assessment::{ControlStatus, FindingStatus};

use super::view::{self, View};

/// Renders `view` as JUnit XML.
pub fn render(view: &View<'_>) -> Result<String, String> {
    write(view)
        .map_err(|e| e.to_string())
        .and_then(|bytes| String::from_utf8(bytes).map_err(|e| e.to_string()))
}

fn write(view: &View<'_>) -> io::Result<Vec<u8>> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let t = view.totals;
    let now = view
        .assessment
        .now
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    let total = view.assessment.controls.len().to_string();
    w.create_element("testsuites")
        .with_attributes([
            (
                "name",
                format!("vouch: {}", view.assessment.organisation).as_str(),
            ),
            ("tests", total.as_str()),
            ("failures", t.not_satisfied.to_string().as_str()),
            ("errors", t.error.to_string().as_str()),
            ("skipped", t.no_evidence.to_string().as_str()),
            ("timestamp", now.as_str()),
        ])
        .write_inner_content(|w| {
            for framework in &view.frameworks {
                let c = framework.counts;
                w.create_element("testsuite")
                    .with_attributes([
                        ("name", framework.title.as_str()),
                        ("id", framework.id),
                        ("tests", framework.controls.len().to_string().as_str()),
                        ("failures", c.not_satisfied.to_string().as_str()),
                        ("errors", c.error.to_string().as_str()),
                        ("skipped", c.no_evidence.to_string().as_str()),
                        ("timestamp", now.as_str()),
                    ])
                    .write_inner_content(|w| {
                        for control in &framework.controls {
                            let name = format!("{} {}", control.control, control.title);
                            let classname = format!("vouch.{}", framework.id);
                            let case = w.create_element("testcase").with_attributes([
                                ("classname", classname.as_str()),
                                ("name", name.as_str()),
                            ]);
                            let body = |status: FindingStatus| {
                                view.control_findings(control)
                                    .into_iter()
                                    .filter(|f| f.status == status)
                                    .map(|f| format!("{} {}: {}", f.policy, f.subject, f.message))
                                    .collect::<Vec<_>>()
                                    .join("\n")
                            };
                            let policies = control.policies.join(", ");
                            match control.status {
                                ControlStatus::Satisfied => {
                                    case.write_empty()?;
                                }
                                ControlStatus::NotSatisfied => {
                                    let message = format!("not satisfied: {policies}");
                                    case.write_inner_content(|w| {
                                        w.create_element("failure")
                                            .with_attributes([
                                                ("message", message.as_str()),
                                                ("type", "not-satisfied"),
                                            ])
                                            .write_text_content(BytesText::new(&body(
                                                FindingStatus::Fail,
                                            )))?;
                                        Ok(())
                                    })?;
                                }
                                ControlStatus::Error => {
                                    let message = format!("error: {policies} could not judge");
                                    case.write_inner_content(|w| {
                                        w.create_element("error")
                                            .with_attributes([
                                                ("message", message.as_str()),
                                                ("type", "error"),
                                            ])
                                            .write_text_content(BytesText::new(
                                                &[
                                                    view.control_run_errors(control).join("\n"),
                                                    body(FindingStatus::Error),
                                                ]
                                                .join("\n"),
                                            ))?;
                                        Ok(())
                                    })?;
                                }
                                ControlStatus::NoEvidence => {
                                    let message = view::control_status(ControlStatus::NoEvidence);
                                    case.write_inner_content(|w| {
                                        w.create_element("skipped")
                                            .with_attribute(("message", message))
                                            .write_empty()?;
                                        Ok(())
                                    })?;
                                }
                            }
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}
