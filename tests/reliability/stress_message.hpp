// The messages of the stress tests.  Each says who sent it, its place in that
// sender's sequence and its priority, and carries a checksum over all of it,
// so a receiver can tell a lost, duplicated, reordered or damaged message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>

namespace pmq_test {

inline constexpr std::size_t stress_message_size = 128; // the queue's message_size

struct StressHeader {
    std::uint32_t magic;
    std::uint32_t producer;
    std::uint32_t sequence;
    std::uint32_t priority;
    std::uint32_t payload_length;
    std::uint32_t reserved;
    std::uint64_t checksum; // FNV-1a over the header (this field 0) and the payload
};

inline constexpr std::uint32_t data_magic = 0x44514d50; // "PMQD"
inline constexpr std::uint32_t stop_magic = 0x53514d50; // "PMQS": the consumer stops
inline constexpr std::size_t max_payload = stress_message_size - sizeof(StressHeader);

inline std::uint64_t fnv1a(const unsigned char *bytes, std::size_t n, std::uint64_t h)
{
    for (std::size_t i = 0; i < n; ++i)
        h = (h ^ bytes[i]) * 0x100000001b3ULL;
    return h;
}

inline std::uint64_t stress_checksum(StressHeader header, const unsigned char *payload)
{
    header.checksum = 0;
    const std::uint64_t h = fnv1a(reinterpret_cast<const unsigned char *>(&header),
                                  sizeof header, 0xcbf29ce484222325ULL);
    return fnv1a(payload, header.payload_length, h);
}

// Writes the message into out (stress_message_size bytes) and returns its length.
// Lengths and contents vary with producer and sequence so that truncation or a
// mix-up between messages changes the checksum.
inline std::size_t encode_stress_message(std::uint32_t magic, std::uint32_t producer,
                                         std::uint32_t sequence, std::uint32_t priority,
                                         unsigned char *out)
{
    StressHeader header{magic, producer, sequence, priority, 0, 0, 0};
    header.payload_length = (sequence * 7u + producer * 13u) % (max_payload + 1);
    unsigned char *payload = out + sizeof header;
    for (std::uint32_t i = 0; i < header.payload_length; ++i)
        payload[i] = static_cast<unsigned char>(producer * 31u + sequence * 17u + i);
    header.checksum = stress_checksum(header, payload);
    std::memcpy(out, &header, sizeof header);
    return sizeof header + header.payload_length;
}

// The header of a received message of `length` bytes if it is intact, else nothing.
inline std::optional<StressHeader> decode_stress_message(const unsigned char *in,
                                                         std::size_t length)
{
    StressHeader header{};
    if (length < sizeof header)
        return std::nullopt;
    std::memcpy(&header, in, sizeof header);
    if ((header.magic != data_magic && header.magic != stop_magic) ||
        header.payload_length > max_payload || sizeof header + header.payload_length != length ||
        stress_checksum(header, in + sizeof header) != header.checksum)
        return std::nullopt;
    return header;
}

} // namespace pmq_test
