// main() of the reliability suites: enter a private IPC namespace if allowed,
// then run the tests (those of one source with --source=FILE).  Tests that
// need the namespace skip without it.
#include "private_ipc.hpp"
#include "select_by_source.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace pmq_test {

namespace {
bool private_namespace = false;

std::string sysctl_path(const std::string &key)
{
    return "/proc/sys/fs/mqueue/" + key;
}
} // namespace

bool in_private_ipc()
{
    return private_namespace;
}

std::int64_t read_mqueue_sysctl(const std::string &key)
{
    std::ifstream in(sysctl_path(key));
    std::int64_t value = -1;
    in >> value;
    return in ? value : -1;
}

bool write_mqueue_sysctl(const std::string &key, std::int64_t value)
{
    std::ofstream out(sysctl_path(key));
    out << value << '\n';
    out.flush();
    return static_cast<bool>(out) && read_mqueue_sysctl(key) == value;
}

} // namespace pmq_test

int main(int argc, char **argv)
{
    testing::InitGoogleTest(&argc, argv);
    if (!pmq_test::select_tests_by_source(argc, argv))
        return 1;
    if (::unshare(CLONE_NEWIPC) == 0) {
        pmq_test::private_namespace = true;
    } else {
        std::fprintf(stderr,
                     "note: no private IPC namespace (unshare: %s); tests that change "
                     "/proc/sys/fs/mqueue are skipped. Run as root to include them.\n",
                     std::strerror(errno));
    }
    return RUN_ALL_TESTS();
}
