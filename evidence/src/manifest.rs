//! `manifest.sha256`: one `DIGEST  PATH` line per file, sorted by path, exactly
//! what `sha256sum -c` reads.

use std::collections::BTreeMap;

/// The manifest text for `digests` (path → sha256 hex); a `BTreeMap` keeps it sorted.
pub fn render(digests: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for (path, digest) in digests {
        out.push_str(digest);
        out.push_str("  ");
        out.push_str(path);
        out.push('\n');
    }
    out
}

/// A manifest line that is not `DIGEST  PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

/// Parses manifest text into path → digest.
pub fn parse(text: &str) -> Result<BTreeMap<String, String>, BadLine> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let bad = |reason: String| BadLine {
            line: i + 1,
            reason,
        };
        // `sha256sum` writes `  ` (text mode) or ` *` (binary mode).
        let (digest, path) = line
            .split_once("  ")
            .or_else(|| line.split_once(" *"))
            .ok_or_else(|| bad("expected `SHA256  PATH`".to_owned()))?;
        if digest.len() != 64
            || !digest
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(bad(format!(
                "`{digest}` is not a sha256 digest (64 lowercase hex digits)"
            )));
        }
        if out.insert(path.to_owned(), digest.to_owned()).is_some() {
            return Err(bad(format!("`{path}` is listed twice")));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    #[test]
    fn round_trips() {
        let digests: BTreeMap<_, _> = [
            ("b".to_owned(), "0".repeat(64)),
            ("a".to_owned(), "f".repeat(64)),
        ]
        .into();
        let text = super::render(&digests);
        assert!(text.starts_with(&format!("{}  a\n", "f".repeat(64))));
        assert_eq!(super::parse(&text), Ok(digests));
        assert!(super::parse("zz  a").is_err());
    }
}
