#include "state_dir.hpp"

#include "exit_status.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pmq_bridge {

std::string resolve_state_dir(const std::string &given, const std::string &queue)
{
    if (!given.empty())
        return given;
    if (const char *systemd = std::getenv("STATE_DIRECTORY"); systemd != nullptr && *systemd != '\0') {
        // systemd joins several directories with ':'; the first is ours.
        std::string first(systemd);
        return first.substr(0, first.find(':'));
    }
    return "/var/lib/pmq-bridge/" + queue.substr(queue.find_first_not_of('/'));
}

void prepare_state_dir(const std::string &dir)
{
    std::string partial;
    size_t pos = 0;
    while (pos != std::string::npos) {
        pos = dir.find('/', pos + 1);
        partial = dir.substr(0, pos);
        if (partial.empty())
            continue;
        if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
            throw Fatal{ExitStatus::failure, "cannot create the state directory " + partial + ": " +
                                                 std::strerror(errno) + " (see --state-dir)"};
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw Fatal{ExitStatus::failure, "the state directory " + dir + " is not a directory (see --state-dir)"};
    if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0)
        throw Fatal{ExitStatus::failure, "cannot write to the state directory " + dir + ": " +
                                             std::strerror(errno) + " (see --state-dir)"};
}

StateLock::StateLock(const std::string &dir, const std::string &role)
{
    const std::string path = dir + "/" + role + ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
        throw Fatal{ExitStatus::failure, "cannot open " + path + ": " + std::strerror(errno)};
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = {};
        const ssize_t n = ::pread(fd_, pid, sizeof pid - 1, 0);
        std::string holder = n > 0 ? std::string(pid, static_cast<size_t>(n)) : "another process";
        while (!holder.empty() && (holder.back() == '\n'))
            holder.pop_back();
        ::close(fd_);
        fd_ = -1;
        throw Fatal{ExitStatus::failure, "another " + role + " bridge (pid " + holder + ") already uses the state directory " +
                                             dir + "; give each bridge its own --state-dir"};
    }
    const std::string me = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, me.data(), me.size(), 0) < 0) {
        // The pid is only a courtesy for the message above.
    }
}

StateLock::~StateLock()
{
    if (fd_ >= 0)
        ::close(fd_);
}

} // namespace pmq_bridge
