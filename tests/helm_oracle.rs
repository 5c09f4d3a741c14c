//! Helm itself as the oracle for three things certgate reimplements (issue 16):
//!
//! (a) the `--set`, `--set-string` and `--set-file` parser (`certgate::helm::strvals`, Helm 3 mode,
//!     which follows Helm's HEAD parser) against Helm v4's `pkg/strvals`: the same values, or an
//!     error from both; and its inverse, the escaping the approved command writes keys and values
//!     with: Helm reads back exactly the key path and the string that were escaped;
//! (b) the typing of values-file scalars (`certgate::source::yaml`, YAML 1.1 as go-yaml v2 reads
//!     it) against Helm's values reader: the same number, boolean, string or null, compared by value
//!     (Helm holds every number from a file as a float64), or an error from both;
//! (d) the string a value renders as (`certgate::helm::render`) against what Helm's template
//!     engine prints for `{{ .Values.x }}`, for values from a file and from `--set`/`--set-string`,
//!     and the Kubernetes label-value verdict certgate's CG101 check gives that string against
//!     Kubernetes' own rule.
//!
//! Helm's Go code runs through `helm-python-sdk==0.2.2` (Helm SDK v4.2.3; `.ci/run` installs it),
//! driven by `tests/helm/oracle.py`, one process per test. The cases come from a fixed-seed
//! generator, so every run checks the same few thousand; a failure prints each disagreeing input
//! with both results. `cargo test --test helm_oracle -- --nocapture` prints the tallies.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value as J, json};

use certgate::checks::k8s_label_value::label_value_problem;
use certgate::helm::approved::needs_set_string;
use certgate::helm::render::{manifest_text, rendered};
use certgate::helm::strvals::{self, HelmVersion, escape_key, escape_value};
use certgate::source::SourceId;
use certgate::source::value::{Mapping, Node, SetFlag};
use certgate::source::yaml::{self, YamlProblemKind};

// ------------------------------------------------------------------------------------------------
// The oracle process

struct Oracle {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// Helm's answer: its result, or the message of the error it gave.
type Answer = Result<J, String>;

impl Oracle {
    fn start() -> Oracle {
        let probe = Command::new("python3").args(["-c", "import helm_python"]).output();
        let why = match &probe {
            Ok(out) if out.status.success() => None,
            Ok(out) => Some(
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .to_string(),
            ),
            Err(e) => Some(format!("python3 could not be run: {e}")),
        };
        if let Some(why) = why {
            panic!(
                "helm-python-sdk is not installed (`python3 -c 'import helm_python'` failed: {why}): this \
test runs Helm's own --set parser, values reader and template engine through it. .ci/run installs it \
(`python3 -m pip install helm-python-sdk==0.2.2`); install it to run this test locally."
            );
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/helm/oracle.py");
        let mut child = Command::new("python3")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 starts the oracle");
        let stdin = child.stdin.take().expect("oracle stdin");
        let stdout = BufReader::new(child.stdout.take().expect("oracle stdout"));
        Oracle { child, stdin, stdout }
    }

    fn ask(&mut self, request: J) -> Answer {
        let mut line = request.to_string();
        line.push('\n');
        self.stdin.write_all(line.as_bytes()).expect("write to the oracle");
        self.stdin.flush().expect("flush the oracle's input");
        let mut answer = String::new();
        let n = self.stdout.read_line(&mut answer).expect("read the oracle's answer");
        assert!(n > 0, "the oracle ended without answering {request}");
        let mut answer: J = serde_json::from_str(&answer).expect("the oracle answers JSON");
        if let Some(e) = answer.get("error") {
            return Err(e.as_str().unwrap_or_default().to_string());
        }
        Ok(answer["ok"].take())
    }

    /// Ask, where Helm has no reason to refuse (a render, a verdict).
    fn must(&mut self, request: J) -> J {
        let what = request["op"].clone();
        self.ask(request)
            .unwrap_or_else(|e| panic!("the oracle failed a {what} request: {e}"))
    }

    fn version(&mut self) -> String {
        let v = self.must(json!({"op": "version"}));
        format!("helm-python-sdk {}, Helm SDK {}", v["sdk"], v["helm"])
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ------------------------------------------------------------------------------------------------
// A small deterministic generator (SplitMix64): the same cases on every run and every machine.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    fn pick_str<'a, S: AsRef<str>>(&mut self, xs: &'a [S]) -> &'a str {
        self.pick(xs).as_ref()
    }

    /// True with probability `pct` percent.
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }

    /// `word` with each ASCII letter's case chosen at random.
    fn cased(&mut self, word: &str) -> String {
        word.chars()
            .map(|c| {
                if self.chance(50) {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    }
}

// ------------------------------------------------------------------------------------------------
// Comparing results

/// Whether two JSON values are the same values: numbers by value (with `as_f64`, every number as
/// a float64, which is what Helm holds for a number from a values file), maps whatever their order.
fn same(a: &J, b: &J, as_f64: bool) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => {
            if !as_f64 {
                if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                    return x == y;
                }
                if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                    return x == y;
                }
            }
            x.as_f64() == y.as_f64()
        }
        (J::Array(x), J::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y, as_f64)),
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w, as_f64)))
        }
        _ => a == b,
    }
}

fn show(r: &Result<J, String>) -> String {
    match r {
        Ok(v) => v.to_string(),
        Err(e) => format!("error ({e})"),
    }
}

/// What a part found: its tally and the disagreements, each with its input and both results.
#[derive(Default)]
struct Tally {
    cases: usize,
    agreed: usize,
    both_rejected: usize,
    failures: Vec<String>,
}

impl Tally {
    fn agree(&mut self) {
        self.cases += 1;
        self.agreed += 1;
    }

    fn reject(&mut self) {
        self.agree();
        self.both_rejected += 1;
    }

    fn differ(&mut self, what: String) {
        self.cases += 1;
        self.failures.push(what);
    }

    fn print(&self, name: &str) {
        println!(
            "{name}: {}/{} agree with Helm ({} rejected by both), {} disagreements",
            self.agreed,
            self.cases,
            self.both_rejected,
            self.failures.len()
        );
    }
}

/// Print each part's tally, then fail with every part's disagreements (the first 25 of each).
fn report(parts: &[(&str, &Tally)]) {
    for (name, tally) in parts {
        tally.print(name);
    }
    let mut failures = Vec::new();
    for (name, tally) in parts {
        if !tally.failures.is_empty() {
            failures.push(format!("{name}: {} disagreements with Helm", tally.failures.len()));
            failures.extend(tally.failures.iter().take(25).cloned());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ------------------------------------------------------------------------------------------------
// (a) --set, --set-string, --set-file

/// Key names: plain, with a leading `-` (`--set -a=1` is accepted), escaped `.`/`=`/`,`/`\`/`[`,
/// non-ASCII, spaces, digits, and a few that collide so that items merge and conflict.
#[rustfmt::skip]
const KEY_NAMES: &[&str] = &[
    "a", "a", "b", "c", "name1", "tls", "global", "-a", "--set", "a-", "a_b", "é", "ключ", "日本", "a\\.b", "a\\=b",
    "a\\,b", "a\\\\b", "x\\[0\\]", "\\-x", "a b", "0", "1", "A", "ø\\.",
];

/// List indexes Helm reads (`strconv.Atoi`: a sign and leading zeros are fine), and some it
/// refuses (negative, past its cap of 65536, not a number).
const INDEXES: &[&str] = &["0", "0", "1", "2", "3", "+1", "01"];
const BAD_INDEXES: &[&str] = &["-1", "x", "", " 1", "65537"];

/// Values, as they are typed: booleans and null in many cases, integers of every kind Helm types
/// or leaves a string, escapes, non-ASCII, empty.
#[rustfmt::skip]
const SET_VALUES: &[&str] = &[
    "x", "hello world", "true", "FALSE", "null", "NULL", "nil", "~", "yes", "on", "y",
    "0", "-0", "+0", "00", "007", "-007", "+7", "-7", "1", "20191101", "1.0", ".5", "1e3", "1E3", "0x1F", "0o17",
    "1_000", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "18446744073709551616", "99999999999999999999999",
    "a\\,b", "a\\.b", "a\\=b", "a\\\\b", "a=b", "a.b", "\\{x}", "x}", "\\", "a\\",
    "é☃", "日本語", "ſ", "fal\u{17F}e", "\u{212A}", "tab\there", "\"quoted\"", "'single'",
    "<no value>", "upgradedlabel1", "2.0191101e+07",
];

struct SetGen<'a> {
    rng: &'a mut Rng,
    /// For `--set-file`: the escaped paths a value may name.
    files: Option<&'a [String]>,
}

impl SetGen<'_> {
    fn name(&mut self) -> String {
        if self.rng.chance(3) {
            return String::new();
        }
        self.rng.pick(KEY_NAMES).to_string()
    }

    /// A key: names joined by `.`, with list indexes.
    fn key(&mut self) -> String {
        let mut k = self.name();
        loop {
            match self.rng.below(100) {
                0..=59 => return k,
                60..=84 => {
                    k.push('.');
                    k.push_str(&self.name());
                }
                _ => {
                    k.push('[');
                    let index = if self.rng.chance(85) { INDEXES } else { BAD_INDEXES };
                    k.push_str(self.rng.pick_str(index));
                    if !self.rng.chance(3) {
                        k.push(']');
                    }
                }
            }
        }
    }

    fn scalar(&mut self) -> String {
        if let Some(files) = self.files {
            return self.rng.pick(files).clone();
        }
        match self.rng.below(100) {
            0..=9 => {
                let word = *self.rng.pick(&["true", "false", "null", "yes", "no"]);
                self.rng.cased(word)
            }
            10..=19 => {
                let sign = *self.rng.pick(&["", "", "-", "+"]);
                let digits: String = (0..1 + self.rng.below(20))
                    .map(|_| char::from(b'0' + self.rng.below(10) as u8))
                    .collect();
                format!("{sign}{digits}")
            }
            20..=24 => String::new(),
            _ => self.rng.pick(SET_VALUES).to_string(),
        }
    }

    fn value(&mut self) -> String {
        match self.rng.below(100) {
            0..=14 => {
                let n = self.rng.below(4);
                let items: Vec<String> = (0..n).map(|_| self.scalar()).collect();
                let close = if self.rng.chance(5) { "" } else { "}" };
                format!("{{{}{close}", items.join(","))
            }
            _ => self.scalar(),
        }
    }

    fn item(&mut self) -> String {
        let key = self.key();
        match self.rng.below(100) {
            0..=1 => key,
            2..=4 => format!("{key}=={}", self.value()),
            _ => format!("{key}={}", self.value()),
        }
    }

    fn expression(&mut self) -> String {
        let n = 1 + self.rng.below(4);
        let items: Vec<String> = (0..n).map(|_| self.item()).collect();
        let mut e = items.join(",");
        if self.rng.chance(2) {
            e.push(',');
        }
        if self.rng.chance(2) {
            e.insert(0, ',');
        }
        e
    }
}

fn flag_name(flag: SetFlag) -> &'static str {
    match flag {
        SetFlag::Set => "set",
        SetFlag::SetString => "set-string",
        SetFlag::SetFile => "set-file",
    }
}

/// certgate's reading of one argument (Helm 3 mode), as JSON.
fn certgate_parse(expr: &str, flag: SetFlag) -> Result<J, String> {
    let parsed = match flag {
        SetFlag::SetFile => {
            let mut m = Mapping::new();
            let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}"));
            strvals::set_file(expr, HelmVersion::V3, read, &mut m).map(|()| m)
        }
        _ => strvals::parse(expr, flag, HelmVersion::V3),
    };
    parsed.map(|m| strvals::to_json(&m)).map_err(|e| e.message)
}

/// Escape `s` as a `--set-file` path for Helm: a backslash before `\`, `,`, `{` and `}` (`}` ends a
/// list item).
fn escape_path(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if matches!(c, '\\' | ',' | '}' | '{') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Files for `--set-file`: names with the characters the grammar escapes, contents Helm must not
/// type (`null`, `123`, `true` stay strings), and one path that does not exist.
fn set_files(dir: &Path) -> Vec<String> {
    let files: &[(&str, &str)] = &[
        ("plain", "hello"),
        ("with,comma", "line one\nline two\n"),
        ("with=equals", ""),
        ("with.dot", "null"),
        ("with\\backslash", "123"),
        ("with{brace}", "true"),
        ("ünïcødé", "é ☃ 日本"),
        ("spaced name", "  spaced  \n"),
        ("commas", "a,b,c"),
    ];
    let mut paths = Vec::new();
    for (name, content) in files {
        let path = dir.join(name);
        std::fs::write(&path, content).expect("write a --set-file file");
        paths.push(escape_path(path.to_str().expect("a UTF-8 temporary path")));
    }
    paths.push(escape_path(dir.join("missing").to_str().expect("UTF-8")));
    paths
}

/// Arguments written by hand, for what the generator reaches seldom: conflicts between items,
/// lists grown out of order, Helm's nesting and index caps, ends of input.
#[rustfmt::skip]
const SET_BY_HAND: &[&str] = &[
    "a.b=1,a.b.c=2", "a.b.c=2,a.b=1", "a[1]=x,a[0].b=y", "a={1,2},a[3]=x", "a=x,a[0]=y", "a[0]=x,a=y",
    "a[0][1][2]=x", "a[0].b[1].c=x,a[0].b[0]=y", "a.b=1,a.c=2,a.b=3", "a[2]=1,a[1]=2", "a[0]=1,a[0][0]=2",
    "a[0][0]=1,a[0]=2", "a[0][0]=1,a[0][1]=2", "a[1].b=1,a[1].c=2", "a[65536]=x", "a[65537]=x", "-a=1",
    "--set=x", "a=1,", ",a=1", ",", "", "a", "a.", "a[0", "a[0]", "a[0]x=1", "a={", "a={b", "a={b}c=1",
    "a={b},c=1", "a={}", "a=\\{b}", "=x", "a..b=1", ".a=1", "a.=1", "a\\", "a=b\\", "a\\=b=c", "name1.name2",
    "a=\\,", "a=null,a.b=1", "a.b=null,a.b.c=1", "a=1,a=null", "a=,b=", "a=b=c", "a=\\\\,b=1",
];

/// One argument through both parsers.
fn check_set(oracle: &mut Oracle, flag: SetFlag, expr: &str, tally: &mut Tally) {
    let helm = oracle.ask(json!({"op": "parse", "flag": flag_name(flag), "expr": expr}));
    let ours = certgate_parse(expr, flag);
    match (&ours, &helm) {
        (Err(_), Err(_)) => tally.reject(),
        (Ok(a), Ok(b)) if same(a, b, false) => tally.agree(),
        _ => tally.differ(format!(
            "--{} {expr:?}\n    certgate: {}\n    Helm:     {}",
            flag_name(flag),
            show(&ours),
            show(&helm)
        )),
    }
}

#[test]
fn set_parser_agrees_with_helm() {
    let mut oracle = Oracle::start();
    println!("oracle: {}", oracle.version());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = set_files(dir.path());
    let mut rng = Rng(0x5E7);
    let mut seen = std::collections::HashSet::new();
    let mut tallies = Vec::new();
    // Helm accepts at most 30 dots in a key.
    let deep: Vec<String> = [30, 31]
        .iter()
        .map(|dots| format!("{}=x", vec!["k"; dots + 1].join(".")))
        .collect();
    for (flag, count) in [
        (SetFlag::Set, 2000),
        (SetFlag::SetString, 1000),
        (SetFlag::SetFile, 600),
    ] {
        let mut tally = Tally::default();
        if flag != SetFlag::SetFile {
            for expr in SET_BY_HAND.iter().copied().chain(deep.iter().map(String::as_str)) {
                seen.insert((flag, expr.to_string()));
                check_set(&mut oracle, flag, expr, &mut tally);
            }
        }
        let mut generator = SetGen {
            rng: &mut rng,
            files: (flag == SetFlag::SetFile).then_some(files.as_slice()),
        };
        while tally.cases < count {
            let expr = generator.expression();
            if seen.insert((flag, expr.clone())) {
                check_set(&mut oracle, flag, &expr, &mut tally);
            }
        }
        tallies.push((format!("(a) --{}", flag_name(flag)), tally));
    }
    let parts: Vec<(&str, &Tally)> = tallies.iter().map(|(n, t)| (n.as_str(), t)).collect();
    report(&parts);
}

/// Characters the `--set` grammar gives a meaning (and a few it does not, around them).
const GRAMMAR_CHARS: &[char] = &[
    '{', '}', '[', ']', ',', '=', '.', '\\', ' ', '\t', 'a', 'Z', '0', '-', 'é', '日', '"', '\'',
];

/// A string made to trip the escaping: the grammar's characters in any order, with spaces at either
/// end, the empty string, and the values the generator above uses (words `--set` types among them).
fn grammar_text(rng: &mut Rng) -> String {
    match rng.below(100) {
        0..=3 => String::new(),
        4..=23 => rng.pick_str(SET_VALUES).to_string(),
        _ => {
            let n = 1 + rng.below(12);
            let mut s: String = (0..n).map(|_| *rng.pick(GRAMMAR_CHARS)).collect();
            if rng.chance(20) {
                s.insert(0, ' ');
            }
            if rng.chance(20) {
                s.push(' ');
            }
            s
        }
    }
}

/// An argument as the approved command writes it, read by Helm and by certgate: both must give
/// exactly `want`.
fn check_read_back(oracle: &mut Oracle, flag: SetFlag, expr: &str, want: &J, tally: &mut Tally) {
    let helm = oracle.ask(json!({"op": "parse", "flag": flag_name(flag), "expr": expr}));
    let ours = certgate_parse(expr, flag);
    match (&ours, &helm) {
        (Ok(a), Ok(b)) if a == want && b == want => tally.agree(),
        _ => tally.differ(format!(
            "--{} {expr:?}, written for {want}\n    certgate: {}\n    Helm:     {}",
            flag_name(flag),
            show(&ours),
            show(&helm)
        )),
    }
}

#[test]
fn escaped_keys_and_values_read_back_in_helm() {
    let mut oracle = Oracle::start();
    let mut rng = Rng(0xE5C);
    let mut seen = std::collections::HashSet::new();
    let mut values = Tally::default();
    while seen.len() < 800 {
        let s = grammar_text(&mut rng);
        if !seen.insert(s.clone()) {
            continue;
        }
        // With the flag the approved command chooses, and with --set-string, which a label may be
        // given with (and --new-label is written with).
        let expr = format!("k={}", escape_value(&s));
        let want = json!({ "k": s });
        if !needs_set_string(&s) {
            check_read_back(&mut oracle, SetFlag::Set, &expr, &want, &mut values);
        }
        check_read_back(&mut oracle, SetFlag::SetString, &expr, &want, &mut values);
    }
    // Key paths of one to three segments, each one of those strings, not empty and without `.`.
    let mut keys = Tally::default();
    while keys.cases < 500 {
        let segments: Vec<String> = (0..1 + rng.below(3))
            .map(|_| grammar_text(&mut rng).replace('.', ""))
            .filter(|s| !s.is_empty())
            .collect();
        if segments.is_empty() {
            continue;
        }
        let value = grammar_text(&mut rng);
        let path = segments.join(".");
        let expr = format!(
            "{}={}",
            escape_key(&path).expect("no empty segment"),
            escape_value(&value)
        );
        let want = segments.iter().rev().fold(json!(value), |inner, k| json!({ k: inner }));
        check_read_back(&mut oracle, SetFlag::SetString, &expr, &want, &mut keys);
    }
    report(&[("(a) escaped values", &values), ("(a) escaped key paths", &keys)]);
}

// ------------------------------------------------------------------------------------------------
// (b) values-file scalars

/// Scalars as written in a values file: the YAML 1.1 booleans and nulls, every number form go-yaml
/// v2 reads (and some it does not), timestamps, quoted and tagged forms, flow collections.
#[rustfmt::skip]
const YAML_SCALARS: &[&str] = &[
    // YAML 1.1 booleans and nulls, in the spellings go-yaml v2 knows and some it does not.
    "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
    "true", "True", "TRUE", "false", "False", "FALSE", "yEs", "tRUE", "oN",
    "~", "null", "Null", "NULL", "nULL", "", "'null'", "\"~\"",
    // Integers: signs, leading zeros (octal), prefixes, underscores, past 64 bits.
    "0", "-0", "+0", "00", "007", "017", "-017", "08", "09", "0o17", "0O17", "0o8", "0x1F", "0X1f", "0x",
    "+0x1F", "-0x1F", "0b101", "-0b101", "0b", "0b2", "1_000", "1__000", "_1000", "1000_", "0_7", "0x_1F",
    "+1", "-1", "20191101", "123456", "1234567", "100000", "1000000", "1:20", "190:20:30",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "18446744073709551615", "18446744073709551616", "123456789012345678901234",
    // Floats, and Go's formatting of them (exponent from 1e+06 and below 1e-04).
    "1.0", "1.", "-1.", ".5", "-.5", "+.5", "._5", ".5_5", "1e3", "1E3", "1e+3", "1e-3", "1.5e3", "1e", "e3",
    "1e3.5", "6.8523015e+5", "685.230_15e+03", "685_230.15", "0.1", "0.30000000000000004", "1e21", "1e20",
    "1e400", "-1e400", "0.0001", "0.00001", "-1.5", "3.14159", "-0.0",
    ".inf", ".Inf", "-.inf", "+.INF", ".nan", ".NaN", "NaN", "Infinity", "inf",
    // Timestamps (strings to Helm), valid and not.
    "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2001-12-14T21:59:43Z",
    "2019-02-29", "2020-02-29", "2001-1-1", "2001-12-14 21:59:43.10 -5", "12:30",
    // Strings, and `<no value>`, which Helm's engine deletes from what it renders.
    "hello", "upgradedlabel1", "ext-20260101-1", "a b", "é", "日本", "-a", "a-", "a:b", "a#b", "a # comment",
    "yes # comment", "~a", "=", "<no value>", "x<no value>y", "<no <no value>value>", "2.0191101e+07",
    "1.2.3", "v1", "0.1.0",
    // Quoted.
    "'yes'", "\"yes\"", "'1'", "\"20191101\"", "'it''s'", "\"tab\\there\"", "\"\\x41\\u00e9\\U0001F600\"",
    "\"\\0\"", "\"a\\nb\"", "''", "\"\"", "' lead'", "\"<no value>\"",
    // Tagged.
    "!!str 123", "!!str yes", "!!int 0x1F", "!!int \"12\"", "!!float 1", "!!float \"1.5\"", "!!bool yes",
    "!!bool \"true\"", "!!null ~", "!!null \"\"", "!!timestamp 2001-12-14", "!!binary aGVsbG8=",
    "!!binary \"aGVsbG8\"", "!custom x", "! 12", "!!int 1.5", "!!bool 1", "!!float yes",
    // Collections: Go prints maps in key order, keys made strings first (`yes` is `true`).
    "[1, yes, ~, \"x\"]", "[]", "{}", "{a: 1, a-: 2}", "{b: 2, a: 1, A: 3, _: 4, 10: 5, 9: 6}",
    "{1: a, 1.5: b, yes: c, 0x1F: d}", "{~: x}", "{a: {b: [1, 2.5]}}", "{[1]: x}", "[{a: 1}, [2]]",
    "{a: 1, a: 2}", "[&x yes, *x]", "{<<: {a: 1}, b: 2}", "{a: ~, b: null}", "[<no, value>]",
    "{2.0191101e+07: x}", "{a: 20191101}", "[1.0, -0.0, 1e21]",
    // Block scalars.
    "|-\n  line one\n  line two", ">-\n  folded\n  text", "|\n  kept\n",
];

/// A plain scalar made at random from the characters that decide its type.
fn random_plain(rng: &mut Rng) -> String {
    const PARTS: &[&str] = &[
        "0", "1", "7", "9", "_", ".", "e", "E", "+", "-", "x", "o", "b", "F", ":", "a",
    ];
    let n = 1 + rng.below(7);
    (0..n).map(|_| *rng.pick(PARTS)).collect()
}

fn yaml_scalar(rng: &mut Rng) -> String {
    match rng.below(100) {
        0..=14 => random_plain(rng),
        15..=24 => {
            let word = *rng.pick(&["yes", "no", "on", "off", "true", "false", "null", "y", "n"]);
            rng.cased(word)
        }
        _ => rng.pick(YAML_SCALARS).to_string(),
    }
}

/// Every scalar of [`YAML_SCALARS`], then generated ones, `n` different ones in all.
fn distinct_scalars(rng: &mut Rng, n: usize) -> Vec<String> {
    let mut scalars: Vec<String> = YAML_SCALARS.iter().map(|s| s.to_string()).collect();
    let mut seen: std::collections::HashSet<String> = scalars.iter().cloned().collect();
    while scalars.len() < n {
        let s = yaml_scalar(rng);
        if seen.insert(s.clone()) {
            scalars.push(s);
        }
    }
    scalars
}

/// One `vNNNN: scalar` line (block scalars continue on lines indented below it).
fn slot_line(slot: usize, scalar: &str) -> String {
    format!("{}: {scalar}\n", slot_key(slot))
}

fn slot_key(slot: usize) -> String {
    format!("v{slot:04}")
}

/// certgate's reading of a values document: the root, or the problem Helm would refuse it for.
fn certgate_yaml(text: &str) -> Result<Node, String> {
    let loaded = yaml::load(text, SourceId(0), &yaml::Limits::default());
    if let Some(p) = loaded.problems.iter().find(|p| p.kind != YamlProblemKind::DuplicateKey) {
        return Err(p.message.clone());
    }
    loaded.root.ok_or_else(|| "no document".to_string())
}

#[test]
fn values_scalars_agree_with_helm() {
    let mut oracle = Oracle::start();
    let mut rng = Rng(0xCA1A);
    let mut tally = Tally::default();
    let scalars = distinct_scalars(&mut rng, 1500);
    for s in &scalars {
        let text = slot_line(0, s);
        let helm = oracle.ask(json!({"op": "values_from_yaml", "text": text}));
        let ours = certgate_yaml(&text).map(|n| node_json(&n));
        match (&ours, &helm) {
            (Err(_), Err(_)) => tally.reject(),
            (Ok(a), Ok(b)) if same(a, b, true) => tally.agree(),
            _ => tally.differ(format!(
                "values file {text:?}\n    certgate: {}\n    Helm:     {}",
                show(&ours),
                show(&helm)
            )),
        }
    }
    report(&[("(b) values-file scalars", &tally)]);
}

fn node_json(n: &Node) -> J {
    strvals::node_to_json(n)
}

// ------------------------------------------------------------------------------------------------
// (d) rendered strings and their label verdicts

/// What certgate renders: the value's text (what CG101 checks today) and the manifest's text (the
/// value's, less every `<no value>`); null renders as nothing, as Helm prints it.
fn certgate_rendered(node: &Node) -> (String, String) {
    (
        rendered(node, HelmVersion::V3).unwrap_or_default(),
        manifest_text(node, HelmVersion::V3).unwrap_or_default(),
    )
}

/// The verdict CG101 gives a value: `label_value_problem` on `render::manifest_text`.
fn cg101_verdict(manifest: &str) -> Option<String> {
    label_value_problem(manifest)
}

/// Map keys whose byte order differs from the order of their `key:value` texts, and from their
/// case-insensitive order.
const SUBKEYS: &[&str] = &["a", "a-", "b", "A", "_", "10", "9", "é", "a\\.b", "0"];

/// A `--set` argument that gives `v0000` a scalar, a list or a map made from `scalars`.
fn set_case(rng: &mut Rng, scalars: &[String]) -> String {
    let key = slot_key(0);
    match rng.below(100) {
        0..=69 => format!("{key}={}", escape_value(rng.pick_str(scalars))),
        70..=79 => {
            let n = rng.below(4);
            let items: Vec<String> = (0..n)
                .map(|_| escape_value(rng.pick_str(scalars)).replace('}', "\\}"))
                .collect();
            format!("{key}={{{}}}", items.join(","))
        }
        80..=84 => {
            let i = rng.below(3);
            format!("{key}[{i}]={}", escape_value(rng.pick_str(scalars)))
        }
        _ => {
            let n = 1 + rng.below(4);
            let items: Vec<String> = (0..n)
                .map(|_| {
                    let k = rng.pick(SUBKEYS);
                    let v = escape_value(rng.pick_str(scalars));
                    if rng.chance(20) {
                        format!("{key}.{k}.{}={v}", rng.pick(SUBKEYS))
                    } else {
                        format!("{key}.{k}={v}")
                    }
                })
                .collect();
            items.join(",")
        }
    }
}

/// One rendered value compared: the strings, then the verdict CG101 gives (certgate's check on
/// certgate's string) against Kubernetes' rule on Helm's string.
struct Rendering {
    input: String,
    /// certgate's text of the value, and of the manifest.
    ours: (String, String),
    helm: String,
}

fn compare_renderings(oracle: &mut Oracle, items: &[Rendering], strings: &mut Tally, verdicts: &mut Tally) {
    for chunk in items.chunks(256) {
        let helm_strings: Vec<&str> = chunk.iter().map(|r| r.helm.as_str()).collect();
        let valid = oracle.must(json!({"op": "label_valid", "values": helm_strings}));
        for (r, valid) in chunk.iter().zip(valid.as_array().expect("verdicts")) {
            let (_, manifest) = &r.ours;
            if *manifest == r.helm {
                strings.agree();
            } else {
                strings.differ(format!(
                    "{}\n    certgate renders: {manifest:?}\n    Helm renders:     {:?}",
                    r.input, r.helm
                ));
            }
            let valid = valid.as_bool().expect("a verdict");
            let ours = cg101_verdict(manifest);
            if ours.is_none() == valid {
                verdicts.agree();
            } else {
                verdicts.differ(format!(
                    "{}\n    certgate (CG101) on {manifest:?}: {}\n    Kubernetes on {:?}: {}",
                    r.input,
                    ours.unwrap_or_else(|| "valid".into()),
                    r.helm,
                    if valid { "valid" } else { "invalid" }
                ));
            }
        }
    }
}

/// Render `scalars` from one values document (`v0000: …`, `v0001: …`); one document each when
/// they do not read as one (an anchor in two of them, say).
fn render_values_file(oracle: &mut Oracle, scalars: &[&String]) -> Vec<Rendering> {
    let text: String = scalars.iter().enumerate().map(|(i, s)| slot_line(i, s)).collect();
    let (Ok(root), Ok(helm)) = (
        certgate_yaml(&text),
        oracle.ask(json!({"op": "render_yaml", "text": text})),
    ) else {
        assert!(
            scalars.len() > 1,
            "a scalar both read alone cannot be rendered: {text:?}"
        );
        return scalars
            .iter()
            .flat_map(|s| render_values_file(oracle, std::slice::from_ref(s)))
            .collect();
    };
    scalars
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let key = slot_key(i);
            let node = root.lookup(&key).expect("each slot is in the document");
            Rendering {
                input: format!("values file {:?}", slot_line(0, s)),
                ours: certgate_rendered(node),
                helm: helm[&key].as_str().expect("a rendered string").to_string(),
            }
        })
        .collect()
}

#[test]
fn rendered_labels_agree_with_helm() {
    let mut oracle = Oracle::start();
    let mut rng = Rng(0x1ABE1);
    let scalars = distinct_scalars(&mut rng, 1200);

    // From a values file: the scalars that both Helm and certgate read, rendered 256 to a document.
    let mut file_strings = Tally::default();
    let mut file_verdicts = Tally::default();
    let readable: Vec<&String> = scalars
        .iter()
        .filter(|s| {
            let text = slot_line(0, s);
            certgate_yaml(&text).is_ok() && oracle.ask(json!({"op": "values_from_yaml", "text": text})).is_ok()
        })
        .collect();
    let mut items = Vec::new();
    for chunk in readable.chunks(256) {
        items.extend(render_values_file(&mut oracle, chunk));
    }
    compare_renderings(&mut oracle, &items, &mut file_strings, &mut file_verdicts);

    // From --set and --set-string: the arguments Helm accepts, rendered 256 at a time.
    let mut set_strings = Tally::default();
    let mut set_verdicts = Tally::default();
    let mut items = Vec::new();
    let mut values = Vec::new();
    for n in 0..2400 {
        let flag = if n % 3 == 2 { SetFlag::SetString } else { SetFlag::Set };
        let expr = set_case(&mut rng, &scalars);
        let Ok(helm) = oracle.ask(json!({"op": "parse", "flag": flag_name(flag), "expr": expr})) else {
            continue;
        };
        let Ok(ours) = strvals::parse(&expr, flag, HelmVersion::V3) else {
            continue;
        };
        let (Some(node), Some(value)) = (ours.get(&slot_key(0)), helm.get(slot_key(0))) else {
            continue;
        };
        items.push(Rendering {
            input: format!("--{} {expr:?}", flag_name(flag)),
            ours: certgate_rendered(node),
            helm: String::new(),
        });
        values.push(value.clone());
    }
    for (chunk, values) in items.chunks_mut(256).zip(values.chunks(256)) {
        let helm = oracle.must(json!({"op": "render_set", "values": values}));
        for (r, s) in chunk.iter_mut().zip(helm.as_array().expect("rendered strings")) {
            r.helm = s.as_str().expect("a rendered string").to_string();
        }
    }
    compare_renderings(&mut oracle, &items, &mut set_strings, &mut set_verdicts);

    // The verdict alone, on label-like strings around the rule's edges (length 62-64, every
    // character class at each end) and Kubernetes' own vectors.
    let mut label_verdicts = Tally::default();
    let mut labels: Vec<String> = kubernetes_vectors();
    const CHARS: &[&str] = &[
        "a", "Z", "0", "9", "-", "_", ".", " ", "é", "+", ":", "/", "\n", "A", "z",
    ];
    while labels.len() < 1200 {
        let len = *rng.pick(&[0, 1, 2, 3, 5, 62, 63, 64]);
        let mut parts: Vec<&str> = (0..len)
            .map(|_| if rng.chance(85) { "a" } else { rng.pick_str(CHARS) })
            .collect();
        if rng.chance(30) && !parts.is_empty() {
            parts[0] = rng.pick_str(CHARS);
        }
        if rng.chance(30) {
            parts.push(rng.pick_str(CHARS));
        }
        let s = parts.concat();
        labels.push(s);
    }
    let items: Vec<Rendering> = labels
        .into_iter()
        .map(|s| Rendering {
            input: format!("label {s:?}"),
            ours: (s.clone(), s.clone()),
            helm: s,
        })
        .collect();
    let mut ignored = Tally::default();
    compare_renderings(&mut oracle, &items, &mut ignored, &mut label_verdicts);

    let parts = [
        ("(d) values file: rendered strings", &file_strings),
        ("(d) values file: label verdicts", &file_verdicts),
        ("(d) --set/--set-string: rendered strings", &set_strings),
        ("(d) --set/--set-string: label verdicts", &set_verdicts),
        ("(d) label strings: verdicts", &label_verdicts),
    ];
    report(&parts);
}

/// Kubernetes' own label-value vectors (reference/vectors/k8s_label_values.json).
fn kubernetes_vectors() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/reference/vectors/k8s_label_values.json"
    );
    let v: J = serde_json::from_str(&std::fs::read_to_string(path).expect("the vectors")).expect("JSON");
    ["valid", "invalid", "_supplementary_valid", "_supplementary_invalid"]
        .iter()
        .flat_map(|k| v[*k].as_array().expect("a list").iter())
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}
