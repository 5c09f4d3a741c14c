#!/usr/bin/env bash
# certgate's benchmark, rerunnable by anyone: builds certgate in release once, generates corpora of
# 1, 100 and 10,000 release units (bench/gen.py), and measures
#   - certgate check on each (wall time, peak memory), 1 core vs 2 cores at 10,000;
#   - the pre-commit case (`certgate check --base HEAD FILE` in a git repository);
#   - the floor (benches/floor.rs: read the files and verify the certificates, nothing else);
#   - the baseline a team runs today (bench/baseline.sh: check-jsonschema + openssl per unit);
#   - the hot functions (benches/hot.rs, ns/iter);
# then prints the table and writes bench/RESULTS.md. Takes about 5 to 15 minutes after the build,
# most of it the baseline.
#
#   bench/run.sh            (env: CARGO_TARGET_DIR, BASELINE_UNITS=100)
#
# Needs: cargo, python3 (3.9+, with venv), openssl, git, bash, GNU time. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
corpora=$repo/bench/.corpus
mkdir -p "$corpora"
target=${CARGO_TARGET_DIR:-$repo/target}

for tool in cargo python3 openssl git; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is needed" >&2; exit 2; }
done
# GNU time measures peak memory (Debian/Ubuntu: apt-get install time).
/usr/bin/time -f %M true >/dev/null 2>&1 || { echo "run.sh: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }
echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if awk '{exit !($1 > 0.5)}' /proc/loadavg; then
  echo "   (the machine is busy: timings will be slower and noisier than on an idle machine)" >&2
fi

echo "== build (release) and the bench programs" >&2
cargo build --release --locked --bin certgate
certgate=$target/release/certgate
cargo bench --locked --no-run --bench floor --bench hot --message-format=json \
  | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] in ("floor", "hot"):
        print(m["target"]["name"], m["executable"])
' > "$corpora/bench-bins.txt"
floor=$(awk '$1 == "floor" {print $2}' "$corpora/bench-bins.txt")
hot=$(awk '$1 == "hot" {print $2}' "$corpora/bench-bins.txt")
[ -x "$floor" ] && [ -x "$hot" ] || { echo "run.sh: the bench programs did not build" >&2; exit 2; }

echo "== check-jsonschema (the baseline) in bench/.venv" >&2
if ! [ -x bench/.venv/bin/check-jsonschema ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet 'check-jsonschema==0.39.0'
fi
# The values schema, without requiring tls.key/cert/cacert in the values of tls.type=provided: in the
# corpus they are PEM files, as certgate.yaml's `certificates:` names them.
python3 - "$repo/schemas/values.schema.json" "$corpora/baseline.schema.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for branch in s["properties"]["tls"]["allOf"]:
    if branch.get("if", {}).get("properties", {}).get("type", {}).get("const") == "provided":
        branch["then"].pop("required", None)
json.dump(s, open(sys.argv[2], "w"), indent=1)
PY

echo "== corpora (bench/gen.py; the certificate pool is made once with tests/certs/mkcert.sh)" >&2
stamp=$(cat bench/gen.py tests/certs/mkcert.sh | sha256sum | cut -c1-16)
for n in 1 100 10000; do
  if [ "$(cat "$corpora/n$n/.stamp" 2>/dev/null)" != "$stamp" ]; then
    python3 bench/gen.py "$corpora/n$n" "$n"
    echo "$stamp" > "$corpora/n$n/.stamp"
  fi
done

echo "== hot functions (benches/hot.rs)" >&2
"$hot" --bench | tee "$corpora/hot.txt"

echo "== measurements" >&2
python3 bench/measure.py --certgate "$certgate" --floor "$floor" --corpora "$corpora" \
  --cjs "$repo/bench/.venv/bin/check-jsonschema" --schema "$corpora/baseline.schema.json" \
  --baseline-units "${BASELINE_UNITS:-100}" --hot "$corpora/hot.txt" --command "bench/run.sh"
