// The import loop: batches of up to 256 messages in stream order (what the
// stream has ready, or the first one to arrive; fetched one batch ahead by
// batch_prefetch.hpp while the last is being sent), each sent into the local
// queue with the priority from its Pmq-Priority header and its stream
// sequence recorded; the batch is then acknowledged without waiting, by an
// ack of each message (AckExplicit, the durable the bridge makes), or of its
// last one (AckAll, a durable made so by hand). Batches go while the
// deliveries arrive without a gap; otherwise (after a kill, a lost delivery
// or ack) messages go one at a time, lowest first (recover()). A full queue
// is waited out without acknowledging (InProgress keeps the server from
// redelivering meanwhile).
#include "import_bridge.hpp"

#include "batch_prefetch.hpp"
#include "bridge_status.hpp"
#include "delivery_meta.hpp"
#include "delivery_record.hpp"
#include "local_queue.hpp"
#include "log.hpp"
#include "nats_session.hpp"
#include "state_dir.hpp"
#include "stop_signal.hpp"
#include "stream_setup.hpp"

#include <pmq/pmq.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <poll.h>
#include <utility>

namespace pmq_bridge {
namespace {

using Clock = std::chrono::steady_clock;
// Short, so that a message a killed bridge held is redelivered soon; while
// the queue is full, InProgress keeps it from being redelivered meanwhile.
constexpr int64_t ack_wait_ns = 5LL * 1000000000LL;
constexpr auto in_progress_every = std::chrono::seconds(2);
// A queue full for a moment is the normal pace of a slower consumer; one full
// for this long is a state worth a log line and the status file.
constexpr auto full_is_news_after = std::chrono::seconds(1);
// How often an idle bridge compares the durable's position with the stream's.
constexpr auto watch_every = std::chrono::seconds(3);
// Deliveries fetched at once (one round trip per batch instead of per
// message). A fetch's request waits for the client's flusher (up to 1 ms)
// before the server even sees it, so a fetch of 128 took 1.5 to 4 ms under
// load, and with batches of 128 the import side fell behind its export side;
// with 256 it keeps up (docs/bridge.md, Benchmark).
constexpr int batch_size = 256;
// Allowed unacknowledged: four batches. The loop leaves at most two
// unacknowledged (the one being sent and the one being fetched); the acks of
// the one before are written ahead of the next fetch's request, but the
// server may take the request first. Four leave room for that, so a fetch
// never finds the durable at its limit (nats-server then holds the fetch
// until it expires).
constexpr int max_ack_pending = 4 * batch_size;

// Whether every other copy of the stream is online and current, as its
// leader sees them (true for a stream without replicas).
bool replicas_current(const jsClusterInfo *cluster)
{
    if (cluster == nullptr)
        return true;
    for (int i = 0; i < cluster->ReplicasLen; i++) {
        const jsPeerInfo *peer = cluster->Replicas[i];
        if (peer != nullptr && (peer->Offline || !peer->Current))
            return false;
    }
    return true;
}

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
            // Explicit acks, although one ack of a batch's last message
            // (AckAll) would spare nats-server an ack per message: after a
            // leader change, nats-server 2.9.10 can keep deliveries pending
            // at or below the durable's ack floor, and under AckAll it
            // ignores every ack there, so they fill MaxAckPending and are
            // redelivered forever while nothing new comes (node-faults, twice
            // in about 65 runs). An explicit ack of such a delivery clears it.
            jsConsumerConfig config;
            jsConsumerConfig_Init(&config);
            config.Durable = options_.durable.c_str();
            config.AckPolicy = js_AckExplicit;
            config.DeliverPolicy = js_DeliverAll;
            config.MaxAckPending = max_ack_pending;
            config.AckWait = ack_wait_ns;
            config.MaxDeliver = -1;
            config.FilterSubject = options_.subject.c_str();
            jsConsumerInfo *info = nullptr;
            jsErrCode code = static_cast<jsErrCode>(0);
            natsStatus s = js_GetConsumerInfo(&info, js, options_.stream.c_str(), options_.durable.c_str(), nullptr, &code);
            if (s == NATS_OK) {
                // It exists: bind to it if it keeps the order (an ack never
                // covers an earlier message not yet sent: every message is
                // acknowledged, explicitly or by a later one, only once it
                // and all before it were sent).
                const jsConsumerConfig *have = info->Config;
                const bool fits = have->MaxAckPending >= 1 && have->MaxAckPending <= max_ack_pending &&
                                  (have->AckPolicy == js_AckExplicit || have->AckPolicy == js_AckAll) &&
                                  have->FilterSubject != nullptr && options_.subject == have->FilterSubject &&
                                  !have->HeadersOnly && have->MaxDeliver <= 0;
                config.AckPolicy = have->AckPolicy;
                durable_ack_wait_ns_ = have->AckWait > 0 ? have->AckWait : ack_wait_ns;
                const int64_t allowed = have->MaxAckPending;
                jsConsumerInfo_Destroy(info);
                info = nullptr;
                if (!fits)
                    throw Fatal{ExitStatus::failure, "the durable consumer " + options_.durable + " on the stream " + options_.stream +
                                                         " was made for something else (it needs explicit or all acks, MaxAckPending at most " +
                                                         std::to_string(max_ack_pending) + ", the filter subject " + options_.subject +
                                                         ", message bodies, not headers only, and no limit on redeliveries); give another --durable or delete that consumer"};
                if (config.AckPolicy == js_AckAll)
                    log_line("the durable consumer " + options_.durable +
                             " acknowledges a batch with one ack (ack policy all), which nats-server 2.9 can leave stuck after a "
                             "leader change (docs/bridge.md, \"A stuck durable\"); delete it to let the bridge make one with explicit acks");
                // One made with a lower limit (by hand, or with 256 by an
                // earlier build) is kept as it is: batches of half of it, as
                // the earlier build fetched.
                batch_ = static_cast<int>(std::clamp<int64_t>(allowed / 2, 1, batch_size));
                log_line("the durable consumer " + options_.durable + " lets " + std::to_string(allowed) +
                         " message(s) be unacknowledged: fetching " + std::to_string(batch_) + " at a time" +
                         (batch_ < batch_size ? "; a new --durable gets batches of " + std::to_string(batch_size) : ""));
            } else if (s == NATS_NOT_FOUND || code == static_cast<jsErrCode>(10014)) {
                s = js_AddConsumer(&info, js, options_.stream.c_str(), &config, nullptr, &code);
            }
            if (info != nullptr)
                jsConsumerInfo_Destroy(info);
            ack_each_ = config.AckPolicy == js_AckExplicit;
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

    void run(natsSubscription *sub, jsCtx *js, natsConnection *nc)
    {
        int failures = 0;
        // The consumer sequence the next delivery must carry. The durable's
        // state is asked for only when it is not known (at start, after a gap,
        // a stop mid-batch or an error): in the steady state a batch costs
        // one fetch and no other round trip.
        bool position_known = false;
        uint64_t expected = 0;
        BatchPrefetch prefetch(sub, batch_);
        while (!stop_requested()) {
            status_.tick();
            if (!position_known) {
                prefetch.stop();
                // The acks sent so far reach the server first, so that
                // NumAckPending counts only what is really unacknowledged.
                natsConnection_FlushTimeout(nc, 2000);
                Position position;
                if (!query(js, position)) {
                    sleep_unless_stopped(backoff_ms(failures++));
                    continue;
                }
                if (position.pending > 0) {
                    watch_for_stall(position, nc);
                    if (!recovered_) {
                        // Let every unacknowledged delivery expire first, so
                        // that the server redelivers them (lowest first)
                        // before new messages: fetching earlier takes new
                        // ones that must wait in turn.
                        recovered_ = true;
                        if (!sleep_unless_stopped(static_cast<int>(ack_wait_ns / 1000000) + 500))
                            return;
                        continue;
                    }
                    natsMsgList list{};
                    jsErrCode code = static_cast<jsErrCode>(0);
                    const natsStatus s = natsSubscription_Fetch(&list, sub, safe_fetch_batch(sub, batch_), 200, &code);
                    if (s == NATS_OK) {
                        failures = 0;
                        if (!recover(list, js))
                            recovered_ = false; // nothing could go: wait for redelivery again
                        natsMsgList_Destroy(&list);
                    } else if (s != NATS_TIMEOUT) {
                        fetch_failed(nats_error_text(s), failures);
                    }
                    continue;
                }
                recovered_ = false;
                stall_since_ = Clock::time_point{};
                expected = position.next_delivery;
                position_known = true;
                prefetch.start();
            }
            BatchPrefetch::Batch batch;
            if (!prefetch.next(batch, 200)) {
                watch_durable_copy(js);
                continue;
            }
            idle_since_ = Clock::time_point{};
            if (batch.status != NATS_OK) {
                fetch_failed(batch.error, failures);
                position_known = false;
                continue;
            }
            failures = 0;
            position_known = deliver_batch(batch.list, expected);
            natsMsgList_Destroy(&batch.list);
        }
    }

private:
    void fetch_failed(const std::string &text, int &failures)
    {
        status_.set_last_error("fetch: " + text);
        log_verbose("fetch: " + text);
        sleep_unless_stopped(backoff_ms(failures++));
    }

    // Where the durable stands: how many deliveries are unacknowledged, the
    // consumer sequence of the next delivery, and the stream sequence below
    // which every message is acknowledged.
    struct Position {
        int64_t pending = 0;
        uint64_t next_delivery = 0;
        uint64_t ack_floor = 0;
        uint64_t delivered = 0; // stream sequence of the last delivery
        uint64_t unread = 0;    // messages the durable's node holds past it
    };

    bool query(jsCtx *js, Position &position)
    {
        jsConsumerInfo *info = nullptr;
        jsErrCode code = static_cast<jsErrCode>(0);
        const natsStatus s = js_GetConsumerInfo(&info, js, options_.stream.c_str(), options_.durable.c_str(), nullptr, &code);
        if (s != NATS_OK) {
            const std::string text = nats_error_text(s);
            status_.set_last_error("consumer info: " + text);
            log_verbose("consumer info: " + text);
            return false;
        }
        position.pending = info->NumAckPending;
        position.next_delivery = info->Delivered.Consumer + 1;
        position.ack_floor = info->AckFloor.Stream;
        position.delivered = info->Delivered.Stream;
        position.unread = info->NumPending;
        jsConsumerInfo_Destroy(info);
        return true;
    }

    // A batch in delivery order while nothing earlier is unacknowledged: the
    // server delivers the next messages in stream order, so sending them in
    // that order keeps "every message at or below the recorded sequence was
    // sent". A delivery we did not see (lost in a reconnect) shows as a gap
    // in the consumer sequence: nothing from there on is sent or
    // acknowledged (it is redelivered, and recovery goes one message at a
    // time). Acks are not waited for: the next fetch follows them on the
    // same connection. Returns false when the durable's state must be asked
    // again (a gap, or a stop mid-batch).
    bool deliver_batch(const natsMsgList &list, uint64_t &expected)
    {
        natsMsg *done = nullptr; // the last one sent (or known sent) so far
        const bool clean = deliver_each(list, expected, done);
        if (done != nullptr && !ack_each_)
            natsMsg_Ack(done, nullptr); // AckAll: this one and every earlier one
        return clean;
    }

    bool deliver_each(const natsMsgList &list, uint64_t &expected, natsMsg *&done)
    {
        for (int i = 0; i < list.Count; ++i) {
            if (stop_requested())
                return false;
            natsMsg *msg = list.Msgs[i];
            DeliveryMeta meta;
            if (!read_delivery_meta(natsMsg_GetReply(msg), meta))
                continue; // not a JetStream message: nothing to acknowledge
            if (meta.delivery != expected) {
                log_verbose("delivery " + std::to_string(expected) + " did not arrive (got " + std::to_string(meta.delivery) +
                            "); leaving the rest of the batch for redelivery");
                return false;
            }
            ++expected;
            if (meta.times_delivered > 1)
                status_.redelivered++;
            if (meta.stream_seq > record_.delivered()) {
                if (!send_recorded(msg, meta.stream_seq, &list, i))
                    return false; // stopping: not acknowledged, the stream keeps it
            } else {
                status_.duplicates_dropped++;
            }
            if (ack_each_)
                natsMsg_Ack(msg, nullptr);
            done = msg;
        }
        return true;
    }

    // Deliveries are unacknowledged (a killed run's batch, a lost delivery,
    // a lost ack): a message is sent only if it is the lowest one not yet
    // acknowledged, so a later one never overtakes it; one already sent is
    // only acknowledged; the others wait for their redelivery.
    bool recover(const natsMsgList &list, jsCtx *js)
    {
        bool progress = false;
        for (int i = 0; i < list.Count && !stop_requested(); ++i) {
            natsMsg *msg = list.Msgs[i];
            DeliveryMeta meta;
            if (!read_delivery_meta(natsMsg_GetReply(msg), meta))
                continue;
            if (meta.times_delivered > 1)
                status_.redelivered++;
            if (meta.stream_seq <= record_.delivered()) {
                status_.duplicates_dropped++;
                natsMsg_AckSync(msg, nullptr, nullptr);
                progress = true;
                continue;
            }
            Position position;
            if (!query(js, position) || meta.stream_seq != position.ack_floor + 1)
                continue; // an earlier one is still unacknowledged
            if (!send_recorded(msg, meta.stream_seq, nullptr, 0))
                return true;
            natsMsg_AckSync(msg, nullptr, nullptr);
            progress = true;
        }
        return progress;
    }

    // nats-server 2.9.10 can leave a durable's new leader with deliveries it
    // never redelivers (node-faults: once in 154 runs): NumAckPending stays
    // at its limit, the ack floor does not move and nothing comes, for good.
    // After three AckWaits (15 s at least) without the floor moving, the
    // bridge says so and asks the durable's leader to step down
    // ($JS.API.CONSUMER.LEADER.STEPDOWN), so that another node takes it over
    // and redelivers; again every three AckWaits while it lasts.
    void watch_for_stall(const Position &position, natsConnection *nc)
    {
        const auto now = Clock::now();
        if (stall_since_ == Clock::time_point{} || position.ack_floor != stall_floor_) {
            stall_since_ = now;
            stall_floor_ = position.ack_floor;
            return;
        }
        const auto after = std::max<std::chrono::nanoseconds>(std::chrono::seconds(15), 3 * std::chrono::nanoseconds(durable_ack_wait_ns_));
        if (now - stall_since_ < after)
            return;
        stall_since_ = now;
        status_.durable_stalls++;
        std::string text = "the durable consumer " + options_.durable + " holds " + std::to_string(position.pending) +
                           " unacknowledged deliveries and has redelivered none for " +
                           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(after).count()) +
                           " s (ack floor " + std::to_string(position.ack_floor) +
                           "; a nats-server fault, docs/bridge.md \"A durable that redelivers nothing\"); asked its leader to step down: ";
        const std::string subject = "$JS.API.CONSUMER.LEADER.STEPDOWN." + options_.stream + "." + options_.durable;
        natsMsg *reply = nullptr;
        const natsStatus s = natsConnection_Request(&reply, nc, subject.c_str(), nullptr, 0, 5000);
        if (s != NATS_OK)
            text += nats_error_text(s);
        else
            text += std::string(natsMsg_GetData(reply), static_cast<size_t>(natsMsg_GetDataLength(reply)));
        natsMsg_Destroy(reply);
        status_.set_last_error(text);
        log_line(text);
    }

    // nats-server 2.9.10 can let a replica of the stream miss a message and
    // number the later ones one lower (docs/bridge.md, "Replicas that
    // disagree"); a durable led from that replica never delivers the
    // message and reports nothing pending. No client can bring it back, but
    // an operator must hear of it: while idle, every few seconds, the
    // durable's position is compared with the stream leader's last message,
    // and a gap seen twice, whose next message the leader does hold, is
    // logged once, kept as the last error and counted (stream_gaps).
    void watch_durable_copy(jsCtx *js)
    {
        const auto now = Clock::now();
        if (idle_since_ == Clock::time_point{})
            idle_since_ = now;
        if (now - idle_since_ < watch_every)
            return;
        idle_since_ = now;
        Position position;
        jsStreamInfo *stream = nullptr;
        jsErrCode code = static_cast<jsErrCode>(0);
        if (!query(js, position) || js_GetStreamInfo(&stream, js, options_.stream.c_str(), nullptr, &code) != NATS_OK)
            return;
        // In a stream of other subjects too, the durable's filter leaves
        // their messages unread on purpose.
        const bool ours_alone = stream->Config->SubjectsLen == 1 && stream->Config->SourcesLen == 0 &&
                                options_.subject == stream->Config->Subjects[0];
        const uint64_t last = stream->State.LastSeq;
        // Without quorum the leader may hold messages no other copy has yet:
        // a frozen gap then, not another copy. Judge only a settled stream.
        const bool settled = replicas_current(stream->Cluster);
        jsStreamInfo_Destroy(stream);
        const bool gap = ours_alone && settled && position.pending == 0 && position.unread == 0 && last > position.delivered;
        const std::pair<uint64_t, uint64_t> seen{position.delivered, last};
        if (!gap || seen != gap_seen_) {
            gap_seen_ = gap ? seen : std::pair<uint64_t, uint64_t>{};
            return;
        }
        if (seen == gap_reported_)
            return;
        natsMsg *next = nullptr;
        if (js_GetMsg(&next, js, options_.stream.c_str(), position.delivered + 1, nullptr, &code) != NATS_OK)
            return; // deleted (or no answer): nothing the durable should have delivered
        natsMsg_Destroy(next);
        gap_reported_ = seen;
        status_.stream_gaps++;
        const std::string text = "the durable consumer " + options_.durable + " reports nothing to deliver after stream message " +
                                 std::to_string(position.delivered) + ", but the stream's leader holds messages up to " +
                                 std::to_string(last) +
                                 ": the node that leads the durable has another copy of the stream (a nats-server fault, "
                                 "docs/bridge.md \"Replicas that disagree\"); a message may be lost";
        status_.set_last_error(text);
        log_line(text);
    }

    bool send_recorded(natsMsg *msg, uint64_t seq, const natsMsgList *held, int from)
    {
        int64_t priority = priority_of(msg);
        if (priority < 0) {
            log_verbose("message " + std::to_string(seq) + " has no valid Pmq-Priority header; sending it with priority 0");
            priority = 0;
        }
        const bool uncertain = record_.uncertain() == seq;
        record_.begin(seq);
        if (!send(msg, static_cast<unsigned>(priority), held, from)) {
            if (!uncertain)
                record_.abandon(); // stopping before it was sent; one a kill left uncertain stays so
            return false;
        }
        if (uncertain) {
            status_.uncertain_resends++;
            log_line("stream message " + std::to_string(seq) +
                     " may have been sent before the last kill; sent it again (docs/bridge.md: the one duplicate window)");
        }
        record_.done(seq);
        status_.forwarded++;
        return true;
    }

    bool send(natsMsg *msg, unsigned priority, const natsMsgList *held, int from)
    {
        const char *data = natsMsg_GetData(msg);
        const auto length = static_cast<size_t>(natsMsg_GetDataLength(msg));
        // Never block inside the send: a sender asleep on a full queue has its
        // message put in by the receiver's call and learns so only when it
        // runs again, which would stretch the window in which a kill makes a
        // duplicate (delivery_record.hpp) to a scheduling delay.
        int rc = pmq_send_timed(queue_, data, length, priority, 0);
        if (rc == 0)
            return true; // the usual case: no clock read (measured, on a VM)
        const auto started = Clock::now();
        auto last_progress = started;
        bool waited = false; // said so: the state is queue_full or blocked
        for (;; rc = pmq_send_timed(queue_, data, length, priority, 0)) {
            if (rc == 0)
                break;
            if (rc == PMQ_EAGAIN) {
                struct pollfd writable = {pmq_fd(queue_), POLLOUT, 0};
                ::poll(&writable, 1, 500);
            }
            const auto now = Clock::now();
            if (rc == PMQ_ETIMEDOUT || rc == PMQ_EAGAIN || rc == PMQ_EINTR) {
                if (!waited && now - started >= full_is_news_after) {
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
            if (now - last_progress >= in_progress_every) {
                // Every message of the batch still held, so that none is
                // redelivered (and overtaken) while the queue is full.
                natsMsg_InProgress(msg, nullptr);
                for (int i = from + 1; held != nullptr && i < held->Count; ++i)
                    natsMsg_InProgress(held->Msgs[i], nullptr);
                last_progress = now;
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
    int batch_ = batch_size; // deliveries per fetch
    bool ack_each_ = false;  // AckExplicit: every message is acked, not only a batch's last

    bool recovered_ = false; // waited for the redelivery of what is unacknowledged
    Clock::time_point stall_since_{};                // the ack floor has not moved since (recovery only)
    uint64_t stall_floor_ = 0;
    int64_t durable_ack_wait_ns_ = ack_wait_ns;      // the durable's own AckWait
    Clock::time_point idle_since_{};                 // no delivery since (zero: one just came)
    std::pair<uint64_t, uint64_t> gap_seen_{};       // (delivered, stream's last) of a gap seen once
    std::pair<uint64_t, uint64_t> gap_reported_{};   // the last gap logged
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
    const int64_t stream_created = wait_for_stream(session.jetstream(), options, status);
    if (stream_created == 0)
        return status.set_state("stopped", "stopped while waiting for the stream"), ExitStatus::success;
    if (record.bind(options.stream, stream_created, options.durable))
        log_line("the stream " + options.stream + " or the durable consumer changed since the last run; starting a new delivery record");
    if (record.uncertain() != 0)
        log_verbose("the last run was killed while sending stream message " + std::to_string(record.uncertain()));
    natsSubscription *sub = bridge.subscribe(session.jetstream());
    if (sub == nullptr)
        return status.set_state("stopped", "stopped before subscribing"), ExitStatus::success;
    bridge.run(sub, session.jetstream(), session.connection());
    natsSubscription_Destroy(sub);
    status.set_state("stopped", "stopping: the message in flight (if any) stays unacknowledged in the stream");
    return ExitStatus::success;
}

} // namespace pmq_bridge
