// One nats-server with JetStream on 127.0.0.1, in the run's scratch directory.
#pragma once

#include <sys/types.h>

#include <string>

namespace bridge_bench {

class NatsServer {
public:
    // Starts `program` on a port of its own choosing with its store under `directory`, and
    // returns once it accepts connections.
    NatsServer(const std::string &program, const std::string &directory);
    ~NatsServer();
    NatsServer(const NatsServer &) = delete;
    NatsServer &operator=(const NatsServer &) = delete;

    std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
    std::string log_path() const { return log_; }
    std::string version() const { return version_; }

private:
    int port_ = 0;
    pid_t pid_ = 0;
    std::string log_;
    std::string version_;
};

} // namespace bridge_bench
