// Messages the export is done with, destroyed in bursts. cnats frees every
// message on its collector thread: natsMsg_Destroy queues it there and wakes
// that thread if it sleeps, so a loop that destroys one message at a time
// (two per message forwarded: the publish and its answer) woke it about once
// per message, a context switch each on a 2-vCPU machine. A burst wakes it
// once.
#pragma once

#include <nats/nats.h>

#include <vector>

namespace pmq_bridge {

class MessageGraveyard {
public:
    MessageGraveyard() { held_.reserve(burst); }
    ~MessageGraveyard() { bury(); }
    MessageGraveyard(const MessageGraveyard &) = delete;
    MessageGraveyard &operator=(const MessageGraveyard &) = delete;

    void add(natsMsg *msg)
    {
        held_.push_back(msg);
        if (held_.size() >= burst)
            bury();
    }

    // Destroys what is held (before the loop sleeps, say).
    void bury()
    {
        for (natsMsg *msg : held_)
            natsMsg_Destroy(msg);
        held_.clear();
    }

private:
    static constexpr size_t burst = 64;
    std::vector<natsMsg *> held_;
};

} // namespace pmq_bridge
