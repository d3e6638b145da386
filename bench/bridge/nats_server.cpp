#include "nats_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "processes.hpp"

namespace bridge_bench {

namespace {

sockaddr_in loopback(int port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// A port nobody listens on now (the kernel's choice for port 0).
int free_port()
{
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        die("choosing a free port on 127.0.0.1", std::strerror(errno));
    ::close(s);
    return ntohs(address.sin_port);
}

bool accepts_connections(int port)
{
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in address = loopback(port);
    const bool ok = ::connect(s, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0;
    ::close(s);
    return ok;
}

std::string first_line_of(const std::string &command)
{
    std::array<char, 256> line{};
    FILE *pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr)
        return "unknown";
    if (std::fgets(line.data(), line.size(), pipe) == nullptr)
        line[0] = '\0';
    ::pclose(pipe);
    std::string text = line.data();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    return text.empty() ? "unknown" : text;
}

} // namespace

NatsServer::NatsServer(const std::string &program, const std::string &directory)
    : port_(free_port()), log_(directory + "/nats-server.log")
{
    version_ = first_line_of("'" + program + "' --version 2>&1");
    const std::string config = directory + "/nats-server.conf";
    {
        std::ofstream out(config);
        out << "server_name: pmq-bench-bridge\n"
            << "listen: 127.0.0.1:" << port_ << "\n"
            << "jetstream {\n  store_dir: \"" << directory << "/jetstream\"\n}\n";
        if (!out)
            die("writing " + config, std::strerror(errno));
    }
    pid_ = spawn({program, "-c", config}, log_);
    for (int waited = 0; !accepts_connections(port_); waited += 20) {
        if (!running(pid_) || waited > 10000)
            die("starting nats-server", "it did not accept connections on 127.0.0.1:" +
                                           std::to_string(port_) + " within 10 s; see " + log_);
        const timespec pause{0, 20 * 1000000L};
        ::nanosleep(&pause, nullptr);
    }
}

NatsServer::~NatsServer()
{
    stop(pid_);
}

} // namespace bridge_bench
