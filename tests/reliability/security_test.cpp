// Security (suite "security"): queues are private unless their creator says
// otherwise, another user can neither receive from, send to nor unlink them,
// PMQ_EXCL defeats a squatter, and a bad name is refused before any system call
// (proved with a seccomp filter that kills the process on any mq_* call).
#include <pmq/pmq.h>

#include <gtest/gtest.h>
#include <grp.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "child_processes.hpp"
#include "private_ipc.hpp"
#include "test_support.hpp"

namespace {

using namespace pmq_test;

#define REQUIRE_ROOT()                                                                     \
    do {                                                                                   \
        if (::geteuid() != 0)                                                              \
            GTEST_SKIP() << "needs root, to act as another user (uid 65534)";              \
    } while (0)

constexpr uid_t nobody = 65534;
constexpr gid_t nogroup = 65534;

// Drops every privilege for good: the child becomes an ordinary other user.
bool become_nobody()
{
    return ::setgroups(0, nullptr) == 0 && ::setresgid(nogroup, nogroup, nogroup) == 0 &&
           ::setresuid(nobody, nobody, nobody) == 0;
}

// What another user got from each call; lives in memory shared with the child.
struct OutsiderResults {
    int open_read, open_write, recv_from, send_to, unlink, info;
    char recv_explanation[512];
};

class SharedResults {
public:
    SharedResults()
        : results_(static_cast<OutsiderResults *>(::mmap(nullptr, sizeof(OutsiderResults),
                                                         PROT_READ | PROT_WRITE,
                                                         MAP_SHARED | MAP_ANONYMOUS, -1, 0)))
    {
    }
    SharedResults(const SharedResults &) = delete;
    SharedResults &operator=(const SharedResults &) = delete;
    ~SharedResults()
    {
        if (results_ != MAP_FAILED)
            ::munmap(results_, sizeof(OutsiderResults));
    }
    bool ok() const { return results_ != MAP_FAILED; }
    OutsiderResults *operator->() const { return results_; }
    OutsiderResults &get() const { return *results_; }

private:
    OutsiderResults *results_;
};

// Runs, as user nobody, every call another user could try on `name`.
void try_as_outsider(const std::string &name, OutsiderResults &results)
{
    ChildProcesses children;
    const pid_t pid = children.spawn([&] {
        if (!become_nobody())
            return 2;
        pmq_queue *q = nullptr;
        results.open_read = pmq_open(name.c_str(), PMQ_READ | PMQ_NONBLOCK, &q);
        pmq_close(q);
        q = nullptr;
        results.open_write = pmq_open(name.c_str(), PMQ_WRITE | PMQ_NONBLOCK, &q);
        pmq_close(q);
        char buf[64];
        results.recv_from = pmq_recv_from(name.c_str(), buf, sizeof buf, nullptr, PMQ_NONBLOCK);
        std::snprintf(results.recv_explanation, sizeof results.recv_explanation, "%s",
                      pmq_last_error());
        results.send_to = pmq_send_to(name.c_str(), "intruder", 8, 0, PMQ_NONBLOCK);
        pmq_attr attr{};
        results.info = pmq_info(name.c_str(), &attr);
        results.unlink = pmq_unlink(name.c_str());
        return 0;
    });
    ASSERT_GT(pid, 0);
    const int status = children.wait(pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "the outsider " << describe_wait_status(status) << " (exit 2: could not drop to uid "
        << nobody << ")";
}

// Restores the umask when a test ends.
class UmaskOverride {
public:
    explicit UmaskOverride(mode_t mask) : old_(::umask(mask)) {}
    UmaskOverride(const UmaskOverride &) = delete;
    UmaskOverride &operator=(const UmaskOverride &) = delete;
    ~UmaskOverride() { ::umask(old_); }

private:
    mode_t old_;
};

struct stat stat_of(pmq_queue *q)
{
    struct stat st {};
    ::fstat(pmq_fd(q), &st);
    return st;
}

using Handle = std::unique_ptr<pmq_queue, int (*)(pmq_queue *)>;

Handle create_with_message(const UnlinkGuard &queue, unsigned mode)
{
    pmq_queue *q = nullptr;
    const int rc = pmq_create(queue.c_str(), PMQ_READ | PMQ_WRITE | PMQ_EXCL | PMQ_NONBLOCK, mode,
                              4, 64, &q);
    EXPECT_EQ(rc, 0) << pmq_last_error();
    if (rc == 0) {
        EXPECT_EQ(pmq_send(q, "secret", 6, 0), 0) << pmq_last_error();
    }
    return Handle(q, pmq_close);
}

std::int64_t messages_in(pmq_queue *q)
{
    pmq_attr attr{};
    EXPECT_EQ(pmq_getattr(q, &attr), 0) << pmq_last_error();
    return attr.current_messages;
}

TEST(Security, DefaultModeIsOwnerOnlyWhateverTheUmask)
{
    const UmaskOverride permissive(0);
    const UnlinkGuard queue(unique_queue_name("mode"));
    const Handle q = create_with_message(queue, 0);
    ASSERT_TRUE(q);
    EXPECT_EQ(stat_of(q.get()).st_mode & 07777, 0600u);
}

TEST(Security, AnotherUserCanNeitherReceiveSendNorUnlink)
{
    REQUIRE_ROOT();
    const UnlinkGuard queue(unique_queue_name("private"));
    const Handle q = create_with_message(queue, 0);
    ASSERT_TRUE(q);
    SharedResults results;
    ASSERT_TRUE(results.ok());
    try_as_outsider(queue.name(), results.get());
    EXPECT_EQ(results->open_read, PMQ_EACCES);
    EXPECT_EQ(results->open_write, PMQ_EACCES);
    EXPECT_EQ(results->recv_from, PMQ_EACCES);
    EXPECT_EQ(results->send_to, PMQ_EACCES);
    EXPECT_EQ(results->info, PMQ_EACCES);
    EXPECT_EQ(results->unlink, PMQ_EACCES);
    EXPECT_NE(std::strstr(results->recv_explanation, "0600"), nullptr)
        << "the explanation should say why: " << results->recv_explanation;
    EXPECT_EQ(messages_in(q.get()), 1) << "the outsider took or added a message";
    char buf[64];
    EXPECT_EQ(pmq_recv(q.get(), buf, sizeof buf, nullptr), 6);
}

// The control for the test above: the same outsider succeeds where the owner
// allows it, so the refusals come from the mode and nothing else.  Even then
// only the owner may unlink (the queue directory is sticky).
TEST(Security, AQueueSharedOnPurposeIsUsableButNotRemovableByOthers)
{
    REQUIRE_ROOT();
    const UmaskOverride permissive(0);
    const UnlinkGuard queue(unique_queue_name("shared"));
    const Handle q = create_with_message(queue, 0666);
    ASSERT_TRUE(q);
    EXPECT_EQ(stat_of(q.get()).st_mode & 07777, 0666u);
    SharedResults results;
    ASSERT_TRUE(results.ok());
    try_as_outsider(queue.name(), results.get());
    EXPECT_EQ(results->open_read, 0);
    EXPECT_EQ(results->open_write, 0);
    EXPECT_EQ(results->recv_from, 6) << "the outsider should have read \"secret\"";
    EXPECT_EQ(results->send_to, 0);
    EXPECT_EQ(results->info, 0);
    EXPECT_EQ(results->unlink, PMQ_EACCES);
    EXPECT_EQ(messages_in(q.get()), 1) << "the outsider's own message should be there";
}

TEST(Security, UmaskNarrowsARequestedMode)
{
    REQUIRE_ROOT();
    const UmaskOverride strict(077);
    const UnlinkGuard queue(unique_queue_name("umask"));
    const Handle q = create_with_message(queue, 0666);
    ASSERT_TRUE(q);
    EXPECT_EQ(stat_of(q.get()).st_mode & 07777, 0600u);
    SharedResults results;
    ASSERT_TRUE(results.ok());
    try_as_outsider(queue.name(), results.get());
    EXPECT_EQ(results->open_read, PMQ_EACCES);
    EXPECT_EQ(results->send_to, PMQ_EACCES);
}

// A squatter creates the name first, readable by all; PMQ_EXCL refuses to use it.
TEST(Security, ExclusiveCreateDefeatsASquatter)
{
    REQUIRE_ROOT();
    const UnlinkGuard queue(unique_queue_name("squat"));
    ChildProcesses children;
    const pid_t squatter = children.spawn([&] {
        ::umask(0);
        pmq_queue *q = nullptr;
        if (!become_nobody() ||
            pmq_create(queue.c_str(), PMQ_READ | PMQ_WRITE | PMQ_EXCL, 0666, 4, 64, &q) != 0)
            return 1;
        pmq_close(q);
        return 0;
    });
    ASSERT_GT(squatter, 0);
    const int status = children.wait(squatter);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << describe_wait_status(status);

    pmq_queue *q = nullptr;
    EXPECT_EQ(pmq_create(queue.c_str(), PMQ_READ | PMQ_WRITE | PMQ_EXCL, 0, 4, 64, &q),
              PMQ_EEXIST);
    EXPECT_EQ(q, nullptr);
    // Without PMQ_EXCL the caller silently gets the squatter's queue.
    ASSERT_EQ(pmq_create(queue.c_str(), PMQ_READ | PMQ_WRITE, 0, 4, 64, &q), 0)
        << pmq_last_error();
    const Handle opened(q, pmq_close);
    EXPECT_EQ(stat_of(q).st_uid, nobody);
}

// --- names are checked before any system call --------------------------------

// Kills the process with SIGSYS on any message-queue system call.
bool forbid_mq_syscalls()
{
    scmp_filter_ctx ctx = ::seccomp_init(SCMP_ACT_ALLOW);
    if (ctx == nullptr)
        return false;
    bool ok = true;
    for (const int call : {SCMP_SYS(mq_open), SCMP_SYS(mq_unlink), SCMP_SYS(mq_timedsend),
                           SCMP_SYS(mq_timedreceive), SCMP_SYS(mq_getsetattr),
                           SCMP_SYS(mq_notify)})
        ok = ok && ::seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, call, 0) == 0;
    ok = ok && ::seccomp_load(ctx) == 0;
    ::seccomp_release(ctx);
    return ok;
}

enum class NameCall { create, open, unlink, send_to, recv_from, info };
const char *call_name(NameCall call)
{
    static const char *const names[] = {"pmq_create",  "pmq_open",      "pmq_unlink",
                                        "pmq_send_to", "pmq_recv_from", "pmq_info"};
    return names[static_cast<int>(call)];
}

int invoke(NameCall call, const char *name)
{
    pmq_queue *q = nullptr;
    char buf[64];
    pmq_attr attr{};
    switch (call) {
    case NameCall::create: return pmq_create(name, PMQ_READ, 0, 0, 0, &q);
    case NameCall::open: return pmq_open(name, PMQ_READ, &q);
    case NameCall::unlink: return pmq_unlink(name);
    case NameCall::send_to: return pmq_send_to(name, "x", 1, 0, PMQ_NONBLOCK);
    case NameCall::recv_from: return pmq_recv_from(name, buf, sizeof buf, nullptr, PMQ_NONBLOCK);
    case NameCall::info: return pmq_info(name, &attr);
    }
    return 1;
}

// The wait status of a child that forbids mq_* system calls, then makes `call`;
// it exits with 0 if the call returned PMQ_ENAME.
int status_under_filter(NameCall call, const char *name)
{
    ChildProcesses children;
    const pid_t pid = children.spawn([&] {
        if (!forbid_mq_syscalls())
            return 2;
        return invoke(call, name) == PMQ_ENAME ? 0 : 3;
    });
    return pid > 0 ? children.wait(pid) : -1;
}

TEST(Security, BadNamesAreRefusedBeforeAnySystemCall)
{
    const std::string too_long = "/" + std::string(256, 'a');
    const std::string far_too_long = "/" + std::string(100000, 'b');
    const char *const bad_names[] = {nullptr,  "",    "jobs", "/",  "//",   "/a/b", "/../x",
                                     "/.",     "/..", "a/b",  "/x/", too_long.c_str(),
                                     far_too_long.c_str()};
    const NameCall calls[] = {NameCall::create,  NameCall::open,      NameCall::unlink,
                              NameCall::send_to, NameCall::recv_from, NameCall::info};
    for (const NameCall call : calls)
        for (const char *name : bad_names) {
            const int status = status_under_filter(call, name);
            EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
                << call_name(call) << "(\"" << (name ? std::string(name).substr(0, 20) : "NULL")
                << "\"): " << describe_wait_status(status)
                << (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS
                        ? ": it reached an mq_* system call"
                        : ": it did not return PMQ_ENAME (exit 2: no seccomp filter)");
        }
}

// The control for the test above: a good name does reach the system, and the
// filter catches it.
TEST(Security, TheSyscallFilterCatchesAGoodName)
{
    const UnlinkGuard queue(unique_queue_name("seccomp"));
    for (const NameCall call : {NameCall::create, NameCall::open, NameCall::unlink}) {
        const int status = status_under_filter(call, queue.c_str());
        EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
            << call_name(call) << ": " << describe_wait_status(status);
    }
}

} // namespace
