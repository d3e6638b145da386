// What the command line says, after parsing; shared by both directions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pmq_bridge {

// How to reach the cluster. The password is read from --password-file and
// kept only here: it never reaches argv, a log line or an error message.
struct ConnectionSettings {
    std::vector<std::string> servers;
    std::string creds_file;
    std::string user;
    std::string password;
    std::string tls_ca, tls_cert, tls_key;
    std::string client_name;
};

struct BridgeOptions {
    std::string queue;       // "/jobs"
    std::string subject;
    std::string stream;      // derived from the subject when not given
    std::string durable;     // import only
    std::string state_dir;
    int64_t replicas = 1;    // export only: for a stream it creates
    std::string retention = "limits"; // export only: limits | workqueue
    int64_t stream_max_messages = -1; // export only: -1 = no limit
    int64_t stream_max_bytes = -1;
    int64_t max_age_s = 24 * 3600;      // export only: 0 = messages never expire
    int64_t duplicate_window_s = 3600;  // export only: how long JetStream remembers a message id
    bool create = false;
    int64_t max_messages = 0; // with --create: 0 = system default
    int64_t message_size = 0;
    ConnectionSettings connection;
};

} // namespace pmq_bridge
