//! The floor: the least any tool doing certgate's certificate checks must do on a corpus made by
//! `bench/gen.py`, measured in-process with nothing else around it. For every unit: read its five
//! files, scan the three PEM files, parse the certificates and the key, verify the chain at `--now`
//! and check the key against the certificate. No YAML, no chart, no rules, no report.
//!
//!     cargo bench --bench floor -- CORPUS_DIR [--threads 1,2] [--reps 3] [--now UNIX]
//!
//! Prints one line per thread count: `floor threads=T units=N best_ms=... median_ms=...`, then what
//! it found (so the work is not optimised away and can be compared with the corpus manifest).
//! Without CORPUS_DIR (a plain `cargo bench`) it says how to run it and exits 0.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use certgate::crypto::{Certificate, key_matches, parse_certificate, parse_private_key, verify_chain};
use certgate::source::pem::{self, PemLabel};

/// The allocator the certgate binary runs with (src/main.rs), so that what is measured here
/// allocates as certgate does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// 2026-11-27T00:00:00Z, the `--now` run.sh gives certgate.
const NOW: i64 = 1_795_737_600;

#[derive(Default, Clone, Copy)]
struct Found {
    chain_clean: usize,
    key_match: usize,
    unusable: usize,
    bytes: usize,
}

impl Found {
    fn add(&mut self, o: Found) {
        self.chain_clean += o.chain_clean;
        self.key_match += o.key_match;
        self.unusable += o.unusable;
        self.bytes += o.bytes;
    }
}

fn certs(text: &str) -> Vec<Certificate> {
    pem::scan(text)
        .blocks
        .iter()
        .filter(|b| b.label == PemLabel::Certificate && b.complete && !b.encrypted)
        .filter_map(|b| parse_certificate(b.der.as_ref()?).ok())
        .collect()
}

fn unit(dir: &Path, now: i64) -> Found {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let values = read("values.yaml");
    let previous = read("release-values.yaml");
    let key_text = read("tls.key");
    let cert_text = read("tls.pem");
    let ca_text = read("ca.pem");
    let mut found = Found {
        bytes: values.len() + previous.len() + key_text.len() + cert_text.len() + ca_text.len(),
        ..Found::default()
    };

    let key = pem::scan(&key_text)
        .blocks
        .iter()
        .filter(|b| b.label.is_private_key() && b.complete && !b.encrypted)
        .find_map(|b| parse_private_key(b.label.as_str(), b.der.as_ref()?).ok());
    let chain = certs(&cert_text);
    let roots = certs(&ca_text);
    let (Some(leaf), false) = (chain.first(), roots.is_empty()) else {
        found.unusable = 1;
        return found;
    };
    if verify_chain(leaf, &chain[1..], &roots, now).is_clean() {
        found.chain_clean = 1;
    }
    if let Some(key) = key
        && key_matches(&key, leaf).unwrap_or(false)
    {
        found.key_match = 1;
    }
    found
}

/// Every unit on `threads` threads, the way certgate shares them out (an atomic next index).
fn run(units: &[PathBuf], threads: usize, now: i64) -> Found {
    let next = AtomicUsize::new(0);
    let work = || {
        let mut found = Found::default();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(dir) = units.get(i) else { break found };
            found.add(unit(dir, now));
        }
    };
    if threads <= 1 {
        return work();
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
        let mut total = Found::default();
        for h in handles {
            total.add(h.join().expect("worker"));
        }
        total
    })
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut corpus = None;
    let mut threads = vec![1, 2];
    let mut reps = 3;
    let mut now = NOW;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => {
                threads = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|t| t.parse().ok())
                    .collect()
            }
            "--reps" => reps = args.next().and_then(|r| r.parse().ok()).unwrap_or(3),
            "--now" => now = args.next().and_then(|r| r.parse().ok()).unwrap_or(NOW),
            _ => corpus = Some(PathBuf::from(a)),
        }
    }
    let Some(corpus) = corpus else {
        println!("floor: skipped (give a corpus: bench/gen.py DIR N, then cargo bench --bench floor -- DIR)");
        return;
    };
    let mut units: Vec<PathBuf> = std::fs::read_dir(corpus.join("units"))
        .expect("CORPUS/units")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.is_dir())
        .collect();
    units.sort();
    for &t in &threads {
        let mut times = Vec::new();
        let mut found = Found::default();
        for _ in 0..reps.max(1) {
            let start = Instant::now();
            found = black_box(run(black_box(&units), t, now));
            times.push(start.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "floor threads={t} units={} best_ms={:.1} median_ms={:.1} per_unit_us={:.1} chain_clean={} key_match={} unusable={} bytes={}",
            units.len(),
            times[0],
            times[times.len() / 2],
            times[times.len() / 2] * 1e3 / units.len().max(1) as f64,
            found.chain_clean,
            found.key_match,
            found.unusable,
            found.bytes
        );
    }
}
