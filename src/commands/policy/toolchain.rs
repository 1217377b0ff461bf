//! Choosing how to compile for `wasm32-unknown-unknown`: rustup's target if
//! installed, else Debian's Rust building the standard library from source.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::build::BuildError;

/// The target every policy is compiled for: no WASI, so no ambient
/// capabilities to leak into the component's imports.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// Where Debian's `rustc-web`, `cargo-web` and `rust-web-src` put things.
const DEBIAN_CARGO: &str = "/usr/bin/cargo";
const DEBIAN_RUSTC: &str = "/usr/bin/rustc";
const DEBIAN_RUST_SRC: &str = "/usr/lib/rustlib/src/rust";

/// A toolchain able to build policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toolchain {
    /// rustup's active toolchain, with the target's prebuilt standard library.
    Rustup,
    /// Debian's Rust, which ships no wasm32 standard library: it is built
    /// from `rust-web-src` with `-Zbuild-std` (hence `RUSTC_BOOTSTRAP`).
    Debian,
}

impl Toolchain {
    /// The first toolchain that can build in `dir`, or an error saying how
    /// to get one.
    pub fn detect(dir: &Path) -> Result<Self, BuildError> {
        if rustup_has_target(dir) {
            Ok(Self::Rustup)
        } else if debian_ready() {
            Ok(Self::Debian)
        } else {
            Err(BuildError::NoToolchain)
        }
    }

    /// A `cargo` command for this toolchain, with its environment set.
    pub fn cargo(self) -> Command {
        match self {
            Self::Rustup => Command::new("cargo"),
            Self::Debian => {
                let mut cargo = Command::new(DEBIAN_CARGO);
                cargo
                    .env("RUSTC", DEBIAN_RUSTC)
                    .env("RUSTC_BOOTSTRAP", "1")
                    .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", "wasm-ld");
                cargo
            }
        }
    }

    /// Arguments `cargo build` needs beyond the target.
    pub fn build_args(self) -> &'static [&'static str] {
        match self {
            Self::Rustup => &[],
            Self::Debian => &["-Zbuild-std=std,panic_abort"],
        }
    }

    /// Where the standard library's sources live when they are compiled
    /// into the policy, so their paths can be remapped.
    pub fn std_sources(self) -> Option<&'static Path> {
        match self {
            // rustup's prebuilt std already carries `/rustc/<commit>` paths.
            Self::Rustup => None,
            Self::Debian => Some(Path::new(DEBIAN_RUST_SRC)),
        }
    }

    /// A name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rustup => "rustup",
            Self::Debian => "debian",
        }
    }
}

fn rustup_has_target(dir: &Path) -> bool {
    // Run in `dir` so a `rust-toolchain.toml` there picks the toolchain asked.
    Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(dir)
        .output()
        .is_ok_and(|out| {
            out.status.success()
                && String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .any(|l| l.trim() == TARGET)
        })
}

fn debian_ready() -> bool {
    Path::new(DEBIAN_CARGO).is_file()
        && Path::new(DEBIAN_RUSTC).is_file()
        && Path::new(DEBIAN_RUST_SRC).join("library").is_dir()
        && on_path("wasm-ld")
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<PathBuf>>())
        .unwrap_or_default()
        .iter()
        .any(|dir| dir.join(program).is_file())
}

/// Cargo's home, whose registry sources end up in panic messages.
pub fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
}
