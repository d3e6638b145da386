// pmq::errc, pmq::category(), make_error_code and pmq::error: the error
// vocabulary of pmq.hpp, checked against the C codes it mirrors.
#include <pmq/pmq.hpp>

#include <gtest/gtest.h>

#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "test_support.hpp"

namespace {

static_assert(std::is_error_code_enum<pmq::errc>::value);
static_assert(std::is_same_v<std::underlying_type_t<pmq::errc>, int>);

// Every enumerator with the C code it must equal.
const std::vector<std::pair<pmq::errc, int>> &all_codes()
{
    static const std::vector<std::pair<pmq::errc, int>> codes = {
        {pmq::errc::invalid_argument, PMQ_EINVAL},  {pmq::errc::invalid_name, PMQ_ENAME},
        {pmq::errc::not_found, PMQ_ENOENT},         {pmq::errc::exists, PMQ_EEXIST},
        {pmq::errc::permission_denied, PMQ_EACCES}, {pmq::errc::would_block, PMQ_EAGAIN},
        {pmq::errc::timed_out, PMQ_ETIMEDOUT},      {pmq::errc::interrupted, PMQ_EINTR},
        {pmq::errc::message_size, PMQ_EMSGSIZE},    {pmq::errc::bad_direction, PMQ_EBADF},
        {pmq::errc::limit, PMQ_ELIMIT},             {pmq::errc::busy, PMQ_EBUSY},
        {pmq::errc::no_memory, PMQ_ENOMEM},         {pmq::errc::not_supported, PMQ_ENOTSUP},
        {pmq::errc::system, PMQ_ESYS},              {pmq::errc::canceled, PMQ_ECANCELED},
    };
    return codes;
}

TEST(ErrorCode, EveryEnumeratorEqualsItsCCode)
{
    ASSERT_EQ(all_codes().size(), 16u) << "one enumerator per PMQ_E* code except PMQ_OK";
    for (const auto &[e, c] : all_codes())
        EXPECT_EQ(static_cast<int>(e), c) << pmq_err_name(c);
}

TEST(ErrorCode, MakeErrorCodeUsesThePmqCategoryAndCText)
{
    for (const auto &[e, c] : all_codes()) {
        const std::error_code ec = make_error_code(e);
        EXPECT_EQ(ec.value(), c);
        EXPECT_EQ(&ec.category(), &pmq::category());
        EXPECT_EQ(ec.message(), pmq_strerror(c));
        EXPECT_TRUE(ec) << "a failure must convert to true";
    }
    EXPECT_STREQ(pmq::category().name(), "pmq");
}

TEST(ErrorCode, ComparesWithTheEnumDirectly)
{
    const std::error_code ec = pmq::errc::not_found; // implicit, through is_error_code_enum
    EXPECT_TRUE(ec == pmq::errc::not_found);
    EXPECT_FALSE(ec == pmq::errc::exists);
    EXPECT_TRUE(ec != pmq::errc::exists);
    // Same value, other category: not equal.
    EXPECT_NE(ec, std::error_code(PMQ_ENOENT, std::generic_category()));
}

TEST(ErrorCode, MapsToPortableConditions)
{
    const std::vector<std::pair<pmq::errc, std::errc>> portable = {
        {pmq::errc::invalid_argument, std::errc::invalid_argument},
        {pmq::errc::not_found, std::errc::no_such_file_or_directory},
        {pmq::errc::exists, std::errc::file_exists},
        {pmq::errc::permission_denied, std::errc::permission_denied},
        {pmq::errc::would_block, std::errc::resource_unavailable_try_again},
        {pmq::errc::timed_out, std::errc::timed_out},
        {pmq::errc::interrupted, std::errc::interrupted},
        {pmq::errc::canceled, std::errc::operation_canceled},
        {pmq::errc::message_size, std::errc::message_size},
        {pmq::errc::bad_direction, std::errc::bad_file_descriptor},
        {pmq::errc::busy, std::errc::device_or_resource_busy},
        {pmq::errc::no_memory, std::errc::not_enough_memory},
        {pmq::errc::not_supported, std::errc::not_supported},
    };
    for (const auto &[e, cond] : portable) {
        EXPECT_TRUE(make_error_code(e) == cond) << make_error_code(e).message();
        EXPECT_FALSE(make_error_code(pmq::errc::limit) == cond);
    }
    // Codes with no portable meaning stay in the pmq category.
    for (pmq::errc e : {pmq::errc::invalid_name, pmq::errc::limit, pmq::errc::system}) {
        const std::error_condition cond = make_error_code(e).default_error_condition();
        EXPECT_EQ(&cond.category(), &pmq::category());
        EXPECT_EQ(cond.value(), static_cast<int>(e));
    }
}

TEST(Error, WhatIsTheExplanationAndCodeIsKept)
{
    const pmq::error e(pmq::errc::busy, "pmq_notify(\"/q\"): another process holds it");
    EXPECT_STREQ(e.what(), "pmq_notify(\"/q\"): another process holds it");
    EXPECT_EQ(e.code(), pmq::errc::busy);
    const std::system_error &as_system_error = e; // catchable as std::system_error
    EXPECT_EQ(as_system_error.code(), pmq::errc::busy);
}

TEST(Error, EmptyExplanationFallsBackToTheCodesText)
{
    const pmq::error e(pmq::errc::timed_out, "");
    EXPECT_STREQ(e.what(), pmq_strerror(PMQ_ETIMEDOUT));
}

TEST(Error, CopiesKeepTheExplanation)
{
    const pmq::error original(pmq::errc::limit, "too deep");
    const pmq::error copy = original; // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_STREQ(copy.what(), "too deep");
    EXPECT_EQ(copy.code(), pmq::errc::limit);
}

TEST(Error, ThrownWhatIsPmqLastErrorOfTheFailure)
{
    const std::string name = pmq_test::unique_queue_name("cxx-err");
    try {
        (void)pmq::queue::open(name, pmq::access::read);
        FAIL() << "opening a missing queue must throw";
    } catch (const pmq::error &e) {
        EXPECT_EQ(e.code(), pmq::errc::not_found);
        EXPECT_STREQ(e.what(), pmq_last_error());
        EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
}

} // namespace
