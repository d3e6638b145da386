// The import side's memory, DIR/import.state (a small MAP_SHARED file): the
// stream sequence of the last message sent into the local queue, and of the
// one being sent. A redelivery at or below the first is acknowledged without
// being sent again. If a kill lands after the kernel queued a message but
// before `delivered` was stored, the restarted bridge cannot know whether it
// was sent: `sending > delivered` says so, and that one message is sent again
// (docs/bridge.md: the one duplicate window).
#pragma once

#include <cstdint>
#include <string>

namespace pmq_bridge {

class DeliveryRecord {
public:
    explicit DeliveryRecord(const std::string &path);
    ~DeliveryRecord();
    DeliveryRecord(const DeliveryRecord &) = delete;
    DeliveryRecord &operator=(const DeliveryRecord &) = delete;

    // Sequences belong to one stream incarnation and one durable: if either
    // differs from what the record was made for, it starts afresh (returns
    // true then, so the caller can log it).
    bool bind(const std::string &stream, int64_t stream_created, const std::string &durable);

    uint64_t delivered() const;
    // The seq whose send may or may not have happened before the last kill, or 0.
    uint64_t uncertain() const;
    void begin(uint64_t seq);
    void done(uint64_t seq);
    // The send begun was given up before it happened (a stop while the
    // queue was full): nothing is uncertain.
    void abandon();

private:
    struct Layout;
    int fd_ = -1;
    Layout *record_ = nullptr;
};

} // namespace pmq_bridge
