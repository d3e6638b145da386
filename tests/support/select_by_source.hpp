// One GoogleTest executable holds the tests of several source files (compiled
// once, linked once), yet each file's tests still run as a meson test of its
// own, in a process of its own: `--source=lifecycle_test.cpp` keeps only the
// tests defined in that file.
#pragma once

namespace pmq_test {

// Call after testing::InitGoogleTest.  Removes `--source=FILE` (or
// `--source FILE`) from argv and narrows the test filter to the tests defined
// in FILE (a base name), still within --gtest_filter / GTEST_FILTER.  Without
// the option, changes nothing.  Returns false, having said why on stderr,
// when FILE defines no test (a misspelt name must not pass by running none).
bool select_tests_by_source(int &argc, char **argv);

} // namespace pmq_test
