// What each benchmark message carries: the time it was sent (CLOCK_MONOTONIC,
// which every IPC namespace of the machine shares), its sequence number in the
// measurement, and filler that depends on both, so the receiver can tell a
// lost, reordered or corrupted message from a good one.
#pragma once

#include <cstdint>
#include <cstring>
#include <ctime>

namespace bridge_bench {

constexpr std::size_t smallest_message = 16;

inline std::uint64_t monotonic_ns()
{
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1000000000u + static_cast<std::uint64_t>(now.tv_nsec);
}

inline void fill_message(unsigned char *message, std::size_t size, std::uint32_t sequence)
{
    std::memset(message + 12, static_cast<int>(sequence & 0xffu), size - 12);
    std::memcpy(message + 8, &sequence, sizeof sequence);
    const std::uint64_t sent = monotonic_ns(); // last: the stamp is the moment it leaves
    std::memcpy(message, &sent, sizeof sent);
}

struct Received {
    bool intact;            // expected length and filler
    std::uint32_t sequence;
    std::uint64_t sent_ns;
};

inline Received read_message(const unsigned char *message, std::size_t length, std::size_t size)
{
    Received r{length == size && length >= smallest_message, 0, 0};
    if (length < smallest_message)
        return r;
    std::memcpy(&r.sent_ns, message, sizeof r.sent_ns);
    std::memcpy(&r.sequence, message + 8, sizeof r.sequence);
    for (std::size_t i = 12; r.intact && i < length; ++i)
        r.intact = message[i] == static_cast<unsigned char>(r.sequence & 0xffu);
    return r;
}

} // namespace bridge_bench
