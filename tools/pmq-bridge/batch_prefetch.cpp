#include "batch_prefetch.hpp"

#include "nats_session.hpp"

#include <chrono>

namespace pmq_bridge {

int safe_fetch_batch(natsSubscription *sub, int batch)
{
    int waiting = 0;
    if (natsSubscription_GetPending(sub, &waiting, nullptr) == NATS_OK && waiting > 0)
        return 1;
    return batch;
}

BatchPrefetch::BatchPrefetch(natsSubscription *sub, int batch_size) : sub_(sub), batch_size_(batch_size) {}

BatchPrefetch::~BatchPrefetch()
{
    stop();
}

void BatchPrefetch::start()
{
    if (thread_.joinable())
        return;
    running_ = true;
    thread_ = std::thread(&BatchPrefetch::loop, this);
}

void BatchPrefetch::stop()
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        running_ = false;
    }
    changed_.notify_all();
    if (thread_.joinable())
        thread_.join();
    if (ready_)
        natsMsgList_Destroy(&batch_.list);
    ready_ = false;
    batch_ = Batch{};
}

bool BatchPrefetch::next(Batch &out, int timeout_ms)
{
    std::unique_lock<std::mutex> lock(mutex_);
    if (!changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return ready_; }))
        return false;
    out = batch_;
    batch_ = Batch{};
    ready_ = false;
    lock.unlock();
    changed_.notify_all(); // room for the next fetch
    return true;
}

// What the stream has ready, up to a batch, at once; if it has nothing, the
// first messages to arrive (no_wait with an expiry: nats-server answers as
// soon as it has any), so that a lone message is not held back waiting for a
// batch to fill. NATS_TIMEOUT when nothing came.
natsStatus BatchPrefetch::fetch(natsMsgList &list) const
{
    jsFetchRequest request;
    jsFetchRequest_Init(&request);
    request.Batch = safe_fetch_batch(sub_, batch_size_);
    request.NoWait = true;
    request.Expires = 500LL * 1000000;
    return natsSubscription_FetchRequest(&list, sub_, &request);
}

void BatchPrefetch::loop()
{
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
        changed_.wait(lock, [this] { return !running_ || !ready_; });
        if (!running_)
            return;
        lock.unlock();
        Batch fetched;
        fetched.status = fetch(fetched.list);
        if (fetched.status != NATS_OK && fetched.status != NATS_TIMEOUT)
            fetched.error = nats_error_text(fetched.status); // cnats keeps it per thread
        lock.lock();
        if (fetched.status == NATS_TIMEOUT)
            continue; // nothing came: ask again
        if (!running_) {
            natsMsgList_Destroy(&fetched.list);
            return;
        }
        batch_ = fetched;
        ready_ = true;
        changed_.notify_all();
        if (fetched.status != NATS_OK)
            return; // the taker stops and restarts us once it knows where it stands
    }
}

} // namespace pmq_bridge
