// pmq ls [--json]
#include "command.hpp"
#include "failure.hpp"
#include "json_text.hpp"
#include "mqueue_directory.hpp"

#include <nlohmann/json.hpp>

#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pmq_cli {

namespace {

std::string user_name(uid_t uid)
{
    const passwd *user = ::getpwuid(uid);
    return user != nullptr ? user->pw_name : std::to_string(uid);
}

std::string group_name(gid_t gid)
{
    const group *grp = ::getgrgid(gid);
    return grp != nullptr ? grp->gr_name : std::to_string(gid);
}

std::string octal_mode(unsigned mode)
{
    char text[8];
    std::snprintf(text, sizeof text, "%04o", mode);
    return text;
}

nlohmann::json json_or_null(const std::optional<std::int64_t> &value)
{
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string text_or_dash(const std::optional<std::int64_t> &value)
{
    return value ? std::to_string(*value) : "-";
}

void print_json(const std::vector<QueueEntry> &queues)
{
    nlohmann::json list = nlohmann::json::array();
    for (const QueueEntry &q : queues) {
        nlohmann::json object = nlohmann::json::object();
        set_queue_name(object, q.name);
        object["mode"] = octal_mode(q.mode);
        // uid and gid say it exactly; a name that is not UTF-8 is null.
        object["owner"] = text_or_null(user_name(q.uid));
        object["group"] = text_or_null(group_name(q.gid));
        object["uid"] = q.uid;
        object["gid"] = q.gid;
        object["max_messages"] = json_or_null(q.max_messages);
        object["message_size"] = json_or_null(q.message_size);
        object["current_messages"] = json_or_null(q.current_messages);
        object["bytes_queued"] = json_or_null(q.bytes_queued);
        list.push_back(std::move(object));
    }
    std::cout << list.dump(2) << '\n';
}

// A table with a header; "-" where the queue refused to tell (permission).
void print_table(const std::vector<QueueEntry> &queues)
{
    using Row = std::array<std::string, 7>;
    std::vector<Row> rows = {{"NAME", "MODE", "OWNER", "MAX_MESSAGES", "MESSAGE_SIZE",
                              "CURRENT_MESSAGES", "BYTES_QUEUED"}};
    for (const QueueEntry &q : queues) {
        rows.push_back({q.name, octal_mode(q.mode), user_name(q.uid), text_or_dash(q.max_messages),
                        text_or_dash(q.message_size), text_or_dash(q.current_messages),
                        text_or_dash(q.bytes_queued)});
    }
    std::array<std::size_t, 7> width{};
    for (const Row &row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i)
            width[i] = std::max(width[i], row[i].size());
    }
    for (const Row &row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size())
                line += std::string(width[i] - row[i].size() + 2, ' ');
        }
        std::cout << line << '\n';
    }
}

} // namespace

Command add_ls_command(CLI::App &pmq)
{
    auto json = std::make_shared<bool>(false);
    CLI::App *ls = pmq.add_subcommand("ls", "List every queue in /dev/mqueue (which must be mounted)");
    ls->add_flag("--json", *json, "Print a JSON array, one object per queue");
    return {ls, [json] {
                auto listing = list_queues();
                if (const auto *problem = std::get_if<ListingProblem>(&listing))
                    return report_failure(problem->explanation);
                const auto &queues = std::get<std::vector<QueueEntry>>(listing);
                if (*json)
                    print_json(queues);
                else
                    print_table(queues);
                return ExitStatus::success;
            }};
}

} // namespace pmq_cli
