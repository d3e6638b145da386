#!/usr/bin/env python3
"""Checks that the section 3 pages describe pmq.h exactly.

Usage: check_pages_match_header.py PMQ_H MAN3_DIR LINK=PAGE...

- every function pmq.h declares has a page of its own or a LINK=PAGE link,
  is named in that page's NAME line, and appears in its SYNOPSIS with the
  very prototype pmq.h gives it;
- no page shows a prototype pmq.h does not have;
- pmq_strerror.3 lists every error code with its value, and no other.
"""
import pathlib
import re
import sys


def normalized(prototype):
    text = " ".join(prototype.split())
    return text.replace("( ", "(").replace(" )", ")")


def header_functions(header):
    """{name: prototype} of every PMQ_API function."""
    functions = {}
    for match in re.finditer(r"PMQ_API\s+([^;]*?\b(pmq_\w+)\s*\([^;]*\))\s*;", header):
        functions[match.group(2)] = normalized(match.group(1))
    return functions


def header_error_codes(header):
    return {f"PMQ_{name}": int(value)
            for name, value in re.findall(r"XX\((\w+),\s*(-?\d+),", header)}


def page_names(page_text):
    """The names in the NAME section: "a, b, c - what they do"."""
    section = re.search(r"^# NAME\n\n(.*?) - ", page_text, re.M | re.S)
    return [name.strip() for name in section.group(1).split(",")] if section else []


def page_prototypes(page_text):
    """{name: prototype} of the function prototypes in the SYNOPSIS code block."""
    synopsis = re.search(r"^# SYNOPSIS\n\n```\n(.*?)```", page_text, re.M | re.S)
    if not synopsis:
        return {}
    prototypes = {}
    for match in re.finditer(r"^([a-z][^;#]*?\b(pmq_\w+)\s*\([^;]*\))\s*;", synopsis.group(1), re.M):
        prototypes[match.group(2)] = normalized(match.group(1))
    return prototypes


def main():
    header = pathlib.Path(sys.argv[1]).read_text()
    man3 = pathlib.Path(sys.argv[2])
    links = dict(arg.split("=", 1) for arg in sys.argv[3:])
    pages = {path.name[: -len(".3.scd")]: path.read_text() for path in man3.glob("*.3.scd")}
    functions = header_functions(header)
    problems = []

    if not functions:
        problems.append(f"no PMQ_API function found in {sys.argv[1]}")
    for name, prototype in sorted(functions.items()):
        page = name if name in pages else links.get(name)
        if page is None:
            problems.append(f"{name}: no page and no link")
            continue
        if page not in pages:
            problems.append(f"{name}: links to {page}.3, which has no page")
            continue
        if name not in page_names(pages[page]):
            problems.append(f"{name}: not in the NAME line of {page}.3")
        shown = page_prototypes(pages[page]).get(name)
        if shown != prototype:
            problems.append(f"{name}: {page}.3 shows\n    {shown}\n  but pmq.h declares\n    {prototype}")

    for page, text in sorted(pages.items()):
        for name in page_prototypes(text):
            if name not in functions:
                problems.append(f"{page}.3 shows {name}(), which pmq.h does not declare")
    for link, page in sorted(links.items()):
        if link not in functions:
            problems.append(f"link {link}.3 names no function of pmq.h")

    codes = header_error_codes(header)
    listed = {name: int(value) for name, value in
              re.findall(r"^\*(PMQ_\w+)\* \((-?\d+)\)$", pages.get("pmq_strerror", ""), re.M)}
    if not codes:
        problems.append("no error code found in pmq.h (PMQ_ERRNO_MAP)")
    if listed != codes:
        problems.append(f"pmq_strerror.3 lists the error codes {sorted(listed.items())}\n"
                        f"  but pmq.h has {sorted(codes.items())}")

    for problem in problems:
        print(problem)
    print(f"{len(functions)} functions, {len(codes)} error codes, {len(pages)} pages, "
          f"{len(links)} links: {'OK' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
