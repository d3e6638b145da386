// The producer and consumer of the bridge tests, run inside a "host" (an IPC
// namespace). Messages carry what the consumer needs to check them: their
// index, length and priority, and content derived from the index, so loss,
// corruption, duplicates and per-priority order are counted, not guessed.
//
//   queue_driver create QUEUE MAX_MESSAGES MESSAGE_SIZE
//   queue_driver count QUEUE                 (prints current_messages)
//   queue_driver send QUEUE stream|roundtrip FIRST COUNT SEED
//   queue_driver recv QUEUE stream|roundtrip COUNT SEED IDLE_MS [GRACE_MS [EXPECTED]]
//       message indexes are below COUNT; it waits IDLE_MS for each message
//       until EXPECTED (default COUNT) distinct ones arrived, then GRACE_MS
//       more for any extra (a duplicate, say)
//       prints {"received":..,"distinct":..,"missing":..,"duplicates":..,
//               "corrupt":..,"truncated":..,"order_violations":..,
//               "first_missing":[the first 10 indexes below COUNT not received]}
#include <pmq/pmq.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

constexpr unsigned stream_priorities[] = {0, 1, 7, 100, 1000, 16384, 32766, 32767};

struct Shape {
    size_t length;
    unsigned priority;
};

Shape shape(bool roundtrip, uint64_t i, uint64_t seed, size_t message_size)
{
    if (roundtrip)
        return {static_cast<size_t>(i), i == message_size ? 32767u : static_cast<unsigned>((i * 7919) % 32768)};
    const size_t span = message_size - 16 + 1;
    return {16 + static_cast<size_t>(mix(seed ^ (i * 3 + 1)) % span), stream_priorities[mix(seed ^ (i * 3 + 2)) % 8]};
}

void fill(std::vector<char> &out, bool roundtrip, uint64_t i, uint64_t seed, const Shape &s)
{
    out.resize(s.length);
    for (size_t k = 0; k < s.length; ++k)
        out[k] = static_cast<char>(mix(seed * 31 + i * 1000003 + k / 8) >> (8 * (k % 8)));
    if (!roundtrip) {
        const uint32_t length = static_cast<uint32_t>(s.length), priority = s.priority;
        std::memcpy(out.data(), &i, 8);
        std::memcpy(out.data() + 8, &length, 4);
        std::memcpy(out.data() + 12, &priority, 4);
    }
}

int fail(const char *what)
{
    std::fprintf(stderr, "queue_driver: %s: %s\n", what, pmq_last_error());
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: see the comment at the top of queue_driver.cpp\n");
        return 2;
    }
    const std::string command = argv[1];
    const char *name = argv[2];
    pmq_queue *q = nullptr;
    if (command == "create" && argc == 5) {
        if (pmq_create(name, PMQ_READ | PMQ_WRITE, 0, std::atoll(argv[3]), std::atoll(argv[4]), &q) < 0)
            return fail("create");
        return pmq_close(q);
    }
    if (command == "count" && argc == 3) {
        pmq_attr attr{};
        if (pmq_info(name, &attr) < 0)
            return fail("info");
        std::printf("%lld\n", static_cast<long long>(attr.current_messages));
        return 0;
    }
    if (argc < 6)
        return 2;
    const bool roundtrip = std::string(argv[3]) == "roundtrip";
    if (command == "send" && argc == 7) {
        const uint64_t first = std::strtoull(argv[4], nullptr, 10), count = std::strtoull(argv[5], nullptr, 10);
        const uint64_t seed = std::strtoull(argv[6], nullptr, 10);
        if (pmq_open(name, PMQ_WRITE, &q) < 0)
            return fail("open");
        pmq_attr attr{};
        pmq_getattr(q, &attr);
        std::vector<char> bytes;
        for (uint64_t i = first; i < first + count; ++i) {
            const Shape s = shape(roundtrip, i, seed, static_cast<size_t>(attr.message_size));
            fill(bytes, roundtrip, i, seed, s);
            int rc;
            while ((rc = pmq_send(q, bytes.data(), bytes.size(), s.priority)) == PMQ_EINTR) {
            }
            if (rc < 0)
                return fail("send");
        }
        return pmq_close(q);
    }
    if (command == "recv" && argc >= 8) {
        const uint64_t count = std::strtoull(argv[4], nullptr, 10), seed = std::strtoull(argv[5], nullptr, 10);
        const int idle_ms = std::atoi(argv[6]);
        const int grace_ms = argc > 7 ? std::atoi(argv[7]) : 0;
        const uint64_t expected_count = argc > 8 ? std::strtoull(argv[8], nullptr, 10) : count;
        if (pmq_open(name, PMQ_READ, &q) < 0)
            return fail("open");
        pmq_attr attr{};
        pmq_getattr(q, &attr);
        const auto message_size = static_cast<size_t>(attr.message_size);
        std::vector<char> buffer(message_size), expected;
        expected.reserve(message_size); // data() never NULL: memcmp's arguments are nonnull, even for 0 bytes
        std::vector<uint8_t> seen(count, 0);
        std::vector<int64_t> last(32768, -1);
        uint64_t received = 0, distinct = 0, duplicates = 0, corrupt = 0, truncated = 0, order = 0;
        while (true) {
            unsigned priority = 0;
            const int n = pmq_recv_timed(q, buffer.data(), buffer.size(), &priority, distinct >= expected_count ? grace_ms : idle_ms);
            if (n == PMQ_ETIMEDOUT || n == PMQ_EAGAIN)
                break;
            if (n == PMQ_EINTR)
                continue;
            if (n < 0)
                return fail("recv");
            ++received;
            uint64_t i = static_cast<uint64_t>(n);
            if (!roundtrip) {
                if (n < 16) {
                    ++corrupt;
                    continue;
                }
                std::memcpy(&i, buffer.data(), 8);
            }
            if (i >= count) {
                ++corrupt;
                continue;
            }
            const Shape s = shape(roundtrip, i, seed, message_size);
            fill(expected, roundtrip, i, seed, s);
            if (!roundtrip && static_cast<size_t>(n) < s.length && s.priority == priority &&
                std::memcmp(expected.data(), buffer.data(), static_cast<size_t>(n)) == 0) {
                // Intact but short: what a wrong length recovery would give
                // (docs/bridge.md, the receive window). Counted apart.
                ++truncated;
                continue;
            }
            if (s.length != static_cast<size_t>(n) || s.priority != priority ||
                std::memcmp(expected.data(), buffer.data(), s.length) != 0) {
                ++corrupt;
                continue;
            }
            if (seen[i]++ != 0) {
                ++duplicates;
                continue;
            }
            ++distinct;
            if (static_cast<int64_t>(i) < last[priority])
                ++order;
            else
                last[priority] = static_cast<int64_t>(i);
        }
        // The first missing indexes, so that a loss can be placed in the run.
        std::string first_missing;
        for (uint64_t i = 0, listed = 0; i < count && listed < 10; ++i) {
            if (seen[i] == 0)
                first_missing += (listed++ ? ", " : "") + std::to_string(i);
        }
        std::printf("{\"received\": %llu, \"distinct\": %llu, \"missing\": %llu, \"duplicates\": %llu, \"corrupt\": %llu, "
                    "\"truncated\": %llu, \"order_violations\": %llu, \"first_missing\": [%s]}\n",
                    (unsigned long long)received, (unsigned long long)distinct, (unsigned long long)(count - distinct),
                    (unsigned long long)duplicates, (unsigned long long)corrupt, (unsigned long long)truncated,
                    (unsigned long long)order, first_missing.c_str());
        return pmq_close(q);
    }
    return 2;
}
