#include "nats_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

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

// The client port in nats-server's ports file ("nats":["nats://127.0.0.1:P"]),
// 0 until it has written one.
int port_in(const std::string &ports_file)
{
    std::ifstream in(ports_file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string prefix = "\"nats://127.0.0.1:";
    const std::size_t at = text.find(prefix);
    return at == std::string::npos ? 0 : std::atoi(text.c_str() + at + prefix.size());
}

} // namespace

// The server binds port 0 itself (listen -1) and says which port it got in
// its ports file: unlike a port chosen here and bound there, no other
// process can take it in between.
NatsServer::NatsServer(const std::string &program, const std::string &directory)
    : log_(directory + "/nats-server.log")
{
    version_ = first_line_of("'" + program + "' --version 2>&1");
    const std::string config = directory + "/nats-server.conf";
    {
        std::ofstream out(config);
        out << "server_name: pmq-bench-bridge\n"
            << "listen: 127.0.0.1:-1\n"
            << "ports_file_dir: \"" << directory << "\"\n"
            << "jetstream {\n  store_dir: \"" << directory << "/jetstream\"\n}\n";
        if (!out)
            die("writing " + config, std::strerror(errno));
    }
    pid_ = spawn({program, "-c", config}, log_);
    const std::string base = program.substr(program.find_last_of('/') + 1);
    const std::string ports_file = directory + "/" + base + "_" + std::to_string(pid_) + ".ports";
    for (int waited = 0; port_ == 0 || !accepts_connections(port_); waited += 20) {
        if (!running(pid_) || waited > 10000)
            die("starting nats-server", "it did not accept connections within 10 s; see " + log_);
        const timespec pause{0, 20 * 1000000L};
        ::nanosleep(&pause, nullptr);
        if (port_ == 0)
            port_ = port_in(ports_file);
    }
}

NatsServer::~NatsServer()
{
    stop(pid_);
}

} // namespace bridge_bench
