//! Every reader of untrusted input, in one libFuzzer binary: the first input
//! byte picks the target (modulo their number), the rest is the input. One
//! binary links once, which keeps the CI build short; `scripts/fuzz` runs
//! each target on its own corpus, whose files start with its byte.
//!
//! None may panic. A plan error must say where the mistake is; a plan that
//! loads must cross to policies as JSON and come back the same.

#![no_main]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ed25519_dalek::VerifyingKey;
use libfuzzer_sys::fuzz_target;
use vouch_collector::drills::{self, DrillFile};
use vouch_collector::incidents::api::{self, Page};
use vouch_collector::incidents::export::{self, Mapping};
use vouch_evidence::layout::unsafe_path;
use vouch_evidence::verify::Outcome;
use vouch_evidence::{VerifyOptions, verify};
use vouch_sdk::evidence::Origin;
use vouch_sdk::plan::{DrillFormat, IncidentKind, Plan, load};

/// A target's name (as `scripts/fuzz` calls it) and what it runs on an input.
type Target = (&'static str, fn(&[u8]));

/// The targets, by the value of the first input byte (modulo their number).
/// `scripts/fuzz` and docs/robustness.md name them in this order.
const TARGETS: [Target; 16] = [
    ("plan", plan),
    ("drill-auto", |i| drill(DrillFormat::Auto, i)),
    ("drill-chaostoolkit", |i| {
        drill(DrillFormat::Chaostoolkit, i)
    }),
    ("drill-junit", |i| drill(DrillFormat::Junit, i)),
    ("drill-litmus", |i| drill(DrillFormat::Litmus, i)),
    ("drill-vouch", |i| drill(DrillFormat::Vouch, i)),
    ("pagerduty", |i| incidents(IncidentKind::Pagerduty, i)),
    ("incident-io", |i| incidents(IncidentKind::IncidentIo, i)),
    ("opsgenie", |i| incidents(IncidentKind::Opsgenie, i)),
    ("statuspage", |i| incidents(IncidentKind::Statuspage, i)),
    ("github", |i| incidents(IncidentKind::Github, i)),
    ("export-csv", |i| export(i, "csv")),
    ("export-json", |i| export(i, "json")),
    ("export-jsonl", |i| export(i, "jsonl")),
    ("bundle-archive", |i| bundle(i, false)),
    ("bundle-directory", |i| bundle(i, true)),
];

fuzz_target!(|data: &[u8]| {
    if let Some((&pick, input)) = data.split_first() {
        let (_, target) = TARGETS[usize::from(pick) % TARGETS.len()];
        target(input);
    }
});

/// `vouch.toml` text: loads, or every error names a line and column and
/// renders as the CLI shows it.
fn plan(input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    match load::parse("vouch.toml", text) {
        Ok(plan) => {
            let json = serde_json::to_vec(&plan).expect("a loaded plan encodes as JSON");
            let back: Plan = serde_json::from_slice(&json).expect("policies read the plan back");
            assert_eq!(
                back, plan,
                "the plan policies read differs from the one loaded"
            );
        }
        Err(error) => {
            let locations = error.locations();
            assert!(!locations.is_empty(), "an error with no location: {error}");
            for at in &locations {
                assert!(at.line >= 1 && at.column >= 1, "no line or column: {at}");
            }
            let mut shown = String::new();
            miette::GraphicalReportHandler::new()
                .render_report(&mut shown, &error)
                .expect("the error renders");
            assert!(!shown.is_empty());
        }
    }
}

/// A drill result file in `format`; its name's extension follows its first
/// character, as a source directory's would.
fn drill(format: DrillFormat, input: &[u8]) {
    let path = match input.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => "drills/result.json",
        Some(b'<') => "drills/result.xml",
        _ => "drills/result.yaml",
    };
    let origin = Origin {
        source: "drills".to_owned(),
        artifact: path.to_owned(),
        sha256: String::new(),
    };
    let _ = drills::parse(
        format,
        &DrillFile {
            path,
            bytes: input,
            origin: &origin,
        },
    );
}

/// Saved API responses: `NAME\0BODY` pairs separated by `\0` (a lone part
/// is one `incidents.json` page), so a seed can hold several streams.
fn incidents(kind: IncidentKind, input: &[u8]) {
    let parts: Vec<&[u8]> = input.split(|&b| b == 0).collect();
    let pages: Vec<Page> = match parts.as_slice() {
        [body] => vec![page("incidents.json", body)],
        _ => parts
            .chunks(2)
            .map(|pair| match pair {
                [name, body] => page(&String::from_utf8_lossy(name), body),
                [body] => page("incidents.json", body),
                _ => page("incidents.json", &[]),
            })
            .collect(),
    };
    let _ = api::drafts(kind, &pages, Some("acme/payments"), Some("incident"));
}

fn page(name: &str, body: &[u8]) -> Page {
    Page {
        name: name.to_owned(),
        body: body.to_vec(),
        fetched: None,
    }
}

/// A scratch directory for the targets that read files, one per process.
fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a scratch directory"))
        .path()
}

/// An incident export with the demo organisation's field mapping.
fn export(input: &[u8], extension: &str) {
    static MAPPING: OnceLock<Mapping> = OnceLock::new();
    let mapping = MAPPING.get_or_init(|| {
        let fields: BTreeMap<String, String> = [
            ("severity", "priority"),
            ("started", "opened_at"),
            ("acknowledged", "acknowledged_at"),
            ("resolved", "resolved_at"),
            ("first_update", "first_customer_update_at"),
            ("postmortem", "postmortem_published_at"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        Mapping::new(&fields).expect("the demo mapping is valid")
    });
    let name = format!("export.{extension}");
    let copy = scratch().join(&name);
    std::fs::write(&copy, input).expect("the scratch file is writable");
    let read = export::rows(&copy, &name, mapping, &mut |at, _draft| {
        assert!(at.starts_with(&name), "a row not named by its file: {at}");
        Ok(())
    });
    assert!(read.is_some(), "`{name}` names an export format");
}

/// A bundle: a 32-byte Ed25519 public key to trust, then a tar of the bundle,
/// verified as the archive itself or unpacked into a directory.
fn bundle(input: &[u8], as_directory: bool) {
    let Some((key, archive)) = input.split_first_chunk::<32>() else {
        return;
    };
    let Ok(key) = VerifyingKey::from_bytes(key) else {
        return;
    };
    let path = if as_directory {
        let Some(dir) = unpack(archive) else {
            return;
        };
        dir
    } else {
        let path = scratch().join("bundle.tar");
        std::fs::write(&path, archive).expect("the scratch file is writable");
        path
    };
    let report = verify(&path, &key, VerifyOptions::default()).expect("the bundle opens");
    // Each failure says why (the CLI prints them); a bundle that passes
    // passed every step it ran and has its signed statement.
    let mut shown = String::new();
    for failure in &report.failures {
        let _ = writeln!(shown, "{failure}");
    }
    if report.passed() {
        assert!(report.steps.iter().all(|s| s.outcome == Outcome::Passed));
        assert!(report.statement.is_some());
    }
}

/// Writes the regular files of a tar whose names are safe into a fresh
/// directory, as a user unpacking a bundle would; `None` when it is no tar.
fn unpack(archive: &[u8]) -> Option<PathBuf> {
    let root = scratch().join("bundle");
    if root.exists() {
        std::fs::remove_dir_all(&root).expect("the scratch directory is removable");
    }
    std::fs::create_dir_all(&root).expect("the scratch directory is writable");
    let mut reader = tar::Archive::new(archive);
    for entry in reader.entries().ok()? {
        let Ok(mut entry) = entry else { break };
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = name.trim_start_matches("./").to_owned();
        if !entry.header().entry_type().is_file() || unsafe_path(&name).is_some() {
            continue;
        }
        let target = root.join(&name);
        if let Some(parent) = target.parent()
            && std::fs::create_dir_all(parent).is_err()
        {
            continue;
        }
        let Ok(mut file) = std::fs::File::create(&target) else {
            continue;
        };
        if std::io::copy(&mut entry, &mut file).is_err() {
            break;
        }
    }
    Some(root)
}
