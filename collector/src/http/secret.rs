//! API credentials: read from the environment variable or file the plan
//! names, held in a type that never prints them, and sent only in headers.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use vouch_sdk::plan::IncidentSource;

use crate::problem::Problem;

/// Looks up an environment variable (injectable, so tests need not touch the process environment).
pub type Env = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// The process environment.
pub fn process_env() -> Env {
    Arc::new(|name| std::env::var(name).ok())
}

/// A credential. `Debug` shows no part of it, and it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value, for a request header and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// The source's token, from `token_env` or `token_file`; `None` when it names neither.
pub fn resolve(
    source: &IncidentSource,
    plan_dir: &Path,
    env: &Env,
) -> Result<Option<Secret>, Problem> {
    let at = format!("incident source `{}`", source.id);
    let value = if let Some(name) = &source.token_env {
        env(name).ok_or_else(|| {
            Problem::new(
                &at,
                format!("the environment variable `{name}` (its `token_env`) is not set"),
            )
            .help(format!(
                "export `{name}` with the API token before running `vouch collect`"
            ))
        })?
    } else if let Some(file) = &source.token_file {
        let path = plan_dir.join(file);
        std::fs::read_to_string(&path).map_err(|e| {
            Problem::new(&at, format!("cannot read its `token_file` `{file}`: {e}"))
                .help("the path is relative to the plan file")
        })?
    } else {
        return Ok(None);
    };
    let value = value.trim();
    if value.is_empty() {
        return Err(Problem::new(&at, "its token is empty")
            .help("put the API token in `token_env` or `token_file`"));
    }
    Ok(Some(Secret(value.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret("hunter2".to_owned())), "Secret(..)");
    }
}
