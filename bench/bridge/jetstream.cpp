#include "jetstream.hpp"

#include <time.h>

#include <cstdio>
#include <string>

#include "processes.hpp"

namespace bridge_bench {

namespace {

// Outstanding async publishes before js_PublishMsgAsync waits: the client's own default.
constexpr std::int64_t max_pending_publishes = 4000;
constexpr int api_wait_ms = 10000;

std::string last_error()
{
    const char *text = nats_GetLastError(nullptr);
    return text ? text : "";
}

void sleep_ms(int ms)
{
    const timespec pause{ms / 1000, (ms % 1000) * 1000000L};
    ::nanosleep(&pause, nullptr);
}

} // namespace

void JetStream::check(natsStatus s, const char *what) const
{
    if (s != NATS_OK)
        die(what, std::string(natsStatus_GetText(s)) + " (" + last_error() + ")");
}

void JetStream::on_publish_error(jsCtx *, jsPubAckErr *error, void *closure)
{
    ++static_cast<JetStream *>(closure)->publish_errors_;
    std::fprintf(stderr, "pmq-bench-bridge: async publish failed: %s\n",
                 error->ErrText ? error->ErrText : natsStatus_GetText(error->Err));
}

JetStream::JetStream(const std::string &url)
{
    check(natsConnection_ConnectTo(&connection_, url.c_str()), "natsConnection_ConnectTo");
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = api_wait_ms;
    options.PublishAsync.MaxPending = max_pending_publishes;
    options.PublishAsync.ErrHandler = on_publish_error;
    options.PublishAsync.ErrHandlerClosure = this;
    check(natsConnection_JetStream(&js_, connection_, &options), "natsConnection_JetStream");
}

JetStream::~JetStream()
{
    for (natsSubscription *subscription : subscriptions_)
        natsSubscription_Destroy(subscription);
    jsCtx_Destroy(js_);
    natsConnection_Destroy(connection_);
}

void JetStream::wait_for_stream(const std::string &name, int timeout_ms)
{
    for (int waited = 0;; waited += 100) {
        jsStreamInfo *info = nullptr;
        jsErrCode code{};
        const natsStatus s = js_GetStreamInfo(&info, js_, name.c_str(), nullptr, &code);
        if (s == NATS_OK) {
            jsStreamInfo_Destroy(info);
            return;
        }
        if (waited >= timeout_ms)
            die("waiting for stream " + name,
                "not there after " + std::to_string(timeout_ms / 1000) +
                    " s (the export bridge creates it; see its log)");
        sleep_ms(100);
    }
}

void JetStream::copy_stream(const std::string &model, const std::string &name,
                            const std::string &subject)
{
    jsStreamInfo *info = nullptr;
    check(js_GetStreamInfo(&info, js_, model.c_str(), nullptr, nullptr), "js_GetStreamInfo");
    jsStreamConfig config = *info->Config; // shallow: the copy only lives as long as info
    const char *subjects[] = {subject.c_str()};
    config.Name = name.c_str();
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    jsStreamInfo *created = nullptr;
    check(js_AddStream(&created, js_, &config, nullptr, nullptr), "js_AddStream (the floor's stream)");
    jsStreamInfo_Destroy(created);
    jsStreamInfo_Destroy(info);
}

void JetStream::purge(const std::string &stream)
{
    check(js_PurgeStream(js_, stream.c_str(), nullptr, nullptr), "js_PurgeStream");
}

void JetStream::publish_async(const std::string &subject, const std::string &stream, const void *data,
                              std::size_t length, const std::string &message_id)
{
    natsMsg *message = nullptr;
    check(natsMsg_Create(&message, subject.c_str(), nullptr, static_cast<const char *>(data),
                         static_cast<int>(length)),
          "natsMsg_Create");
    check(natsMsgHeader_Set(message, "Pmq-Priority", "0"), "natsMsgHeader_Set");
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MsgId = message_id.c_str();
    options.ExpectStream = stream.c_str();
    const natsStatus s = js_PublishMsgAsync(js_, &message, &options);
    natsMsg_Destroy(message); // NULL once the library owns it
    check(s, "js_PublishMsgAsync");
}

void JetStream::complete_publishes()
{
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = 60000;
    check(js_PublishAsyncComplete(js_, &options), "js_PublishAsyncComplete");
    if (publish_errors_ != 0)
        die("the floor's async publishes", std::to_string(publish_errors_) + " failed");
}

natsSubscription *JetStream::pull_subscribe(const std::string &stream, const std::string &subject,
                                            const std::string &durable)
{
    jsConsumerConfig config;
    jsConsumerConfig_Init(&config);
    config.Durable = durable.c_str();
    config.AckPolicy = js_AckExplicit;
    config.FilterSubject = subject.c_str();
    jsConsumerInfo *info = nullptr;
    check(js_AddConsumer(&info, js_, stream.c_str(), &config, nullptr, nullptr), "js_AddConsumer");
    jsConsumerInfo_Destroy(info);
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = stream.c_str();
    options.Consumer = durable.c_str();
    natsSubscription *subscription = nullptr;
    check(js_PullSubscribe(&subscription, js_, subject.c_str(), durable.c_str(), nullptr, &options,
                           nullptr),
          "js_PullSubscribe");
    subscriptions_.push_back(subscription);
    return subscription;
}

} // namespace bridge_bench
