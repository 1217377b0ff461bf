//! Reading a policy component without running it: its size, digest, imports,
//! exports and the metadata in its [`METADATA_SECTION`] custom section.
//!
//! Only the component's top level is parsed (wasmparser, no validation, no
//! compilation), so inspecting an untrusted file is cheap and safe.

use serde::Serialize;
use vouch_sdk::Metadata;
use wasmparser::{ComponentExternalKind, ComponentTypeRef, Encoding, Parser, Payload};

use crate::Error;
use crate::component::METADATA_SECTION;
use crate::digest::sha256;

/// What a component says about itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inspection {
    /// Its size in bytes.
    pub bytes: usize,
    /// Its sha256, in lower-case hex.
    pub sha256: String,
    /// Its metadata section, if it has one (`vouch policy build` writes it).
    pub metadata: Option<Metadata>,
    /// What it imports from the host.
    pub imports: Vec<Item>,
    /// What it exports.
    pub exports: Vec<Item>,
}

/// An import or export of a component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Its name, e.g. `vouch:policy/host@0.2.0` or `evaluate`.
    pub name: String,
    /// What it is: `func`, `instance`, `module`, `component` or `value`
    /// (type imports and exports, which name the world's records, are left
    /// out).
    pub kind: &'static str,
}

/// Reads `bytes` as a component, without running or compiling it.
pub fn inspect(bytes: &[u8]) -> Result<Inspection, Error> {
    let mut inspection = Inspection {
        bytes: bytes.len(),
        sha256: hex::encode(sha256(bytes)),
        metadata: None,
        imports: Vec::new(),
        exports: Vec::new(),
    };
    scan(bytes, |payload| {
        match payload {
            TopLevel::Import(item) => inspection.imports.push(item),
            TopLevel::Export(item) => inspection.exports.push(item),
            TopLevel::Metadata(metadata) => inspection.metadata = Some(metadata),
        }
        Ok(())
    })?;
    Ok(inspection)
}

/// The metadata section of `bytes`, if any.
pub(crate) fn embedded_metadata(bytes: &[u8]) -> Result<Option<Metadata>, Error> {
    let mut found = None;
    scan(bytes, |payload| {
        if let TopLevel::Metadata(metadata) = payload {
            found = Some(metadata);
        }
        Ok(())
    })?;
    Ok(found)
}

/// What [`scan`] reports.
enum TopLevel {
    Import(Item),
    Export(Item),
    Metadata(Metadata),
}

/// Walks the top level of a component, skipping nested modules and
/// components, reporting imports, exports and the metadata section.
fn scan(bytes: &[u8], mut found: impl FnMut(TopLevel) -> Result<(), Error>) -> Result<(), Error> {
    if !bytes.starts_with(b"\0asm") {
        return Err(Error::Compile("not WebAssembly: no `\\0asm` header".into()));
    }
    let invalid = |e: wasmparser::BinaryReaderError| Error::Compile(e.into());
    // Nested modules and components are parsed inline; only depth 0 is ours.
    let mut depth = 0_usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(invalid)? {
            Payload::Version { encoding, .. } if depth == 0 && encoding != Encoding::Component => {
                return Err(Error::Compile(
                    "a core WebAssembly module, not a component".into(),
                ));
            }
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 0 => {
                for import in reader {
                    let import = import.map_err(invalid)?;
                    if matches!(import.ty, ComponentTypeRef::Type(_)) {
                        continue;
                    }
                    found(TopLevel::Import(Item {
                        name: import.name.full_name().into_owned(),
                        kind: type_ref_kind(import.ty),
                    }))?;
                }
            }
            Payload::ComponentExportSection(reader) if depth == 0 => {
                for export in reader {
                    let export = export.map_err(invalid)?;
                    if export.kind == ComponentExternalKind::Type {
                        continue;
                    }
                    found(TopLevel::Export(Item {
                        name: export.name.full_name().into_owned(),
                        kind: external_kind(export.kind),
                    }))?;
                }
            }
            Payload::CustomSection(section) if depth == 0 && section.name() == METADATA_SECTION => {
                let metadata =
                    serde_json::from_slice(section.data()).map_err(|e| Error::InvalidOutput {
                        policy: "unknown".to_owned(),
                        reason: format!(
                            "its `{METADATA_SECTION}` section is not metadata JSON: {e}"
                        ),
                        log: Vec::new(),
                    })?;
                found(TopLevel::Metadata(metadata))?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn type_ref_kind(ty: ComponentTypeRef) -> &'static str {
    match ty {
        ComponentTypeRef::Module(_) => "module",
        ComponentTypeRef::Func(_) => "func",
        ComponentTypeRef::Value(_) => "value",
        ComponentTypeRef::Type(_) => "type",
        ComponentTypeRef::Instance(_) => "instance",
        ComponentTypeRef::Component(_) => "component",
    }
}

fn external_kind(kind: ComponentExternalKind) -> &'static str {
    match kind {
        ComponentExternalKind::Module => "module",
        ComponentExternalKind::Func => "func",
        ComponentExternalKind::Value => "value",
        ComponentExternalKind::Type => "type",
        ComponentExternalKind::Instance => "instance",
        ComponentExternalKind::Component => "component",
    }
}
