#!/usr/bin/env python3
"""Regenerate fuzz/seeds/<target>/ from the repository's fixtures (deterministic: same files every run).

    python3 fuzz/make_seeds.py

Sources: tests/cases/*/ (after running each setup.sh with tests/certs/mkcert.sh, as tests/common does,
so the certificate cases contribute their PEM files and base64 values), tests/certs/keys/, the
reference chart's values.yaml, rules/*.yaml, examples/, the --set inputs of
fixtures/reference/vectors/helm_strvals.json and the documentation's commands. Each target keeps a
few dozen small files (the whole seed corpus stays well under 1 MB); the working corpus that
libFuzzer grows from them is fuzz/corpus/ (git-ignored).
"""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"
MAX_FILE = 24 * 1024  # bytes: a seed larger than this is skipped
PER_TARGET = 64


def prepared_cases(tmp: Path) -> list[Path]:
    """Copy every case and run its setup.sh (certificates from tests/certs/mkcert.sh)."""
    out = []
    certs = ROOT / "tests" / "certs"
    for case in sorted((ROOT / "tests" / "cases").iterdir()):
        if not case.is_dir():
            continue
        dest = tmp / case.name
        shutil.copytree(case, dest)
        if (dest / "setup.sh").is_file() and case.name != "bad-material-10mb-bundle":
            r = subprocess.run(
                ["bash", "-c", f"set -euo pipefail; source {certs}/mkcert.sh; source ./setup.sh"],
                cwd=dest,
                env={**os.environ, "CERTS_HOME": str(certs)},
                capture_output=True,
            )
            if r.returncode != 0:
                sys.exit(f"{case.name}/setup.sh failed: {r.stderr.decode()}")
        out.append(dest)
    return out


class Target:
    def __init__(self, name: str):
        self.name = name
        self.files: dict[str, bytes] = {}
        self.seen: set[str] = set()

    def add(self, name: str, data: bytes) -> None:
        digest = hashlib.sha1(data).hexdigest()
        if digest in self.seen or len(data) > MAX_FILE or len(self.files) >= PER_TARGET:
            return
        self.seen.add(digest)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:80]
        self.files[safe] = data

    def write(self) -> None:
        d = SEEDS / self.name
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        for name, data in sorted(self.files.items()):
            (d / name).write_bytes(data)
        print(f"{self.name}: {len(self.files)} seeds, {sum(map(len, self.files.values()))} bytes")


# Hand-written inputs for corners the fixtures do not reach.
YAML_EXTRA = {
    "alias-bomb.yaml": b"a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c, *c]\n",
    "merge-keys.yaml": b"base: &base {a: 1, b: 2}\nderived:\n  <<: [*base, {c: 3}]\n  b: 20\n",
    "yaml11-scalars.yaml": b"a: yes\nb: off\nc: 017\nd: 08\ne: 0x1F\nf: 1_000\ng: .inf\nh: 2001-12-14\ni: ~\nj: 0b101\nk: 1.5e+3\nl: -.5\n20191101: n\n",
    "tags.yaml": b"a: !!binary aGVsbG8=\nb: !!str 12\nc: !!int '7'\nd: !!float 3\ne: !custom x\nf: !!null ''\n",
    "deep.yaml": b"a:\n" + b"".join(b"  " * i + b"- \n" for i in range(1, 40)),
    "flow-and-block.yaml": b"? [complex, key]\n: v\n'quoted': \"esc\\u00e9\\n\"\nfolded: >-\n  one\n  two\nlit: |+\n  kept\n\n",
    "duplicate-keys.yaml": b"tls:\n  type: provided\n  type: secret\ntls: {}\n",
    "multi-doc.yaml": b"a: 1\n---\nb: 2\n...\n",
    "bom-crlf.yaml": b"\xef\xbb\xbfglobal:\r\n  security:\r\n    externalCertificateLabel: x\r\n",
    "suppress.yaml": b"tls:\n  # certgate: ignore CG209 -- reason\n  type: provided  # certgate: ignore CG201 until 2020-01-01 -- old\n",
}

HELM_EXTRA = {
    "list-index.txt": b"a[0]=1,a[65536]=2,b[1].c=x",
    "braces.txt": b"name={a,b,c},n2={}",
    "escapes.txt": b"a\\.b=c\\,d,e=\\{x",
    "set-file-ref.txt": b"helm upgrade --reuse-values --set tls.cert=\"$(base64 -w0 < tls.pem)\" r c --tls",
    "namespace.txt": b"helm upgrade -n es --namespace=es2 --set-string a=b --set-file c=d --values v.yaml r c",
}


def main() -> None:
    targets = {n: Target(n) for n in ["yaml_loader", "pem_and_certificate", "helm_set", "rule_and_config", "check_values"]}
    yaml_t, pem_t, helm_t, rule_t, values_t = targets.values()

    with tempfile.TemporaryDirectory() as t:
        cases = prepared_cases(Path(t))

        # Values files: the proposed values of each case first (the most varied), then the previous ones.
        for kind in ["new.yaml", "*.yaml"]:
            for case in cases:
                for f in sorted(case.glob(kind)):
                    if f.name in ("certgate.yaml", "secret.yaml", "configmap.yaml"):
                        continue
                    values_t.add(f"{case.name}-{f.name}", f.read_bytes())
        values_t.add("reference-chart-values.yaml", (ROOT / "fixtures/reference/eventstreams-chart-1.4.0/values.yaml").read_bytes())
        values_t.add("example-values.yaml", (ROOT / "examples/rotation/deploy/values.yaml").read_bytes())

        # The YAML loader: every kind of YAML file certgate reads, and the hostile corners.
        for name, data in YAML_EXTRA.items():
            yaml_t.add(name, data)
        yaml_t.add("reference-chart-values.yaml", (ROOT / "fixtures/reference/eventstreams-chart-1.4.0/values.yaml").read_bytes())
        yaml_t.add("reference-Chart.yaml", (ROOT / "fixtures/reference/eventstreams-chart-1.4.0/Chart.yaml").read_bytes())
        for case in cases:
            for f in sorted(case.glob("*.yaml")):
                if f.name != "prev.yaml":
                    yaml_t.add(f"{case.name}-{f.name}", f.read_bytes())
        for f in sorted((ROOT / "rules").glob("*.yaml"))[::6]:
            yaml_t.add(f.name, f.read_bytes())

        # PEM and DER: the generated bundles and keys, the fixture keys, DER and base64 forms.
        pems = []
        for case in cases:
            for f in sorted(list(case.glob("*.pem")) + list(case.glob("*.key"))):
                pems.append((f"{case.name}-{f.name}", f.read_bytes()))
        for f in sorted((ROOT / "tests/certs/keys").glob("*.key")):
            pems.insert(0, (f"key-{f.name}", f.read_bytes()))
        for name, data in pems[:36]:
            pem_t.add(name, data)
        der_done = 0
        for name, data in pems:
            if b"BEGIN CERTIFICATE" in data and der_done < 6:
                r = subprocess.run(["openssl", "x509", "-outform", "DER"], input=data, capture_output=True)
                if r.returncode == 0:
                    pem_t.add(name + ".der", r.stdout)
                    der_done += 1
        for name, data in pems[:40:4]:
            pem_t.add(name + ".b64", base64.b64encode(data))
        for name, data in pems:
            pem_t.add(name, data)

        # Command lines of the cases that propose one.
        for case in cases:
            args = (case / "args").read_text().splitlines() if (case / "args").is_file() else []
            if "--command" in args:
                helm_t.add(f"{case.name}-command.txt", args[args.index("--command") + 1].encode())

        # Config files of the cases and the example.
        rule_t.add("example-certgate.yaml", (ROOT / "examples/rotation/certgate.yaml").read_bytes())
        for case in cases:
            if (case / "certgate.yaml").is_file():
                rule_t.add(f"{case.name}-certgate.yaml", (case / "certgate.yaml").read_bytes())

    for name, data in HELM_EXTRA.items():
        helm_t.add(name, data)
    docs = json.loads((ROOT / "fixtures/reference/vectors/eventstreams_doc_commands.json").read_text())
    for i, d in enumerate(docs[:: max(1, len(docs) // 10)]):
        helm_t.add(f"doc-command-{i:02}.txt", d["command"].encode())
    vectors = json.loads((ROOT / "fixtures/reference/vectors/helm_strvals.json").read_text())
    for i, v in enumerate(vectors):
        helm_t.add(f"strvals-{i:03}-{v.get('mode', 'set')}.txt", v["input"].encode())

    for f in sorted((ROOT / "rules").glob("*.yaml")):
        rule_t.add(f.name, f.read_bytes())

    for t in targets.values():
        t.write()


if __name__ == "__main__":
    main()
