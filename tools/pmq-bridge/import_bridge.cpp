// The import loop: one message at a time (MaxAckPending 1 keeps each
// priority's order), sent into the local queue with the priority from its
// Pmq-Priority header, recorded, then acknowledged. A full queue is waited out
// without acknowledging (the stream keeps the message; InProgress keeps the
// server from redelivering it meanwhile).
#include "import_bridge.hpp"

#include "bridge_status.hpp"
#include "delivery_record.hpp"
#include "local_queue.hpp"
#include "log.hpp"
#include "nats_session.hpp"
#include "state_dir.hpp"
#include "stop_signal.hpp"
#include "stream_setup.hpp"

#include <pmq/pmq.h>

#include <chrono>
#include <memory>
#include <poll.h>

namespace pmq_bridge {
namespace {

using Clock = std::chrono::steady_clock;
// Short, so that a message a killed bridge held is redelivered soon; while
// the queue is full, InProgress keeps it from being redelivered meanwhile.
constexpr int64_t ack_wait_ns = 5LL * 1000000000LL;
constexpr auto in_progress_every = std::chrono::seconds(2);

// The priority a message carries, or -1 if it carries none we can use.
int64_t priority_of(natsMsg *msg)
{
    const char *text = nullptr;
    if (natsMsgHeader_Get(msg, "Pmq-Priority", &text) != NATS_OK || text == nullptr || *text == '\0')
        return -1;
    char *end = nullptr;
    const long value = std::strtol(text, &end, 10);
    return *end == '\0' && value >= 0 && value <= 32767 ? value : -1;
}

class ImportBridge {
public:
    ImportBridge(const BridgeOptions &options, pmq_queue *queue, DeliveryRecord &record, BridgeStatus &status)
        : options_(options), queue_(queue), record_(record), status_(status)
    {
    }

    natsSubscription *subscribe(jsCtx *js)
    {
        for (int attempt = 0; !stop_requested(); ++attempt) {
            // Made explicitly and then bound to, so that no unsubscribe by the
            // client library ever deletes the durable (and its position).
            jsConsumerConfig config;
            jsConsumerConfig_Init(&config);
            config.Durable = options_.durable.c_str();
            config.AckPolicy = js_AckExplicit;
            config.DeliverPolicy = js_DeliverAll;
            config.MaxAckPending = 1;
            config.AckWait = ack_wait_ns;
            config.MaxDeliver = -1;
            config.FilterSubject = options_.subject.c_str();
            jsConsumerInfo *info = nullptr;
            jsErrCode code = static_cast<jsErrCode>(0);
            natsStatus s = js_GetConsumerInfo(&info, js, options_.stream.c_str(), options_.durable.c_str(), nullptr, &code);
            if (s == NATS_OK) {
                // It exists: bind to it as it is, if it keeps the order.
                const jsConsumerConfig *have = info->Config;
                const bool fits = have->MaxAckPending == 1 && have->AckPolicy == js_AckExplicit &&
                                  have->FilterSubject != nullptr && options_.subject == have->FilterSubject;
                jsConsumerInfo_Destroy(info);
                info = nullptr;
                if (!fits)
                    throw Fatal{ExitStatus::failure, "the durable consumer " + options_.durable + " on the stream " + options_.stream +
                                                         " was made for something else (it needs explicit acks, MaxAckPending 1 "
                                                         "and the filter subject " + options_.subject +
                                                         "); give another --durable or delete that consumer"};
            } else if (s == NATS_NOT_FOUND || code == static_cast<jsErrCode>(10014)) {
                s = js_AddConsumer(&info, js, options_.stream.c_str(), &config, nullptr, &code);
            }
            if (info != nullptr)
                jsConsumerInfo_Destroy(info);
            natsSubscription *sub = nullptr;
            if (s == NATS_OK) {
                jsSubOptions sub_options;
                jsSubOptions_Init(&sub_options);
                sub_options.Stream = options_.stream.c_str();
                sub_options.Consumer = options_.durable.c_str();
                s = js_PullSubscribe(&sub, js, options_.subject.c_str(), options_.durable.c_str(), nullptr, &sub_options, &code);
            }
            if (s == NATS_OK) {
                status_.set_state("forwarding", "pulling from the stream " + options_.stream + " through the durable consumer " +
                                                    options_.durable);
                return sub;
            }
            const std::string text = nats_error_text(s);
            status_.set_last_error("subscribe: " + text);
            if (text.find("configuration") != std::string::npos || text.find("mismatch") != std::string::npos ||
                code == static_cast<jsErrCode>(10100))
                throw Fatal{ExitStatus::failure, "the durable consumer " + options_.durable + " exists with another configuration (" +
                                                     text + "); give another --durable or delete that consumer"};
            const int wait = backoff_ms(attempt);
            log_line("cannot bind the durable consumer " + options_.durable + ": " + text + "; retrying in " +
                     std::to_string(wait) + " ms");
            if (!sleep_unless_stopped(wait))
                return nullptr;
        }
        return nullptr;
    }

    void run(natsSubscription *sub)
    {
        int failures = 0;
        while (!stop_requested()) {
            status_.tick();
            natsMsgList list{};
            jsErrCode code = static_cast<jsErrCode>(0);
            const natsStatus s = natsSubscription_Fetch(&list, sub, 1, 500, &code);
            if (s == NATS_TIMEOUT)
                continue;
            if (s != NATS_OK) {
                const std::string text = nats_error_text(s);
                status_.set_last_error("fetch: " + text);
                log_verbose("fetch: " + text);
                sleep_unless_stopped(backoff_ms(failures++));
                continue;
            }
            failures = 0;
            for (int i = 0; i < list.Count && !stop_requested(); ++i)
                deliver(list.Msgs[i]);
            natsMsgList_Destroy(&list);
        }
    }

private:
    void deliver(natsMsg *msg)
    {
        jsMsgMetaData *meta = nullptr;
        if (natsMsg_GetMetaData(&meta, msg) != NATS_OK)
            return; // not a JetStream message: nothing to acknowledge
        const uint64_t seq = meta->Sequence.Stream;
        if (meta->NumDelivered > 1)
            status_.redelivered++;
        jsMsgMetaData_Destroy(meta);
        if (seq <= record_.delivered()) {
            // Sent before a kill or a lost ack: only the ack was missing.
            status_.duplicates_dropped++;
            natsMsg_Ack(msg, nullptr);
            return;
        }
        int64_t priority = priority_of(msg);
        if (priority < 0) {
            log_verbose("message " + std::to_string(seq) + " has no valid Pmq-Priority header; sending it with priority 0");
            priority = 0;
        }
        if (record_.uncertain() == seq) {
            status_.uncertain_resends++;
            log_line("stream message " + std::to_string(seq) +
                     " may have been sent before the last kill; sending it again (docs/bridge.md: the one duplicate window)");
        }
        record_.begin(seq);
        if (!send(msg, static_cast<unsigned>(priority)))
            return; // stopping: not acknowledged, the stream keeps it
        record_.done(seq);
        status_.forwarded++;
        natsMsg_Ack(msg, nullptr);
    }

    bool send(natsMsg *msg, unsigned priority)
    {
        const char *data = natsMsg_GetData(msg);
        const auto length = static_cast<size_t>(natsMsg_GetDataLength(msg));
        auto last_progress = Clock::now();
        bool waited = false;
        while (true) {
            // Never block inside the send: a sender asleep on a full queue has
            // its message put in by the receiver's call and learns so only when
            // it runs again, which would stretch the window in which a kill
            // makes a duplicate (delivery_record.hpp) to a scheduling delay.
            const int rc = pmq_send_timed(queue_, data, length, priority, 0);
            if (rc == 0)
                break;
            if (rc == PMQ_EAGAIN) {
                struct pollfd writable = {pmq_fd(queue_), POLLOUT, 0};
                ::poll(&writable, 1, 500);
            }
            if (rc == PMQ_ETIMEDOUT || rc == PMQ_EAGAIN || rc == PMQ_EINTR) {
                if (!waited) {
                    waited = true;
                    status_.set_state("queue_full", options_.queue + " is full; waiting for room (not acknowledging)");
                }
            } else if (rc == PMQ_EMSGSIZE) {
                const std::string text = "a message of " + std::to_string(length) + " bytes is larger than " + options_.queue +
                                         "'s message_size; it stays in the stream until the queue is made with a larger --message-size";
                if (!waited) {
                    waited = true;
                    status_.set_state("blocked", text);
                }
                status_.set_last_error(text);
                sleep_unless_stopped(1000);
            } else {
                throw Fatal{ExitStatus::failure, std::string("cannot send to ") + options_.queue + ": " + pmq_last_error()};
            }
            if (stop_requested())
                return false;
            if (Clock::now() - last_progress >= in_progress_every) {
                natsMsg_InProgress(msg, nullptr);
                last_progress = Clock::now();
            }
        }
        if (waited)
            status_.set_state("forwarding", options_.queue + " has room again");
        return true;
    }

    const BridgeOptions &options_;
    pmq_queue *queue_;
    DeliveryRecord &record_;
    BridgeStatus &status_;
};

} // namespace

ExitStatus run_import(const BridgeOptions &options)
{
    StateLock lock(options.state_dir, "import");
    pmq_queue *queue = open_local_queue(options, PMQ_WRITE);
    std::unique_ptr<pmq_queue, int (*)(pmq_queue *)> queue_owner(queue, pmq_close);
    DeliveryRecord record(options.state_dir + "/import.state");
    BridgeStatus status(options.state_dir, "import", options.queue, options.subject, options.stream, options.durable);
    ImportBridge bridge(options, queue, record, status);
    NatsSession session(options.connection, status);
    if (!session.connect())
        return status.set_state("stopped", "stopped before connecting"), ExitStatus::success;
    const int64_t created = wait_for_stream(session.jetstream(), options, status);
    if (created == 0)
        return status.set_state("stopped", "stopped while waiting for the stream"), ExitStatus::success;
    if (record.bind(options.stream, created, options.durable))
        log_line("the stream " + options.stream + " or the durable consumer changed since the last run; starting a new delivery record");
    if (record.uncertain() != 0)
        log_verbose("the last run was killed while sending stream message " + std::to_string(record.uncertain()));
    natsSubscription *sub = bridge.subscribe(session.jetstream());
    if (sub == nullptr)
        return status.set_state("stopped", "stopped before subscribing"), ExitStatus::success;
    bridge.run(sub);
    natsSubscription_Destroy(sub);
    status.set_state("stopped", "stopping: the message in flight (if any) stays unacknowledged in the stream");
    return ExitStatus::success;
}

} // namespace pmq_bridge
