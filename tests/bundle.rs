//! `vouch keygen`, `vouch seal` and `vouch verify` as a user runs them: keys
//! openssl reads, a sealed bundle that verifies as a directory and as a tar,
//! byte-identical archives from identical inputs, and bad inputs named.

#![allow(clippy::unwrap_used)] // test helpers outside `#[test]` fns

#[path = "bundle/cli.rs"]
mod cli;
#[path = "bundle/fixture.rs"]
mod fixture;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use cli::{text, unwrapped, vouch};
use vouch_evidence::keys;

fn run(dir: &Path, args: &[&str]) -> Output {
    vouch().current_dir(dir).args(args).output().unwrap()
}

/// Writes the fixture and a key pair in `dir`, seals to `dir/bundle`.
fn sealed(dir: &Path) -> PathBuf {
    fixture::write(dir);
    let keygen = run(dir, &["keygen", "-o", "vendor"]);
    assert!(keygen.status.success(), "{}", text(&keygen.stderr));
    let seal = run(dir, &fixture::SEAL);
    assert!(seal.status.success(), "{}", text(&seal.stderr));
    dir.join("bundle")
}

/// Tar entries: name → (header fields that must be fixed, data).
fn tar_entries(path: &Path) -> BTreeMap<String, (String, Vec<u8>)> {
    let bytes = std::fs::read(path).unwrap();
    let mut out = BTreeMap::new();
    let mut offset = 0;
    while offset + 512 <= bytes.len() && bytes[offset] != 0 {
        let header = &bytes[offset..offset + 512];
        let field = |a: usize, b: usize| text(&header[a..b]).trim_end_matches('\0').to_owned();
        let name = field(0, 100);
        let size = usize::from_str_radix(field(124, 136).trim(), 8).unwrap();
        let fixed = format!(
            "mode={} uid={} gid={} mtime={} type={} user={:?} group={:?}",
            field(100, 108),
            field(108, 116),
            field(116, 124),
            field(136, 148),
            field(156, 157),
            field(265, 297),
            field(297, 329)
        );
        let data = bytes[offset + 512..offset + 512 + size].to_vec();
        out.insert(name, (fixed, data));
        offset += 512 + size.div_ceil(512) * 512;
    }
    out
}

#[test]
fn keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["keygen", "-o", "acme", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = tmp.path().join("acme.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(
        std::fs::read_to_string(&key)
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );

    // openssl reads the public key, and the key id is sha256 of its SPKI DER.
    let der = std::process::Command::new("openssl")
        .args(["pkey", "-pubin", "-in", "acme.pub", "-outform", "DER"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(der.status.success(), "{}", text(&der.stderr));
    use sha2::Digest as _;
    let id: String = sha2::Sha256::digest(&der.stdout)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(json["key_id"], id);

    let before = std::fs::read(&key).unwrap();
    let again = run(tmp.path(), &["keygen", "-o", "acme"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("`acme.key` already exists"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(std::fs::read(&key).unwrap(), before);
}

#[test]
fn a_sealed_bundle_verifies_as_directory_and_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = sealed(tmp.path());
    for target in ["bundle", "bundle.tar"] {
        let out = run(tmp.path(), &["verify", target, "--key", "vendor.pub"]);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
        for step in ["signature", "manifest", "digests", "completeness"] {
            assert!(stdout.contains(&format!("ok   {step}")), "{stdout}");
        }
        assert!(
            stdout.contains(&format!("bundle `{target}` verified")),
            "{stdout}"
        );
    }
    let out = run(
        tmp.path(),
        &["verify", "bundle.tar", "--key", "vendor.pub", "--json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["verified"], true);

    for file in [
        "vouch.toml",
        "assessment.json",
        "oscal/assessment-results.json",
        "policies/always-pass.wasm",
        "evidence/raw/drills/gd-1.json",
        "manifest.sha256",
        "statement.dsse.json",
    ] {
        assert!(bundle.join(file).is_file(), "{file}");
    }
    // The manifest is what `sha256sum -c` reads.
    let check = std::process::Command::new("sha256sum")
        .args(["-c", "--strict", "manifest.sha256"])
        .current_dir(&bundle)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", text(&check.stdout));
}

#[test]
fn sealing_twice_gives_the_same_archive_but_for_the_envelope() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    sealed(a.path());
    fixture::write(b.path());
    // The same key, so only the seal time can differ.
    for name in ["vendor.key", "vendor.pub"] {
        std::fs::copy(a.path().join(name), b.path().join(name)).unwrap();
    }
    let seal = run(b.path(), &fixture::SEAL);
    assert!(seal.status.success(), "{}", text(&seal.stderr));
    let mut x = tar_entries(&a.path().join("bundle.tar"));
    let mut y = tar_entries(&b.path().join("bundle.tar"));
    let names: Vec<_> = x.keys().cloned().collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    for (name, (fixed, _)) in &x {
        assert_eq!(
            fixed,
            "mode=0000644 uid=0000000 gid=0000000 mtime=00000000000 type=0 user=\"\" group=\"\"",
            "{name}"
        );
    }
    let (ex, ey) = (
        x.remove("statement.dsse.json").unwrap(),
        y.remove("statement.dsse.json").unwrap(),
    );
    assert_ne!(ex.1, ey.1, "the seal time and signature differ");
    assert_eq!(x, y);
}

#[test]
fn bad_inputs_are_named_and_leave_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    sealed(dir);
    let seal = |extra: &[&str]| {
        let mut args = vec![
            "seal",
            "-e",
            "evidence",
            "-a",
            "assessment.json",
            "--key",
            "vendor.key",
            "-o",
            "new",
        ];
        args.extend_from_slice(extra);
        let out = run(dir, &args);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(!dir.join("new").exists() && !dir.join("new.tar").exists());
        unwrapped(&out.stderr)
    };

    let err = seal(&[]);
    assert!(
        err.contains("ran policy `always-pass` (sha256 ")
            && err.contains("no component with that digest was found")
            && err.contains("the policies built into this vouch")
            && err.contains("the plan names no `[policies.ID] path`")
            && err.contains("no `--policy` file was given")
            && err.contains("--policy FILE.wasm"),
        "{err}"
    );

    std::fs::write(dir.join("other.wasm"), b"\0asm other").unwrap();
    let err = seal(&["--policy", "always-pass.wasm", "--policy", "other.wasm"]);
    assert!(
        err.contains("`other.wasm`") && err.contains("not a policy the assessment ran"),
        "{err}"
    );

    std::fs::write(dir.join("evidence/raw/drills/gd-1.json"), b"edited").unwrap();
    let err = seal(&["--policy", "always-pass.wasm"]);
    assert!(
        err.contains("`drills.json` record 0 names raw artifact `drills/gd-1.json`"),
        "{err}"
    );

    std::fs::remove_file(dir.join("evidence/code.json")).unwrap();
    let err = seal(&["--policy", "always-pass.wasm"]);
    assert!(err.contains("has no `code.json`"), "{err}");

    std::fs::write(dir.join("evidence/code.json"), b"[{\"capability\": 3}]").unwrap();
    let err = seal(&["--policy", "always-pass.wasm"]);
    assert!(err.contains("code.json` line 1 column"), "{err}");

    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn components_the_plan_names_are_sealed_without_policy_arguments() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fixture::write(dir);
    assert!(run(dir, &["keygen", "-o", "vendor"]).status.success());
    let plan = dir.join("vouch.toml");
    let mut text_plan = std::fs::read_to_string(&plan).unwrap();
    text_plan.push_str("\n[policies.always-pass]\npath = \"always-pass.wasm\"\n");
    std::fs::write(&plan, text_plan).unwrap();
    let seal = |args: &[&str]| {
        let mut all = vec![
            "seal",
            "-e",
            "evidence",
            "-a",
            "assessment.json",
            "--key",
            "vendor.key",
            "-o",
            "bundle",
        ];
        all.extend_from_slice(args);
        run(dir, &all)
    };
    let out = seal(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let origin = |dir: &Path| {
        let key = keys::read_verifying_key(&dir.join("vendor.pub")).unwrap();
        let report = vouch_evidence::verify(&dir.join("bundle"), &key, Default::default()).unwrap();
        let statement = serde_json::to_value(report.statement.unwrap()).unwrap();
        statement["predicate"]["policies"][0]["origin"].clone()
    };
    assert_eq!(origin(dir), "plan");
    let verify = run(dir, &["verify", "bundle", "--key", "vendor.pub"]);
    assert!(verify.status.success(), "{}", text(&verify.stdout));

    // The plan's path no longer holds the component that ran: `--policy` still can.
    std::fs::rename(dir.join("always-pass.wasm"), dir.join("kept.wasm")).unwrap();
    std::fs::write(dir.join("always-pass.wasm"), b"\0asm rebuilt").unwrap();
    let err = unwrapped(&seal(&[]).stderr);
    assert!(
        err.contains("plan path `")
            && err.contains("always-pass.wasm` (sha256 ")
            && err.contains("no `--policy` file was given"),
        "{err}"
    );
    let out = seal(&["--policy", "kept.wasm"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(origin(dir), "argument");
}

#[cfg(unix)]
#[test]
fn a_private_key_readable_by_others_warns() {
    use std::os::unix::fs::PermissionsExt as _;
    let tmp = tempfile::tempdir().unwrap();
    sealed(tmp.path());
    let key = tmp.path().join("vendor.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(tmp.path(), &fixture::SEAL);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("`vendor.key` is readable by others") && err.contains("chmod 600"),
        "{err}"
    );
}
