#!/usr/bin/env python3
"""What Helm does with an approved `helm upgrade --reuse-values` command, by Helm's own code.

Used by tests/helm_command_oracle.rs. Reads one JSON request per line on stdin and answers one JSON
line on stdout:

  {"dir": DIR, "args": [certgate check arguments], "command": "helm upgrade ...", "helm": 2|3|4}
  -> {"checked": {...}, "helm": {...}, "extra": [...]}

- `checked`: the certificate settings of the change the user asked certgate to check (its -f, --set,
  --set-string, --set-file, --key/--cert/--cacert, or --command), coalesced over the installed
  chart's defaults and the previous values with Helm's coalescing, as the chart's templates read
  them (rendered by Helm's template engine).
- `helm`: the same settings after the approved command, run by a real shell (so "$(base64 -w0 <
  FILE)" is evaluated as it will be) into a stand-in `helm` that records its arguments, parsed as
  Helm parses them (`helm_python.parse_set_string`, ...), and applied as `helm upgrade
  --reuse-values` applies them in the Helm version given (see `upgrade` below).
- `extra`: keys outside the certificate settings whose value the command changes.

Helm's code is helm-python-sdk (Helm v4's Go SDK behind a C ABI). It has no `upgrade` entry point
without a cluster, so the few lines of `reuseValues` that order the coalescing are written here, each
citing the Helm source; every coalesce, parse and render is Helm's own.
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

import helm_python as h

# The chart's reading of the certificate settings (eventstreams_chart_facts.json): the labels are
# rendered with `| quote` into metadata labels; tls.type is compared with `eq`; the Secret key names
# are read with `default "key"` and each tls field is tested with `if`. Printed as JSON: the %v
# rendering of each value (null when nil) and its truth in a template `if`.
FACTS = r"""
{{- $sec := dict -}}
{{- if kindIs "map" .Values.global -}}{{- if kindIs "map" .Values.global.security -}}{{- $sec = .Values.global.security -}}{{- end -}}{{- end -}}
{{- $tls := dict -}}
{{- if kindIs "map" .Values.tls -}}{{- $tls = .Values.tls -}}{{- end -}}
{{- $out := dict -}}
{{- range $k := list "externalCertificateLabel" "internalCertificateLabel" -}}
{{- $v := index $sec $k -}}
{{- $_ := set $out (printf "global.security.%s" $k) (dict "v" (ternary nil (printf "%v" $v) (kindIs "invalid" $v)) "truthy" (not (empty $v))) -}}
{{- end -}}
{{- range $k := list "type" "secretName" "key" "cert" "cacert" -}}
{{- $v := index $tls $k -}}
{{- $_ := set $out (printf "tls.%s" $k) (dict "v" (ternary nil (printf "%v" $v) (kindIs "invalid" $v)) "truthy" (not (empty $v))) -}}
{{- end -}}
{{ toJson $out }}
"""

# The settings the chart reads as unset when empty (`default`, `if`): certgate's EMPTY_IS_UNSET.
EMPTY_IS_UNSET = {"tls.secretName", "tls.key", "tls.cert", "tls.cacert"}

WORK = tempfile.mkdtemp(prefix="certgate-helm-oracle-")


def chart_with(values):
    """A chart whose default values are `values`, with the facts template, loaded by Helm."""
    d = tempfile.mkdtemp(dir=WORK)
    os.makedirs(os.path.join(d, "templates"))
    with open(os.path.join(d, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: facts\nversion: 1.4.0\n")
    with open(os.path.join(d, "values.yaml"), "w") as f:
        json.dump(values, f)  # JSON is YAML
    with open(os.path.join(d, "templates", "facts.yaml"), "w") as f:
        f.write(FACTS)
    return h.Chart.load(d)


def render(chart, values):
    """The certificate settings as the chart's templates read them (the FACTS template)."""
    out = chart.render(values, name="es", namespace="es")
    return json.loads(next(v for k, v in out.items() if k.endswith("facts.yaml")).strip())


def merge_maps(a, b):
    """Helm's `mergeMaps` (pkg/cli/values/options.go): b over a, maps merged deeply. Helm 2's
    `Values.MergeInto` (pkg/chartutil/values.go, v2.16) has the same rules, nulls kept as values."""
    out = dict(a)
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge_maps(out[k], v)
        else:
            out[k] = v
    return out


def read_values_file(path, helm):
    """A -f file: Helm 2 and 3 read its first YAML document; Helm 4 merges them all
    (loader.LoadValues), which is what Helm's chart loader does with a values.yaml."""
    with open(path) as f:
        text = f.read()
    if helm == 4:
        d = tempfile.mkdtemp(dir=WORK)
        with open(os.path.join(d, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: v\nversion: 0.1.0\n")
        with open(os.path.join(d, "values.yaml"), "w") as f:
            f.write(text)
        return h.Chart.load(d).values or {}
    return h.values_from_yaml(text) or {}


def overrides(files, sets, cwd, helm):
    """Helm's `values.Options.MergeValues`: -f files merged in order, then every --set, then every
    --set-string, then every --set-file. Helm parses --set into the merged map (strvals.ParseInto);
    parsing each on its own and merging is the same for maps and scalars, which is all a certificate
    rotation sets (list indexes would differ)."""
    base = {}
    for f in files:
        base = merge_maps(base, read_values_file(os.path.join(cwd, f), helm))
    for flag, parse in (("--set", h.parse_set_string), ("--set-string", h.parse_set_string_values)):
        for v in (v for fl, v in sets if fl == flag):
            parsed = parse(v)
            if helm != 2:
                parsed = decimal_ints(parsed)
            base = merge_maps(base, parsed)
    here = os.getcwd()
    os.chdir(cwd)
    try:
        for v in (v for fl, v in sets if fl == "--set-file"):
            base = merge_maps(base, h.parse_set_file(v))
    finally:
        os.chdir(here)
    return base


def decimal_ints(v):
    """Helm 3 and 4 keep a --set integer an int64, which a template prints in decimal; the SDK hands
    values to Go as JSON, where every number becomes a float64 and prints as `2.0191101e+07`. The
    decimal string is what the template prints, so it stands in for the integer. (Helm 2 sends --set
    values to Tiller as YAML, which reads integers back as float64: there the float is right.)"""
    if isinstance(v, dict):
        return {k: decimal_ints(x) for k, x in v.items()}
    if isinstance(v, list):
        return [decimal_ints(x) for x in v]
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return v


def upgrade(helm, installed, stored, over):
    """The values a release holds after `helm upgrade --reuse-values` with `over`.

    Helm 3/4 (pkg/action/upgrade.go, Upgrade.reuseValues): the chart's values become
    CoalesceValues(current chart, current config); the overrides are CoalesceTables(newVals,
    current.Config). Helm 2 (pkg/tiller/release_update.go, reuseValues): the chart's values likewise;
    the overrides are current.Config.MergeInto(overrides). Rendering then coalesces the overrides
    over the chart's values (chartutil.ToRenderValues)."""
    old_vals = installed.merge_values(stored)
    if helm == 2:
        user = merge_maps(stored, over)
    else:
        # CoalesceTables(over, stored) is CoalesceValues of a chart whose values are `stored`.
        user = chart_with(stored).merge_values(over)
    return chart_with(old_vals), user


def shell_argv(command, cwd):
    """The arguments a real shell passes to `helm` for `command`."""
    fake = tempfile.mkdtemp(dir=WORK)
    out = os.path.join(fake, "argv.json")
    with open(os.path.join(fake, "helm"), "w") as f:
        f.write("#!/usr/bin/env python3\nimport json, sys\njson.dump(sys.argv[1:], open(%r, 'w'))\n" % out)
    os.chmod(os.path.join(fake, "helm"), 0o755)
    env = dict(os.environ, PATH=fake + os.pathsep + os.environ.get("PATH", ""))
    subprocess.run(["bash", "-c", command], cwd=cwd, env=env, check=True)
    with open(out) as f:
        return json.load(f)


VALUE_FLAGS = {"-f", "--values", "--set", "--set-string", "--set-file", "--namespace", "-n", "--version"}


def parse_helm_args(argv):
    """The flags of `helm upgrade` that carry values, read as pflag reads them."""
    files, sets, positionals, flags = [], [], [], {}
    i = 0
    while i < len(argv):
        a = argv[i]
        name, value = a, None
        if a.startswith("--") and "=" in a:
            name, value = a.split("=", 1)
        elif a.startswith("-f") and a != "-f" and not a.startswith("--"):
            name, value = "-f", a[2:]
        if name in VALUE_FLAGS:
            if value is None:
                i += 1
                value = argv[i]
            if name in ("-f", "--values"):
                files.append(value)
            elif name in ("--set", "--set-string", "--set-file"):
                sets.append((name, value))
            else:
                flags[name] = value
        elif a.startswith("-"):
            flags[a] = True
        else:
            positionals.append(a)
        i += 1
    return files, sets, positionals, flags


def certgate_inputs(args, cwd):
    """What certgate was asked to check: the files, flags and PEM files of its arguments (or of the
    config's first release unit)."""
    files, sets, pems = [], [], []
    previous, chart, helm, command = None, None, 2, None
    i = 0
    while i < len(args):
        a = args[i]
        nxt = args[i + 1] if i + 1 < len(args) else None
        if a in ("-f", "--values"):
            files.append(nxt)
        elif a in ("--set", "--set-string", "--set-file"):
            sets.append((a, nxt))
        elif a in ("--key", "--cert", "--cacert"):
            pems.append(("tls." + a[2:], nxt))
        elif a == "--previous":
            previous = nxt
        elif a == "--chart":
            chart = nxt
        elif a == "--helm":
            helm = int(nxt)
        elif a == "--command":
            command = nxt
        else:
            i += 1
            continue
        i += 2
    if os.path.exists(os.path.join(cwd, "certgate.yaml")) and not files and not sets and command is None:
        with open(os.path.join(cwd, "certgate.yaml")) as f:
            unit = h.values_from_yaml(f.read())["releases"][0]
        files = unit.get("values", [])
        previous = unit.get("previous")
        chart = unit.get("chart")
        helm = unit.get("helm", 2)
        for k, v in (unit.get("certificates") or {}).items():
            pems.append(("tls." + k, v))
    if command is not None:
        cfiles, csets, positionals, _ = parse_helm_args(shell_argv(command, cwd)[1:])
        files, sets = cfiles, csets
        if chart is None and len(positionals) > 1:
            chart = positionals[1]
    return files, sets, pems, previous, chart, helm


def leaves(v, prefix=()):
    if isinstance(v, dict) and v:
        for k, x in v.items():
            yield from leaves(x, prefix + (k,))
    else:
        yield prefix, v


def is_certificate(path):
    return (path[:1] == ("tls",)) or (
        len(path) == 3 and path[:2] == ("global", "security") and "cert" in path[2].lower()
    )


def judge(req):
    cwd = req["dir"]
    files, sets, pems, previous, chart, helm = certgate_inputs(req["args"], cwd)
    installed = h.Chart.load(os.path.join(cwd, chart))
    stored = {}
    if previous:
        with open(os.path.join(cwd, previous)) as f:
            stored = h.values_from_yaml(f.read()) or {}
    # The change as asked: the overrides over the installed defaults and the previous values, a
    # PEM file standing for its tls value (certgate reads it as the command's "$(base64 -w0 <
    # FILE)" will), with Helm's coalescing (a null removes the key).
    asked = overrides(files, sets, cwd, helm)
    for path, pem in pems:
        with open(os.path.join(cwd, pem), "rb") as f:
            asked = merge_maps(asked, {"tls": {path[4:]: base64.b64encode(f.read()).decode()}})
    running = installed.merge_values(stored)
    checked = render(chart_with(running), asked)

    argv = shell_argv(req["command"], cwd)
    assert argv[:2] == ["upgrade", "--reuse-values"], argv
    cfiles, csets, positionals, flags = parse_helm_args(argv[1:])
    over = overrides(cfiles, csets, cwd, helm)
    chart_values, user = upgrade(helm, installed, stored, over)
    after = render(chart_values, user)

    # Everything else the command changes: the whole values Helm holds after it, against an
    # upgrade that changes nothing.
    base_chart, base_user = upgrade(helm, installed, stored, {})
    now = dict(leaves(base_chart.merge_values(base_user)))
    then = dict(leaves(chart_values.merge_values(user)))
    extra = sorted(
        ".".join(p)
        for p in set(now) | set(then)
        if not is_certificate(p) and now.get(p) != then.get(p)
    )
    return {
        "checked": as_read(checked),
        "helm": as_read(after),
        "extra": extra,
        "positionals": positionals,
        "tls_flag": "--tls" in flags,
        "namespace": flags.get("--namespace") or flags.get("-n"),
    }


def as_read(facts):
    """Each setting as the chart reads it: unset (None) when a field it reads with `default`/`if`
    is false, else its rendered string."""
    out = {}
    for k, fact in facts.items():
        if k in EMPTY_IS_UNSET and not fact["truthy"]:
            out[k] = None
        else:
            out[k] = fact["v"]
    return out


def main():
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                answer = judge(json.loads(line))
            except Exception as e:  # reported to the test, which fails with it
                answer = {"error": f"{type(e).__name__}: {e}"}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
