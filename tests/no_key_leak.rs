//! Private key material never appears in any output, format or log: every command-line case is run
//! in every format (and as an audit report), and each output is searched for every private key its
//! inputs hold: the PEM body, the base64 of the PEM file (as values hold it), and the DER in hex.

mod common;

use std::path::Path;

use base64::Engine as _;

/// Needles for one private key PEM text: body lines, aligned 32-character pieces of its base64
/// (any leak of 63 or more characters holds one), and of its DER in hex.
fn needles_of_pem(pem: &str, out: &mut Vec<String>) {
    let b64 = base64::engine::general_purpose::STANDARD;
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----") && !l.contains(':'))
        .map(str::trim)
        .collect();
    for line in pem.lines().filter(|l| !l.starts_with("-----") && l.trim().len() >= 32) {
        out.push(line.trim().to_string());
    }
    let encoded = b64.encode(pem.as_bytes());
    for text in [&body, &encoded] {
        out.extend(
            text.as_bytes()
                .chunks(32)
                .filter(|c| c.len() == 32)
                .map(|c| String::from_utf8_lossy(c).into_owned()),
        );
    }
    if let Ok(der) = b64.decode(&body) {
        let hex: String = der.iter().map(|b| format!("{b:02x}")).collect();
        out.extend(
            hex.as_bytes()
                .chunks(32)
                .filter(|c| c.len() == 32)
                .map(|c| String::from_utf8_lossy(c).into_owned()),
        );
    }
}

/// Every private key in the files of a prepared case: PEM files, and base64 values in YAML.
fn key_needles(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for block in pem_blocks(&text).filter(|b| b.contains("PRIVATE KEY")) {
                needles_of_pem(block, &mut out);
            }
            // base64 values in YAML that decode to a private key (tls.key: LS0t...).
            for word in text.split(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
                if word.len() < 64 {
                    continue;
                }
                let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(word) else {
                    continue;
                };
                let decoded = String::from_utf8_lossy(&bytes).into_owned();
                if decoded.contains("PRIVATE KEY") {
                    out.extend(
                        word.as_bytes()
                            .chunks(32)
                            .filter(|c| c.len() == 32)
                            .map(|c| String::from_utf8_lossy(c).into_owned()),
                    );
                    for block in pem_blocks(&decoded).filter(|b| b.contains("PRIVATE KEY")) {
                        needles_of_pem(block, &mut out);
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn pem_blocks(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("-----BEGIN").filter_map(move |(start, _)| {
        let end = text[start..].find("-----END").map(|e| start + e)?;
        let close = text[end..].find('\n').map_or(text.len(), |n| end + n);
        Some(&text[start..close])
    })
}

#[test]
fn no_output_of_any_case_holds_private_key_material() {
    let mut keys_seen = 0;
    let mut outputs_searched = 0;
    for case in common::cases() {
        let args_text = std::fs::read_to_string(case.join("args")).unwrap();
        let args: Vec<&str> = args_text.lines().filter(|l| !l.starts_with('#')).collect();
        if args.first() != Some(&"check") || args.iter().any(|a| a.starts_with("--format")) {
            continue;
        }
        let dir = common::prepare_case(&case).unwrap();
        let needles = key_needles(dir.path());
        if needles.is_empty() {
            continue;
        }
        // A case against a TLS server: the served chain goes through every output too.
        let server = common::server::for_case(&case, dir.path()).unwrap();
        let args_text = common::server::with_port(&args_text, server.as_ref());
        let args: Vec<&str> = args_text.lines().filter(|l| !l.starts_with('#')).collect();
        keys_seen += 1;
        let mut runs: Vec<Vec<&str>> = Vec::new();
        for format in ["text", "json", "sarif", "junit", "github"] {
            let mut a = args.clone();
            a.extend(["--format", format, "--output", "report.out", "--format", "text"]);
            runs.push(a);
        }
        for format in ["html", "markdown"] {
            let mut a = args.clone();
            a[0] = "audit";
            a.extend(["--format", format, "--output", "report.out"]);
            runs.push(a);
        }
        let summary = dir.path().join("summary.md");
        for run in runs {
            let out = common::certgate()
                .current_dir(dir.path())
                .args(&run)
                .env("NO_COLOR", "1")
                .env("GITHUB_STEP_SUMMARY", &summary)
                .output()
                .unwrap();
            let written = std::fs::read_to_string(dir.path().join("report.out")).unwrap_or_default();
            let summary_text = std::fs::read_to_string(&summary).unwrap_or_default();
            for (what, text) in [
                ("stdout", String::from_utf8_lossy(&out.stdout).into_owned()),
                ("stderr", String::from_utf8_lossy(&out.stderr).into_owned()),
                ("--output", written),
                ("job summary", summary_text),
            ] {
                outputs_searched += 1;
                if let Some(n) = needles.iter().find(|n| text.contains(n.as_str())) {
                    panic!("{} {:?}: {what} holds private key material {n:?}", case.display(), run);
                }
            }
            let _ = std::fs::remove_file(dir.path().join("report.out"));
        }
    }
    eprintln!("searched {outputs_searched} outputs of {keys_seen} cases holding private keys");
    assert!(keys_seen >= 20, "only {keys_seen} cases hold private keys");
}
