// expect_throws(call, code): the check every pmq.hpp error-path test makes.
#pragma once

#include <pmq/pmq.hpp>

#include <gtest/gtest.h>

#include <string>

namespace pmq_test {

// Runs `call`, which must throw pmq::error with `code` and an explanation;
// returns its what() for further checks ("" if nothing was thrown).
template <class Call>
std::string expect_throws(Call &&call, pmq::errc code)
{
    try {
        call();
    } catch (const pmq::error &e) {
        EXPECT_EQ(e.code(), code) << e.what();
        EXPECT_STRNE(e.what(), "") << "every failure must be explained";
        return e.what();
    }
    ADD_FAILURE() << "expected pmq::error " << make_error_code(code).message();
    return {};
}

} // namespace pmq_test
