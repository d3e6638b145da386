// Compiled by the header-* tests with each compiler and standard under
// -Wall -Wextra -Werror -pedantic (and more): every member is used, so that
// each is instantiated and checked, not only parsed.  Never run.
#include <pmq/pmq.hpp>

#include <cstddef>
#include <system_error>

int use_every_member(pmq::queue &q, std::error_code &ec);

int use_every_member(pmq::queue &q, std::error_code &ec)
{
    using namespace std::chrono_literals;
    pmq::queue made =
        pmq::queue::create("/header", pmq::access::read_write, {1, 2, 0600, true, true});
    made = pmq::queue::create("/header", pmq::access::write, ec);
    made = pmq::queue::create("/header", pmq::access::read, pmq::create_options{}, ec);
    made = pmq::queue::open("/header", pmq::access::read, true);
    made = pmq::queue::open("/header", pmq::access::read, ec);
    made = pmq::queue::open("/header", pmq::access::read, false, ec);
    pmq::queue::unlink("/header");
    pmq::queue::unlink("/header", ec);

    char buf[64] = {};
    unsigned priority = 0;
    q.send("text", 3);
    q.send("text", ec);
    q.send("text", 1, ec);
    q.send(buf, sizeof buf, 2);
    q.send(buf, sizeof buf, 2, ec);
    bool sent = q.try_send("x") && q.try_send("x", ec) && q.try_send("x", 1, ec);
    sent = sent && q.send_for("x", 5ms) && q.send_for("x", 5ms, ec) && q.send_for("x", 1s, 4, ec);
    std::size_t n = q.receive(buf, sizeof buf, &priority);
    n += q.receive(buf, sizeof buf, ec) + q.receive(buf, sizeof buf, &priority, ec);
    pmq::message m = q.receive();
    m = q.receive(ec);
    std::optional<pmq::message> maybe = q.try_receive();
    maybe = q.try_receive(ec);
    maybe = q.receive_for(10ms);
    maybe = q.receive_for(10ms, ec);
#if __cplusplus >= 202002L
    std::byte bytes[8] = {};
    q.send(std::span<const std::byte>(bytes));
    q.send(std::span<const std::byte>(bytes), 1, ec);
    sent = sent && q.try_send(std::span<const std::byte>(bytes)) &&
           q.try_send(std::span<const std::byte>(bytes), 1, ec) &&
           q.send_for(std::span<const std::byte>(bytes), 1ms) &&
           q.send_for(std::span<const std::byte>(bytes), 1ms, 1, ec);
    n += q.receive(std::span<std::byte>(bytes)) +
         q.receive(std::span<std::byte>(bytes), nullptr, ec);
#endif
    const pmq::attributes a = q.attributes();
    const pmq::attributes b = q.attributes(ec);
    q.set_nonblocking(true);
    q.set_nonblocking(false, ec);
    const int fd = q.native_handle() + q.native_handle(ec);
    const bool has = static_cast<bool>(q) && q.c_handle() != nullptr && !q.name().empty();
    q.close();
    q.close(ec);
    const bool same = ec == pmq::errc::not_found && ec == std::errc::no_such_file_or_directory;
    try {
        throw pmq::error(make_error_code(pmq::errc::busy), "busy");
    } catch (const pmq::error &e) {
        return e.code().value() + fd +
               static_cast<int>(n + m.data.size() + maybe.has_value() +
                                static_cast<std::size_t>(a.max_messages + b.message_size)) +
               sent + has + same + pmq::category().name()[0];
    }
}
