#include "local_queue.hpp"

#include "exit_status.hpp"

#include <string>

namespace pmq_bridge {

std::string queue_name(const std::string &argument)
{
    return !argument.empty() && argument.front() == '/' ? argument : "/" + argument;
}

pmq_queue *open_local_queue(const BridgeOptions &options, unsigned direction)
{
    pmq_queue *queue = nullptr;
    const int rc = options.create
                       ? pmq_create(options.queue.c_str(), direction, 0, options.max_messages, options.message_size, &queue)
                       : pmq_open(options.queue.c_str(), direction, &queue);
    if (rc == PMQ_ENOENT && !options.create)
        throw Fatal{ExitStatus::failure, "the queue " + options.queue + " does not exist; create it first (pmq create " +
                                             options.queue + ") or pass --create"};
    if (rc == PMQ_ENAME || rc == PMQ_EINVAL)
        throw Fatal{ExitStatus::usage, std::string("QUEUE: ") + pmq_last_error()};
    if (rc < 0)
        throw Fatal{ExitStatus::failure, pmq_last_error()};
    return queue;
}

} // namespace pmq_bridge
