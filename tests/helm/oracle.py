#!/usr/bin/env python3
"""Helm itself, as a test oracle for certgate (tests/helm_oracle.rs).

Helm's Go code is reached through helm-python-sdk (PyPI `helm-python-sdk==0.2.2`, Helm SDK v4.2.3,
module `helm_python`), so no Go toolchain and no cluster are needed. The program speaks JSON lines:
one request `{"op": ..., ...}` per line on stdin, one response per line on stdout, either
`{"ok": RESULT}` or `{"error": "MESSAGE"}` (Helm rejected the input). Ops:

- `{"op": "parse", "flag": "set"|"set-string"|"set-file", "expr": E}`: Helm's `strvals` parser
  (`--set`, `--set-string`, `--set-file`; the last reads the files it names).
- `{"op": "values_from_yaml", "text": T}`: a `-f` values document as Helm reads it.
- `{"op": "render_yaml", "text": T}`: T is a values document whose keys are `v0000`... (at most
  SLOTS of them), given to Helm as a `-f` file; each key's value is rendered by Helm's template
  engine as `{{ .Values.vNNNN }}` (what the chart does with a certificate label). Result: the
  rendered string of each key.
- `{"op": "render_set", "values": [V, ...]}`: each V, a value as Helm's `--set` parser returned it,
  rendered the same way. Result: a list of strings.
- `{"op": "label_valid", "values": [S, ...]}`: the Kubernetes label-value verdict on each string.
- `{"op": "version"}`: the SDK's and Helm's versions, for the test's tally.
"""

import json
import os
import re
import sys
import tempfile

import helm_python

# One template per slot, so that each rendered string comes back whole, whatever it holds (no
# separator to choose); a batch of up to SLOTS values costs one render.
SLOTS = 256


def slot(i):
    return "v%04d" % i


def write_chart(root):
    """A throwaway chart: Chart.yaml, an empty values.yaml and one template per slot."""
    chart = os.path.join(root, "oracle")
    os.makedirs(os.path.join(chart, "templates"))
    with open(os.path.join(chart, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: oracle\nversion: 0.1.0\n")
    with open(os.path.join(chart, "values.yaml"), "w") as f:
        f.write("{}\n")
    for i in range(SLOTS):
        with open(os.path.join(chart, "templates", slot(i) + ".txt"), "w") as f:
            f.write("{{ .Values.%s }}" % slot(i))
    return chart


def rendered(manifests, keys):
    return [manifests["oracle/templates/%s.txt" % k] for k in keys]


def go_int(text):
    """Go's JSON writes the float64 -0 as `-0`, which Python would read as the integer 0."""
    return -0.0 if text == "-0" else int(text)


def values_from_yaml(text):
    """A values document as Helm reads it (`-f`), numbers kept as the float64s Helm holds.

    The SDK's public `values_from_yaml` decodes Helm's JSON with Python's defaults, which lose the
    sign of `-0`; the same native call is decoded here with that one number kept.
    """
    return json.loads(helm_python._native.call_string("helm_values_from_yaml", text), parse_int=go_int)


def render_yaml(chart, text):
    """Render each `vNNNN` key of a values document, given as `-f` values are given.

    Not as the chart's own values.yaml: Helm drops the nulls of a chart's defaults when it
    coalesces them, and keeps those of the values it is given.
    """
    values = values_from_yaml(text)
    keys = [k for k in values if re.fullmatch(r"v\d{4}", k)]
    if len(keys) > SLOTS:
        raise ValueError("at most %d values per render" % SLOTS)
    return dict(zip(keys, rendered(chart.render(values), keys)))


def for_set(value):
    """A `--set` result made ready for the SDK's JSON render.

    Helm's `--set` types integers as int64 (strvals makes no floats), but the SDK's render decodes
    JSON numbers as float64, which Go prints differently (`2.0191101e+07` for 20191101). Go's `%v`
    prints an int64 exactly as its decimal text, bare in lists and maps too, so each integer is
    handed over as that text. Everything else (strings, booleans, nulls) passes through JSON as is.
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return [for_set(v) for v in value]
    if isinstance(value, dict):
        return {k: for_set(v) for k, v in value.items()}
    raise ValueError("a --set result holds a %s" % type(value).__name__)


def render_set(chart, values):
    if len(values) > SLOTS:
        raise ValueError("at most %d values per render" % SLOTS)
    keys = [slot(i) for i in range(len(values))]
    return rendered(chart.render({k: for_set(v) for k, v in zip(keys, values)}), keys)


# Kubernetes' rule for a label value, apimachinery pkg/util/validation/validation.go
# (IsValidLabelValue: LabelValueMaxLength = 63, labelValueFmt): at most 63 bytes, and the whole
# string matches the regex. Go's `$` is the end of the text; Python's `$` would also match before
# a final newline, so fullmatch is used.
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")


def label_valid(s):
    return len(s.encode("utf-8")) <= 63 and LABEL_VALUE.fullmatch(s) is not None


PARSERS = {
    "set": helm_python.parse_set_string,
    "set-string": helm_python.parse_set_string_values,
    "set-file": helm_python.parse_set_file,
}


def answer(req, chart):
    op = req["op"]
    if op == "parse":
        return PARSERS[req["flag"]](req["expr"])
    if op == "values_from_yaml":
        return values_from_yaml(req["text"])
    if op == "render_yaml":
        return render_yaml(chart, req["text"])
    if op == "render_set":
        return render_set(chart, req["values"])
    if op == "version":
        return {"sdk": helm_python.__version__, "helm": helm_python.helm_sdk_version()}
    if op == "label_valid":
        return [label_valid(s) for s in req["values"]]
    raise ValueError("unknown op %r" % op)


def main():
    with tempfile.TemporaryDirectory(prefix="certgate-helm-oracle-") as root:
        with helm_python.Chart.load(write_chart(root)) as chart:
            for line in sys.stdin:
                req = json.loads(line)
                try:
                    resp = {"ok": answer(req, chart)}
                except helm_python.HelmError as e:
                    resp = {"error": str(e)}
                sys.stdout.write(json.dumps(resp) + "\n")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
