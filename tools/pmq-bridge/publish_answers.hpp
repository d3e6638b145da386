// JetStream's answers to the export's publishes, on a subscription of the
// export's own: each publish names "<inbox>.<spool sequence>.<attempt>" as
// its reply subject, and the export loop takes the answers between receives.
// This is what js_PublishMsgAsync does, less what the bridge has no use for:
// a map of pending messages (the spool is that map), a callback thread, and
// a JSON document built per answer. Together those were a third of the
// export's instructions per 16 B message (callgrind, docs/bridge.md).
#pragma once

#include "message_graveyard.hpp"

#include <nats/nats.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace pmq_bridge {

struct PublishAnswer {
    uint64_t seq = 0;     // the spool sequence the publish carried; 0: any (no responders)
    uint32_t attempt = 0; // which publish of it this answers
    bool stored = false;  // JetStream has it (now, or from an earlier copy)
    bool duplicate = false;
    natsStatus error = NATS_OK; // when not stored
    int js_code = 0;            // JetStream's err_code, 0 if none
    std::string text;           // what the server said, when not stored
};

// Reads a publish answer's body into `answer` (stored, duplicate, or the
// error): {"stream":"S","seq":7[,"duplicate":true]} or
// {"error":{"code":503,"err_code":10077,"description":"..."}}. Anything
// else is an error that says what came.
void read_publish_answer(const char *body, size_t length, PublishAnswer &answer);

class PublishAnswers {
public:
    // Subscribes on `nc` (kept across reconnects by the client); answers
    // read go to `graveyard`.
    PublishAnswers(natsConnection *nc, MessageGraveyard &graveyard);
    ~PublishAnswers();
    PublishAnswers(const PublishAnswers &) = delete;
    PublishAnswers &operator=(const PublishAnswers &) = delete;

    // The reply subject for publish `attempt` of spool sequence `seq`; valid
    // until the next call.
    const char *reply_subject(uint64_t seq, uint32_t attempt);

    // The next answer, waiting up to `timeout_ms` (0: only one already
    // there). False if none came, or the connection is closed.
    bool next(PublishAnswer &answer, int64_t timeout_ms);

private:
    MessageGraveyard &graveyard_;
    natsSubscription *sub_ = nullptr;
    std::string prefix_; // "<inbox>."
    std::string reply_;
};

} // namespace pmq_bridge
