#!/usr/bin/env bash
# Hostile inputs within the documented limits (README, Robustness): generates each one, runs the
# release binary on it and prints its wall time, peak RSS, exit status and report size, one line
# per case. The goal is every case under 2 s and 256 MiB; bench/HOSTILE.md records the figures.
#
#   bench/hostile.sh [CASE...]      (env: CARGO_TARGET_DIR; CERTGATE=path to skip the build)
#
# Needs: cargo, python3, openssl, bash, GNU time (apt-get install time). Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
target=${CARGO_TARGET_DIR:-$repo/target}
/usr/bin/time -f %M true >/dev/null 2>&1 || { echo "hostile.sh: GNU time (/usr/bin/time) is needed" >&2; exit 2; }
if [ -z "${CERTGATE:-}" ]; then
  cargo build --release --locked --bin certgate >&2
  CERTGATE=$target/release/certgate
fi
work=$repo/bench/.hostile
mkdir -p "$work"
now=2026-11-27T00:00:00Z

# Each generator writes its inputs into the current directory and prints the certgate arguments,
# one a line.
gen() {
  python3 - "$@" <<'PY'
import sys
case = sys.argv[1]
MB = 1 << 20

def write(name, text):
    with open(name, "w") as f:
        f.write(text)

def args(*a):
    print("\n".join(a))

if case.startswith("alias-bytes-"):
    # A 1 MB string aliased N times: few nodes, many bytes once expanded.
    n = int(case.rsplit("-", 1)[1])
    write("v.yaml", "big: &a \"" + "x" * MB + "\"\ncopies: [" + ", ".join(["*a"] * n) + "]\n")
    args("-f", "v.yaml")
elif case == "set-dupes-command":
    # One --command argument of 128 KiB, the most Linux passes in one argument (MAX_ARG_STRLEN),
    # nearly all of it one --set word of 32,700 items.
    word = ",".join(["a=1"] * 32_700)
    args("--command", "helm upgrade es chart --reuse-values --tls --set " + word)
elif case.startswith("set-args-"):
    # N --set arguments, all under one key.
    n = int(case.rsplit("-", 1)[1])
    out = []
    for i in range(n):
        out += ["--set", f"global.k{i}=v"]
    args(*out)
elif case.startswith("command-sets-"):
    n = int(case.rsplit("-", 1)[1])
    # As many as fit the 128 KiB of one argument.
    words = " ".join(f"--set g.k{i}=v" for i in range(n))
    args("--command", "helm upgrade es chart --reuse-values --tls " + words)
elif case == "flow-seq-8mb":
    # A flow sequence of single-digit items filling the 8 MiB file limit.
    n = (8 * MB - 64) // 3
    write("v.yaml", "a: [" + ", ".join(["1"] * n) + "]\n")
    args("-f", "v.yaml")
elif case == "map-600k":
    # 600,000 keys, each an unknown key to the values schema.
    write("v.yaml", "".join(f"k{i}: 1\n" for i in range(600_000)))
    args("-f", "v.yaml")
elif case == "cg315-8000x2500":
    # 8,000 configured hostnames, none covered by a certificate with 2,500 DNS names.
    hosts = "".join(f"      - h{i}.other.example\n" for i in range(8000))
    write("certgate.yaml",
          "releases:\n  - name: es\n    values: [v.yaml]\n"
          "    certificates: {key: tls.key, cert: leaf.pem, cacert: ca.pem}\n"
          "    hostnames:\n" + hosts)
    write("v.yaml", "global:\n  security:\n    externalCertificateLabel: ext-2\ntls:\n  type: provided\n")
    args(".")
else:
    sys.exit(f"unknown case {case}")
PY
}

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
  cases=(alias-bytes-1000 alias-bytes-2000 set-dupes-command set-args-20000 set-args-40000
         command-sets-8000 flow-seq-8mb map-600k cg315-8000x2500)
fi

printf '%-20s %9s %11s %6s %12s\n' case "wall (s)" "peak (MiB)" exit "report (B)"
for c in "${cases[@]}"; do
  d=$work/$c
  rm -rf "$d"; mkdir -p "$d"
  (
    cd "$d"
    if [ "$c" = cg315-8000x2500 ]; then
      sans=$(python3 -c 'print(",".join(f"DNS:h{i}.example.com" for i in range(2500)))')
      # shellcheck disable=SC1091
      (source "$repo/tests/certs/mkcert.sh"
       mkcert ca 'Example Root CA' ca-a self 20250101000000Z 20350101000000Z ca
       SAN=$sans mkcert leaf kafka.example.com leaf ca 20260601000000Z 20270601000000Z leaf
       key leaf tls) >/dev/null
    fi
    gen "$c" > args.txt
    mapfile -t a < args.txt
    set +e
    /usr/bin/time -f '%e %M' -o time.txt "$CERTGATE" check "${a[@]}" --now "$now" --format json \
      > report.json 2> stderr.txt
    status=$?
    set -e
    [ -s time.txt ] || { printf '%-20s did not run: %s\n' "$c" "$(tail -n1 stderr.txt)"; exit 0; }
    read -r wall kib < <(tail -n1 time.txt)
    printf '%-20s %9s %11.1f %6s %12s\n' "$c" "$wall" "$(echo "$kib / 1024" | bc -l)" "$status" "$(stat -c %s report.json)"
  )
done
