//! `certgate plan` (issue 19): one case per verdict in `tests/plan_cases/` (the arguments in
//! `args`, the inputs, certificates made by `setup.sh` with tests/certs/mkcert.sh), each run as
//! text (compared byte for byte with `stdout`) and as JSON (validated against
//! `schemas/plan.schema.json`, its status, steps, blockers and exit status compared with
//! `expected`). `CERTGATE_BLESS=1` rewrites `expected` and `stdout`: read the diff. Every `helm`
//! command of every plan must parse back through certgate's Helm grammar as the command it
//! claims to be. The bundle written by `--output-dir` is held to the real `openssl`, and the trust
//! store's password to the leak tests' standard: no output holds it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use certgate::helm::argv::parse_command;
use certgate::helm::strvals::HelmVersion;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/plan_cases")
}

fn case_args(case: &Path) -> Vec<String> {
    std::fs::read_to_string(case.join("args"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn run(dir: &Path, args: &[String], extra: &[&str]) -> Output {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend(extra);
    let out = common::run_in(dir, &all);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schemas/plan.schema.json")).expect("plan schema is JSON");
    jsonschema::validator_for(&schema).expect("plan schema compiles")
}

/// The JSON plan of `args` (validated against the schema) and the exit status.
fn json_plan(dir: &Path, args: &[String], extra: &[&str]) -> (i32, serde_json::Value) {
    let mut e = extra.to_vec();
    e.extend(["--format", "json"]);
    let out = run(dir, args, &e);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&out.stdout)));
    let errors: Vec<String> = validator()
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "plan does not match its schema: {errors:?}");
    (out.status.code().unwrap(), doc)
}

/// What `expected` holds: the exit status, then per plan its verdict, status, steps (phase and
/// who) and blockers (`CODE FILE:LINE:COL`, `-` for what is not known).
fn summary(status: i32, doc: &serde_json::Value) -> String {
    let mut out = format!("exit {status}\n");
    for p in doc["plans"].as_array().unwrap() {
        out.push_str(&format!(
            "plan {}: {} ({}), {}\n",
            p["release"].as_str().unwrap_or("-"),
            p["verdict"].as_str().unwrap(),
            p["scenario"].as_str().unwrap(),
            p["status"].as_str().unwrap()
        ));
        for s in p["steps"].as_array().unwrap() {
            out.push_str(&format!(
                "step {} {} {}\n",
                s["number"],
                s["phase"].as_str().unwrap(),
                s["who"].as_str().unwrap()
            ));
        }
        for b in p["blocked"].as_array().unwrap() {
            let place = match (b["file"].as_str(), b["line"].as_u64(), b["column"].as_u64()) {
                (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}"),
                _ => b["origin"].as_str().map_or("-".into(), |o| format!("({o})")),
            };
            out.push_str(&format!("blocked {} {place}\n", b["code"].as_str().unwrap_or("-")));
        }
        let cas: Vec<&str> = p["bundle"]["cas"]
            .as_array()
            .map(|a| a.iter().map(|c| c["alias"].as_str().unwrap()).collect())
            .unwrap_or_default();
        if !cas.is_empty() {
            out.push_str(&format!("bundle {}\n", cas.join(" ")));
        }
    }
    out
}

/// Every string of every step's commands, checks and rollbacks.
fn step_lines(doc: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for p in doc["plans"].as_array().unwrap() {
        for s in p["steps"].as_array().unwrap() {
            for key in ["commands", "verify", "rollback"] {
                for l in s[key].as_array().unwrap() {
                    out.push(l.as_str().unwrap().to_string());
                }
            }
        }
    }
    out
}

/// Every `helm` command of a plan reads back as Helm reads it: the plan's release, the approved
/// command's `--tls` (Helm 2) or `--namespace` (Helm 3), with `--tls` only when the case is not
/// Helm 3, and a rollback to the placeholder revision.
fn helm_commands_parse(case: &str, args: &[String], doc: &serde_json::Value) {
    let helm3_flag = args.windows(2).any(|w| w[0] == "--helm" && w[1] == "3");
    for plan in doc["plans"].as_array().unwrap() {
        let lines: Vec<String> = step_lines(&serde_json::json!({"plans": [plan]}))
            .into_iter()
            .filter(|l| l.starts_with("helm "))
            .collect();
        let Some(upgrade) = lines.iter().find(|l| l.starts_with("helm upgrade ")) else {
            assert!(lines.is_empty(), "{case}: {lines:?}");
            continue;
        };
        let up = parse_command(upgrade, HelmVersion::V2).unwrap();
        let helm3 = up.tls.is_none();
        assert!(!(helm3_flag && up.tls.is_some()), "{case}: {upgrade}");
        let version = if helm3 { HelmVersion::V3 } else { HelmVersion::V2 };
        for line in &lines {
            let p = parse_command(line, version).unwrap_or_else(|e| panic!("{case}: {line}: {e}"));
            assert!(p.missing_values.is_empty() && p.set_errors.is_empty(), "{case}: {line}");
            assert_eq!(p.release(), plan["release"].as_str(), "{case}: {line}");
            assert_eq!(p.tls.is_some(), !helm3, "{case}: {line}");
            assert_eq!(p.namespace(), up.namespace(), "{case}: {line}");
            match p.subcommand.as_ref().map(|w| w.text.as_str()) {
                Some("rollback") => {
                    assert_eq!(p.positionals.len(), 2, "{case}: {line}");
                    assert_eq!(p.positionals[1].text, "PREVIOUS_REVISION", "{case}: {line}");
                }
                Some("upgrade") => assert!(p.reuse_values, "{case}: {line}"),
                Some("history") => assert_eq!(p.positionals.len(), 1, "{case}: {line}"),
                other => panic!("{case}: unexpected helm subcommand {other:?} in {line}"),
            }
        }
    }
}

fn compare(path: &Path, actual: &str, bless: bool) -> Result<(), String> {
    if bless {
        std::fs::write(path, actual).map_err(|e| e.to_string())?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if expected != actual {
        return Err(format!(
            "{} differs:\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        ));
    }
    Ok(())
}

#[test]
fn every_plan_case_gives_its_steps_in_text_json_and_markdown() {
    let bless = std::env::var_os("CERTGATE_BLESS").is_some();
    let mut failures = Vec::new();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 9, "{cases:?}");
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let tmp = common::prepare_case(case).unwrap();
        let args = case_args(case);
        let (status, doc) = json_plan(tmp.path(), &args, &[]);
        helm_commands_parse(&name, &args, &doc);
        let text = run(tmp.path(), &args, &[]);
        assert_eq!(text.status.code(), Some(status), "{name}: text and JSON exit alike");
        let markdown = run(tmp.path(), &args, &["--format", "markdown"]);
        assert_eq!(markdown.status.code(), Some(status), "{name}");
        let md = String::from_utf8(markdown.stdout).unwrap();
        assert!(md.starts_with("# certgate rollout plan\n"), "{name}: {md}");
        for s in doc["plans"][0]["steps"].as_array().unwrap() {
            let heading = format!("### Step {}: ", s["number"]);
            assert!(md.contains(&heading), "{name}: {heading}");
        }
        let results = [
            compare(&case.join("expected"), &summary(status, &doc), bless),
            compare(&case.join("stdout"), &String::from_utf8_lossy(&text.stdout), bless),
        ];
        failures.extend(
            results
                .into_iter()
                .filter_map(Result::err)
                .map(|e| format!("{name}: {e}")),
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The JSON plan of a case, run in a fresh copy of it.
fn case_plan(name: &str, extra: &[&str]) -> (tempfile::TempDir, i32, serde_json::Value) {
    let case = cases_dir().join(name);
    let tmp = common::prepare_case(&case).unwrap();
    let (status, doc) = json_plan(tmp.path(), &case_args(&case), extra);
    (tmp, status, doc)
}

fn phases(plan: &serde_json::Value) -> Vec<&str> {
    plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["phase"].as_str().unwrap())
        .collect()
}

/// The approved command of the same inputs under `certgate check`.
fn approved_command(name: &str) -> String {
    let case = cases_dir().join(name);
    let tmp = common::prepare_case(&case).unwrap();
    let mut args = case_args(&case);
    args[0] = "check".into();
    let (_, report) = common::scenario::run_json(tmp.path(), &args.iter().map(String::as_str).collect::<Vec<_>>());
    report["upgrade_command"].as_str().unwrap().to_string()
}

#[test]
fn same_ca_is_one_step_the_approved_command_with_its_rollback() {
    let (_tmp, status, doc) = case_plan("same-ca", &[]);
    let plan = &doc["plans"][0];
    assert_eq!(status, 0);
    assert_eq!(
        (plan["verdict"].as_str(), plan["scenario"].as_str()),
        (Some("none"), Some("same-ca"))
    );
    assert_eq!(phases(plan), ["upgrade"]);
    let step = &plan["steps"][0];
    assert_eq!(step["who"], "platform-team");
    assert_eq!(step["commands"][1].as_str().unwrap(), approved_command("same-ca"));
    assert_eq!(
        step["rollback"][0],
        "helm rollback eventstreams1 PREVIOUS_REVISION --tls"
    );
    assert!(plan["bundle"].is_null());
}

#[test]
fn ca_changed_distributes_checks_upgrades_then_drops_the_old_ca() {
    let (_tmp, status, doc) = case_plan("ca-changed", &[]);
    let plan = &doc["plans"][0];
    assert_eq!(status, 0, "CG401 is a warning: the plan is the way through it");
    assert_eq!(plan["scenario"], "ca-changed");
    assert_eq!(
        phases(plan),
        ["distribute-bundle", "verify-clients", "upgrade", "drop-old-ca"]
    );
    let who: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["who"].as_str().unwrap())
        .collect();
    assert_eq!(
        who,
        ["client-owners", "client-owners", "platform-team", "client-owners"]
    );
    let check = &plan["steps"][1]["commands"];
    assert_eq!(
        check[0],
        "openssl verify -CAfile client-truststore.pem -untrusted tls.pem tls.pem"
    );
    assert_eq!(
        check[1],
        "keytool -list -keystore client-truststore.p12 -storetype PKCS12"
    );
    assert!(check[2].as_str().unwrap().starts_with("openssl s_client -connect "));
    assert!(
        check[2]
            .as_str()
            .unwrap()
            .contains(" -CAfile client-truststore.pem -verify_return_error")
    );
    assert_eq!(
        plan["steps"][2]["commands"][1].as_str().unwrap(),
        approved_command("ca-changed")
    );
    // Dropped after the default 30 days, counted from the run's clock.
    assert_eq!(plan["steps"][3]["not_before"], "2026-12-27T00:00:00Z");
    let aliases: Vec<(&str, &str)> = plan["bundle"]["cas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["side"].as_str().unwrap(), c["subject"].as_str().unwrap()))
        .collect();
    assert_eq!(aliases, [("old", "CN=Old Root CA"), ("new", "CN=Example Root CA")]);
    assert_eq!(plan["bundle"]["running_chain"], "the previous values' tls.cert");
    let (_tmp, _, doc) = case_plan("ca-changed", &["--keep-old-ca-days", "7"]);
    assert_eq!(doc["plans"][0]["steps"][3]["not_before"], "2026-12-04T00:00:00Z");
}

#[test]
fn helm3_rollbacks_carry_the_namespace_and_no_tls() {
    let (_tmp, _, doc) = case_plan("ca-changed-helm3-running-chain-unknown", &[]);
    let plan = &doc["plans"][0];
    assert_eq!(
        plan["steps"][2]["rollback"][0],
        "helm rollback eventstreams1 PREVIOUS_REVISION --namespace es"
    );
    assert!(plan["bundle"]["running_chain"].is_null());
    assert!(plan["notes"][0].as_str().unwrap().contains("not known"), "{plan}");
}

#[test]
fn type_changed_takes_the_self_generated_ca_from_previous_cacert_or_says_it_must_be_given() {
    let (_tmp, status, doc) = case_plan("type-changed-previous-cacert", &[]);
    let plan = &doc["plans"][0];
    assert_eq!((status, plan["scenario"].as_str()), (0, Some("type-changed")));
    assert_eq!(
        phases(plan),
        ["distribute-bundle", "verify-clients", "upgrade", "drop-old-ca"]
    );
    assert_eq!(plan["bundle"]["cas"][0]["subject"], "CN=Self-generated Root CA");

    let (_tmp, status, doc) = case_plan("type-changed-no-previous-cacert", &[]);
    let plan = &doc["plans"][0];
    assert_eq!((status, plan["status"].as_str()), (1, Some("blocked")));
    assert!(plan["steps"].as_array().unwrap().is_empty());
    assert_eq!(plan["blocked"][0]["code"], "CG402");
    assert!(
        plan["blocked"][0]["message"]
            .as_str()
            .unwrap()
            .contains("--previous-cacert")
    );
}

#[test]
fn blocked_units_have_no_steps_and_their_findings_with_places() {
    let (_tmp, status, doc) = case_plan("blocked", &[]);
    let plan = &doc["plans"][0];
    assert_eq!((status, plan["status"].as_str()), (1, Some("blocked")));
    assert!(plan["steps"].as_array().unwrap().is_empty());
    let b = &plan["blocked"][0];
    assert_eq!(
        (b["code"].as_str(), b["file"].as_str(), b["line"].as_u64()),
        (Some("CG201"), Some("new.yaml"), Some(5))
    );
}

fn openssl(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed (.ci/run installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Characters each format escapes its own way (`_` in Markdown, `"` in JSON and in quoted
/// messages), so every written form of it must be redacted.
const PASSWORD: &str = "Tr0ub_4dor&3\"plan";

#[test]
fn output_dir_bundle_verifies_old_and_new_chains_with_openssl_and_holds_no_key() {
    let case = cases_dir().join("ca-changed");
    let tmp = common::prepare_case(&case).unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("pw.txt"), format!("{PASSWORD}\n")).unwrap();
    let (status, doc) = json_plan(
        dir,
        &case_args(&case),
        &["--output-dir", "out", "--truststore-password-file", "pw.txt"],
    );
    assert_eq!(status, 0);
    let bundle = &doc["plans"][0]["bundle"];
    assert_eq!(bundle["password"], true);
    for f in bundle["files"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        assert_eq!(path, format!("out/{}", f["name"].as_str().unwrap()));
        let bytes = std::fs::read(dir.join(path)).unwrap();
        assert_eq!(
            f["sha256"].as_str().unwrap(),
            certgate::source::files::sha256_hex(&bytes)
        );
    }
    for chain in ["oldtls.pem", "tls.pem"] {
        let (ok, text) = openssl(
            dir,
            &[
                "verify",
                "-attime",
                "1795000000",
                "-CAfile",
                "out/client-truststore.pem",
                chain,
            ],
        );
        assert!(ok && text.contains(": OK"), "{chain}: {text}");
    }
    let (ok, text) = openssl(
        dir,
        &[
            "pkcs12",
            "-info",
            "-nokeys",
            "-in",
            "out/client-truststore.p12",
            "-passin",
            "file:pw.txt",
        ],
    );
    assert!(ok, "{text}");
    assert_eq!(text.matches("-----BEGIN CERTIFICATE-----").count(), 2, "{text}");
    assert!(
        text.contains("CN=Old Root CA") || text.contains("CN = Old Root CA"),
        "{text}"
    );
    assert!(text.contains("Example Root CA"), "{text}");
    assert!(
        !text.contains("PRIVATE KEY") && !text.contains("Shrouded Keybag"),
        "{text}"
    );
}

#[test]
fn a_bundle_that_cannot_be_made_blocks_the_plan_and_writes_nothing() {
    let case = cases_dir().join("ca-changed");
    let tmp = common::prepare_case(&case).unwrap();
    std::fs::write(tmp.path().join("pw.txt"), "short\n").unwrap();
    let (status, doc) = json_plan(
        tmp.path(),
        &case_args(&case),
        &["--output-dir", "out", "--truststore-password-file", "pw.txt"],
    );
    assert_eq!((status, doc["plans"][0]["status"].as_str()), (1, Some("blocked")));
    assert!(
        doc["plans"][0]["blocked"][0]["message"]
            .as_str()
            .unwrap()
            .contains("6 characters")
    );
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn the_trust_store_password_never_reaches_any_output() {
    let case = cases_dir().join("ca-changed");
    let tmp = common::prepare_case(&case).unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("pw.txt"), format!("{PASSWORD}\n")).unwrap();
    let args = case_args(&case);
    // The password also typed where a value belongs: certgate quotes an invalid label in its
    // finding, which is where the password would show.
    let label = format!("global.security.externalCertificateLabel={PASSWORD}");
    for extra in [&[][..], &["--set", label.as_str()][..]] {
        for format in ["text", "json", "markdown"] {
            let mut e = vec!["--truststore-password-file", "pw.txt", "--output-dir", "out"];
            e.extend(extra);
            e.extend(["--format", format, "--output", "plan.out", "--format", format]);
            let out = run(dir, &args, &e);
            let file = std::fs::read_to_string(dir.join("plan.out")).unwrap();
            for (what, text) in [
                ("stdout", String::from_utf8_lossy(&out.stdout).into_owned()),
                ("stderr", String::from_utf8_lossy(&out.stderr).into_owned()),
                ("--output", file),
            ] {
                // Pieces of it, so that no escaped form (`\_`, `\"`) slips through either.
                for piece in ["Tr0ub", "4dor&3", "plan\""] {
                    assert!(!text.contains(piece), "{format} {extra:?} {what}: {text}");
                }
            }
        }
    }
}

#[test]
fn several_units_get_one_bundle_directory_each_named_for_the_release() {
    let (tmp, status, doc) = case_plan("two-units", &["--output-dir", "out"]);
    assert_eq!(status, 0);
    let plans = doc["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 2);
    for (plan, dir) in plans.iter().zip(["es-east", "es-west"]) {
        assert_eq!(plan["release"], dir);
        for f in plan["bundle"]["files"].as_array().unwrap() {
            let path = format!("out/{dir}/{}", f["name"].as_str().unwrap());
            assert_eq!(f["path"].as_str(), Some(path.as_str()));
            let bytes = std::fs::read(tmp.path().join(&path)).unwrap();
            assert_eq!(
                f["sha256"].as_str().unwrap(),
                certgate::source::files::sha256_hex(&bytes)
            );
        }
    }
    // Each unit's rollback is its own release's, as its own Helm takes it.
    assert_eq!(
        plans[0]["steps"][2]["rollback"][0],
        "helm rollback es-east PREVIOUS_REVISION --tls"
    );
    assert_eq!(
        plans[1]["steps"][2]["rollback"][0],
        "helm rollback es-west PREVIOUS_REVISION --namespace kafka"
    );
}

#[test]
fn from_own_certificates_to_self_generated_is_blocked_the_new_ca_comes_with_the_upgrade() {
    let (_tmp, status, doc) = case_plan("type-changed-to-selfsigned", &[]);
    let plan = &doc["plans"][0];
    assert_eq!((status, plan["scenario"].as_str()), (1, Some("type-changed")));
    assert_eq!(plan["blocked"][0]["code"], "CG402");
    assert!(
        plan["blocked"][0]["message"]
            .as_str()
            .unwrap()
            .contains("generated by the chart during the upgrade")
    );
}

/// A plan command line run in `dir` by a shell, `stdin` typed at its prompts.
fn shell(dir: &Path, command: &str, stdin: &str) -> (bool, String) {
    use std::io::Write as _;
    let mut child = std::process::Command::new("sh")
        .args(["-c", command])
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn the_plans_keytool_commands_work_as_written_on_the_written_store() {
    // Steps 2 and 4 as a client owner runs them, in the --output-dir (a JDK is installed by
    // .ci/run, as for tests/trust_bundle.rs).
    let case = cases_dir().join("ca-changed");
    let tmp = common::prepare_case(&case).unwrap();
    std::fs::write(tmp.path().join("pw.txt"), format!("{PASSWORD}\n")).unwrap();
    let (_, doc) = json_plan(
        tmp.path(),
        &case_args(&case),
        &["--output-dir", "out", "--truststore-password-file", "pw.txt"],
    );
    let steps = &doc["plans"][0]["steps"];
    let out = tmp.path().join("out");
    let list = steps[1]["commands"][1].as_str().unwrap();
    let (ok, text) = shell(&out, list, &format!("{PASSWORD}\n"));
    assert!(ok, "{list}: {text}");
    assert!(text.contains("Your keystore contains 2 entries"), "{text}");
    assert_eq!(text.matches("trustedCertEntry").count(), 2, "{text}");
    assert!(!text.contains("PrivateKeyEntry"), "{text}");
    let delete = steps[3]["commands"][0].as_str().unwrap();
    let (ok, text) = shell(&out, delete, &format!("{PASSWORD}\n"));
    assert!(ok, "{delete}: {text}");
    let (ok, text) = shell(&out, list, &format!("{PASSWORD}\n"));
    assert!(ok && text.contains("Your keystore contains 1 entry"), "{text}");
}

#[test]
fn options_of_check_that_plan_cannot_honour_are_usage_errors() {
    let case = cases_dir().join("same-ca");
    let tmp = common::prepare_case(&case).unwrap();
    for extra in [&["--quiet"][..], &["--show-config"], &["--format", "sarif"]] {
        let out = run(tmp.path(), &case_args(&case), extra);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(out.stdout.is_empty(), "{extra:?}");
    }
}
