//! YAML front matter at the top of a runbook: the `owner`, the `capability`
//! it serves, and its latest review (`last_reviewed`, `reviewed_by`). Other
//! keys (Hugo's `title`, `weight`, ...) are left alone.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde_norway::Value;

/// Front matter larger than this is not parsed: runbooks keep a few lines there.
const MAX_BYTES: usize = 64 * 1024;

/// What a runbook's front matter says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct FrontMatter {
    /// `owner`.
    pub owner: Option<String>,
    /// `capability`: one id or a list of them.
    pub capabilities: Vec<String>,
    /// `last_reviewed`: a date (midnight UTC) or an RFC 3339 time.
    pub last_reviewed: Option<DateTime<Utc>>,
    /// `reviewed_by`.
    pub reviewed_by: Option<String>,
}

/// The front matter of `text` (empty when there is none), and what was wrong
/// with it: a field that cannot be read is left out and reported.
pub(super) fn parse(text: &[u8]) -> (FrontMatter, Vec<String>) {
    let mut problems = Vec::new();
    let front = match block(text) {
        Ok(Some(yaml)) => read(yaml, &mut problems),
        Ok(None) => FrontMatter::default(),
        Err(problem) => {
            problems.push(problem);
            FrontMatter::default()
        }
    };
    (front, problems)
}

/// The YAML between a leading `---` line and the next `---` or `...` line.
fn block(text: &[u8]) -> Result<Option<&str>, String> {
    let text = text.strip_prefix("\u{feff}".as_bytes()).unwrap_or(text);
    let mut lines = text.split_inclusive(|&b| b == b'\n');
    if lines.next().map(trim_line) != Some(b"---".as_slice()) {
        return Ok(None);
    }
    let start = text.len() - lines.clone().map(<[u8]>::len).sum::<usize>();
    let mut end = start;
    for line in lines {
        if matches!(trim_line(line), b"---" | b"...") {
            let yaml = &text[start..end];
            if yaml.len() > MAX_BYTES {
                return Err(format!("front matter is over {} KiB", MAX_BYTES / 1024));
            }
            return std::str::from_utf8(yaml)
                .map(Some)
                .map_err(|_| "front matter is not valid UTF-8".to_owned());
        }
        end += line.len();
    }
    Err("front matter starts with `---` but has no closing `---` line".to_owned())
}

fn trim_line(line: &[u8]) -> &[u8] {
    line.trim_ascii_end()
}

fn read(yaml: &str, problems: &mut Vec<String>) -> FrontMatter {
    let value: Value = match serde_norway::from_str(yaml) {
        Ok(value) => value,
        Err(e) => {
            problems.push(format!("front matter is not valid YAML: {e}"));
            return FrontMatter::default();
        }
    };
    let map = match value {
        Value::Mapping(map) => map,
        Value::Null => return FrontMatter::default(),
        _ => {
            problems.push("front matter is not a mapping of keys to values".to_owned());
            return FrontMatter::default();
        }
    };
    let mut text = |key: &str| match map.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            problems.push(format!("front matter `{key}` is not text"));
            None
        }
    };
    let owner = text("owner");
    let reviewed_by = text("reviewed_by");
    let last_reviewed = text("last_reviewed").and_then(|s| {
        let when = date_time(&s);
        if when.is_none() {
            problems.push(format!(
                "front matter `last_reviewed` is `{s}`, not a date (`2026-10-12`) or RFC 3339 time"
            ));
        }
        when
    });
    let capabilities = match map.get("capability") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Sequence(items)) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(_) => {
            problems.push("front matter `capability` is not an id or a list of ids".to_owned());
            Vec::new()
        }
    };
    FrontMatter {
        owner,
        capabilities,
        last_reviewed,
        reviewed_by,
    }
}

fn date_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(date.and_time(NaiveTime::MIN).and_utc());
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::{FrontMatter, parse};

    #[test]
    fn reads_the_fields_runbooks_use() {
        let text = "---\nowner: team-payments\ncapability: payments-api\nlast_reviewed: 2026-10-12\n\
                    reviewed_by: priya@acme.example\ntitle: ignored\n---\n# Runbook\n";
        let (front, problems) = parse(text.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            front,
            FrontMatter {
                owner: Some("team-payments".into()),
                capabilities: vec!["payments-api".into()],
                last_reviewed: Some(Utc.with_ymd_and_hms(2026, 10, 12, 0, 0, 0).unwrap()),
                reviewed_by: Some("priya@acme.example".into()),
            }
        );
    }

    #[test]
    fn accepts_crlf_lists_times_and_no_front_matter() {
        let text = "\u{feff}---\r\ncapability: [a, b]\r\nlast_reviewed: 2026-01-02T10:00:00+02:00\r\n...\r\n";
        let (front, problems) = parse(text.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(front.capabilities, ["a", "b"]);
        assert_eq!(
            front.last_reviewed,
            Some(Utc.with_ymd_and_hms(2026, 1, 2, 8, 0, 0).unwrap())
        );
        assert_eq!(parse(b"# Title\n---\n").0, FrontMatter::default());
        assert_eq!(parse(b"---\n---\n").0, FrontMatter::default());
        assert_eq!(parse(b"").0, FrontMatter::default());
    }

    #[test]
    fn reports_what_it_cannot_read() {
        let (_, problems) = parse(b"---\nowner: [x\n---\n");
        assert!(
            problems[0].starts_with("front matter is not valid YAML"),
            "{problems:?}"
        );
        let (front, problems) =
            parse(b"---\nowner: 3\nlast_reviewed: soon\nreviewed_by: ann\n---\n");
        assert_eq!(front.reviewed_by.as_deref(), Some("ann"));
        assert_eq!(
            problems,
            [
                "front matter `owner` is not text",
                "front matter `last_reviewed` is `soon`, not a date (`2026-10-12`) or RFC 3339 time"
            ]
        );
        let (_, problems) = parse(b"---\nowner: x\n");
        assert_eq!(
            problems,
            ["front matter starts with `---` but has no closing `---` line"]
        );
        let (_, problems) = parse(b"---\n- a\n---\n");
        assert_eq!(
            problems,
            ["front matter is not a mapping of keys to values"]
        );
    }
}
