//! A problem with one piece of input — a file, a line of an export, an API
//! response — said the way a person can act on: where, what was expected, and
//! what to do. Problems become gaps; they never stop the other sources.

use std::fmt;

/// Where a problem is, what is wrong, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{at}: {message}")]
pub struct Problem {
    /// `file:line[:col]`, `file` field, or the request that failed.
    pub at: String,
    /// What was wrong, lowercase, user input in backticks.
    pub message: String,
    /// How to fix it, when there is something to say.
    #[help]
    pub help: Option<String>,
}

impl Problem {
    /// A problem at `at`.
    pub fn new(at: impl fmt::Display, message: impl Into<String>) -> Self {
        Self {
            at: at.to_string(),
            message: message.into(),
            help: None,
        }
    }

    /// The same problem with advice attached.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The text a gap records: the problem and, after a semicolon, the advice.
    pub fn gap_text(&self) -> String {
        match &self.help {
            Some(help) => format!("{self}; {help}"),
            None => self.to_string(),
        }
    }
}

/// `line:col` (1-based) of byte `offset` in `text`, for parsers that only
/// report offsets.
pub fn line_col(text: &[u8], offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, col)
}

/// A `serde_json` error as a problem in `file`, with its line and column.
pub fn json(file: &str, error: &serde_json::Error, expected: &str) -> Problem {
    // serde_json appends " at line L column C"; the position goes in `at` instead.
    let text = error.to_string();
    let what = text.split(" at line ").next().unwrap_or(&text);
    let message = if error.is_eof() {
        format!("the JSON ends early ({what}); the file or response looks truncated")
    } else {
        what.to_owned()
    };
    Problem::new(
        format!("{file}:{}:{}", error.line(), error.column()),
        message,
    )
    .help(format!("expected {expected}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        assert_eq!(line_col(b"ab\ncd", 0), (1, 1));
        assert_eq!(line_col(b"ab\ncd", 4), (2, 2));
    }

    #[test]
    fn gap_text_carries_the_help() {
        let p = Problem::new("a.json:3", "bad `x`").help("use `y`");
        assert_eq!(p.gap_text(), "a.json:3: bad `x`; use `y`");
    }
}
