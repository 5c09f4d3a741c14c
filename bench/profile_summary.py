#!/usr/bin/env python3
"""Summarise the profiles bench/profile.sh makes: for callgrind, the instructions of certgate's main
steps and their biggest callees (inclusive, % of the whole run); for massif, the heap at its peak by
the certgate code that allocated it.

    bench/profile_summary.py callgrind OUT [UNITS]
    bench/profile_summary.py massif OUT
"""

import re
import subprocess
import sys

# The functions whose callees are listed, in this order.
FOCUS = [
    "certgate::main",
    "certgate::cli::check::evaluate::{{closure}}",
    "certgate::load::load_unit",
    "certgate::engine::check",
    "certgate::engine::findings",
    "<certgate::checks::values_schema::Params as certgate::checks::Check>::run",
    "certgate::model::material::analyse",
    "certgate::rules::parse_rule",
    "certgate::config::load",
    "certgate::schema::load_checked",
    "certgate::schema::validate",
]
# Functions whose whole (inclusive) cost is shown, wherever they are called from.
TOTALS = [
    "certgate::source::yaml::load",
    "jsonschema::validator_for",
    "certgate::model::json::to_json",
    "<certgate::model::value::Node as core::clone::Clone>::clone",
    "certgate::source::chart::read_chart",
    "certgate::crypto::verify::verify_signed_by",
    "<D as digest::digest::Digest>::digest",
    "malloc",
    "free",
]
LINE = re.compile(r"^\s*([\d,]+) \(\s*([\d.]+)%\)\s+([*>])\s+(.*)$")


def short(fn):
    fn = re.sub(r"^.*?:(?=[<A-Za-z_])", "", fn, count=1)  # drop the file
    fn = re.sub(r"\s*\[.*\]$", "", fn)  # drop the object
    fn = re.sub(r"\s*\(\d[\d,]*x\)$", "", fn)
    return fn


def callgrind(out, units):
    text = subprocess.run(
        ["callgrind_annotate", "--tree=calling", "--inclusive=yes", out], capture_output=True, text=True, check=True
    ).stdout
    total = int(re.search(r"^\s*([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", text, re.M).group(1).replace(",", ""))
    blocks = {}
    for block in text.split("\n\n"):
        head, callees = None, []
        for line in block.splitlines():
            m = LINE.match(line)
            if not m:
                continue
            ir, mark, fn = int(m.group(1).replace(",", "")), m.group(3), m.group(4)
            calls = re.search(r"\((\d[\d,]*)x\)", fn)
            if mark == "*":
                head = (short(fn), ir)
            elif head:
                callees.append((short(fn), ir, calls.group(1) if calls else ""))
        # A function can head several blocks (one per file its code was inlined from): keep the
        # costliest, and among equals the one listing its callees.
        if head and (head[0] not in blocks or (blocks[head[0]][0], len(blocks[head[0]][1])) < (head[1], len(callees))):
            blocks[head[0]] = (head[1], callees)
    per = f", {total / units / 1e6:.2f} M per unit" if units else ""
    print(f"{out}: {total / 1e6:,.1f} M instructions{per}")
    print("inclusive, wherever called from:")
    for name in TOTALS:
        if name in blocks:
            print(f"   {100 * blocks[name][0] / total:5.1f}%  {name}")
    for name in FOCUS:
        if name not in blocks:
            continue
        ir, callees = blocks[name]
        print(f"\n{100 * ir / total:5.1f}%  {name}")
        for fn, cir, calls in sorted(callees, key=lambda c: -c[1])[:8]:
            if cir / total < 0.005:
                break
            times = f" ({calls}x)" if calls else ""
            print(f"   {100 * cir / total:5.1f}%  {fn[:110]}{times}")


def massif(out):
    text = subprocess.run(["ms_print", out], capture_output=True, text=True, check=True).stdout
    peak = re.search(r"(\d+) \(peak\)", text).group(1)
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if re.match(r"^\s+%s\s" % peak, l))
    entries = []
    for line in lines[start + 1 :]:
        m = re.match(r"^([| ]*)->\s*([\d.]+)% \(([\d,]+)B\) (?:0x[0-9A-Fa-f]+: )?(.*)$", line)
        if m:
            entries.append((len(m.group(1)) // 2, int(m.group(3).replace(",", "")), m.group(4)))
        elif re.match(r"^-{10}", line) and entries:
            break
    agg, stack = {}, []
    for i, (depth, size, frame) in enumerate(entries):
        stack = stack[:depth] + [frame]
        if i + 1 < len(entries) and entries[i + 1][0] > depth:
            continue  # not a leaf
        ours = [re.sub(r"\s*\((?:[^()]|\([^()]*\))*\)$", "", f) for f in stack]
        ours = [f for f in ours if re.match(r"<?certgate::", f) or re.match(r"(load_chart|render|read_pem)$", f)]
        key = " <- ".join(f[:55] for f in ours[:3]) or stack[-1][:80]
        agg[key] = agg.get(key, 0) + size
    total = sum(agg.values())
    print(f"{out}: heap at peak (snapshot {peak}) {total / 1e6:.1f} MB")
    for key, size in sorted(agg.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {size / 1e6:7.2f} MB {100 * size / total:5.1f}%  {key}")


if __name__ == "__main__":
    if sys.argv[1] == "callgrind":
        callgrind(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    else:
        massif(sys.argv[2])
