// The export loop. It takes a message from the queue only into a free spool
// slot and only while the stream is taking messages (no publish waiting for a
// retry): when the spool is full or the stream is full or unreachable it stops
// taking, so producers block or get PMQ_EAGAIN as with a slow local consumer.
// Publishes are asynchronous (up to the spool's slot count in flight), each
// with Nats-Msg-Id = spool id prefix + sequence; a slot is freed only when
// JetStream has acknowledged its message (publish_answers.hpp: the loop
// takes the answers itself, between receives).
#include "export_bridge.hpp"

#include "bridge_status.hpp"
#include "local_queue.hpp"
#include "log.hpp"
#include "nats_session.hpp"
#include "publish_answers.hpp"
#include "spool.hpp"
#include "state_dir.hpp"
#include "stop_signal.hpp"
#include "stream_setup.hpp"

#include <pmq/pmq.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <poll.h>
#include <unistd.h>
#include <vector>

namespace pmq_bridge {
namespace {

using Clock = std::chrono::steady_clock;

// Spool slots, and so publishes in flight: 1024, fewer for messages over
// 64 KiB so that the spool stays within about 64 MiB, never fewer than 256.
// With 256 the loop spent about a third of a transfer waiting for answers
// with every slot awaiting one, and the stream was fed at 48000-54000
// messages/s (16 B) against 64000-71000 with 1024 (docs/bridge.md,
// Benchmark).
uint32_t spool_slots(uint64_t message_size)
{
    constexpr uint64_t spool_budget = uint64_t{64} << 20;
    return static_cast<uint32_t>(std::clamp<uint64_t>(spool_budget / std::max<uint64_t>(message_size, 1), 256, 1024));
}
// A publish unanswered this long is taken for lost (a lost reply, a dead
// node).
constexpr auto no_answer_after = std::chrono::seconds(5);
constexpr auto refused_retry = std::chrono::seconds(30);

class ExportBridge {
public:
    ExportBridge(const BridgeOptions &options, pmq_queue *queue, Spool &spool, BridgeStatus &status)
        : options_(options), queue_(queue), spool_(spool), status_(status), id_prefix_(spool.id_prefix() + ":"),
          slots_(spool.slot_count())
    {
    }

    ExitStatus run(NatsSession &session, bool one_at_a_time)
    {
        max_in_flight_ = one_at_a_time ? 1 : spool_.slot_count();
        nc_ = session.connection();
        // Both end with run(), while the client library is still open.
        MessageGraveyard graveyard;
        PublishAnswers answers(nc_, graveyard);
        graveyard_ = &graveyard;
        answers_ = &answers;
        const uint64_t recovered = spool_.recover();
        if (recovered != 0) {
            status_.lengths_recovered += recovered;
            log_line("recovered the length of " + std::to_string(recovered) +
                     " message(s) a kill caught just after mq_receive (see docs/bridge.md)");
        }
        for (uint32_t i = 0; i < spool_.slot_count(); ++i) {
            const Spool::Slot &s = spool_.slot(i);
            if (s.state == Spool::held)
                held_[s.seq] = i;
            else if (s.state == Spool::armed)
                armed_ = static_cast<int64_t>(i);
            else
                free_.push_back(i);
        }
        if (!held_.empty())
            log_line("republishing " + std::to_string(held_.size()) + " message(s) held in the spool");
        for (auto &[seq, index] : held_)
            publish(index);
        status_.set_state("forwarding");

        while (!stop_requested()) {
            now_ = Clock::now(); // once a turn, not once per use: per message otherwise
            take_results();
            retry_due();
            status_.spool_held = held_.size();
            status_.tick(now_);
            if (can_take()) {
                if (!receive_one())
                    return ExitStatus::failure;
            } else {
                graveyard_->bury(); // before sleeping, not one message at a time
                take_results(100);
            }
        }
        // Let what is in flight be acknowledged; the rest stays parked in the spool.
        const auto until = Clock::now() + std::chrono::seconds(2);
        while (!held_.empty() && Clock::now() < until)
            take_results(50);
        status_.spool_held = held_.size();
        status_.set_state("stopped", "stopping: " + std::to_string(held_.size()) +
                                         " message(s) parked in the spool, published again at the next start");
        return ExitStatus::success;
    }

private:
    struct Tracking {
        Clock::time_point sent_at{};
        Clock::time_point retry_at{};
        bool awaiting = false;   // published, no result yet
        bool retry = false;      // failed, waiting for retry_at
        bool refused = false;    // the stream or server will not take it as it is
        int attempts = 0;
    };

    // Counted as they change, so that a message costs no walk over the spool.
    void set_awaiting(Tracking &t, bool on)
    {
        if (t.awaiting != on)
            on ? ++awaiting_ : --awaiting_;
        t.awaiting = on;
    }

    void set_retry(Tracking &t, bool on)
    {
        if (t.retry != on)
            on ? ++retrying_ : --retrying_;
        t.retry = on;
    }

    bool can_take() const
    {
        if (free_.empty() && armed_ < 0)
            return false; // spool full
        if (retrying_ > 0)
            return false; // the stream is not taking messages: neither do we
        return awaiting_ < max_in_flight_;
    }

    bool receive_one()
    {
        if (armed_ < 0) {
            armed_ = free_.front();
            free_.pop_front();
            spool_.arm(static_cast<uint32_t>(armed_));
        }
        const auto index = static_cast<uint32_t>(armed_);
        Spool::Slot &slot = spool_.slot(index);
        // Straight into the mapped slot: the kernel writes the priority, then
        // the payload, into the page cache. Never block inside the receive: a
        // receiver asleep in mq_receive is handed the message by the sender's
        // call and only copies it out when it runs again, which would stretch
        // the window in which a kill loses the length (see spool.hpp) from a
        // system call's duration to a scheduling delay. So: wait for a message
        // with poll, then take it without waiting.
        int n = pmq_recv_timed(queue_, spool_.payload(index), spool_.capacity(), &slot.priority, 0);
        if (n == PMQ_EAGAIN) {
            struct pollfd readable = {pmq_fd(queue_), POLLIN, 0};
            if (held_.empty())
                graveyard_->bury(); // idle: nothing is coming to fill a burst
            ::poll(&readable, 1, held_.empty() ? 200 : 20);
            return true;
        }
        if (n >= 0) {
            spool_.hold(index, static_cast<uint64_t>(n));
            armed_ = -1;
            held_[slot.seq] = index;
            publish(index);
            return true;
        }
        if (n == PMQ_ETIMEDOUT || n == PMQ_EAGAIN || n == PMQ_EINTR)
            return true;
        status_.set_last_error(pmq_last_error());
        log_line(std::string("cannot receive from ") + options_.queue + ": " + pmq_last_error());
        return false;
    }

    void publish(uint32_t index)
    {
        const Spool::Slot &slot = spool_.slot(index);
        Tracking &t = slots_[index];
        t.sent_at = now_;
        set_awaiting(t, true);
        set_retry(t, false);
        ++t.attempts;
        // The headers js_PublishMsgAsync would set for MsgId and ExpectStream.
        natsMsg *msg = nullptr;
        natsStatus s = natsMsg_Create(&msg, options_.subject.c_str(), answers_->reply_subject(slot.seq, t.attempts),
                                      spool_.payload(index), static_cast<int>(slot.length));
        char priority[8];
        *std::to_chars(priority, priority + sizeof priority - 1, slot.priority).ptr = '\0';
        id_.assign(id_prefix_);
        char digits[24];
        id_.append(digits, std::to_chars(digits, digits + sizeof digits, slot.seq).ptr);
        if (s == NATS_OK)
            s = natsMsgHeader_Set(msg, "Pmq-Priority", priority);
        if (s == NATS_OK)
            s = natsMsgHeader_Set(msg, "Nats-Msg-Id", id_.c_str());
        if (s == NATS_OK)
            s = natsMsgHeader_Set(msg, "Nats-Expected-Stream", options_.stream.c_str());
        if (s == NATS_OK)
            s = natsConnection_PublishMsg(nc_, msg);
        graveyard_->add(msg);
        if (s == NATS_OK)
            return;
        set_awaiting(t, false);
        if (s == NATS_MAX_PAYLOAD) {
            const int64_t limit = natsConnection_GetMaxPayload(nc_);
            refuse(index, "a message of " + std::to_string(slot.length) + " bytes (priority " + std::string(priority) +
                              ") exceeds the server's max_payload of " + std::to_string(limit) +
                              " bytes; raise max_payload in the nats-server configuration. It stays in the spool and is retried");
            return;
        }
        schedule_retry(index, nats_error_text(s));
    }

    void refuse(uint32_t index, const std::string &text)
    {
        Tracking &t = slots_[index];
        if (!t.refused) {
            t.refused = true;
            status_.refused++;
            log_line("refused: " + text);
        }
        status_.set_last_error(text);
        set_retry(t, false); // a refused message does not stop the others
        t.retry_at = Clock::now() + refused_retry;
    }

    void schedule_retry(uint32_t index, const std::string &text)
    {
        Tracking &t = slots_[index];
        set_retry(t, true);
        // One clock for all retries: they go out again one at a time, lowest
        // sequence first, so a retry never overtakes an older message.
        retry_at_ = Clock::now() + std::chrono::milliseconds(backoff_ms(failures_++));
        status_.retries++;
        status_.set_last_error(text);
        if (status_.state() != "stream_unavailable")
            status_.set_state("stream_unavailable", "the stream is not taking messages (" + text +
                                                        "); holding them and not taking more from " + options_.queue);
    }

    // The answers that have come, waiting up to wait_ms for the first one.
    void take_results(int64_t wait_ms = 0)
    {
        bool retried_stored = false;
        for (PublishAnswer &r = answer_; answers_->next(r, wait_ms); wait_ms = 0) {
            if (r.seq == 0) { // no stream answered one of them: none will answer the others
                give_up_unanswered(r.text);
                continue;
            }
            const auto found = held_.find(r.seq);
            if (found == held_.end())
                continue; // an answer to a copy already settled
            const uint32_t index = found->second;
            Tracking &t = slots_[index];
            if (!r.stored && (r.attempt != static_cast<uint32_t>(t.attempts) || !t.awaiting))
                continue; // a failure of a publish given up on, sent again since
            if (r.stored) {
                if (r.duplicate)
                    status_.duplicates_dropped++;
                else
                    status_.forwarded++;
                if (t.retry || t.attempts > 1) {
                    failures_ = 0;
                    retried_stored = true;
                }
                spool_.release(index);
                set_awaiting(t, false);
                set_retry(t, false);
                t = Tracking{};
                held_.erase(found);
                free_.push_back(index);
                continue;
            }
            set_awaiting(t, false);
            // 10054: message size exceeds the stream's max_msg_size.
            if (r.js_code == 10054)
                refuse(index, "JetStream refused a message of " + std::to_string(spool_.slot(index).length) +
                                  " bytes: " + r.text + " (raise the stream's max_msg_size). It stays in the spool and is retried");
            else
                schedule_retry(index, r.text);
        }
        if (retried_stored)
            retry_oldest(); // the stream takes messages again: no need to wait for the next look
        if (retrying_ == 0 && status_.state() == "stream_unavailable")
            status_.set_state("forwarding", "the stream takes messages again");
    }

    void retry_due()
    {
        const auto now = now_;
        // Everything here is measured in seconds (or in backoffs of 250 ms
        // and up): a look every 50 ms is soon enough, and keeps the walk over
        // the spool off the per-message path.
        if (now < next_look_)
            return;
        next_look_ = now + std::chrono::milliseconds(50);
        for (const auto &[seq, index] : held_) {
            if (slots_[index].awaiting && now - slots_[index].sent_at >= no_answer_after) {
                give_up_unanswered("no answer from JetStream within 5 s");
                break;
            }
        }
        for (const auto &[seq, index] : held_) {
            Tracking &t = slots_[index];
            if (t.refused && !t.awaiting && now >= t.retry_at)
                publish(index); // apart from the order: it blocks nobody
        }
        retry_oldest();
    }

    // Retry only once every earlier publish has its answer, then the oldest
    // failed one alone; the next goes as soon as that one is stored.
    void retry_oldest()
    {
        if (retrying_ == 0 || now_ < retry_at_)
            return;
        uint32_t oldest = 0;
        bool found = false;
        for (const auto &[seq, index] : held_) {
            const Tracking &t = slots_[index];
            if (t.awaiting && !t.refused)
                return;
            if (t.retry && !found) {
                oldest = index;
                found = true;
            }
        }
        if (found)
            publish(oldest);
    }

    // A publish went unanswered too long, or the stream is not there to
    // answer. Take them all for lost and send them again, oldest first, one
    // at a time; the copies JetStream already stored are dropped by their
    // message ids (and a late "stored" still settles its slot).
    void give_up_unanswered(const std::string &why)
    {
        const int failures = failures_;
        for (const auto &[seq, index] : held_) {
            Tracking &t = slots_[index];
            if (!t.awaiting)
                continue;
            set_awaiting(t, false);
            if (!t.refused) // a refused one goes again on its own clock
                schedule_retry(index, why);
        }
        // One failure, however many publishes it caught: one step of backoff.
        failures_ = failures + 1;
        retry_at_ = Clock::now() + std::chrono::milliseconds(backoff_ms(failures));
    }

    const BridgeOptions &options_;
    pmq_queue *queue_;
    Spool &spool_;
    BridgeStatus &status_;
    natsConnection *nc_ = nullptr;
    MessageGraveyard *graveyard_ = nullptr; // run()'s
    PublishAnswers *answers_ = nullptr;     // run()'s
    PublishAnswer answer_;                  // reused: its text keeps its buffer
    const std::string id_prefix_;           // "<spool id prefix>:"
    std::string id_;                        // the Nats-Msg-Id being built
    std::vector<Tracking> slots_;
    std::map<uint64_t, uint32_t> held_; // spool sequence -> slot, in publish order
    std::deque<uint32_t> free_;
    int64_t armed_ = -1;
    Clock::time_point retry_at_{};
    Clock::time_point next_look_{};
    Clock::time_point now_ = Clock::now(); // read at the top of each turn of the loop
    size_t awaiting_ = 0; // slots published and not answered
    size_t retrying_ = 0; // slots waiting for retry_at_
    size_t max_in_flight_ = 1;
    int failures_ = 0; // consecutive, for the backoff
};

std::string host_name()
{
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    return name;
}

} // namespace

ExitStatus run_export(const BridgeOptions &options)
{
    StateLock lock(options.state_dir, "export");
    pmq_queue *queue = open_local_queue(options, PMQ_READ);
    std::unique_ptr<pmq_queue, int (*)(pmq_queue *)> queue_owner(queue, pmq_close);
    pmq_attr attr{};
    pmq_getattr(queue, &attr);
    Spool spool(options.state_dir + "/export.spool", spool_slots(static_cast<uint64_t>(attr.message_size)),
                static_cast<uint64_t>(attr.message_size),
                host_name() + ":" + options.queue);
    BridgeStatus status(options.state_dir, "export", options.queue, options.subject, options.stream, "");
    status.spool_slots = spool.slot_count();
    ExportBridge bridge(options, queue, spool, status);
    NatsSession session(options.connection, status);
    bool bounded = false;
    if (!session.connect() ||
        !ensure_stream(session.jetstream(), options, status, bounded)) {
        status.set_state("stopped", "stopped before connecting; nothing was taken from " + options.queue);
        return ExitStatus::success;
    }
    if (bounded)
        log_line("the stream " + options.stream + " refuses messages when full: publishing one at a time to keep the order");
    const ExitStatus result = bridge.run(session, bounded);
    session.close();
    return result;
}

} // namespace pmq_bridge
