//! x509-limbo (C2SP/x509-limbo, with Netflix's BetterTLS cases) as the oracle for certgate's chain
//! verdicts: every in-scope case is put to a verifier, whose accept or reject is compared with the
//! case's `expected_result`. The table of agreement per family is printed (`cargo test --test
//! x509_limbo -- --nocapture`), with the ids of every false accept and false reject and why, and
//! certgate's agreement is held to a floor that may only rise.
//!
//! In scope: SERVER cases without CRLs and without `max_chain_depth`, with any number of trust
//! roots. Out of scope, and counted: CLIENT cases (certgate checks a server certificate), cases
//! with CRLs (certgate checks no revocation), and `max_chain_depth` (a client setting certgate has
//! no equivalent of). A case's `expected_peer_name` is given to certgate as the configured
//! hostname (config `hostnames:`), so a case that fails on the name alone counts (CG315).
//!
//! The verifiers:
//! - `certgate`: the whole unit as `certgate check` loads and checks it: the peer certificate and
//!   the intermediates as `--cert`, every trust root in the `--cacert` file (each one a trust
//!   anchor), `tls.type=provided`, the peer name as a configured hostname,
//!   `--now` at the case's validation time. It accepts when no error-level finding is about the
//!   certificates (CG3xx, save the key rules CG302/CG303: the suite gives no private key).
//! - `rustls-webpki` 0.103 (ring) alone, the path validator certgate builds on: `verify_for_usage`
//!   with every root as a trust anchor, serverAuth, then `verify_is_valid_for_subject_name`.
//! - `openssl`: `openssl verify -purpose sslserver -attime T -CAfile roots -untrusted
//!   intermediates`, with `-verify_hostname`/`-verify_ip` for the peer name. Run only with
//!   `X509_LIMBO_OPENSSL=1` or when blessing (one process per case: about 40 s on 2 cores, twice
//!   the rest of the test); otherwise its column is read from the committed table.
//!
//! The suite is read from the repository's copy, `fixtures/reference/x509-limbo/limbo.json.gz`
//! (8 MB; tests/reference_copies.rs holds it to the workplace's original when that is present).
//!
//! `CERTGATE_BLESS=1` rewrites the committed table, `tests/x509_limbo.md` (and runs OpenSSL);
//! otherwise the test fails when the certgate or rustls-webpki figures differ from it, so the
//! table is current. `X509_LIMBO_ONLY=substring` runs only the cases whose id contains it (no
//! table comparison then). The disagreements with every verifier's reason (`NAME.txt`), and every
//! verdict (`NAME.tsv`), are written to `$CARGO_TARGET_TMPDIR/x509_limbo/`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use certgate::engine::{Policy, findings};
use certgate::load::{Context, UnitSpec, load_unit};
use certgate::model::unit::Given;
use certgate::rules::Severity;
use certgate::rules::{self, Rule};
use certgate::source::Location;
use certgate::source::SourceMap;
use serde::Deserialize;

/// certgate's agreement with the suite: a floor, to be raised whenever certgate agrees with more
/// (issue 17 asks for 99%; the history of the figure is in tests/x509_limbo.md's git log).
const CERTGATE_FLOOR: usize = 9712;

const TABLE: &str = "tests/x509_limbo.md";
/// The README shows the same table, between these two lines.
const README_TABLE: (&str, &str) = (
    "<!-- x509-limbo table: tests/x509_limbo.md -->",
    "<!-- end of x509-limbo table -->",
);

// ---------------------------------------------------------------------------------------------
// The suite

#[derive(Deserialize)]
struct Suite {
    testcases: Vec<RawCase>,
}

#[derive(Deserialize)]
struct RawCase {
    id: String,
    description: String,
    validation_kind: String,
    trusted_certs: Vec<String>,
    untrusted_intermediates: Vec<String>,
    peer_certificate: String,
    validation_time: Option<String>,
    expected_result: String,
    expected_peer_name: Option<PeerName>,
    max_chain_depth: Option<u32>,
    crls: Vec<String>,
}

#[derive(Deserialize, Clone)]
struct PeerName {
    kind: String,
    value: String,
}

/// An in-scope case, ready for the verifiers.
struct Case {
    id: String,
    family: String,
    description: String,
    expected_success: bool,
    roots: Vec<String>,
    intermediates: Vec<String>,
    leaf: String,
    /// Unix seconds: the case's `validation_time`, or the time of the run (as the suite's harness
    /// does; every such case's certificates are valid from 1970 to 2969).
    time: i64,
    peer: Option<PeerName>,
}

/// The table's family of a case: the id up to its second `::` (`rfc5280::nc`,
/// `bettertls::nameconstraints`); a case with a two-part id (`rfc5280::ca-empty-subject`,
/// `pathlen::intermediate-violates-pathlen-0`) belongs to its first part's family, `rfc5280 (other)`.
fn family(id: &str) -> String {
    let parts: Vec<&str> = id.split("::").collect();
    if parts.len() >= 3 {
        parts[..2].join("::")
    } else {
        format!("{} (other)", parts[0])
    }
}

fn suite_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/reference/x509-limbo/limbo.json.gz")
}

fn unix(rfc3339: &str) -> i64 {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("validation_time {rfc3339:?}: {e}"))
        .unix_timestamp()
}

/// The in-scope cases, and the number left out for each reason.
fn load(path: &Path) -> (Vec<Case>, BTreeMap<&'static str, usize>) {
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut json)
        .unwrap();
    let suite: Suite = serde_json::from_slice(&json).unwrap();
    let now = i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap();
    let only = std::env::var("X509_LIMBO_ONLY").ok();
    let mut out_of_scope = BTreeMap::new();
    let mut cases = Vec::new();
    for c in suite.testcases {
        let why = if c.validation_kind != "SERVER" {
            Some("CLIENT validation")
        } else if !c.crls.is_empty() {
            Some("CRLs")
        } else if c.max_chain_depth.is_some() {
            Some("max_chain_depth")
        } else {
            None
        };
        if let Some(why) = why {
            *out_of_scope.entry(why).or_insert(0) += 1;
            continue;
        }
        if only.as_deref().is_some_and(|o| !c.id.contains(o)) {
            continue;
        }
        cases.push(Case {
            family: family(&c.id),
            description: c.description,
            expected_success: match c.expected_result.as_str() {
                "SUCCESS" => true,
                "FAILURE" => false,
                other => panic!("{}: expected_result {other:?}", c.id),
            },
            roots: c.trusted_certs,
            intermediates: c.untrusted_intermediates,
            leaf: c.peer_certificate,
            time: c.validation_time.as_deref().map_or(now, unix),
            peer: c.expected_peer_name,
            id: c.id,
        });
    }
    (cases, out_of_scope)
}

fn der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(str::chars)
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(body).unwrap()
}

/// PEM blocks one after another, each ending in a newline.
fn concat(pems: &[&str]) -> String {
    let mut out = String::new();
    for p in pems {
        out.push_str(p);
        if !p.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// A reason on one line, without the control characters some of the suite's names hold.
fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

// ---------------------------------------------------------------------------------------------
// Verifiers

/// A verifier's answer: accept, or reject and why (for the lists, never for the verdict).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Accept,
    Reject(String),
}

trait Verifier: Sync {
    fn name(&self) -> &'static str;
    /// Whether this verifier accepts the case's chain and name. `scratch` is a directory of this
    /// worker thread's own, for verifiers that need files.
    fn verdict(&self, case: &Case, scratch: &Path) -> Verdict;
}

/// certgate's current verdict: the unit as `certgate check` would load and check it.
struct Certgate {
    rules: Vec<&'static Rule>,
}

impl Certgate {
    fn new() -> Self {
        Certgate {
            rules: rules::builtin().iter().collect(),
        }
    }
}

fn given(v: &str) -> Given<String> {
    Given {
        value: v.to_string(),
        location: Location::Run,
    }
}

/// An error that blocks the certificates: a CG3xx finding, save those about the private key (the
/// suite has none to give).
fn blocks_chain(code: &str) -> bool {
    code.starts_with("CG3") && code != "CG302" && code != "CG303"
}

impl Verifier for Certgate {
    fn name(&self) -> &'static str {
        "certgate"
    }

    fn verdict(&self, case: &Case, scratch: &Path) -> Verdict {
        let mut bundle = vec![case.leaf.as_str()];
        bundle.extend(case.intermediates.iter().map(String::as_str));
        let roots: Vec<&str> = case.roots.iter().map(String::as_str).collect();
        std::fs::write(scratch.join("cert.pem"), concat(&bundle)).unwrap();
        std::fs::write(scratch.join("ca.pem"), concat(&roots)).unwrap();
        let spec = UnitSpec {
            base_dir: scratch.to_path_buf(),
            set: vec![given("tls.type=provided")],
            cert: Some(given("cert.pem")),
            cacert: Some(given("ca.pem")),
            hostnames: case.peer.iter().map(|p| p.value.clone()).collect(),
            ..UnitSpec::default()
        };
        let loaded = load_unit(&spec, &Context::at_unix(case.time), &SourceMap::new());
        let errors: Vec<String> = findings(&loaded.unit, &self.rules, &Policy::default())
            .into_iter()
            .filter(|f| f.severity >= Severity::Error && blocks_chain(&f.code))
            .map(|f| format!("{}: {}", f.code, f.message))
            .collect();
        if errors.is_empty() {
            Verdict::Accept
        } else {
            Verdict::Reject(one_line(&errors.join(" | ")))
        }
    }
}

/// rustls-webpki 0.103 with ring's algorithms.
struct Webpki;

impl Verifier for Webpki {
    fn name(&self) -> &'static str {
        "rustls-webpki"
    }

    fn verdict(&self, case: &Case, _: &Path) -> Verdict {
        use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
        let roots: Vec<CertificateDer<'static>> = case.roots.iter().map(|p| CertificateDer::from(der(p))).collect();
        let mut anchors = Vec::new();
        for root in &roots {
            match webpki::anchor_from_trusted_cert(root) {
                Ok(anchor) => anchors.push(anchor),
                Err(e) => return Verdict::Reject(format!("trust anchor: {e:?}")),
            }
        }
        let intermediates: Vec<CertificateDer<'static>> = case
            .intermediates
            .iter()
            .map(|p| CertificateDer::from(der(p)))
            .collect();
        let leaf = CertificateDer::from(der(&case.leaf));
        let ee = match webpki::EndEntityCert::try_from(&leaf) {
            Ok(ee) => ee,
            Err(e) => return Verdict::Reject(format!("end entity: {e:?}")),
        };
        let time = UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(case.time).unwrap_or(0)));
        if let Err(e) = ee.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &anchors,
            &intermediates,
            time,
            webpki::KeyUsage::server_auth(),
            None,
            None,
        ) {
            return Verdict::Reject(format!("path: {e:?}"));
        }
        let Some(peer) = &case.peer else {
            return Verdict::Accept;
        };
        let name = match peer.kind.as_str() {
            "IP" => match peer.value.parse::<std::net::IpAddr>() {
                Ok(ip) => ServerName::IpAddress(ip.into()),
                Err(e) => return Verdict::Reject(format!("peer IP {:?}: {e}", peer.value)),
            },
            _ => match ServerName::try_from(peer.value.as_str()) {
                Ok(name) => name,
                Err(e) => return Verdict::Reject(format!("peer name {:?}: {e}", peer.value)),
            },
        };
        match ee.verify_is_valid_for_subject_name(&name) {
            Ok(()) => Verdict::Accept,
            Err(e) => Verdict::Reject(format!("name: {e:?}")),
        }
    }
}

/// The real `openssl verify`.
struct Openssl;

impl Verifier for Openssl {
    fn name(&self) -> &'static str {
        "openssl"
    }

    fn verdict(&self, case: &Case, scratch: &Path) -> Verdict {
        let roots: Vec<&str> = case.roots.iter().map(String::as_str).collect();
        let intermediates: Vec<&str> = case.intermediates.iter().map(String::as_str).collect();
        std::fs::write(scratch.join("roots.pem"), concat(&roots)).unwrap();
        std::fs::write(scratch.join("leaf.pem"), concat(&[&case.leaf])).unwrap();
        let mut cmd = Command::new("openssl");
        cmd.current_dir(scratch)
            .args(["verify", "-purpose", "sslserver", "-attime"])
            .arg(case.time.to_string())
            .args(["-CAfile", "roots.pem"]);
        if !intermediates.is_empty() {
            std::fs::write(scratch.join("untrusted.pem"), concat(&intermediates)).unwrap();
            cmd.args(["-untrusted", "untrusted.pem"]);
        }
        match &case.peer {
            Some(p) if p.kind == "IP" => {
                cmd.args(["-verify_ip", &p.value]);
            }
            Some(p) => {
                cmd.args(["-verify_hostname", &p.value]);
            }
            None => {}
        }
        let out = cmd.arg("leaf.pem").output().expect("openssl runs");
        if out.status.success() {
            Verdict::Accept
        } else {
            let text = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
            let why = text
                .lines()
                .find(|l| l.contains("error ") || l.starts_with("error"))
                .unwrap_or_else(|| text.lines().next().unwrap_or("(no output)"));
            Verdict::Reject(one_line(why.trim()))
        }
    }
}

/// Every case through `verifier`, on every core, each worker with its own scratch directory.
fn run(verifier: &dyn Verifier, cases: &[Case]) -> (Vec<Verdict>, Duration) {
    let start = Instant::now();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut results: Vec<(usize, Verdict)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let scratch = tempfile::tempdir().unwrap();
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(case) = cases.get(i) else { break };
                        out.push((i, verifier.verdict(case, scratch.path())));
                    }
                    out
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    results.sort_by_key(|(i, _)| *i);
    (results.into_iter().map(|(_, v)| v).collect(), start.elapsed())
}

// ---------------------------------------------------------------------------------------------
// Tallies and the table

/// One verifier's figures for one family (or overall).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tally {
    agree: usize,
    false_accept: usize,
    false_reject: usize,
}

impl Tally {
    fn add(&mut self, expected: bool, verdict: &Verdict) {
        match (expected, verdict == &Verdict::Accept) {
            (true, true) | (false, false) => self.agree += 1,
            (false, true) => self.false_accept += 1,
            (true, false) => self.false_reject += 1,
        }
    }

    fn cell(&self) -> String {
        format!("{} ({}/{})", self.agree, self.false_accept, self.false_reject)
    }
}

struct Results {
    name: &'static str,
    verdicts: Vec<Verdict>,
    took: Duration,
}

fn tallies(cases: &[Case], verdicts: &[Verdict]) -> (BTreeMap<String, Tally>, Tally) {
    let mut by_family: BTreeMap<String, Tally> = BTreeMap::new();
    let mut all = Tally::default();
    for (case, verdict) in cases.iter().zip(verdicts) {
        by_family
            .entry(case.family.clone())
            .or_default()
            .add(case.expected_success, verdict);
        all.add(case.expected_success, verdict);
    }
    (by_family, all)
}

fn pct(n: usize, of: usize) -> String {
    if of == 0 {
        return "-".into();
    }
    format!("{:.1}%", n as f64 * 100.0 / of as f64)
}

/// The committed table: one row per family, then the total, one column per verifier:
/// `agreed (false accepts/false rejects)`.
fn table(cases: &[Case], results: &[Results], out_of_scope: &BTreeMap<&str, usize>, openssl: &str) -> String {
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for c in cases {
        let e = counts.entry(c.family.clone()).or_default();
        if c.expected_success {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    let per: Vec<(BTreeMap<String, Tally>, Tally)> = results.iter().map(|r| tallies(cases, &r.verdicts)).collect();
    let mut s = String::new();
    let out: Vec<String> = out_of_scope.iter().map(|(why, n)| format!("{n} with {why}")).collect();
    let _ = writeln!(s, "# x509-limbo: agreement with the expected result, per family\n");
    let _ = writeln!(
        s,
        "Written by `CERTGATE_BLESS=1 cargo test --test x509_limbo -- --nocapture`; `tests/x509_limbo.rs` says how each verifier is run."
    );
    let _ = writeln!(
        s,
        "In scope: the {} SERVER cases without CRLs or `max_chain_depth`, with any number of trust roots, the peer name checked as a configured hostname.",
        cases.len()
    );
    let _ = writeln!(s, "Out of scope: {}.", out.join(", "));
    let _ = writeln!(
        s,
        "Each cell: cases that agree with the expected result (false accepts/false rejects)."
    );
    let _ = writeln!(s, "OpenSSL: {openssl}.\n");
    let _ = write!(s, "| family | cases (expected success/failure) |");
    for r in results {
        let _ = write!(s, " {} |", r.name);
    }
    let _ = write!(s, "\n| --- | ---: |");
    for _ in results {
        let _ = write!(s, " ---: |");
    }
    s.push('\n');
    for (family, (ok, fail)) in &counts {
        let _ = write!(s, "| `{family}` | {} ({ok}/{fail}) |", ok + fail);
        for (by_family, _) in &per {
            let _ = write!(s, " {} |", by_family[family].cell());
        }
        s.push('\n');
    }
    let (ok, fail) = counts.values().fold((0, 0), |a, (o, f)| (a.0 + o, a.1 + f));
    let _ = write!(s, "| **all** | {} ({ok}/{fail}) |", ok + fail);
    for (_, all) in &per {
        let _ = write!(s, " **{}** |", all.cell());
    }
    let _ = write!(s, "\n| agreement | |");
    for (_, all) in &per {
        let _ = write!(s, " {} |", pct(all.agree, cases.len()));
    }
    s.push('\n');
    s
}

/// A column of a committed table, by its verifier's name: family → cell.
/// `readme` with the table rows of `table` between the [`README_TABLE`] marker lines.
fn with_readme_table(readme: &str, table: &str) -> String {
    let (open, close) = README_TABLE;
    let start = readme
        .find(open)
        .expect("the README has the x509-limbo table's opening marker")
        + open.len();
    let end = start
        + readme[start..]
            .find(close)
            .expect("the README has the x509-limbo table's closing marker");
    let rows: String = table
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| format!("{l}\n"))
        .collect();
    format!("{}\n{rows}{}", &readme[..start], &readme[end..])
}

fn column(table: &str, name: &str) -> Option<BTreeMap<String, String>> {
    let mut lines = table.lines().filter(|l| l.starts_with('|'));
    let header: Vec<&str> = lines.next()?.split('|').map(str::trim).collect();
    let at = header.iter().position(|h| *h == name)?;
    Some(
        lines
            .skip(1)
            .filter_map(|l| {
                let cells: Vec<&str> = l.split('|').map(str::trim).collect();
                Some((cells.get(1)?.to_string(), cells.get(at)?.to_string()))
            })
            .collect(),
    )
}

/// The full lists of one verifier's disagreements, with its reasons, for the file and the output.
fn disagreements(cases: &[Case], r: &Results) -> (String, String) {
    let mut full = String::new();
    let mut shown = String::new();
    for (label, want_accept) in [("false accepts", true), ("false rejects", false)] {
        let mut by_family: BTreeMap<&str, Vec<(&Case, &Verdict)>> = BTreeMap::new();
        for (case, v) in cases.iter().zip(&r.verdicts) {
            let accepted = v == &Verdict::Accept;
            if accepted == want_accept && case.expected_success != accepted {
                by_family.entry(&case.family).or_default().push((case, v));
            }
        }
        let total: usize = by_family.values().map(Vec::len).sum();
        let _ = writeln!(full, "## {} {label}: {total}", r.name);
        let _ = writeln!(shown, "{} {label}: {total}", r.name);
        for (family, list) in &by_family {
            let _ = writeln!(full, "### {family}: {}", list.len());
            let _ = writeln!(shown, "  {family}: {}", list.len());
            for (i, (case, v)) in list.iter().enumerate() {
                let why = match v {
                    Verdict::Accept => format!("accepted; {}", case.description.lines().next().unwrap_or("")),
                    Verdict::Reject(why) => why.clone(),
                };
                let _ = writeln!(full, "{}\t{why}", case.id);
                if i < 25 {
                    let why: String = why.chars().take(160).collect();
                    let _ = writeln!(shown, "    {}  {why}", case.id);
                } else if i == 25 {
                    let _ = writeln!(shown, "    … and {} more", list.len() - 25);
                }
            }
        }
    }
    (full, shown)
}

#[test]
fn x509_limbo() {
    let path = suite_path();
    let started = Instant::now();
    let (cases, out_of_scope) = load(&path);
    let loaded = started.elapsed();
    let filtered = std::env::var_os("X509_LIMBO_ONLY").is_some();
    let bless = std::env::var_os("CERTGATE_BLESS").is_some() && !filtered;
    let with_openssl = bless || std::env::var_os("X509_LIMBO_OPENSSL").is_some();
    println!(
        "x509-limbo: {} in-scope cases from {} (read in {:.1?}); out of scope: {out_of_scope:?}",
        cases.len(),
        path.display(),
        loaded
    );

    let mut verifiers: Vec<Box<dyn Verifier>> = vec![Box::new(Certgate::new()), Box::new(Webpki)];
    if with_openssl {
        verifiers.push(Box::new(Openssl));
    }
    let results: Vec<Results> = verifiers
        .iter()
        .map(|v| {
            let (verdicts, took) = run(v.as_ref(), &cases);
            println!("x509-limbo: {} took {took:.1?}", v.name());
            Results {
                name: v.name(),
                verdicts,
                took,
            }
        })
        .collect();

    let openssl_version = if with_openssl {
        let out = Command::new("openssl").arg("version").output().expect("openssl runs");
        let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let took = results.last().map_or(Duration::ZERO, |r| r.took);
        format!("`{version}`, {:.0} s for the cases on this machine", took.as_secs_f64())
    } else {
        String::new()
    };
    let table_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(TABLE);
    let committed = std::fs::read_to_string(&table_path).unwrap_or_default();
    let openssl_note = if with_openssl {
        openssl_version
    } else {
        committed
            .lines()
            .find_map(|l| l.strip_prefix("OpenSSL: ").map(|v| v.trim_end_matches('.').to_string()))
            .unwrap_or_else(|| "not run".into())
    };
    let mut text = table(&cases, &results, &out_of_scope, &openssl_note);
    if !with_openssl && let Some(col) = column(&committed, "openssl") {
        // The committed OpenSSL column, beside today's figures, for the printout only.
        let mut merged = String::new();
        for line in text.lines() {
            let family = line.split('|').nth(1).map(str::trim).unwrap_or("");
            let cell = if line.starts_with("| family") {
                Some("openssl (committed)".to_string())
            } else if line.starts_with("| ---") {
                Some("---:".to_string())
            } else {
                col.get(family).cloned()
            };
            merged.push_str(line);
            if let Some(cell) = cell.filter(|_| line.starts_with('|')) {
                merged.push_str(&format!(" {cell} |"));
            }
            merged.push('\n');
        }
        text = merged;
    }
    println!("\n{text}");

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("x509_limbo");
    std::fs::create_dir_all(&dir).unwrap();
    for r in &results {
        let (full, shown) = disagreements(&cases, r);
        println!("{shown}");
        std::fs::write(dir.join(format!("{}.txt", r.name)), full).unwrap();
        let mut all = String::from("id\texpected\tverdict\treason\n");
        for (case, v) in cases.iter().zip(&r.verdicts) {
            let (verdict, why) = match v {
                Verdict::Accept => ("accept", ""),
                Verdict::Reject(why) => ("reject", why.as_str()),
            };
            let expected = if case.expected_success { "accept" } else { "reject" };
            let _ = writeln!(all, "{}\t{expected}\t{verdict}\t{why}", case.id);
        }
        std::fs::write(dir.join(format!("{}.tsv", r.name)), all).unwrap();
    }
    println!(
        "x509-limbo: the full lists are in {}; the whole test took {:.1?}",
        dir.display(),
        started.elapsed()
    );

    let (_, certgate) = tallies(&cases, &results[0].verdicts);
    if filtered {
        return;
    }
    assert!(
        certgate.agree >= CERTGATE_FLOOR,
        "certgate agrees with x509-limbo on {} cases, below the floor of {CERTGATE_FLOOR}",
        certgate.agree
    );
    if bless {
        std::fs::write(&table_path, &text).unwrap();
        let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        let readme = std::fs::read_to_string(&readme_path).unwrap();
        std::fs::write(&readme_path, with_readme_table(&readme, &text)).unwrap();
        return;
    }
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert_eq!(
        readme,
        with_readme_table(&readme, &committed),
        "the README's x509-limbo table is not {TABLE}'s: rerun with CERTGATE_BLESS=1"
    );
    for name in ["certgate", "rustls-webpki"] {
        assert_eq!(
            column(&text, name),
            column(&committed, name),
            "{TABLE} is stale for {name}: rerun with CERTGATE_BLESS=1 (and raise CERTGATE_FLOOR when certgate agrees with more)"
        );
    }
}
