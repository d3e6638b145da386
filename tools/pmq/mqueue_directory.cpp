#include "mqueue_directory.hpp"

#include <pmq/pmq.h>

#include <sys/stat.h>
#include <sys/vfs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace pmq_cli {

namespace {

// The kernel's MQUEUE_MAGIC (ipc/mqueue.c); <linux/magic.h> does not export it.
constexpr decltype(statfs::f_type) mqueue_fs_magic = 0x19800202;

constexpr const char *mount_command = "mount -t mqueue none /dev/mqueue";

std::optional<ListingProblem> check_mounted()
{
    struct statfs fs {};
    if (::statfs(mqueue_directory, &fs) != 0) {
        if (errno == ENOENT) {
            return ListingProblem{std::string(mqueue_directory) +
                                  " does not exist, so the queues cannot be listed; as root, run 'mkdir -p " +
                                  mqueue_directory + " && " + mount_command + "'"};
        }
        return ListingProblem{std::string("cannot examine ") + mqueue_directory + ": " + std::strerror(errno)};
    }
    if (fs.f_type != mqueue_fs_magic) {
        return ListingProblem{std::string(mqueue_directory) +
                              " is not mounted, so the queues cannot be listed; as root, run '" +
                              mount_command + "'"};
    }
    return std::nullopt;
}

// The file reads "QSIZE:<bytes> NOTIFY:... SIGNO:... NOTIFY_PID:...".
std::optional<std::int64_t> read_bytes_queued(const std::filesystem::path &file)
{
    std::ifstream in(file);
    std::string field;
    if (!(in >> field) || field.rfind("QSIZE:", 0) != 0)
        return std::nullopt;
    try {
        return std::stoll(field.substr(6));
    } catch (const std::exception &) {
        return std::nullopt;
    }
}

} // namespace

std::variant<std::vector<QueueEntry>, ListingProblem> list_queues()
{
    if (std::optional<ListingProblem> problem = check_mounted())
        return *problem;

    std::error_code error;
    std::filesystem::directory_iterator directory(mqueue_directory, error);
    if (error)
        return ListingProblem{std::string("cannot read ") + mqueue_directory + ": " + error.message()};

    std::vector<QueueEntry> queues;
    // increment(error) rather than a range-for, whose ++ throws on a read error.
    for (; directory != std::filesystem::directory_iterator(); directory.increment(error)) {
        const std::filesystem::directory_entry &file = *directory;
        struct stat st {};
        if (::stat(file.path().c_str(), &st) != 0)
            continue; // unlinked since the directory was read
        QueueEntry entry{"/" + file.path().filename().string(), static_cast<unsigned>(st.st_mode & 07777),
                         st.st_uid, st.st_gid, read_bytes_queued(file.path()),
                         std::nullopt, std::nullopt, std::nullopt};
        pmq_attr attr{};
        const int rc = pmq_info(entry.name.c_str(), &attr);
        if (rc == PMQ_ENOENT)
            continue; // unlinked since the directory was read
        if (rc == 0) {
            entry.max_messages = attr.max_messages;
            entry.message_size = attr.message_size;
            entry.current_messages = attr.current_messages;
        }
        queues.push_back(std::move(entry));
    }
    if (error)
        return ListingProblem{std::string("cannot read ") + mqueue_directory + ": " + error.message()};
    std::sort(queues.begin(), queues.end(),
              [](const QueueEntry &a, const QueueEntry &b) { return a.name < b.name; });
    return queues;
}

} // namespace pmq_cli
