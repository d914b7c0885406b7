#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the netlink spec of tcphs matches its uapi header.

Usage: check-spec.py [SPEC [HEADER]]

SPEC defaults to Documentation/netlink/specs/tcphs.yaml and HEADER to
include/uapi/linux/tcphs.h, both under the top of the tree this script is in.

What must agree:
  - every enum of the header against the spec: the definitions (enum
    name, entries, values, the __..._MAX entry of render-max), the
    attribute set of the family (enum tcphs_attr) and the operations (enum
    tcphs_cmd), in order and value for value; no enum of the header is left
    out of the spec;
  - each attribute's type (u8, u16, u32, u64, binary, string, nest) and
    enum against the header's top comment, which documents every attribute
    as "TCPHS_A_X[, TCPHS_A_Y]  TYPE[, enum tcphs_z]";
  - each operation's kind (do, dump, event), its CAP_NET_ADMIN flag and its
    request and reply attributes against that comment's paragraph about it;
  - the nested "stats" and "port-counters" sets against enums tcphs_stat and
    tcphs_port_counter (counter x is type x + 1), "hist" against
    TCPHS_HIST_BUCKETS;
  - the family name and version, the multicast groups and the constants
    against their #defines.

The spec is read with a small parser of the YAML this spec uses (block
mappings and lists, "-" items, [a, b] lists, | blocks, plain and quoted
scalars), so that only Python's standard library is needed. When PyYAML is
installed, the file is also loaded with it and both results must be equal.

Exit status: 0 when everything matches, 1 with one line per mismatch.
"""

import os
import re
import sys

FAMILY_ENUM_KINDS = ("u8", "u16", "u32", "u64", "binary", "string", "nest")


class SpecError(Exception):
    pass


# ---------------------------------------------------------------------------
# A parser for the YAML subset of the spec.

def _lines(text):
    out = []
    for no, raw in enumerate(text.splitlines(), 1):
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise SpecError(f"line {no}: tab in indentation")
        line = raw.rstrip()
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            out.append((None, "", no, raw))
            continue
        out.append((len(line) - len(stripped), stripped, no, raw))
    return out


def _scalar(text, no):
    if text.startswith('"'):
        if not text.endswith('"') or len(text) < 2:
            raise SpecError(f"line {no}: unterminated string")
        body = text[1:-1]
        return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)),
                      body)
    if text.startswith("'"):
        if not text.endswith("'") or len(text) < 2:
            raise SpecError(f"line {no}: unterminated string")
        return text[1:-1].replace("''", "'")
    if ": " in text or text.endswith(":") or " #" in text:
        raise SpecError(f"line {no}: quote this value: {text}")
    if text[0] in "&*!|>%@`{[]}":
        raise SpecError(f"line {no}: unsupported YAML: {text}")
    if re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    if text in ("true", "True"):
        return True
    if text in ("false", "False"):
        return False
    if text in ("null", "~"):
        return None
    return text


class _Parser:
    def __init__(self, text):
        self.lines = _lines(text)
        self.pos = 0

    def _skip(self):
        while self.pos < len(self.lines) and self.lines[self.pos][0] is None:
            self.pos += 1

    def _peek(self):
        self._skip()
        return self.lines[self.pos] if self.pos < len(self.lines) else None

    def parse(self):
        first = self._peek()
        if first is None:
            return None
        value = self._block(first[0])
        rest = self._peek()
        if rest is not None:
            raise SpecError(f"line {rest[2]}: unexpected indentation")
        return value

    def _block(self, indent):
        line = self._peek()
        if line[1] == "-" or line[1].startswith("- "):
            return self._list(indent)
        return self._mapping(indent)

    def _list(self, indent):
        items = []
        while True:
            line = self._peek()
            if line is None or line[0] < indent:
                return items
            ind, text, no, raw = line
            if ind > indent:
                raise SpecError(f"line {no}: unexpected indentation")
            if not (text == "-" or text.startswith("- ")):
                raise SpecError(f"line {no}: expected a list item")
            if text == "-":
                self.pos += 1
                nxt = self._peek()
                if nxt is None or nxt[0] <= indent:
                    items.append(None)
                else:
                    items.append(self._block(nxt[0]))
                continue
            rest = text[2:].lstrip()
            sub = ind + (len(text) - len(rest))
            if re.match(r"^[A-Za-z0-9_-]+:( |$)", rest):
                # "- key: value": a mapping whose first line is this one.
                self.lines[self.pos] = (sub, rest, no, raw)
                items.append(self._mapping(sub))
            else:
                self.pos += 1
                items.append(self._inline(rest, no, ind))
        return items

    def _mapping(self, indent):
        result = {}
        while True:
            line = self._peek()
            if line is None or line[0] < indent:
                return result
            ind, text, no, _ = line
            if ind > indent:
                raise SpecError(f"line {no}: unexpected indentation")
            m = re.match(r"^([A-Za-z0-9_-]+):(?: +(.*))?$", text)
            if not m:
                raise SpecError(f"line {no}: expected 'key: value': {text}")
            key, rest = m.group(1), m.group(2)
            if key in result:
                raise SpecError(f"line {no}: duplicate key {key}")
            self.pos += 1
            if rest is None or rest == "":
                nxt = self._peek()
                if nxt is None or nxt[0] < indent or (nxt[0] == indent and not
                                                      nxt[1].startswith("-")):
                    result[key] = None
                else:
                    result[key] = self._block(nxt[0])
            else:
                result[key] = self._inline(rest, no, indent)

    def _inline(self, text, no, indent):
        if text in ("|", ">", "|-", ">-"):
            return self._block_scalar(text, indent)
        if text.startswith("["):
            while not text.rstrip().endswith("]"):
                nxt = self.lines[self.pos] if self.pos < len(self.lines) else None
                if nxt is None:
                    raise SpecError(f"line {no}: unterminated [ list")
                self.pos += 1
                if nxt[0] is not None:
                    text += " " + nxt[1]
            body = text.strip()[1:-1].strip()
            if not body:
                return []
            return [_scalar(x.strip(), no) for x in body.split(",")]
        return _scalar(text, no)

    def _block_scalar(self, style, indent):
        parts = []
        block_indent = None
        while self.pos < len(self.lines):
            ind, text, _, raw = self.lines[self.pos]
            if ind is not None and ind <= indent:
                break
            if ind is None:
                parts.append("")
            else:
                if block_indent is None:
                    block_indent = ind
                parts.append(raw[block_indent:])
            self.pos += 1
        while parts and parts[-1] == "":
            parts.pop()
        if style.startswith(">"):
            text = " ".join(p for p in parts if p)
        else:
            text = "\n".join(parts)
        return text if style.endswith("-") else text + "\n"


def load_yaml(text):
    return _Parser(text).parse()


# ---------------------------------------------------------------------------
# The header.

def c_name(*parts):
    return "".join(parts).upper().replace("-", "_")


def parse_header(text):
    """Enums (name -> [(entry, value)]), #defines and the top comment."""
    comment_m = re.search(r"/\*(.*?)\*/", text[text.find("\n"):], re.S)
    top = comment_m.group(1) if comment_m else ""
    code = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    code = re.sub(r"//[^\n]*", " ", code)
    enums = {}
    for m in re.finditer(r"\benum\s+(\w+)\s*\{(.*?)\}\s*;", code, re.S):
        entries, value = [], 0
        for item in m.group(2).split(","):
            item = item.strip()
            if not item:
                continue
            em = re.fullmatch(r"(\w+)(?:\s*=\s*(.+))?", item)
            if not em:
                raise SpecError(f"enum {m.group(1)}: cannot read '{item}'")
            if em.group(2) is not None:
                try:
                    value = int(em.group(2), 0)
                except ValueError:
                    raise SpecError(f"enum {m.group(1)}: value of {em.group(1)} "
                                    f"is not a number: {em.group(2)}")
            entries.append((em.group(1), value))
            value += 1
        enums[m.group(1)] = entries
    defines = {}
    for m in re.finditer(r"^#define\s+(\w+)[ \t]+([^\n]+)$", code, re.M):
        defines[m.group(1)] = m.group(2).strip()
    return enums, defines, top


def comment_text(top):
    """The top comment as one line of words."""
    lines = [re.sub(r"^\s*\*?", "", l) for l in top.splitlines()]
    return " ".join(" ".join(lines).split())


TYPE_RE = re.compile(
    r"((?:\[?TCPHS_A_[A-Z0-9_]+\]?[ ,]*)+)\(?(?:a )?"
    r"(u8|u16|u32|u64|NUL-terminated string|binary|nest|4 or 16 bytes)\b"
    r"(?:\)?, enum (tcphs_\w+))?")
TYPE_WORDS = {"NUL-terminated string": "string", "4 or 16 bytes": "binary"}


def documented_types(text, errors):
    """attribute -> (type, enum or None), from the header's comment."""
    types = {}
    for m in TYPE_RE.finditer(text):
        kind = TYPE_WORDS.get(m.group(2), m.group(2))
        for name in re.findall(r"TCPHS_A_[A-Z0-9_]+", m.group(1)):
            new = (kind, m.group(3))
            old = types.get(name)
            if old and (old[0] != kind or (old[1] and new[1] and old[1] != new[1])):
                errors.append(f"header comment: {name} documented as {old[0]} and as {kind}")
            if not old or (new[1] and not old[1]):
                types[name] = new
    return types


def command_paragraphs(text):
    """TCPHS_CMD_X -> (what is in its parentheses, its paragraph), and the
    paragraph of the flow attributes."""
    cmds = {}
    marks = [(m.start(), m) for m in re.finditer(r"TCPHS_CMD_([A-Z0-9_]+) \(([^)]*)\)", text)]
    flow_at = text.find("Flow attributes")
    ends = [s for s, _ in marks[1:]] + [flow_at if flow_at >= 0 else len(text)]
    for (start, m), end in zip(marks, ends):
        cmds["TCPHS_CMD_" + m.group(1)] = (m.group(2), text[m.end():end])
    flow = text[flow_at:] if flow_at >= 0 else ""
    return cmds, flow


def attr_names(text):
    return set(re.findall(r"TCPHS_A_[A-Z0-9_]+", text))


# ---------------------------------------------------------------------------
# The checks.

def check(spec, header_text):
    errors = []
    enums, defines, top = parse_header(header_text)
    text = comment_text(top)
    family = spec.get("name")
    covered = set()

    def want_enum(cname, entries, render_max, what):
        """entries: [(C name, value)] the spec gives."""
        covered.add(cname)
        have = enums.get(cname)
        if have is None:
            errors.append(f"{what}: no enum {cname} in the header")
            return
        want = list(entries)
        if render_max:
            pfx = render_max
            want.append(("__" + pfx + "MAX", (want[-1][1] + 1) if want else 0))
            define = defines.get(pfx + "MAX")
            if define is not None and define.replace(" ", "") != f"(__{pfx}MAX-1)":
                errors.append(f"{what}: #define {pfx}MAX is {define}, "
                              f"want (__{pfx}MAX - 1)")
        elif have and have[-1][0].startswith("__") and have[-1][0].endswith("_MAX"):
            errors.append(f"{what}: the header has {have[-1][0]}: add render-max")
        for i in range(max(len(want), len(have))):
            w = want[i] if i < len(want) else None
            h = have[i] if i < len(have) else None
            if w != h:
                def show(x):
                    return f"{x[0]} = {x[1]}" if x else "nothing"
                errors.append(f"{what}: entry {i} is {show(h)} in the header, "
                              f"{show(w)} in the spec")
                break

    # Family name, version, constants.
    fam_define = c_name(spec.get("c-family-name") or f"{family}-family-name")
    ver_define = c_name(spec.get("c-version-name") or f"{family}-family-version")
    if defines.get(fam_define) != f'"{family}"':
        errors.append(f"#define {fam_define} is {defines.get(fam_define)}, want \"{family}\"")
    version = spec.get("version", 1)
    if defines.get(ver_define) != str(version):
        errors.append(f"#define {ver_define} is {defines.get(ver_define)}, want {version}")

    defs = {}
    for d in spec.get("definitions") or []:
        name = d.get("name")
        defs[name] = d
        if d.get("type") == "const":
            cname = c_name(f"{family}-{name}")
            if defines.get(cname) != str(d.get("value")):
                errors.append(f"const {name}: #define {cname} is {defines.get(cname)}, "
                              f"want {d.get('value')}")
            continue
        if d.get("type") != "enum":
            errors.append(f"definition {name}: type {d.get('type')} is not checked")
            continue
        cname = d.get("enum-name") or f"{family}_{name}".replace("-", "_")
        pfx = c_name(d.get("name-prefix") or f"{family}-{name}-")
        value = d.get("value-start", 0)
        entries = []
        for e in d.get("entries") or []:
            ename = e["name"] if isinstance(e, dict) else e
            if isinstance(e, dict) and "value" in e:
                value = e["value"]
            entries.append((pfx + c_name(str(ename)), value))
            value += 1
        want_enum(cname, entries, pfx if d.get("render-max") else None,
                  f"enum {name}")

    # Attribute sets.
    sets = {s.get("name"): s for s in spec.get("attribute-sets") or []}
    main = sets.get(family)
    if main is None:
        errors.append(f"no attribute set named {family}")
        main = {"attributes": []}
    documented = documented_types(text, errors)
    a_pfx = c_name(main.get("name-prefix") or f"{family}-a-")
    entries, value = [], 1
    attr_by_name = {}
    for a in main.get("attributes") or []:
        if "value" in a:
            value = a["value"]
        cname = a_pfx + c_name(a["name"])
        entries.append((cname, value))
        attr_by_name[a["name"]] = a
        value += 1
        kind = a.get("type")
        if a["name"] == "unspec":
            if kind != "unused":
                errors.append(f"attribute unspec: type {kind}, want unused")
            continue
        if a["name"] == "pad":
            if kind != "pad":
                errors.append(f"attribute pad: type {kind}, want pad")
            continue
        doc = documented.get(cname)
        if doc is None:
            errors.append(f"attribute {a['name']}: the header does not document "
                          f"{cname}'s type")
        elif doc[0] != kind:
            errors.append(f"attribute {a['name']}: type {kind} in the spec, "
                          f"{doc[0]} in the header")
        elif doc[1]:
            want = doc[1][len(family) + 1:].replace("_", "-")
            if a.get("enum") != want:
                errors.append(f"attribute {a['name']}: enum {a.get('enum')} in the spec, "
                              f"{want} ({doc[1]}) in the header")
        if kind not in FAMILY_ENUM_KINDS:
            errors.append(f"attribute {a['name']}: unexpected type {kind}")
        if a.get("enum") is not None and a.get("enum") not in defs:
            errors.append(f"attribute {a['name']}: no definition {a.get('enum')}")
        if kind == "nest" and a.get("nested-attributes") not in sets:
            errors.append(f"attribute {a['name']}: no attribute set "
                          f"{a.get('nested-attributes')}")
    want_enum(main.get("enum-name") or f"{family}_attr", entries, a_pfx, "attribute set")
    for name in documented:
        if name not in dict(entries):
            errors.append(f"the header documents {name}, which is not an attribute")

    def u64_set(name):
        """[(attribute, type)] of a nest of u64, each checked to be one."""
        value, got = 1, []
        for a in sets[name].get("attributes") or []:
            value = a.get("value", value)
            got.append((a["name"], value))
            if a.get("type") != "u64":
                errors.append(f"{name} attribute {a['name']}: type {a.get('type')}, want u64")
            value += 1
        return got

    # The counters' nests mirror their enums: counter x is type x + 1.
    for set_name, enum_name in (("stats", "stat"), ("port-counters", "port-counter")):
        if set_name in sets and enum_name in defs:
            names = [e["name"] if isinstance(e, dict) else e
                     for e in defs[enum_name].get("entries")]
            got = u64_set(set_name)
            want = [(n, i + 1) for i, n in enumerate(names)]
            if got != want:
                errors.append(f"attribute set {set_name}: {got} does not mirror "
                              f"enum {enum_name} + 1 {want}")
    # A histogram's nest has TCPHS_HIST_BUCKETS buckets, types 1 on.
    if "hist" in sets:
        got = u64_set("hist")
        n = defines.get(c_name(f"{family}-hist-buckets"))
        if n is None or [v for _, v in got] != list(range(1, int(n) + 1)):
            errors.append(f"attribute set hist: types {[v for _, v in got]}, "
                          f"want 1 to TCPHS_HIST_BUCKETS ({n})")
    for name in sets:
        if name not in (family, "stats", "port-counters", "hist"):
            errors.append(f"attribute set {name} is not checked against the header")

    # Operations.
    ops = spec.get("operations") or {}
    cmds, flow_par = command_paragraphs(text)
    flow_attrs = attr_names(flow_par)
    o_pfx = c_name(ops.get("name-prefix") or f"{family}-cmd-")
    entries, value = [], 1
    for op in ops.get("list") or []:
        if "value" in op:
            value = op["value"]
        cname = o_pfx + c_name(op["name"])
        entries.append((cname, value))
        value += 1
        if op["name"] == "unspec":
            continue
        attrset = op.get("attribute-set")
        if attrset != family:
            errors.append(f"operation {op['name']}: attribute-set {attrset}, want {family}")
        if cname not in cmds:
            errors.append(f"operation {op['name']}: the header does not describe {cname}")
            continue
        paren, par = cmds[cname]
        kinds = [k for k in ("do", "dump", "event") if k in op]
        if "multicast" in paren:
            want_kind = "event"
        elif re.search(r"\bdump\b", paren):
            want_kind = "dump"
        elif re.search(r"\bdo\b", paren):
            want_kind = "do"
        else:
            want_kind = "?"
        if kinds != [want_kind]:
            errors.append(f"operation {op['name']}: {kinds} in the spec, "
                          f"{want_kind} in the header ({paren})")
            continue
        flags = op.get("flags") or []
        if want_kind != "event" and ("CAP_NET_ADMIN" in paren) != ("uns-admin-perm" in flags):
            errors.append(f"operation {op['name']}: flags {flags}, header says ({paren})")
        if want_kind == "event":
            want_reply = attr_names(par)
            if "flow attributes" in par:
                want_reply |= flow_attrs
            got_reply = op["event"].get("attributes") or []
            want_req = set()
            got_req = []
            if op.get("mcgrp") not in [g.get("name") for g in
                                       (spec.get("mcast-groups") or {}).get("list") or []]:
                errors.append(f"operation {op['name']}: no multicast group {op.get('mcgrp')}")
        else:
            req_m = re.search(r"Request:(.*?)Reply:", par)
            reply_m = re.search(r"Reply:(.*)", par)
            want_req = attr_names(req_m.group(1)) if req_m else set()
            want_reply = attr_names(reply_m.group(1)) if reply_m else set()
            if reply_m and "flow attributes" in reply_m.group(1):
                want_reply |= flow_attrs
            body = op[want_kind]
            got_req = (body.get("request") or {}).get("attributes") or []
            got_reply = (body.get("reply") or {}).get("attributes") or []
        for what, got, want in (("request", got_req, want_req), ("reply", got_reply, want_reply)):
            for a in got:
                if a not in attr_by_name:
                    errors.append(f"operation {op['name']} {what}: no attribute {a}")
            got_c = {a_pfx + c_name(a) for a in got}
            if got_c != want:
                errors.append(f"operation {op['name']} {what}: spec has "
                              f"{sorted(got_c - want)} more, {sorted(want - got_c)} less "
                              f"than the header")
            if len(set(got)) != len(got):
                errors.append(f"operation {op['name']} {what}: an attribute is listed twice")
    want_enum(ops.get("enum-name") or f"{family}_cmd", entries, o_pfx, "operations")
    for cname in cmds:
        if cname not in dict(entries):
            errors.append(f"the header describes {cname}, which is not an operation")

    # Multicast groups.
    groups = [g.get("name") for g in (spec.get("mcast-groups") or {}).get("list") or []]
    for g in groups:
        d = c_name(f"{family}-mcgrp-{g}")
        if defines.get(d) != f'"{g}"':
            errors.append(f"multicast group {g}: #define {d} is {defines.get(d)}, want \"{g}\"")
    for d in defines:
        if d.startswith(c_name(f"{family}-mcgrp-")) and \
                d[len(c_name(f"{family}-mcgrp-")):].lower().replace("_", "-") not in groups:
            errors.append(f"#define {d} is not a multicast group of the spec")

    for cname in enums:
        if cname not in covered:
            errors.append(f"enum {cname} of the header is not in the spec")
    return errors, len(covered), len(attr_by_name), len(entries)


def main(argv):
    top = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    spec_path = argv[1] if len(argv) > 1 else os.path.join(
        top, "Documentation", "netlink", "specs", "tcphs.yaml")
    header_path = argv[2] if len(argv) > 2 else os.path.join(
        top, "include", "uapi", "linux", "tcphs.h")
    if len(argv) > 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        with open(spec_path, encoding="utf-8") as f:
            spec_text = f.read()
        with open(header_path, encoding="utf-8") as f:
            header_text = f.read()
    except OSError as e:
        print(f"check-spec: {e}", file=sys.stderr)
        return 2
    try:
        spec = load_yaml(spec_text)
        if not isinstance(spec, dict):
            raise SpecError("the spec is not a mapping")
        try:
            import yaml  # optional: a second opinion on the parse
        except ImportError:
            yaml = None
        if yaml is not None and yaml.safe_load(spec_text) != spec:
            raise SpecError("PyYAML reads the spec differently from this parser")
        errors, n_enums, n_attrs, n_ops = check(spec, header_text)
    except (SpecError, KeyError, TypeError, AttributeError) as e:
        print(f"check-spec: {spec_path}: {e}", file=sys.stderr)
        return 1
    def short(path):
        rel = os.path.relpath(path)
        return path if rel.startswith("..") else rel
    rel_spec, rel_header = short(spec_path), short(header_path)
    if errors:
        for e in errors:
            print(f"check-spec: {e}")
        print(f"check-spec: {rel_spec} does not match {rel_header}: {len(errors)} mismatches")
        return 1
    print(f"check-spec: {rel_spec} matches {rel_header} "
          f"({n_enums} enums, {n_attrs} attributes, {n_ops - 1} operations)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
