//! Hand-written policy components: a core module in WAT implementing the
//! canonical ABI of the `vouch:policy` world (or a doctored copy of it),
//! componentized here with wit-component. These reach the corners a Rust
//! guest cannot: a start function, lying pointers, invalid UTF-8, aliased
//! strings, imports the SDK would never emit.

use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::Resolve;

/// The real contract, as the SDK ships it.
pub const POLICY_WIT: &str = include_str!("../../../sdk/wit/policy.wit");

/// Where [`Image`] data starts in linear memory.
const IMAGE_BASE: u32 = 1024;

/// Bytes laid out in linear memory by a data segment, with the records of
/// the world in their canonical ABI layout.
pub struct Image {
    bytes: Vec<u8>,
}

impl Image {
    pub fn new() -> Self {
        Self { bytes: Vec::new() }
    }

    fn here(&self) -> u32 {
        IMAGE_BASE + u32::try_from(self.bytes.len()).unwrap()
    }

    fn align(&mut self, to: usize) {
        while !self.bytes.len().is_multiple_of(to) {
            self.bytes.push(0);
        }
    }

    /// Raw bytes; returns (pointer, length).
    pub fn raw(&mut self, bytes: &[u8]) -> (u32, u32) {
        let at = self.here();
        self.bytes.extend_from_slice(bytes);
        (at, u32::try_from(bytes.len()).unwrap())
    }

    fn u32s(&mut self, values: &[u32]) -> u32 {
        self.align(4);
        let at = self.here();
        for v in values {
            self.bytes.extend_from_slice(&v.to_le_bytes());
        }
        at
    }

    /// A `metadata` record for a policy with id `id` and no controls.
    pub fn metadata(&mut self, id: &str) -> u32 {
        let id = self.raw(id.as_bytes());
        let version = self.raw(b"0.1.0");
        let title = self.raw(b"hostile");
        let description = self.raw(b"a hand-written hostile policy");
        let schema = self.raw(b"{}");
        self.align(4);
        let at = self.here();
        for (ptr, len) in [id, version, title, description] {
            self.u32s(&[ptr, len]);
        }
        self.bytes.extend_from_slice(&[0, 0, 0, 0]); // severity `info`, padding
        self.u32s(&[0, 0]); // evidence
        self.bytes.extend_from_slice(&[0, 0, 0, 0]); // partition `whole`, padding
        self.u32s(&[schema.0, schema.1, 0, 0]); // schema, controls
        at
    }

    /// A `finding` record (36 bytes) with status `pass`.
    pub fn finding(
        &mut self,
        subject: (u32, u32),
        message: (u32, u32),
        evidence: (u32, u32),
    ) -> u32 {
        self.align(4);
        let at = self.here();
        self.u32s(&[subject.0, subject.1]);
        self.bytes.extend_from_slice(&[0, 0, 0, 0]); // `pass`, padding
        self.u32s(&[message.0, message.1, evidence.0, evidence.1, 0, 0]);
        at
    }

    /// The return area of `evaluate`: a `result` with discriminant
    /// `discriminant` (0 is `ok`) and a (pointer, length) payload.
    pub fn result(&mut self, discriminant: u8, payload: (u32, u32)) -> u32 {
        self.align(4);
        let at = self.here();
        self.bytes.extend_from_slice(&[discriminant, 0, 0, 0]);
        self.u32s(&[payload.0, payload.1]);
        at
    }

    /// The data segment, and the first free address after it.
    fn segment(&self) -> (String, u32) {
        let escaped: String = self.bytes.iter().map(|b| format!("\\{b:02x}")).collect();
        let end = self.here().next_multiple_of(8);
        (
            format!("(data (i32.const {IMAGE_BASE}) \"{escaped}\")"),
            end,
        )
    }
}

/// The pieces of a hand-written policy's core module.
pub struct Module<'a> {
    pub image: Image,
    /// The address `metadata` returns.
    pub metadata: u32,
    /// The body of `evaluate(ptr, len) -> ret-area`.
    pub evaluate: &'a str,
    /// More module fields: imports, a start function, helpers.
    pub extra: &'a str,
    /// Linear memory, in 64 KiB pages.
    pub pages: u32,
}

impl Module<'_> {
    /// The core module's text.
    pub fn wat(&self) -> String {
        let (data, heap) = self.image.segment();
        let Self {
            metadata,
            evaluate,
            extra,
            pages,
            ..
        } = self;
        format!(
            r#"(module
  {extra}
  (memory (export "memory") {pages})
  (global $heap (mut i32) (i32.const {heap}))
  ;; A bump allocator: enough to receive the request.
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and
      (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
      (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
  (func (export "metadata") (result i32) (i32.const {metadata}))
  (func (export "evaluate") (param i32 i32) (result i32) {evaluate})
  {data}
)"#
        )
    }
}

/// A policy that answers one `pass`, built from `module` pieces: returns the
/// image and the `ok` return area, for hostile variants to start from.
pub fn calm(id: &str) -> (Image, u32, u32) {
    let mut image = Image::new();
    let metadata = image.metadata(id);
    let subject = image.raw(b"calm");
    let message = image.raw(b"no attack");
    let finding = image.finding(subject, message, (0, 0));
    let ok = image.result(0, (finding, 1));
    (image, metadata, ok)
}

/// Componentizes the core module `wat` against world `policy` of `wit`.
pub fn component(wat: &str, wit: &str) -> Vec<u8> {
    let mut module = wat::parse_str(wat).unwrap();
    let mut resolve = Resolve::default();
    let package = resolve.push_str("policy.wit", wit).unwrap();
    let world = resolve.select_world(&[package], Some("policy")).unwrap();
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        StringEncoding::UTF8,
        false,
    )
    .unwrap();
    ComponentEncoder::default()
        .module(&module)
        .unwrap()
        .validate(true)
        .encode()
        .unwrap()
}
