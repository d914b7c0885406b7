#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a file in the Prometheus text exposition format (0.0.4), as the
Prometheus server's parser reads it, with the rules of its data model:

  - "# HELP name text" and "# TYPE name counter|gauge|histogram|summary|
    untyped" at most once per metric family, TYPE before the family's
    samples, the samples of a family together;
  - names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*,
    label values quoted with \\, \\" and \\n the only escapes, no label
    twice, no sample (name and labels) twice;
  - values are floats (or NaN, +Inf, -Inf), counters and buckets are not
    negative, counter families end in _total;
  - a histogram has, per label set, _bucket samples with le ascending and
    cumulative, the last le="+Inf", its count equal to _count, and a _sum.

Usage: check-prom.py FILE [METRIC=VALUE ...]
Each METRIC=VALUE (a sample written as in the file, labels in order) must
be in the file with that value. Prints what is wrong; exit 1 if anything is.
"""
import math
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def parse_value(s):
    if s in ("+Inf", "Inf"):
        return math.inf
    if s == "-Inf":
        return -math.inf
    if s == "NaN":
        return math.nan
    if not re.fullmatch(r"[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)", s):
        raise ValueError(s)
    return float(s)


def parse_labels(s, errors, where):
    labels, pos = [], 0
    while pos < len(s):
        m = LABEL.match(s, pos)
        if not m:
            errors.append(f"{where}: bad labels at '{s[pos:]}'")
            return None
        labels.append((m.group(1), m.group(2)))
        pos = m.end()
        if pos < len(s):
            if s[pos] != ",":
                errors.append(f"{where}: bad labels at '{s[pos:]}'")
                return None
            pos += 1
    names = [n for n, _ in labels]
    if len(set(names)) != len(names):
        errors.append(f"{where}: a label given twice")
    return labels


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) == "histogram":
            return base
    return name


def check(text):
    errors, types, helps, samples, seen = [], {}, {}, {}, set()
    done, current = set(), None
    for n, line in enumerate(text.split("\n"), 1):
        where = f"line {n}"
        if not line:
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME.fullmatch(name):
                    errors.append(f"{where}: bad metric name '{name}'")
                table = helps if parts[1] == "HELP" else types
                if name in table:
                    errors.append(f"{where}: second {parts[1]} for {name}")
                if parts[1] == "TYPE":
                    kind = parts[3] if len(parts) > 3 else ""
                    if kind not in TYPES:
                        errors.append(f"{where}: bad type '{kind}'")
                    if name in samples:
                        errors.append(f"{where}: TYPE of {name} after its samples")
                    if kind == "counter" and not name.endswith("_total"):
                        errors.append(f"{where}: counter {name} does not end in _total")
                    types[name] = kind
                else:
                    helps[name] = parts[3] if len(parts) > 3 else ""
            continue
        m = re.fullmatch(r"([^{\s]+)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?", line)
        if not m:
            errors.append(f"{where}: not a sample: '{line}'")
            continue
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        if not NAME.fullmatch(name):
            errors.append(f"{where}: bad metric name '{name}'")
            continue
        labels = parse_labels(labels, errors, where)
        if labels is None:
            continue
        try:
            v = parse_value(value)
        except ValueError:
            errors.append(f"{where}: bad value '{value}'")
            continue
        fam = family_of(name, types)
        if fam != current:
            if fam in done:
                errors.append(f"{where}: samples of {fam} are not together")
            if current:
                done.add(current)
            current = fam
        key = (name, tuple(labels))
        if key in seen:
            errors.append(f"{where}: {line.split()[0]} given twice")
        seen.add(key)
        kind = types.get(fam, "untyped")
        if kind == "counter" and (v < 0 or math.isnan(v)):
            errors.append(f"{where}: counter {name} is {value}")
        samples.setdefault(fam, []).append((name, labels, v, where))

    for fam, kind in types.items():
        if kind != "histogram":
            continue
        series = {}
        for name, labels, v, where in samples.get(fam, []):
            rest = tuple((k, x) for k, x in labels if k != "le")
            s = series.setdefault(rest, {"buckets": [], "sum": None, "count": None})
            if name == fam + "_bucket":
                le = dict(labels).get("le")
                if le is None:
                    errors.append(f"{where}: bucket without le")
                    continue
                s["buckets"].append((parse_value(le), v, where))
            elif name == fam + "_sum":
                s["sum"] = v
            elif name == fam + "_count":
                s["count"] = v
            else:
                errors.append(f"{where}: {name} in histogram {fam}")
        for rest, s in series.items():
            what = f"histogram {fam}{dict(rest)}"
            b = s["buckets"]
            if not b or b[-1][0] != math.inf:
                errors.append(f"{what}: no le=\"+Inf\" bucket last")
            for (le0, c0, _), (le1, c1, where) in zip(b, b[1:]):
                if le1 <= le0:
                    errors.append(f"{where}: {what}: le not ascending")
                if c1 < c0:
                    errors.append(f"{where}: {what}: buckets not cumulative")
            if s["count"] is None or s["sum"] is None:
                errors.append(f"{what}: no _count or no _sum")
            elif b and b[-1][1] != s["count"]:
                errors.append(f"{what}: +Inf bucket {b[-1][1]} but _count {s['count']}")
    return errors, samples


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        text = f.read()
    errors, _ = check(text)
    lines = {}
    for line in text.split("\n"):
        if line and not line.startswith("#"):
            k, _, v = line.rpartition(" ")
            lines[k] = v
    for want in argv[2:]:
        k, _, v = want.rpartition("=")
        if k not in lines:
            errors.append(f"no sample {k}")
        elif parse_value(lines[k]) != parse_value(v):
            errors.append(f"{k} is {lines[k]}, want {v}")
    for e in errors:
        print(f"check-prom: {argv[1]}: {e}")
    if not errors:
        print(f"check-prom: {argv[1]}: valid, {len(lines)} samples")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
