//! `vouch keygen`: an Ed25519 key pair for signing bundles.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;
use vouch_evidence::keys;

use crate::output::{Exit, Output};

/// Arguments of `vouch keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Base name of the key files: writes NAME.key (private) and NAME.pub (public).
    #[arg(short, long, value_name = "NAME", default_value = "vouch")]
    pub out: PathBuf,
}

/// Runs `vouch keygen`.
pub fn run(args: &KeygenArgs, out: &Output) -> miette::Result<Exit> {
    let key = keys::generate()?;
    let files = keys::write_pair(&key, &args.out)?;
    out.say(format!(
        "wrote private key `{}` (mode 0600: keep it secret, sign with `vouch seal --key`)",
        files.private.display()
    ));
    out.say(format!(
        "wrote public key `{}` (give it to whoever verifies your bundles)",
        files.public.display()
    ));
    out.say(format!("key id {}", files.key_id));
    out.json(&json!({
        "private_key": files.private,
        "public_key": files.public,
        "key_id": files.key_id,
    }))?;
    Ok(Exit::Ok)
}
