// Zero heap allocations per operation: this test binary replaces malloc,
// calloc and realloc with counting versions.  They interpose for libpmq and
// libstdc++ too (the dynamic linker resolves their calls to them), and
// libstdc++'s operator new allocates with malloc, so every allocation made
// inside an armed window is counted; the first test proves it.
#include <pmq/pmq.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>

#include "test_support.hpp"

extern "C" {
void *__libc_malloc(std::size_t);
void *__libc_calloc(std::size_t, std::size_t);
void *__libc_realloc(void *, std::size_t);
}

namespace {

std::atomic<bool> armed{false};
std::atomic<long> allocations{0};

void count()
{
    if (armed.load(std::memory_order_relaxed))
        allocations.fetch_add(1, std::memory_order_relaxed);
}

} // namespace

extern "C" void *malloc(std::size_t size)
{
    count();
    return __libc_malloc(size);
}

extern "C" void *calloc(std::size_t n, std::size_t size)
{
    count();
    return __libc_calloc(n, size);
}

extern "C" void *realloc(void *p, std::size_t size)
{
    count();
    return __libc_realloc(p, size);
}

namespace {

// Counts the allocations made while it is alive.
class AllocationWindow {
public:
    AllocationWindow()
    {
        allocations = 0;
        armed = true;
    }
    ~AllocationWindow() { armed = false; }
    long count() const { return allocations.load(); }
};

constexpr int rounds = 1000;
constexpr std::int64_t message_size = 128;

class AllocationCount : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_EQ(pmq_create(guard_.c_str(), PMQ_READ | PMQ_WRITE | PMQ_EXCL, 0600, 4,
                             message_size, &q_),
                  0)
            << pmq_last_error();
    }
    void TearDown() override { pmq_close(q_); }

    pmq_test::UnlinkGuard guard_{pmq_test::unique_queue_name("alloc")};
    pmq_queue *q_ = nullptr;
    char buf_[message_size] = {};
    const char msg_[16] = "fifteen bytes..";
};

TEST_F(AllocationCount, CounterSeesMallocAndNew)
{
    // The proof that a zero below is not a counter that never counts.
    // Called through volatile pointers, so the compiler cannot elide them.
    void *(*const volatile allocate)(std::size_t) = std::malloc;
    void *(*const volatile allocate_object)(std::size_t) = ::operator new;
    const AllocationWindow window;
    void *p = allocate(32);
    void *object = allocate_object(32);
    EXPECT_EQ(window.count(), 2);
    ::operator delete(object);
    std::free(p);
}

TEST_F(AllocationCount, HandleCallsAllocateNothing)
{
    ASSERT_EQ(pmq_send(q_, msg_, sizeof msg_, 1), 0); // warm-up: lazy binding, TLS
    ASSERT_EQ(pmq_recv(q_, buf_, sizeof buf_, nullptr), static_cast<int>(sizeof msg_));
    const AllocationWindow window;
    for (int i = 0; i < rounds; ++i) {
        ASSERT_EQ(pmq_send(q_, msg_, sizeof msg_, 1), 0);
        unsigned prio = 0;
        ASSERT_EQ(pmq_recv(q_, buf_, sizeof buf_, &prio), static_cast<int>(sizeof msg_));
        ASSERT_EQ(pmq_send_timed(q_, msg_, sizeof msg_, 2, 1000), 0);
        ASSERT_EQ(pmq_recv_timed(q_, buf_, sizeof buf_, &prio, 1000),
                  static_cast<int>(sizeof msg_));
    }
    EXPECT_EQ(window.count(), 0);
}

TEST_F(AllocationCount, FailedCallsAllocateNothing)
{
    ASSERT_EQ(pmq_recv_timed(q_, buf_, sizeof buf_, nullptr, 0), PMQ_EAGAIN);
    const AllocationWindow window;
    for (int i = 0; i < rounds; ++i) {
        ASSERT_EQ(pmq_recv_timed(q_, buf_, sizeof buf_, nullptr, 0), PMQ_EAGAIN);
        ASSERT_EQ(pmq_recv_from(guard_.c_str(), buf_, sizeof buf_, nullptr, PMQ_NONBLOCK),
                  PMQ_EAGAIN);
        ASSERT_EQ(pmq_send(q_, msg_, sizeof msg_, 40000), PMQ_EINVAL);
    }
    EXPECT_EQ(window.count(), 0);
}

TEST_F(AllocationCount, NameBasedCallsAllocateNothingOnceWarm)
{
    const char *name = guard_.c_str();
    ASSERT_EQ(pmq_send_to(name, msg_, sizeof msg_, 0, 0), 0); // warm-up opens and caches
    ASSERT_EQ(pmq_recv_from(name, buf_, sizeof buf_, nullptr, 0), static_cast<int>(sizeof msg_));
    pmq_attr attr{};
    ASSERT_EQ(pmq_info(name, &attr), 0);
    const AllocationWindow window;
    for (int i = 0; i < rounds; ++i) {
        ASSERT_EQ(pmq_send_to(name, msg_, sizeof msg_, 0, 0), 0);
        ASSERT_EQ(pmq_recv_from(name, buf_, sizeof buf_, nullptr, 0),
                  static_cast<int>(sizeof msg_));
        ASSERT_EQ(pmq_send_to(name, msg_, sizeof msg_, 0, PMQ_NONBLOCK), 0);
        ASSERT_EQ(pmq_recv_from(name, buf_, sizeof buf_, nullptr, PMQ_NONBLOCK),
                  static_cast<int>(sizeof msg_));
        ASSERT_EQ(pmq_info(name, &attr), 0);
    }
    EXPECT_EQ(window.count(), 0);
}

} // namespace
