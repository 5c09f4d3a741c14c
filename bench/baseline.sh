#!/usr/bin/env bash
# The baseline: what a team runs today for the same checks, one release unit at a time.
#
#   bench/baseline.sh CORPUS_DIR COUNT SCHEMA CHECK_JSONSCHEMA NOW_EPOCH [batch]
#
# For each of the first COUNT units of CORPUS_DIR (made by bench/gen.py):
#   - check-jsonschema validates values.yaml against SCHEMA (tls.type and the fields each type needs);
#   - openssl verify -attime NOW: the certificate chains up to the CA by signature, valid at NOW;
#   - openssl x509 -checkend: the certificate has not expired at NOW (certgate runs with the same
#     --now, so the verdicts do not change with the day the benchmark runs);
#   - the certificate's public key equals the private key's public key.
# With `batch`, check-jsonschema runs once over all COUNT values files (its start-up is most of the
# per-unit cost), then openssl per unit.
# Prints one line per unit: `UNIT ok` or `UNIT FAIL what...`, so measure.py can count what it caught.
set -uo pipefail
corpus=$1 count=$2 schema=$3 cjs=$4 now=$5 mode=${6:-per-unit}
cd "$corpus" || exit 2
# -checkend counts seconds from the real clock: this offset moves it to NOW (negative in the past).
checkend=$((now - $(date +%s)))

units=()
for dir in units/*/; do
  [ "${#units[@]}" -ge "$count" ] && break
  units+=("${dir%/}")
done

declare -A schema_fail=()
if [ "$mode" = batch ]; then
  files=()
  for dir in "${units[@]}"; do files+=("$dir/values.yaml"); done
  # One line per failing file: `  units/uNNNNN/values.yaml::$.path: message`.
  while read -r line; do
    f=${line%%::*}
    schema_fail[${f%/values.yaml}]=1
  done < <("$cjs" --regex-variant python --schemafile "$schema" "${files[@]}" 2>&1 | grep -o '^ *units/[^:]*::' | tr -d ' ')
fi

for dir in "${units[@]}"; do
  fail=""
  if [ "$mode" = batch ]; then
    [ -n "${schema_fail[$dir]:-}" ] && fail+=" schema"
  else
    "$cjs" --regex-variant python --schemafile "$schema" "$dir/values.yaml" >/dev/null 2>&1 || fail+=" schema"
  fi
  openssl verify -attime "$now" -CAfile "$dir/ca.pem" -untrusted "$dir/tls.pem" "$dir/tls.pem" >/dev/null 2>&1 || fail+=" verify"
  openssl x509 -checkend "$checkend" -noout -in "$dir/tls.pem" >/dev/null 2>&1 || fail+=" expired"
  if [ "$(openssl x509 -pubkey -noout -in "$dir/tls.pem" 2>/dev/null)" != "$(openssl pkey -pubout -in "$dir/tls.key" 2>/dev/null)" ]; then
    fail+=" key-mismatch"
  fi
  if [ -n "$fail" ]; then echo "$dir FAIL$fail"; else echo "$dir ok"; fi
done
