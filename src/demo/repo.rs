//! Writing git objects directly with libgit2: blobs, trees built recursively,
//! commits with explicit parents, authors and timestamps. Nothing reads the
//! clock or the user's git identity, so the same history gives the same ids.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use git2::{ConfigLevel, FileMode, Oid, Repository, RepositoryInitOptions, Signature, Time};

use super::DemoError;
use super::clock::{self, Instant};
use super::people::Person;

/// A repository being written.
pub struct Repo {
    repo: Repository,
    blobs: HashMap<String, Oid>,
}

impl Repo {
    /// A new, empty, non-bare repository at `dir` whose HEAD names `branch`.
    pub fn init(dir: &Path, branch: &str) -> Result<Self, DemoError> {
        let mut options = RepositoryInitOptions::new();
        // No templates from the machine's git install: the same `.git` everywhere.
        options
            .initial_head(branch)
            .external_template(false)
            .mkpath(true);
        let repo = Repository::init_opts(dir, &options)?;
        {
            let mut config = repo.config()?.open_level(ConfigLevel::Local)?;
            // No reflogs: they would record the time of generation.
            config.set_bool("core.logallrefupdates", false)?;
            // Check out exactly the committed bytes, whatever the user's global config says.
            config.set_bool("core.autocrlf", false)?;
            config.set_str("core.eol", "lf")?;
        }
        Ok(Self {
            repo,
            blobs: HashMap::new(),
        })
    }

    /// Stores file content, once per distinct content.
    pub fn blob(&mut self, content: String) -> Result<Oid, DemoError> {
        if let Some(oid) = self.blobs.get(&content) {
            return Ok(*oid);
        }
        let oid = self.repo.blob(content.as_bytes())?;
        self.blobs.insert(content, oid);
        Ok(oid)
    }

    /// Stores the tree of `files` (path → blob), building subtrees bottom-up.
    pub fn tree(&self, files: &BTreeMap<String, Oid>) -> Result<Oid, DemoError> {
        let mut root = Dir::default();
        for (path, oid) in files {
            root.insert(path, *oid)?;
        }
        root.write(&self.repo)
    }

    /// Stores a commit; nothing points at it until [`Repo::finish`].
    pub fn commit(
        &self,
        tree: Oid,
        parents: &[Oid],
        author: (Person, Instant),
        committer: (Person, Instant),
        message: &str,
    ) -> Result<Oid, DemoError> {
        let tree = self.repo.find_tree(tree)?;
        let parents = parents
            .iter()
            .map(|p| self.repo.find_commit(*p))
            .collect::<Result<Vec<_>, _>>()?;
        let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let author = signature(author)?;
        let committer = signature(committer)?;
        let message = format!("{}\n", message.trim_end());
        Ok(self
            .repo
            .commit(None, &author, &committer, &message, &tree, &parents)?)
    }

    /// Points `refs/heads/<branch>` (HEAD's branch) at `head` and checks it out.
    pub fn finish(&self, branch: &str, head: Oid) -> Result<(), DemoError> {
        self.repo
            .reference(&format!("refs/heads/{branch}"), head, true, "vouch demo")?;
        self.repo.set_head(&format!("refs/heads/{branch}"))?;
        self.repo
            .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))?;
        Ok(())
    }
}

fn signature((person, at): (Person, Instant)) -> Result<Signature<'static>, DemoError> {
    let time = Time::new(clock::epoch(at), person.zone.offset_minutes(at));
    Ok(Signature::new(person.name, person.email, &time)?)
}

/// A directory of the tree being built.
#[derive(Default)]
struct Dir {
    files: BTreeMap<String, Oid>,
    dirs: BTreeMap<String, Dir>,
}

impl Dir {
    fn insert(&mut self, path: &str, oid: Oid) -> Result<(), DemoError> {
        match path.split_once('/') {
            Some((dir, rest)) if !dir.is_empty() => self
                .dirs
                .entry(dir.to_owned())
                .or_default()
                .insert(rest, oid),
            None if !path.is_empty() => {
                self.files.insert(path.to_owned(), oid);
                Ok(())
            }
            _ => Err(DemoError::scenario(format!("bad path `{path}`"))),
        }
    }

    fn write(&self, repo: &Repository) -> Result<Oid, DemoError> {
        let mut builder = repo.treebuilder(None)?;
        for (name, oid) in &self.files {
            builder.insert(name, *oid, FileMode::Blob.into())?;
        }
        for (name, dir) in &self.dirs {
            builder.insert(name, dir.write(repo)?, FileMode::Tree.into())?;
        }
        Ok(builder.write()?)
    }
}
