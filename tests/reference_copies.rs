//! The copies in `fixtures/reference/` are the shared reference material, unchanged.
//!
//! `fixtures/reference/SHA256SUMS` pins every copy, so a clone anywhere checks that the oracles its
//! tests read are the ones recorded; in the workplace, the originals in `../shared/reference/` must
//! have the same digests, so a copy that falls behind its original is caught there.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The pinned digests: relative path → hex sha256 (the format of `sha256sum`).
fn pinned(copies: &Path) -> BTreeMap<String, String> {
    let sums = std::fs::read_to_string(copies.join("SHA256SUMS")).expect("fixtures/reference/SHA256SUMS");
    sums.lines()
        .map(|line| {
            let (digest, path) = line.split_once("  ").expect("`DIGEST  PATH` lines");
            (path.to_string(), digest.to_string())
        })
        .collect()
}

/// Every file under `dir`, as paths relative to it.
fn files(dir: &Path, under: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, under, out);
        } else {
            out.push(path.strip_prefix(under).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn every_copy_has_its_pinned_digest() {
    let copies = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/reference");
    let pinned = pinned(&copies);
    let mut present = Vec::new();
    files(&copies, &copies, &mut present);
    present.retain(|p| p != "README.md" && p != "SHA256SUMS");
    present.sort();
    assert_eq!(
        present,
        pinned.keys().cloned().collect::<Vec<_>>(),
        "fixtures/reference and its SHA256SUMS list different files"
    );
    for (rel, digest) in &pinned {
        let bytes = std::fs::read(copies.join(rel)).unwrap();
        assert_eq!(
            &sha256_hex(&bytes),
            digest,
            "fixtures/reference/{rel} is not the pinned copy"
        );
    }
    assert!(pinned.contains_key("x509-limbo/limbo.json.gz") && pinned.len() >= 10);
}

#[test]
fn the_shared_originals_have_the_pinned_digests_when_present() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/reference");
    if !shared.is_dir() {
        // Outside the workplace only the copies exist; the test above still checks them.
        return;
    }
    for (rel, digest) in pinned(&root.join("fixtures/reference")) {
        let original = std::fs::read(shared.join(&rel)).unwrap();
        assert_eq!(
            sha256_hex(&original),
            digest,
            "../shared/reference/{rel} differs from the copy pinned here"
        );
    }
}
