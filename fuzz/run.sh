#!/usr/bin/env bash
# Fuzz every target (or those named) for SECONDS each, then print executions and crashes per target.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]        (default: 60 seconds, every target)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); runs on the stable toolchain through
# RUSTC_BOOTSTRAP=1. The committed seeds (fuzz/seeds/TARGET/) are copied into the working corpus
# (fuzz/corpus/TARGET/, git-ignored), which grows from run to run; crashes land in
# fuzz/artifacts/TARGET/ with libFuzzer's log in fuzz/artifacts/TARGET.log. Turn a crash into a
# regression input with `cargo fuzz tmin -s none -a TARGET fuzz/artifacts/TARGET/crash-...` and copy the
# minimised file to fuzz/regressions/TARGET/ (tests/fuzz_regressions.rs runs it under cargo test).
#
# Environment:
#   FUZZ_SANITIZER   none (default) or address. certgate is #![forbid(unsafe_code)]: AddressSanitizer
#                    only watches the dependencies' unsafe code, at several times the cost.
#   FUZZ_ARGS        more libFuzzer flags, e.g. "-jobs=2 -workers=2" or "-only_ascii=1".
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
SECONDS_PER_TARGET=${1:-60}
shift || true
ALL=(yaml_loader pem_and_certificate helm_set rule_and_config check_values key_leak)
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")
SANITIZER=${FUZZ_SANITIZER:-none}
export RUSTC_BOOTSTRAP=1

# Longest input per target: enough for the seeds that matter, small enough to keep mutations useful.
max_len() {
  case $1 in
    helm_set) echo 2048 ;;
    rule_and_config) echo 8192 ;;
    *) echo 16384 ;;
  esac
}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2
  exit 2
fi

# Debug assertions and overflow checks on: an overflow that a debug build (cargo test) would panic on
# is a crash here too.
BUILD=(--sanitizer "$SANITIZER" --debug-assertions)
echo "building the targets (sanitizer: $SANITIZER) ..." >&2
for t in "${TARGETS[@]}"; do
  if ! out=$(cargo fuzz build "${BUILD[@]}" "$t" 2>&1); then
    echo "$out" >&2
    echo "cannot build $t" >&2
    exit 2
  fi
done

rows=()
failed=0
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  cp -n "seeds/$t"/* "corpus/$t/" 2>/dev/null || true
  before=$(find "artifacts/$t" -maxdepth 1 -type f | wc -l)
  log="artifacts/$t.log"
  echo "fuzzing $t for ${SECONDS_PER_TARGET}s (log: fuzz/$log) ..." >&2
  set +e
  # shellcheck disable=SC2086
  cargo fuzz run "${BUILD[@]}" "$t" "corpus/$t" -- \
    -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -max_len="$(max_len "$t")" -timeout=30 \
    -print_final_stats=1 ${FUZZ_ARGS:-} >"$log" 2>&1
  status=$?
  set -e
  # libFuzzer's final statistics; after a crash, its last status line (`#N ...`).
  execs=$(awk '/^stat::number_of_executed_units:/ {n += $2} END {print n + 0}' "$log")
  if [ "$execs" = 0 ]; then
    execs=$(grep -aoE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#' || true)
    execs=${execs:-0}
  fi
  rate=$(awk '/^stat::average_exec_per_sec:/ {r += $2} END {print r + 0}' "$log")
  after=$(find "artifacts/$t" -maxdepth 1 -type f | wc -l)
  crashes=$((after - before))
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    crashes="? (exit $status)"
  fi
  [ "$crashes" = 0 ] || failed=1
  corpus=$(find "corpus/$t" -maxdepth 1 -type f | wc -l)
  rows+=("$(printf '%-20s %8s %12s %8s %8s  %s' "$t" "${SECONDS_PER_TARGET}s" "$execs" "$rate" "$corpus" "$crashes")")
done

printf '\n%-20s %8s %12s %8s %8s  %s\n' target time executions exec/s corpus crashes
printf '%s\n' "${rows[@]}"
if [ "$failed" -ne 0 ]; then
  echo
  echo "crashes: see fuzz/artifacts/TARGET/ and fuzz/artifacts/TARGET.log"
  exit 1
fi
