// The export side's spool: a file-backed MAP_SHARED array of slots under the
// state directory. mq_receive writes straight into a slot, so the moment the
// kernel hands a message over it is in the page cache, which outlives a
// SIGKILL of this process; a restarted bridge finds it there and publishes it
// again under the same message id (JetStream drops the copy).
//
// A slot is FREE, ARMED (waiting in mq_receive; priority = the sentinel until
// the kernel writes the real one, payload prefilled with a pattern of its
// slot) or HELD (a message, not yet acknowledged by JetStream). The kernel
// writes the priority before the payload and returns the length only as the
// result of the call: a kill after the message left the queue but before the
// length was stored leaves an ARMED slot with a real priority, whose length is
// recovered as the end of what differs from the pattern (docs/bridge.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pmq_bridge {

class Spool {
public:
    static constexpr uint32_t sentinel_priority = 0xFFFFFFFFu; // > any real priority (32767)

    struct Slot {
        uint64_t seq;
        uint32_t priority; // written by the kernel through mq_receive's priority pointer
        uint32_t state;
        uint64_t length;
        // How many bytes at the start of the payload may differ from the
        // slot's pattern: what the last message wrote. Arming restores only
        // those, so a message costs its own size, not the slot's.
        uint64_t dirty;
        // payload follows
    };
    enum : uint32_t { free_slot = 0, armed = 1, held = 2 };

    // Opens DIR/export.spool, or creates it for `slot_count` slots of
    // `message_size` bytes. An existing spool that holds nothing is made
    // again unless its slots are as many and big enough; one that holds
    // messages keeps its slots if they are big enough, and otherwise throws
    // Fatal.
    Spool(const std::string &path, uint32_t slot_count, uint64_t message_size, const std::string &identity);
    ~Spool();
    Spool(const Spool &) = delete;
    Spool &operator=(const Spool &) = delete;

    uint32_t slot_count() const { return slot_count_; }
    uint64_t capacity() const { return slot_payload_; }
    Slot &slot(uint32_t index);
    char *payload(uint32_t index);

    // The message id prefix, stable for the life of this spool file:
    // "<host>:<queue>:<random epoch>", so a wiped state directory never
    // reuses an id JetStream still remembers.
    const std::string &id_prefix() const { return id_prefix_; }

    // Gives a slot the next sequence, the sentinel priority and its pattern.
    void arm(uint32_t index);
    // The receive returned `length`: the slot now holds a message.
    void hold(uint32_t index, uint64_t length);
    // JetStream stored it: the slot is free again.
    void release(uint32_t index);

    // After a restart: ARMED slots the kernel wrote into become HELD (length
    // recovered; counted), ARMED ones it did not stay ARMED for reuse.
    // Returns how many lengths had to be recovered.
    uint64_t recover();

private:
    void restore_pattern(uint32_t index, uint64_t length);
    bool matches_pattern(uint32_t index, uint64_t at);

    int fd_ = -1;
    char *base_ = nullptr;
    size_t mapped_ = 0;
    uint32_t slot_count_ = 0;
    uint64_t slot_payload_ = 0;
    size_t stride_ = 0;
    std::string id_prefix_;
};

} // namespace pmq_bridge
