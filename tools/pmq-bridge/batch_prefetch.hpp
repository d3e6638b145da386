// The import side's fetches, one batch ahead: while the loop sends one batch
// into the local queue, a thread fetches the next, so the round trip to the
// server overlaps the local sends instead of adding to them. Batches come out
// in the order they were fetched, which is delivery order.
#pragma once

#include <nats/nats.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace pmq_bridge {

// How many deliveries to ask a fetch of `sub` for, at most `batch`.
// cnats 3.4.1 (Debian 12's libnats) writes past the array its fetch fills
// when deliveries for an earlier, expired pull request wait in the
// subscription and more keep arriving (nats.c#749, fixed in 3.9.0): it
// happened here after a stalled cluster answered a backlog of pull
// requests at once. While any delivery waits, this is 1, which the fetch
// serves from what waits without asking the server, and cannot overrun.
int safe_fetch_batch(natsSubscription *sub, int batch);

class BatchPrefetch {
public:
    struct Batch {
        natsStatus status = NATS_OK; // not NATS_OK: `error` says what the client said
        natsMsgList list{};          // owned by the taker: natsMsgList_Destroy
        std::string error;
    };

    // Up to `batch_size` messages a fetch from the pull subscription `sub`.
    BatchPrefetch(natsSubscription *sub, int batch_size);
    ~BatchPrefetch(); // stop()
    BatchPrefetch(const BatchPrefetch &) = delete;
    BatchPrefetch &operator=(const BatchPrefetch &) = delete;

    void start();
    // Stops fetching (within a fetch's expiry, 500 ms). A batch fetched and
    // not taken is dropped unacknowledged: the server delivers it again.
    void stop();
    // The next batch; false if none came within `timeout_ms`.  After a batch
    // that failed (status not NATS_OK) nothing more is fetched until
    // stop() and start().
    bool next(Batch &out, int timeout_ms);

private:
    void loop();
    natsStatus fetch(natsMsgList &list) const;

    natsSubscription *sub_;
    int batch_size_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool running_ = false;
    bool ready_ = false; // `batch_` holds a batch not yet taken
    Batch batch_;
    std::thread thread_;
};

} // namespace pmq_bridge
