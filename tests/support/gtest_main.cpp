// main() of the GoogleTest executables that hold several test sources; see
// select_by_source.hpp.
#include "select_by_source.hpp"

#include <gtest/gtest.h>

int main(int argc, char **argv)
{
    testing::InitGoogleTest(&argc, argv);
    if (!pmq_test::select_tests_by_source(argc, argv))
        return 1;
    return RUN_ALL_TESTS();
}
