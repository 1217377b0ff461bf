//! The tamper suite: every way of changing a sealed bundle after the fact is
//! caught by `vouch verify` with exit 3 and a message naming what failed; none
//! crashes it.

#![allow(clippy::unwrap_used)] // test helpers outside `#[test]` fns

#[path = "bundle/cli.rs"]
mod cli;
#[path = "bundle/fixture.rs"]
mod fixture;

use std::fs;
use std::path::{Path, PathBuf};

use cli::{text, unwrapped, vouch};

/// A directory with the fixture sealed to `bundle/` and `bundle.tar` by `key`.
struct Sealed {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

fn seal() -> Sealed {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    fixture::write(&dir);
    for name in ["vendor", "other"] {
        let out = vouch()
            .current_dir(&dir)
            .args(["keygen", "-o", name])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = vouch()
        .current_dir(&dir)
        .args(fixture::SEAL)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    Sealed { _tmp: tmp, dir }
}

/// Runs `vouch verify TARGET --key KEY` and requires exit 3 with `expected` in stderr.
fn rejected(dir: &Path, target: &Path, key: &str, expected: &[&str]) {
    let out = vouch()
        .current_dir(dir)
        .arg("verify")
        .arg(target)
        .args(["--key", key])
        .output()
        .unwrap();
    let stderr = unwrapped(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{target:?}: {}{stderr}",
        text(&out.stdout)
    );
    for needle in expected {
        assert!(
            stderr.contains(needle),
            "{target:?}: expected `{needle}` in:\n{stderr}"
        );
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(root, &path, out);
        } else {
            out.push(
                path.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
}

fn flip(path: &Path, offset: usize) {
    let mut bytes = fs::read(path).unwrap();
    bytes[offset] ^= 0x01;
    fs::write(path, bytes).unwrap();
}

/// What verify must say when `file`'s content changed.
fn expected_for(file: &str) -> Vec<String> {
    match file {
        "manifest.sha256" => vec!["`manifest.sha256`".to_owned()],
        "statement.dsse.json" => vec!["signature check failed".to_owned()],
        _ => vec![format!("`{file}` has sha256")],
    }
}

#[test]
fn a_flipped_byte_in_any_file_of_a_directory_is_named() {
    let sealed = seal();
    let mut names = Vec::new();
    files(
        &sealed.dir.join("bundle"),
        &sealed.dir.join("bundle"),
        &mut names,
    );
    assert!(names.len() >= 12, "{names:?}");
    for (i, name) in names.iter().enumerate() {
        let copy = sealed.dir.join(format!("flip-{i}"));
        copy_dir(&sealed.dir.join("bundle"), &copy);
        let len = fs::metadata(copy.join(name)).unwrap().len() as usize;
        // Inside the envelope's base64 payload, so it stays JSON but no longer matches.
        let offset = if name == "statement.dsse.json" {
            40
        } else {
            len / 2
        };
        flip(&copy.join(name), offset);
        let expected = expected_for(name);
        let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
        rejected(&sealed.dir, &copy, "vendor.pub", &expected);
    }
}

/// Offsets of each entry's data in a tar, by name.
fn tar_data_offsets(bytes: &[u8]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    while offset + 512 <= bytes.len() && bytes[offset] != 0 {
        let header = &bytes[offset..offset + 512];
        let name = text(&header[..100]).trim_end_matches('\0').to_owned();
        let size =
            usize::from_str_radix(text(&header[124..135]).trim_matches(['\0', ' ']), 8).unwrap();
        out.push((name, offset + 512, size));
        offset += 512 + size.div_ceil(512) * 512;
    }
    out
}

#[test]
fn a_flipped_byte_in_any_entry_of_an_archive_is_named() {
    let sealed = seal();
    let original = fs::read(sealed.dir.join("bundle.tar")).unwrap();
    let entries = tar_data_offsets(&original);
    assert!(entries.len() >= 12);
    for (i, (name, start, size)) in entries.iter().enumerate() {
        let mut bytes = original.clone();
        let offset = if name == "statement.dsse.json" {
            40
        } else {
            size / 2
        };
        bytes[start + offset] ^= 0x01;
        let path = sealed.dir.join(format!("flip-{i}.tar"));
        fs::write(&path, bytes).unwrap();
        let expected = expected_for(name);
        let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
        rejected(&sealed.dir, &path, "vendor.pub", &expected);
    }
    // A flipped byte in a header breaks its checksum.
    let mut bytes = original.clone();
    bytes[10] ^= 0x01;
    fs::write(sealed.dir.join("header.tar"), bytes).unwrap();
    rejected(
        &sealed.dir,
        Path::new("header.tar"),
        "vendor.pub",
        &["corrupt"],
    );
}

#[test]
fn renamed_added_and_removed_files_are_named() {
    let sealed = seal();
    let dir = &sealed.dir;

    copy_dir(&dir.join("bundle"), &dir.join("renamed"));
    fs::rename(
        dir.join("renamed/evidence/drills.json"),
        dir.join("renamed/evidence/drills-2.json"),
    )
    .unwrap();
    rejected(
        dir,
        Path::new("renamed"),
        "vendor.pub",
        &[
            "`evidence/drills.json` is missing",
            "`evidence/drills-2.json` is an extra file",
        ],
    );

    copy_dir(&dir.join("bundle"), &dir.join("added"));
    fs::write(dir.join("added/evidence/raw/extra.txt"), b"not sealed").unwrap();
    rejected(
        dir,
        Path::new("added"),
        "vendor.pub",
        &["`evidence/raw/extra.txt` is an extra file"],
    );

    copy_dir(&dir.join("bundle"), &dir.join("removed"));
    fs::remove_file(dir.join("removed/policies/always-pass.wasm")).unwrap();
    rejected(
        dir,
        Path::new("removed"),
        "vendor.pub",
        &["`policies/always-pass.wasm` is missing"],
    );

    copy_dir(&dir.join("bundle"), &dir.join("unsigned"));
    fs::remove_file(dir.join("unsigned/statement.dsse.json")).unwrap();
    rejected(
        dir,
        Path::new("unsigned"),
        "vendor.pub",
        &["no `statement.dsse.json`"],
    );

    #[cfg(unix)]
    {
        copy_dir(&dir.join("bundle"), &dir.join("linked"));
        fs::remove_file(dir.join("linked/vouch.toml")).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", dir.join("linked/vouch.toml")).unwrap();
        rejected(
            dir,
            Path::new("linked"),
            "vendor.pub",
            &["entry `vouch.toml` is a symbolic link"],
        );
    }
}

#[test]
fn an_edited_manifest_is_named() {
    let sealed = seal();
    let dir = &sealed.dir;
    copy_dir(&dir.join("bundle"), &dir.join("edited"));
    // Point the plan's line at the assessment's digest, as a forger updating
    // the manifest after editing a file would.
    let manifest = fs::read_to_string(dir.join("edited/manifest.sha256")).unwrap();
    let digest_of = |name: &str| {
        manifest
            .lines()
            .find(|l| l.ends_with(&format!("  {name}")))
            .unwrap()[..64]
            .to_owned()
    };
    let edited = manifest.replace(&digest_of("vouch.toml"), &digest_of("assessment.json"));
    fs::write(dir.join("edited/manifest.sha256"), edited).unwrap();
    rejected(
        dir,
        Path::new("edited"),
        "vendor.pub",
        &["`manifest.sha256` gives sha256", "`vouch.toml`"],
    );
}

#[test]
fn a_swapped_signature_and_another_key_are_named() {
    let sealed = seal();
    let dir = &sealed.dir;
    // A second seal of the same inputs: a valid signature, over another statement.
    let out = vouch()
        .current_dir(dir)
        .args([
            "seal",
            "-e",
            "evidence",
            "-a",
            "assessment.json",
            "--policy",
            "always-pass.wasm",
        ])
        .args(["--key", "vendor.key", "-o", "second"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let read = |p: &str| -> serde_json::Value {
        serde_json::from_slice(&fs::read(dir.join(p)).unwrap()).unwrap()
    };
    let mut envelope = read("bundle/statement.dsse.json");
    let other = read("second/statement.dsse.json");
    assert_ne!(envelope["payload"], other["payload"]);
    envelope["signatures"][0]["sig"] = other["signatures"][0]["sig"].clone();
    copy_dir(&dir.join("bundle"), &dir.join("swapped"));
    fs::write(
        dir.join("swapped/statement.dsse.json"),
        envelope.to_string(),
    )
    .unwrap();
    rejected(
        dir,
        Path::new("swapped"),
        "vendor.pub",
        &["does not match the signed statement"],
    );

    rejected(
        dir,
        Path::new("bundle"),
        "other.pub",
        &["no signature by key"],
    );
    rejected(
        dir,
        Path::new("bundle.tar"),
        "other.pub",
        &["no signature by key"],
    );
}

/// A raw ustar header for `name`, with `typeflag` and `size` bytes of data to follow.
fn header(name: &str, typeflag: u8, size: usize, link: &str) -> Vec<u8> {
    let mut h = vec![0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..107].copy_from_slice(b"0000644");
    h[108..115].copy_from_slice(b"0000000");
    h[116..123].copy_from_slice(b"0000000");
    h[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
    h[136..147].copy_from_slice(b"00000000000");
    h[156] = typeflag;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    h
}

/// The sealed archive with one more entry appended before the end marker.
fn with_entry(original: &[u8], name: &str, typeflag: u8, data: &[u8], link: &str) -> Vec<u8> {
    let body = original.len() - 1024;
    assert!(original[body..].iter().all(|&b| b == 0));
    let mut out = original[..body].to_vec();
    out.extend(header(name, typeflag, data.len(), link));
    out.extend(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out.extend([0u8; 1024]);
    out
}

#[test]
fn hostile_archives_are_refused_without_crashing() {
    let sealed = seal();
    let dir = &sealed.dir;
    let original = fs::read(dir.join("bundle.tar")).unwrap();
    let cases: [(&str, Vec<u8>, &[&str]); 6] = [
        (
            "traversal.tar",
            with_entry(&original, "../x", b'0', b"escape", ""),
            &["entry `../x` is refused: path traversal"],
        ),
        (
            "absolute.tar",
            with_entry(&original, "/tmp/x", b'0', b"escape", ""),
            &["entry `/tmp/x` is refused: absolute path"],
        ),
        (
            "symlink.tar",
            with_entry(&original, "evidence/raw/link", b'2', b"", "/etc/passwd"),
            &["entry `evidence/raw/link` is a symbolic link"],
        ),
        (
            "hardlink.tar",
            with_entry(&original, "evidence/raw/hard", b'1', b"", "vouch.toml"),
            &["entry `evidence/raw/hard` is a hard link"],
        ),
        (
            "duplicate.tar",
            with_entry(
                &original,
                "vouch.toml",
                b'0',
                b"[organisation]\nname = \"Evil\"\n",
                "",
            ),
            &["entry `vouch.toml` appears more than once"],
        ),
        (
            "truncated.tar",
            original[..original.len() / 2].to_vec(),
            &["the archive is truncated"],
        ),
    ];
    for (name, bytes, expected) in cases {
        fs::write(dir.join(name), bytes).unwrap();
        rejected(dir, Path::new(name), "vendor.pub", expected);
    }
    // Cut at a block boundary before the last entry (after the envelope): it is missing.
    let last = tar_data_offsets(&original).pop().unwrap();
    assert_eq!(last.0, "vouch.toml");
    fs::write(dir.join("cut.tar"), &original[..last.1 - 512]).unwrap();
    rejected(
        dir,
        Path::new("cut.tar"),
        "vendor.pub",
        &["`vouch.toml` is missing"],
    );
    // Cut before the envelope: unsigned.
    fs::write(dir.join("cut-early.tar"), &original[..1024]).unwrap();
    rejected(
        dir,
        Path::new("cut-early.tar"),
        "vendor.pub",
        &["the archive is truncated"],
    );
    // Garbage is not an archive.
    fs::write(dir.join("garbage.tar"), vec![0x5a; 4096]).unwrap();
    rejected(dir, Path::new("garbage.tar"), "vendor.pub", &["corrupt"]);
}

#[test]
fn oversized_entries_are_refused_before_reading() {
    let sealed = seal();
    let original = fs::read(sealed.dir.join("bundle.tar")).unwrap();
    // Claims 8 GiB for the envelope, which is read into memory: refused unread.
    let envelope = tar_data_offsets(&original)
        .into_iter()
        .find(|(name, _, _)| name == "statement.dsse.json")
        .unwrap();
    let mut bytes = original[..envelope.1 - 512].to_vec();
    bytes.extend(header("statement.dsse.json", b'0', 0, ""));
    let h = bytes.len() - 512;
    bytes[h + 124..h + 135].copy_from_slice(b"77777777777");
    bytes[h + 148..h + 156].copy_from_slice(b"        ");
    let sum: u32 = bytes[h..].iter().map(|&b| u32::from(b)).sum();
    bytes[h + 148..h + 155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    fs::write(sealed.dir.join("big.tar"), bytes).unwrap();
    rejected(
        &sealed.dir,
        Path::new("big.tar"),
        "vendor.pub",
        &[
            "entry `statement.dsse.json`",
            "over the limit of 16777216 bytes",
        ],
    );
}
