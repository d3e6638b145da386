#include "failure.hpp"

#include <pmq/pmq.h>

#include <iostream>
#include <regex>
#include <vector>

namespace pmq_cli {

namespace {

struct Translation {
    std::regex library_words;
    const char *tool_words; // std::regex_replace format: $1, $2...
};

// Ordered: the more specific phrase first.  A max_messages or message_size of
// 0 is what the tool passes when the option is absent (the system default),
// so it is not mentioned as if the user had given it.
const std::vector<Translation> &translations()
{
    static const std::vector<Translation> table = [] {
        const std::pair<const char *, const char *> pairs[] = {
            {R"(max_messages 0 / message_size (\d+) exceed the kernel's hard ceilings \((\d+) messages, (\d+) bytes\))",
             "--message-size $1 exceeds the kernel's ceiling of $3 bytes"},
            {R"(max_messages (\d+) / message_size 0 exceed the kernel's hard ceilings \((\d+) messages, (\d+) bytes\))",
             "--max-messages $1 exceeds the kernel's ceiling of $2 messages"},
            {R"(max_messages (\d+) / message_size (\d+) exceed the kernel's hard ceilings)",
             "--max-messages $1 / --message-size $2 exceed the kernel's ceilings"},
            {R"(max_messages (\d+) exceeds)", "--max-messages $1 exceeds"},
            {R"(message_size (\d+) exceeds)", "--message-size $1 exceeds"},
            {R"(with a larger message_size)", "with a larger --message-size"},
            {R"(make this one smaller)", "make this one smaller (--max-messages, --message-size)"},
            {R"(priority (\d+) is out of range; priorities are 0 \.\. (\d+))",
             "--priority $1 is out of range; priorities are 0 to $2"},
            {R"(drop PMQ_EXCL)", "leave out --exclusive"},
            {R"(PMQ_EXCL)", "--exclusive"},
            {R"(unlink it first)", "remove it first with 'pmq unlink'"},
            {R"(create it first \(pmq_create\))", "create it first with 'pmq create'"},
            {R"(PMQ_NONBLOCK)", "--nonblock"},
            {R"(unless its creator asks for a wider mode)",
             "unless its creator asks for a wider one ('pmq create --mode')"},
            {R"(call again to go on waiting)", "run the command again to go on waiting"},
        };
        std::vector<Translation> compiled;
        for (const auto &[from, to] : pairs)
            compiled.push_back({std::regex(from), to});
        return compiled;
    }();
    return table;
}

// "pmq_send_timed(\"/jobs\"): " or "pmq_close: ": which C call failed, and on
// which name; the tool's user knows the command, the name is kept.
const std::regex &call_prefix()
{
    static const std::regex prefix(R"re(^pmq_[a-z_]+(?:\("(.*?)"\))?: )re");
    return prefix;
}

} // namespace

std::string in_tool_words(std::string_view library_explanation)
{
    const std::string explanation(library_explanation);
    try {
        // The queue name is the user's own text: it is kept, not translated.
        std::string subject;
        std::string text = explanation;
        std::smatch call;
        if (std::regex_search(explanation, call, call_prefix())) {
            subject = call[1].matched ? call[1].str() + ": " : "";
            text = call.suffix().str();
        }
        for (const Translation &t : translations())
            text = std::regex_replace(text, t.library_words, t.tool_words);
        return subject + text;
    } catch (const std::exception &) {
        // A regex that cannot run (out of memory, too complex): the library's
        // own words are better than none.
        return explanation;
    }
}

ExitStatus report_library_failure()
{
    return report_failure(in_tool_words(pmq_last_error()));
}

ExitStatus report_failure(std::string_view explanation)
{
    std::cerr << "pmq: " << explanation << '\n';
    return ExitStatus::failure;
}

} // namespace pmq_cli
