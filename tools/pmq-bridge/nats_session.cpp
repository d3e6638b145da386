#include "nats_session.hpp"

#include "exit_status.hpp"
#include "log.hpp"
#include "secrets.hpp"
#include "stop_signal.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace pmq_bridge {
namespace {

std::string connected_url(natsConnection *nc)
{
    char buffer[512] = {};
    if (natsConnection_GetConnectedUrl(nc, buffer, sizeof buffer) != NATS_OK)
        return "";
    return redact_url(buffer);
}

void on_disconnected(natsConnection *, void *closure)
{
    auto *status = static_cast<BridgeStatus *>(closure);
    if (status->state() == "stopped")
        return; // our own close at the end, not an outage
    status->set_server("");
    status->set_state("disconnected", "disconnected from the cluster; reconnecting");
}

void on_reconnected(natsConnection *nc, void *closure)
{
    auto *status = static_cast<BridgeStatus *>(closure);
    status->reconnects++;
    const std::string url = connected_url(nc);
    status->set_server(url);
    status->set_state("connected", "reconnected to " + url);
}

void on_async_error(natsConnection *, natsSubscription *, natsStatus err, void *closure)
{
    auto *status = static_cast<BridgeStatus *>(closure);
    const std::string text = std::string("client error: ") + natsStatus_GetText(err);
    status->set_last_error(text);
    log_verbose(text);
}

// What waiting cannot fix: the server refused who we are, or TLS is broken.
bool is_permanent(natsStatus s, const std::string &text)
{
    if (s == NATS_NOT_PERMITTED || s == NATS_SSL_ERROR || s == NATS_INVALID_ARG)
        return true;
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return lower.find("authorization") != std::string::npos || lower.find("authentication") != std::string::npos ||
           lower.find("permissions violation") != std::string::npos;
}

} // namespace

std::string nats_error_text(natsStatus s)
{
    natsStatus ignored = NATS_OK;
    const char *detail = nats_GetLastError(&ignored);
    std::string text = natsStatus_GetText(s);
    if (detail != nullptr && *detail != '\0' && text.find(detail) == std::string::npos)
        text += std::string(": ") + detail;
    return text;
}

bool sleep_unless_stopped(int ms)
{
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!stop_requested()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= until)
            return true;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(until - now, std::chrono::milliseconds(50)));
    }
    return false;
}

int backoff_ms(int attempt)
{
    return std::min(5000, 250 << std::min(attempt, 5));
}

NatsSession::NatsSession(const ConnectionSettings &settings, BridgeStatus &status) : settings_(settings), status_(status)
{
}

NatsSession::~NatsSession()
{
    close();
}

void NatsSession::close()
{
    if (nc_ != nullptr && natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED)
        natsConnection_FlushTimeout(nc_, 1000); // acks and publishes already written
    if (js_ != nullptr)
        jsCtx_Destroy(js_);
    js_ = nullptr;
    if (nc_ != nullptr) {
        natsConnection_Close(nc_);
        natsConnection_Destroy(nc_);
    }
    if (opts_ != nullptr)
        natsOptions_Destroy(opts_);
    if (nc_ != nullptr || opts_ != nullptr)
        nats_CloseAndWait(2000); // every callback thread has ended
    nc_ = nullptr;
    opts_ = nullptr;
}

bool NatsSession::connected() const
{
    return nc_ != nullptr && natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED;
}

void NatsSession::build_options()
{
    natsStatus s = natsOptions_Create(&opts_);
    std::vector<const char *> servers;
    for (const std::string &url : settings_.servers)
        servers.push_back(url.c_str());
    if (s == NATS_OK)
        s = natsOptions_SetServers(opts_, servers.data(), static_cast<int>(servers.size()));
    if (s != NATS_OK)
        throw Fatal{ExitStatus::usage, "--server: " + nats_error_text(s) +
                                           "; give URLs like nats://host:4222, separated by commas"};
    natsOptions_SetName(opts_, settings_.client_name.c_str());
    natsOptions_SetTimeout(opts_, 2000);
    natsOptions_SetMaxReconnect(opts_, -1); // an outage is waited out, however long
    natsOptions_SetReconnectWait(opts_, 500);
    natsOptions_SetDisconnectedCB(opts_, on_disconnected, &status_);
    natsOptions_SetReconnectedCB(opts_, on_reconnected, &status_);
    natsOptions_SetErrorHandler(opts_, on_async_error, &status_);
    if (!settings_.creds_file.empty()) {
        s = natsOptions_SetUserCredentialsFromFiles(opts_, settings_.creds_file.c_str(), nullptr);
        if (s != NATS_OK)
            throw Fatal{ExitStatus::failure, "--creds " + settings_.creds_file + ": " + nats_error_text(s)};
    }
    if (!settings_.user.empty()) {
        s = natsOptions_SetUserInfo(opts_, settings_.user.c_str(), settings_.password.c_str());
        if (s != NATS_OK)
            throw Fatal{ExitStatus::failure, "--user: " + nats_error_text(s)};
    }
    if (!settings_.tls_ca.empty() || !settings_.tls_cert.empty()) {
        s = natsOptions_SetSecure(opts_, true);
        if (s == NATS_OK && !settings_.tls_ca.empty())
            s = natsOptions_LoadCATrustedCertificates(opts_, settings_.tls_ca.c_str());
        if (s != NATS_OK)
            throw Fatal{ExitStatus::failure, "--tls-ca " + settings_.tls_ca + ": " + nats_error_text(s)};
        if (!settings_.tls_cert.empty()) {
            s = natsOptions_LoadCertificatesChain(opts_, settings_.tls_cert.c_str(), settings_.tls_key.c_str());
            if (s != NATS_OK)
                throw Fatal{ExitStatus::failure, "--tls-cert/--tls-key: " + nats_error_text(s)};
        }
    }
}

bool NatsSession::connect()
{
    build_options();
    std::string servers;
    for (const std::string &url : settings_.servers)
        servers += (servers.empty() ? "" : ",") + redact_url(url);
    for (int attempt = 0; !stop_requested(); ++attempt) {
        status_.set_state("connecting");
        const natsStatus s = natsConnection_Connect(&nc_, opts_);
        if (s == NATS_OK)
            break;
        const std::string text = nats_error_text(s);
        status_.set_last_error("connect: " + text);
        if (is_permanent(s, text))
            throw Fatal{ExitStatus::failure, "the cluster (" + servers + ") refused the connection: " + text +
                                                 "; check --creds, --user/--password-file and the --tls-* files"};
        const int wait = backoff_ms(attempt);
        log_line("cannot reach the cluster (" + servers + "): " + text + "; attempt " + std::to_string(attempt + 1) +
                 ", retrying in " + std::to_string(wait) + " ms");
        if (!sleep_unless_stopped(wait))
            return false;
    }
    if (nc_ == nullptr)
        return false;
    jsOptions jsopts;
    jsOptions_Init(&jsopts);
    jsopts.Wait = 5000;
    const natsStatus s = natsConnection_JetStream(&js_, nc_, &jsopts);
    if (s != NATS_OK)
        throw Fatal{ExitStatus::failure, "cannot use JetStream: " + nats_error_text(s)};
    const std::string url = connected_url(nc_);
    status_.set_server(url);
    status_.set_state("connected", "connected to " + url);
    return true;
}

} // namespace pmq_bridge
