//! `vouch policy`: build policies into the WebAssembly components the engine
//! runs, and inspect them.

mod build;
mod controls;
mod inspect;
mod new;
mod test;
mod toolchain;

use clap::Subcommand;

use crate::output::{Exit, Output};

/// Build and work with policies.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Create a policy crate, ready to build and test.
    ///
    /// Writes NAME/ with `Cargo.toml` (depending on the Vouch SDK by path),
    /// `src/lib.rs` (a working policy with native unit tests on a pinned
    /// clock) and `fixtures/` (request in, expected findings out, for
    /// `vouch policy test`).
    #[command(after_help = "Example:\n  \
        vouch policy new backup-age && vouch policy build backup-age && vouch policy test backup-age")]
    New(new::NewArgs),

    /// Build a policy crate into a WebAssembly component.
    ///
    /// Compiles the crate in DIR for `wasm32-unknown-unknown` with rustup's
    /// target when installed, else with Debian's Rust and `-Zbuild-std`
    /// (see `scripts/wasm-toolchain`), then wraps the core module into a
    /// component of the `vouch:policy` world. The component goes to
    /// `<cargo target dir>/policies/<crate name>.wasm` unless `--out` says
    /// otherwise. A warm run rebuilds nothing.
    #[command(after_help = "Examples:\n  \
        vouch policy build policies/always-pass\n  \
        vouch policy build my-policy --out dist/my-policy.wasm --json")]
    Build(build::BuildArgs),

    /// Build the policy and run its fixture cases in the real engine.
    ///
    /// Each `fixtures/CASE/` holds `request.json` and `expected.json`; the
    /// built component evaluates the request in the same sandbox as
    /// `vouch evaluate`, and a case whose findings differ shows a diff.
    /// Exit status 1 when any case fails.
    #[command(after_help = "Examples:\n  \
        vouch policy test\n  \
        vouch policy test my-policy --json")]
    Test(test::TestArgs),

    /// Show what a policy component is, without running it.
    ///
    /// Reads the metadata `vouch policy build` writes into the component's
    /// `vouch:metadata` custom section, its imports and exports, its size
    /// and sha256. No guest code runs and nothing is compiled, so it is safe
    /// on an untrusted file.
    #[command(after_help = "Examples:\n  \
        vouch policy inspect policies/target/policies/always-pass.wasm\n  \
        vouch --json policy inspect my-policy.wasm")]
    Inspect(inspect::InspectArgs),

    /// Show which controls the standard library's policies evidence.
    ///
    /// For each standard framework, every control with its short title and
    /// the built-in policies whose findings evidence it; controls no policy
    /// evidences are marked. `--format oscal` writes the same mapping as an
    /// OSCAL 1.2.1 component definition (one component per policy, one
    /// control implementation per framework), byte-identical on every run.
    #[command(after_help = "Examples:\n  \
        vouch policy controls\n  \
        vouch policy controls -o docs/controls.md\n  \
        vouch policy controls --format oscal -o vouch-components.json")]
    Controls(controls::ControlsArgs),
}

/// Runs a `policy` subcommand.
pub fn run(command: PolicyCommand, out: &Output) -> miette::Result<Exit> {
    match command {
        PolicyCommand::New(args) => new::run(&args, out),
        PolicyCommand::Build(args) => build::run(&args, out),
        PolicyCommand::Test(args) => test::run(&args, out),
        PolicyCommand::Inspect(args) => inspect::run(&args, out),
        PolicyCommand::Controls(args) => controls::run(&args, out),
    }
}
