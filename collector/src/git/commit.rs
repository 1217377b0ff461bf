//! Commit objects parsed from their raw bytes: the header fields the history
//! walk needs on every commit (tree, parents, committer time), and the ones
//! an answer needs (author, subject), without libgit2's commit objects.

use git2::{ErrorClass, ErrorCode, Oid};

/// What the walk needs of a commit to visit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    /// Its tree.
    pub tree: Oid,
    /// Its parents, in order.
    pub parents: Vec<Oid>,
    /// Committer time, in seconds: what `git log` orders by.
    pub time: i64,
}

/// Who made a commit, when, and its subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Details<'a> {
    /// Author name, as written.
    pub author_name: &'a [u8],
    /// Author email, as written.
    pub author_email: &'a [u8],
    /// Author time, in seconds.
    pub author_time: i64,
    /// Committer time, in seconds.
    pub committer_time: i64,
    /// The first paragraph of the message on one line (git's `%s`).
    pub subject: String,
}

/// Reads the header of a raw commit.
pub(crate) fn header(data: &[u8]) -> Result<Header, git2::Error> {
    let mut tree = None;
    let mut parents = Vec::new();
    let mut time = None;
    for (key, value) in fields(data) {
        match key {
            b"tree" => tree = Some(hex_id(value)?),
            b"parent" => parents.push(hex_id(value)?),
            b"committer" => time = Some(signature(value)?.2),
            _ => {}
        }
    }
    Ok(Header {
        tree: tree.ok_or_else(|| corrupt("no tree"))?,
        parents,
        time: time.ok_or_else(|| corrupt("no committer"))?,
    })
}

/// Reads the author, times and subject of a raw commit.
pub(crate) fn details(data: &[u8]) -> Result<Details<'_>, git2::Error> {
    let mut author = None;
    let mut committer_time = None;
    for (key, value) in fields(data) {
        match key {
            b"author" => author = Some(signature(value)?),
            b"committer" => committer_time = Some(signature(value)?.2),
            _ => {}
        }
    }
    let (author_name, author_email, author_time) = author.ok_or_else(|| corrupt("no author"))?;
    Ok(Details {
        author_name,
        author_email,
        author_time,
        committer_time: committer_time.ok_or_else(|| corrupt("no committer"))?,
        subject: subject(message(data)),
    })
}

/// The header's `key value` lines (continuation lines, which start with a
/// space, belong to signatures and tags the walk does not read).
fn fields(data: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    data.split(|&b| b == b'\n')
        .take_while(|line| !line.is_empty())
        .filter(|line| !line.starts_with(b" "))
        .filter_map(|line| {
            let space = line.iter().position(|&b| b == b' ')?;
            Some((&line[..space], &line[space + 1..]))
        })
}

/// The message: everything after the first empty line.
fn message(data: &[u8]) -> &[u8] {
    data.windows(2)
        .position(|w| w == b"\n\n")
        .and_then(|at| data.get(at + 2..))
        .unwrap_or_default()
}

/// Git's subject: leading blank lines skipped, then the lines up to the next
/// blank one, each without trailing whitespace, joined by spaces.
fn subject(message: &[u8]) -> String {
    let lines: Vec<&[u8]> = message
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii_end)
        .skip_while(|line| line.is_empty())
        .take_while(|line| !line.is_empty())
        .collect();
    String::from_utf8_lossy(&lines.join(&b' ')).into_owned()
}

/// `Name <email> 1234567890 +0000`: name, email and time, as git splits it
/// (the email runs from the first `<` to the next `>`).
fn signature(value: &[u8]) -> Result<(&[u8], &[u8], i64), git2::Error> {
    let open = value
        .iter()
        .position(|&b| b == b'<')
        .ok_or_else(|| corrupt("a signature without `<`"))?;
    let close = open
        + value[open..]
            .iter()
            .position(|&b| b == b'>')
            .ok_or_else(|| corrupt("a signature without `>`"))?;
    let name = value[..open].trim_ascii();
    let email = &value[open + 1..close];
    let rest = value[close + 1..].trim_ascii_start();
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let time = std::str::from_utf8(&rest[..digits])
        .ok()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| corrupt("a signature without a time"))?;
    Ok((name, email, time))
}

fn hex_id(value: &[u8]) -> Result<Oid, git2::Error> {
    std::str::from_utf8(value)
        .map_err(|_| corrupt("an id that is not hex"))
        .and_then(Oid::from_str)
}

fn corrupt(what: &str) -> git2::Error {
    git2::Error::new(
        ErrorCode::Invalid,
        ErrorClass::Object,
        format!("corrupt commit: {what}"),
    )
}

#[cfg(test)]
mod tests {
    use super::{details, header};

    const COMMIT: &[u8] = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\
        parent 1111111111111111111111111111111111111111\n\
        parent 2222222222222222222222222222222222222222\n\
        author Ann Example <ann@example.com> 1700000000 +0100\n\
        committer Bob <bob@example.com> 1700003600 -0500\n\
        gpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\n\
        \n\n\nMerge branch 'x'  \ninto main\n\nBody text.\n";

    #[test]
    fn reads_header_and_details() {
        let h = header(COMMIT).unwrap();
        assert_eq!(
            h.tree.to_string(),
            "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
        );
        assert_eq!(h.parents.len(), 2);
        assert_eq!(h.time, 1_700_003_600);
        let d = details(COMMIT).unwrap();
        assert_eq!(d.author_name, b"Ann Example");
        assert_eq!(d.author_email, b"ann@example.com");
        assert_eq!(d.author_time, 1_700_000_000);
        assert_eq!(d.committer_time, 1_700_003_600);
        assert_eq!(d.subject, "Merge branch 'x' into main");
    }

    #[test]
    fn rejects_broken_commits() {
        assert!(header(b"parent 11\n\nx").is_err());
        assert!(header(b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nx").is_err());
        assert!(details(b"author A 12\ncommitter <b> 1\n\nx").is_err());
        assert_eq!(
            details(b"author A <a> 1 +0000\ncommitter B <b> 2 +0000\n")
                .unwrap()
                .subject,
            ""
        );
    }
}
