//! "Did you mean" for misspelt keys and references.

/// The candidate closest to `word`, when it is close enough to be a likely typo.
pub(super) fn nearest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::nearest;

    #[test]
    fn suggests_only_close_words() {
        assert_eq!(nearest("tierr", ["tier", "name", "owner"]), Some("tier"));
        assert_eq!(
            nearest("depends-on", ["depends_on", "code"]),
            Some("depends_on")
        );
        assert_eq!(nearest("zzz", ["tier", "name"]), None);
    }
}
