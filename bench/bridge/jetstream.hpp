// The floor's side of the benchmark, and the setup both sides share: a NATS
// connection with a JetStream context, through the official C client (cnats).
#pragma once

#include <nats/nats.h>

#include <cstdint>
#include <string>
#include <vector>

namespace bridge_bench {

class JetStream {
public:
    explicit JetStream(const std::string &url);
    ~JetStream();
    JetStream(const JetStream &) = delete;
    JetStream &operator=(const JetStream &) = delete;

    // Waits (up to timeout_ms) until stream `name` exists, as created by the export bridge.
    void wait_for_stream(const std::string &name, int timeout_ms);
    // Creates stream `name` on `subject` with the configuration of stream `model`.
    void copy_stream(const std::string &model, const std::string &name, const std::string &subject);
    void purge(const std::string &stream);

    // js_PublishMsgAsync of one message with the headers the export bridge
    // sends: Nats-Msg-Id, Nats-Expected-Stream and a priority.
    void publish_async(const std::string &subject, const std::string &stream, const void *data,
                       std::size_t length, const std::string &message_id);
    // Waits for every outstanding publish acknowledgement; fails on any error.
    void complete_publishes();

    // A pull subscription through durable `durable`, which it creates with
    // explicit acks.  Destroyed with this object.
    natsSubscription *pull_subscribe(const std::string &stream, const std::string &subject,
                                     const std::string &durable);
    // Up to `batch` messages, waiting up to timeout_ms; each is acked after `use`.
    template <class Use>
    int fetch(natsSubscription *subscription, int batch, int timeout_ms, Use use)
    {
        natsMsgList list{};
        const natsStatus s = natsSubscription_Fetch(&list, subscription, batch, timeout_ms, nullptr);
        if (s == NATS_TIMEOUT)
            return 0;
        check(s, "natsSubscription_Fetch");
        for (int i = 0; i < list.Count; ++i) {
            use(reinterpret_cast<const unsigned char *>(natsMsg_GetData(list.Msgs[i])),
                static_cast<std::size_t>(natsMsg_GetDataLength(list.Msgs[i])));
            check(natsMsg_Ack(list.Msgs[i], nullptr), "natsMsg_Ack");
        }
        const int count = list.Count;
        natsMsgList_Destroy(&list);
        return count;
    }

    std::uint64_t publish_errors() const { return publish_errors_; }

private:
    void check(natsStatus s, const char *what) const;
    static void on_publish_error(jsCtx *, jsPubAckErr *error, void *closure);

    natsConnection *connection_ = nullptr;
    jsCtx *js_ = nullptr;
    std::vector<natsSubscription *> subscriptions_;
    std::uint64_t publish_errors_ = 0;
};

} // namespace bridge_bench
