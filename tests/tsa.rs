//! `vouch seal --tsa` and `vouch verify --tsa-cert` against a real RFC 3161
//! time-stamp authority: `openssl ts -reply` behind a small HTTP server on
//! 127.0.0.1, with a TSA certificate issued by a test CA. The stored token
//! also verifies with `openssl ts -verify`, as docs/verifying.md shows.

#![allow(clippy::unwrap_used)] // test helpers outside `#[test]` fns

#[path = "bundle/cli.rs"]
mod cli;
#[path = "bundle/docs.rs"]
mod docs;
#[path = "bundle/fixture.rs"]
mod fixture;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cli::{text, unwrapped, vouch};

fn run(dir: &Path, args: &[&str]) -> Output {
    vouch().current_dir(dir).args(args).output().unwrap()
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        text(&out.stderr)
    );
}

/// A test CA, a TSA certificate it issued (P-256, extendedKeyUsage
/// timeStamping, critical) and the `openssl ts` configuration that signs with it.
fn make_tsa(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-subj",
            "/CN=Vouch Test Root",
            "-days",
            "3650",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "tsa.key",
            "-out",
            "tsa.csr",
            "-subj",
            "/CN=Vouch Test TSA",
        ],
    );
    std::fs::write(
        dir.join("tsa.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "365",
            "-extfile",
            "tsa.ext",
            "-out",
            "tsa.crt",
        ],
    );
    std::fs::write(dir.join("serial"), "01\n").unwrap();
    std::fs::write(
        dir.join("tsa.cnf"),
        format!(
            "[ tsa ]\ndefault_tsa = test_tsa\n\n[ test_tsa ]\ndir = {}\nserial = $dir/serial\n\
             crypto_device = builtin\nsigner_cert = $dir/tsa.crt\ncerts = $dir/ca.crt\n\
             signer_key = $dir/tsa.key\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\n\
             digests = sha256, sha384, sha512\naccuracy = secs:1\nordering = no\ntsa_name = yes\n\
             ess_cert_id_chain = no\ness_cert_id_alg = sha256\n",
            dir.display()
        ),
    )
    .unwrap();
}

/// Serves `openssl ts -reply` over HTTP on 127.0.0.1; the URL.
fn serve_tsa(dir: &Path) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            answer(&dir, n, stream.unwrap());
        }
    });
    format!("http://127.0.0.1:{port}/")
}

/// One HTTP/1.1 exchange: the POSTed query in, `openssl ts -reply`'s response out.
fn answer(dir: &Path, n: usize, stream: TcpStream) {
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut query = vec![0; length];
    reader.read_exact(&mut query).unwrap();
    let (query_file, reply_file) = (dir.join(format!("{n}.tsq")), dir.join(format!("{n}.tsr")));
    std::fs::write(&query_file, query).unwrap();
    let status = Command::new("openssl")
        .args(["ts", "-reply", "-config"])
        .arg(dir.join("tsa.cnf"))
        .arg("-queryfile")
        .arg(&query_file)
        .arg("-out")
        .arg(&reply_file)
        .output()
        .unwrap()
        .status;
    let mut stream = reader.into_inner();
    if status.success() {
        let body = std::fs::read(&reply_file).unwrap();
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .unwrap();
        stream.write_all(&body).unwrap();
    } else {
        stream
            .write_all(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .unwrap();
    }
}

/// The fixture and a key pair in `dir`, sealed to `dir/bundle` with the TSA at `url`.
fn seal(dir: &Path, url: &str) -> Output {
    fixture::write(dir);
    let keygen = run(dir, &["keygen", "-o", "vendor"]);
    assert!(keygen.status.success(), "{}", text(&keygen.stderr));
    run(dir, &[&fixture::SEAL[..], &["--tsa", url]].concat())
}

fn verify(dir: &Path, bundle: &str, tsa_cert: Option<&Path>) -> Output {
    let mut args = vec!["verify", bundle, "--key", "vendor.pub"];
    let cert;
    if let Some(path) = tsa_cert {
        cert = path.display().to_string();
        args.extend(["--tsa-cert", cert.as_str()]);
    }
    run(dir, &args)
}

/// A TSA in `tmp/tsa`, and a bundle sealed with it in `tmp`.
fn sealed_with_tsa(tmp: &Path) -> PathBuf {
    let tsa = tmp.join("tsa");
    make_tsa(&tsa);
    let url = serve_tsa(&tsa);
    let out = seal(tmp, &url);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("time-stamped ") && stdout.contains("by TSA `CN=Vouch Test TSA`"),
        "{stdout}"
    );
    tsa
}

#[test]
fn a_timestamped_bundle_verifies_with_vouch_and_with_openssl_ts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let tsa = sealed_with_tsa(dir);
    assert!(dir.join("bundle/statement.dsse.tst").is_file());

    for (bundle, trusted) in [
        ("bundle", tsa.join("ca.crt")),
        ("bundle.tar", tsa.join("ca.crt")),
        ("bundle", tsa.join("tsa.crt")),
    ] {
        let out = verify(dir, bundle, Some(&trusted));
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
        assert!(
            stdout.contains("ok   timestamp    signature time-stamped 20")
                && stdout.contains("by trusted TSA `CN=Vouch Test TSA` (RFC 3161)"),
            "{stdout}"
        );
    }
    // Without `--tsa-cert` the token is still checked, but its time is not trusted.
    let out = verify(dir, "bundle", None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("which is not trusted: give `--tsa-cert`"),
        "{}",
        text(&out.stdout)
    );

    // docs/verifying.md with standard tools, then its "Trusted time" commands,
    // exactly as written, on the archive.
    let scratch = tempfile::tempdir().unwrap();
    std::fs::copy(dir.join("bundle.tar"), scratch.path().join("bundle.tar")).unwrap();
    std::fs::copy(dir.join("vendor.pub"), scratch.path().join("vendor.pub")).unwrap();
    std::fs::copy(tsa.join("ca.crt"), scratch.path().join("tsa-ca.pem")).unwrap();
    let script = docs::documented_script("verify-openssl") + &docs::documented_script("verify-tsa");
    let out = Command::new("bash")
        .args(["-c", &script])
        .current_dir(scratch.path())
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("bundle verified")
            && stdout.contains("Verification: OK")
            && stdout.contains("Time stamp: "),
        "{stdout}"
    );
}

#[test]
fn altered_foreign_missing_and_untrusted_tokens_fail_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let tsa = sealed_with_tsa(dir);
    let token = dir.join("bundle/statement.dsse.tst");
    let original = std::fs::read(&token).unwrap();
    let ca = tsa.join("ca.crt");
    let fails = |tsa_cert: Option<&Path>, expected: &str| {
        let out = verify(dir, "bundle", tsa_cert);
        assert_eq!(out.status.code(), Some(3), "{}", text(&out.stdout));
        let err = unwrapped(&out.stderr);
        assert!(err.contains(expected), "expected `{expected}` in: {err}");
    };

    // The last bytes are the TSA's signature.
    let mut altered = original.clone();
    *altered.last_mut().unwrap() ^= 1;
    std::fs::write(&token, &altered).unwrap();
    fails(
        Some(&ca),
        "time-stamp token `statement.dsse.tst`: the TSA's signature on it does not verify",
    );
    fails(None, "the TSA's signature on it does not verify");

    // Inside the signed time-stamp info: its policy, 1.2.3.4.1, becomes 1.2.3.4.0.
    let policy = [0x06, 0x04, 0x2a, 0x03, 0x04, 0x01];
    let at = original
        .windows(policy.len())
        .position(|w| w == policy)
        .unwrap();
    let mut altered = original.clone();
    altered[at + policy.len() - 1] = 0;
    std::fs::write(&token, &altered).unwrap();
    fails(
        Some(&ca),
        "its time-stamp info does not match the digest the TSA signed: the token was altered after signing",
    );

    // A genuine token from the same TSA, for other data.
    std::fs::write(tsa.join("other.txt"), "other data").unwrap();
    openssl(
        &tsa,
        &[
            "ts",
            "-query",
            "-data",
            "other.txt",
            "-sha256",
            "-cert",
            "-out",
            "other.tsq",
        ],
    );
    openssl(
        &tsa,
        &[
            "ts",
            "-reply",
            "-config",
            "tsa.cnf",
            "-queryfile",
            "other.tsq",
            "-token_out",
            "-out",
            "other.tst",
        ],
    );
    std::fs::copy(tsa.join("other.tst"), &token).unwrap();
    fails(Some(&ca), "but the signature's sha256 is");
    fails(Some(&ca), "it is a token for other data");

    // The right token, but a CA that did not issue the TSA's certificate.
    std::fs::write(&token, &original).unwrap();
    openssl(
        &tsa,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "stranger.key",
            "-out",
            "stranger.crt",
            "-subj",
            "/CN=Stranger",
        ],
    );
    fails(
        Some(&tsa.join("stranger.crt")),
        "its TSA `CN=Vouch Test TSA` is not trusted",
    );

    // Trusted time asked for, and none there.
    std::fs::remove_file(&token).unwrap();
    fails(Some(&ca), "there is no `statement.dsse.tst`");
}

#[test]
fn an_unreachable_tsa_fails_seal_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A port nothing listens on: bound, then released.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = seal(dir, &format!("http://127.0.0.1:{port}/"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let err = unwrapped(&out.stderr);
    assert!(
        err.contains(&format!(
            "cannot reach the time-stamp authority `http://127.0.0.1:{port}/`"
        )) && err.contains("--tsa"),
        "{err}"
    );
    assert!(!dir.join("bundle").exists() && !dir.join("bundle.tar").exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn vouch_run_stamps_its_bundle_too() {
    let tmp = tempfile::tempdir().unwrap();
    let tsa = tmp.path().join("tsa");
    make_tsa(&tsa);
    let url = serve_tsa(&tsa);
    let out = run(tmp.path(), &["demo", "--out", "acme"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let demo = tmp.path().join("acme");
    let now = ["--now", "2026-11-01T00:00:00Z"];
    let out = run(
        &demo,
        &[&["run", "--key", "demo.key", "--tsa", &url], &now[..]].concat(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(demo.join(".vouch/bundle/statement.dsse.tst").is_file());
    let ca = tsa.join("ca.crt").display().to_string();
    let out = run(
        &demo,
        &[
            "verify",
            ".vouch/bundle",
            "--key",
            "demo.pub",
            "--tsa-cert",
            &ca,
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("by trusted TSA `CN=Vouch Test TSA`"),
        "{}",
        text(&out.stdout)
    );
}
