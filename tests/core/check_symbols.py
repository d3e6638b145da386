#!/usr/bin/env python3
"""The exported symbols of libpmq, the names in the version map, and the
functions declared in pmq.h must be the same set, every one under a version node."""
import re
import subprocess
import sys


def exported(library):
    out = subprocess.run(["nm", "-D", "--defined-only", "--with-symbol-versions", library],
                         check=True, capture_output=True, text=True).stdout
    names, unversioned = set(), set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 3 or fields[1] not in "TDBRVWi":
            continue
        symbol = fields[2]
        name, _, version = symbol.partition("@")
        if name.startswith("PMQ_") and not version:
            continue  # the version node itself
        names.add(name)
        if not version.strip("@"):
            unversioned.add(name)
    return names, unversioned


def in_map(path):
    text = re.sub(r"/\*.*?\*/", "", open(path, encoding="utf-8").read(), flags=re.S)
    return set(re.findall(r"^\s*(pmq_\w+)\s*;", text, flags=re.M))


def in_header(path):
    text = open(path, encoding="utf-8").read()
    return set(re.findall(r"PMQ_API\s+[^;(]*?\b(pmq_\w+)\s*\(", text))


def main(library, map_file, header):
    names, unversioned = exported(library)
    mapped, declared = in_map(map_file), in_header(header)
    problems = []
    for label, a, b in (("exported but not in the map", names, mapped),
                        ("in the map but not exported", mapped, names),
                        ("declared in pmq.h but not in the map", declared, mapped),
                        ("in the map but not declared in pmq.h", mapped, declared)):
        if a - b:
            problems.append(f"{label}: {sorted(a - b)}")
    if unversioned:
        problems.append(f"exported without a version node: {sorted(unversioned)}")
    if len(declared) < 29:
        problems.append(f"only {len(declared)} functions found in pmq.h; the parser is broken")
    for p in problems:
        print(p)
    print(f"{len(names)} exported, {len(mapped)} in the map, {len(declared)} declared")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
