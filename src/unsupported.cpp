// The core on a platform without POSIX message queues: the library still
// builds and links, pmq_supported() says 0, and every call says why it fails.
#include "name_calls.hpp"
#include "notification.hpp"
#include "adoption.hpp"
#include "queue.hpp"
#include "system_limits.hpp"
#include "unique_name.hpp"
#include "waiting.hpp"

namespace pmq::detail {

namespace {
Status unsupported(const char *what)
{
    return fail(Errc::not_supported,
                "%s: this platform has no POSIX message queues (mqueue.h / mq_open were not "
                "found when libpmq was built)",
                what);
}
} // namespace

struct Queue {};

bool platform_supported() { return false; }

Status create_queue(const char *, unsigned, unsigned, std::int64_t, std::int64_t, Queue **)
{ return unsupported("pmq_create"); }
Status open_queue(const char *, unsigned, Queue **) { return unsupported("pmq_open"); }
Status close_queue(Queue *) { return unsupported("pmq_close"); }
Status unlink_queue(const char *) { return unsupported("pmq_unlink"); }
Status queue_send(Queue &, const void *, std::size_t, unsigned, int, const char *operation)
{ return unsupported(operation); }
Status queue_receive(Queue &, void *, std::size_t, unsigned *, int, const char *operation,
                     std::size_t *)
{ return unsupported(operation); }
Status queue_attributes(Queue &, Attributes *) { return unsupported("pmq_getattr"); }
Status queue_set_nonblocking(Queue &, bool) { return unsupported("pmq_set_nonblocking"); }
Status queue_descriptor(Queue &, int *) { return unsupported("pmq_fd"); }
const char *queue_name(const Queue &) { return ""; }
Status queue_notify(Queue &, NotifyCallback, void *, void *) { return unsupported("pmq_notify"); }
Status queue_notify_signal(Queue &, int) { return unsupported("pmq_notify_signal"); }
void cancel_notification_for_close(Queue &) {}
Status send_to(const char *, const void *, std::size_t, unsigned, unsigned)
{ return unsupported("pmq_send_to"); }
Status receive_from(const char *, void *, std::size_t, unsigned *, unsigned, std::size_t *)
{ return unsupported("pmq_recv_from"); }
Status queue_info(const char *, Attributes *) { return unsupported("pmq_info"); }

Status queue_wait(Queue &, unsigned, int, unsigned *) { return unsupported("pmq_wait"); }
Status queue_interrupt(Queue &) { return unsupported("pmq_interrupt"); }
Status queue_resume(Queue &) { return unsupported("pmq_resume"); }
Status adopt_queue(int, const char *, Queue **) { return unsupported("pmq_adopt"); }
Status create_unique_queue(const char *, unsigned, unsigned, std::int64_t, std::int64_t, Queue **)
{ return unsupported("pmq_create_unique"); }

SystemLimits read_system_limits() { return {-1, -1, -1, -1, -1, -1, -1, -1}; }

} // namespace pmq::detail
