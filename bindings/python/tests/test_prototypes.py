"""Every pmq_* function, struct and flag of pmq.h has its exact ctypes
declaration in pmq._native: read from the header itself, so that a function
added to pmq.h without a prototype here fails this test."""

import ctypes
import os
import re
import unittest

from pmq import _native
from pmq.errors import Code

HEADER = os.environ.get("PMQ_HEADER") or os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "include", "pmq", "pmq.h")

# C type as written in pmq.h (spaces before '*' removed) -> its ctypes type.
C_TYPES = {
    "int": ctypes.c_int,
    "unsigned": ctypes.c_uint,
    "int64_t": ctypes.c_int64,
    "uint32_t": ctypes.c_uint32,
    "size_t": ctypes.c_size_t,
    "const char*": ctypes.c_char_p,
    "const void*": ctypes.c_void_p,
    "void*": ctypes.c_void_p,
    "unsigned*": ctypes.POINTER(ctypes.c_uint),
    "pmq_queue*": _native.queue_p,
    "pmq_queue**": ctypes.POINTER(_native.queue_p),
    "pmq_attr*": ctypes.POINTER(_native.pmq_attr),
    "pmq_limits*": ctypes.POINTER(_native.pmq_limits),
    "pmq_notify_fn": _native.notify_fn,
    "void": None,
}


def read_header():
    with open(HEADER, encoding="utf-8") as file:
        text = file.read()
    # Drop comments, so that prose never looks like code.
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def type_of_declaration(declaration):
    """'const char *name' -> 'const char*'; 'void' -> 'void'."""
    declaration = " ".join(declaration.split())
    if declaration == "void":
        return "void"
    match = re.fullmatch(r"(.*?[\s*])(\w+)", declaration)
    return re.sub(r"\s*\*", "*", match.group(1).strip())


def parameters_of(text):
    types = [type_of_declaration(part) for part in text.split(",")]
    return [] if types == ["void"] else types


class HeaderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.header = read_header()

    def functions(self):
        found = {}
        for match in re.finditer(r"PMQ_API\s+([^;(]*?)\b(pmq_\w+)\s*\(([^)]*)\)\s*;",
                                 self.header):
            result = re.sub(r"\s*\*", "*", " ".join(match.group(1).split()))
            found[match.group(2)] = (result, parameters_of(match.group(3)))
        return found

    def test_the_header_is_read(self):
        self.assertGreaterEqual(len(self.functions()), 24)

    def test_every_function_is_declared_and_nothing_else(self):
        self.assertEqual(sorted(self.functions()), sorted(_native.PROTOTYPES))

    def test_every_declaration_matches_the_header(self):
        for name, (result, parameters) in self.functions().items():
            with self.subTest(name):
                function = getattr(_native.lib, name)
                self.assertIs(function.restype, C_TYPES[result])
                self.assertEqual(list(function.argtypes),
                                 [C_TYPES[parameter] for parameter in parameters])

    def test_notify_callback_type_matches_the_header(self):
        match = re.search(r"typedef\s+(\w+)\s*\(\s*\*\s*pmq_notify_fn\s*\)\s*\(([^)]*)\)",
                          self.header)
        self.assertIsNotNone(match)
        self.assertIs(_native.notify_fn._restype_, C_TYPES[match.group(1)])
        self.assertEqual(list(_native.notify_fn._argtypes_),
                         [C_TYPES[p] for p in parameters_of(match.group(2))])

    def test_structs_match_the_header(self):
        for struct in [_native.pmq_attr, _native.pmq_limits]:
            with self.subTest(struct.__name__):
                body = re.search(r"typedef\s+struct\s+%s\s*\{(.*?)\}" % struct.__name__,
                                 self.header, re.S).group(1)
                fields = []
                for member in body.split(";"):
                    words = member.replace(",", " ").split()
                    fields += [(name, C_TYPES[words[0]]) for name in words[1:]]
                self.assertEqual(struct._fields_, fields)

    def test_flags_match_the_header(self):
        for name in ["PMQ_READ", "PMQ_WRITE", "PMQ_EXCL", "PMQ_NONBLOCK"]:
            with self.subTest(name):
                value = re.search(r"#define\s+%s\s+(0x[0-9a-fA-F]+)u" % name,
                                  self.header).group(1)
                self.assertEqual(getattr(_native, name), int(value, 16))

    def test_error_codes_match_the_header_and_the_library(self):
        codes = {name: int(value) for name, value in
                 re.findall(r"XX\(\s*(\w+)\s*,\s*(-?\d+)\s*,", self.header)}
        self.assertEqual(len(codes), 17)
        self.assertEqual({code.name: int(code) for code in Code}, codes)
        for code in Code:
            self.assertEqual(_native.lib.pmq_err_name(code), b"PMQ_" + code.name.encode())


if __name__ == "__main__":
    unittest.main()
