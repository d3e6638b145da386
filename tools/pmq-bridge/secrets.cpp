#include "secrets.hpp"

#include "exit_status.hpp"
#include "nats_session.hpp"

#include <nats/nats.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

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

namespace {

// Overwrites a secret before its memory is given back.
void wipe(std::string &secret)
{
    volatile char *p = secret.data();
    for (size_t i = 0; i < secret.size(); ++i)
        p[i] = 0;
    secret.clear();
}

// The first word of the first line that starts (after blanks) with PREFIX.
std::string first_line_starting(const std::string &text, const char *prefix)
{
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        const size_t start = line.find_first_not_of(" \t");
        if (start != std::string::npos && line.compare(start, std::strlen(prefix), prefix) == 0) {
            const size_t end = line.find_first_of(" \t\r", start);
            std::string word = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
            wipe(line);
            return word;
        }
    }
    wipe(line);
    return "";
}

} // namespace

void check_creds_file(const std::string &path)
{
    std::ifstream in(path);
    if (!in)
        throw Fatal{ExitStatus::failure, "cannot read --creds " + path + ": " + std::strerror(errno)};
    std::ostringstream read;
    read << in.rdbuf();
    std::string text = read.str();
    const std::string hint = "; give the credentials file `nsc generate creds` writes (a user JWT and its seed)";
    // A JWT is base64url of a JSON object: it starts "eyJ" ('{"').
    const bool has_jwt = !first_line_starting(text, "eyJ").empty();
    std::string seed = first_line_starting(text, "SU");
    wipe(text);
    if (!has_jwt) {
        wipe(seed);
        throw Fatal{ExitStatus::failure, "--creds " + path + " holds no user JWT" + hint};
    }
    if (seed.empty())
        throw Fatal{ExitStatus::failure, "--creds " + path + " holds no user seed (a line starting with SU)" + hint};
    unsigned char *signature = nullptr;
    int length = 0;
    // nats_Sign decodes with tables nats_Open sets up (on no other call).
    natsStatus s = nats_Open(-1);
    if (s == NATS_OK)
        s = nats_Sign(seed.c_str(), "pmq-bridge", &signature, &length);
    wipe(seed);
    std::free(signature);
    if (s != NATS_OK)
        throw Fatal{ExitStatus::failure, "--creds " + path + ": its user seed is not a valid NATS seed (" +
                                             nats_error_text(s) + ")" + hint};
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
