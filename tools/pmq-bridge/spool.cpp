#include "spool.hpp"

#include "exit_status.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pmq_bridge {
namespace {

constexpr char spool_magic[8] = {'P', 'M', 'Q', 'S', 'P', 'O', 'O', 'L'};
// 2: the pattern is the slot's own (it was the sequence's), restored over
// only what the last message wrote (Slot::dirty).
constexpr uint32_t spool_version = 2;
constexpr size_t header_size = 4096;

struct Header {
    char magic[8];
    uint32_t version;
    uint32_t slot_count;
    uint64_t slot_payload;
    uint64_t next_seq;
    char id_prefix[256];
};
static_assert(sizeof(Header) <= header_size);

template <typename T> void store(T &where, T value)
{
    // Release: a later state store is never seen before the fields it covers,
    // even by a successor reading the page cache after a SIGKILL.
    __atomic_store_n(&where, value, __ATOMIC_RELEASE);
}

template <typename T> T load(const T &where)
{
    return __atomic_load_n(&where, __ATOMIC_ACQUIRE);
}

uint64_t mix(uint64_t x)
{
    // splitmix64: a pattern no real message is likely to repeat.
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

std::string random_epoch()
{
    std::random_device device;
    const uint64_t value = (static_cast<uint64_t>(device()) << 32) ^ device();
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
}

} // namespace

Spool::Spool(const std::string &path, uint32_t slot_count, uint64_t message_size, const std::string &identity)
{
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
        throw Fatal{ExitStatus::failure, "cannot open the spool " + path + ": " + std::strerror(errno)};
    struct stat st {};
    ::fstat(fd_, &st);
    Header existing {};
    bool reuse = false;
    if (st.st_size >= static_cast<off_t>(header_size) && ::pread(fd_, &existing, sizeof existing, 0) == sizeof existing &&
        std::memcmp(existing.magic, spool_magic, sizeof spool_magic) == 0) {
        if (existing.version != spool_version)
            throw Fatal{ExitStatus::failure, "the spool " + path + " was made by another pmq-bridge version (spool format " +
                                                 std::to_string(existing.version) + ", this one reads " +
                                                 std::to_string(spool_version) + "); run that version to empty it, or move it away"};
        reuse = true;
        slot_count_ = existing.slot_count;
        slot_payload_ = existing.slot_payload;
    } else if (st.st_size != 0) {
        throw Fatal{ExitStatus::failure, "the spool " + path + " is not a pmq-bridge spool; move it away"};
    }
    auto map = [&]() {
        stride_ = (sizeof(Slot) + slot_payload_ + 63) & ~size_t{63};
        mapped_ = header_size + stride_ * slot_count_;
        if (::ftruncate(fd_, static_cast<off_t>(mapped_)) != 0)
            throw Fatal{ExitStatus::failure, "cannot size the spool " + path + ": " + std::strerror(errno)};
        void *p = ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
        if (p == MAP_FAILED)
            throw Fatal{ExitStatus::failure, "cannot map the spool " + path + ": " + std::strerror(errno)};
        base_ = static_cast<char *>(p);
    };
    if (reuse) {
        map();
        bool holds = false;
        for (uint32_t i = 0; i < slot_count_; ++i) {
            const Slot &s = slot(i);
            holds |= s.state == held || (s.state == armed && s.priority != sentinel_priority);
        }
        if (slot_payload_ < message_size && holds)
            throw Fatal{ExitStatus::failure, "the spool " + path + " holds messages of at most " +
                                                 std::to_string(slot_payload_) + " bytes but the queue's message_size is " +
                                                 std::to_string(message_size) +
                                                 "; run the bridge once against the old queue to empty it"};
        // An empty one is made again if its slots are too small, or not as
        // many as this build uses; one holding messages keeps its slots until
        // it has been emptied.
        if (!holds && (slot_payload_ < message_size || slot_count_ != slot_count)) {
            ::munmap(base_, mapped_);
            base_ = nullptr;
            reuse = false;
        }
    }
    if (!reuse) {
        slot_count_ = slot_count;
        slot_payload_ = message_size;
        if (::ftruncate(fd_, 0) != 0)
            throw Fatal{ExitStatus::failure, "cannot reset the spool " + path + ": " + std::strerror(errno)};
        map();
        auto *header = reinterpret_cast<Header *>(base_);
        std::memset(base_, 0, header_size);
        header->version = spool_version;
        header->slot_count = slot_count_;
        header->slot_payload = slot_payload_;
        header->next_seq = 1;
        const std::string prefix = identity + ":" + random_epoch();
        std::snprintf(header->id_prefix, sizeof header->id_prefix, "%s", prefix.c_str());
        for (uint32_t i = 0; i < slot_count_; ++i) {
            slot(i).priority = sentinel_priority;
            slot(i).state = free_slot;
            slot(i).dirty = slot_payload_; // zeros, not the pattern, until first armed
        }
        // The magic last: a spool killed while being made is made again.
        std::memcpy(header->magic, spool_magic, sizeof spool_magic);
    }
    id_prefix_ = reinterpret_cast<Header *>(base_)->id_prefix;
}

Spool::~Spool()
{
    if (base_ != nullptr)
        ::munmap(base_, mapped_);
    if (fd_ >= 0)
        ::close(fd_);
}

Spool::Slot &Spool::slot(uint32_t index)
{
    return *reinterpret_cast<Slot *>(base_ + header_size + stride_ * index);
}

char *Spool::payload(uint32_t index)
{
    return base_ + header_size + stride_ * index + sizeof(Slot);
}

// A slot's pattern, 4 KiB block by block: one table of pseudo-random words
// (the same for every block) XORed with a key of the slot and block, so that
// restoring it runs at memory speed.
namespace {
constexpr uint64_t pattern_block = 4096;
constexpr uint64_t block_words = pattern_block / 8;

const uint64_t *pattern_table()
{
    static const auto table = [] {
        std::array<uint64_t, block_words> words{};
        for (uint64_t k = 0; k < block_words; ++k)
            words[k] = mix(k);
        return words;
    }();
    return table.data();
}

uint64_t block_key(uint32_t index, uint64_t block)
{
    return mix((static_cast<uint64_t>(index) << 40) + block + 0x5151);
}
} // namespace

void Spool::restore_pattern(uint32_t index, uint64_t length)
{
    const uint64_t *table = pattern_table();
    char *bytes = payload(index);
    // Whole words up to `length`; the slot's last bytes if its size is not a multiple of 8.
    const uint64_t end = std::min(slot_payload_, (length + 7) & ~uint64_t{7});
    for (uint64_t from = 0; from < end; from += pattern_block) {
        const uint64_t key = block_key(index, from / pattern_block);
        const uint64_t bytes_here = std::min(from + pattern_block, end) - from;
        const uint64_t words = (bytes_here + 7) / 8;
        uint64_t out[block_words];
        for (uint64_t k = 0; k < words; ++k)
            out[k] = table[k] ^ key;
        std::memcpy(bytes + from, out, bytes_here);
    }
}

bool Spool::matches_pattern(uint32_t index, uint64_t at)
{
    const uint64_t word = pattern_table()[(at % pattern_block) / 8] ^ block_key(index, at / pattern_block);
    return static_cast<char>(word >> (8 * (at & 7))) == payload(index)[at];
}

void Spool::arm(uint32_t index)
{
    auto *header = reinterpret_cast<Header *>(base_);
    // The sequence is taken before the slot shows it, so no two slots (and no
    // restart) ever publish two messages under one id.
    const uint64_t seq = load(header->next_seq);
    store(header->next_seq, seq + 1);
    Slot &s = slot(index);
    store(s.state, static_cast<uint32_t>(free_slot));
    store(s.priority, sentinel_priority);
    restore_pattern(index, load(s.dirty));
    store(s.dirty, uint64_t{0});
    s.length = 0;
    store(s.seq, seq);
    store(s.state, static_cast<uint32_t>(armed));
}

void Spool::hold(uint32_t index, uint64_t length)
{
    Slot &s = slot(index);
    store(s.dirty, std::max(load(s.dirty), length));
    store(s.length, length);
    store(s.state, static_cast<uint32_t>(held));
}

void Spool::release(uint32_t index)
{
    Slot &s = slot(index);
    store(s.state, static_cast<uint32_t>(free_slot));
    store(s.priority, sentinel_priority);
}

uint64_t Spool::recover()
{
    uint64_t recovered = 0;
    auto *header = reinterpret_cast<Header *>(base_);
    uint64_t next = load(header->next_seq);
    for (uint32_t i = 0; i < slot_count_; ++i) {
        Slot &s = slot(i);
        if (s.state != free_slot && s.seq >= next)
            next = s.seq + 1;
        if (s.state != armed || load(s.priority) == sentinel_priority)
            continue;
        // The kernel took the message out of the queue and wrote its priority
        // and payload here, but the kill came before the length was stored.
        uint64_t length = slot_payload_;
        while (length > 0 && matches_pattern(i, length - 1))
            --length;
        hold(i, length);
        ++recovered;
    }
    store(header->next_seq, next);
    return recovered;
}

} // namespace pmq_bridge
