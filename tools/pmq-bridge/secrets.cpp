#include "secrets.hpp"

#include "exit_status.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace pmq_bridge {

std::string read_password_file(const std::string &path)
{
    std::ifstream in(path);
    if (!in)
        throw Fatal{ExitStatus::failure, "cannot read --password-file " + path + ": " + std::strerror(errno)};
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    if (line.empty())
        throw Fatal{ExitStatus::failure, "--password-file " + path + " is empty; put the password on its first line"};
    return line;
}

std::string redact_url(const std::string &url)
{
    const size_t scheme = url.find("://");
    const size_t start = scheme == std::string::npos ? 0 : scheme + 3;
    const size_t at = url.find('@', start);
    if (at == std::string::npos)
        return url;
    return url.substr(0, start) + "***" + url.substr(at);
}

} // namespace pmq_bridge
