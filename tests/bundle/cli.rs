//! Running `vouch` from the bundle tests and reading what it says.

use assert_cmd::Command;

/// The `vouch` binary, uncoloured and wide enough that paths are not wrapped.
pub fn vouch() -> Command {
    let mut cmd = Command::cargo_bin("vouch").unwrap();
    cmd.env("NO_COLOR", "1").env("COLUMNS", "300");
    cmd
}

/// Output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Diagnostics as one line: miette wraps long messages behind `│` gutters.
pub fn unwrapped(bytes: &[u8]) -> String {
    text(bytes)
        .replace(['│', '×'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
