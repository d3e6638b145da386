#include "delivery_meta.hpp"

#include <charconv>
#include <cstring>
#include <string_view>

namespace pmq_bridge {
namespace {

constexpr std::string_view ack_prefix = "$JS.ACK.";
constexpr int first_form_tokens = 7; // after the prefix
constexpr int second_form_tokens = 9; // at least: domain and account hash first

bool number(std::string_view token, uint64_t &value)
{
    const char *end = token.data() + token.size();
    const auto [ptr, ec] = std::from_chars(token.data(), end, value);
    return !token.empty() && ec == std::errc{} && ptr == end;
}

} // namespace

bool read_delivery_meta(const char *reply, DeliveryMeta &meta)
{
    if (reply == nullptr || std::strncmp(reply, ack_prefix.data(), ack_prefix.size()) != 0)
        return false;
    std::string_view rest(reply + ack_prefix.size());
    std::string_view tokens[second_form_tokens];
    int count = 0;
    for (;;) {
        const size_t dot = rest.find('.');
        if (count < second_form_tokens)
            tokens[count] = rest.substr(0, dot);
        ++count;
        if (dot == std::string_view::npos)
            break;
        rest.remove_prefix(dot + 1);
    }
    int first; // index of <delivered>
    if (count == first_form_tokens)
        first = 2;
    else if (count >= second_form_tokens)
        first = 4;
    else
        return false;
    uint64_t time = 0, pending = 0;
    return number(tokens[first], meta.times_delivered) && number(tokens[first + 1], meta.stream_seq) &&
           number(tokens[first + 2], meta.delivery) && number(tokens[first + 3], time) &&
           number(tokens[first + 4], pending);
}

} // namespace pmq_bridge
