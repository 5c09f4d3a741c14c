//! The fuzz targets' code (`fuzz/src/targets.rs`, the very file the libFuzzer binaries run) over
//! every committed reproducer (`fuzz/regressions/TARGET/`) and, as a cheap smoke test, every seed of
//! every target (`fuzz/seeds/*/`) through every target. The long fuzzing runs are `fuzz/run.sh`.
//!
//! As under libFuzzer, any panic is a failure, even one the code under test catches itself (the YAML
//! loader guards the parser with `catch_unwind`; libFuzzer's panic hook aborts before that).

#[allow(dead_code)]
#[path = "../fuzz/src/targets.rs"]
mod targets;

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;

thread_local! {
    static PANICS: Cell<usize> = const { Cell::new(0) };
}

/// Count panics per thread (then report them as usual), caught or not.
fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            PANICS.with(|p| p.set(p.get() + 1));
            default(info);
        }));
    });
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `fuzz/KIND/TARGET/` (none when the directory does not exist), sorted.
fn files(kind: &str, target: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(fuzz_dir().join(kind).join(target)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    files.sort();
    files
}

/// Run `target` over `inputs`; the failures as `file: message` lines.
fn run(target: &str, inputs: &[PathBuf]) -> Vec<String> {
    count_panics();
    let (_, f) = targets::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .expect("a known target");
    let mut failures = Vec::new();
    for path in inputs {
        let data = std::fs::read(path).expect("a readable input");
        PANICS.with(|p| p.set(0));
        let result = panic::catch_unwind(AssertUnwindSafe(|| f(&data)));
        let panics = PANICS.with(Cell::get);
        let shown = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path).display();
        match result {
            Err(e) => {
                let message = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{target} on {shown}: panicked: {message}"));
            }
            Ok(()) if panics > 0 => {
                failures.push(format!(
                    "{target} on {shown}: panicked ({panics}), caught inside certgate"
                ));
            }
            Ok(()) => {}
        }
    }
    failures
}

/// Reproducers of `target` itself, then every target's seeds.
fn check(target: &str) {
    let mut inputs = files("regressions", target);
    let reproducers = inputs.len();
    for (name, _) in targets::TARGETS {
        inputs.extend(files("seeds", name));
    }
    assert!(inputs.len() > reproducers, "no seeds under fuzz/seeds/");
    let failures = run(target, &inputs);
    assert!(
        failures.is_empty(),
        "{} of {} inputs fail:\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n")
    );
}

#[test]
fn every_target_has_a_seed_directory() {
    for (name, _) in targets::TARGETS {
        assert!(!files("seeds", name).is_empty(), "fuzz/seeds/{name}/ is empty");
        assert!(
            fuzz_dir().join("fuzz_targets").join(format!("{name}.rs")).is_file(),
            "fuzz/fuzz_targets/{name}.rs is missing"
        );
    }
}

#[test]
fn yaml_loader() {
    check("yaml_loader");
}

#[test]
fn pem_and_certificate() {
    check("pem_and_certificate");
}

#[test]
fn helm_set() {
    check("helm_set");
}

#[test]
fn rule_and_config() {
    check("rule_and_config");
}

#[test]
fn check_values() {
    check("check_values");
}

#[test]
fn key_leak() {
    check("key_leak");
}
