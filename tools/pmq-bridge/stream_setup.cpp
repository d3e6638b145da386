#include "stream_setup.hpp"

#include "exit_status.hpp"
#include "log.hpp"
#include "nats_session.hpp"
#include "stop_signal.hpp"

#include <vector>

namespace pmq_bridge {
namespace {

constexpr jsErrCode stream_not_found = static_cast<jsErrCode>(10059);

bool covers(const jsStreamConfig *config, const std::string &subject)
{
    // Exact or wildcard match of SUBJECT by one of the stream's subjects.
    auto tokens = [](const std::string &s) {
        std::vector<std::string> out;
        size_t start = 0;
        for (size_t dot; (dot = s.find('.', start)) != std::string::npos; start = dot + 1)
            out.push_back(s.substr(start, dot - start));
        out.push_back(s.substr(start));
        return out;
    };
    const auto want = tokens(subject);
    for (int i = 0; i < config->SubjectsLen; ++i) {
        const auto have = tokens(config->Subjects[i]);
        bool match = true;
        for (size_t k = 0; k < have.size() && match; ++k) {
            if (have[k] == ">") {
                match = want.size() > k;
                goto decided;
            }
            match = k < want.size() && (have[k] == "*" || have[k] == want[k]);
        }
        match = match && have.size() == want.size();
    decided:
        if (match)
            return true;
    }
    return false;
}

} // namespace

std::string subject_problem(const std::string &subject)
{
    if (subject.empty())
        return "--subject is empty";
    if (subject.front() == '.' || subject.back() == '.' || subject.find("..") != std::string::npos)
        return "--subject '" + subject + "' has an empty token (tokens are separated by single dots)";
    for (const unsigned char c : subject) {
        if (c <= ' ' || c == 0x7f)
            return "--subject '" + subject + "' contains a space or control character";
        if (c == '*' || c == '>')
            return "--subject '" + subject + "' contains a wildcard ('*' or '>'); a bridge needs one literal subject";
    }
    if (subject.rfind("$JS.", 0) == 0 || subject.rfind("_INBOX.", 0) == 0)
        return "--subject '" + subject + "' is reserved by NATS";
    return "";
}

std::string name_problem(const std::string &name, const char *option)
{
    if (name.empty())
        return std::string(option) + " is empty";
    for (const unsigned char c : name) {
        if (c <= ' ' || c == '.' || c == '*' || c == '>' || c == '/' || c == '\\' || c == 0x7f)
            return std::string(option) + " '" + name + "' may not contain spaces, '.', '*', '>', '/' or '\\'";
    }
    return "";
}

std::string default_stream_name(const std::string &subject)
{
    std::string name = subject;
    for (char &c : name) {
        if (static_cast<unsigned char>(c) <= ' ' || c == '.' || c == '*' || c == '>' || c == '/' || c == '\\')
            c = '_';
    }
    return name;
}

namespace {
bool refuses_when_full(const jsStreamConfig *config)
{
    return config->Discard == js_DiscardNew &&
           (config->MaxMsgs > 0 || config->MaxBytes > 0 || config->MaxMsgsPerSubject > 0);
}
} // namespace

bool ensure_stream(jsCtx *js, const BridgeOptions &options, BridgeStatus &status, bool &bounded)
{
    for (int attempt = 0; !stop_requested(); ++attempt) {
        jsStreamInfo *info = nullptr;
        jsErrCode code = static_cast<jsErrCode>(0);
        natsStatus s = js_GetStreamInfo(&info, js, options.stream.c_str(), nullptr, &code);
        if (s == NATS_OK) {
            const bool ok = covers(info->Config, options.subject);
            bounded = refuses_when_full(info->Config);
            jsStreamInfo_Destroy(info);
            if (!ok)
                throw Fatal{ExitStatus::failure, "the stream " + options.stream + " exists but does not carry the subject " +
                                                     options.subject + "; choose another --stream or --subject"};
            return true;
        }
        if (s == NATS_NOT_FOUND || code == stream_not_found) {
            jsStreamConfig config;
            jsStreamConfig_Init(&config);
            const char *subjects[] = {options.subject.c_str()};
            config.Name = options.stream.c_str();
            config.Subjects = subjects;
            config.SubjectsLen = 1;
            config.Storage = js_FileStorage;
            config.Retention = options.retention == "workqueue" ? js_WorkQueuePolicy : js_LimitsPolicy;
            config.Replicas = options.replicas;
            config.MaxAge = options.max_age_s * 1000000000LL;
            config.Duplicates = options.duplicate_window_s * 1000000000LL;
            config.MaxMsgs = options.stream_max_messages;
            config.MaxBytes = options.stream_max_bytes;
            // A full stream refuses new messages: the export side holds them and
            // stops taking from its queue instead of the stream dropping old ones.
            config.Discard = js_DiscardNew;
            s = js_AddStream(&info, js, &config, nullptr, &code);
            if (s == NATS_OK) {
                bounded = refuses_when_full(info->Config);
                jsStreamInfo_Destroy(info);
                status.set_state("stream_ready", "created the stream " + options.stream + " (subject " + options.subject +
                                                     ", " + std::to_string(options.replicas) + " replica(s), " +
                                                     options.retention + " retention, file storage)");
                return true;
            }
            // Another bridge may have created it meanwhile: look again.
            const std::string text = nats_error_text(s);
            if (code == static_cast<jsErrCode>(10058)) // stream name already in use
                continue;
            if (code == static_cast<jsErrCode>(10065) || code == static_cast<jsErrCode>(10052) ||
                code == static_cast<jsErrCode>(10074) || code == static_cast<jsErrCode>(10039))
                throw Fatal{ExitStatus::failure, "cannot create the stream " + options.stream + ": " + text +
                                                     " (JetStream error " + std::to_string(code) + ")"};
            status.set_last_error("create stream: " + text);
            const int wait = backoff_ms(attempt);
            log_line("cannot create the stream " + options.stream + " yet: " + text + "; retrying in " +
                     std::to_string(wait) + " ms");
            if (!sleep_unless_stopped(wait))
                return false;
            continue;
        }
        const std::string text = nats_error_text(s);
        status.set_last_error("stream info: " + text);
        const int wait = backoff_ms(attempt);
        log_line("cannot look up the stream " + options.stream + ": " + text + " (no JetStream quorum?); retrying in " +
                 std::to_string(wait) + " ms");
        if (!sleep_unless_stopped(wait))
            return false;
    }
    return false;
}

int64_t wait_for_stream(jsCtx *js, const BridgeOptions &options, BridgeStatus &status)
{
    for (int attempt = 0; !stop_requested(); ++attempt) {
        jsStreamInfo *info = nullptr;
        jsErrCode code = static_cast<jsErrCode>(0);
        const natsStatus s = js_GetStreamInfo(&info, js, options.stream.c_str(), nullptr, &code);
        if (s == NATS_OK) {
            const bool ok = covers(info->Config, options.subject);
            const int64_t created = info->Created;
            jsStreamInfo_Destroy(info);
            if (!ok)
                throw Fatal{ExitStatus::failure, "the stream " + options.stream + " does not carry the subject " +
                                                     options.subject + "; choose another --stream or --subject"};
            return created > 0 ? created : 1;
        }
        const std::string text = (s == NATS_NOT_FOUND || code == stream_not_found)
                                     ? "the stream " + options.stream + " does not exist yet (the export side creates it)"
                                     : "cannot look up the stream " + options.stream + ": " + nats_error_text(s);
        status.set_last_error(text);
        status.set_state("waiting_for_stream");
        const int wait = backoff_ms(attempt);
        log_line(text + "; retrying in " + std::to_string(wait) + " ms");
        if (!sleep_unless_stopped(wait))
            return 0;
    }
    return 0;
}

} // namespace pmq_bridge
