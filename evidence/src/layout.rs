//! The bundle layout: where each part lives, and which paths a bundle may
//! hold at all.
//!
//! ```text
//! vouch.toml                       the continuity plan, byte for byte
//! evidence/{runbooks,code,drills,incidents,gaps,provenance}.json
//! evidence/raw/**                  the raw artifacts the records were parsed from
//! policies/ID.wasm                 the exact components that ran
//! assessment.json                  findings, control results, policy runs (canonical JSON)
//! oscal/assessment-results.json    OSCAL 1.2.1 assessment results (canonical JSON)
//! manifest.sha256                  `sha256sum -c` lines for every file above
//! statement.dsse.json              DSSE envelope over the in-toto Statement
//! statement.dsse.tst               RFC 3161 time-stamp token over its signature (optional)
//! ```

/// The plan.
pub const PLAN: &str = "vouch.toml";
/// The evidence set directory.
pub const EVIDENCE_DIR: &str = "evidence";
/// The raw artifacts, inside the evidence set.
pub const RAW_DIR: &str = "raw";
/// The evidence set's record files, all required.
pub const EVIDENCE_FILES: [&str; 6] = [
    "runbooks.json",
    "code.json",
    "drills.json",
    "incidents.json",
    "gaps.json",
    "provenance.json",
];
/// The policy components.
pub const POLICIES_DIR: &str = "policies";
/// The assessment.
pub const ASSESSMENT: &str = "assessment.json";
/// The OSCAL assessment results.
pub const OSCAL: &str = "oscal/assessment-results.json";
/// The digest list.
pub const MANIFEST: &str = "manifest.sha256";
/// The signed statement.
pub const ENVELOPE: &str = "statement.dsse.json";
/// The RFC 3161 time-stamp token over the envelope's signature, when sealed with a TSA.
pub const TIMESTAMP: &str = "statement.dsse.tst";

/// Whether a bundle file is one the statement lists (every file but the
/// manifest and the envelope, which are derived from the list, and the
/// time-stamp token, made after the signature).
pub fn is_subject(path: &str) -> bool {
    path != MANIFEST && path != ENVELOPE && path != TIMESTAMP
}

/// Whether `path` falls under a name the bundle's own parts use (so an extra
/// file cannot shadow or sit among them).
pub fn is_reserved(path: &str) -> bool {
    let top = |p: &'static str| p.split('/').next().unwrap_or(p);
    let first = path.split('/').next().unwrap_or(path);
    [
        PLAN,
        EVIDENCE_DIR,
        POLICIES_DIR,
        ASSESSMENT,
        OSCAL,
        MANIFEST,
        ENVELOPE,
    ]
    .into_iter()
    .any(|part| top(part) == first)
}

/// Why `path` cannot name a file inside a bundle, or `None` when it can:
/// relative, `/`-separated, no `.`/`..`/empty components, and nothing that
/// `sha256sum` would escape (backslash, newline) or a shell would mangle.
pub fn unsafe_path(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("empty path");
    }
    if path.starts_with('/') {
        return Some("absolute path");
    }
    if path.len() > 1024 {
        return Some("path longer than 1024 bytes");
    }
    if path.chars().any(|c| c == '\\' || c.is_control()) {
        return Some("backslash or control character in path");
    }
    for component in path.split('/') {
        match component {
            "" => return Some("empty path component"),
            "." => return Some("`.` component"),
            ".." => return Some("path traversal (`..`)"),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::unsafe_path;

    #[test]
    fn refuses_escapes() {
        assert_eq!(unsafe_path("evidence/raw/a.json"), None);
        assert!(unsafe_path("../x").is_some());
        assert!(unsafe_path("a/../../x").is_some());
        assert!(unsafe_path("/etc/passwd").is_some());
        assert!(unsafe_path("a//b").is_some());
        assert!(unsafe_path("a\nb").is_some());
    }
}
