#!/usr/bin/env bash
# certgate's SARIF, validated by an independent validator (check-jsonschema, PyPI) against the
# official SARIF 2.1.0 schema, for reports with findings, suppressions, PEM blocks, several units.
# .ci/run calls this script after building certgate.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CERTGATE:-$here/target/debug/certgate}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

n=0
for case in suppressions-with-reasons cg314-bundle-out-of-order-and-duplicate config-directory-units cg505-documentation-example-bug; do
  src=$here/tests/cases/$case
  dir=$work/$case
  cp -r "$src" "$dir"
  cp "$here/examples/rotation/ibm-eventstreams-prod-1.4.0.tgz" "$dir/"
  if [ -f "$dir/setup.sh" ]; then
    (cd "$dir" && CERTS_HOME=$here/tests/certs bash -c "source $here/tests/certs/mkcert.sh; source ./setup.sh")
  fi
  mapfile -t args < "$src/args"
  (cd "$dir" && "$bin" "${args[@]}" --format sarif --output report.sarif) || true
  check-jsonschema --schemafile "$here/fixtures/reference/sarif-schema-2.1.0.json" "$dir/report.sarif"
  n=$((n + 1))
done
echo "SARIF validated by check-jsonschema: $n reports"
