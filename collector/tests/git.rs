//! The git collector against git itself: on real repositories and on
//! synthetic ones with the histories that trip collectors up, every answer
//! must be the one the `git` command gives.

#![cfg(unix)]
// Test helpers outside `#[test]` functions fail the test on anything unexpected.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// One test binary for all git tests, its modules under `tests/git/`.
mod git {
    mod errors;
    mod real;
    mod support;
    mod synthetic;
}
