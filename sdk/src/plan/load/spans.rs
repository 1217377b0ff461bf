//! Finds where in the TOML text a field of the plan was written, so checks
//! that run on typed values can still point at `file:line:col`.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::check::Segment;

/// The parsed document with the span of every table, array and value.
pub(super) struct SpanIndex<'a, 'i> {
    root: &'a Spanned<DeTable<'i>>,
}

impl<'a, 'i> SpanIndex<'a, 'i> {
    pub(super) fn new(root: &'a Spanned<DeTable<'i>>) -> Self {
        Self { root }
    }

    /// The span of the value at `path`, or of its nearest written ancestor
    /// when the field itself was left out (a default).
    pub(super) fn span_of(&self, path: &[Segment]) -> Range<usize> {
        let mut span = self.root.span();
        let mut table = Some(self.root.get_ref());
        let mut value: Option<&Spanned<DeValue<'i>>> = None;
        for segment in path {
            let next = match (segment, table, value.map(Spanned::get_ref)) {
                (Segment::Key(key), Some(t), _) => {
                    t.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
                }
                (Segment::Index(i), _, Some(DeValue::Array(items))) => items.get(*i),
                _ => None,
            };
            let Some(next) = next else { break };
            span = next.span();
            table = match next.get_ref() {
                DeValue::Table(t) => Some(t),
                _ => None,
            };
            value = Some(next);
        }
        span
    }
}
