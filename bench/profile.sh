#!/usr/bin/env bash
# Where certgate's time and memory go, deterministically: callgrind (instructions) on 1 and 1,000
# release units, massif (heap) on 1,000, with a release build that has line tables (a separate
# target directory, so the measured build is untouched). Prints bench/profile_summary.py's summary;
# the raw profiles stay in bench/.corpus/profile/ for callgrind_annotate / kcachegrind / ms_print.
# About 10 minutes after the build (valgrind runs ~50x slower).
#
#   bench/profile.sh            (env: PROFILE_TARGET_DIR, default target/bench-profile)
#
# Note: under valgrind, sha2 takes its portable path (no SHA-NI), so SHA-256 shows ~5% of
# instructions there but ~1% of native time (perf).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "profile.sh: valgrind is needed (apt-get install valgrind)" >&2; exit 2; }
target=${PROFILE_TARGET_DIR:-$PWD/target/bench-profile}
cargo build --release --locked --bin certgate --target-dir "$target" \
  --config 'profile.release.debug="line-tables-only"'
bin=$target/release/certgate
corpora=bench/.corpus
out=$corpora/profile
mkdir -p "$out"
for n in 1 1000; do
  [ -f "$corpora/n$n/manifest.json" ] || python3 bench/gen.py "$corpora/n$n" "$n"
done
args=(--now 2026-11-27T00:00:00Z --format json --output /dev/null)
run() { "$@" >/dev/null 2>&1 || [ $? -eq 1 ]; }  # exit 1: the corpus has broken units
echo "== callgrind, 1 unit" >&2
run valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.n1.out" "$bin" check "$corpora/n1" "${args[@]}"
echo "== callgrind, 1,000 units" >&2
run valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.n1000.out" "$bin" check "$corpora/n1000" "${args[@]}"
echo "== massif, 1,000 units" >&2
run valgrind --tool=massif --massif-out-file="$out/massif.n1000.out" "$bin" check "$corpora/n1000" "${args[@]}"
python3 bench/profile_summary.py callgrind "$out/callgrind.n1.out" 1
echo
python3 bench/profile_summary.py callgrind "$out/callgrind.n1000.out" 1000
echo
python3 bench/profile_summary.py massif "$out/massif.n1000.out"
