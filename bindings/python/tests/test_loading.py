"""Finding libpmq: PMQ_LIBRARY names the file, else the loader finds
"libpmq.so.1"; a failure says how to fix it.  Each case runs in a fresh
interpreter, since the library is loaded once at import."""

import os
import subprocess
import sys
import unittest

BUILT_LIBRARY = os.environ.get("PMQ_LIBRARY")


def run_python(code, **environment):
    env = {key: value for key, value in os.environ.items() if key != "PMQ_LIBRARY"}
    env.update(environment)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)


@unittest.skipUnless(BUILT_LIBRARY, "PMQ_LIBRARY names the library under test")
class LoadingTest(unittest.TestCase):
    def test_pmq_library_names_the_file(self):
        result = run_python("import pmq; print(pmq.version())", PMQ_LIBRARY=BUILT_LIBRARY)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"^\d+\.\d+\.\d+$")

    def test_without_pmq_library_the_loader_finds_libpmq_so_1(self):
        result = run_python("import pmq; print(pmq.supported())",
                            LD_LIBRARY_PATH=os.path.dirname(BUILT_LIBRARY))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), "True")

    def test_a_missing_file_says_how_to_point_at_one(self):
        result = run_python("import pmq", PMQ_LIBRARY="/nonexistent/libpmq.so.1")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ImportError", result.stderr)
        self.assertIn("/nonexistent/libpmq.so.1", result.stderr)
        self.assertIn("PMQ_LIBRARY", result.stderr)

    def test_a_library_without_the_functions_is_refused(self):
        result = run_python("import pmq", PMQ_LIBRARY="libc.so.6")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ImportError", result.stderr)
        self.assertIn("pmq_supported", result.stderr)


if __name__ == "__main__":
    unittest.main()
