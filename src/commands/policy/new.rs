//! `vouch policy new NAME`: a ready policy crate — `Cargo.toml`, one-file
//! policy in `src/lib.rs` with native unit tests on a pinned clock, and
//! `fixtures/` cases for `vouch policy test` — from the template in `new/`.
//!
//! The crate depends on the Vouch SDK by path until `vouch-sdk` is published:
//! `--sdk PATH`, else `$VOUCH_SDK`, else the `sdk/` of the checkout this
//! `vouch` was built from (which is where it lives for anyone who built Vouch
//! from source).

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use crate::output::{Exit, Output};

/// Arguments of `vouch policy new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The directory to create; its last component is the policy id and crate
    /// name (lowercase letters, digits and `-`).
    #[arg(value_name = "NAME")]
    pub dir: PathBuf,
    /// The Vouch SDK crate to depend on [default: `$VOUCH_SDK`, else the SDK
    /// this `vouch` was built from].
    #[arg(long, value_name = "PATH")]
    pub sdk: Option<PathBuf>,
}

/// The template, embedded so `vouch` needs nothing beside it.
const FILES: [(&str, &str); 7] = [
    ("Cargo.toml", include_str!("new/Cargo.toml.in")),
    (".gitignore", include_str!("new/gitignore.in")),
    ("src/lib.rs", include_str!("new/lib.rs.in")),
    (
        "fixtures/stale-runbook/request.json",
        include_str!("new/fixtures/stale-runbook/request.json"),
    ),
    (
        "fixtures/stale-runbook/expected.json",
        include_str!("new/fixtures/stale-runbook/expected.json"),
    ),
    (
        "fixtures/missing-evidence/request.json",
        include_str!("new/fixtures/missing-evidence/request.json"),
    ),
    (
        "fixtures/missing-evidence/expected.json",
        include_str!("new/fixtures/missing-evidence/expected.json"),
    ),
];

/// The SDK of the checkout this binary was built from.
const BUILT_SDK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sdk");

/// Why a policy crate could not be created.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum NewError {
    #[error("`{name}` is not a valid policy name")]
    #[diagnostic(
        code(vouch::policy::new::name),
        help("use lowercase letters, digits and `-`, starting with a letter, e.g. `backup-age`")
    )]
    Name { name: String },

    #[error("`{}` already exists and is not empty", dir.display())]
    #[diagnostic(
        code(vouch::policy::new::exists),
        help("choose another name, or remove the directory")
    )]
    Exists { dir: PathBuf },

    #[error("no Vouch SDK at `{}`", path.display())]
    #[diagnostic(
        code(vouch::policy::new::sdk),
        help("pass `--sdk PATH` (or set `VOUCH_SDK`) to the `sdk/` directory of a Vouch checkout")
    )]
    Sdk { path: PathBuf },

    #[error("cannot write `{}`", path.display())]
    #[diagnostic(code(vouch::policy::new::write))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Creates the crate.
pub fn run(args: &NewArgs, out: &Output) -> miette::Result<Exit> {
    let name = args
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !valid_name(&name) {
        return Err(NewError::Name { name }.into());
    }
    if std::fs::read_dir(&args.dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(NewError::Exists {
            dir: args.dir.clone(),
        }
        .into());
    }
    let sdk = sdk_path(args.sdk.clone())?;
    let dependency = format!(
        "vouch-sdk = {{ path = {}, features = [\"guest\"] }}",
        toml_string(&sdk.to_string_lossy())
    );
    for (file, template) in FILES {
        let text = template
            .replace("{{name}}", &name)
            .replace("{{type}}", &type_name(&name))
            .replace("{{sdk}}", &dependency);
        let path = args.dir.join(file);
        let write = |path: &Path| -> std::io::Result<()> {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, text)
        };
        write(&path).map_err(|source| NewError::Write {
            path: path.clone(),
            source,
        })?;
    }
    out.say(format!(
        "created policy `{name}` in `{}`\n\nnext:\n  vouch policy build {0}\n  vouch policy test {0}\n  (cd {0} && cargo test)",
        args.dir.display()
    ));
    out.json(&json!({ "policy": name, "dir": args.dir, "sdk": sdk }))?;
    Ok(Exit::Ok)
}

/// Lowercase letters, digits and `-`, starting with a letter: a crate name
/// and a policy id at once.
fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
}

/// `backup-age` → `BackupAge`.
fn type_name(name: &str) -> String {
    name.split('-')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The SDK to depend on, made absolute so the crate can move.
fn sdk_path(given: Option<PathBuf>) -> Result<PathBuf, NewError> {
    let path = given
        .or_else(|| std::env::var_os("VOUCH_SDK").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(BUILT_SDK));
    if !path.join("Cargo.toml").is_file() {
        return Err(NewError::Sdk { path });
    }
    std::fs::canonicalize(&path).map_err(|_| NewError::Sdk { path })
}

/// `text` as a TOML basic string (a JSON string is one).
fn toml_string(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_crate_names_and_policy_ids() {
        for ok in ["x", "backup-age", "rto2"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "X", "2x", "a_b", "a-", "a b", "../x"] {
            assert!(!valid_name(bad), "{bad}");
        }
        assert_eq!(type_name("backup-age"), "BackupAge");
        assert_eq!(type_name("x"), "X");
    }
}
