//! Helm's own code as the oracle for the approved command (tests/helm/command_oracle.py, on
//! helm-python-sdk, which `.ci/run` installs): for every approved command of the command-line cases
//! and for generated rotations with adversarial labels, a real shell runs the command into a
//! stand-in `helm`, Helm's parser reads its arguments, Helm's coalescing applies them as `helm
//! upgrade --reuse-values` does in the Helm version given, and Helm's template engine reads the
//! certificate settings: they must be exactly the change certgate checked (computed the same way
//! from certgate's own inputs), and nothing else may change.
//!
//! Version differences the oracle follows rather than reports: under Helm 3 and 4 `--set K=null`
//! does not remove a key the release stores (helm/helm#30765), so certgate's commands for those
//! versions remove with an empty value, which the chart reads as unset; the oracle compares the
//! settings as the chart reads them (`default`, `if`), not as raw strings.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use certgate::helm::strvals::escape_value;
use common::{cases, prepare_case, run_in, scenario};
use serde_json::{Value, json};

struct Oracle {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Oracle {
    fn start() -> Oracle {
        let probe = Command::new("python3")
            .args(["-c", "import helm_python"])
            .output()
            .expect("python3 runs");
        assert!(
            probe.status.success(),
            "Helm's code is the oracle here: install it with `python3 -m pip install helm-python-sdk==0.2.2` (.ci/run does): {}",
            String::from_utf8_lossy(&probe.stderr)
        );
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/helm/command_oracle.py");
        let mut child = Command::new("python3")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the oracle starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Oracle { child, stdin, stdout }
    }

    fn ask(&mut self, request: &Value) -> Value {
        writeln!(self.stdin, "{request}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        let answer: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            answer.get("error").is_none(),
            "the oracle failed on {request}: {answer}"
        );
        answer
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The approved command of `args` run in `dir` (None when certgate approves none).
fn approved_command(dir: &Path, args: &[String]) -> Option<String> {
    let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
    a.extend(["--format", "json"]);
    let out = run_in(dir, &a);
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    report["upgrade_command"].as_str().map(str::to_string)
}

/// What the oracle says of `command`, checked: the settings Helm ends with are the ones asked for,
/// nothing else changes, and the command has the version's form.
fn judge(oracle: &mut Oracle, dir: &Path, args: &[String], command: &str, what: &str) {
    let answer = oracle.ask(&json!({"dir": dir, "args": args, "command": command}));
    let mut checked = answer["checked"].clone();
    let mut helm = answer["helm"].clone();
    if args.iter().any(|a| a == "--new-label") {
        // certgate chose this label itself: it is in the command, not in the inputs.
        for v in [&mut checked, &mut helm] {
            v["global.security.externalCertificateLabel"] = Value::Null;
        }
    }
    assert_eq!(
        helm, checked,
        "{what}: Helm would hold other certificate settings than were checked\ncommand: {command}"
    );
    assert_eq!(
        answer["extra"],
        json!([]),
        "{what}: the command changes more than the rotation\ncommand: {command}"
    );
    // What Helm renders for each label is a valid Kubernetes label value (apimachinery
    // IsValidLabelValue: at most 63 characters of [A-Za-z0-9._-], alphanumeric at both ends) and
    // not empty: the rule certgate approves by.
    for label in [
        "global.security.externalCertificateLabel",
        "global.security.internalCertificateLabel",
    ] {
        let Some(v) = helm[label].as_str() else { continue };
        let ends = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        assert!(
            !v.is_empty()
                && v.len() <= 63
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                && ends(v.chars().next())
                && ends(v.chars().last()),
            "{what}: Helm renders {label} as {v:?}, not a label value\ncommand: {command}"
        );
    }
    let version = args
        .iter()
        .position(|a| a == "--helm")
        .map(|i| args[i + 1].as_str())
        .unwrap_or("2");
    assert_eq!(
        answer["tls_flag"],
        json!(version == "2"),
        "{what}: --tls is Helm 2's only: {command}"
    );
    if let Some(i) = args.iter().position(|a| a == "--namespace")
        && version != "2"
    {
        assert_eq!(answer["namespace"], json!(args[i + 1]), "{what}: {command}");
    }
}

#[test]
fn every_approved_command_of_the_cases_does_in_helm_what_was_checked() {
    let mut oracle = Oracle::start();
    let mut judged = Vec::new();
    for case in cases() {
        let expected = std::fs::read_to_string(case.join("expected")).unwrap();
        if !expected.lines().any(|l| l.starts_with("command: helm")) {
            continue;
        }
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let dir = prepare_case(&case).unwrap();
        let server = common::server::for_case(&case, dir.path()).unwrap();
        let args_text = std::fs::read_to_string(case.join("args")).unwrap();
        let args: Vec<String> = common::server::with_port(&args_text, server.as_ref())
            .lines()
            .map(str::to_string)
            .collect();
        let command = approved_command(dir.path(), &args).unwrap_or_else(|| panic!("{name}: no command"));
        judge(&mut oracle, dir.path(), &args, &command, &name);
        judged.push(name);
    }
    println!("{} approved commands of the cases agree with Helm", judged.len());
    assert!(judged.len() >= 40, "{judged:?}");
    for must in [
        "helm3-provided-to-secret-empties-lingering-keys",
        "provided-to-secret-removes-lingering-keys",
        "cg010-values-multi-document-helm4",
        "provided-files-same-ca-approved",
        "command-from-documentation-approved",
    ] {
        assert!(judged.iter().any(|j| j == must), "{must} was not judged");
    }
}

/// A small deterministic generator (xorshift64*): the same cases every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Labels a person or an attacker might write: valid ones, and ones Helm's parser, YAML 1.1 typing
/// or Go's formatting would turn into something else.
const LABELS: &[&str] = &[
    "ext-2",
    "new1",
    "a",
    "1234",
    "20191101",
    "0x1F",
    "1e3",
    "true",
    "False",
    "yes",
    "on",
    "null",
    "~",
    "a,b",
    "a=b",
    "{a,b}",
    "a.b_c-d",
    "x\\y",
    "'q'",
    "\"q\"",
    "with space",
    "ünï",
    "-lead",
    "trail-",
    "",
    "0",
    "-1",
    "1.0",
    ".5",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];

fn yaml_scalar(rng: &mut Rng, s: &str) -> String {
    match rng.below(3) {
        0 => format!("'{}'", s.replace('\'', "''")),
        1 => serde_json::to_string(s).unwrap(),
        // Plain, when YAML lets it be plain: typing and all.
        _ if !s.is_empty()
            && !s.contains([':', '#', '{', '}', '[', ']', ',', '\'', '"', '\\'])
            && !s.starts_with(['-', ' ', '&', '*', '!', '|', '>', '%', '@', '`']) =>
        {
            s.to_string()
        }
        _ => serde_json::to_string(s).unwrap(),
    }
}

#[test]
fn generated_rotations_with_adversarial_labels_do_in_helm_what_was_checked() {
    let mut oracle = Oracle::start();
    let mut rng = Rng(0x5eed_cafe_f00d_0016);
    let (mut approved, mut refused) = (0, 0);
    let cases = 240;
    for n in 0..cases {
        let dir = tempfile::tempdir().unwrap();
        common::write_charts(dir.path());
        let helm = *rng.pick(&["2", "3", "4"]);
        let prev_type = *rng.pick(&["selfsigned", "provided", "secret"]);
        let mut prev = String::from("global:\n  security:\n    externalCertificateLabel: old-1\n");
        if rng.below(2) == 0 {
            prev.push_str("    internalCertificateLabel: int-1\n");
        }
        prev.push_str(&format!("tls:\n  type: {prev_type}\n"));
        match prev_type {
            "provided" => prev.push_str("  key: QUJD\n  cert: REVG\n  cacert: R0hJ\n"),
            "secret" => prev.push_str("  secretName: es-old\n"),
            _ => {}
        }
        if rng.below(2) == 0 {
            prev.push_str("kafka:\n  brokers: 3\n");
        }
        std::fs::write(dir.path().join("prev.yaml"), &prev).unwrap();

        let label = *rng.pick(LABELS);
        let mut args: Vec<String> = scenario::args(&["--helm", helm, "--namespace", "es"])
            .into_iter()
            .map(str::to_string)
            .collect();
        let new_type = *rng.pick(&["", "selfsigned", "secret"]);
        match rng.below(3) {
            0 => {
                let mut new = format!(
                    "global:\n  security:\n    externalCertificateLabel: {}\n",
                    yaml_scalar(&mut rng, label)
                );
                if !new_type.is_empty() {
                    new.push_str(&format!("tls:\n  type: {new_type}\n"));
                    if new_type == "secret" {
                        new.push_str("  secretName: es-tls\n");
                    }
                    if prev_type == "provided" {
                        new.push_str("  key: null\n  cert: null\n  cacert: null\n");
                    }
                    if prev_type == "secret" && new_type == "selfsigned" {
                        new.push_str("  secretName: null\n");
                    }
                }
                std::fs::write(dir.path().join("new.yaml"), new).unwrap();
                args.extend(["-f".into(), "new.yaml".into()]);
            }
            flag => {
                let flag = if flag == 1 { "--set" } else { "--set-string" };
                args.extend([
                    flag.to_string(),
                    format!("global.security.externalCertificateLabel={}", escape_value(label)),
                ]);
                if !new_type.is_empty() {
                    let mut s = format!("tls.type={new_type}");
                    if new_type == "secret" {
                        s.push_str(",tls.secretName=es-tls");
                    }
                    if prev_type == "provided" {
                        s.push_str(",tls.key=null,tls.cert=null,tls.cacert=null");
                    }
                    if prev_type == "secret" && new_type == "selfsigned" {
                        s.push_str(",tls.secretName=null");
                    }
                    args.extend(["--set".into(), s]);
                }
            }
        }
        match approved_command(dir.path(), &args) {
            Some(command) => {
                approved += 1;
                judge(&mut oracle, dir.path(), &args, &command, &format!("case {n}: {args:?}"));
            }
            None => refused += 1,
        }
    }
    println!("{cases} generated rotations: {approved} approved and agree with Helm, {refused} refused");
    assert!(approved >= cases / 4, "too few approved to mean anything: {approved}");
    assert!(
        refused >= cases / 10,
        "the adversarial labels should be refused: {refused}"
    );
}

/// The oracle is not a mirror of certgate: the commands certgate used to approve, and now refuses
/// or forms differently, are wrong by Helm's code too.
#[test]
fn the_commands_certgate_no_longer_approves_are_wrong_by_helms_code() {
    let mut oracle = Oracle::start();
    let case = |name: &str| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases").join(name);
    let args_of = |name: &str| -> Vec<String> {
        std::fs::read_to_string(case(name).join("args"))
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };

    // Helm 3 keeps a stored key set to null for the upgrade (helm/helm#30765).
    let name = "helm3-provided-to-secret-empties-lingering-keys";
    let dir = prepare_case(&case(name)).unwrap();
    let args = args_of(name);
    let good = approved_command(dir.path(), &args).unwrap();
    assert!(good.contains("--set tls.key= "), "{good}");
    let old = good.replace("tls.key= ", "tls.key=null ");
    let answer = oracle.ask(&json!({"dir": dir.path(), "args": args, "command": old}));
    assert_eq!(answer["checked"]["tls.key"], Value::Null);
    assert!(
        answer["helm"]["tls.key"]
            .as_str()
            .is_some_and(|k| k.starts_with("LS0t")),
        "the old base64 key stays: {answer}"
    );

    // A values file passed for its key material brings kafka.brokers with it.
    let name = "cg511-values-file-carries-unrelated-change";
    let dir = prepare_case(&case(name)).unwrap();
    let args = args_of(name);
    assert_eq!(approved_command(dir.path(), &args), None);
    let command = "helm upgrade --reuse-values -f new.yaml --set global.security.externalCertificateLabel=upgradedlabel1 --set tls.type=provided --set tls.cert=\"$(base64 -w0 < tls.pem)\" --set tls.cacert=\"$(base64 -w0 < ca.pem)\" eventstreams1 ibm-eventstreams-prod-1.4.0.tgz --tls";
    let answer = oracle.ask(&json!({"dir": dir.path(), "args": args, "command": command}));
    assert_eq!(answer["extra"], json!(["kafka.brokers"]), "{answer}");
}
