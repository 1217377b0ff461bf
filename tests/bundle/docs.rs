//! The shell blocks of docs/verifying.md, as the bundle tests run them.

use std::path::Path;

/// The shell block between the doc's `<!-- MARKER:begin -->` and `<!-- MARKER:end -->`.
pub fn documented_script(marker: &str) -> String {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verifying.md"))
            .unwrap();
    let start = doc.find(&format!("<!-- {marker}:begin -->")).unwrap();
    let end = doc.find(&format!("<!-- {marker}:end -->")).unwrap();
    let block = &doc[start..end];
    let body_start = block.find("```sh\n").unwrap() + "```sh\n".len();
    let body_end = block.rfind("```").unwrap();
    block[body_start..body_end].to_owned()
}
