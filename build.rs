//! Lists the standard policy library (`policies/dist/*.wasm`) for
//! `src/library.rs`, so a policy added to dist is embedded without an edit.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let dist = root.join("policies").join("dist");
    // A directory here makes cargo rerun on any change inside it.
    println!("cargo::rerun-if-changed={}", dist.display());

    let mut policies = Vec::new();
    if dist.is_dir() {
        for entry in std::fs::read_dir(&dist)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "wasm")
                && let Some(id) = path.file_stem().and_then(|s| s.to_str())
            {
                policies.push((id.to_owned(), path.clone()));
            }
        }
    }
    // Sorted by id: `library::all()` has a stable order.
    policies.sort();

    let mut code = String::from("&[\n");
    for (id, path) in &policies {
        writeln!(
            code,
            "    ({id:?}, include_bytes!({:?})),",
            path.display().to_string()
        )?;
    }
    code.push_str("]\n");
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("library.rs");
    std::fs::write(out, code)?;
    Ok(())
}
