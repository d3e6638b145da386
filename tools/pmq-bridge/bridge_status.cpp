#include "bridge_status.hpp"

#include "log.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>

namespace pmq_bridge {
namespace {

std::string utc_now()
{
    char text[32];
    const std::time_t now = std::time(nullptr);
    struct tm parts {};
    gmtime_r(&now, &parts);
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

} // namespace

BridgeStatus::BridgeStatus(std::string state_dir, std::string role, std::string queue, std::string subject,
                           std::string stream, std::string durable)
    : path_(state_dir + "/" + role + ".status.json"), role_(std::move(role)), queue_(std::move(queue)),
      subject_(std::move(subject)), stream_(std::move(stream)), durable_(std::move(durable))
{
}

void BridgeStatus::set_state(const std::string &state, const std::string &log_text)
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (state_ == state && log_text.empty())
            return;
        state_ = state;
    }
    if (!log_text.empty())
        log_line(log_text);
    publish();
}

void BridgeStatus::set_server(const std::string &url)
{
    std::lock_guard<std::mutex> lock(mutex_);
    server_ = url;
}

void BridgeStatus::set_last_error(const std::string &text)
{
    std::lock_guard<std::mutex> lock(mutex_);
    last_error_ = text;
    last_error_at_ = utc_now();
}

std::string BridgeStatus::state() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return state_;
}

void BridgeStatus::tick(std::chrono::steady_clock::time_point now)
{
    if (now - last_write_ >= std::chrono::seconds(1))
        publish();
}

void BridgeStatus::publish()
{
    nlohmann::json doc;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        last_write_ = std::chrono::steady_clock::now();
        doc = {
            {"role", role_},
            {"pid", static_cast<int64_t>(::getpid())},
            {"queue", queue_},
            {"subject", subject_},
            {"stream", stream_},
            {"state", state_},
            {"server", server_},
            {"last_error", last_error_},
            {"last_error_at", last_error_at_},
            {"updated_at", utc_now()},
        };
        if (!durable_.empty())
            doc["durable"] = durable_;
    }
    doc["forwarded"] = forwarded.load();
    doc["duplicates_dropped"] = duplicates_dropped.load();
    doc["redelivered"] = redelivered.load();
    doc["retries"] = retries.load();
    doc["reconnects"] = reconnects.load();
    if (role_ == "export") {
        doc["spool_held"] = spool_held.load();
        doc["spool_slots"] = spool_slots.load();
        doc["refused"] = refused.load();
        doc["lengths_recovered"] = lengths_recovered.load();
    } else {
        doc["uncertain_resends"] = uncertain_resends.load();
        doc["stream_gaps"] = stream_gaps.load();
        doc["durable_stalls"] = durable_stalls.load();
    }
    // Write then rename, so a reader never sees half a file.
    const std::string text = doc.dump(2) + "\n";
    const std::string temporary = path_ + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (written)
        std::rename(temporary.c_str(), path_.c_str());
}

} // namespace pmq_bridge
