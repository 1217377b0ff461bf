//! The control catalogs and the mapping policy → controls: `docs/controls.md`
//! is what `vouch policy controls` prints, the OSCAL export is valid and
//! byte-identical on every run, and every control the library issue names
//! is catalogued.
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;
use vouch_engine::controls::Catalogs;

const REGENERATE: &str = "cargo run -q -- policy controls -o docs/controls.md";

fn controls(args: &[&str]) -> String {
    let out = Command::cargo_bin("vouch")
        .unwrap()
        .args(["policy", "controls"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn docs_controls_md_is_current() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/controls.md")).unwrap();
    assert!(
        controls(&[]) == committed,
        "docs/controls.md is stale: regenerate it with `{REGENERATE}`"
    );
}

#[test]
fn out_writes_what_stdout_shows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("controls.md");
    controls(&["-o", path.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), controls(&[]));
}

#[test]
fn the_oscal_export_is_valid_and_deterministic() {
    let text = controls(&["--format", "oscal"]);
    assert_eq!(text, controls(&["--format", "oscal"]));
    let schema_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/schemas/oscal_component_schema.json"
    );
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(schema_path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "OSCAL errors:\n{}", errors.join("\n"));
}

#[test]
fn every_control_of_the_issue_is_catalogued_with_a_short_title() {
    let wanted: [(&str, &[&str]); 7] = [
        ("soc2", &["A1.2", "A1.3", "CC7.4", "CC7.5", "CC9.1"]),
        (
            "iso27001",
            &[
                "5.24", "5.25", "5.26", "5.27", "5.29", "5.30", "8.13", "8.14",
            ],
        ),
        ("iso22301", &["8.2.2", "8.4", "8.5"]),
        (
            "nist-800-53",
            &["CP-2", "CP-3", "CP-4", "CP-9", "CP-10", "IR-4", "IR-8"],
        ),
        ("dora", &["Art.11", "Art.12", "Art.24", "Art.25"]),
        (
            "hipaa",
            &[
                "164.308(a)(7)(i)",
                "164.308(a)(7)(ii)(A)",
                "164.308(a)(7)(ii)(B)",
                "164.308(a)(7)(ii)(C)",
                "164.308(a)(7)(ii)(D)",
                "164.308(a)(7)(ii)(E)",
            ],
        ),
        ("pci-dss", &["12.10.1", "12.10.2"]),
    ];
    let catalogs = Catalogs::standard().unwrap();
    for (framework, ids) in wanted {
        let catalog = catalogs.framework(framework).unwrap();
        let found: Vec<&str> = catalog.controls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(found, ids, "{framework}");
        for control in &catalog.controls {
            // A short title, never the standard's own text.
            assert!(
                !control.title.is_empty() && control.title.len() <= 60,
                "{framework}:{}",
                control.id
            );
        }
    }
}
