//! The client trust bundle (`crypto::bundle`) read by the programs clients run: the real
//! `openssl verify -CAfile` must accept the old and the new chain from `client-truststore.pem`
//! and refuse a third CA's; `openssl pkcs12 -info -nokeys` must show exactly the two CAs and no
//! key, with the password and without one; Java's `keytool -list` must list two
//! `trustedCertEntry`s (a JDK is installed by `.ci/run`). Certificates come from
//! tests/certs/mkcert.sh (fixed keys and dates).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use certgate::crypto::bundle::{self, BundleInput, Chain, ClientBundle};
use certgate::crypto::{Certificate, Moment, parse_certificate};
use certgate::source::{pem, secret};

/// Old and new PKI (root, intermediate, leaf), and a third CA with its own leaf.
const CERTS: &str = "\
mkcert oldca 'Old Root CA' ca-a self 20250101000000Z 20350101000000Z ca; \
mkcert oldint 'Old Intermediate CA' inter oldca 20250101000000Z 20340101000000Z ca; \
mkcert oldleaf kafka.example.com leaf oldint 20260601000000Z 20270601000000Z leaf; \
mkcert newca 'New Root CA' ca-b self 20260101000000Z 20360101000000Z ca; \
mkcert newint 'New Intermediate CA' ec256 newca 20260101000000Z 20350101000000Z ca; \
mkcert newleaf kafka.example.com leaf newint 20260901000000Z 20270901000000Z leaf; \
mkcert thirdca 'Third Root CA' other self 20250101000000Z 20350101000000Z ca; \
mkcert thirdleaf kafka.example.com leaf thirdca 20260601000000Z 20270601000000Z leaf";

/// 2026-10-01T00:00:00Z: every certificate above is valid.
const AT: i64 = 1_790_812_800;
const PASSWORD: &str = "changeit";

fn cert(dir: &Path, name: &str) -> Certificate {
    let text = std::fs::read_to_string(dir.join(format!("{name}.pem"))).unwrap();
    let scan = pem::scan(&text);
    parse_certificate(scan.blocks[0].der.as_ref().unwrap()).unwrap()
}

struct Fixture {
    dir: tempfile::TempDir,
    old_ca: Certificate,
    new_ca: Certificate,
}

/// Makes the certificates and writes both bundles: `pw.p12` with [`PASSWORD`], `nopw.p12`
/// without, and `client-truststore.pem`.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    common::scenario::make_certs(dir.path(), CERTS);
    let c = |n: &str| cert(dir.path(), n);
    let (old_ca, new_ca) = (c("oldca"), c("newca"));
    let (old_int, new_int) = ([c("oldint")], [c("newint")]);
    let (old_leaf, new_leaf) = (c("oldleaf"), c("newleaf"));
    let build = |password: Option<&str>| -> ClientBundle {
        bundle::build(&BundleInput {
            old_cas: std::slice::from_ref(&old_ca),
            new_cas: std::slice::from_ref(&new_ca),
            running: Chain {
                leaf: &old_leaf,
                intermediates: &old_int,
            },
            new: Chain {
                leaf: &new_leaf,
                intermediates: &new_int,
            },
            password,
            at: Moment::from(AT),
        })
        .unwrap()
    };
    let with = build(Some(PASSWORD));
    let without = build(None);
    assert_eq!(with.pem, without.pem);
    std::fs::write(dir.path().join("client-truststore.pem"), &with.pem).unwrap();
    std::fs::write(dir.path().join("pw.p12"), &with.p12).unwrap();
    std::fs::write(dir.path().join("nopw.p12"), &without.p12).unwrap();
    Fixture { dir, old_ca, new_ca }
}

fn run(dir: &Path, program: &str, args: &[&str], stdin: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} cannot run ({e}): .ci/run installs it"));
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn openssl_verify(dir: &Path, untrusted: Option<&str>, leaf: &str) -> Output {
    let at = AT.to_string();
    let mut args = vec!["verify", "-attime", &at, "-CAfile", "client-truststore.pem"];
    if let Some(u) = untrusted {
        args.extend(["-untrusted", u]);
    }
    args.push(leaf);
    run(dir, "openssl", &args, "")
}

#[test]
fn openssl_verify_accepts_the_old_and_the_new_chain_and_refuses_a_third_ca() {
    let f = fixture();
    let dir = f.dir.path();
    let old = openssl_verify(dir, Some("oldint.pem"), "oldleaf.pem");
    assert!(old.status.success(), "{}", text(&old));
    let new = openssl_verify(dir, Some("newint.pem"), "newleaf.pem");
    assert!(new.status.success(), "{}", text(&new));
    let third = openssl_verify(dir, None, "thirdleaf.pem");
    assert!(!third.status.success(), "{}", text(&third));
    assert!(
        text(&third).contains("unable to get local issuer certificate"),
        "{}",
        text(&third)
    );
}

#[test]
fn the_pem_bundle_holds_each_ca_once_old_first_and_nothing_secret() {
    let f = fixture();
    let pem_text = std::fs::read_to_string(f.dir.path().join("client-truststore.pem")).unwrap();
    let scan = pem::scan(&pem_text);
    // certgate's own reader notes the comment lines as text outside the blocks, which OpenSSL
    // skips (`pem::PemProblemKind::Garbage`): they are the only thing it notes.
    let noted: Vec<&str> = scan
        .problems
        .iter()
        .map(|p| {
            assert_eq!(p.kind, pem::PemProblemKind::Garbage, "{p:?}");
            &pem_text[p.span.start..p.span.end]
        })
        .collect();
    let ders: Vec<&[u8]> = scan.blocks.iter().map(|b| b.der.as_deref().unwrap()).collect();
    assert_eq!(ders, [f.old_ca.der(), f.new_ca.der()]);
    assert!(secret::scan(&pem_text).is_empty());
    let comments: Vec<&str> = pem_text.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(noted, comments);
    assert_eq!(
        comments,
        [
            format!(
                "# old CA old-ca: subject CN=Old Root CA, SHA-256 {}, expires 2035-01-01T00:00:00Z",
                colons(&f.old_ca.sha256)
            ),
            format!(
                "# new CA new-ca: subject CN=New Root CA, SHA-256 {}, expires 2036-01-01T00:00:00Z",
                colons(&f.new_ca.sha256)
            ),
        ]
    );
}

fn colons(hex: &str) -> String {
    hex.to_ascii_uppercase()
        .as_bytes()
        .chunks(2)
        .map(|p| String::from_utf8(p.to_vec()).unwrap())
        .collect::<Vec<_>>()
        .join(":")
}

/// `openssl pkcs12 -info` on `file` with `pass`, as text (the certificates on stdout, the bag
/// types on stderr). `-nodes` instead of `-nokeys` too, so that a key, were there one, would be
/// printed and found by the secret scanner.
fn pkcs12_info(dir: &Path, file: &str, pass: &str, keys: &str) -> Output {
    let passin = format!("pass:{pass}");
    run(
        dir,
        "openssl",
        &["pkcs12", "-info", keys, "-in", file, "-passin", &passin],
        "",
    )
}

fn assert_two_cas_and_no_key(f: &Fixture, file: &str, pass: &str) {
    let dir = f.dir.path();
    let out = pkcs12_info(dir, file, pass, "-nokeys");
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let scan = pem::scan(&stdout);
    let ders: Vec<&[u8]> = scan.blocks.iter().map(|b| b.der.as_deref().unwrap()).collect();
    assert_eq!(ders, [f.old_ca.der(), f.new_ca.der()], "{}", text(&out));
    assert_eq!(text(&out).matches("Certificate bag").count(), 2, "{}", text(&out));
    assert!(!text(&out).to_lowercase().contains("key bag"), "{}", text(&out));
    assert!(stdout.contains("friendlyName: old-ca") && stdout.contains("friendlyName: new-ca"));
    // Java's trusted-key-usage attribute, which OpenSSL 3.0 names by its OID.
    assert_eq!(stdout.matches("2.16.840.1.113894.746875.1.1").count(), 2, "{stdout}");
    let nodes = pkcs12_info(dir, file, pass, "-nodes");
    assert!(nodes.status.success(), "{}", text(&nodes));
    assert!(secret::scan(&text(&nodes)).is_empty(), "{}", text(&nodes));
    assert!(!text(&nodes).contains("PRIVATE KEY"));
}

#[test]
fn openssl_pkcs12_shows_exactly_the_two_cas_and_no_key_with_the_password() {
    let f = fixture();
    assert_two_cas_and_no_key(&f, "pw.p12", PASSWORD);
    let out = pkcs12_info(f.dir.path(), "pw.p12", "wrong", "-nokeys");
    assert!(
        !out.status.success(),
        "the MAC must refuse a wrong password: {}",
        text(&out)
    );
}

#[test]
fn openssl_pkcs12_shows_exactly_the_two_cas_and_no_key_without_a_password() {
    let f = fixture();
    assert_two_cas_and_no_key(&f, "nopw.p12", "");
    let info = text(&pkcs12_info(f.dir.path(), "nopw.p12", "", "-nokeys"));
    assert!(info.contains("MAC is absent"), "{info}");
}

/// `keytool -list -v` on `file` as `storetype`, the password typed at its prompt (an empty
/// line: none).
fn keytool_list(dir: &Path, file: &str, storetype: &str, pass: &str) -> String {
    let out = run(
        dir,
        "keytool",
        &["-list", "-v", "-keystore", file, "-storetype", storetype],
        &format!("{pass}\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    text(&out)
}

fn assert_two_trusted_entries(f: &Fixture, listing: &str) {
    assert!(listing.contains("Your keystore contains 2 entries"), "{listing}");
    assert_eq!(listing.matches("Entry type: trustedCertEntry").count(), 2, "{listing}");
    assert!(!listing.contains("PrivateKeyEntry"), "{listing}");
    for (alias, ca) in [("old-ca", &f.old_ca), ("new-ca", &f.new_ca)] {
        assert!(listing.contains(&format!("Alias name: {alias}")), "{listing}");
        assert!(
            listing.contains(&format!("SHA256: {}", colons(&ca.sha256))),
            "{listing}"
        );
    }
}

#[test]
fn keytool_lists_two_trusted_cert_entries_with_and_without_a_password() {
    let f = fixture();
    let with = keytool_list(f.dir.path(), "pw.p12", "PKCS12", PASSWORD);
    assert_two_trusted_entries(&f, &with);
    assert!(!with.contains("has NOT been verified"), "{with}");
    let without = keytool_list(f.dir.path(), "nopw.p12", "PKCS12", "");
    assert_two_trusted_entries(&f, &without);
    // Java checks the MAC: a wrong password is refused, not ignored.
    let wrong = run(
        f.dir.path(),
        "keytool",
        &["-list", "-keystore", "pw.p12", "-storetype", "PKCS12"],
        "wrong-password\n",
    );
    assert!(!wrong.status.success(), "{}", text(&wrong));
    assert!(text(&wrong).contains("Integrity check failed"), "{}", text(&wrong));
}

/// Kafka's `ssl.truststore.type` defaults to JKS; since Java 9 a JKS keystore also loads a
/// PKCS#12 file (`keystore.type.compat=true` in `java.security`), so the file serves clients
/// that left the type at its default.
#[test]
fn keytool_reads_the_store_as_kafkas_default_jks_type_too() {
    let f = fixture();
    assert_two_trusted_entries(&f, &keytool_list(f.dir.path(), "pw.p12", "JKS", PASSWORD));
    assert_two_trusted_entries(&f, &keytool_list(f.dir.path(), "nopw.p12", "JKS", ""));
}
