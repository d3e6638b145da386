// The queues the kernel shows in /dev/mqueue (the mqueue file system), with
// what stat, the file's "QSIZE:" line and pmq_info tell about each.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pmq_cli {

inline constexpr const char *mqueue_directory = "/dev/mqueue";

struct QueueEntry {
    std::string name; // "/" + file name, as the library takes it
    unsigned mode;    // permission bits
    uid_t uid;
    gid_t gid;
    std::optional<std::int64_t> bytes_queued;     // QSIZE; none if the file is unreadable
    std::optional<std::int64_t> max_messages;     // from pmq_info; none if it was refused
    std::optional<std::int64_t> message_size;     // likewise
    std::optional<std::int64_t> current_messages; // likewise
};

// Why the queues cannot be listed, explained with the command that fixes it.
struct ListingProblem {
    std::string explanation;
};

// Every queue in /dev/mqueue, sorted by name.
std::variant<std::vector<QueueEntry>, ListingProblem> list_queues();

} // namespace pmq_cli
