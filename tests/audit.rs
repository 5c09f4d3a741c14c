//! The auditor's report (`certgate audit`, SPEC §1): the HTML and Markdown documents carry the
//! findings, the rules under the policy, the inputs with their digests, the suppressions with their
//! reasons, the approved command and the certificate timeline; the HTML loads nothing from anywhere;
//! and it renders in a real browser (headless Chromium, which CI installs), whose screenshot is kept
//! in the target directory for a human to look at.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use certgate::engine::{Policy, RuleSetting, check};
use certgate::engine::{Suppressed, UnitReport};
use certgate::load::{Context, UnitSpec, load_unit};
use certgate::model::material::{CertState, CertificateInfo};
use certgate::model::unit::Given;
use certgate::report;
use certgate::report::github::md_escape;
use certgate::rules::Severity;
use certgate::rules::{self, Rule};
use certgate::source::Location;
use certgate::source::SourceMap;

const NOW: &str = "2026-11-27T00:00:00Z";

/// An invalid label, an invalid `tls.type` and an unknown key (suppressed below): a blocked unit.
const BLOCKED_VALUES: &str = "global:\n  security: {unknownKey: x, externalCertificateLabel: my new label}\n\
tls:\n  type: Provided\n";

/// The documentation's example: a new external label over a self-signed release, approved.
const PREVIOUS: &str = "global:\n  security:\n    externalCertificateLabel: external-cert-initial-id\n    \
internalCertificateLabel: internal-cert-initial-id\ntls:\n  type: selfsigned\n";

const SUPPRESSION_REASON: &str = "tracked in CHG-1234 <until the \"chart\" upgrade> & | after";

/// A subject no renderer may pass through unescaped.
const HOSTILE_SUBJECT: &str = "CN=<script>alert(\"x\")</script> & Co | pipe";

fn given(v: &str) -> Given<String> {
    Given {
        value: v.to_string(),
        location: Location::Run,
    }
}

/// The auditor's report of `units` in `format` (html or markdown), as `certgate audit` renders it.
fn audit(format: report::Format, units: &[UnitReport], rules: &[&Rule], policy: &Policy) -> String {
    let report = report::Report {
        units,
        rules,
        policy,
        plans: &[],
    };
    report::render(format, &report, &report::Options::default())
}

fn rules() -> Vec<&'static Rule> {
    rules::builtin().iter().collect()
}

/// A policy that differs from the defaults where an auditor would look.
fn policy() -> Policy {
    let mut policy = Policy {
        clients_must_keep_working: true,
        expiry_warning_days: 30,
        ..Policy::default()
    };
    policy.rules.insert("CG209".to_string(), RuleSetting::Off);
    policy
        .rules
        .insert("CG105".to_string(), RuleSetting::Severity(Severity::Error));
    policy
        .rules
        .insert("CG999".to_string(), RuleSetting::Severity(Severity::Info));
    policy
}

/// A certificate of the inventory, with the state the engine would have given it.
fn cert(
    role: &str,
    subject: &str,
    (not_before, not_after): (&str, &str),
    days_left: i64,
    state: CertState,
    fp: char,
) -> CertificateInfo {
    CertificateInfo {
        role: role.to_string(),
        source: format!("certs/{role}.pem"),
        subject: subject.to_string(),
        issuer: "CN=Example Root CA, O=Example".to_string(),
        serial: "4f:1a:00:9c".to_string(),
        sha256: fp.to_string().repeat(64),
        not_before: not_before.to_string(),
        not_after: not_after.to_string(),
        days_left,
        key_type: "RSA".to_string(),
        key_bits: 2048,
        signature_algorithm: "sha256WithRSAEncryption".to_string(),
        state,
    }
}

/// Valid, expiring within the window, expired since long ago (1950), and valid until 9999.
fn certificates() -> Vec<CertificateInfo> {
    vec![
        cert(
            "leaf",
            HOSTILE_SUBJECT,
            ("2026-06-01T00:00:00Z", "2027-06-01T00:00:00Z"),
            186,
            CertState::Valid,
            'a',
        ),
        cert(
            "intermediate",
            "CN=Example Issuing CA",
            ("2024-12-01T00:00:00Z", "2026-12-10T00:00:00Z"),
            13,
            CertState::Expiring,
            'b',
        ),
        cert(
            "previous-ca",
            "CN=Old Root",
            ("1950-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
            -2522,
            CertState::Expired,
            'c',
        ),
        cert(
            "ca",
            "CN=Example Root CA, O=Example",
            ("2016-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),
            2_912_000,
            CertState::Valid,
            'd',
        ),
    ]
}

/// Two units: one blocked (findings, a suppression, four certificates), one approved (no
/// certificates).
fn build(dir: &Path) -> Vec<UnitReport> {
    common::write_charts(dir);
    std::fs::write(dir.join("blocked.yaml"), BLOCKED_VALUES).unwrap();
    std::fs::write(dir.join("prev.yaml"), PREVIOUS).unwrap();
    let policy = policy();

    let blocked_spec = UnitSpec {
        base_dir: dir.to_path_buf(),
        release: Some(given("es-blocked")),
        values: vec![given("blocked.yaml")],
        set: vec![given("tls.secretname=es-tls")],
        ..UnitSpec::default()
    };
    let loaded = load_unit(&blocked_spec, &Context::at_unix(1_795_737_600), &SourceMap::new());
    let mut blocked = check(loaded, &rules(), &policy, NOW);
    let i = blocked
        .findings
        .iter()
        .position(|f| &*f.code == "CG211" && matches!(f.location, Location::Span { .. }))
        .expect("the fixture has an unknown key in the file");
    let finding = blocked.findings.remove(i);
    blocked.suppressed.push(Suppressed {
        finding,
        reason: SUPPRESSION_REASON.to_string(),
        until: Some("2027-01-31".to_string()),
    });
    blocked.certificates = certificates();
    assert!(blocked.upgrade_command().is_none());

    let approved_spec = UnitSpec {
        base_dir: dir.to_path_buf(),
        release: Some(given("eventstreams1")),
        chart: Some(given("ibm-eventstreams-prod-1.4.0.tgz")),
        previous: Some(given("prev.yaml")),
        set: vec![given("global.security.externalCertificateLabel=upgradedlabel1")],
        ..UnitSpec::default()
    };
    let loaded = load_unit(&approved_spec, &Context::at_unix(1_795_737_600), &SourceMap::new());
    let approved = check(loaded, &rules(), &policy, NOW);
    assert!(
        approved.upgrade_command().is_some(),
        "the documentation's example is approved: {:?}",
        approved.findings
    );
    vec![blocked, approved]
}

/// HTML escaping as the report must do it (the test's own copy).
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn verdict_text(report: &UnitReport) -> String {
    let word = |v: serde_json::Value| v.as_str().unwrap().to_string();
    format!(
        "Client impact verdict: {} (scenario: {})",
        word(serde_json::to_value(report.client_impact.verdict).unwrap()),
        word(serde_json::to_value(report.client_impact.scenario).unwrap())
    )
}

fn where_(report: &UnitReport, location: &Location) -> Option<String> {
    let p = report.place(location);
    match (p.file, p.line, p.column, p.origin) {
        (Some(file), Some(line), Some(col), _) => Some(format!("{file}:{line}:{col}")),
        (None, _, _, Some(origin)) => Some(origin),
        _ => None,
    }
}

/// What both documents must carry, each escaped in its own way.
fn assert_carries_everything(doc: &str, reports: &[UnitReport], escape: &dyn Fn(&str) -> String, format: &str) {
    let has = |needle: &str, what: &str| {
        assert!(doc.contains(needle), "{format}: missing {what}: {needle:?}");
    };
    for report in reports {
        has(&escape(report.release.as_deref().unwrap()), "the release name");
        has(&verdict_text(report), "the client impact verdict");
        has(&escape(&report.client_impact.reason), "the verdict's reason");
        assert!(!report.inputs.is_empty());
        for input in &report.inputs {
            has(&input.sha256, "an input's digest");
            has(&escape(input.role.as_str()), "an input's role");
        }
        for f in &report.findings {
            has(&escape(&f.message), "a finding's message");
            has(&escape(&f.help), "a finding's help");
            if let Some(place) = where_(report, &f.location) {
                has(&escape(&place), "a finding's place");
            }
        }
        for s in &report.suppressed {
            has(&escape(&s.reason), "a suppression's reason");
            has(s.until.as_deref().unwrap(), "a suppression's until date");
            has(&escape(&s.finding.message), "a suppressed finding's message");
        }
        for c in &report.certificates {
            has(&c.sha256, "a certificate's fingerprint");
            has(&escape(&c.subject), "a certificate's subject");
            has(&escape(&c.not_after), "a certificate's notAfter");
        }
    }
    for rule in rules() {
        has(&escape(&rule.meta.code), "a rule's code");
        has(&escape(&rule.meta.name), "a rule's name");
        has(&escape(&rule.meta.summary), "a rule's summary");
    }
    has("verify-approval", "how the digests are re-checked");
    has("No command approved", "why the blocked unit has no command");
    has("block it (CG101", "the findings that block the command");
    has("clients", "the clients policy");
    has("must-keep-working", "the clients policy's value");
    has("honoured", "whether suppressions were honoured");
    has(
        "No certificate was inspected",
        "the sentence for a unit without certificates",
    );
    assert!(!doc.contains("PRIVATE KEY"), "{format}: key material");
}

#[test]
fn both_documents_carry_the_whole_report() {
    let dir = tempfile::tempdir().unwrap();
    let reports = build(dir.path());
    let rules = rules();
    let policy = policy();
    let html = audit(report::Format::Html, &reports, &rules, &policy);
    let md = audit(report::Format::Markdown, &reports, &rules, &policy);

    assert_carries_everything(&html, &reports, &html_escape, "HTML");
    assert_carries_everything(&md, &reports, &md_escape, "Markdown");

    let command = reports[1].upgrade_command().unwrap();
    assert!(html.contains(&format!("<pre><code>{}</code></pre>", html_escape(command))));
    assert!(md.contains(&format!("```sh\n{command}\n```\n")), "{md}");

    // The policy's overrides are visible: CG209 off, CG105 raised, CG401 raised by the clients policy, and an
    // override of a rule the pack does not hold.
    for doc in [&html, &md] {
        assert!(doc.contains("off (policy.rules)") || doc.contains("off</span> <span class=\"note\">(policy.rules)"));
        assert!(doc.contains("(clients: must-keep-working)"));
    }
    let row = |code: &str| {
        md.lines()
            .find(|l| l.contains(&format!("[{code}](")))
            .unwrap()
            .to_string()
    };
    assert!(row("CG209").contains("| off (policy.rules) |"), "{}", row("CG209"));
    assert!(
        row("CG105").contains("| warning | error (policy.rules) |"),
        "{}",
        row("CG105")
    );
    for doc in [&html, &md] {
        assert!(doc.contains("policy.rules also sets CG999 (info), which the rule pack does not hold"));
    }
    assert!(
        row("CG401").contains("| warning | error (clients: must-keep-working) |"),
        "{}",
        row("CG401")
    );

    // The timeline: one bar per certificate, coloured by state, and the hostile subject escaped.
    assert_eq!(
        html.matches("<svg").count(),
        1,
        "one timeline: the second unit has no certificates"
    );
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    assert_eq!(svg.matches("height=\"18\" rx=\"3\"").count(), 4, "{svg}");
    for colour in ["#2da44e", "#d4a72c", "#cf222e"] {
        assert!(
            svg.contains(&format!("fill=\"{colour}\"><title>")),
            "a bar coloured {colour}"
        );
    }
    assert!(svg.contains(">now 2026-11-27</text>"), "the line at now is labelled");
    assert!(
        svg.contains(">2016-01-01 to 9999-12-31 · valid<"),
        "the far-future CA keeps its real date in its label"
    );
    assert!(
        svg.contains(">1950-01-01 to 2020-01-01 · expired<"),
        "so does the 1950 one"
    );
    assert!(svg.contains("l9 9 l-9 9 z"), "the bar running to 9999 ends in an arrow");
    assert!(!html.contains("<script"), "the hostile subject is escaped");
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)"));
    assert!(
        md.contains("CN=&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; Co \\| pipe"),
        "{md}"
    );
    assert!(md.contains("```text\n"), "the text timeline");

    // Deterministic: the same report gives the same bytes.
    assert_eq!(audit(report::Format::Html, &reports, &rules, &policy), html);
    assert_eq!(audit(report::Format::Markdown, &reports, &rules, &policy), md);

    // Markdown tables keep their shape: every row of a table has as many cells as its header.
    let mut columns = None;
    for line in md.lines() {
        if line.starts_with('|') {
            let cells = line.replace("\\|", "").matches('|').count();
            match columns {
                None => columns = Some(cells),
                Some(n) => assert_eq!(cells, n, "{line}"),
            }
        } else {
            columns = None;
        }
    }
}

/// The state the audit shows for a certificate is the rules' verdict on it, to the second and to
/// the fraction: the leaf of each CG306, CG307 and CG308 case, and of the CG307 window case at the
/// whole second, where exactly 30 days are left and CG307 says nothing.
#[test]
fn states_shown_are_the_rules_verdicts() {
    let runs = [
        ("cg306-cert-expired", None, "expired"),
        ("cg306-expired-half-a-second-ago", None, "expired"),
        ("cg307-cert-expires-soon", None, "expiring"),
        ("cg307-window-to-the-fraction", None, "expiring"),
        ("cg307-window-to-the-fraction", Some("2026-11-27T00:00:00Z"), "valid"),
        ("cg308-cert-not-yet-valid", None, "not yet valid"),
    ];
    for (name, now, shown) in runs {
        let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases").join(name);
        let tmp = common::prepare_case(&case).unwrap();
        let args_text = std::fs::read_to_string(case.join("args")).unwrap();
        let mut args: Vec<&str> = args_text.lines().filter(|l| !l.starts_with('#')).collect();
        if let Some(now) = now {
            let i = args.iter().position(|a| *a == "--now").unwrap();
            args[i + 1] = now;
        }
        let run = |command: &str, format: &str| {
            let mut args = args.clone();
            args[0] = command;
            args.extend(["--format", format]);
            let out = common::run_in(tmp.path(), &args);
            String::from_utf8(out.stdout).unwrap()
        };
        let report: serde_json::Value = serde_json::from_str(&run("check", "json")).unwrap();
        let codes: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == "tls.cert")
            .filter_map(|f| f["code"].as_str())
            .collect();
        let verdict = match ["CG306", "CG307", "CG308"].iter().find(|c| codes.contains(c)) {
            Some(&"CG306") => "expired",
            Some(&"CG307") => "expiring",
            Some(_) => "not yet valid",
            None => "valid",
        };
        assert_eq!(verdict, shown, "{name} {now:?}: the rules say {codes:?}");
        let md = run("audit", "markdown");
        let leaf = md
            .lines()
            .find(|l| l.starts_with("| 1 | leaf |"))
            .unwrap_or_else(|| panic!("{md}"));
        assert!(leaf.contains(&format!(" | {shown} | ")), "{name} {now:?}: {leaf}");
    }
}

#[test]
fn suppressions_ignored_are_said_to_be() {
    let dir = tempfile::tempdir().unwrap();
    let reports = build(dir.path());
    let policy = Policy {
        suppressions: false,
        ..policy()
    };
    let html = audit(report::Format::Html, &reports[1..], &rules(), &policy);
    assert!(html.contains("Inline suppressions were ignored for this run"));
    assert!(html.contains("ignored (--no-suppressions)"));
    let md = audit(report::Format::Markdown, &reports[1..], &rules(), &policy);
    assert!(md.contains("Inline suppressions were ignored for this run"));
}

/// The HTML loads nothing: no script, stylesheet, frame, image or font reference, and the only
/// `http(s)://` text is in `<a href>` links (not loaded) or in text content.
#[test]
fn the_html_loads_nothing_from_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let reports = build(dir.path());
    let html = audit(report::Format::Html, &reports, &rules(), &policy());
    assert!(html.starts_with("<!DOCTYPE html>\n"));
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:\">"
    ));
    let lower = html.to_ascii_lowercase();
    for banned in [
        "<script",
        "<link",
        "<iframe",
        "<object",
        "<embed",
        "<img",
        "<image",
        "<use",
        "<base",
        "<form",
        "@import",
        "url(",
        " src=",
        "srcset=",
        "xlink:",
        "@font-face",
    ] {
        assert!(!lower.contains(banned), "the HTML holds {banned:?}");
    }
    let mut links = 0;
    for (i, _) in lower.match_indices("://") {
        let (open, close) = (lower[..i].rfind('<'), lower[..i].rfind('>'));
        let in_tag = match (open, close) {
            (Some(o), Some(c)) => o > c,
            (Some(_), None) => true,
            _ => false,
        };
        if !in_tag {
            continue; // text content: shown, not loaded
        }
        let tag = &lower[open.unwrap()..i];
        assert!(tag.starts_with("<a "), "a URL inside a tag other than <a>: {tag}");
        assert!(
            tag.ends_with(" href=\"https") || tag.ends_with(" href=\"http"),
            "a URL outside href: {tag}"
        );
        links += 1;
    }
    assert!(links > 0, "rule help URIs are links");
    // Every href is a fragment in the document or a web link.
    for (i, _) in lower.match_indices("href=\"") {
        let value = &lower[i + 6..];
        assert!(
            value.starts_with('#') || value.starts_with("https://") || value.starts_with("http://"),
            "{}",
            &value[..value.len().min(40)]
        );
    }
}

fn chromium() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("chromium"))
        .find(|p| p.is_file());
    match on_path.or_else(|| Some(PathBuf::from("/usr/bin/chromium")).filter(|p| p.is_file())) {
        Some(path) => path,
        None => panic!(
            "chromium is not installed (looked on PATH and at /usr/bin/chromium): this test renders the \
audit report in headless Chromium. CI installs the Debian package `chromium`; install it \
(`apt-get install chromium`) to run this test locally."
        ),
    }
}

/// Run headless Chromium with `extra` arguments on `page`, with no network, a fresh profile and a
/// time limit; returns its standard output.
fn run_chromium(page: &Path, extra: &[String]) -> Vec<u8> {
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .args(extra)
    .arg(format!("file://{}", page.display()))
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("chromium starts");
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "chromium did not finish within 120 s:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "chromium failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn the_html_renders_in_headless_chromium() {
    let inputs = tempfile::tempdir().unwrap();
    let reports = build(inputs.path());
    let html = audit(report::Format::Html, &reports, &rules(), &policy());
    // Kept in the target directory so that a human can look at the screenshot afterwards.
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("audit");
    std::fs::create_dir_all(&out_dir).unwrap();
    let page = out_dir.join("audit.html");
    let png = out_dir.join("audit.png");
    std::fs::write(&page, &html).unwrap();
    std::fs::write(
        out_dir.join("audit.md"),
        audit(report::Format::Markdown, &reports, &rules(), &policy()),
    )
    .unwrap();
    let _ = std::fs::remove_file(&png);

    run_chromium(
        &page,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".to_string(),
        ],
    );
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", png.display()));
    eprintln!("audit report screenshot: {} (page: {})", png.display(), page.display());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "the first chunk is IHDR");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!(width, 1280, "the screenshot is as wide as the window");
    assert!(height >= 1000, "height {height}");
    assert!(
        bytes.len() > 20_000,
        "a rendered page, not a blank one: {} bytes",
        bytes.len()
    );

    let dom = String::from_utf8(run_chromium(&page, &["--dump-dom".to_string()])).unwrap();
    for report in &reports {
        assert!(
            dom.contains(&verdict_text(report)),
            "the rendered DOM holds the verdict"
        );
    }
    assert!(dom.contains("Approved: a command is approved for this release unit."));
    assert!(dom.contains("Not approved: no command is approved for this release unit."));
    assert!(dom.contains("<svg"), "the timeline is in the DOM");
    assert!(!dom.contains("<script"), "nothing turned into a script");
}
