#!/usr/bin/env bash
# The pre-commit hook, with the real pre-commit framework (PyPI) on a throw-away repository that
# uses certgate as users do: a .pre-commit-config.yaml naming this repository at its HEAD commit.
# pre-commit installs the hook (language: rust: one release build, cached across the runs below)
# and runs it on the files a commit changes. .ci/run calls this script.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

git init -q -b main repo
cd repo
git config user.email hook@example.com
git config user.name hook
mkdir -p deploy/es1 deploy/es2 docs
cp "$here/examples/rotation/ibm-eventstreams-prod-1.4.0.tgz" .
cat > certgate.yaml <<'YAML'
releases:
  - name: es1
    chart: ibm-eventstreams-prod-1.4.0.tgz
    values: [deploy/es1/values.yaml]
    history: {installed_from: "2019.4.1"}
  - name: es2
    chart: ibm-eventstreams-prod-1.4.0.tgz
    values: [deploy/es2/values.yaml]
YAML
printf 'global:\n  security:\n    externalCertificateLabel: ext-1\n' > deploy/es1/values.yaml
printf 'global:\n  security:\n    externalCertificateLabel: ext-1\n' > deploy/es2/values.yaml
printf 'title: unrelated\n' > docs/site.yaml
git add . && git commit -qm base

cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $here
    rev: $(git -C "$here" rev-parse HEAD)
    hooks:
      - id: certgate
YAML
git add .pre-commit-config.yaml && git commit -qm "use certgate"
try() { pre-commit run certgate --verbose --files "$@" 2>&1; }
fail() { echo "pre-commit hook test FAILED: $*"; echo "$out"; exit 1; }

# 1. A good rotation of es1 passes and prints es1's approved command (and checks es1 only).
printf 'global:\n  security:\n    externalCertificateLabel: ext-2\n' > deploy/es1/values.yaml
git add deploy/es1/values.yaml
out=$(try deploy/es1/values.yaml) || fail "a good rotation was refused"
grep -q 'helm upgrade --reuse-values --set global.security.externalCertificateLabel=ext-2 es1 ibm-eventstreams-prod-1.4.0.tgz --tls' <<<"$out" || fail "no approved command for es1"
grep -q ' es2 ' <<<"$out" && fail "es2 was checked but none of its files changed"

# 2. An invalid label in es2 fails the commit, at its file and line.
printf 'global:\n  security:\n    externalCertificateLabel: my label\n' > deploy/es2/values.yaml
git add deploy/es2/values.yaml
if out=$(try deploy/es2/values.yaml); then fail "an invalid label passed"; fi
grep -q 'CG101' <<<"$out" || fail "no CG101"
grep -q 'deploy/es2/values.yaml:3:31' <<<"$out" || fail "CG101 not located at deploy/es2/values.yaml:3:31"

# 3. A YAML file no release unit reads does not block the commit.
git checkout -q deploy/es2/values.yaml && git reset -q deploy/es2/values.yaml
git checkout -q deploy/es1/values.yaml 2>/dev/null || true
printf 'title: changed\n' > docs/site.yaml
git add docs/site.yaml
out=$(try docs/site.yaml) || fail "an unrelated file blocked the commit"

# 4. A committed file named like an option is a file: pre-commit appends the names after the
# entry's `--`. Read as `--config=evil.yaml`, it would make evil.yaml the config, which turns CG101
# off, and the invalid label in es2 would pass.
git reset -q docs/site.yaml && git checkout -q docs/site.yaml
evil='releases:
  - name: es2
    chart: ibm-eventstreams-prod-1.4.0.tgz
    values: [deploy/es2/values.yaml]
policy:
  rules: {CG101: off}
'
printf '%s' "$evil" > evil.yaml
printf '%s' "$evil" > ./--config=evil.yaml
printf 'global:\n  security:\n    externalCertificateLabel: my label\n' > deploy/es2/values.yaml
git add -- ./--config=evil.yaml evil.yaml deploy/es2/values.yaml
# As in a real commit, the hook gets the staged files' names (`--files` would read the name as
# one of pre-commit's own options).
if out=$(pre-commit run certgate --verbose 2>&1); then fail "a file named --config=evil.yaml was read as an option"; fi
grep -q 'deploy/es2/values.yaml:3:31' <<<"$out" || fail "CG101 not located at deploy/es2/values.yaml:3:31"
grep -q -- '--config=evil.yaml is not read by any release unit' <<<"$out" || fail "--config=evil.yaml was not taken as a file"

echo "pre-commit hook test passed: 4 cases"
