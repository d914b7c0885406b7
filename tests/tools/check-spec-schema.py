#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Validate a YNL netlink spec against the kernel's schema for its protocol,
as the kernel's own ynl tools do before they load a spec.

Usage: check-spec-schema.py NETLINK_DOC_DIR SPEC...

NETLINK_DOC_DIR is a kernel's Documentation/netlink (genetlink-legacy.yaml
and the other schemas); the schema used is the one the spec's "protocol"
names (genetlink when it names none). Prints each error with its path in
the spec. Exit status: 0 valid, 1 invalid, 2 on usage or read errors.
Needs Debian's python3-yaml and python3-jsonschema.
"""
import os
import sys

try:
    import jsonschema
    import yaml
except ImportError as e:
    print(f"check-spec-schema: {e} (install python3-yaml and python3-jsonschema)",
          file=sys.stderr)
    sys.exit(2)


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def check(doc_dir, spec_path):
    spec = load(spec_path)
    if not isinstance(spec, dict):
        print(f"check-spec-schema: {spec_path}: not a YAML mapping", file=sys.stderr)
        return 1
    proto = spec.get("protocol", "genetlink")
    schema_path = os.path.join(doc_dir, f"{proto}.yaml")
    if not os.path.isfile(schema_path):
        print(f"check-spec-schema: {spec_path}: protocol '{proto}' has no schema "
              f"in {doc_dir}", file=sys.stderr)
        return 1
    schema = load(schema_path)
    # The kernel's schemas name draft 07 without the trailing '#' that
    # jsonschema looks for.
    if "draft-07" in str(schema.get("$schema", "")):
        cls = jsonschema.Draft7Validator
    else:
        cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(spec), key=lambda e: list(e.absolute_path))
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        print(f"check-spec-schema: {spec_path}: {where}: {e.message}")
    if errors:
        print(f"check-spec-schema: {spec_path}: {len(errors)} errors against {schema_path}")
        return 1
    print(f"check-spec-schema: {spec_path} is valid {proto} ({schema_path})")
    return 0


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    doc_dir = sys.argv[1]
    rc = 0
    for spec_path in sys.argv[2:]:
        try:
            rc = max(rc, check(doc_dir, spec_path))
        except (OSError, yaml.YAMLError, jsonschema.SchemaError) as e:
            print(f"check-spec-schema: {e}", file=sys.stderr)
            return 2
    return rc


if __name__ == "__main__":
    sys.exit(main())
