#include "publish_answers.hpp"

#include "exit_status.hpp"
#include "nats_session.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string_view>
#include <thread>

namespace pmq_bridge {
namespace {

// The fields of an answer, read as the parser meets them: no document is
// built (each answer would cost a map and its strings).
class AnswerFields : public nlohmann::json_sax<nlohmann::json> {
public:
    bool seq = false, duplicate = false, error = false;
    int64_t code = 0, err_code = 0;
    std::string description;

    bool key(string_t &name) override
    {
        key_ = name;
        if (depth_ == 1 && name == "error")
            error = true;
        return true;
    }
    bool start_object(std::size_t) override { return enter(); }
    bool end_object() override { return leave(); }
    bool start_array(std::size_t) override { return enter(); }
    bool end_array() override { return leave(); }
    bool boolean(bool value) override
    {
        if (top() && key_ == "duplicate")
            duplicate = value;
        return true;
    }
    bool number_unsigned(number_unsigned_t value) override { return number(static_cast<int64_t>(value)); }
    bool number_integer(number_integer_t value) override { return number(value); }
    bool string(string_t &value) override
    {
        if (in_error() && key_ == "description")
            description = value;
        return true;
    }
    bool null() override { return true; }
    bool number_float(number_float_t, const string_t &) override { return true; }
    bool binary(binary_t &) override { return true; }
    bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &) override { return false; }

private:
    bool enter()
    {
        if (++depth_ == 2)
            inside_error_ = error && key_ == "error";
        return true;
    }
    bool leave()
    {
        --depth_;
        if (depth_ < 2)
            inside_error_ = false;
        return true;
    }
    bool top() const { return depth_ == 1; }
    bool in_error() const { return inside_error_ && depth_ == 2; }
    bool number(int64_t value)
    {
        if (top() && key_ == "seq")
            seq = true;
        else if (in_error() && key_ == "code")
            code = value;
        else if (in_error() && key_ == "err_code")
            err_code = value;
        return true;
    }

    int depth_ = 0;
    bool inside_error_ = false;
    std::string key_;
};

// Consumes `text` at the front of `body`, after any spaces.
bool take(std::string_view &body, std::string_view text)
{
    while (!body.empty() && body.front() == ' ')
        body.remove_prefix(1);
    if (body.substr(0, text.size()) != text)
        return false;
    body.remove_prefix(text.size());
    return true;
}

// Consumes a string without escapes, after any spaces.
bool take_string(std::string_view &body)
{
    if (!take(body, "\""))
        return false;
    const size_t end = body.find_first_of("\"\\");
    if (end == std::string_view::npos || body[end] != '"')
        return false;
    body.remove_prefix(end + 1);
    return true;
}

bool take_digits(std::string_view &body)
{
    size_t n = 0;
    while (n < body.size() && body[n] >= '0' && body[n] <= '9')
        ++n;
    body.remove_prefix(n);
    return n != 0;
}

// The answer for a stored message as nats-server writes it, in its field
// order: {"stream":"S", ["domain":"D", ]"seq":N[,"duplicate": true]}.
// Read by hand because it is every answer but the rare error: the JSON
// parser took 4300 instructions for it, a fifth of the export's per message
// (callgrind). Anything else goes to the parser.
bool read_stored(std::string_view body, bool &duplicate)
{
    if (!take(body, "{") || !take(body, "\"stream\"") || !take(body, ":") || !take_string(body) || !take(body, ","))
        return false;
    if (take(body, "\"domain\"") && (!take(body, ":") || !take_string(body) || !take(body, ",")))
        return false;
    if (!take(body, "\"seq\"") || !take(body, ":") || !take_digits(body))
        return false;
    duplicate = take(body, ",") && take(body, "\"duplicate\"") && take(body, ":") && take(body, "true");
    return take(body, "}") && take(body, "") && body.empty(); // "": trailing spaces
}

} // namespace

void read_publish_answer(const char *body, size_t length, PublishAnswer &answer)
{
    if (read_stored(std::string_view(body, length), answer.duplicate)) {
        answer.stored = true;
        answer.error = NATS_OK;
        answer.js_code = 0;
        answer.text.clear();
        return;
    }
    AnswerFields fields;
    const bool parsed = length != 0 && nlohmann::json::sax_parse(body, body + length, &fields);
    answer.stored = parsed && fields.seq && !fields.error;
    answer.duplicate = answer.stored && fields.duplicate;
    answer.error = answer.stored ? NATS_OK : NATS_ERR;
    answer.js_code = answer.stored ? 0 : static_cast<int>(fields.err_code);
    if (answer.stored)
        answer.text.clear();
    else if (fields.error)
        answer.text = !fields.description.empty() ? fields.description
                                                  : "JetStream error " + std::to_string(fields.code) + " (err_code " +
                                                        std::to_string(fields.err_code) + ")";
    else
        answer.text = "an answer that is not a JetStream publish acknowledgement: \"" +
                      std::string(body, std::min<size_t>(length, 200)) + "\"";
}

PublishAnswers::PublishAnswers(natsConnection *nc, MessageGraveyard &graveyard) : graveyard_(graveyard)
{
    natsInbox *inbox = nullptr;
    natsStatus s = natsInbox_Create(&inbox);
    if (s == NATS_OK) {
        prefix_ = std::string(inbox) + ".";
        natsInbox_Destroy(inbox);
        s = natsConnection_SubscribeSync(&sub_, nc, (prefix_ + "*.*").c_str());
    }
    if (s == NATS_OK) // answers wait here until the loop takes them, however many
        s = natsSubscription_SetPendingLimits(sub_, -1, -1);
    if (s != NATS_OK)
        throw Fatal{ExitStatus::failure, "cannot subscribe to JetStream's publish acknowledgements: " + nats_error_text(s)};
}

PublishAnswers::~PublishAnswers()
{
    natsSubscription_Destroy(sub_);
}

const char *PublishAnswers::reply_subject(uint64_t seq, uint32_t attempt)
{
    char digits[48];
    char *end = std::to_chars(digits, digits + 20, seq).ptr;
    *end++ = '.';
    end = std::to_chars(end, digits + sizeof digits, attempt).ptr;
    reply_.assign(prefix_).append(digits, end);
    return reply_.c_str();
}

bool PublishAnswers::next(PublishAnswer &answer, int64_t timeout_ms)
{
    if (timeout_ms <= 0) {
        int waiting = 0;
        // Asked first: an empty NextMsg records an error text, which costs
        // more than the question.
        if (natsSubscription_GetPending(sub_, &waiting, nullptr) != NATS_OK || waiting == 0)
            return false;
    }
    natsMsg *msg = nullptr;
    const natsStatus s = natsSubscription_NextMsg(&msg, sub_, timeout_ms > 0 ? timeout_ms : 1);
    if (s == NATS_NO_RESPONDERS) {
        // The client takes this answer itself (and frees it), and with it
        // which publish it answered: seq 0 stands for any of them.
        answer.seq = 0;
        answer.attempt = 0;
        answer.stored = answer.duplicate = false;
        answer.error = s;
        answer.js_code = 0;
        answer.text = "no JetStream stream answered (no responders): the stream is missing or has no leader";
        return true;
    }
    if (s != NATS_OK) {
        // A closed connection answers at once: still wait, not spin.
        if (s != NATS_TIMEOUT && timeout_ms > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
        return false;
    }
    // "<prefix><seq>.<attempt>"
    const std::string_view subject = natsMsg_GetSubject(msg);
    bool named = subject.substr(0, prefix_.size()) == prefix_;
    if (named) {
        const char *end = subject.data() + subject.size();
        const auto seq = std::from_chars(subject.data() + prefix_.size(), end, answer.seq);
        if (seq.ec == std::errc{} && seq.ptr != end && *seq.ptr == '.') {
            const auto attempt = std::from_chars(seq.ptr + 1, end, answer.attempt);
            named = attempt.ec == std::errc{} && attempt.ptr == end;
        } else {
            named = false;
        }
    }
    if (!named) {
        graveyard_.add(msg);
        return next(answer, 0); // not one of ours (cannot happen): the next one
    }
    read_publish_answer(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)), answer);
    graveyard_.add(msg);
    return true;
}

} // namespace pmq_bridge
