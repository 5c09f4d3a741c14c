#!/usr/bin/env python3
"""Generate a benchmark corpus: N release units named by one certgate.yaml.

    bench/gen.py OUT_DIR N [--ec-every K] [--pool POOL_DIR]

Every unit is a `tls.type=provided` rotation: a proposed values file, the running release's values
(`previous:`), and three PEM files named under `certificates:` (key, cert, CA). Units are clean or
broken by a fixed pattern (unit i has kind KINDS[i % 20]): 70% clean, and 5% each of

    label-invalid    externalCertificateLabel is not a Kubernetes label value  (CG101)
    wrong-ca         tls.cacert is another CA than the one that signed the cert (CG304)
    expired          the certificate expired before --now 2026-11-27            (CG306)
    key-mismatch     tls.key is not the certificate's key                       (CG303)
    type-typo        tls.type: Provided                                         (CG201)
    label-unchanged  the label equals the running one while tls changes         (CG104)

Certificates come from a pool made once with tests/certs/mkcert.sh (the repository's fixed keys and
dates, so the pool is the same bytes on every machine): 50 root CAs, each with a valid and an expired
leaf. All are RSA-2048 (SHA-256 signatures), the common case; with --ec-every K every K-th CA is
ECDSA P-384 with ECDSA P-256 leaves (ring's P-384 verification costs ~1-2 ms, 20x an RSA one, so an
EC share moves both certgate and the floor). Unit i uses CA i % 50. The pool's bytes are written into each unit as separate files (no links), so
certgate opens and reads 3 PEM files per unit as it would in a real repository.

OUT_DIR/manifest.json lists each unit's kind and the rule that must fire, for run.sh to check that
the measured runs found exactly the broken units.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CERTS_HOME = REPO / "tests" / "certs"
CHART = REPO / "examples" / "rotation" / "ibm-eventstreams-prod-1.4.0.tgz"

POOL_CAS = 50

# 20 slots: 14 clean (70%), 6 broken kinds (5% each).
KINDS = ["clean"] * 14 + [
    "label-invalid",
    "wrong-ca",
    "expired",
    "key-mismatch",
    "type-typo",
    "label-unchanged",
]
EXPECTED_RULE = {
    "clean": None,
    "label-invalid": "CG101",
    "wrong-ca": "CG304",
    "expired": "CG306",
    "key-mismatch": "CG303",
    "type-typo": "CG201",
    "label-unchanged": "CG104",
}
POOL_VERSION = "1"


EC_EVERY = 0  # --ec-every: 0 for none


def is_ec(ca: int) -> bool:
    return EC_EVERY > 0 and ca % EC_EVERY == EC_EVERY - 1


def make_pool(pool: Path) -> None:
    """The certificate pool, made once with mkcert.sh (about 150 openssl certificates)."""
    stamp = pool / "POOL_VERSION"
    # The pool is remade when mkcert.sh changes, not only when this file's POOL_VERSION does.
    mkcert_digest = hashlib.sha256((CERTS_HOME / "mkcert.sh").read_bytes()).hexdigest()[:16]
    version = f"{POOL_VERSION} ec-every={EC_EVERY} mkcert={mkcert_digest}"
    if stamp.is_file() and stamp.read_text().strip() == version:
        return
    if pool.exists():
        shutil.rmtree(pool)
    pool.mkdir(parents=True)
    lines = ["set -euo pipefail", f'source "{CERTS_HOME}/mkcert.sh"']
    for ca in range(POOL_CAS):
        ca_key, leaf_key = ("ec384", "ec256") if is_ec(ca) else (["ca-a", "ca-b", "inter"][ca % 3], "leaf")
        lines += [
            f'mkcert ca{ca:02} "Bench Root CA {ca:02}" {ca_key} self 20250101000000Z 20350101000000Z ca',
            f'SAN=DNS:kafka-{ca:02}.example.com mkcert leaf{ca:02} "kafka-{ca:02}.example.com" {leaf_key} ca{ca:02} 20260601000000Z 20270601000000Z leaf',
            f'SAN=DNS:kafka-{ca:02}.example.com mkcert expired{ca:02} "kafka-{ca:02}.example.com" {leaf_key} ca{ca:02} 20250101000000Z 20260101000000Z leaf',
            f'cp "$KEYS/{leaf_key}.key" leaf{ca:02}.key',
        ]
    # The key of another certificate, for key-mismatch units (same algorithm as the leaf).
    lines += ['cp "$KEYS/other.key" other-rsa.key', 'cp "$KEYS/ec384.key" other-ec.key']
    env = dict(os.environ, CERTS_HOME=str(CERTS_HOME))
    subprocess.run(["bash", "-c", "\n".join(lines)], cwd=pool, env=env, check=True)
    stamp.write_text(version + "\n")


def unit_files(i: int, kind: str, pool: dict) -> dict:
    ca = i % POOL_CAS
    name = f"es-{i:05d}"
    label = f"ext-20261127-{i}"
    previous_label = f"ext-20260301-{i}"
    tls_type = "provided"
    if kind == "label-invalid":
        label = f"ext_2026/11/27-{i}"
    if kind == "label-unchanged":
        label = previous_label
    if kind == "type-typo":
        tls_type = "Provided"
    cert = pool[f"expired{ca:02}.pem"] if kind == "expired" else pool[f"leaf{ca:02}.pem"]
    cacert = pool[f"ca{(ca + 1) % POOL_CAS:02}.pem"] if kind == "wrong-ca" else pool[f"ca{ca:02}.pem"]
    key = pool[f"leaf{ca:02}.key"]
    if kind == "key-mismatch":
        key = pool["other-ec.key"] if is_ec(ca) else pool["other-rsa.key"]
    values = (
        f"# Event Streams {name}: certificate settings.\n"
        "global:\n"
        "  security:\n"
        "    # Change this label to regenerate the external certificates (a new, unique string).\n"
        f"    externalCertificateLabel: {label}\n"
        "tls:\n"
        f"  type: {tls_type}\n"
        "  secretName: null\n"
    ).encode()
    previous = (
        f"# helm get values {name} -o yaml --tls\n"
        "global:\n"
        "  security:\n"
        f"    externalCertificateLabel: {previous_label}\n"
        "license: accept\n"
        "tls:\n"
        "  type: secret\n"
        "  secretName: es-tls\n"
    ).encode()
    return {
        "values.yaml": values,
        "release-values.yaml": previous,
        "tls.key": key,
        "tls.pem": cert,
        "ca.pem": cacert,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("n", type=int)
    ap.add_argument("--ec-every", type=int, default=0, help="every K-th CA is ECDSA P-384 (default: none)")
    ap.add_argument("--pool", type=Path, help="where the certificate pool is kept (default bench/.corpus/pool[-ecK])")
    args = ap.parse_args()
    global EC_EVERY
    EC_EVERY = args.ec_every
    if args.pool is None:
        suffix = f"-ec{EC_EVERY}" if EC_EVERY else ""
        args.pool = REPO / "bench" / ".corpus" / f"pool{suffix}"

    make_pool(args.pool)
    pool = {p.name: p.read_bytes() for p in args.pool.iterdir() if p.suffix in (".pem", ".key")}

    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    (out / "units").mkdir(parents=True)
    shutil.copyfile(CHART, out / CHART.name)

    config = [
        f"# certgate benchmark corpus: {args.n} release units (bench/gen.py).",
        "releases:",
    ]
    manifest = []
    for i in range(args.n):
        kind = KINDS[i % len(KINDS)]
        d = out / "units" / f"u{i:05d}"
        d.mkdir()
        for fname, data in unit_files(i, kind, pool).items():
            (d / fname).write_bytes(data)
        rel = f"units/u{i:05d}"
        config += [
            f"  - name: es-{i:05d}",
            f"    chart: {CHART.name}",
            "    helm: 2",
            f"    values: [{rel}/values.yaml]",
            f"    previous: {rel}/release-values.yaml",
            f"    certificates: {{key: {rel}/tls.key, cert: {rel}/tls.pem, cacert: {rel}/ca.pem}}",
        ]
        manifest.append({"release": f"es-{i:05d}", "dir": rel, "kind": kind, "rule": EXPECTED_RULE[kind]})
    config += [
        "policy:",
        "  fail_on: error",
        "  expiry_warning_days: 30",
        "  clients: may-change",
        "",
    ]
    (out / "certgate.yaml").write_text("\n".join(config))
    (out / "manifest.json").write_text(json.dumps(manifest, indent=0) + "\n")
    broken = sum(1 for m in manifest if m["kind"] != "clean")
    print(f"gen.py: {out}: {args.n} units ({args.n - broken} clean, {broken} broken)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
