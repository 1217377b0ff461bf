//! The clone cache of a `url` source: a bare repository under the evidence
//! directory, created on the first run and fetched incrementally after, whose
//! `refs/remotes/origin/HEAD` follows the remote's default branch as the
//! remote reports it on every fetch.

use std::path::Path;

use git2::{AutotagOption, Direction, FetchOptions, FetchPrune, ProxyOptions, Repository};

use super::open::open_exactly;
use super::{CacheError, FetchError, GitError};

/// Where branches land: as remote-tracking branches, never as local ones, so
/// a branch deleted upstream is pruned rather than kept as if current.
const BRANCHES: &str = "+refs/heads/*:refs/remotes/origin/*";
const TAGS: &str = "+refs/tags/*:refs/tags/*";
const REMOTE_HEAD: &str = "refs/remotes/origin/HEAD";

/// Clones `url` into `dir`, or fetches into the clone already there.
pub(super) fn sync(url: &str, dir: &Path) -> Result<Repository, GitError> {
    let cache = |source: Box<dyn std::error::Error + Send + Sync>| CacheError {
        path: dir.to_owned(),
        source,
    };
    let fresh = std::fs::read_dir(dir).map_or(true, |mut entries| entries.next().is_none());
    let repo = if fresh {
        std::fs::create_dir_all(dir).map_err(|e| cache(e.into()))?;
        Repository::init_bare(dir).map_err(|e| cache(e.into()))?
    } else {
        open_exactly(dir).map_err(|e| cache(e.into()))?
    };
    let failed = |source| FetchError {
        url: url.to_owned(),
        source,
    };
    match repo.find_remote("origin") {
        Ok(remote) if remote.url_bytes() == url.as_bytes() => {}
        // The plan's URL changed: fetch from the new one into the same cache.
        Ok(_) => repo
            .remote_set_url("origin", url)
            .map_err(|e| cache(e.into()))?,
        Err(_) => {
            repo.remote_with_fetch("origin", url, BRANCHES)
                .map_err(|e| cache(e.into()))?;
        }
    }
    let default_branch = {
        let mut remote = repo.find_remote("origin").map_err(|e| cache(e.into()))?;
        let default_branch = {
            let connection = remote
                .connect_auth(Direction::Fetch, None, Some(proxy()))
                .map_err(failed)?;
            // An empty remote, or one that does not say, has no default branch.
            connection
                .default_branch()
                .ok()
                .and_then(|b| b.as_str().map(str::to_owned))
        };
        let mut options = FetchOptions::new();
        options
            .prune(FetchPrune::On)
            .download_tags(AutotagOption::All)
            .proxy_options(proxy());
        remote
            .fetch(&[BRANCHES, TAGS], Some(&mut options), Some("vouch: fetch"))
            .map_err(failed)?;
        default_branch
    };
    set_remote_head(&repo, default_branch.as_deref()).map_err(|e| cache(e.into()))?;
    Ok(repo)
}

/// Points `origin/HEAD` at the remote's default branch, or removes it when
/// the remote no longer names one.
fn set_remote_head(repo: &Repository, default_branch: Option<&str>) -> Result<(), git2::Error> {
    let target = default_branch
        .and_then(|b| b.strip_prefix("refs/heads/"))
        .map(|b| format!("refs/remotes/origin/{b}"));
    match target {
        Some(target) => {
            repo.reference_symbolic(REMOTE_HEAD, &target, true, "vouch: remote HEAD")?;
        }
        None => {
            if let Ok(mut stale) = repo.find_reference(REMOTE_HEAD) {
                stale.delete()?;
            }
        }
    }
    Ok(())
}

fn proxy() -> ProxyOptions<'static> {
    let mut proxy = ProxyOptions::new();
    proxy.auto();
    proxy
}
