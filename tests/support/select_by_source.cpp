#include "select_by_source.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace pmq_test {

namespace {

// GoogleTest's pattern language: '*' any string, '?' any one character.
bool glob_matches(const char *pattern, const char *text)
{
    if (*pattern == '\0')
        return *text == '\0';
    if (*pattern == '*')
        return glob_matches(pattern + 1, text) || (*text != '\0' && glob_matches(pattern, text + 1));
    if (*text != '\0' && (*pattern == '?' || *pattern == *text))
        return glob_matches(pattern + 1, text + 1);
    return false;
}

// True when one of the ':'-separated patterns matches.
bool any_matches(const std::string &patterns, const std::string &name)
{
    std::size_t start = 0;
    while (start <= patterns.size()) {
        std::size_t end = patterns.find(':', start);
        if (end == std::string::npos)
            end = patterns.size();
        const std::string pattern = patterns.substr(start, end - start);
        if (!pattern.empty() && glob_matches(pattern.c_str(), name.c_str()))
            return true;
        start = end + 1;
    }
    return false;
}

// The filter GoogleTest would apply: "POSITIVE[-NEGATIVE]".
bool filter_selects(const std::string &filter, const std::string &name)
{
    const std::size_t dash = filter.find('-');
    std::string positive = filter.substr(0, dash);
    const std::string negative = dash == std::string::npos ? "" : filter.substr(dash + 1);
    if (positive.empty())
        positive = "*";
    return any_matches(positive, name) && !any_matches(negative, name);
}

std::string base_name(const char *path)
{
    const char *slash = std::strrchr(path, '/');
    return slash != nullptr ? slash + 1 : path;
}

// Takes the option's value out of argv; empty when it is not there.
std::string take_source_option(int &argc, char **argv)
{
    static const char prefix[] = "--source=";
    std::string source;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], prefix, sizeof prefix - 1) == 0) {
            source = argv[i] + sizeof prefix - 1;
        } else if (std::strcmp(argv[i], "--source") == 0 && i + 1 < argc) {
            source = argv[++i];
        } else {
            argv[kept++] = argv[i];
        }
    }
    argc = kept;
    argv[argc] = nullptr;
    return source;
}

} // namespace

bool select_tests_by_source(int &argc, char **argv)
{
    const std::string source = take_source_option(argc, argv);
    if (source.empty())
        return true;
    const std::string filter = GTEST_FLAG_GET(filter);
    const testing::UnitTest &all = *testing::UnitTest::GetInstance();
    int defined = 0;
    std::string selected;
    for (int s = 0; s < all.total_test_suite_count(); ++s) {
        const testing::TestSuite &suite = *all.GetTestSuite(s);
        for (int t = 0; t < suite.total_test_count(); ++t) {
            const testing::TestInfo &test = *suite.GetTestInfo(t);
            if (base_name(test.file()) != source)
                continue;
            ++defined;
            const std::string name = std::string(test.test_suite_name()) + "." + test.name();
            if (filter_selects(filter, name))
                selected += (selected.empty() ? "" : ":") + name;
        }
    }
    if (defined == 0) {
        std::fprintf(stderr, "--source=%s: no test of this executable is defined in a file of "
                             "that name; give the base name of one of its test sources\n",
                     source.c_str());
        return false;
    }
    // "-*" selects nothing: the file's tests are all outside the user's filter.
    GTEST_FLAG_SET(filter, selected.empty() ? std::string("-*") : selected);
    return true;
}

} // namespace pmq_test
