//! `vouch policy build`: cargo for `wasm32-unknown-unknown`, then the core
//! module wrapped into a component by the engine.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use clap::Args;
use miette::Diagnostic;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use super::toolchain::{self, TARGET, Toolchain};
use crate::output::{Exit, Output};

/// Arguments of `vouch policy build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The policy crate (a `cdylib` using the Vouch SDK).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Where to write the component [default: <cargo target dir>/policies/<crate name>.wasm].
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Why a policy could not be built.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum BuildError {
    #[error("no `Cargo.toml` in `{}`", dir.display())]
    #[diagnostic(
        code(vouch::policy::no_manifest),
        help("`vouch policy build` takes the directory of a policy crate")
    )]
    NoManifest { dir: PathBuf },

    #[error("no toolchain can build for `wasm32-unknown-unknown`")]
    #[diagnostic(
        code(vouch::policy::no_toolchain),
        help(
            "run `scripts/wasm-toolchain` from the Vouch repository, or \
             `rustup target add wasm32-unknown-unknown`"
        )
    )]
    NoToolchain,

    #[error("cannot run `{program}`")]
    #[diagnostic(code(vouch::policy::spawn))]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },

    #[error("`cargo {step}` failed for `{}` ({status})", dir.display())]
    #[diagnostic(
        code(vouch::policy::cargo),
        help("cargo's own errors are printed above")
    )]
    Cargo {
        step: &'static str,
        dir: PathBuf,
        status: std::process::ExitStatus,
    },

    #[error("cannot read `cargo metadata` output")]
    #[diagnostic(code(vouch::policy::metadata))]
    Metadata(#[source] serde_json::Error),

    #[error("`{}` is not a package (is it a virtual workspace?)", manifest.display())]
    #[diagnostic(
        code(vouch::policy::not_a_package),
        help("pass the directory of one policy crate")
    )]
    NotAPackage { manifest: PathBuf },

    #[error("`{package}` is not a policy crate: it builds no `cdylib`")]
    #[diagnostic(
        code(vouch::policy::not_cdylib),
        help("add `crate-type = [\"cdylib\"]` under `[lib]` in its Cargo.toml")
    )]
    NotCdylib { package: String },

    #[error("cannot read `{}`", path.display())]
    #[diagnostic(code(vouch::policy::read))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write `{}`", path.display())]
    #[diagnostic(code(vouch::policy::write))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] vouch_engine::Error),
}

/// The parts of `cargo metadata` a build needs.
#[derive(Debug, Deserialize)]
struct CargoMetadata {
    packages: Vec<Package>,
    target_directory: PathBuf,
}

#[derive(Debug, Deserialize)]
struct Package {
    name: String,
    version: String,
    manifest_path: PathBuf,
    /// `None` for local (path) packages, whose paths need remapping.
    source: Option<String>,
    targets: Vec<Target>,
}

#[derive(Debug, Deserialize)]
struct Target {
    name: String,
    crate_types: Vec<String>,
}

/// What `.vouch-stamp` beside the core module records: the component last
/// made from it, and by which vouch. A warm build whose core module is
/// unchanged skips componentizing.
#[derive(Debug, PartialEq, Eq)]
struct Stamp {
    tool: String,
    core: String,
    component: String,
    out: PathBuf,
}

/// The componentizer, as recorded in stamps: a new vouch, or a new
/// component format, may wrap the same core module differently.
fn tool() -> String {
    format!(
        "vouch {} ({})",
        env!("CARGO_PKG_VERSION"),
        vouch_engine::component::FORMAT
    )
}

/// Runs `vouch policy build`.
pub fn run(args: &BuildArgs, out: &Output) -> miette::Result<Exit> {
    let built = build(args, out.is_quiet())?;
    out.say(format!(
        "{} `{}` {} → {} ({} bytes, sha256 {})",
        if built.fresh { "built" } else { "up to date:" },
        built.package,
        built.version,
        built.out.display(),
        built.bytes,
        built.sha256,
    ));
    out.detail(format!("toolchain: {}", built.toolchain.name()));
    out.json(&json!({
        "policy": built.package,
        "version": built.version,
        "component": built.out,
        "bytes": built.bytes,
        "sha256": built.sha256,
        "rebuilt": built.fresh,
        "toolchain": built.toolchain.name(),
    }))?;
    Ok(Exit::Ok)
}

/// What a build produced.
struct Built {
    package: String,
    version: String,
    out: PathBuf,
    bytes: usize,
    sha256: String,
    /// Whether the component was (re)written.
    fresh: bool,
    toolchain: Toolchain,
}

/// Builds and componentizes; `quiet` silences cargo's progress too.
fn build(args: &BuildArgs, quiet: bool) -> Result<Built, BuildError> {
    let manifest = args.dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(BuildError::NoManifest {
            dir: args.dir.clone(),
        });
    }
    // Absolute but with symlinks kept: cargo hashes the paths it is given
    // into crate ids, so a build through a fixed symlink (what
    // `scripts/dist-policies` does) gives the same bytes from any checkout.
    let manifest = std::path::absolute(&manifest).map_err(|source| BuildError::Read {
        path: manifest.clone(),
        source,
    })?;
    let canonical = std::fs::canonicalize(&manifest).map_err(|source| BuildError::Read {
        path: manifest.clone(),
        source,
    })?;
    let toolchain = Toolchain::detect(&args.dir)?;
    let metadata = cargo_metadata(toolchain, &manifest, &args.dir)?;
    let package = metadata
        .packages
        .iter()
        .find(|p| std::fs::canonicalize(&p.manifest_path).is_ok_and(|m| m == canonical))
        .ok_or_else(|| BuildError::NotAPackage {
            manifest: manifest.clone(),
        })?;
    let lib = package
        .targets
        .iter()
        .find(|t| t.crate_types.iter().any(|c| c == "cdylib"))
        .ok_or_else(|| BuildError::NotCdylib {
            package: package.name.clone(),
        })?;

    let mut cargo = toolchain.cargo();
    cargo
        .args(["build", "--release", "--target", TARGET, "--manifest-path"])
        .arg(&manifest)
        .args(["--package", &package.name])
        .args(toolchain.build_args())
        .arg("--config")
        .arg(rustflags_config(toolchain, &metadata));
    if quiet {
        cargo.arg("--quiet");
    }
    run_cargo(cargo, "build", &args.dir)?;

    let release = metadata.target_directory.join(TARGET).join("release");
    let stem = lib.name.replace('-', "_");
    let core = read(&release.join(format!("{stem}.wasm")))?;
    let out = args.out.clone().unwrap_or_else(|| {
        metadata
            .target_directory
            .join("policies")
            .join(format!("{}.wasm", package.name))
    });
    let stamp = release.join(format!("{stem}.vouch-stamp"));
    let (component, fresh) = componentize_cached(&core, &out, &stamp)?;

    Ok(Built {
        package: package.name.clone(),
        version: package.version.clone(),
        bytes: component.len(),
        sha256: sha256(&component),
        out,
        fresh,
        toolchain,
    })
}

/// The component for `core` at `out`: the one already there if the stamp
/// says it was made from this very module, else a fresh one (and a new stamp).
/// Returns it and whether it was written.
fn componentize_cached(
    core: &[u8],
    out: &Path,
    stamp: &Path,
) -> Result<(Vec<u8>, bool), BuildError> {
    let core_sha256 = sha256(core);
    let previous = read_stamp(stamp);
    if let Ok(existing) = std::fs::read(out) {
        let current = previous.is_some_and(|s| {
            s.tool == tool()
                && s.core == core_sha256
                && s.out == out
                && s.component == sha256(&existing)
        });
        if current {
            return Ok((existing, false));
        }
    }
    let component = vouch_engine::component::componentize(core)?;
    write_atomically(out, &component)?;
    let record = Stamp {
        tool: tool(),
        core: core_sha256,
        component: sha256(&component),
        out: out.to_owned(),
    };
    write_atomically(stamp, record.to_string().as_bytes())?;
    Ok((component, true))
}

fn cargo_metadata(
    toolchain: Toolchain,
    manifest: &Path,
    dir: &Path,
) -> Result<CargoMetadata, BuildError> {
    let mut cargo = toolchain.cargo();
    cargo
        .args([
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            TARGET,
            "--manifest-path",
        ])
        .arg(manifest)
        .stderr(Stdio::inherit());
    let output = cargo.output().map_err(|source| BuildError::Spawn {
        program: program(&cargo),
        source,
    })?;
    if !output.status.success() {
        return Err(BuildError::Cargo {
            step: "metadata",
            dir: dir.to_owned(),
            status: output.status,
        });
    }
    serde_json::from_slice(&output.stdout).map_err(BuildError::Metadata)
}

/// Runs cargo with its progress on stderr, keeping stdout for our results.
fn run_cargo(mut cargo: Command, step: &'static str, dir: &Path) -> Result<(), BuildError> {
    let status = cargo
        .stdout(Stdio::null())
        .status()
        .map_err(|source| BuildError::Spawn {
            program: program(&cargo),
            source,
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(BuildError::Cargo {
            step,
            dir: dir.to_owned(),
            status,
        })
    }
}

/// `--config` for `cargo build`: remap this machine's paths (local packages,
/// cargo's registry, std's sources) so the module does not depend on where it
/// was built. Goes through `--config` rather than `RUSTFLAGS` so flags from
/// the user's own cargo configuration still apply.
fn rustflags_config(toolchain: Toolchain, metadata: &CargoMetadata) -> String {
    let mut remaps: Vec<(PathBuf, String)> = metadata
        .packages
        .iter()
        .filter(|p| p.source.is_none())
        .filter_map(|p| {
            let root = p.manifest_path.parent()?;
            Some((root.to_owned(), format!("/vouch/{}", p.name)))
        })
        .collect();
    remaps.extend(toolchain::cargo_home().map(|home| (home, "/cargo".to_owned())));
    // Build scripts' generated sources (`OUT_DIR`) live in the target dir.
    remaps.push((metadata.target_directory.clone(), "/target".to_owned()));
    remaps.extend(
        toolchain
            .std_sources()
            .map(|src| (src.to_owned(), "/rustc/src".to_owned())),
    );
    // rustc lets the last matching prefix win: most specific last.
    remaps.sort_by_key(|(from, _)| from.as_os_str().len());
    let flags: Vec<String> = remaps
        .iter()
        .filter_map(|(from, to)| Some(format!("--remap-path-prefix={}={to}", from.to_str()?)))
        .collect();
    // A JSON array of strings is also a TOML array of basic strings.
    let flags = serde_json::to_string(&flags).unwrap_or_else(|_| "[]".to_owned());
    format!("target.{TARGET}.rustflags={flags}")
}

fn program(command: &Command) -> String {
    command.get_program().to_string_lossy().into_owned()
}

fn read(path: &Path) -> Result<Vec<u8>, BuildError> {
    std::fs::read(path).map_err(|source| BuildError::Read {
        path: path.to_owned(),
        source,
    })
}

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "tool {}", self.tool)?;
        writeln!(f, "core {}", self.core)?;
        writeln!(f, "component {}", self.component)?;
        writeln!(f, "out {}", self.out.display())
    }
}

/// The stamp at `path`, if there is a readable one.
fn read_stamp(path: &Path) -> Option<Stamp> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    Some(Stamp {
        tool: lines.next()?.strip_prefix("tool ")?.to_owned(),
        core: lines.next()?.strip_prefix("core ")?.to_owned(),
        component: lines.next()?.strip_prefix("component ")?.to_owned(),
        out: PathBuf::from(lines.next()?.strip_prefix("out ")?),
    })
}

/// Writes `bytes` whole or not at all.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BuildError> {
    crate::atomic::write(path, bytes).map_err(|source| BuildError::Write {
        path: path.to_owned(),
        source,
    })
}
